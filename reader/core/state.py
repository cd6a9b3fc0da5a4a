"""What the reader did: read marks, stars and view settings, in SQLite in the user data dir.

Keyed by corpus (its resolved path) and article path, with each article's content hash so
marks follow a renamed file or a corpus moved to another folder. Every mark is committed
on its own (WAL mode), so a killed app loses at most the mark it was writing, and two
instances can write at once. A damaged database is set aside, not lost, and started anew.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import time
from collections.abc import Iterable, Iterator
from pathlib import Path

from .articles import content_hash, file_hash  # noqa: F401 - part of this module's API
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


class StateStore:
    """Read marks, stars and view settings of one corpus."""

    def __init__(self, corpus: Path, db_path: Path | None = None) -> None:
        self.corpus = str(Path(corpus).expanduser().resolve())
        self.path = Path(db_path) if db_path else state_db()
        self.notices: list[str] = []
        self.in_memory = False
        self.db = self._connect()

    # --- opening ---------------------------------------------------------------------------

    def _connect(self) -> sqlite3.Connection:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            db = self._open(str(self.path))
        except sqlite3.DatabaseError as exc:
            if self._looks_corrupt(exc):
                backup = self._set_aside()
                self.notices.append(
                    f"The reading history was damaged; it was kept as {backup} and a new one started."
                )
                try:
                    return self._open(str(self.path))
                except (sqlite3.Error, OSError) as again:
                    return self._memory(f"{self.path} cannot be used ({again})")
            return self._memory(f"{self.path} cannot be used ({exc})")
        except OSError as exc:
            return self._memory(f"{self.path.parent} cannot be written ({exc.strerror or exc})")
        return db

    def _open(self, target: str) -> sqlite3.Connection:
        db = sqlite3.connect(target, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None,
                             check_same_thread=False)
        try:
            db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            if target != ":memory:":
                db.execute("PRAGMA journal_mode = WAL")
            db.execute("PRAGMA synchronous = NORMAL")
            version = db.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                raise sqlite3.DatabaseError(f"made by a newer reader (version {version})")
            db.executescript(SCHEMA)
            db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            db.execute("SELECT count(*) FROM marks").fetchone()
        except BaseException:
            db.close()
            raise
        return db

    @staticmethod
    def _looks_corrupt(exc: sqlite3.DatabaseError) -> bool:
        text = str(exc).lower()
        return any(word in text for word in ("not a database", "malformed", "corrupt",
                                              "file is encrypted", "newer reader"))

    def _set_aside(self) -> Path:
        stamp = time.strftime("%Y%m%d-%H%M%S")
        backup = self.path.with_name(f"{self.path.name}.damaged-{stamp}")
        for suffix in ("", "-wal", "-shm"):
            part = Path(str(self.path) + suffix)
            if part.exists():
                os.replace(part, Path(str(backup) + suffix))
        return backup

    def _memory(self, why: str) -> sqlite3.Connection:
        self.notices.append(f"Reading history is kept in memory only: {why}.")
        self.in_memory = True
        return self._open(":memory:")

    def close(self) -> None:
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

    def read_paths(self) -> set[str]:
        return self._paths("read")

    def starred_paths(self) -> set[str]:
        return self._paths("starred")

    def is_read(self, path: str) -> bool:
        return self._get(path, "read")

    def is_starred(self, path: str) -> bool:
        return self._get(path, "starred")

    def set_read(self, path: str, read: bool = True, content_hash: str | None = None) -> None:
        self._set(path, "read", read, content_hash)

    def set_starred(self, path: str, starred: bool = True, content_hash: str | None = None) -> None:
        self._set(path, "starred", starred, content_hash)

    def toggle_read(self, path: str, content_hash: str | None = None) -> bool:
        read = not self.is_read(path)
        self.set_read(path, read, content_hash)
        return read

    def toggle_star(self, path: str, content_hash: str | None = None) -> bool:
        starred = not self.is_starred(path)
        self.set_starred(path, starred, content_hash)
        return starred

    # --- views -----------------------------------------------------------------------------

    def get_view(self, key: str, default=None):
        row = self.db.execute("SELECT value FROM views WHERE corpus = ? AND key = ?",
                              (self.corpus, key)).fetchone()
        if row is None:
            return default
        try:
            return json.loads(row[0])
        except ValueError:
            return default

    def set_view(self, key: str, value) -> None:
        self.db.execute(
            "INSERT OR REPLACE INTO views (corpus, key, value) VALUES (?, ?, ?)",
            (self.corpus, key, json.dumps(value)),
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

    def needs_reconcile(self, current: Iterable[str]) -> bool:
        """True when some marks point at paths that are gone, or this corpus has none yet
        while others do (it may have moved). Cheap: no file is read."""
        marked = self._paths("read") | self._paths("starred")
        if marked:
            return bool(marked - set(current))
        row = self.db.execute("SELECT 1 FROM marks WHERE corpus != ? LIMIT 1",
                              (self.corpus,)).fetchone()
        return row is not None

    def reconcile(self, hashes: dict[str, str]) -> int:
        """Carry marks over to paths that hold the same content under a new name or folder.

        ``hashes`` maps the corpus's current paths to their content hashes. Marks whose
        article is no longer at its path, in this corpus or another (a moved corpus), are
        copied to the current path with the same content. Returns how many were carried.
        """
        known = {row[0] for row in self.db.execute(
            "SELECT path FROM marks WHERE corpus = ?", (self.corpus,))}
        wanted: dict[str, str] = {}
        for path, hash_ in hashes.items():
            if hash_ and path not in known:
                wanted.setdefault(hash_, path)
        if not wanted:
            return 0
        found: dict[str, tuple[float, int, int]] = {}
        hash_list = list(wanted)
        for start in range(0, len(hash_list), 500):
            chunk = hash_list[start : start + 500]
            rows = self.db.execute(
                f"SELECT corpus, path, hash, read, starred, changed FROM marks "
                f"WHERE hash IN ({','.join('?' * len(chunk))}) AND (read = 1 OR starred = 1)",
                chunk,
            )
            for corpus, path, hash_, read, starred, changed in rows:
                if corpus == self.corpus and path in hashes:
                    continue  # that mark belongs to an article that is still there
                if hash_ not in found or changed > found[hash_][0]:
                    found[hash_] = (changed, read, starred)
        with self._transaction():
            for hash_, (_, read, starred) in found.items():
                self.db.execute(
                    """INSERT OR IGNORE INTO marks (corpus, path, hash, read, starred, changed)
                       VALUES (?, ?, ?, ?, ?, ?)""",
                    (self.corpus, wanted[hash_], hash_, read, starred, time.time()),
                )
        return len(found)

    def forget(self, paths: Iterable[str]) -> None:
        """Drop the marks of articles that are gone for good."""
        with self._transaction():
            self.db.executemany("DELETE FROM marks WHERE corpus = ? AND path = ?",
                                [(self.corpus, p) for p in paths])
