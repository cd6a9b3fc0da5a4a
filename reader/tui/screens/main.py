"""The main screen: the search box over the article list, the article beside it (below it
in a narrow terminal), the status line.

What the list shows is reactive state (the view, the section, the order, the search shown)
and the header is drawn from it in one place, ``_draw_header``. The index, the list and the
marks are the Library's; the Loader keeps the list and the index up to date; the search box,
the article pane and the indexer report back with messages.
"""

from __future__ import annotations

import asyncio
import gc
from typing import TYPE_CHECKING

from textual import events, on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import Footer, Header

from ...core.listing import SORTS, VIEWS, Entry, ResultSort, Sort, View, sort_entries
from ...core.state import peek_shared, peek_split
from ..actions import ArticleActions
from ..fetcher import Feeds, Fetcher, ProcessFetcher
from ..indexer import UP_TO_DATE, IndexCommitted, Indexer, IndexProgress
from ..keys import MAIN_BINDINGS
from ..library import Library
from ..loader import Loader
from ..organize import OrganizeActions
from ..panes import PaneActions
from ..reading import ReadingActions
from ..search_flow import SearchFlow
from ..searching import SearchActions
from ..widgets import ArticleList, ArticleView, SearchBar, StatusLine
from ..widgets.sections_pane import SectionsPane

if TYPE_CHECKING:
    pass

SORT_LABELS = {"date": "newest first", "title": "by title", "relevance": "by relevance"}
EMPTY_VIEW = {
    "all": "No articles in this folder (add .txt files; they appear here).",
    "unread": "Nothing unread here. v switches the view.",
    "starred": "No starred articles yet: s stars the one you are on.",
}


