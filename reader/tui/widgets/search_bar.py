"""The search box, with the result count (or the query's problem) beside it.

The bar runs the searches (as you type, after a pause; or at once) off the event loop, and
tells its screen with messages; what the list then shows is the screen's business.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

from rich.text import Text
from textual import events, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.message import Message
from textual.widgets import Input, Label

from ...core.errors import QueryError
from ...core.listing import ResultSort

if TYPE_CHECKING:
    from ...core.search import Results
    from ..library import Library

#: Seconds without a key press before a search as you type runs.
SEARCH_DEBOUNCE = 0.12
SEARCH_LIMIT = 100
#: Results shown with their snippet at once; the rest get theirs a moment later.
FIRST_SNIPPETS = 24


class SearchInput(Input):
    BINDINGS = [
        Binding("escape", "leave", "Leave search", show=False, id="search.leave"),
        Binding("up", "older", "Earlier searches", id="search.older"),
        Binding("down", "newer_or_results", "Later searches; after the latest, the results",
                show=False, id="search.results"),
    ]

    #: Past queries walked with up and down, the latest first (MainScreen gives the store's).
    history: Callable[[], list[str]] = staticmethod(lambda: [])
    #: Whether the reader is working on the query in the box (typed in it, moved its cursor,
    #: clicked into it) since it was shown whole: then ``/`` is a character of the query
    #: (world/europe), else it selects the query, so that typing starts a new one.
    editing = False
    _walk: list[str] | None = None  # the history being walked, while it is
    _at = -1  # which of it the box shows; -1: what was typed before the walk
    _draft = ""

    class Leave(Message):
        """Escape in the search box: back to the full list."""

    class ToResults(Message):
        """Down arrow in the search box (at its latest query): move to the results."""

    def on_key(self, event: events.Key) -> None:
        # Before Input's own handling: any key but these edits the query or moves in it.
        if event.key not in ("up", "down", "enter", "escape", "tab", "shift+tab"):
            self.editing = True
            self._walk = None

    def on_mouse_down(self) -> None:
        self.editing = True

    def on_focus(self) -> None:
        self.editing = False
        self._walk = None

    def show_query(self, text: str) -> None:
        """Put a whole query in the box (recalled, accepted, saved), the cursor at its end:
        not being typed, so ``/`` selects it."""
        self.value = text
        self.cursor_position = len(text)
        self.editing = False

    def slash(self) -> None:
        """``/`` in the box: a character while the query is being typed, else select it."""
        if self.editing:
            self.insert_text_at_cursor("/")
        else:
            self.select_all()

    def action_leave(self) -> None:
        self.post_message(self.Leave())

    def action_older(self) -> None:
        """Up: the query searched before the one shown (the latest first)."""
        if self._walk is None:
            typed = " ".join(self.value.split())
            self._walk = [query for query in self.history() if query != typed]
            self._draft, self._at = self.value, -1
        if self._at + 1 >= len(self._walk):
            self.app.bell()
            return
        self._at += 1
        self._recall(self._walk[self._at])

    def action_newer_or_results(self) -> None:
        """Down: back towards the query typed before walking the history; from there, to
        the results."""
        if self._walk is None or self._at < 0:
            self._walk = None
            self.post_message(self.ToResults())
            return
        self._at -= 1
        self._recall(self._draft if self._at < 0 else self._walk[self._at])

    def _recall(self, text: str) -> None:
        walk, at, draft = self._walk, self._at, self._draft
        self.show_query(text)
        self._walk, self._at, self._draft = walk, at, draft


def results_status(results: Results, indexing: tuple[int, int] | None = None) -> str:
    """What the bar says of ``results``; during an update (``indexing``: done, total), how
    much of the corpus the search could see."""
    count, shown = results.total, len(results.hits)
    if results.cut_short:  # never counted: it would take longer still
        status = f"top {shown} results (the search was cut short)"
    elif count is None:
        status = f"top {shown} results, counting…"
    elif count:
        status = f"{count:,} result{'s' if count != 1 else ''}"
        if shown < count:
            status = f"top {shown} of {count:,} results"
    elif results.note:
        status = f"no results: {results.note}"
    elif results.suggestion:
        status = f"no results — did you mean: {results.suggestion}"
    else:
        status = "no results"
    if results.respelled and results.hits:
        status += f" for {results.respelled}"
    if indexing:
        done, total = indexing  # total 0: not known yet (the indexer is starting)
        if results.searched == 0:  # a first build, before its first commit
            return ("nothing is searchable yet: " + (f"indexing {done:,} of {total:,}"
                                                     if total else "indexing…"))
        if total:
            held = f"{results.searched:,} articles, " if results.searched else ""
            status += f" (in {held}indexing {done:,} of {total:,})"
    return status


class SearchBar(Horizontal):
    DEFAULT_CSS = """
    SearchBar { height: 1; width: 100%; }
    SearchBar > SearchInput {
        width: 1fr; height: 1; border: none; padding: 0 1; background: $boost;
    }
    SearchBar > SearchInput:focus { background: $primary 20%; border: none; }
    SearchBar > #search-status {
        width: auto; max-width: 60%; height: 1; padding: 0 1; color: $text-muted;
        text-wrap: nowrap; text-overflow: ellipsis;
    }
    SearchBar.-error > #search-status { color: $error; }
    """

    class Found(Message):
        """A search as you type found ``results`` for ``text``: show them."""

        def __init__(self, text: str, results: Results) -> None:
            super().__init__()
            self.text = text
            self.results = results

    class Failed(Message):
        """The query cannot run; ``problem`` says why in a line (shown beside the box, where
        a narrow pane may cut it short)."""

        def __init__(self, text: str, problem: str) -> None:
            super().__init__()
            self.text = text
            self.problem = problem

    class Counted(Message):
        """The results shown are counted (a large set, a moment after it showed)."""

    class SnippetsAdded(Message):
        """The results below the first screenful have their snippets now."""

    def __init__(self, library: Library, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.library = library
        #: The latest results found (None once the search is left).
        self.results: Results | None = None
        #: (done, total) while the index is being updated: searches see only part of it.
        self.indexing: tuple[int, int] | None = None
        #: The query last searched exactly as typed (not respelled), while it is the one
        #: searched: searched again (as the index changes), it stays exact.
        self.exact: str | None = None

    def compose(self) -> ComposeResult:
        yield SearchInput(placeholder="/ search: words, \"a phrase\", title:word",
                          id="search-input", select_on_focus=False)
        yield Label("", id="search-status", markup=False)

    @property
    def input(self) -> SearchInput:
        return self.query_one(SearchInput)

    @property
    def value(self) -> str:
        return self.input.value

    def set_status(self, message: str, *, error: bool = False) -> None:
        self.set_class(error, "-error")
        for label in self.query("#search-status").results(Label):  # none as the app closes
            label.update(Text(message))

    # --- searching -------------------------------------------------------------------------

    @work(exclusive=True, group="search")
    async def search_soon(self, text: str, sort: ResultSort) -> None:
        """Search as you type: a newer key press cancels this one while it waits."""
        await asyncio.sleep(SEARCH_DEBOUNCE)
        if self.library.index is None:
            self.set_status("loading…")
        results = await self.search(text, sort, exact=text == self.exact)
        if results is not None:
            self.post_message(self.Found(text, results))

    async def search(self, text: str, sort: ResultSort, *, exact: bool = False
                     ) -> Results | None:
        """Search now (None when the index could not be opened, or the query cannot run:
        then ``Failed`` is posted). A typo is respelled and its respelling's results come
        back, unless ``exact``. The count of a large result set, and the snippets below the
        first screenful, follow."""
        if await self.library.wait_index() is None:
            return None
        self.exact = text if exact else None
        try:
            results = await asyncio.to_thread(self._search, text, sort, exact)
        except QueryError as exc:
            self.set_status(str(exc), error=True)
            self.post_message(self.Failed(text, str(exc)))
            return None
        self.results = results
        self.set_status(results_status(results, self.indexing))
        if results.total is None and not results.cut_short:
            self._count(results)
        self._add_snippets(results)
        return results

    def _search(self, text: str, sort: ResultSort, exact: bool) -> Results:
        return self.library.searcher().search(text, limit=SEARCH_LIMIT, sort=sort,
                                              snippets=FIRST_SNIPPETS, count=False,
                                              correct=not exact)

    def cancel(self) -> None:
        """Forget a search as you type that has not run yet."""
        self.workers.cancel_group(self, "search")

    def clear(self) -> None:
        """An empty box, nothing beside it: the search is left."""
        self.cancel()
        self.results = None
        self.exact = None
        with self.input.prevent(Input.Changed):
            self.input.value = ""
        self.set_status("")

    @work(exclusive=True, group="count")
    async def _count(self, results: Results) -> None:
        """The number of matches of a large result set, just after the results are shown."""
        try:
            await asyncio.to_thread(lambda: self.library.searcher().count(results))
        except QueryError:
            return
        if self.results is results:
            self.set_status(results_status(results, self.indexing))
            self.post_message(self.Counted())

    @work(exclusive=True, group="snippets")
    async def _add_snippets(self, results: Results) -> None:
        """Snippets for the results below the first screenful, after they are shown."""
        rest = results.hits[FIRST_SNIPPETS:]
        if not rest:
            return
        stop = threading.Event()
        try:
            await asyncio.to_thread(
                lambda: self.library.searcher().add_snippets(rest, results.terms, stop.is_set))
        except asyncio.CancelledError:
            stop.set()  # a newer search: the thread stops at the next hit
            raise
        self.post_message(self.SnippetsAdded())
