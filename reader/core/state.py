"""What the reader did, in SQLite in the user data dir: read marks, stars, tags, where each
article was left, the session at quit, search history, saved searches and view settings.

Keyed by corpus (its resolved path) and article path, with each article's content hash so
marks and tags follow a renamed file or a corpus moved to another folder. Every mark is committed
on its own (WAL mode), so a killed app loses at most the mark it was writing, and two
instances can write at once. A damaged database is set aside, not lost, and started anew;
a place that cannot be written means a session kept in memory. None of this ever raises
into the app: problems become lines in ``notices``.
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import json
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Concatenate, ParamSpec, TypeVar

from .paths import state_db

#: Each version's additions, applied in order to bring an older file up to date; nothing
#: an older version made is changed or dropped.
MIGRATIONS = {
    1: """
CREATE TABLE IF NOT EXISTS marks (
    corpus TEXT NOT NULL,
    path TEXT NOT NULL,
    hash TEXT,
    read INTEGER NOT NULL DEFAULT 0,
    starred INTEGER NOT NULL DEFAULT 0,
    changed REAL NOT NULL,
    PRIMARY KEY (corpus, path)
);
CREATE INDEX IF NOT EXISTS marks_hash ON marks (hash);
CREATE TABLE IF NOT EXISTS views (
    corpus TEXT NOT NULL,
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (corpus, key)
);
""",
    2: """
CREATE TABLE IF NOT EXISTS positions (
    corpus TEXT NOT NULL,
    path TEXT NOT NULL,
    hash TEXT,
    body_offset INTEGER NOT NULL,
    fraction REAL NOT NULL,
    changed REAL NOT NULL,
    PRIMARY KEY (corpus, path)
);
CREATE INDEX IF NOT EXISTS positions_hash ON positions (hash);
CREATE INDEX IF NOT EXISTS positions_age ON positions (corpus, changed);
CREATE TABLE IF NOT EXISTS searches (
    corpus TEXT NOT NULL,
    query TEXT NOT NULL,
    used INTEGER NOT NULL,
    PRIMARY KEY (corpus, query)
);
CREATE TABLE IF NOT EXISTS saved_searches (
    corpus TEXT NOT NULL,
    name TEXT NOT NULL,
    query TEXT NOT NULL,
    place INTEGER NOT NULL,
    PRIMARY KEY (corpus, name)
);
CREATE TABLE IF NOT EXISTS tags (
    corpus TEXT NOT NULL,
    path TEXT NOT NULL,
    hash TEXT,
    tag TEXT NOT NULL,
    PRIMARY KEY (corpus, path, tag)
);
CREATE INDEX IF NOT EXISTS tags_by_tag ON tags (corpus, tag);
CREATE INDEX IF NOT EXISTS tags_hash ON tags (hash);
""",
}
SCHEMA_VERSION = max(MIGRATIONS)
#: Queries kept in each corpus's search history, and reading positions.
HISTORY_KEPT = 200
POSITIONS_KEPT = 5000
#: The list pane's share of the width, in percent (the article pane has the rest).
DEFAULT_SPLIT = 50
SPLIT_RANGE = (20, 80)
BUSY_TIMEOUT_MS = 5000
#: Words in SQLite's messages that mean the file itself is damaged (not busy, not unwritable).
_DAMAGE_WORDS = ("not a database", "malformed", "corrupt", "file is encrypted")


class _NewerSchema(sqlite3.DatabaseError):
    """The database was made by a newer reader: leave it alone rather than call it damaged."""


_P = ParamSpec("_P")
_R = TypeVar("_R")
_Method = Callable[Concatenate["StateStore", _P], _R]


def _guarded(default: Callable[[], Any]) -> Callable[[_Method[_P, _R]], _Method[_P, _R]]:
    """Run a store method under its lock; an SQLite error becomes a notice and ``default()``.

    A mark that cannot be saved must not take the app down with it.
    """

    def wrap(method: _Method[_P, _R]) -> _Method[_P, _R]:
        @functools.wraps(method)
        def run(store: StateStore, /, *args: _P.args, **kwargs: _P.kwargs) -> _R:
            with store._lock:
                try:
                    return method(store, *args, **kwargs)
                except sqlite3.Error as exc:
                    store._problem(exc)
                    result: _R = default()
                    return result

        return run

    return wrap


@dataclass(frozen=True, slots=True)
class Position:
    """Where an article was left: the body character at the top of the pane (which does not
    move when the pane is resized; see ``Reflowed.to_body``), and how far down it was."""

    offset: int
    fraction: float


@dataclass(frozen=True, slots=True)
class Session:
    """What was on screen at quit: the open article, and the list's highlighted article and
    row (the row serves when that article is gone)."""

    article: str | None = None
    selected: str | None = None
    row: int = 0
    #: The search shown at quit (its results come back), and the result highlighted in it.
    query: str | None = None
    result: str | None = None


@dataclass(frozen=True, slots=True)
class SavedSearch:
    name: str
    query: str


def normalize_tag(tag: str) -> str | None:
    """A tag as it is kept and searched (``tags:`` matches lower case, commas separate
    tags); None when nothing is left of it."""
    text = " ".join(tag.replace(",", " ").split()).lower()
    return text or None


def normalize_query(query: str) -> str:
    return " ".join(query.split())


def clamp_split(value: object) -> int:
    """A saved split as a usable percentage; anything else is the default."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        low, high = SPLIT_RANGE
        return max(low, min(high, round(value)))
    return DEFAULT_SPLIT


