"""Fetching the feeds while the app runs: on F or the palette's "Fetch feeds", and in the
background every ``fetch_every``, the progress on the status line.

``ProcessFetcher``, for daily use, runs ``reader fetch --progress-json`` in a process of its
own (reader/core/spawn.py): parsing feeds and extracting pages is CPU work, and in a thread of
the app it held the GIL: key presses took twice as long during a fetch, where beside the
process they were as quick as with none (bench/fetch_in_app.py). A quit has only to tell the
process to stop. ``InProcessFetcher`` runs the same fetch in a thread of the app, for tests.
A fetch writes ordinary article files: the index is brought up to date after it (and during
it, by the folder's watcher or at each feed's end), and the new articles show in the list,
unread.
"""

from __future__ import annotations

import asyncio
import contextlib
import shlex
import signal
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..core.articles import clean_text
from ..core.paths import BUNDLED_CORPUS
from ..core.progress import FeedFetched, Fetched
from ..core.spawn import FETCH_SPAWN, fetch_command, indexer_env, read_events

if TYPE_CHECKING:
    from .library import Library
    from .screens.main import MainScreen

#: What a second fetch of the folder is told while another one holds it (core/feeds.py).
BUSY = "another reader is fetching"
#: The failed feeds a notice names; the rest are counted.
FAILED_SHOWN = 5


class FetcherFailed(Exception):
    """The fetch could not be made (the folder cannot be written, another fetch holds it);
    the message says why, in a line."""


class Fetcher(ABC):
    """Fetches every feed of a corpus, telling ``tell`` (from any thread) as each feed is
    done; the outcome is what ``run`` returns. A cancelled ``run`` stops the fetch."""

    @abstractmethod
    async def run(self, corpus: Path, tell: Callable[[FeedFetched], object]) -> Fetched: ...

    @abstractmethod
    def stop(self) -> None:
        """Stop the fetch under way at its next request, keeping the articles written."""

    async def stopped(self, timeout: float) -> None:  # noqa: B027 - nothing to wait for
        """Once the fetch stopped has put its files away (``timeout`` seconds at most)."""


class ProcessFetcher(Fetcher):
    """``reader fetch --progress-json`` in its own session, at the lowest priority."""

    def __init__(self, spawn: dict[str, Any] | None = None) -> None:
        """``spawn``: how the process is started (bench/ measures other priorities)."""
        self.spawn = FETCH_SPAWN if spawn is None else spawn
        self._process: asyncio.subprocess.Process | None = None
        self._told: asyncio.subprocess.Process | None = None  # the one told to stop

    async def run(self, corpus: Path, tell: Callable[[FeedFetched], object]) -> Fetched:
        try:
            process = await asyncio.create_subprocess_exec(
                *fetch_command(corpus), stdin=asyncio.subprocess.DEVNULL,
                stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
                env=indexer_env(), **self.spawn)
        except OSError as exc:
            raise FetcherFailed(f"cannot start fetching: {exc}") from exc

        def tell_fetched(event: object) -> None:
            if isinstance(event, FeedFetched):  # (the only event a fetch reports)
                tell(event)

        self._process = process
        try:
            outcome, last_line, status = await read_events(process, Fetched, tell_fetched)
        except asyncio.CancelledError:
            self.stop()
            raise
        if outcome is None:
            raise FetcherFailed(last_line.removeprefix("reader: ") if last_line
                                else f"the fetch ended with exit status {status}")
        return outcome

    def stop(self) -> None:
        process = self._process
        if process is not None and process.returncode is None and process is not self._told:
            self._told = process  # once: a second SIGINT would cut its clean-up short
            with contextlib.suppress(ProcessLookupError):
                process.send_signal(signal.SIGINT)  # it cleans up and exits

    async def stopped(self, timeout: float) -> None:
        process = self._process
        if process is not None and process.returncode is None:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(timeout):
                    await process.wait()


class InProcessFetcher(Fetcher):
    """The fetch in a thread of the app (tests: quicker to start, the same fetch)."""

    def __init__(self) -> None:
        self._cancel = threading.Event()
        self._thread_done = threading.Event()
        self._thread_done.set()

    async def run(self, corpus: Path, tell: Callable[[FeedFetched], object]) -> Fetched:
        from ..core.feeds import FeedError, fetch_feeds

        cancel = self._cancel = threading.Event()
        done = self._thread_done = threading.Event()

        def fetch() -> Fetched:
            try:
                return Fetched.of(fetch_feeds(
                    corpus, cancel=cancel,
                    progress=lambda n, total, result: tell(FeedFetched.of(n, total, result))))
            finally:
                done.set()

        try:
            return await asyncio.to_thread(fetch)
        except FeedError as exc:
            raise FetcherFailed(str(exc)) from exc
        except asyncio.CancelledError:
            cancel.set()
            raise

    def stop(self) -> None:
        self._cancel.set()

    async def stopped(self, timeout: float) -> None:
        if not self._thread_done.is_set():
            await asyncio.to_thread(self._thread_done.wait, timeout)


