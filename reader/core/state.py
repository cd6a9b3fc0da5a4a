"""What the reader did: read marks, stars and view settings, in SQLite in the user data dir.

Keyed by corpus (its resolved path) and article path, with each article's content hash so
marks follow a renamed file or a corpus moved to another folder. Every mark is committed
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
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from .paths import state_db

SCHEMA = """
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
"""
SCHEMA_VERSION = 1
BUSY_TIMEOUT_MS = 5000
#: Words in SQLite's messages that mean the file itself is damaged (not busy, not unwritable).
_DAMAGE_WORDS = ("not a database", "malformed", "corrupt", "file is encrypted")


class _NewerSchema(sqlite3.DatabaseError):
    """The database was made by a newer reader: leave it alone rather than call it damaged."""


def _guarded(default: Callable[[], object]):
    """Run a store method under its lock; an SQLite error becomes a notice and ``default()``.

    A mark that cannot be saved must not take the app down with it.
    """

    def wrap(method):
        @functools.wraps(method)
        def run(self: StateStore, *args, **kwargs):
            with self._lock:
                try:
                    return method(self, *args, **kwargs)
                except sqlite3.Error as exc:
                    self._problem(exc)
                    return default()

        return run

    return wrap


#: The corpus key of settings kept for every corpus (a resolved path never looks like it).
EVERY_CORPUS = "*"
_VIEW_ROW = "SELECT value FROM views WHERE corpus = ? AND key = ?"


def peek_shared(key: str, db_path: Path | None = None):
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


class StateStore:
    """Read marks, stars and view settings of one corpus.

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

    def __exit__(self, *exc) -> None:
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
                db.executescript(f"BEGIN IMMEDIATE; {SCHEMA} "
                                 f"PRAGMA user_version = {SCHEMA_VERSION}; COMMIT;")
            # Damage inside the file (not just in its header) shows here, not at the first mark.
            check = db.execute("PRAGMA quick_check").fetchone()
            if not check or check[0] != "ok":
                raise sqlite3.DatabaseError(f"database disk image is malformed ({check})")
        except BaseException:
            db.close()
            raise
        return db

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

    # --- views -----------------------------------------------------------------------------

    @_guarded(lambda: None)
    def _view_row(self, key: str):
        return self.db.execute(_VIEW_ROW, (self.corpus, key)).fetchone()

    def get_view(self, key: str, default=None):
        """A view setting (any JSON value) as last saved for this corpus, else ``default``."""
        row = self._view_row(key)
        if row is None:
            return default
        try:
            return json.loads(row[0])
        except ValueError:
            return default

    @_guarded(lambda: None)
    def set_view(self, key: str, value, *, every_corpus: bool = False) -> None:
        """Save a view setting for this corpus, or with ``every_corpus`` for all of them
        (the theme: see ``peek_shared``)."""
        self.db.execute(
            "INSERT OR REPLACE INTO views (corpus, key, value) VALUES (?, ?, ?)",
            (EVERY_CORPUS if every_corpus else self.corpus, key, json.dumps(value)),
        )

    # --- following moved files -------------------------------------------------------------

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[None]:
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    @_guarded(bool)
    def needs_reconcile(self, current: Iterable[str]) -> bool:
        """Whether ``reconcile`` has work: a marked path is gone or has no hash yet, or this
        corpus has no marks while another does (it may have moved). Reads no file."""
        marked = self.db.execute(
            "SELECT path, hash FROM marks WHERE corpus = ? AND (read = 1 OR starred = 1)",
            (self.corpus,)).fetchall()
        if marked:
            current = set(current)
            return any(path not in current or not hash_ for path, hash_ in marked)
        if self.db.execute("SELECT 1 FROM marks WHERE corpus = ? LIMIT 1",
                           (self.corpus,)).fetchone():
            return False
        return self.db.execute(
            "SELECT 1 FROM marks WHERE corpus != ? AND hash IS NOT NULL "
            "AND (read = 1 OR starred = 1) LIMIT 1", (self.corpus,)).fetchone() is not None

    @_guarded(int)
    def reconcile(self, hashes: dict[str, str]) -> int:
        """Carry marks to paths that hold the same content under a new name or folder.

        ``hashes`` maps every current path of the corpus to its content hash. A mark whose
        path is gone moves to a current, unmarked path with the same hash (a rename). A
        corpus with no marks at all adopts copies of the marks other corpora hold for the
        same content (a moved corpus). Marks of paths still present get their hash brought
        up to date, so they can be followed later. Returns how many marks moved or came.
        """
        with self._transaction():
            rows = self.db.execute(
                "SELECT path, hash, read, starred FROM marks WHERE corpus = ?", (self.corpus,)
            ).fetchall()
            if not rows:
                return self._adopt(hashes)
            mine = {path: (hash_, read or starred) for path, hash_, read, starred in rows}
            free: dict[str, list[str]] = {}
            for path in sorted(hashes):
                if hashes[path] and path not in mine:
                    free.setdefault(hashes[path], []).append(path)
            moves, refresh = [], []
            for path, (hash_, marked) in sorted(mine.items()):
                if path in hashes:
                    if hashes[path] and hashes[path] != hash_:
                        refresh.append((hashes[path], self.corpus, path))
                elif marked and free.get(hash_):
                    moves.append((free[hash_].pop(0), time.time(), self.corpus, path))
            self.db.executemany("UPDATE marks SET hash = ? WHERE corpus = ? AND path = ?",
                                refresh)
            self.db.executemany(
                "UPDATE OR IGNORE marks SET path = ?, changed = ? WHERE corpus = ? AND path = ?",
                moves)
            return len(moves)

    def _adopt(self, hashes: dict[str, str]) -> int:
        """Copy in other corpora's marks for this corpus's content; a mark under the same
        relative path wins over one found by hash alone, and a later one over an earlier."""
        by_hash: dict[str, tuple[int, int]] = {}
        by_path: dict[tuple[str, str], tuple[int, int]] = {}
        rows = self.db.execute(
            "SELECT path, hash, read, starred FROM marks WHERE corpus != ? AND hash IS NOT NULL "
            "AND (read = 1 OR starred = 1) ORDER BY changed", (self.corpus,))
        for path, hash_, read, starred in rows:
            by_hash[hash_] = by_path[(path, hash_)] = (read, starred)
        now = time.time()
        adopted = []
        for path, hash_ in sorted(hashes.items()):
            mark = by_path.get((path, hash_)) or by_hash.get(hash_)
            if hash_ and mark:
                adopted.append((self.corpus, path, hash_, *mark, now))
        self.db.executemany(
            "INSERT OR IGNORE INTO marks (corpus, path, hash, read, starred, changed) "
            "VALUES (?, ?, ?, ?, ?, ?)", adopted)
        return len(adopted)

    @_guarded(lambda: None)
    def forget(self, paths: Iterable[str]) -> None:
        """Drop the marks of articles that are gone for good."""
        with self._transaction():
            self.db.executemany("DELETE FROM marks WHERE corpus = ? AND path = ?",
                                [(self.corpus, p) for p in paths])