class MainScreen(ArticleActions, ReadingActions, PaneActions, SearchActions, SearchFlow,
                 OrganizeActions, Screen[None]):
    """Choose an article, read it, search."""

    # The list has the focus as the screen first shows; a deferred focus() in on_mount could
    # land after a "/" typed at once and pull the keys that follow away from the search box.
    AUTO_FOCUS = "#articles"
    BINDINGS = MAIN_BINDINGS

    #: Which articles the full list shows, and of which section (with its subsections).
    view: reactive[View] = reactive("all", always_update=True, init=False)
    section: reactive[str | None] = reactive(None, always_update=True, init=False)
    #: The order of the full list, and of search results.
    sort: reactive[Sort] = reactive("date", init=False)
    result_sort: reactive[ResultSort] = reactive("relevance", always_update=True, init=False)
    #: The query whose results the list shows; "" while it shows the full list.
    searched: reactive[str] = reactive("", init=False)

    def __init__(self, library: Library, indexer: Indexer, *, text_width: int = 88,
                 scroll_animation: bool = False, fetcher: Fetcher | None = None,
                 fetch_every: float | None = None) -> None:
        super().__init__()
        self.library = library
        self.text_width = text_width
        self.scroll_animation = scroll_animation
        self.loader = Loader(self, library, indexer)
        self.feeds = Feeds(self, library, fetcher or ProcessFetcher(), every=fetch_every)
        #: How many articles there are while only the list's first screen is read.
        self._head_count: int | None = None
        #: Where the full list's cursor was when a search took its place.
        self._all_cursor_path: str | None = None
        self._query_problem = ""  # a query's problem or note, while the status line says it
        # Read before the first frame, so that the pane does not come and go.
        self.sections_wanted = peek_shared("sections_pane") is not False
        self.set_class(self.sections_wanted, "-with-sections")

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="main"):
            yield SectionsPane(id="sections")
            with Vertical(id="left"):
                yield SearchBar(self.library, id="search")
                yield ArticleList(id="articles")
            yield ArticleView(self.library, id="article")
        yield StatusLine(id="status")
        yield Footer()

    @property
    def article_list(self) -> ArticleList:
        return self.query_one(ArticleList)

    @property
    def article_view(self) -> ArticleView:
        return self.query_one(ArticleView)

    @property
    def search_bar(self) -> SearchBar:
        return self.query_one(SearchBar)

    @property
    def status(self) -> StatusLine:
        return self.query_one(StatusLine)

    #: Whether the panes are there: a key typed as the app starts can come before them.
    ready = False
    _typed_early: str | None = None  # typed after a "/" that came before the panes

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """No key acts before the panes are there (a "/" typed at once crashed the app): that
        "/" opens the search box as soon as it is there, with what was typed after it."""
        if not self.ready:
            if action == "search" and self._typed_early is None:
                self._typed_early = ""
            return False
        return super().check_action(action, parameters)

    def on_key(self, event: events.Key) -> None:
        # Keys sent to the screen before its panes were there come once they are: to the box.
        if self._typed_early is not None and event.is_printable:
            if self._typed_early or event.character != "/":  # not the "/" that asked
                self._typed_early += event.character or ""
            event.stop()

    def _search_typed_early(self) -> None:
        self.action_search()
        self.search_bar.input.insert_text_at_cursor(self._typed_early or "")
        self._typed_early = None

    def on_mount(self) -> None:
        self.ready = True
        if self._typed_early is not None:
            self.call_later(self._search_typed_early)
        listing = self.article_list
        listing.empty_text = "Loading articles…"
        listing.is_read = self.library.read.__contains__
        listing.is_starred = self.library.starred.__contains__
        listing.tags_of = lambda path: self.library.tags.get(path)
        self.search_bar.input.history = self.search_history
        self.article_view.set_text_width(self.text_width)
        self.article_view.animate_scroll = self.scroll_animation
        self.set_split(peek_split(), save=False)
        self.loader.load()
        self.feeds.start()

    def on_resize(self) -> None:
        self.call_after_refresh(self.apply_split)  # once the breakpoints' classes are set

    def on_unmount(self) -> None:
        self.ready = False
        self.loader.stop()
        self.feeds.stop()

    # --- the view state and the header --------------------------------------------------

    def _draw_header(self) -> None:
        """One order in every view: what is shown, how many, how many unread, the order."""
        if self._head_count is not None:
            self.sub_title = f"{self._head_count:,} articles · reading the list…"
            return
        if self.searched:
            place = self.shown_place()
            what = {"saved": f"saved search {place.label}", "tag": f"tag {place.label}"}
            self.sub_title = " · ".join([f"showing {what.get(place.kind, 'search results')}",
                                         *self._results_counts(),
                                         SORT_LABELS[self.result_sort]])
            return
        rows = self.article_list.rows  # the view's entries (see _show_entries)
        tally = self.library.tallies.section(self.section)
        # Unread: counted as marks change, but a starred view's are counted here (few).
        unread = (tally.unread if tally is not None and self.view != "starred"
                  else self.library.unread_count(rows))
        view = self.view + (f" in {self.section}" if self.section else "")
        count = len(rows)
        self.sub_title = " · ".join([f"showing {view}",
                                     f"{count:,} article{'s' if count != 1 else ''}",
                                     f"{unread:,} unread", SORT_LABELS[self.sort]])

    def _results_counts(self) -> list[str]:
        """How many results and how many of them unread, where that is known: every result
        shown, or a saved search's or tag's counts (kept as marks change)."""
        results = self.search_bar.results
        rows = self.article_list.rows
        total = results.total if results is not None else None
        if total is None or (rows and not hasattr(rows[0], "score")):
            return []
        counts = [f"{total:,} result{'s' if total != 1 else ''}"]
        tally = self.library.tallies.queries.get(self.highlighted_query())
        if tally is not None and not tally.problem and tally.total == total:
            counts.append(f"{tally.unread:,} unread")
        elif total == len(rows):
            counts.append(f"{self.library.unread_count(rows):,} unread")
        return counts

    def watch_view(self) -> None:
        self._view_changed()

    def watch_section(self) -> None:
        self._view_changed()

    def _view_changed(self) -> None:
        self.library.kept.clear()
        state = self.library.state
        if state is not None:
            state.set_view("view", self.view)
            state.set_view("section", self.section or "")
        if self.searched:
            self.leave_search()
        self._show_entries(cursor_path=self.article_list.current_path)
        self._draw_header()

    def watch_sort(self, sort: Sort) -> None:
        if self.library.state is not None:
            self.library.state.set_view("sort", sort)
        self.run_worker(self._sorted(self.library.entries, sort), group="sort", exclusive=True)
        self._draw_header()

    async def _sorted(self, entries: list[Entry], sort: Sort) -> None:
        """Sort off the event loop (a tenth of a second at 100,000 articles)."""
        ordered = await asyncio.to_thread(sort_entries, entries, sort)
        if self.library.entries is entries and self.sort == sort:  # else a newer one won
            self.set_entries(ordered)

    def watch_result_sort(self) -> None:
        if self.searched:
            self.search_bar.search_soon(self.searched, self.result_sort)
        self._draw_header()

    def watch_searched(self) -> None:
        self._draw_header()

    def sort_by(self, order: ResultSort) -> None:
        """Search results in ``order``; the full list too, unless that is relevance."""
        self.result_sort = order
        if order != "relevance":
            self.sort = order
        elif not self.searched:  # the full list has no query to rank by
            self.status.flash("Search results will be sorted by relevance; "
                              "the list keeps its order")

    def use_state(self, read: set[str], starred: set[str]) -> None:
        """The reading history: marks, and the view, section and sort last used here."""
        self.library.use_marks(read, starred)
        state = self.library.state
        assert state is not None
        for notice in state.notices:
            self.app.notify(notice, title="Reading history", severity="warning", timeout=10,
                            markup=False)
        view, sort, section = (state.get_view(key) for key in ("view", "sort", "section"))
        self.set_reactive(MainScreen.view, view if view in VIEWS else "all")
        self.set_reactive(MainScreen.sort, sort if sort in SORTS else "date")
        self.set_reactive(MainScreen.section,
                          section if isinstance(section, str) and section else None)
        self._session = state.session()
        self._draw_header()
        self.count_soon()

    # --- the list -------------------------------------------------------------------------

    def set_entries(self, entries: list[Entry], *, head_count: int | None = None) -> None:
        """Show a new full list, already in ``sort`` order (sorted off the event loop);
        ``head_count``: only its first screen, of that many articles."""
        self.library.entries = entries
        self._head_count = head_count
        # 100,000 entries live as long as the list: keep them out of the garbage collector's
        # full passes, each of which would otherwise stall a key press by tens of ms.
        gc.freeze()
        if not self.searched:
            self._show_entries(cursor_path=self.article_list.current_path)
        if head_count is None and entries:  # (a first run's index is empty at first)
            self.restore_session()
        self._draw_header()
        self._check_open_article()
        self.count_soon()

    def _show_entries(self, cursor_path: str | None = None) -> None:
        self.article_list.set_rows(self.library.shown(self.view, self.section),
                                   cursor_path=cursor_path, empty_text=EMPTY_VIEW[self.view],
                                   within=self.section)
        self._draw_header()
        self.refresh_pane()

    def marks_changed(self, read: set[str], starred: set[str]) -> None:
        """Marks changed in bulk: counted again (off the event loop)."""
        self.library.use_marks(read, starred)
        self.marks_shown()
        self.count_soon()

    def marks_shown(self) -> None:
        self.article_list.refresh_marks()
        self._draw_header()
        self.refresh_pane()

    def _check_open_article(self) -> None:
        """After an update: reload the open article if its file changed, say so if it went."""
        path = self.article_view.path
        if path is None or self.library.index is None:
            return
        if path not in {e.path for e in self.library.entries}:
            self.status.say("The open article was removed from the folder.")
        else:
            self.article_view.reload()

    # --- indexing -------------------------------------------------------------------------

    @on(IndexProgress)
    def _index_progress(self, message: IndexProgress) -> None:
        if self.loader.indexing:
            self.search_bar.indexing = (message.done, message.total)
            self.status.indexing(message.done, message.total)

    @on(IndexCommitted)
    def _index_committed(self, message: IndexCommitted) -> None:
        self.loader.committed(message.done, message.total)
        if self.searched:  # a first build's first batch: the search answers from it
            self._search_again()

    @work(group="search-again")
    async def _search_again(self) -> None:
        index = self.library.index
        if index is not None:
            await asyncio.to_thread(index.refresh)  # a rebuild's new generation, say
        if self.searched and self.ready:
            self.search_bar.search_soon(self.searched, self.result_sort)

    def index_started(self) -> None:
        """Searches see part of the index from now on (how much, the progress will say)."""
        if self.search_bar.indexing is None:
            self.search_bar.indexing = (0, 0)

    def index_ended(self, message: str, *, failed: bool = False) -> None:
        self.search_bar.indexing = None
        self.status.indexing_finished(message, news=failed or message != UP_TO_DATE)
        if failed:
            self.status.set_class(True, "-error")

    # --- reading --------------------------------------------------------------------------

    def open_article(self, path: str, *, focus: bool = False, remember: bool = True) -> None:
        """Open the article at ``path``, the hits of the search shown highlighted."""
        self.remember_search(self.searched)
        self.article_view.open_article(path, self.highlighted_query(), focus=focus,
                                       remember=remember)

    @on(ArticleList.Selected)
    def _selected(self, event: ArticleList.Selected) -> None:
        self.open_article(event.path, focus=True)

    @on(ArticleView.Read)
    def _read_long_enough(self, message: ArticleView.Read) -> None:
        if message.path not in self.library.read:
            self.set_read(message.path, True)

    @on(ArticleView.HitMoved)
    def _hit_moved(self, event: ArticleView.HitMoved) -> None:
        self.status.flash(f"Hit {event.number} of {event.count}")

    @on(ArticleView.Step)
    def _step(self, event: ArticleView.Step) -> None:
        listing, open_path = self.article_list, self.article_view.path
        if not listing.rows:
            return
        current = listing.index_of(open_path) if open_path else None
        index = (current if current is not None else listing.cursor) + event.step
        if 0 <= index < len(listing.rows):
            listing.move_cursor(index)
            self.open_article(listing.rows[index].path)
        else:
            self.app.bell()
            self.status.flash("No more articles in this list." if event.step > 0
                              else "This is the first article in the list.")

    # --- panes and views ------------------------------------------------------------------

    def action_back(self) -> None:
        if self.focused is self.article_view:
            self.set_focus(self.article_list)
        elif self.searched:
            self.leave_search()

    def action_fetch_feeds(self) -> None:
        self.feeds.fetch()

    def action_cycle_view(self) -> None:
        self.view = VIEWS[(VIEWS.index(self.view) + 1) % len(VIEWS)]
        # Said on the status line too: a narrow header is cut before the view's name.
        where = f" in {self.section}" if self.section else ""
        self.status.flash(f"Showing {self.view} articles{where} (v: next view)")
