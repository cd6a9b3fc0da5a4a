"""Keeping the index up to date while the app runs, and telling the screen how it goes.

``ProcessIndexer``, for daily use, runs ``reader index`` in a process of its own below the
app's priority (reader/core/spawn.py), so a long build never makes a key press wait for the
GIL, and watches the folder for changes. ``InProcessIndexer`` runs the same update in a
thread of the app: for an index kept in memory (nothing else can reach it) and for tests.
Either is handed to the app; the screen runs it and hears its progress as messages.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
from abc import ABC, abstractmethod
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import TYPE_CHECKING

from textual.message import Message

from ..core.articles import clean_text
from ..core.progress import Committed, Done, Event, Progress, Reporter
from ..core.spawn import INDEXER_SPAWN, index_command, indexer_env, read_events

if TYPE_CHECKING:
    from ..core.index import CorpusIndex

#: Seconds an update in the app's own process waits for another one (another reader) to end.
LOCK_WAIT = 3600.0
#: The longest line read from the indexer process: its last event names every skipped file.
LINE_LIMIT = 1 << 26


class IndexProgress(Message):
    """``done`` of ``total`` articles read."""

    def __init__(self, done: int, total: int) -> None:
        super().__init__()
        self.done = done
        self.total = total


class IndexCommitted(Message):
    """A batch is in the index: searches and the list can see ``done`` of ``total``."""

    def __init__(self, done: int, total: int) -> None:
        super().__init__()
        self.done = done
        self.total = total


def as_message(event: Event) -> Message | None:
    if isinstance(event, Progress):
        return IndexProgress(event.done, event.total)
    if isinstance(event, Committed):
        return IndexCommitted(event.done, event.total)
    return None


class IndexerFailed(Exception):
    """The update could not be made; the message says why, in a line."""


class Indexer(ABC):
    """Brings a corpus's index up to date, telling ``tell`` (from any thread) its progress
    and commits; the outcome is what ``run`` returns."""

    #: Whether the folder is watched while the app runs, a change bringing the index up to
    #: date again.
    watches: bool = False

    @abstractmethod
    async def run(self, index: CorpusIndex, *, rebuild: bool,
                  tell: Callable[[Event], object]) -> Done: ...

    def stop(self) -> None:  # noqa: B027 - an update in this process cannot be stopped
        """Stop the update under way, keeping what it committed."""


class ProcessIndexer(Indexer):
    """``reader index --progress-json`` in its own session, at the lowest priority."""

    watches = True

    def __init__(self, corpus: Path, index_dir: Path | None = None) -> None:
        self.corpus = corpus
        self.index_dir = index_dir
        self._process: asyncio.subprocess.Process | None = None

    async def run(self, index: CorpusIndex, *, rebuild: bool,
                  tell: Callable[[Event], object]) -> Done:
        try:
            process = await asyncio.create_subprocess_exec(
                *index_command(self.corpus, self.index_dir, rebuild=rebuild),
                stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE, env=indexer_env(), limit=LINE_LIMIT,
                **INDEXER_SPAWN,  # key presses first, indexing in the gaps
            )
        except OSError as exc:
            raise IndexerFailed(f"Cannot start indexing: {exc}") from exc
        self._process = process
        try:
            done, last_line, status = await read_events(process, Done, tell)
        finally:
            if self._process is process:
                self._process = None
        if done is None:  # an interrupted update still says what it kept
            raise IndexerFailed("Indexing failed: " + (last_line or f"exit status {status}"))
        return done

    def stop(self) -> None:
        process = self._process
        if process is not None and process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                process.send_signal(signal.SIGINT)


class InProcessIndexer(Indexer):
    """The update in a thread of the app; ``watch`` to follow the folder's changes too."""

    def __init__(self, *, watch: bool = False) -> None:
        self.watches = watch

    async def run(self, index: CorpusIndex, *, rebuild: bool,
                  tell: Callable[[Event], object]) -> Done:
        reporter = Reporter(tell)

        def update() -> Done:
            known = len(index.notices)  # the index's notices so far were said at its opening
            report = index.update(rebuild=rebuild, progress=reporter.progress,
                                  committed=reporter.committed, lock_timeout=LOCK_WAIT)
            return Done.of(report, index.notices[known:])

        try:
            return await asyncio.to_thread(update)
        except Exception as exc:  # the folder gone, the index busy past the wait, ...
            raise IndexerFailed(f"Indexing failed: {exc}") from exc


async def folder_changes(root: Path) -> AsyncIterator[None]:
    """Once for each batch of changes to the articles under ``root`` (OSError or
    RuntimeError when the folder cannot be watched)."""
    from watchfiles import awatch

    def articles_only(change: object, path: str) -> bool:
        return path.lower().endswith(".txt") or os.path.isdir(path)

    async for _changes in awatch(root, watch_filter=articles_only, debounce=400, step=100,
                                 recursive=True):
        yield


#: How a run that changed nothing ends.
UP_TO_DATE = "Index up to date."


def summary(done: Done) -> str:
    """The status line after an update: what changed, and what was skipped (a lone file
    named with its reason; for more, where the app lists them)."""
    parts = [f"{count:,} {name}" for name, count in (
        ("added", done.added), ("updated", done.updated), ("removed", done.removed)) if count]
    if len(done.skipped) == 1:  # names and reasons made inert first
        (path, reason), = done.skipped.items()
        parts.append(f"1 skipped: {clean_text(path)} ({clean_text(reason)})")
    elif done.skipped:
        parts.append(f"{len(done.skipped):,} skipped (ctrl+p → Skipped files lists them)")
    return "Index up to date: " + ", ".join(parts) if parts else UP_TO_DATE
