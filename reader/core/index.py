"""The Whoosh index of one corpus: schema, opening (and recovering), incremental updates.

Layout of an index folder (in the user cache dir, never in the corpus)::

    meta.json      {"schema": N, "corpus": "/abs/path", "active": "ix-3"}
    update.lock    held (flock), with the folder itself, by whoever is updating; released by
                   the OS on any exit
    ix-3/          the Whoosh index itself (segments written with compound=False)
    ix-3/listing.pickle
                   what the list and the change check need of every article (path, title,
                   section, date, mtime, size, hash), written after each commit and tagged
                   with its generation and count (``reader.core.listing``): its head, the
                   first screen, takes a millisecond to read, the whole list a tenth of a
                   second at 100,000 articles, where unpickling every stored field takes
                   seconds
    ix-3/words/    the words of the articles as written, and the record of their files that
                   each commit writes before its table of contents (``reader.core.words``)
    ix-3/MAIN.tmp/ while a writer runs: its job files, and what each writer process hands in

A missing, corrupt or old-schema index is never fatal: a fresh generation folder is made
and filled, and the reason is kept in ``notices`` for the user. Each commit holds whole
documents, so a process killed at any point leaves an index that is consistent with some
earlier state; the next update brings it level with the corpus. What an update compares
with the folder is what the latest commit holds: a listing or word lists that do not match
it are made again. An update that cannot write (a full disk, a writer process killed)
raises UpdateFailed and leaves the last commit as it was.
"""

from __future__ import annotations

import atexit
import contextlib
import errno
import fcntl
import functools
import json
import operator
import os
import pickle
import re
import shutil
import struct
import tempfile
import threading
import time
import zlib
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from whoosh import index as whoosh_index
from whoosh.codec.whoosh3 import W3Codec
from whoosh.fields import DATETIME, ID, KEYWORD, STORED, TEXT, Schema
from whoosh.filedb.filestore import FileStorage, RamStorage
from whoosh.filedb.filetables import FileFormatError

from . import listing, whoosh_speedups
from .analysis import StemmedText
from .articles import DEFAULT_MAX_BYTES, Article, SkipFile, read_article
from .corpus import Changes, CorpusError, FileStat, check_corpus, diff, scan
from .listing import SCHEMA_VERSION, Entry, Row, newest_first, no_collection
from .paths import default_index_dir
from .words import Lexicon
from .writer import (
    ArticleWriter,
    Batch,
    EarlyStart,
    ParallelWriter,
    Writer,
    WriterFailed,
    WriterSide,
    filed_words,
    written_words,
)

#: Title matches count this much more than body matches (BM25F field boost).
TITLE_BOOST = 3.0
#: Documents per commit in a large update: what a kill can lose, and how often a reader of
#: the index (the app's search) sees progress. Each commit costs a pause of the parallel
#: writer (its processes finish their segments one after the other) and adds segments that
#: every search visits, so commits are few: 20,000 articles take one, 100,000 take four.
BATCH_DOCS = 25_000
#: ... but the first commit of an index that holds nothing yet (a first build, a rebuild)
#: holds only this many: searches find something within seconds of a first start, not
#: once a whole batch is written (40 s for 350 articles under load).
FIRST_BATCH = 500
#: Segments of about the same size are merged once this many have piled up ...
MERGE_FACTOR = 6
#: ... unless together they hold more articles than this: a merge rewrites every posting in
#: one process, at about 100 articles a second, so only the small segments that everyday
#: updates leave are merged; the large ones of a build stay as they are.
MAX_MERGE_DOCS = 2_000
#: Whoosh searchers kept open between searches (one per thread searching at once).
SEARCHERS_KEPT = 4
#: Updates this large use Whoosh's multi-process writer.
PARALLEL_THRESHOLD = 1000
#: An update whose scan has found this many changed files, and at that rate will find
#: PARALLEL_THRESHOLD or more, starts its parallel writer at once and sends it each changed
#: file as the scan finds it (up to a batch). At 100,000 articles the scan takes a second of
#: one core, with the other idle.
STREAM_FROM = 50
#: Writers of up to this many articles (everyday updates, and the merges of their small
#: segments) store posting blocks uncompressed: writing takes 15% less time an article,
#: and their segments are 65% larger (about 20 MB instead of 12 for 1,000 articles of the
#: benchmark corpus). A build compresses.
UNCOMPRESSED_UP_TO = 5_000
EPOCH = datetime(1970, 1, 1)
#: What a write that fails for want of room or of rights raises (not damage to the index).
CANNOT_WRITE = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES, errno.EPERM})

# What a damaged index raises on open or on first read.
INDEX_ERRORS = (
    OSError,
    EOFError,
    pickle.UnpicklingError,
    struct.error,
    ValueError,
    KeyError,
    IndexError,
    TypeError,
    AttributeError,
    whoosh_index.IndexError,
    FileFormatError,  # a segment file whose header is gone or garbage
    zlib.error,
)


