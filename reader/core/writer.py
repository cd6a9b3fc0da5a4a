"""Writing one commit's articles into the index: in this process, or in writer processes.

``ArticleWriter`` is Whoosh's segment writer, and files the words of its articles (words.py)
just before it writes its segment, so that no commit shows an article whose words are not
filed. ``ParallelWriter`` is Whoosh's multi-process writer whose processes are
ArticleWriters; the parent only names the articles, and each process reads its own
(``WriterSide``), so the parent's scan and the processes' indexing overlap. Everything a
writer process needs is an argument of its ``WriterTask`` (it inherits the objects when it
forks): nothing is handed over through module globals.

A ``Batch`` is the articles of one commit as they are fed to either writer, and an
``EarlyStart`` begins the first batch while the scan of the corpus is still going.
"""

from __future__ import annotations

import contextlib
import ctypes
import functools
import multiprocessing
import multiprocessing.queues
import os
import pickle
import shutil
import signal
import sys
import threading
import time
from collections.abc import Callable, ItemsView
from itertools import filterfalse
from pathlib import Path
from typing import Any, Protocol

from whoosh.multiproc import MpWriter, SubWriterTask
from whoosh.writing import SegmentWriter

from . import whoosh_speedups
from .analysis import WORD, StemmedText
from .articles import SkipFile
from .corpus import Changes, FileStat
from .listing import Row
from .words import Lexicon

#: The field that names an article for a writer process to read (Whoosh leaves alone every
#: field whose name starts with "_").
ARTICLE = "_article"


class ReadsArticles(Protocol):
    """Reads one article file of the corpus at ``root``: its index document and its listing
    row (raises SkipFile when it cannot be read)."""

    @property
    def root(self) -> Path: ...

    def __call__(self, path: str) -> tuple[dict[str, Any], Row]: ...


class ArticleWriter(SegmentWriter):  # type: ignore[misc]  # (Whoosh has no type hints)
    """Whoosh's segment writer, that files the words of its articles in ``lexicon`` just
    before it writes its segment, and in a writer process reads the articles the parent
    only named (``side``). With the speed-ups installed (whoosh_speedups), its text fields
    go into its pool in one pass."""

    def __init__(self, ix: Any, *, lexicon: Lexicon | None = None,
                 side: WriterSide | None = None, **kwargs: Any) -> None:
        super().__init__(ix, **kwargs)
        self.lexicon = lexicon
        self.side = side
        #: The words of its articles as written, by field, while there is a lexicon.
        self.words: dict[str, set[str]] | None = None if lexicon is None else {}
        self._stemmed = [name for name, field in self.schema.items()
                         if type(field) is StemmedText]

    def add_document(self, **fields: Any) -> None:
        if ARTICLE in fields:
            if self.side is None:
                raise ValueError("an article named to a writer that does not read articles")
            made = self.side.document(fields[ARTICLE])
            if made is None:
                return
            fields = made
        if type(self.pool) is whoosh_speedups.TermPool:  # the speed-ups are installed
            whoosh_speedups.add_document(self, fields, self.words)
            return
        if self.words is not None:  # what index_into collects, with the speed-ups
            for name in self._stemmed:
                value = fields.get(name)
                if type(value) is str:
                    self.words.setdefault(name, set()).update(WORD.findall(value))
        super().add_document(**fields)

    def _finalize_segment(self) -> Any:
        if self.side is not None:
            self.side.finish()
        if self.lexicon is not None and self.words:
            # Lower-cased here, once a distinct word: per article it was a tenth of indexing.
            self.lexicon.add({field: set(map(str.lower, seen))
                              for field, seen in self.words.items()})
            self.words = {}
        return super()._finalize_segment()


class WriterSide:
    """The writer processes' part of a parallel batch besides indexing: each reads the
    articles the parent names, counts them for the parent's progress, and leaves the
    parent its articles' rows and skip reasons in a file, just before it writes its
    segment. Made in the parent before the processes start; they inherit it."""

    def __init__(self, read: ReadsArticles, folder: Path) -> None:
        self.read = read
        self.root = read.root
        self.folder = folder
        self.count = multiprocessing.Value("q", 0)
        self.outcomes: dict[str, Row | str] = {}

    def document(self, path: str) -> dict[str, Any] | None:
        """In a writer process: the document of ``path`` (None when it is skipped)."""
        made: dict[str, Any] | None
        try:
            made, row = self.read(path)
        except SkipFile as exc:
            self.outcomes[path] = str(exc)
            made = None
        else:
            self.outcomes[path] = row
        with self.count.get_lock():
            self.count.value += 1
        return made

    def read_count(self) -> int:
        """In the parent: how many of the articles named the processes have read so far."""
        return int(self.count.value)

    def finish(self) -> None:
        """In a writer process, before it writes its segment."""
        if not self.outcomes:
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        target = self.folder / f"{os.getpid()}.pickle"
        tmp = target.with_suffix(".tmp")
        tmp.write_bytes(pickle.dumps(self.outcomes, pickle.HIGHEST_PROTOCOL))
        os.replace(tmp, target)
        self.outcomes = {}

    def collect(self) -> dict[str, Row | str]:
        """In the parent, after the commit: every writer process's outcomes."""
        outcomes: dict[str, Row | str] = {}
        try:
            for file in self.folder.glob("*.pickle"):
                outcomes.update(pickle.loads(file.read_bytes()))
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)
        return outcomes


