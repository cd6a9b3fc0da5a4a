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
from collections.abc import Callable, Collection, Iterable, Iterator
from datetime import datetime
from itertools import count, repeat
from pathlib import Path
from typing import Any, BinaryIO, Literal, NamedTuple, TypeVar, get_args

from .articles import SkipFile, parse_article
from .corpus import FileStat, scan

#: The index's layout; an index of another number is rebuilt.
#: 2: content hash stored; 3: no spelling fields (words.py); 4: accents folded; 5: the schema
#: names reader.core.analysis.StemmedText (reader.core.engine.StemmedText before); 6: words
#: as a reader sees them (won't as wont, pic.twitter.com by its pieces, no * in words), stop
#: words leave their position empty (exact phrases), the words as written counted
SCHEMA_VERSION = 6
LISTING_FILE = "listing.pickle"
LISTING_VERSION = 3  # 3: a head, the list in chunks, then the update's columns
#: Articles of the list's head (in date and in title order): the app's first screen.
HEAD = 200
#: Articles per pickle of the list's columns.
CHUNK = 10_000
_TOC = re.compile(r"^_MAIN_(\d+)\.toc$")
T = TypeVar("T")
#: Which articles the list shows; the order of the full list; the order of search results.
View = Literal["all", "unread", "starred"]
Sort = Literal["date", "title"]
ResultSort = Literal["relevance", "date", "title"]
VIEWS: tuple[View, ...] = get_args(View)
SORTS: tuple[Sort, ...] = get_args(Sort)
#: How much of each file a first run's quick listing reads for the title.
QUICK_SCAN_BYTES = 4096
#: A first run shows the list after peeking at this many files, then again with all of them.
QUICK_FIRST = 300
#: The date of an article without one (a file time out of range), as the index stores it.
UNDATED = datetime(1970, 1, 1)


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
    order = sorted(zip(map(_DATE, values), rows, values, strict=False), reverse=True)
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
    Columns.of_rows(rows).write(target, generation)