class PrivateRamStorage(RamStorage):  # type: ignore[misc]  # (Whoosh has no type hints)
    """An in-memory index whose writers' temp files are private to this process.

    Whoosh's RamStorage puts them in ``/tmp/<index name>.tmp`` ("/tmp/MAIN.tmp" for every
    index), so two processes on the in-memory fallback deleted each other's files."""

    _temp_root: str | None = None

    def temp_storage(self, name: str | None = None) -> Any:
        if self._temp_root is None:
            self._temp_root = tempfile.mkdtemp(prefix="reader-ram-")
            atexit.register(shutil.rmtree, self._temp_root, True)
        folder = os.path.join(self._temp_root, name or f"{os.getpid()}-{id(self)}.tmp")
        return FileStorage(folder).create()


def make_schema() -> Schema:
    return Schema(
        path=ID(stored=True, unique=True),
        # No spelling fields: the words as written are kept by words.py (a third of a build).
        title=StemmedText(stored=True, field_boost=TITLE_BOOST),
        body=StemmedText(),
        section=KEYWORD(lowercase=True, scorable=False),
        section_name=STORED(),
        date=DATETIME(stored=True, sortable=True),
        title_key=ID(sortable=True),
        source=TEXT(stored=True),
        author=TEXT(stored=True),
        tags=KEYWORD(stored=True, lowercase=True, commas=True, scorable=True),
        url=STORED(),
        mtime_ns=STORED(),
        size=STORED(),
        hash=STORED(),
    )


def section_terms(section: str) -> str:
    """``world/europe`` is found by ``section:world`` and ``section:world/europe``."""
    if not section:
        return ""
    parts = [part.replace(" ", "_") for part in section.split("/")]
    return " ".join("/".join(parts[: i + 1]) for i in range(len(parts)))


def document(article: Article) -> dict[str, Any]:
    date = article.date or EPOCH
    return {
        "path": article.path,
        "title": article.title,
        "body": article.body,
        "section": section_terms(article.section),
        "section_name": article.section,
        # Indexed by the day (what date: asks for), stored and sorted to the microsecond.
        # A date to the minute or second is a term of its own at five of a date's eight
        # precisions: ~5 terms an article found in no other, 5% of a build's time.
        "date": date.replace(hour=0, minute=0, second=0, microsecond=0),
        "_stored_date": date,
        "title_key": article.title.casefold()[:120],
        "source": article.source,
        "author": article.author,
        "tags": ",".join(article.tags),
        "url": article.url,
        "mtime_ns": article.mtime_ns,
        "size": article.size,
        "hash": article.hash,
    }


def _row(fields: dict[str, Any]) -> Row:
    return Row(fields.get("title", ""), fields.get("section_name", ""), fields.get("date") or EPOCH,
               fields.get("mtime_ns", 0), fields.get("size", -1), fields.get("hash", ""))


def _row_of(article: Article) -> Row:
    return Row(article.title, article.section, article.date or EPOCH, article.mtime_ns,
               article.size, article.hash)


@dataclass(frozen=True, slots=True)
class ArticleReader:
    """Reads an article file of the corpus at ``root``: its document and its listing row
    (raises SkipFile). What a writer process is given to read the articles named to it."""

    root: Path
    max_bytes: int

    def __call__(self, path: str) -> tuple[dict[str, Any], Row]:
        article = read_article(self.root, path, self.max_bytes)
        return document(article), _row_of(article)


@dataclass(slots=True)
class UpdateReport:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    #: path -> reason, for article files that could not be read (and folders not scanned)
    skipped: dict[str, str] = field(default_factory=dict)
    unchanged: int = 0
    rebuilt: bool = False
    interrupted: bool = False
    seconds: float = 0.0

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.removed)


ProgressFn = Callable[[int, int], None]


class IndexBusy(Exception):
    """Another process is updating this index."""


class UpdateFailed(Exception):
    """The index could not be brought up to date (a full disk, a folder that cannot be
    written, a writer process that died): it keeps its last commit, searchable, and the next
    update that can write does the rest. The message says why, in a line."""

    def __init__(self, cause: str, kept: int) -> None:
        super().__init__(f"cannot update the index: {cause}; it holds {kept:,} articles")
        self.cause = cause
        self.kept = kept


class _CallbackFailed(Exception):
    """What an update's ``progress`` or ``committed`` raised (the reader of our progress went
    away): not a failure to write the index, and raised again as it was."""

    def __init__(self, error: Exception) -> None:
        super().__init__(str(error))
        self.error = error


def _guarded(callback: ProgressFn | None) -> ProgressFn | None:
    if callback is None:
        return None

    def call(done: int, total: int) -> None:
        try:
            callback(done, total)
        except Exception as exc:  # noqa: BLE001 - raised again, whole, by update()
            raise _CallbackFailed(exc) from exc

    return call


