"""Keeping the main screen's list: drawn from the index's listing at start, then from the
index, which the indexer keeps up to date while the app runs (and the list with it).

The window appears at once: the first screen of the list comes from the listing's head in
a millisecond, the rest in a tenth of a second at 100,000 articles, and a first run peeks at
the files' titles, all before the index (and Whoosh) is opened. Blocking calls run in
threads; the Loader's work runs as the screen's workers, so that it ends with the screen.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import importlib
from collections.abc import Callable, Coroutine, Iterator
from typing import TYPE_CHECKING, Any

from textual.message_pump import MessagePump
from textual.worker import Worker, WorkerCancelled

from ..core.corpus import CorpusError
from ..core.listing import Entry, peek, peek_head, quick_entries, sort_entries
from ..core.progress import Event
from .indexer import Indexer, IndexerFailed, InProcessIndexer, as_message, folder_changes, summary
from .library import Library

if TYPE_CHECKING:
    from ..core.index import CorpusIndex
    from .screens.main import MainScreen


async def drawn(node: MessagePump, timeout: float = 1) -> None:
    """Once ``node`` has been drawn again (``timeout`` seconds at most). Not wait_for: on
    Python 3.11 it swallows a cancellation that comes as the wait ends, and a q pressed as
    the first screen appeared let the loading go on, onto a screen already taken down."""
    done = asyncio.Event()
    node.call_after_refresh(done.set)
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(timeout):
            await done.wait()


class Loader:
    """Loads the screen's list, opens the index, and runs the indexer (one run at a time;
    another after it when asked meanwhile)."""

    def __init__(self, screen: MainScreen, library: Library, indexer: Indexer) -> None:
        self.screen = screen
        self.library = library
        self.indexer = indexer
        self.indexing = False
        #: How many indexing runs have finished; set as each one ends and its list is shown.
        self.runs = 0
        self.finished = asyncio.Event()
        #: How many runs have ended, failed ones too (``caught_up`` waits on it).
        self.ended = 0
        self._ends = asyncio.Condition()
        #: The list came from peeking at the files (a first run), not from the index.
        self.quick_list = False
        #: Whether the folder is watched: a file written there is indexed without asking.
        self.watching = False
        self._next_run: Worker[None] | None = None
        self._run_began = False
        self._rebuilding = False
        self._again = False
        #: The files the last run left out of the index: path -> why.
        self.skipped: dict[str, str] = {}

    def _worker(self, work: Callable[[], Coroutine[Any, Any, None]], group: str
                ) -> Worker[None]:
        """(``work`` is called as the worker starts: a worker cancelled before it does leaves
        no coroutine that was never awaited.)"""
        return self.screen.run_worker(work, group=group, exclusive=True)

    # --- at start -------------------------------------------------------------------------

    def load(self) -> None:
        self._worker(self._load, "load")

    async def _load(self) -> None:
        screen, library = self.screen, self.library
        try:
            marks = await asyncio.to_thread(library.open_state)
        except CorpusError as exc:
            library.opened.set()
            screen.status.say(str(exc), error=True)
            return
        screen.use_state(*marks)
        head = await asyncio.to_thread(peek_head, library.listing_dir)
        if head is not None:
            _generation, count, heads = head
            if heads[screen.sort] and not library.entries:
                screen.set_entries(heads[screen.sort], head_count=count)
                await drawn(screen)  # on screen before the rest is read
        listed = await asyncio.to_thread(peek, library.listing_dir)
        if listed is not None:
            screen.set_entries(await asyncio.to_thread(sort_entries, listed[1], screen.sort,
                                                       newest_first=True))
        try:
            index, entries, fresh = await asyncio.to_thread(self._open_index, listed)
        except CorpusError as exc:
            screen.status.say(str(exc), error=True)
            return
        for notice in index.notices:
            screen.app.notify(notice, title="Index", severity="warning", markup=False)
        self.quick_list = not entries
        if fresh is not None:
            screen.set_entries(fresh)
        if marks := await asyncio.to_thread(library.reconcile, entries):
            screen.marks_changed(*marks)
        if self._indexer_for(index).watches:  # first: a change during the update is seen
            self._worker(self._watch, "watch")
        self.run()
        if not entries:  # a first run: peek at the files while the indexer starts
            screen.status.say("First run: indexing the articles…")
            found = quick_entries(index.root, index.max_bytes)
            while (shown := await asyncio.to_thread(self._next_sorted, found)) is not None:
                if self.quick_list:  # unless the index already answered (a small folder)
                    screen.set_entries(shown)
        # Loaded now, so that the first search is quick.
        await asyncio.to_thread(importlib.import_module, "reader.core.search")

    def _open_index(self, listed: tuple[int, list[Entry]] | None
                    ) -> tuple[CorpusIndex, list[Entry], list[Entry] | None]:
        """(In a thread.) The index, its articles, and the list to show when the one shown
        (``listed``, from the listing) is not of the index's latest commit."""
        index = self.library.open_index()
        if listed is not None and index.generation() == listed[0]:
            return index, listed[1], None
        entries = index.entries()
        return index, entries, sort_entries(entries, self.screen.sort, newest_first=True)

    def _next_sorted(self, found: Iterator[list[Entry]]) -> list[Entry] | None:
        entries = next(found, None)
        return None if entries is None else sort_entries(entries, self.screen.sort)

    # --- the list from the index ----------------------------------------------------------

    def reload(self, merge: bool = False) -> Worker[None]:
        """The list from the index as it is now; ``merge`` keeps the articles listed that the
        index does not hold yet (in the middle of an update)."""
        return self._worker(functools.partial(self._reload, merge), "reload")

    async def _reload(self, merge: bool) -> None:
        index, screen = self.library.index, self.screen
        if index is None:
            return
        shown, sort = self.library.entries, screen.sort

        def read() -> tuple[list[Entry], list[Entry]]:
            index.refresh()
            entries = index.entries()
            if merge:
                indexed = {e.path for e in entries}
                entries += [e for e in shown if e.path not in indexed]
            return entries, sort_entries(entries, sort, newest_first=not merge)

        try:
            entries, ordered = await asyncio.to_thread(read)
        except Exception as exc:  # the indexer may be swapping generations under us
            screen.status.say(f"Could not read the index: {exc}", error=True)
            return
        if not merge:
            self.quick_list = False
        screen.set_entries(ordered)
        if marks := await asyncio.to_thread(self.library.reconcile, entries):
            screen.marks_changed(*marks)

    # --- indexing -------------------------------------------------------------------------

    def _indexer_for(self, index: CorpusIndex) -> Indexer:
        """An index in memory is this process's alone: it is updated here."""
        if index.in_memory and not isinstance(self.indexer, InProcessIndexer):
            self.indexer = InProcessIndexer()
        return self.indexer

    def run(self, rebuild: bool = False) -> None:
        """Bring the index up to date; the list follows (a batch of a long update too)."""
        self._run_began = False
        self._next_run = self._worker(functools.partial(self._run, rebuild), "indexer")

    async def _run(self, rebuild: bool) -> None:
        self._run_began = True
        index, screen = self.library.index, self.screen
        if index is None:
            return
        self.indexing, self._rebuilding = True, rebuild
        self.finished.clear()
        screen.index_started()
        try:
            done = await self._indexer_for(index).run(index, rebuild=rebuild, tell=self._tell)
        except IndexerFailed as exc:
            self._ended(str(exc), failed=True)
            await self._run_over()
            return
        for notice in done.notices:
            screen.app.notify(notice, title="Index", severity="warning", markup=False)
        self._ended(f"{index.doc_count():,} articles (temporary index)" if index.in_memory
                    else summary(done))
        self.skipped = dict(done.skipped)
        try:
            await self.reload().wait()
        except WorkerCancelled:  # the app is closing (q right after an editor or a change)
            return
        if screen.searched:  # it ran on a partial index
            screen.search_bar.search_soon(screen.searched, screen.result_sort)
        self.runs += 1
        await self._run_over()

    async def _run_over(self) -> None:
        self.ended += 1
        self.finished.set()
        async with self._ends:
            self._ends.notify_all()
        if self._again:  # asked for during the run (which may have failed): the files changed
            self._again = False
            self.run()

    async def caught_up(self) -> None:
        """Once an indexing run started after this call has ended and its list is shown:
        the articles just written are in the list (or the index could not take them)."""
        if await self.library.wait_index() is None:
            return
        # A run about to start is after this call; one under way may not see every file.
        target = self.ended + (2 if self.indexing and not self._starting() else 1)
        self.request()
        async with self._ends:
            await self._ends.wait_for(lambda: self.ended >= target)

    def _tell(self, event: Event) -> None:
        """The indexer's progress, as messages to the screen (from any thread)."""
        message = as_message(event)
        if message is not None:
            self.screen.post_message(message)

    def _ended(self, message: str, *, failed: bool = False) -> None:
        # Through the screen's queue: after the run's last progress report waiting in it.
        self.screen.call_later(self._say_ended, message, failed)

    def _say_ended(self, message: str, failed: bool) -> None:
        self.indexing = False
        self.screen.index_ended(message, failed=failed)

    def committed(self, done: int, total: int) -> None:
        # A batch of a large update is in: show it (the last one, when the run ends). The
        # list of a rebuild or a first run already names every article.
        if done < total and not self._rebuilding and not self.quick_list:
            self.reload(merge=True)

    def request(self) -> None:
        """Another run: now, or after the one under way (a run about to start will see
        the folder as it is now: starting another one would cancel it)."""
        if self.indexing:
            self._again = True
        elif not self._starting():
            self.run()

    def _starting(self) -> bool:
        """Whether the last run asked for has yet to begin (its worker runs at once, but
        its first step comes at the loop's next turn)."""
        run = self._next_run
        return (run is not None and not self._run_began and not run.is_cancelled
                and not run.is_finished)

    def rebuild(self) -> None:
        if self.library.index is None:
            return
        self.indexer.stop()
        self.screen.status.say("Rebuilding the index…")
        self.run(rebuild=True)

    def stop(self) -> None:
        self.indexer.stop()

    async def _watch(self) -> None:
        """Index files added, changed or removed while the app runs."""
        self.watching = True
        try:
            async for _ in folder_changes(self.library.root or self.library.corpus):
                self.request()
        except ImportError:  # pragma: no cover - a dependency, but never fatal
            return
        except (OSError, RuntimeError) as exc:
            self.screen.status.say(f"Not watching the folder for changes: {exc}")
        finally:
            self.watching = False
