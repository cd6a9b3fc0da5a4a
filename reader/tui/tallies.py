"""Unread and total counts for the sections pane and the header: of every section (with its
subsections), and of each saved search and tag. No Textual here.

They are worked out in a worker thread when the list or the index changes, then kept
current one mark at a time: a key press never walks 100,000 articles.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field

from ..core.articles import section_of
from ..core.listing import Entry


@dataclass(slots=True)
class Tally:
    total: int = 0
    unread: int = 0


@dataclass(slots=True)
class QueryTally(Tally):
    """A query's articles (a saved search's, a tag's), to keep its unread count as marks
    change; ``problem`` when it could not be counted."""

    paths: frozenset[str] = field(default_factory=frozenset)
    problem: str = ""


def section_and_parents(section: str) -> list[str]:
    """"" (every article), then each folder down to ``section``: "a/b" -> ["", "a", "a/b"]."""
    found = [""]
    if section:
        parts = section.split("/")
        found += ["/".join(parts[:n]) for n in range(1, len(parts) + 1)]
    return found


def section_tallies(entries: Iterable[Entry], read: Collection[str]) -> dict[str, Tally]:
    """Every section's articles and unread ones, a section counting its subsections' too;
    "" is the whole folder. Counted by section first (in C), then added up the folders."""
    entries = list(entries)
    totals = Counter(e.section for e in entries)
    unread = Counter(e.section for e in entries if e.path not in read)
    tallies: dict[str, Tally] = {"": Tally()}
    for section, count in totals.items():
        for name in section_and_parents(section):
            tally = tallies.setdefault(name, Tally())
            tally.total += count
            tally.unread += unread[section]
    return tallies


def query_tally(paths: Iterable[str], read: Collection[str]) -> QueryTally:
    found = frozenset(paths)
    return QueryTally(len(found), sum(1 for path in found if path not in read), found)


class Tallies:
    """The counts as last worked out, and the marks made since, one at a time."""

    def __init__(self) -> None:
        #: Section (with its subsections; "" for all) -> its tally; empty until counted.
        self.sections: dict[str, Tally] = {}
        #: Query text -> its tally (saved searches, and tags as ``tags:"name"``).
        self.queries: dict[str, QueryTally] = {}
        #: Goes up with every mark counted here: a count worked out in a thread from the
        #: marks of before is stale when it comes back.
        self.version = 0

    @property
    def ready(self) -> bool:
        return bool(self.sections)

    def marked(self, path: str, read: bool) -> None:
        """``path`` was just marked read (or unread): one less (or more) unread wherever it
        is counted."""
        self.version += 1
        step = -1 if read else 1
        for name in section_and_parents(section_of(path)):
            tally = self.sections.get(name)
            if tally is not None:
                tally.unread = max(0, min(tally.total, tally.unread + step))
        for tally in self.queries.values():
            if path in tally.paths:
                tally.unread = max(0, min(tally.total, tally.unread + step))

    def section(self, section: str | None) -> Tally | None:
        return self.sections.get(section or "")