class CorpusIndex:
    """One corpus and its index. Open with ``open()``; bring it up to date with ``update()``."""

    def __init__(
        self,
        corpus: Path,
        index_dir: Path | None = None,
        *,
        max_bytes: int = DEFAULT_MAX_BYTES,
    ) -> None:
        self.root = check_corpus(corpus)
        whoosh_speedups.install()
        self.dir = Path(index_dir) if index_dir else default_index_dir(self.root)
        self.max_bytes = max_bytes
        self.schema = make_schema()
        self.notices: list[str] = []
        self.in_memory = False
        #: Why the index on disk can be searched but not updated (None: it can be).
        self.unwritable: str | None = None
        #: Why the index is in memory (a folder that cannot be made or written), if it is.
        self.memory_reason: str | None = None
        self._ix = None
        self._active: str | None = None
        self._idle_searchers: list[Any] = []
        self._pool_lock = threading.Lock()
        self._lexicon: Lexicon | None = None
        #: A rebuild's generation, written into but not yet the one readers use.
        self._switch_pending = False

    # --- opening ---------------------------------------------------------------------------

    @property
    def ix(self) -> Any:
        if self._ix is None:
            self.open()
        return self._ix

    def open(self) -> CorpusIndex:
        """Open the index, making or remaking it when it is missing, old or damaged. An index
        in a folder that cannot be written is opened as it is, to be searched (``unwritable``
        says why it cannot be updated); only where there is none is one made in memory."""
        cannot_write: OSError | None = None
        try:
            self.dir.mkdir(parents=True, exist_ok=True)
            self._check_writable()
        except OSError as exc:
            cannot_write = exc
        meta = self._read_meta()
        active = meta.get("active") if isinstance(meta, dict) else None
        reason = None
        if not meta:
            reason = None if not any(self.dir.glob("ix-*")) else "index metadata missing"
        elif meta.get("schema") != SCHEMA_VERSION:
            reason = "the index format changed"
        elif not isinstance(active, str) or not (self.dir / active).is_dir():
            reason = "index folder missing"
        elif meta.get("damaged"):
            reason = f"the index was damaged ({meta['damaged']})"
        if meta and reason is None and isinstance(active, str):
            try:
                ix = whoosh_index.open_dir(str(self.dir / active))
                with ix.searcher() as searcher:  # touch every segment's files once
                    searcher.doc_count()
                    _check_lengths(searcher.reader())
                self._ix, self._active = ix, active
                if cannot_write is not None:
                    self.unwritable = (f"its folder {self.dir} cannot be written"
                                       f" ({cannot_write.strerror or cannot_write})")
                return self
            except INDEX_ERRORS as exc:
                reason = f"the index was damaged ({type(exc).__name__})"
        if cannot_write is not None:
            return self._open_in_memory(f"the index folder {self.dir} is unusable ({cannot_write})")
        if reason:
            self.notices.append(f"Rebuilding the index: {reason}.")
        try:
            self._create_generation()
        except OSError as exc:
            return self._open_in_memory(f"cannot write the index in {self.dir} ({exc})")
        return self

    def _check_writable(self) -> None:
        probe = self.dir / f".probe-{os.getpid()}"
        probe.write_bytes(b"ok")
        probe.unlink()

    def _open_in_memory(self, why: str) -> CorpusIndex:
        self.notices.append(f"Using a temporary in-memory index: {why}.")
        self.memory_reason = why
        self.in_memory = True
        self.unwritable = None
        self._ix = PrivateRamStorage().create_index(self.schema)
        self._active = None
        return self

    def _read_meta(self) -> dict[str, Any]:
        try:
            meta = json.loads((self.dir / "meta.json").read_text("utf-8"))
        except (OSError, ValueError):
            return {}
        return meta if isinstance(meta, dict) else {}

    def _write_meta(self, active: str, damaged: str | None = None) -> None:
        meta = {"schema": SCHEMA_VERSION, "corpus": str(self.root), "active": active}
        if damaged:
            meta["damaged"] = damaged
        tmp = self.dir / f"meta.json.{os.getpid()}.tmp"
        tmp.write_text(json.dumps(meta, indent=1), "utf-8")
        os.replace(tmp, self.dir / "meta.json")

    def _create_generation(self) -> None:
        with self._update_lock(timeout=30):
            self._create_generation_locked()

    def refresh(self) -> bool:
        """Pick up commits (or a new generation) made by another process. True if changed."""
        if self.in_memory:
            return False
        meta = self._read_meta()
        if meta.get("active") and meta.get("active") != self._active:
            self._ix = None
            self.open()
            return True
        return not self.ix.up_to_date() if self._ix is not None else False

    @contextlib.contextmanager
    def searcher(self) -> Iterator[Any]:
        """A Whoosh searcher on the latest commit, for one thread at a time.

        Searchers are kept open between uses while the index has no new commit: a new one
        reads each segment's stored-field offsets again on its first hit (7 ms a segment at
        100,000, a third of a query). Not Whoosh's ``refresh()``: it keeps a segment's reader
        when the segment's name is the same, deletions or not, so an article changed since
        would be found twice. One that failed is closed, not kept."""
        ix = self.ix
        with self._pool_lock:
            # Every kept searcher of an older commit or of an index opened since goes, not
            # only the one taken: each holds files open that a merge or a rebuild deleted.
            idle, self._idle_searchers = self._idle_searchers, []
            for kept in idle:
                if kept._ix is ix and kept.up_to_date():
                    self._idle_searchers.append(kept)
                else:
                    kept.close()
            kept = self._idle_searchers.pop() if self._idle_searchers else None
        searcher = ix.searcher() if kept is None else kept
        try:
            yield searcher
        except BaseException:
            searcher.close()
            raise
        with self._pool_lock:
            if len(self._idle_searchers) < SEARCHERS_KEPT and ix is self._ix:
                self._idle_searchers.append(searcher)
                return
        searcher.close()

    @property
    def lexicon(self) -> Lexicon:
        """The words of title and body as written, for fuzzy terms, wildcards and "did you
        mean" (words.py); they live in the index's folder, so a rebuild starts them over."""
        _ = self.ix  # opened first: it decides the folder, or that the index is in memory
        folder = None if self.in_memory or not self._active else self.dir / self._active / "words"
        if self._lexicon is None or self._lexicon.folder != folder:
            self._lexicon = Lexicon(folder)
        return self._lexicon

    # --- locking ---------------------------------------------------------------------------

    @contextlib.contextmanager
    def _update_lock(self, timeout: float = 0.0) -> Iterator[None]:
        """One updater per index, across processes; the OS drops the lock if we die. The
        index folder itself is locked: a lock file deleted while held let a second updater
        in. And update.lock in it, where a folder cannot be locked (some network file
        systems), and for readers of older versions."""
        if self.in_memory:
            yield
            return
        folder = os.open(self.dir, os.O_RDONLY | os.O_DIRECTORY)
        try:
            handle = os.open(self.dir / "update.lock", os.O_RDWR | os.O_CREAT, 0o644)
        except OSError:
            os.close(folder)
            raise
        try:
            deadline = time.monotonic() + timeout
            while not _lock_both(folder, handle):
                if time.monotonic() >= deadline:
                    raise IndexBusy(
                        "another reader is updating this index; try again when it is done"
                    ) from None
                time.sleep(0.1)
            yield
        finally:
            os.close(handle)
            os.close(folder)

    # --- reading ---------------------------------------------------------------------------

    def rows(self) -> dict[str, Row]:
        """path -> Row of every indexed article: from the listing when it matches the
        index's latest commit, else from the stored fields (seconds at 100,000)."""
        rows = self._read_listing()
        return rows if rows is not None else self._stored_rows()

    def _stored_rows(self) -> dict[str, Row]:
        with self.ix.searcher() as searcher, no_collection():
            return {fields["path"]: _row(fields) for fields in searcher.all_stored_fields()}

    def known(self) -> dict[str, FileStat]:
        """What the index holds: path -> (mtime, size) as last indexed."""
        return _file_stats(self.rows())

    def entries(self) -> list[Entry]:
        """Every indexed article, newest first, for drawing the list without touching the
        corpus."""
        target = self._listing_file()
        if target is not None:
            entries = listing.read_entries(target, self.ix.latest_generation())
            if entries is not None and len(entries) == self._committed_count():
                return entries
        with no_collection():
            return [Entry(path, row.title, row.section, row.date)
                    for path, row in newest_first(self._stored_rows())]

    def generation(self) -> int:
        """The number of the index's latest commit (what a listing is tagged with)."""
        return -1 if self.in_memory else self.ix.latest_generation()

    def hashes(self) -> dict[str, str]:
        """path -> content hash of every indexed article (to carry marks over moves)."""
        return {path: row.hash for path, row in self.rows().items()}

    # --- the listing -----------------------------------------------------------------------

    def _listing_file(self) -> Path | None:
        if self.in_memory or not self._active:
            return None
        return self.dir / self._active / listing.LISTING_FILE

    def _read_listing(self) -> dict[str, Row] | None:
        """The listing's rows, or None when it is missing, damaged or from another commit
        than the index's latest (a writer killed between the two, an older version)."""
        target = self._listing_file()
        if target is None:
            return None
        rows = listing.read_rows(target, self.ix.latest_generation())
        return rows if rows is not None and len(rows) == self._committed_count() else None

    def _save_listing(self, columns: listing.Columns) -> None:
        """Write the listing for the index's latest commit (with the update lock held); a
        rebuild's new generation becomes the active one with its first."""
        target = self._listing_file()
        if target is not None:
            columns.write(target, self.ix.latest_generation())
            if self._switch_pending and self._active:
                self._make_active(self._active)

    def _check_derived(self) -> tuple[listing.Listed | None, str | None]:
        """The listing, when it is the latest commit's (its generation, and as many articles
        as the commit holds), and why the word lists cannot be trusted for that commit (None:
        they can). A listing that does not match is written again from the index's stored
        fields, and the word lists filed again, each with a notice."""
        target = self._listing_file()
        if target is None:
            return None, None
        generation = self.ix.latest_generation()
        count = self._committed_count()
        known = listing.read_listed(target, generation)
        if known is not None and len(known.stats) != count:
            known = None
        if known is None and count:
            self.notices.append("Rewriting the article listing: it does not match the index.")
        return known, None if not count else self.lexicon.check(generation)

    def _rebuild_words(self, paths: list[str]) -> None:
        """File the words of the articles at ``paths`` again, from their files: the index
        keeps the stems of the words, not the words as written."""
        lexicon = self.lexicon
        lexicon.clear()
        read = self._article_reader()
        fields = [name for name, fld in self.schema.items() if type(fld) is StemmedText]
        words: dict[str, Counter[str]] = {}
        for path in paths:
            try:
                document, _ = read(path)
            except SkipFile:
                continue  # its file changed or went meanwhile: the next update sees it
            written_words(document, fields, words)
        lexicon.add(filed_words(words))
        lexicon.seal(self.ix.latest_generation())

    def doc_count(self) -> int:
        return int(self.ix.doc_count())

    def read(self, path: str) -> Article:
        """The article as it is on disk now (raises SkipFile when it cannot be read)."""
        return read_article(self.root, path, self.max_bytes)

    def verify(self) -> str | None:
        """Read every posting, field length, column and stored field once; the reason the
        index is damaged, or None. Costs a pass over the whole index: for when a search or a
        merge has already failed, not for every start (open() checks only the segment list)."""
        try:
            with self.ix.searcher() as searcher:
                reader = searcher.reader()
                scorable = {name for name, fld in self.schema.items() if fld.scorable}
                for name, _, docnum, _, _ in reader.iter_postings():
                    # A word in a field means a length of at least 1 (Whoosh says None for 0).
                    if name in scorable and not reader.doc_field_length(docnum, name):
                        return f"the lengths of '{name}' cannot be read"
                for name, fld in self.schema.items():
                    if fld.column_type and reader.has_column(name):
                        for _ in reader.column_reader(name):
                            pass
                for _ in reader.all_stored_fields():
                    pass
        except Exception as exc:  # noqa: BLE001 - whatever a damaged file raises
            return type(exc).__name__
        return None

    def mark_damaged(self, reason: str) -> None:
        """Have the next open() (here or in any process) rebuild this index."""
        if self.in_memory or not self._active:
            return
        if self._read_meta().get("active") != self._active:
            return  # someone already started a new generation
        with contextlib.suppress(OSError):
            self._write_meta(self._active, damaged=reason)

    # --- updating --------------------------------------------------------------------------

    def update(
        self,
        *,
        rebuild: bool = False,
        progress: ProgressFn | None = None,
        lock_timeout: float = 0.0,
        committed: ProgressFn | None = None,
        fallback: bool = True,
    ) -> UpdateReport:
        """Bring the index level with the corpus. KeyboardInterrupt keeps what was committed.

        ``progress(done, total)`` follows the work; ``committed(done, total)`` is called after
        each commit, when readers of the index (and its listing) can see it; what they raise
        stops the update, and is raised again.
        When the index cannot be written (a full disk, a folder gone read-only) or a writer
        process dies, UpdateFailed says why: the index keeps its last commit, searchable. With
        ``fallback``, an index that holds nothing yet (nothing to search) is made in memory
        instead, with a notice."""
        if self.unwritable is not None:
            return self._failed(self.unwritable, fallback, progress, committed)
        try:
            return self._update(rebuild=rebuild, progress=_guarded(progress),
                                lock_timeout=lock_timeout, committed=_guarded(committed))
        except _CallbackFailed as exc:
            raise exc.error from None
        except whoosh_index.LockError:  # a writer of another process (its lock file removed?)
            raise IndexBusy("another reader is updating this index; try again when it is done"
                            ) from None
        except (OSError, WriterFailed) as exc:
            if self.in_memory:
                raise
            cause = str(exc) if isinstance(exc, WriterFailed) else (
                f"{exc.strerror or exc} in {self.dir}")
            return self._failed(cause, fallback, progress, committed)

    def _failed(self, cause: str, fallback: bool, progress: ProgressFn | None,
                committed: ProgressFn | None) -> UpdateReport:
        """An update that could not write: UpdateFailed, or with ``fallback`` and nothing
        indexed yet, the update made in memory."""
        kept = self._committed_count()
        if fallback and not kept:
            self._open_in_memory(f"cannot write the index: {cause}")
            return self._update(progress=progress, committed=committed)
        raise UpdateFailed(cause, kept)

    def _committed_count(self) -> int:
        """How many articles the index's latest commit holds (its table of contents says),
        or 0 when that cannot be read."""
        try:
            return sum(segment.doc_count() for segment in self.ix._segments())
        except INDEX_ERRORS:
            return 0

    def _update(
        self,
        *,
        rebuild: bool = False,
        progress: ProgressFn | None = None,
        lock_timeout: float = 0.0,
        committed: ProgressFn | None = None,
    ) -> UpdateReport:
        started = time.perf_counter()
        report = UpdateReport()
        if self._ix is None:
            self.open()
        try:
            with self._update_lock(lock_timeout), self._abandoned_if_unfinished():
                self._drop_old_generations()
                self._drop_leftovers()
                if rebuild and not self.in_memory:
                    self._create_generation_locked(keep_old_until_commit=True)
                    report.rebuilt = True
                known, words_damage = self._check_derived()
                early = None if known is None else EarlyStart(
                    self._batch, known.stats, report.skipped, stream_from=STREAM_FROM,
                    parallel_from=PARALLEL_THRESHOLD,
                    batch_docs=BATCH_DOCS if known.stats else FIRST_BATCH)
                try:
                    found = scan(self.root, early)
                except BaseException:
                    if early is not None and early.batch is not None:
                        self._abandon(early.batch)
                    raise
                begun = None if early is None else early.batch
                report.skipped.update(found.problems)
                oversized = _oversized(found.files, self.max_bytes)
                if (known is not None and known.stats == found.files and not oversized
                        and words_damage is None):
                    report.unchanged = len(found.files)  # nothing to do: no rows needed
                    report.seconds = time.perf_counter() - started
                    return report
                columns = None if known is None else known.for_update()
                listed = columns is not None
                if columns is None:
                    if begun is not None:  # begun from a listing found damaged: start over
                        self._abandon(begun)
                        begun = early = None
                    try:
                        rows = self._stored_rows()
                    except INDEX_ERRORS as exc:
                        self.notices.append(
                            f"Rebuilding the index: it could not be read ({type(exc).__name__})."
                        )
                        self._create_generation_locked()
                        report.rebuilt = True
                        rows = {}
                    stats = _file_stats(rows)
                    columns = listing.Columns.of_rows(rows)
                else:
                    assert known is not None  # (the columns are its)
                    stats = known.stats
                # What the early start found as the scan went, or the same found now.
                changes = (early.changes(found.files) if early is not None and listed
                           else diff(found.files, stats))
                if oversized:  # indexed before the cap was lowered: read (and skipped) again
                    again = [p for p in oversized if p in stats and p not in changes.changed]
                    if again:
                        changes = Changes(changes.added, sorted(changes.changed + again),
                                          changes.removed)
                report.unchanged = len(found.files) - len(changes.added) - len(changes.changed)
                if words_damage is not None and not report.rebuilt:
                    self.notices.append(f"Rebuilding the word lists: {words_damage}.")
                    changed = set(changes.changed)
                    self._rebuild_words(sorted(p for p in stats
                                               if p in found.files and p not in changed))
                if changes:
                    try:
                        self._apply(changes, columns, report, progress, committed, begun)
                    except (WriterFailed, _CallbackFailed):
                        raise
                    except Exception as exc:
                        if isinstance(exc, OSError) and exc.errno in CANNOT_WRITE:
                            raise  # not damage: a full disk, a folder gone read-only
                        damage = self.verify()  # a merge reads old segments: are they damaged?
                        if damage is None:
                            raise
                        self.notices.append(f"Rebuilding the index: it was damaged ({damage}).")
                        self._create_generation_locked()
                        report.rebuilt = True
                        report.added, report.updated, report.removed = [], [], []
                        report.skipped = dict(found.problems)
                        report.unchanged = 0
                        self._apply(diff(found.files, {}), listing.Columns.of_rows({}), report,
                                    progress, committed)
                elif not listed:  # an index from before the listing, or one a kill left behind
                    self._save_listing(columns)
        except KeyboardInterrupt:
            report.interrupted = True
        report.seconds = time.perf_counter() - started
        return report

    def _create_generation_locked(self, *, keep_old_until_commit: bool = False) -> None:
        """Start an empty generation (a folder of its own) and write into it from now on.

        ``keep_old_until_commit`` (a rebuild asked for, of an index that works): readers
        (the app's search, ``reader search``) go on using the old generation until the new
        one's first commit, and only then is it made active and the old one deleted. A
        damaged or outdated generation is replaced at once."""
        numbers = [int(p.name[3:]) for p in self.dir.glob("ix-*") if p.name[3:].isdigit()]
        active = f"ix-{max(numbers, default=0) + 1}"
        (self.dir / active).mkdir()
        self._ix = whoosh_index.create_in(str(self.dir / active), self.schema)
        self._active = active
        if keep_old_until_commit:
            self._switch_pending = True
        else:
            self._make_active(active)

    def _make_active(self, active: str) -> None:
        self._write_meta(active)
        self._switch_pending = False
        for old in self.dir.glob("ix-*"):
            if old.name != active:
                shutil.rmtree(old, ignore_errors=True)

    @contextlib.contextmanager
    def _abandoned_if_unfinished(self) -> Iterator[None]:
        """A rebuild stopped (or failed) before its first commit: the old generation stays
        the active one, and the new folder goes (with the update lock still held)."""
        try:
            yield
        finally:
            if self._switch_pending and self._active:
                shutil.rmtree(self.dir / self._active, ignore_errors=True)
                self._switch_pending = False
                self._ix, self._active = None, None

    def _apply(self, changes: Changes, columns: listing.Columns, report: UpdateReport,
               progress: ProgressFn | None, committed: ProgressFn | None = None,
               started: Batch | None = None) -> None:
        """Index the changes in batches; ``columns`` (the listing of what the index held)
        follows each commit and is written after it. ``started``: the first batch, begun
        during the scan."""
        to_read = changes.added + changes.changed
        if started is not None:  # what it was fed goes first
            to_read = sorted(started.fed) + [p for p in to_read if p not in started.fed]
        known_changed = set(changes.changed)
        removed = set(changes.removed)
        total = len(to_read) + len(changes.removed)
        done = 0
        if progress:
            try:
                progress(0, total)
            except BaseException:
                self._abandon(started)
                raise

        # Removals (and the old versions of changed files) go in the first commit, with
        # the first batch of additions, so nothing is ever in the index twice.
        pending_deletes = list(changes.removed) + list(changes.changed)
        first = FIRST_BATCH if not len(columns) else BATCH_DOCS
        batches = [to_read[:first]] + [to_read[i : i + BATCH_DOCS]
                                       for i in range(first, len(to_read), BATCH_DOCS)]
        # One kind of writer for the whole update: a first batch kept small is written as
        # fast as the others, by the writer processes when there are many to write.
        parallel = len(to_read) >= PARALLEL_THRESHOLD
        for number, paths in enumerate(batches):
            batch = started if number == 0 and started is not None else None
            base = done
            try:
                if batch is None:
                    batch = self._batch(len(paths), parallel)
                for path in paths:
                    if path not in batch.fed:
                        batch.feed(path, path in known_changed, report.skipped)
                    if not batch.parallel:
                        done += 1
                        if progress and done % 50 == 0:
                            progress(done, total)
                writer = batch.writer
                # The old versions go in the same commit. After the additions: the parallel
                # writer's processes start on those while this one looks for the old ones.
                _delete_paths(writer, pending_deletes)
                if batch.parallel:
                    batch.wait(None if progress is None else
                               functools.partial(_progress_from, progress, base, total))
                writer.commit(mergetype=merge_tiers)
            except BaseException:
                self._abandon(batch)
                raise
            if batch.parallel:
                batch.collect(report.skipped)
            done = base + len(paths)
            columns.remove(pending_deletes)
            columns.add(batch.rows)
            self._save_listing(columns)
            report.added = sorted(report.added + batch.added)  # the scan's order if begun early
            report.updated = sorted(report.updated + batch.updated)
            report.removed.extend(p for p in pending_deletes if p in removed)
            done += sum(p in removed for p in pending_deletes)
            pending_deletes = []
            if progress:
                progress(done, total)
            if committed:
                committed(done, total)

    def _drop_old_generations(self) -> None:
        """With the update lock held: follow a generation another process made since we
        opened (else it would look unreadable and be rebuilt again), and clear away the
        generation folders a killed rebuild left behind."""
        active = self._read_meta().get("active")
        if self.in_memory or not isinstance(active, str) or not active.startswith("ix-"):
            return
        if "/" in active or not (self.dir / active).is_dir():
            return
        if active != self._active:
            try:
                self._ix, self._active = whoosh_index.open_dir(str(self.dir / active)), active
            except INDEX_ERRORS:
                return
        for old in self.dir.glob("ix-*"):
            if old.name != active:
                shutil.rmtree(old, ignore_errors=True)

    def _drop_unfinished(self) -> None:
        """Delete what a cancelled or failed write left (files no commit refers to): on a
        full disk they are what fills it, and a later run could not even probe the folder."""
        if self.in_memory or self._ix is None or not self._active:
            return
        ix = self._ix
        with contextlib.suppress(Exception):
            toc = whoosh_index.TOC.read(ix.storage, ix.indexname)
            whoosh_index.clean_files(ix.storage, ix.indexname, toc.generation, toc.segments)
        for temporary in (f"{ix.indexname}.tmp", "fed.tmp"):
            shutil.rmtree(self.dir / self._active / temporary, ignore_errors=True)
        with contextlib.suppress(OSError):
            self.lexicon.drop_unrecorded()

    def _drop_leftovers(self) -> None:
        """With the update lock held, before anything is written: what killed or failed
        runs left behind (files of segments no commit names, temporary files of writes
        cut short), never to be used, and filling a disk that may be full already."""
        self._drop_unfinished()
        folders = [self.dir]
        if not self.in_memory and self._active:
            folders += [self.dir / self._active, self.dir / self._active / "words"]
        for folder in folders:
            with contextlib.suppress(OSError):
                for entry in os.scandir(folder):
                    pid = _writer_pid(entry.name)
                    if pid is not None and pid != os.getpid() and not _running(pid):
                        with contextlib.suppress(OSError):
                            os.unlink(entry.path)

    def _writer(self, count: int, parallel: bool | None = None) -> Writer:
        """A writer for ``count`` articles: in writer processes when they are many (or
        ``parallel`` says so). Whichever process writes a segment files the words of its
        articles (words.py) first."""
        codec = W3Codec(compression=0 if count <= UNCOMPRESSED_UP_TO else 3)
        lexicon = self.lexicon
        if parallel is None:
            parallel = count >= PARALLEL_THRESHOLD
        if self.in_memory or not parallel or (os.cpu_count() or 1) < 2:
            return ArticleWriter(self.ix, lexicon=lexicon, timeout=30.0, compound=False,
                                 codec=codec)
        side = WriterSide(self._article_reader())
        return ParallelWriter(self.ix, procs=min(2, os.cpu_count() or 1), side=side,
                              lexicon=lexicon, batchsize=256, limitmb=128, compound=False,
                              codec=codec)

    def _article_reader(self) -> ArticleReader:
        return ArticleReader(self.root, self.max_bytes)

    def _batch(self, count: int, parallel: bool | None = None) -> Batch:
        return Batch(self._writer(count, parallel), self._article_reader())

    def _abandon(self, batch: Batch | None) -> None:
        """Stop a batch's writer, and delete what it wrote (its processes' files too)."""
        if batch is not None:
            batch.abandon()
        self._drop_unfinished()