class WriterTask(SubWriterTask):  # type: ignore[misc]
    """A writer process of a ParallelWriter: Whoosh's, writing with an ArticleWriter given
    the parent's ``side`` and ``lexicon``, and dying with the parent.

    The processes inherit the index's locks (ours and Whoosh's). Orphaned by a killed
    ``reader index``, they would sleep forever holding them, and every later update would
    wait for a lock that is never released."""

    def __init__(self, writer: ParallelWriter, set_pdeathsig: Callable[[], object] | None
                 ) -> None:
        super().__init__(writer.storage, writer.indexname, writer.jobqueue, writer.resultqueue,
                         writer.subargs, True)
        self.side = writer.side
        self.lexicon = writer.lexicon
        self.parent = os.getpid()
        self.set_pdeathsig = set_pdeathsig

    def run(self) -> None:
        if self.set_pdeathsig is not None:
            with contextlib.suppress(Exception):
                self.set_pdeathsig()
        if os.getppid() != self.parent:  # the parent died before the line above
            os._exit(1)
        ix = self.storage.open_index(self.indexname)
        # Not locked: the parent holds the index's lock for its writer processes.
        writer = self.writer = ArticleWriter(ix, _lk=False, side=self.side,
                                             lexicon=self.lexicon, **self.kwargs)
        while (job := self.jobqueue.get()) is not None:
            self._process_file(*job)
        fieldnames = writer.pool.fieldnames
        segment = writer._finalize_segment()
        self.resultqueue.put((None, fieldnames, segment), timeout=5)


def _pdeathsig_setter() -> Callable[[], object] | None:
    """What makes a process get SIGKILL when its parent dies (Linux), looked up in the
    parent: no dlopen after a fork."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None
    return functools.partial(prctl, 1, signal.SIGKILL)  # PR_SET_PDEATHSIG


class ParallelWriter(MpWriter):  # type: ignore[misc]
    """Whoosh's multi-process writer (one segment a process), its processes WriterTasks,
    all started at once with Ctrl+C ignored (the parent cancels them), and cancelled for
    real: Whoosh's cancel leaves its processes waiting for jobs."""

    def __init__(self, ix: Any, *, procs: int, side: WriterSide | None = None,
                 lexicon: Lexicon | None = None, batchsize: int = 256, **kwargs: Any) -> None:
        super().__init__(ix, procs=procs, batchsize=batchsize, multisegment=True, **kwargs)
        self.side = side
        self.lexicon = lexicon
        # Whoosh's queue of jobs holds four a process, and adding one more waits for a
        # process to take one: right for jobs of whole articles, but these name them, and
        # the parent has its scan to finish, and progress to report meanwhile.
        self.jobqueue: multiprocessing.queues.Queue[Any] = multiprocessing.Queue()
        try:
            self._start_tasks()
        except BaseException:
            self.cancel()
            raise

    def _start_tasks(self) -> None:
        main = threading.current_thread() is threading.main_thread()
        previous = signal.signal(signal.SIGINT, signal.SIG_IGN) if main else None
        try:
            set_pdeathsig = _pdeathsig_setter()
            while len(self.tasks) < self.procs:
                self._new_task(set_pdeathsig)
        finally:
            if main:
                signal.signal(signal.SIGINT, previous)

    def _new_task(self, set_pdeathsig: Callable[[], object] | None = None) -> WriterTask:
        task = WriterTask(self, set_pdeathsig)
        self.tasks.append(task)
        task.start()
        return task

    def add_article(self, path: str) -> None:
        """Have a writer process read and index the article at ``path``."""
        if self.side is None:
            raise ValueError("this writer's processes do not read articles")
        self.add_document(**{ARTICLE: path})
        _prefetch(self.side.root / path)

    def flush(self) -> None:
        """Hand the articles named so far to the processes now, not a full job later."""
        if self.docbuffer:
            self._enqueue()

    def processes_alive(self) -> bool:
        """False once a writer process has died (its batch cannot finish)."""
        return all(task.is_alive() for task in self.tasks)

    def cancel(self) -> None:
        """Stop the processes and drop what this writer wrote."""
        for task in self.tasks:
            with contextlib.suppress(Exception):
                task.terminate()
                task.join(5)
        with contextlib.suppress(Exception):
            SegmentWriter.cancel(self)
        # Its queues' feeder threads would be joined at exit, and a Ctrl+C landing in the
        # middle of that left the process waiting forever; nothing in them matters now.
        for queue in (self.jobqueue, self.resultqueue):
            with contextlib.suppress(Exception):
                queue.cancel_join_thread()
                queue.close()