class Feeds:
    """The screen's feeds: one fetch at a time, on request or when due, its progress on the
    status line and its summary there once the new articles are in the list."""

    #: Seconds after the start before the first look at whether a fetch is due (the list
    #: and the index come first), then between looks (each one a read of a small database).
    FIRST_LOOK = 3.0
    LOOK_EVERY = 60.0
    #: Seconds a quit waits for a fetch to put its files away.
    QUIT_WAIT = 1.0

    def __init__(self, screen: MainScreen, library: Library, fetcher: Fetcher, *,
                 every: float | None = None) -> None:
        self.screen = screen
        self.library = library
        self.fetcher = fetcher
        #: Seconds between background fetches (the ``fetch_every`` setting); None: on request.
        self.every = every
        self.running = False
        #: How many fetches have ended (tests wait on it); set as each one ends.
        self.runs = 0
        self.finished = asyncio.Event()
        self._tried: float | None = None  # time.monotonic() of the last fetch started
        self._reporting = False  # the fetch's progress is on the status line

    def start(self) -> None:
        """Fetch in the background when ``every`` is set: soon after the start if the last
        fetch (the app's or ``reader fetch``'s) is that old, then each time it comes round."""
        if self.every is not None:
            self.screen.set_timer(self.FIRST_LOOK, self._fetch_if_due)
            self.screen.set_interval(self.LOOK_EVERY, self._fetch_if_due)

    async def _fetch_if_due(self) -> None:
        every = self.every
        if self.running or every is None:
            return
        if self._tried is not None and time.monotonic() - self._tried < every:
            return  # e.g. a fetch that failed: tried again when the time comes round
        from ..core.feeds import last_fetched

        last = await asyncio.to_thread(last_fetched, self.library.corpus)
        if last is not None and time.time() - last >= every:
            self.fetch(background=True)

    def fetch(self, *, background: bool = False) -> None:
        """Fetch every feed now, unless a fetch is under way (which F says)."""
        if self.running:
            if not background:
                self.screen.status.flash("Already fetching the feeds.")
            return
        self.running = True
        self._tried = time.monotonic()
        self.finished.clear()
        self.screen.run_worker(self._fetch(background), group="fetch")

    async def _fetch(self, background: bool) -> None:
        screen, status = self.screen, self.screen.status
        try:
            from ..core.feeds import has_feeds

            if not await asyncio.to_thread(has_feeds, self.library.corpus):
                if not background:
                    screen.app.notify(self._how_to_subscribe(), title="No feeds", timeout=12,
                                      markup=False)
                return
            self._reporting = True
            self._show(FeedFetched(0, 0))
            try:
                outcome = await self.fetcher.run(self.library.corpus, self._tell)
            except FetcherFailed as exc:
                if not (background and BUSY in str(exc)):
                    status.say(f"Feeds: {clean_text(str(exc))}", error=True)
                return
            finally:
                self._reporting = False
                status.fetching_finished()
            if outcome.new:  # said once the list shows them
                status.say(f"Feeds: {outcome.new:,} new; adding them to the list…")
                await screen.loader.caught_up()
            self._tell_outcome(outcome, background)
        finally:
            self.running = False
            self.runs += 1
            self.finished.set()

    def _tell(self, event: FeedFetched) -> None:
        """A feed is done (from any thread): shown on the status line."""
        self.screen.call_later(self._show, event)

    def _show(self, event: FeedFetched) -> None:
        if not self._reporting:
            return  # a report queued behind the fetch's end
        if event.new and not self.screen.loader.watching:
            self.screen.loader.request()  # its articles in the list as they come
        if event.total:
            name = f" · last: {clean_text(event.feed)}" if event.feed else ""
            progress = f"Fetching feeds: {event.done:,} of {event.total:,} done{name}"
        else:
            progress = "Fetching the feeds…"
        self.screen.status.fetching(progress)

    def _tell_outcome(self, outcome: Fetched, background: bool) -> None:
        message = f"Feeds: {clean_text(outcome.summary)}"
        if background and not outcome.new and not outcome.failed:
            self.screen.status.flash(message)
        else:
            self.screen.status.say(message)
        if outcome.failed and not background:
            lines = [clean_text(line) for line in outcome.failed[:FAILED_SHOWN]]
            if len(outcome.failed) > FAILED_SHOWN:
                lines.append(f"and {len(outcome.failed) - FAILED_SHOWN} more "
                             "('reader feeds list' names each)")
            count = len(outcome.failed)
            self.screen.app.notify("\n".join(lines), severity="warning", timeout=15,
                                   title=f"{count} feed{'s' if count != 1 else ''} failed",
                                   markup=False)

    def _how_to_subscribe(self) -> str:
        corpus = self.library.corpus.expanduser().resolve()
        if corpus == BUNDLED_CORPUS.resolve():
            return ("This is the bundled sample folder: feeds write into a folder of your own. "
                    "In a shell: reader feeds add URL --corpus ~/news, then reader ~/news.")
        return ("This folder has no feeds yet. In a shell: reader feeds add URL --corpus "
                f"{shlex.quote(str(corpus))}; then F fetches them.")

    def stop(self) -> None:
        """Stop a fetch under way (the app is quitting): the articles written are whole."""
        if self.running:
            self.fetcher.stop()

    async def stopped(self) -> None:
        """Once a stopped fetch has put its files away, a second at most."""
        await self.fetcher.stopped(self.QUIT_WAIT)
