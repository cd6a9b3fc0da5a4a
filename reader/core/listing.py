"""The listing: what the article list needs of every indexed article, in one file per commit.

Unpickling 100,000 articles' stored fields out of Whoosh takes seconds; the listing holds the
same records as plain columns beside each commit of the index (``ix-N/listing.pickle``),
tagged with the commit's generation so that a listing a killed writer left behind is not
believed. The file is a run of pickles: a head (the count, and the first screen of the list
in date and in title order), the list's columns (path, title, section, date) in chunks, then
what an update compares (mtime, size, content hash). The app's first screen reads only the
head, its full list the chunks, and only an update reads the rest.

This module does not import Whoosh: the app draws its list from here before the index is
opened. The generation of an index's latest commit is the number in its newest table of
contents file name (``_MAIN_<n>.toc``), as Whoosh itself reads it.
"""

from __future__ import annotations

import contextlib
import gc
import heapq
import json
import operator
import os
import pickle
import re
from collections.abc import Callable, Iterator
from datetime import datetime
from itertools import count, repeat
from pathlib import Path
from typing import Any, NamedTuple, TypeVar

from .corpus import FileStat

#: The index's layout; an index of another number is rebuilt.
SCHEMA_VERSION = 3  # 2: content hash stored; 3: no spelling fields (words.py)
LISTING_FILE = "listing.pickle"
LISTING_VERSION = 3  # 3: a head, the list in chunks, then the update's columns
#: Articles of the list's head (in date and in title order): the app's first screen.
HEAD = 200
#: Articles per pickle of the list's columns.
CHUNK = 10_000
_TOC = re.compile(r"^_MAIN_(\d+)\.toc$")
T = TypeVar("T")


class Entry(NamedTuple):
    """One article as the list shows it, drawn from the index alone (a tuple: 100,000 of
    them are made at every start, twice as fast as a frozen dataclass)."""

    path: str
    title: str
    section: str
    date: datetime


class Row(NamedTuple):
    """What the index holds of one article besides its words: the listing's record."""

    title: str
    section: str
    date: datetime
    mtime_ns: int
    size: int
    hash: str