def _prefetch(file: Path) -> None:
    """Have the kernel start reading ``file``, for the writer process that will: a first
    build from a cold disk otherwise waits for each read in turn (20,000 articles from a
    cold page cache: 190 s without, 153 s with)."""
    try:
        fd = os.open(file, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    except OSError:
        return  # the writer process says why it cannot be read
    try:
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_WILLNEED)
    except (AttributeError, OSError):
        pass
    finally:
        os.close(fd)


Writer = ArticleWriter | ParallelWriter


class Batch:
    """The articles of one commit, as they are fed to its writer (reported once committed:
    an interrupted batch adds nothing).

    A parallel writer's processes read the articles themselves (``WriterSide``): the
    parent only names them, and deletes the old versions while they index. Reading and
    cleaning 1,000 articles took the parent 0.5 s, the critical path of a 1% update."""

    def __init__(self, writer: Writer, read: ReadsArticles) -> None:
        self.writer = writer
        self.read = read
        self.added: list[str] = []
        self.updated: list[str] = []
        self.rows: dict[str, Row] = {}
        self.fed: dict[str, bool] = {}  # path -> changed (an update of an indexed file)

    @property
    def parallel(self) -> bool:
        return isinstance(self.writer, ParallelWriter)

    def feed(self, path: str, changed: bool, skipped: dict[str, str]) -> None:
        self.fed[path] = changed
        if isinstance(self.writer, ParallelWriter):
            self.writer.add_article(path)
            return
        try:
            document, row = self.read(path)
        except SkipFile as exc:
            skipped[path] = str(exc)
        else:
            self.writer.add_document(**document)
            self.rows[path] = row
            (self.updated if changed else self.added).append(path)

    def wait(self, report: Callable[[int], object] | None) -> None:
        """Until the writer processes have read every article named to them, reporting how
        many they have (they index each as they read it)."""
        writer = self.writer
        if not isinstance(writer, ParallelWriter) or writer.side is None:
            return
        writer.flush()
        shown = -1
        while True:
            read = writer.side.read_count()
            if report is not None and read != shown:
                report(read)
                shown = read
            if read >= len(self.fed) or not writer.processes_alive():
                return  # done, or a writer process failed: the commit says what happened
            time.sleep(0.02)

    def collect(self, skipped: dict[str, str]) -> None:
        """After the commit: what the writer processes made of each article named to them."""
        writer = self.writer
        if not isinstance(writer, ParallelWriter) or writer.side is None:
            return
        outcomes = writer.side.collect()
        for path, changed in self.fed.items():
            outcome = outcomes.get(path)
            if isinstance(outcome, Row):
                self.rows[path] = outcome
                (self.updated if changed else self.added).append(path)
            else:
                skipped[path] = outcome or "not indexed (its writer process failed)"

    def abandon(self) -> None:
        """Stop the writer (and its processes); what it wrote is for the index to delete."""
        with contextlib.suppress(Exception):
            self.writer.cancel()


class EarlyStart:
    """A scan's ``on_files`` that starts indexing before the scan ends.

    A 1% update at 100,000 articles spent the scan's second with one core idle, and only
    then began feeding the writer processes. Once the scan has found ``stream_from`` changed
    files, and at that rate will find ``parallel_from`` or more, the first batch (of up to
    ``batch_docs``) is begun with ``start(expected changes)``, and fed each changed file as
    the scan finds it: the writer processes index what the scan has found while it looks
    for the rest."""

    def __init__(self, start: Callable[[int], Batch], known: dict[str, FileStat],
                 skipped: dict[str, str], *, stream_from: int, parallel_from: int,
                 batch_docs: int) -> None:
        self.start = start
        self.known = known
        self.listed: ItemsView[str, FileStat] = known.items()
        self.skipped = skipped
        self.stream_from = stream_from
        self.parallel_from = parallel_from
        self.batch_docs = batch_docs
        self.scanned = 0
        self.found: list[tuple[str, bool]] = []  # (path, changed), in the order found
        self.next = 0  # found[next:] are not fed yet
        self.batch: Batch | None = None

    def __call__(self, files: list[tuple[str, FileStat]]) -> None:
        self.scanned += len(files)
        # The files not listed as they are, picked out in C: every start runs through here.
        new = list(filterfalse(self.listed.__contains__, files))
        if new:
            known = self.known
            self.found += [(path, path in known) for path, _ in new]
        batch = self.batch
        if batch is None:
            # How many changed files the whole scan will find, at the rate found so far.
            expected = len(self.found) * len(self.known) // max(1, self.scanned)
            if len(self.found) < self.stream_from or expected < self.parallel_from:
                return
            batch = self.batch = self.start(expected)
        while self.next < len(self.found) and len(batch.fed) < self.batch_docs:
            path, changed = self.found[self.next]
            self.next += 1
            batch.feed(path, changed, self.skipped)

    def changes(self, files: dict[str, FileStat]) -> Changes:
        """``diff(files, known)`` once the scan that found ``files`` is over."""
        return Changes(sorted(path for path, changed in self.found if not changed),
                       sorted(path for path, changed in self.found if changed),
                       sorted(self.known.keys() - files.keys()))