#: The corpus key of settings kept for every corpus (a resolved path never looks like it).
EVERY_CORPUS = "*"
_VIEW_ROW = "SELECT value FROM views WHERE corpus = ? AND key = ?"


def peek_shared(key: str, db_path: Path | None = None) -> Any:
    """A setting kept for every corpus, read at start before the first frame (the store
    itself opens in a thread): one query on the file opened read-only. None if there is no
    such setting, or no file, or it cannot be read (the store will say why, once open)."""
    path = Path(db_path) if db_path else state_db()
    if not path.is_file():
        return None
    try:
        uri = path.resolve().as_uri() + "?mode=ro"
        with contextlib.closing(sqlite3.connect(uri, uri=True, timeout=0.2)) as db:
            row = db.execute(_VIEW_ROW, (EVERY_CORPUS, key)).fetchone()
        return json.loads(row[0]) if row else None
    except (sqlite3.Error, ValueError, OSError):
        return None


def peek_split(db_path: Path | None = None) -> int:
    """The split last chosen (for every corpus), read before the first frame."""
    return clamp_split(peek_shared("split", db_path))


class StateStore:
    """What the reader did in one corpus.

    One connection, shared by the app's threads under a lock; other processes (a second
    instance) coordinate through SQLite's own locking, waiting up to ``BUSY_TIMEOUT_MS``.
    """

    def __init__(self, corpus: Path, db_path: Path | None = None) -> None:
        self.corpus = str(Path(corpus).expanduser().resolve())
        self.path = Path(db_path) if db_path else state_db()
        self.notices: list[str] = []
        self.in_memory = False
        self._lock = threading.RLock()
        self.db = self._connect()

    def __enter__(self) -> StateStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- opening ---------------------------------------------------------------------------

    def _connect(self) -> sqlite3.Connection:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self._open_lock():
                return self._open_or_replace()
        except _NewerSchema:
            return self._memory(f"{self.path} was made by a newer version of reader "
                                "and is left as it is")
        except sqlite3.Error as exc:
            return self._memory(f"{self.path} cannot be used ({exc})")
        except OSError as exc:
            return self._memory(f"{self.path.parent} cannot be written ({exc.strerror or exc})")

    @contextlib.contextmanager
    def _open_lock(self) -> Iterator[None]:
        """Instances open (and set aside a damaged file) one at a time, so that one never
        renames away the fresh database another has just made. The OS drops it if we die."""
        with open(Path(f"{self.path}.lock"), "a+b") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            yield

    def _open_or_replace(self) -> sqlite3.Connection:
        try:
            return self._open(str(self.path))
        except _NewerSchema:
            raise
        except sqlite3.DatabaseError as exc:
            if not any(word in str(exc).lower() for word in _DAMAGE_WORDS):
                raise
        backup = self._set_aside()
        self.notices.append(
            f"The reading history was damaged; it was kept as {backup} and a new one started."
        )
        return self._open(str(self.path))

    def _open(self, target: str) -> sqlite3.Connection:
        db = sqlite3.connect(target, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None,
                             check_same_thread=False)
        try:
            db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            if target != ":memory:":
                db.execute("PRAGMA journal_mode = WAL")
            # In WAL mode NORMAL loses nothing committed when the app is killed; only a power
            # cut can take back the last few marks. FULL would fsync on every keypress.
            db.execute("PRAGMA synchronous = NORMAL")
            version = db.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                raise _NewerSchema(f"schema version {version}")
            if version < SCHEMA_VERSION:
                self._migrate(db, version)
            # Damage inside the file (not just in its header) shows here, not at the first mark.
            check = db.execute("PRAGMA quick_check").fetchone()
            if not check or check[0] != "ok":
                raise sqlite3.DatabaseError(f"database disk image is malformed ({check})")
        except BaseException:
            db.close()
            raise
        return db

    @staticmethod
    def _migrate(db: sqlite3.Connection, version: int) -> None:
        """Bring a file from ``version`` to ``SCHEMA_VERSION`` in one transaction: a crash
        half way leaves the old version, whole."""
        steps = "".join(MIGRATIONS[number] for number in sorted(MIGRATIONS) if number > version)
        db.executescript(f"BEGIN IMMEDIATE; {steps} PRAGMA user_version = {SCHEMA_VERSION}; "
                         "COMMIT;")

    def _set_aside(self) -> Path:
        stamp = time.strftime("%Y%m%d-%H%M%S", time.gmtime())
        backup = self.path.with_name(f"{self.path.name}.corrupt-{stamp}")
        n = 1
        while backup.exists():
            n += 1
            backup = self.path.with_name(f"{self.path.name}.corrupt-{stamp}-{n}")
        for suffix in ("", "-wal", "-shm"):
            with contextlib.suppress(FileNotFoundError):
                Path(f"{self.path}{suffix}").rename(Path(f"{backup}{suffix}"))
        return backup

    def _memory(self, why: str) -> sqlite3.Connection:
        self.notices.append(f"Reading history is kept in memory only: {why}.")
        self.in_memory = True
        return self._open(":memory:")

    def _problem(self, exc: sqlite3.Error) -> None:
        notice = f"Reading history could not be used: {exc}."
        if notice not in self.notices:
            self.notices.append(notice)

    def close(self) -> None:
        with self._lock:
            self.db.close()

    # --- marks -----------------------------------------------------------------------------

    def _set(self, path: str, column: str, value: bool, content_hash: str | None) -> None:
        self.db.execute(
            f"""INSERT INTO marks (corpus, path, hash, {column}, changed) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT (corpus, path) DO UPDATE SET {column} = excluded.{column},
                hash = coalesce(excluded.hash, hash), changed = excluded.changed""",
            (self.corpus, path, content_hash, int(value), time.time()),
        )

    def _paths(self, column: str) -> set[str]:
        rows = self.db.execute(f"SELECT path FROM marks WHERE corpus = ? AND {column} = 1",
                               (self.corpus,))
        return {row[0] for row in rows}

    def _get(self, path: str, column: str) -> bool:
        row = self.db.execute(f"SELECT {column} FROM marks WHERE corpus = ? AND path = ?",
                              (self.corpus, path)).fetchone()
        return bool(row and row[0])

    @_guarded(set)
    def read_paths(self) -> set[str]:
        return self._paths("read")

    @_guarded(set)
    def starred_paths(self) -> set[str]:
        return self._paths("starred")

    @_guarded(bool)
    def is_read(self, path: str) -> bool:
        return self._get(path, "read")

    @_guarded(bool)
    def is_starred(self, path: str) -> bool:
        return self._get(path, "starred")

    @_guarded(lambda: None)
    def set_read(self, path: str, read: bool = True, content_hash: str | None = None) -> None:
        """Pass the article's content hash when known: it is what finds the mark after a move."""
        self._set(path, "read", read, content_hash)

    @_guarded(lambda: None)
    def set_starred(self, path: str, starred: bool = True, content_hash: str | None = None) -> None:
        self._set(path, "starred", starred, content_hash)

    @_guarded(bool)
    def toggle_read(self, path: str, content_hash: str | None = None) -> bool:
        read = not self._get(path, "read")
        self._set(path, "read", read, content_hash)
        return read

    @_guarded(bool)
    def toggle_star(self, path: str, content_hash: str | None = None) -> bool:
        starred = not self._get(path, "starred")
        self._set(path, "starred", starred, content_hash)
        return starred

    @_guarded(dict)
    def set_read_many(self, articles: Mapping[str, str | None] | Iterable[str],
                      read: bool = True) -> dict[str, bool]:
        """Mark many articles read (or unread) in one transaction: all or none are saved.

        ``articles`` is paths, or paths with their content hashes. Returns what each changed
        article was before (path: read), which ``restore_read`` takes to undo it.
        """
        hashes = articles if isinstance(articles, Mapping) else dict.fromkeys(articles)
        with self._transaction():
            before = dict(self.db.execute("SELECT path, read FROM marks WHERE corpus = ?",
                                          (self.corpus,)).fetchall())
            changed = {path: bool(before.get(path)) for path in hashes
                       if bool(before.get(path)) != read}
            now = time.time()
            self.db.executemany(
                """INSERT INTO marks (corpus, path, hash, read, changed) VALUES (?, ?, ?, ?, ?)
                   ON CONFLICT (corpus, path) DO UPDATE SET read = excluded.read,
                   hash = coalesce(excluded.hash, hash), changed = excluded.changed""",
                [(self.corpus, path, hashes[path], int(read), now) for path in changed])
        return changed

    @_guarded(lambda: None)
    def restore_read(self, before: Mapping[str, bool]) -> None:
        """Undo ``set_read_many``: each article read or unread as it was, in one transaction."""
        with self._transaction():
            now = time.time()
            self.db.executemany(
                """INSERT INTO marks (corpus, path, read, changed) VALUES (?, ?, ?, ?)
                   ON CONFLICT (corpus, path) DO UPDATE SET read = excluded.read,
                   changed = excluded.changed""",
                [(self.corpus, path, int(read), now) for path, read in before.items()])

    # --- views -----------------------------------------------------------------------------

    @_guarded(lambda: None)
    def _view_row(self, key: str) -> tuple[str] | None:
        row: tuple[str] | None = self.db.execute(_VIEW_ROW, (self.corpus, key)).fetchone()
        return row

    def get_view(self, key: str, default: Any = None) -> Any:
        """A view setting (any JSON value) as last saved for this corpus, else ``default``."""
        row = self._view_row(key)
        if row is None:
            return default
        try:
            return json.loads(row[0])
        except ValueError:
            return default

    @_guarded(lambda: None)
    def set_view(self, key: str, value: object, *, every_corpus: bool = False) -> None:
        """Save a view setting for this corpus, or with ``every_corpus`` for all of them
        (the theme: see ``peek_shared``)."""
        self.db.execute(
            "INSERT OR REPLACE INTO views (corpus, key, value) VALUES (?, ?, ?)",
            (EVERY_CORPUS if every_corpus else self.corpus, key, json.dumps(value)),
        )

    def split(self) -> int:
        """The list pane's share of the width in percent, as last chosen in any corpus."""
        return clamp_split(self._shared("split"))

    def set_split(self, percent: float) -> int:
        """Keep the split for the next start (for every corpus: it suits the terminal, not
        the folder); returns it as kept, within ``SPLIT_RANGE``."""
        kept = clamp_split(percent)
        self.set_view("split", kept, every_corpus=True)
        return kept

    @_guarded(lambda: None)
    def _shared(self, key: str) -> Any:
        row = self.db.execute(_VIEW_ROW, (EVERY_CORPUS, key)).fetchone()
        try:
            return json.loads(row[0]) if row else None
        except ValueError:
            return None

    # --- where reading was left ------------------------------------------------------------

    @_guarded(lambda: None)
    def set_position(self, path: str, offset: int, fraction: float,
                     content_hash: str | None = None) -> None:
        """Keep where ``path`` was left; the oldest beyond ``POSITIONS_KEPT`` are let go."""
        self.db.execute(
            "INSERT OR REPLACE INTO positions (corpus, path, hash, body_offset, fraction, changed)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (self.corpus, path, content_hash, max(0, int(offset)),
             min(1.0, max(0.0, float(fraction))), time.time()))
        self.db.execute(
            "DELETE FROM positions WHERE corpus = ? AND changed < (SELECT changed FROM positions"
            " WHERE corpus = ? ORDER BY changed DESC LIMIT 1 OFFSET ?)",
            (self.corpus, self.corpus, POSITIONS_KEPT - 1))

    @_guarded(lambda: None)
    def position(self, path: str, content_hash: str | None = None) -> Position | None:
        """Where ``path`` was left; found by its content when it was renamed since. None when
        it was never left part-read, or its content changed since (that position is gone)."""
        row = self.db.execute(
            "SELECT hash, body_offset, fraction FROM positions WHERE corpus = ? AND path = ?",
            (self.corpus, path)).fetchone()
        if row is None and content_hash:
            row = self.db.execute(
                "SELECT hash, body_offset, fraction FROM positions WHERE corpus = ? AND hash = ?"
                " ORDER BY changed DESC LIMIT 1", (self.corpus, content_hash)).fetchone()
        if row is None:
            return None
        kept_hash, offset, fraction = row
        if content_hash and kept_hash and kept_hash != content_hash:
            self.db.execute("DELETE FROM positions WHERE corpus = ? AND path = ?",
                            (self.corpus, path))
            return None
        return Position(int(offset), float(fraction))

    @_guarded(lambda: None)
    def forget_position(self, path: str) -> None:
        """Read to the end: the article opens at its top again."""
        self.db.execute("DELETE FROM positions WHERE corpus = ? AND path = ?",
                        (self.corpus, path))

    def save_session(self, session: Session) -> None:
        self.set_view("session", {"article": session.article, "selected": session.selected,
                                  "row": session.row, "query": session.query,
                                  "result": session.result})

    def session(self) -> Session | None:
        """The open article and the list's place at the last quit in this corpus."""
        value = self.get_view("session")
        if not isinstance(value, dict):
            return None
        article, selected, row = value.get("article"), value.get("selected"), value.get("row")
        query, result = value.get("query"), value.get("result")
        return Session(article if isinstance(article, str) else None,
                       selected if isinstance(selected, str) else None,
                       row if isinstance(row, int) and not isinstance(row, bool) and row >= 0
                       else 0,
                       query if isinstance(query, str) and query.strip() else None,
                       result if isinstance(result, str) else None)

    # --- searches --------------------------------------------------------------------------

    @_guarded(lambda: None)
    def add_search(self, query: str) -> None:
        """Put ``query`` first in the history (once: an older use of it is moved, not kept
        twice); the history keeps the latest ``HISTORY_KEPT``."""
        query = normalize_query(query)
        if not query:
            return
        with self._transaction():
            self.db.execute(
                "INSERT OR REPLACE INTO searches (corpus, query, used) VALUES (?, ?, (SELECT "
                "coalesce(max(used), 0) + 1 FROM searches WHERE corpus = ?))",
                (self.corpus, query, self.corpus))
            self.db.execute(
                "DELETE FROM searches WHERE corpus = ? AND used <= (SELECT used FROM searches "
                "WHERE corpus = ? ORDER BY used DESC LIMIT 1 OFFSET ?)",
                (self.corpus, self.corpus, HISTORY_KEPT))

    @_guarded(list)
    def search_history(self, limit: int | None = None) -> list[str]:
        """Past queries, the most recent first."""
        rows = self.db.execute(
            "SELECT query FROM searches WHERE corpus = ? ORDER BY used DESC LIMIT ?",
            (self.corpus, -1 if limit is None else limit))
        return [row[0] for row in rows]

    @_guarded(lambda: None)
    def forget_search(self, query: str) -> None:
        self.db.execute("DELETE FROM searches WHERE corpus = ? AND query = ?",
                        (self.corpus, normalize_query(query)))

    @_guarded(bool)
    def save_search(self, name: str, query: str) -> bool:
        """Save ``query`` as ``name``: a new name goes last, a saved one keeps its place and
        takes the new query. False (and nothing saved) for an empty name or query."""
        name, query = " ".join(name.split()), normalize_query(query)
        if not name or not query:
            return False
        self.db.execute(
            "INSERT INTO saved_searches (corpus, name, query, place) VALUES (?, ?, ?, (SELECT "
            "coalesce(max(place), 0) + 1 FROM saved_searches WHERE corpus = ?)) "
            "ON CONFLICT (corpus, name) DO UPDATE SET query = excluded.query",
            (self.corpus, name, query, self.corpus))
        return True

    @_guarded(list)
    def saved_searches(self) -> list[SavedSearch]:
        rows = self.db.execute(
            "SELECT name, query FROM saved_searches WHERE corpus = ? ORDER BY place",
            (self.corpus,))
        return [SavedSearch(name, query) for name, query in rows]

    @_guarded(bool)
    def remove_saved_search(self, name: str) -> bool:
        cursor = self.db.execute("DELETE FROM saved_searches WHERE corpus = ? AND name = ?",
                                 (self.corpus, name))
        return cursor.rowcount > 0

    @_guarded(bool)
    def rename_saved_search(self, name: str, new_name: str) -> bool:
        """False when there is no ``name``, or ``new_name`` is empty or taken."""
        new_name = " ".join(new_name.split())
        if not new_name:
            return False
        cursor = self.db.execute(
            "UPDATE OR IGNORE saved_searches SET name = ? WHERE corpus = ? AND name = ?",
            (new_name, self.corpus, name))
        return cursor.rowcount > 0

    @_guarded(bool)
    def move_saved_search(self, name: str, place: int) -> bool:
        """Put saved search ``name`` at ``place`` (from 0; past the end is last)."""
        with self._transaction():
            names = [row[0] for row in self.db.execute(
                "SELECT name FROM saved_searches WHERE corpus = ? ORDER BY place",
                (self.corpus,))]
            if name not in names:
                return False
            names.remove(name)
            names.insert(max(0, place), name)
            self.db.executemany(
                "UPDATE saved_searches SET place = ? WHERE corpus = ? AND name = ?",
                [(number, self.corpus, each) for number, each in enumerate(names, 1)])
        return True

    # --- tags ------------------------------------------------------------------------------

    @_guarded(lambda: None)
    def add_tag(self, path: str, tag: str, content_hash: str | None = None) -> str | None:
        """Tag an article; returns the tag as kept (see ``normalize_tag``), None for none."""
        kept = normalize_tag(tag)
        if kept is None:
            return None
        with self._transaction():
            if content_hash:  # every tag of the article follows it by the same content
                self.db.execute("UPDATE tags SET hash = ? WHERE corpus = ? AND path = ?",
                                (content_hash, self.corpus, path))
            self.db.execute(
                "INSERT OR IGNORE INTO tags (corpus, path, hash, tag) VALUES (?, ?, coalesce(?, "
                "(SELECT max(hash) FROM tags WHERE corpus = ? AND path = ?)), ?)",
                (self.corpus, path, content_hash, self.corpus, path, kept))
        return kept

    @_guarded(bool)
    def remove_tag(self, path: str, tag: str) -> bool:
        cursor = self.db.execute("DELETE FROM tags WHERE corpus = ? AND path = ? AND tag = ?",
                                 (self.corpus, path, normalize_tag(tag) or ""))
        return cursor.rowcount > 0

    @_guarded(list)
    def tags_of(self, path: str) -> list[str]:
        rows = self.db.execute("SELECT tag FROM tags WHERE corpus = ? AND path = ? ORDER BY tag",
                               (self.corpus, path))
        return [row[0] for row in rows]

    @_guarded(set)
    def paths_tagged(self, tag: str) -> set[str]:
        """The articles with ``tag`` (any spelling ``normalize_tag`` makes the same)."""
        rows = self.db.execute("SELECT path FROM tags WHERE corpus = ? AND tag = ?",
                               (self.corpus, normalize_tag(tag) or ""))
        return {row[0] for row in rows}

    @_guarded(dict)
    def tag_counts(self) -> dict[str, int]:
        """Every tag in this corpus and how many articles have it, by name."""
        rows = self.db.execute(
            "SELECT tag, count(*) FROM tags WHERE corpus = ? GROUP BY tag ORDER BY tag",
            (self.corpus,))
        return {tag: count for tag, count in rows}

    @_guarded(dict)
    def tags_by_path(self) -> dict[str, list[str]]:
        """Every tagged article's tags, for drawing the list or exporting it."""
        tags: dict[str, list[str]] = {}
        for path, tag in self.db.execute(
                "SELECT path, tag FROM tags WHERE corpus = ? ORDER BY path, tag", (self.corpus,)):
            tags.setdefault(path, []).append(tag)
        return tags

    # --- following moved files -------------------------------------------------------------

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[None]:
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            if self.db.in_transaction:  # SQLite itself rolls back on some errors (disk full)
                self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    @_guarded(bool)
    def needs_reconcile(self, current: Iterable[str]) -> bool:
        """Whether ``reconcile`` has work: a marked or tagged path is gone or has no hash
        yet, or this corpus has no marks or tags while another does (it may have moved).
        Reads no file."""
        kept = self.db.execute(
            "SELECT path, hash FROM marks WHERE corpus = ? AND (read = 1 OR starred = 1) "
            "UNION SELECT path, hash FROM tags WHERE corpus = ?",
            (self.corpus, self.corpus)).fetchall()
        if kept:
            present = set(current)
            return any(path not in present or not hash_ for path, hash_ in kept)
        if self.db.execute("SELECT 1 FROM marks WHERE corpus = ? LIMIT 1",
                           (self.corpus,)).fetchone():
            return False
        return self.db.execute(
            "SELECT 1 FROM marks WHERE corpus != ? AND hash IS NOT NULL "
            "AND (read = 1 OR starred = 1) UNION ALL SELECT 1 FROM tags WHERE corpus != ? "
            "AND hash IS NOT NULL LIMIT 1", (self.corpus, self.corpus)).fetchone() is not None

    @_guarded(int)
    def reconcile(self, hashes: dict[str, str]) -> int:
        """Carry marks and tags to paths that hold the same content under a new name or folder.

        ``hashes`` maps every current path of the corpus to its content hash. A mark whose
        path is gone moves to a current, unmarked path with the same hash (a rename); tags
        likewise. A corpus with no marks and no tags at all adopts copies of the ones other
        corpora hold for the same content (a moved corpus). Those of paths still present get
        their hash brought up to date, so they can be followed later. Returns how many
        articles' marks or tags moved or came.
        """
        with self._transaction():
            rows = self.db.execute(
                "SELECT path, hash, read, starred FROM marks WHERE corpus = ?", (self.corpus,)
            ).fetchall()
            tagged = dict(self.db.execute(
                "SELECT path, max(hash) FROM tags WHERE corpus = ? GROUP BY path",
                (self.corpus,)).fetchall())
            if not rows and not tagged:
                return self._adopt(hashes)
            mine = {path: (hash_, read or starred) for path, hash_, read, starred in rows}
            moved = self._follow("marks", hashes, {p: h for p, (h, marked) in mine.items()},
                                 {p for p, (_, marked) in mine.items() if marked})
            return moved + self._follow("tags", hashes, tagged, set(tagged))

    def _follow(self, table: str, hashes: dict[str, str], kept: dict[str, str | None],
                worth_moving: set[str]) -> int:
        """Move ``table``'s rows of gone paths in ``worth_moving`` to a current path of the
        same content that has none; bring the hashes of present paths up to date."""
        free: dict[str, list[str]] = {}
        for path in sorted(hashes):
            if hashes[path] and path not in kept:
                free.setdefault(hashes[path], []).append(path)
        moves: list[tuple[str, str, str]] = []
        refresh: list[tuple[str, str, str]] = []
        for path, hash_ in sorted(kept.items()):
            if path in hashes:
                if hashes[path] and hashes[path] != hash_:
                    refresh.append((hashes[path], self.corpus, path))
            elif path in worth_moving and hash_ and free.get(hash_):
                moves.append((free[hash_].pop(0), self.corpus, path))
        self.db.executemany(f"UPDATE {table} SET hash = ? WHERE corpus = ? AND path = ?",
                            refresh)
        if table == "marks":
            self.db.executemany(
                "UPDATE OR IGNORE marks SET path = ?, changed = ? WHERE corpus = ? AND path = ?",
                [(new, time.time(), corpus, old) for new, corpus, old in moves])
        else:
            self.db.executemany(
                f"UPDATE OR IGNORE {table} SET path = ? WHERE corpus = ? AND path = ?", moves)
        return len(moves)

    def _adopt(self, hashes: dict[str, str]) -> int:
        """Copy in other corpora's marks and tags for this corpus's content; a mark under the
        same relative path wins over one found by hash alone, and a later one over an
        earlier."""
        by_hash: dict[str, tuple[int, int]] = {}
        by_path: dict[tuple[str, str], tuple[int, int]] = {}
        rows = self.db.execute(
            "SELECT path, hash, read, starred FROM marks WHERE corpus != ? AND hash IS NOT NULL "
            "AND (read = 1 OR starred = 1) ORDER BY changed", (self.corpus,))
        for path, hash_, read, starred in rows:
            by_hash[hash_] = by_path[(path, hash_)] = (read, starred)
        tags_by_hash: dict[str, set[str]] = {}
        tags_by_path: dict[tuple[str, str], set[str]] = {}
        for path, hash_, tag in self.db.execute(
                "SELECT path, hash, tag FROM tags WHERE corpus != ? AND hash IS NOT NULL",
                (self.corpus,)):
            tags_by_hash.setdefault(hash_, set()).add(tag)
            tags_by_path.setdefault((path, hash_), set()).add(tag)
        now = time.time()
        adopted: list[tuple[str, str, str, int, int, float]] = []
        tags: list[tuple[str, str, str, str]] = []
        came: set[str] = set()
        for path, hash_ in sorted(hashes.items()):
            if not hash_:
                continue
            mark = by_path.get((path, hash_)) or by_hash.get(hash_)
            if mark:
                adopted.append((self.corpus, path, hash_, *mark, now))
                came.add(path)
            for tag in sorted(tags_by_path.get((path, hash_)) or tags_by_hash.get(hash_, set())):
                tags.append((self.corpus, path, hash_, tag))
                came.add(path)
        self.db.executemany(
            "INSERT OR IGNORE INTO marks (corpus, path, hash, read, starred, changed) "
            "VALUES (?, ?, ?, ?, ?, ?)", adopted)
        self.db.executemany(
            "INSERT OR IGNORE INTO tags (corpus, path, hash, tag) VALUES (?, ?, ?, ?)", tags)
        return len(came)

    @_guarded(lambda: None)
    def forget(self, paths: Iterable[str]) -> None:
        """Drop the marks, tags and reading positions of articles that are gone for good."""
        gone = [(self.corpus, path) for path in paths]
        with self._transaction():
            for table in ("marks", "tags", "positions"):
                self.db.executemany(f"DELETE FROM {table} WHERE corpus = ? AND path = ?", gone)