_TEMPORARY = re.compile(r"^(?:.+\.(\d+)\.tmp|\.probe-(\d+))$")


def _lock_both(folder: int, handle: int) -> bool:
    """Lock the folder (when its file system can) and the file, or neither (False: another
    process holds one of them)."""
    try:
        fcntl.flock(folder, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    except OSError:
        pass  # a folder that cannot be locked here: the file alone does it
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        with contextlib.suppress(OSError):
            fcntl.flock(folder, fcntl.LOCK_UN)
        return False
    return True


def _writer_pid(name: str) -> int | None:
    """The process that writes the temporary file ``name`` (``listing.pickle.<pid>.tmp``,
    ``meta.json.<pid>.tmp``, ``<words>.<pid>.tmp``, ``.probe-<pid>``), or None."""
    match = _TEMPORARY.match(name)
    return None if match is None else int(match.group(1) or match.group(2))


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _progress_from(progress: ProgressFn, base: int, total: int, read: int) -> None:
    """A batch's count of articles read, as the update's progress."""
    progress(base + read, total)


def _delete_paths(writer: Writer, paths: list[str]) -> None:
    """``writer.delete_by_term("path", path)`` for each path, with less work per path.

    Whoosh's makes a scored matcher of the term in every segment (eight at 100,000
    articles), found or not: 0.33 s for 1,000 paths. Here each segment's term table is
    asked first, and only the segment that has the path reads its postings: 0.21 s."""
    if not paths:
        return
    reader = writer.searcher().reader()  # the writer's own, closed with it
    for leaf, offset in reader.leaf_readers():
        for path in paths:
            if ("path", path) in leaf:
                for docnum in leaf.postings("path", path).all_ids():
                    writer.delete_document(offset + docnum)


def merge_tiers(writer: Any, segments: list[Any]) -> list[Any]:
    """Whoosh merge policy: merge the smallest size tier (segments within 4x of each other)
    that has MERGE_FACTOR or more segments and MAX_MERGE_DOCS or fewer articles.

    Whoosh's own MERGE_SMALL merged everything once about twenty segments existed: 50,000
    articles rewritten in one process, minutes in the middle of a build. Here small updates
    fold into each other and large segments stay as they are."""
    from whoosh.reading import SegmentReader

    tiers: dict[int, list[Any]] = {}
    for segment in segments:
        tiers.setdefault(max(1, segment.doc_count_all()).bit_length() // 2, []).append(segment)
    chosen: list[Any] = []
    for _, tier in sorted(tiers.items()):
        if len(tier) >= MERGE_FACTOR and sum(s.doc_count_all() for s in tier) <= MAX_MERGE_DOCS:
            chosen = tier
            break
    if not chosen:
        return segments
    for segment in chosen:
        reader = SegmentReader(writer.storage, writer.schema, segment)
        writer.add_reader(reader)
        reader.close()
    return [s for s in segments if s not in chosen]


def _oversized(files: dict[str, FileStat], max_bytes: int) -> list[str]:
    """The files over the size cap (one pass in C finds that there are none, as a rule)."""
    if max(map(operator.itemgetter(1), files.values()), default=0) <= max_bytes:
        return []
    return [path for path, stat in files.items() if stat.size > max_bytes]


_ROW_STAT = operator.itemgetter(Row._fields.index("mtime_ns"), Row._fields.index("size"))


def _file_stats(rows: dict[str, Row]) -> dict[str, FileStat]:
    """path -> FileStat of every row, made in C (100,000 of them at every start)."""
    return dict(zip(rows, map(FileStat._make, map(_ROW_STAT, rows.values())), strict=False))


def _check_lengths(reader: Any) -> None:
    """A segment with words in a field has that field's length file. Whoosh does not notice
    a deleted one: it ranks as if every article were empty."""
    for leaf, _ in reader.leaf_readers():
        perdoc = getattr(leaf, "_perdoc", None)
        if perdoc is None:
            continue
        for name in ("title", "body"):
            if leaf.field_length(name) and not perdoc.has_column(f"_{name}_len"):
                raise FileNotFoundError(f"the lengths of '{name}' are missing")


def open_index(corpus: Path, index_dir: Path | None = None, **kwargs: Any) -> CorpusIndex:
    """A CorpusIndex, opened; raises CorpusError for an unusable corpus folder."""
    return CorpusIndex(corpus, index_dir, **kwargs).open()


__all__ = [
    "CorpusError",
    "CorpusIndex",
    "Entry",
    "IndexBusy",
    "UpdateReport",
    "open_index",
    "make_schema",
    "document",
]
