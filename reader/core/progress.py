"""What the indexer and fetch processes tell the app: one JSON object a line on their
standard output.

``reader index --progress-json`` and ``reader fetch --progress-json`` write these events
(cli.py, cli_feeds.py) and the app reads them back (tui/indexer.py, tui/fetcher.py); this
module alone knows their form, so the two sides cannot drift apart.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:  # not imported here: reading events never imports httpx and feedparser
    from .feeds import FeedResult, FetchReport


@dataclass(frozen=True, slots=True)
class Progress:
    """``done`` of ``total`` articles read so far."""

    done: int
    total: int


@dataclass(frozen=True, slots=True)
class Committed:
    """A batch is committed: searches and the listing see ``done`` of ``total`` articles."""

    done: int
    total: int


class Report(Protocol):
    """What an update reports (``reader.core.index.UpdateReport``; not imported here, so
    that reading events never imports Whoosh)."""

    @property
    def added(self) -> Sequence[str]: ...
    @property
    def updated(self) -> Sequence[str]: ...
    @property
    def removed(self) -> Sequence[str]: ...
    @property
    def skipped(self) -> Mapping[str, str]: ...
    @property
    def interrupted(self) -> bool: ...


@dataclass(frozen=True, slots=True)
class Done:
    """The update is over: how many articles changed, which files were skipped and why,
    whether it was interrupted, and the index's notices (a rebuild, a fall back to memory)."""

    added: int = 0
    updated: int = 0
    removed: int = 0
    skipped: dict[str, str] = field(default_factory=dict)
    interrupted: bool = False
    notices: list[str] = field(default_factory=list)

    @classmethod
    def of(cls, report: Report, notices: Sequence[str] = ()) -> Done:
        return cls(added=len(report.added), updated=len(report.updated),
                   removed=len(report.removed), skipped=dict(report.skipped),
                   interrupted=report.interrupted, notices=list(notices))


@dataclass(frozen=True, slots=True)
class FeedFetched:
    """A fetch's progress: ``done`` of ``total`` feeds fetched, the last one named ``feed``
    (none at the start, when ``done`` is 0), the articles it wrote and why it failed."""

    done: int
    total: int
    feed: str = ""
    new: int = 0
    error: str = ""

    @classmethod
    def of(cls, done: int, total: int, result: FeedResult | None) -> FeedFetched:
        if result is None:
            return cls(done, total)
        return cls(done, total, result.feed.label, len(result.new), result.error or "")


@dataclass(frozen=True, slots=True)
class Fetched:
    """The fetch is over: its one-line ``summary``, the new articles, and each feed that
    failed as a line naming it and why."""

    summary: str
    new: int = 0
    failed: list[str] = field(default_factory=list)
    interrupted: bool = False

    @classmethod
    def of(cls, report: FetchReport) -> Fetched:
        return cls(report.summary(), report.new,
                   [f"{result.feed.label}: {result.error}" for result in report.failed],
                   report.interrupted)


Event = Progress | Committed | Done | FeedFetched | Fetched
_KINDS: dict[str, type[Event]] = {
    "progress": Progress, "commit": Committed, "done": Done, "feed": FeedFetched,
    "fetched": Fetched}
_NAMES = {kind: name for name, kind in _KINDS.items()}


def encode(event: Event) -> str:
    """The event as one line of JSON, newline included."""
    fields = {name: getattr(event, name) for name in event.__dataclass_fields__}
    return json.dumps({"event": _NAMES[type(event)], **fields}) + "\n"


def decode(line: str | bytes) -> Event | None:
    """The event a line holds; None for anything else (a stray line of output, a line cut
    short by a killed process), which the reader skips."""
    try:
        data = json.loads(line)
        kind = _KINDS[data.pop("event")]
        event = kind(**data)
    except (ValueError, TypeError, KeyError, AttributeError):
        return None
    return event if _well_typed(event) else None


def _well_typed(event: Event) -> bool:
    if isinstance(event, Progress | Committed):
        return _count(event.done) and _count(event.total)
    if isinstance(event, FeedFetched):
        return (_count(event.done) and _count(event.total) and _count(event.new)
                and isinstance(event.feed, str) and isinstance(event.error, str))
    if isinstance(event, Fetched):
        return (isinstance(event.summary, str) and _count(event.new)
                and isinstance(event.failed, list)
                and all(isinstance(line, str) for line in event.failed)
                and isinstance(event.interrupted, bool))
    return (all(_count(n) for n in (event.added, event.updated, event.removed))
            and isinstance(event.skipped, dict)
            and all(isinstance(k, str) and isinstance(v, str) for k, v in event.skipped.items())
            and isinstance(event.interrupted, bool) and isinstance(event.notices, list)
            and all(isinstance(notice, str) for notice in event.notices))


def _count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


class Reporter:
    """Sends an update's progress and commits as they happen (``CorpusIndex.update``'s
    callbacks), progress five times a second at most, and always at its start and end:
    each one redraws the app's status line."""

    def __init__(self, send: Callable[[Event], object], interval: float = 0.2) -> None:
        self._send = send
        self._interval = interval
        self._last = float("-inf")

    def progress(self, done: int, total: int) -> None:
        now = time.monotonic()
        if now - self._last >= self._interval or done in (0, total):
            self._last = now
            self._send(Progress(done, total))

    def committed(self, done: int, total: int) -> None:
        self._send(Committed(done, total))