class Columns:
    """The listing's columns in list order, as an update changes them and writes them after
    each commit: at 100,000 articles, making a Row of each (0.17 s) and writing them back
    out (0.4 s) was a tenth of a 1% update, spent while the other core had nothing to do.
    The dates are kept as the listing writes them, and as datetimes, to place new rows."""

    __slots__ = ("_columns",)

    def __init__(self, columns: list[list[Any]]) -> None:
        #: paths, titles, sections, ISO dates, mtime_ns, size, hash, dates; newest first
        self._columns = columns

    @classmethod
    def of_rows(cls, rows: dict[str, Row]) -> Columns:
        ordered = newest_first(rows)
        paths = [path for path, _ in ordered]
        fields = (list(map(list, zip(*(row for _, row in ordered), strict=False)))
                  or [[] for _ in Row._fields])
        titles, sections, dates, mtimes, sizes, hashes = fields
        return cls([paths, titles, sections, list(map(datetime.isoformat, dates)), mtimes,
                    sizes, hashes, dates])

    @classmethod
    def of_listed(cls, columns: list[list[Any]]) -> Columns | None:
        """The columns of a listing as read, or None when they are damaged."""
        try:
            if len(columns) != len(Row._fields) + 1:
                return None
            with no_collection():
                dates = list(map(datetime.fromisoformat, columns[3]))
            if any(len(column) != len(dates) for column in columns):
                return None
            return cls([*columns, dates])
        except Exception:  # noqa: BLE001 - whatever damaged columns raise
            return None

    def __len__(self) -> int:
        return len(self._columns[0])

    def rows(self) -> dict[str, Row]:
        paths, titles, sections, _, mtimes, sizes, hashes, dates = self._columns
        with no_collection():
            return dict(zip(paths, map(tuple.__new__, repeat(Row), zip(
                titles, sections, dates, mtimes, sizes, hashes, strict=False)), strict=False))

    def remove(self, paths: Iterable[str]) -> None:
        """Take out the rows of ``paths`` (those listed)."""
        if paths:
            with no_collection():
                self._remove(paths)

    def _remove(self, paths: Iterable[str]) -> None:
        where = dict(zip(self._columns[0], count()))
        drop = sorted({where[path] for path in paths if path in where})
        if not drop:
            return
        kept = [(start + 1, end)
                for start, end in zip([-1, *drop], [*drop, len(self)], strict=False)]
        self._columns = [_spliced(column, kept) for column in self._columns]

    def add(self, rows: dict[str, Row]) -> None:
        """Put in ``rows`` (a listed path's row is replaced), each where the order wants it."""
        if rows:
            with no_collection():
                self._add(rows)

    def _add(self, rows: dict[str, Row]) -> None:
        if not set(rows).isdisjoint(self._columns[0]):
            self._remove(rows.keys())
        new = sorted(zip(map(_DATE, rows.values()), rows, rows.values(), strict=False),
                     reverse=True)
        paths, dates = self._columns[0], self._columns[7]
        at: list[int] = []
        low = 0
        for date, path, _ in new:  # newest first: each goes at or after the one before
            high = len(paths)
            while low < high:
                middle = (low + high) // 2
                if (dates[middle], paths[middle]) > (date, path):
                    low = middle + 1
                else:
                    high = middle
            at.append(low)
        added = [[path for _, path, _ in new],
                 *map(list, zip(*(row for _, _, row in new), strict=False))]
        added.insert(3, list(map(datetime.isoformat, added[3])))  # ISO dates before mtimes
        added.append(added.pop(4))  # ... and the datetimes last
        self._columns = [_inserted(column, at, values)
                         for column, values in zip(self._columns, added, strict=False)]

    def write(self, target: Path, generation: int) -> None:
        """The listing file for the commit ``generation``, written whole and then renamed."""
        with no_collection():
            self._write(target, generation)

    def _write(self, target: Path, generation: int) -> None:
        paths, titles, sections, dates, *checked, _ = self._columns
        titled = heapq.nsmallest(HEAD, zip(map(str.casefold, titles), paths, count()))
        head = {
            "version": LISTING_VERSION,
            "generation": generation,
            "count": len(paths),
            "heads": {
                "date": [(paths[i], titles[i], sections[i], dates[i])
                         for i in range(min(HEAD, len(paths)))],
                "title": [(path, titles[i], sections[i], dates[i]) for _, path, i in titled],
            },
        }
        tmp = target.with_name(f"{LISTING_FILE}.{os.getpid()}.tmp")
        try:
            with open(tmp, "wb") as handle:
                pickle.dump(head, handle, protocol=pickle.HIGHEST_PROTOCOL)
                for start in range(0, len(paths), CHUNK):
                    end = start + CHUNK
                    pickle.dump({
                        "paths": paths[start:end],
                        "titles": titles[start:end],
                        "sections": sections[start:end],
                        "dates": dates[start:end],
                    }, handle, protocol=pickle.HIGHEST_PROTOCOL)
                pickle.dump(dict(zip(_CHECKED, checked, strict=False)), handle,
                            protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, target)
        except OSError:
            with contextlib.suppress(OSError):
                tmp.unlink()


def _spliced(column: list[Any], kept: list[tuple[int, int]]) -> list[Any]:
    """``column`` with only the ranges ``kept``, copied a range at a time."""
    result: list[Any] = []
    for start, end in kept:
        result += column[start:end]
    return result


def _inserted(column: list[Any], at: list[int], values: list[Any]) -> list[Any]:
    """``column`` with ``values[i]`` put in before its item ``at[i]`` (``at`` ascending)."""
    result: list[Any] = []
    last = 0
    for where, value in zip(at, values, strict=False):
        result += column[last:where]
        result.append(value)
        last = where
    result += column[last:]
    return result


def _load_head(handle: BinaryIO, generation: int) -> dict[str, Any] | None:
    head = pickle.load(handle)
    if (not isinstance(head, dict) or head.get("version") != LISTING_VERSION
            or head.get("generation") != generation or not isinstance(head.get("count"), int)):
        return None
    return head


class _Damaged(Exception):
    pass


def _chunks(handle: BinaryIO, head: dict[str, Any]) -> Iterator[list[list[Any]]]:
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


def _entries(paths: Iterable[str], titles: Iterable[str], sections: Iterable[str],
             dates: Iterable[str]) -> list[Entry]:
    with no_collection():
        # tuple.__new__ straight from C: half the time of calling Entry() 100,000 times
        return list(map(tuple.__new__, repeat(Entry),
                        zip(paths, titles, sections, map(datetime.fromisoformat, dates),
                            strict=False)))


