"""Scanning a corpus folder: which article files exist, and what changed since last time.

A scan costs one ``stat`` per file; nothing is read. Hidden files and folders are ignored,
symlinks are followed once (a loop is noticed and skipped), unreadable folders are reported.
A folder is indexed under its own name: links to folders are followed only once every real
folder is scanned, and one to a folder already scanned is reported, not followed.
"""

from __future__ import annotations

import functools
import os
import stat
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple


class CorpusError(Exception):
    """The corpus folder itself is unusable (missing, a file, unreadable)."""


class FileStat(NamedTuple):
    """A file as the change check sees it (a tuple: 100,000 are made and compared in C at
    every start; as a dataclass, making and comparing them took a fifth of a no-change run)."""

    mtime_ns: int
    size: int


@dataclass(slots=True)
class Scan:
    files: dict[str, FileStat] = field(default_factory=dict)
    #: path (relative, "/"-separated) -> why it could not be looked at
    problems: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Changes:
    added: list[str]
    changed: list[str]
    removed: list[str]

    def __bool__(self) -> bool:
        return bool(self.added or self.changed or self.removed)

    @property
    def total(self) -> int:
        return len(self.added) + len(self.changed) + len(self.removed)


def check_corpus(root: Path) -> Path:
    """The resolved corpus folder, or CorpusError with a one-line reason."""
    root = Path(root).expanduser()
    if not root.exists():
        raise CorpusError(f"{root}: no such folder")
    if not root.is_dir():
        raise CorpusError(f"{root}: not a folder")
    if not os.access(root, os.R_OK | os.X_OK):
        raise CorpusError(f"{root}: permission denied")
    return root.resolve()


def rel_name(rel: str) -> str:
    """A relative path as text that can be shown and stored (undecodable bytes escaped)."""
    return rel.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


#: FileStat made in C (namedtuple's __new__ is Python: a tenth of a scan of 100,000 files).
_filestat = functools.partial(tuple.__new__, FileStat)
#: Files found between two calls of a scan's ``on_files``.
STEP = 1000


def scan(root: Path, on_files: Callable[[list[tuple[str, FileStat]]], object] | None = None
         ) -> Scan:
    """Every article file under ``root`` with its mtime and size. ``on_files``, if given,
    is called with the files found, a few hundred or thousand at a time, as the scan goes
    (an update starts indexing the changed files it finds before the scan ends)."""
    root = check_corpus(root)
    found: list[tuple[str, FileStat]] = []
    result = Scan()
    seen_dirs: dict[tuple[int, int], str] = {}  # (device, inode) -> the name scanned under
    try:
        top = root.stat()
        seen_dirs[(top.st_dev, top.st_ino)] = ""
    except OSError as exc:
        raise CorpusError(f"{root}: {exc.strerror}") from None
    stack: list[tuple[str, str]] = [(str(root), "")]
    links: list[tuple[str, str]] = []  # links to folders, followed once the rest is scanned
    while stack or links:
        if not stack:
            links.sort(reverse=True)
            path, rel = links.pop()
            try:
                st = os.stat(path)
            except OSError as exc:
                result.problems[rel_name(rel)] = f"cannot be read ({exc.strerror or exc})"
                continue
            key = (st.st_dev, st.st_ino)
            if key in seen_dirs:
                result.problems[rel_name(rel)] = _scanned_already(rel, seen_dirs[key])
                continue
            seen_dirs[key] = rel
            stack.append((path, rel + "/"))
        folder, prefix = stack.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError as exc:
            result.problems[rel_name(prefix.rstrip("/") or ".")] = (
                f"folder cannot be read ({exc.strerror or exc})"
            )
            continue
        for entry in entries:
            name = entry.name
            if name.startswith("."):
                continue
            rel = prefix + name
            try:
                is_dir = entry.is_dir()
                if is_dir:
                    if entry.is_symlink():
                        links.append((entry.path, rel))
                        continue
                    st = entry.stat()
                    key = (st.st_dev, st.st_ino)
                    if key in seen_dirs:  # inside a link's folder, or a bind mount
                        result.problems[rel_name(rel)] = _scanned_already(rel, seen_dirs[key])
                        continue
                    seen_dirs[key] = rel
                    stack.append((entry.path, rel + "/"))
                    continue
                if name[-4:].lower() != ".txt":  # an article is a *.txt file (not hidden)
                    continue
                st = entry.stat()
            except FileNotFoundError:
                if entry.is_symlink():
                    result.problems[rel_name(rel)] = "broken symlink"
                continue
            except OSError as exc:
                result.problems[rel_name(rel)] = f"cannot be read ({exc.strerror or exc})"
                continue
            if not stat.S_ISREG(st.st_mode):  # a FIFO or device named *.txt: never opened
                result.problems[rel_name(rel)] = "not a regular file"
                continue
            if not rel.isascii() and rel != rel_name(rel):
                result.problems[rel_name(rel)] = "file name is not valid UTF-8 text"
                continue
            filestat = result.files[rel] = _filestat((st.st_mtime_ns, st.st_size))
            if on_files is not None:
                found.append((rel, filestat))
                if len(found) >= STEP:
                    on_files(found)
                    found = []
        if found and on_files is not None:
            on_files(found)
            found = []
    return result


def _scanned_already(rel: str, scanned: str) -> str:
    """Why the folder at ``rel`` is not scanned: it was, as ``scanned``."""
    if not scanned or rel.startswith(scanned + "/"):
        return "symlink loop (folder already scanned)"
    return f"symlink to a folder scanned as {rel_name(scanned)}"


def diff(current: dict[str, FileStat], known: dict[str, FileStat]) -> Changes:
    """What changed between a fresh scan and what the index holds."""
    if current == known:  # compared in C: the everyday case
        return Changes([], [], [])
    get = known.get
    added = sorted(current.keys() - known.keys())
    changed = sorted(path for path, st in current.items() if get(path, st) != st)
    removed = sorted(known.keys() - current.keys())
    return Changes(added, changed, removed)