@contextlib.contextmanager
def no_collection() -> Iterator[None]:
    """No garbage-collector passes while many objects are made at once: each pass would walk
    every object made so far (three full passes for 100,000 rows), to find no garbage."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def newest_first(rows: dict[str, Row]) -> list[tuple[str, Row]]:
    """The order the list opens in (by date, then path, descending), so that the app's usual
    sort by date has nothing to do. Sorted on (date, path, row) tuples made and compared in
    C: a key function called 100,000 times took as long as the sort."""
    values = rows.values()
    order = sorted(zip(map(_DATE, values), rows, values), reverse=True)
    return list(map(_PATH_ROW, order))


def latest_generation(folder: Path) -> int:
    """The generation of the newest commit in an index folder (-1 when it has none)."""
    try:
        names = os.listdir(folder)
    except OSError:
        return -1
    generations = [int(m.group(1)) for m in map(_TOC.match, names) if m]
    return max(generations, default=-1)


#: The keys of the list's chunks, and of the columns only an update reads (see write).
_SHOWN = ("paths", "titles", "sections", "dates")
_CHECKED = ("mtime_ns", "size", "hash")


_DATE = operator.itemgetter(2)  # Row.date
_PATH_ROW = operator.itemgetter(1, 2)  # (date, path, row) -> (path, row)


def write(target: Path, generation: int, rows: dict[str, Row]) -> None:
    """Write the listing of ``rows`` for the commit ``generation``, atomically (with the
    index's update lock held). A full disk leaves no listing: readers fall back."""
    with no_collection():
        _write(target, generation, rows)


def _write(target: Path, generation: int, rows: dict[str, Row]) -> None:
    ordered = newest_first(rows)
    paths = [path for path, _ in ordered]
    # One list per field of Row, in list order (transposed in C).
    columns = dict(zip(Row._fields, map(list, zip(*(row for _, row in ordered))))) or (
        dict.fromkeys(Row._fields, []))
    dates = list(map(datetime.isoformat, columns["date"]))
    titled = heapq.nsmallest(HEAD, zip(map(str.casefold, columns["title"]), paths, count()))
    head = {
        "version": LISTING_VERSION,
        "generation": generation,
        "count": len(ordered),
        "heads": {
            "date": [(paths[i], columns["title"][i], columns["section"][i], dates[i])
                     for i in range(min(HEAD, len(paths)))],
            "title": [(path, columns["title"][i], columns["section"][i], dates[i])
                      for _, path, i in titled],
        },
    }
    tmp = target.with_name(f"{LISTING_FILE}.{os.getpid()}.tmp")
    try:
        with open(tmp, "wb") as handle:
            pickle.dump(head, handle, protocol=pickle.HIGHEST_PROTOCOL)
            for start in range(0, len(ordered), CHUNK):
                end = start + CHUNK
                pickle.dump({
                    "paths": paths[start:end],
                    "titles": columns["title"][start:end],
                    "sections": columns["section"][start:end],
                    "dates": dates[start:end],
                }, handle, protocol=pickle.HIGHEST_PROTOCOL)
            pickle.dump({name: columns[name] for name in _CHECKED},
                        handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, target)
    except OSError:
        with contextlib.suppress(OSError):
            tmp.unlink()


def _load_head(handle, generation: int) -> dict | None:
    head = pickle.load(handle)
    if (not isinstance(head, dict) or head.get("version") != LISTING_VERSION
            or head.get("generation") != generation or not isinstance(head.get("count"), int)):
        return None
    return head


class _Damaged(Exception):
    pass


def _chunks(handle, head: dict) -> Iterator[list[list]]:
    """The list's columns (path, title, section, ISO date), one chunk at a time, checked
    whole. Each chunk is unpickled in C without letting other threads in: in chunks, a key
    press in the app waits for one of them at most, never for the whole list."""
    seen = 0
    while seen < head["count"]:
        chunk = pickle.load(handle)
        columns = [chunk[k] for k in _SHOWN]
        if not columns[0] or any(len(c) != len(columns[0]) for c in columns):
            raise _Damaged
        seen += len(columns[0])
        yield columns
    if seen != head["count"]:
        raise _Damaged


def _entries(paths, titles, sections, dates) -> list[Entry]:
    with no_collection():
        # tuple.__new__ straight from C: half the time of calling Entry() 100,000 times
        return list(map(tuple.__new__, repeat(Entry),
                        zip(paths, titles, sections, map(datetime.fromisoformat, dates))))


def _read(target: Path, generation: int, make: Callable[[Any, dict], T]) -> T | None:
    """``make(handle, head)`` on the listing at ``target``, or None when the listing is
    missing, damaged or not of the commit ``generation`` (a damaged cache file is only a
    slower start: the caller falls back to the index)."""
    try:
        with open(target, "rb") as handle, no_collection():
            head = _load_head(handle, generation)
            return None if head is None else make(handle, head)
    except Exception:  # noqa: BLE001 - whatever a damaged pickle raises
        return None


def _checked(handle, head: dict) -> list[list]:
    """The columns only an update reads (mtime, size, hash), after the chunks."""
    checked = pickle.load(handle)
    columns = [checked[k] for k in _CHECKED]
    if any(len(c) != head["count"] for c in columns):
        raise _Damaged
    return columns


def read_entries(target: Path, generation: int) -> list[Entry] | None:
    """The list newest first, or None as for ``_read``."""

    def make(handle, head: dict) -> list[Entry]:
        entries: list[Entry] = []
        for columns in _chunks(handle, head):
            entries += _entries(*columns)
        return entries

    return _read(target, generation, make)


class Listed(NamedTuple):
    """The listing as an update reads it: what it compares with the folder, and the columns
    of the rows it writes back once something changed."""

    stats: dict[str, FileStat]
    columns: list[list]  # paths, titles, sections, dates, mtime_ns, size, hash

    def rows(self) -> dict[str, Row] | None:
        """path -> Row of every listed article, made straight from the columns, in C (None
        when a column is damaged, as for ``_read``)."""
        paths, titles, sections, dates, *checked = self.columns
        try:
            with no_collection():
                rows = map(tuple.__new__, repeat(Row), zip(
                    titles, sections, map(datetime.fromisoformat, dates), *checked))
                return dict(zip(paths, rows))
        except Exception:  # noqa: BLE001 - whatever damaged columns raise
            return None


def read_listed(target: Path, generation: int) -> Listed | None:
    """The listing's file stats and columns, or None as for ``_read``. Finding that nothing
    changed needs only the stats; the rows cost twice as much, and are made on demand."""

    def make(handle, head: dict) -> Listed:
        columns: list[list] = [[] for _ in _SHOWN]
        for chunk in _chunks(handle, head):
            for whole, part in zip(columns, chunk):
                whole += part
        checked = _checked(handle, head)
        stats = dict(zip(columns[0], map(FileStat._make, zip(checked[0], checked[1]))))
        return Listed(stats, columns + checked)

    return _read(target, generation, make)


def read_rows(target: Path, generation: int) -> dict[str, Row] | None:
    """path -> Row of every listed article, or None as for ``_read``."""
    listed = read_listed(target, generation)
    return None if listed is None else listed.rows()


def _active_folder(index_dir: Path) -> tuple[Path, int] | None:
    try:
        meta = json.loads((index_dir / "meta.json").read_text("utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(meta, dict) or meta.get("schema") != SCHEMA_VERSION or meta.get("damaged"):
        return None
    active = meta.get("active")
    if not isinstance(active, str) or not re.fullmatch(r"ix-\d+", active):
        return None
    folder = index_dir / active
    generation = latest_generation(folder)
    return (folder, generation) if generation >= 0 else None


def peek_head(index_dir: Path) -> tuple[int, int, dict[str, list[Entry]]] | None:
    """(generation, count, heads): the first HEAD articles of the list by "date" and by
    "title", and how many there are in all, from the listing of the index in ``index_dir``
    without opening the index. A millisecond, where the whole list takes a tenth of a second
    at 100,000: the app's first screen. None when there is no index yet, or it is of another
    layout or damaged (opening it says why, and mends it)."""
    found = _active_folder(index_dir)
    if found is None:
        return None
    folder, generation = found
    try:
        with open(folder / LISTING_FILE, "rb") as handle:
            head = _load_head(handle, generation)
        if head is None:
            return None
        heads = {sort: _entries(*zip(*records)) if records else []
                 for sort, records in head["heads"].items()}
        return generation, head["count"], heads
    except Exception:  # noqa: BLE001 - as in _read
        return None


def peek(index_dir: Path) -> tuple[int, list[Entry]] | None:
    """(generation, entries) of the whole list newest first, as ``peek_head``."""
    found = _active_folder(index_dir)
    if found is None:
        return None
    folder, generation = found
    entries = read_entries(folder / LISTING_FILE, generation)
    return None if entries is None else (generation, entries)