def _read(target: Path, generation: int,
          make: Callable[[BinaryIO, dict[str, Any]], T]) -> T | None:
    """``make(handle, head)`` on the listing at ``target``, or None when the listing is
    missing, damaged or not of the commit ``generation`` (a damaged cache file is only a
    slower start: the caller falls back to the index)."""
    try:
        with open(target, "rb") as handle, no_collection():
            head = _load_head(handle, generation)
            return None if head is None else make(handle, head)
    except Exception:  # noqa: BLE001 - whatever a damaged pickle raises
        return None


def _checked(handle: BinaryIO, head: dict[str, Any]) -> list[list[Any]]:
    """The columns only an update reads (mtime, size, hash), after the chunks."""
    checked = pickle.load(handle)
    columns = [checked[k] for k in _CHECKED]
    if any(len(c) != head["count"] for c in columns):
        raise _Damaged
    return columns


def read_entries(target: Path, generation: int) -> list[Entry] | None:
    """The list newest first, or None as for ``_read``."""

    def make(handle: BinaryIO, head: dict[str, Any]) -> list[Entry]:
        entries: list[Entry] = []
        for columns in _chunks(handle, head):
            entries += _entries(*columns)
        return entries

    return _read(target, generation, make)


class Listed(NamedTuple):
    """The listing as an update reads it: what it compares with the folder, and the columns
    of the rows it writes back once something changed."""

    stats: dict[str, FileStat]
    columns: list[list[Any]]  # paths, titles, sections, dates, mtime_ns, size, hash

    def rows(self) -> dict[str, Row] | None:
        """path -> Row of every listed article, made straight from the columns, in C (None
        when a column is damaged, as for ``_read``)."""
        columns = self.for_update()
        return None if columns is None else columns.rows()

    def for_update(self) -> Columns | None:
        """The columns as an update changes them (None when one is damaged, as for rows)."""
        return Columns.of_listed(self.columns)


def read_listed(target: Path, generation: int) -> Listed | None:
    """The listing's file stats and columns, or None as for ``_read``. Finding that nothing
    changed needs only the stats; the rows cost twice as much, and are made on demand."""

    def make(handle: BinaryIO, head: dict[str, Any]) -> Listed:
        columns: list[list[Any]] = [[] for _ in _SHOWN]
        for chunk in _chunks(handle, head):
            for whole, part in zip(columns, chunk, strict=False):
                whole += part
        checked = _checked(handle, head)
        stats = dict(zip(columns[0],
                         map(FileStat._make, zip(checked[0], checked[1], strict=False)),
                         strict=False))
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
        heads = {sort: _entries(*zip(*records, strict=False)) if records else []
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


def sort_entries(entries: list[Entry], sort: Sort, *, newest_first: bool = False) -> list[Entry]:
    """The full list in the user's order. The index gives it ``newest_first`` (by date, then
    path, descending), the usual order, which then costs nothing (a sort of 100,000 entries
    already in order still takes a tenth of a second)."""
    if sort == "title":
        return sorted(entries, key=lambda e: (e.title.casefold(), e.path))
    if newest_first:
        return entries
    return sorted(entries, key=lambda e: (e.date, e.path), reverse=True)


def in_view(entries: list[Entry], view: View, section: str | None, *,
            read: Collection[str], starred: Collection[str],
            kept: Collection[str] = ()) -> list[Entry]:
    """The entries a view shows: of ``section`` and its subsections, when given; unread
    (the ``kept`` ones too, read since the view was chosen), starred, or all of them."""
    if section:
        prefix = section + "/"
        entries = [e for e in entries if e.section == section or e.section.startswith(prefix)]
    if view == "unread":
        entries = [e for e in entries if e.path not in read or e.path in kept]
    elif view == "starred":
        entries = [e for e in entries if e.path in starred]
    return entries


def quick_entries(root: Path, max_bytes: int, first: int | None = None) -> Iterator[list[Entry]]:
    """Titles from the first few KB of each file, for a first run before the index exists:
    yields the list so far after ``first`` files (QUICK_FIRST), then all of it."""
    first = QUICK_FIRST if first is None else first
    entries: list[Entry] = []
    for path, stat in scan(root).files.items():
        if len(entries) == first:
            yield list(entries)
        if stat.size > max_bytes:
            continue
        try:
            with open(root / path, "rb") as handle:
                data = handle.read(QUICK_SCAN_BYTES)
            article = parse_article(data, path, stat.mtime_ns)
        except (OSError, SkipFile):
            continue
        entries.append(Entry(path, article.title, article.section, article.date or UNDATED))
    yield entries
