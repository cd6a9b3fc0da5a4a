"""The sections pane on the main screen, and moving between the panes: which places the pane
lists with their counts (worked out off the event loop), what choosing one shows, ``1``
``2`` ``3`` and tab, and showing or hiding the pane (remembered, for every corpus)."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from textual import events, work
from textual.css.query import NoMatches

from ..core.errors import QueryError
from ..core.listing import Entry
from .tallies import QueryTally, Tally, query_tally, section_tallies
from .widgets.sections_pane import Place, SectionsPane

if TYPE_CHECKING:
    from .library import Library

#: Below this many columns the panes stack and the sections pane is hidden.
SECTIONS_MIN_WIDTH = 100
#: Seconds the counts wait for more changes before they are worked out again.
COUNT_DELAY = 0.05


def tag_query(tag: str) -> str:
    """The search that shows a tag's articles (the reader's tags and the files' own)."""
    return f'tags:"{tag}"'


def _copy(tally: Tally | None) -> Tally | None:
    return None if tally is None else Tally(tally.total, tally.unread)


class PaneActions:
    """The sections pane's part of MainScreen, kept apart so that each file reads in one
    sitting."""

    library: Library
    #: Whether the reader wants the sections pane (it is hidden below 100 columns anyway).
    sections_wanted = True

    @property
    def sections_pane(self) -> SectionsPane:
        return self.query_one(SectionsPane)

    def sections_visible(self) -> bool:
        return self.sections_wanted and not self.has_class("-narrow")

    # --- what the pane lists ----------------------------------------------------------------

    def queries(self) -> list[str]:
        """The queries whose counts the pane shows: saved searches', then tags'."""
        return ([saved.query for saved in self.library.saved]
                + [tag_query(tag) for tag in self.library.tag_names()])

    def places(self) -> list[Place | str]:
        library = self.library
        tallies = library.tallies
        rows: list[Place | str] = [Place("all", "", "All articles", _copy(tallies.section("")))]
        sections = sorted(name for name in tallies.sections if name)
        if sections:
            rows.append("Sections")
        for name in sections:
            rows.append(Place("section", name, name.rpartition("/")[2],
                              _copy(tallies.sections[name]), depth=name.count("/")))
        rows.append("Saved searches")
        for saved in library.saved:
            rows.append(Place("saved", saved.name, saved.name,
                              _copy(tallies.queries.get(saved.query))))
        if not library.saved:
            rows.append("  ctrl+s saves one")
        tags = library.tag_names()
        rows.append("Tags")
        for tag in tags:
            rows.append(Place("tag", tag, tag, _copy(tallies.queries.get(tag_query(tag)))))
        if not tags:
            rows.append("  t tags an article")
        return rows

    def shown_place(self) -> Place:
        """What the list shows, as a place of the pane: a saved search or a tag whose query
        is the one searched, else the section."""
        searched = self.highlighted_query()  # a respelled query's results are its respelling's
        if searched:
            for saved in self.library.saved:
                if saved.query == searched:
                    return Place("saved", saved.name, saved.name)
            for tag in self.library.tag_names():
                if tag_query(tag) == searched:
                    return Place("tag", tag, tag)
            return Place("all", "", "search results")
        if self.section:
            return Place("section", self.section, self.section)
        return Place("all", "", "All articles")

    def refresh_pane(self) -> None:
        if self.sections_visible():
            current = self.shown_place()
            self.sections_pane.show(self.places(), "" if current.label == "search results"
                                    else current.id)

    # --- counting, off the event loop ---------------------------------------------------------

    _counting = False
    _count_again = False

    def count_soon(self) -> None:
        """Work out every count again (the list, the marks or the index changed): now, or
        once more after the count under way (one worker, never cancelled half way)."""
        if self._counting:
            self._count_again = True
            return
        self._counting = True
        self._count()

    @work(group="tally")
    async def _count(self) -> None:
        library, tallies = self.library, self.library.tallies
        try:
            again = True
            while again:
                await asyncio.sleep(COUNT_DELAY)  # a burst of changes is counted once
                self._count_again = False
                version, entries, queries = tallies.version, library.entries, self.queries()
                read = frozenset(library.read)
                sections, counted = await asyncio.to_thread(self._counts, entries, read,
                                                            queries)
                # Marks made meanwhile: counted again, from the marks as they are then.
                again = self._count_again or tallies.version != version
                if not again:
                    tallies.sections, tallies.queries = sections, counted
        finally:
            self._counting = False
        try:
            self.refresh_pane()
            self._draw_header()
        except NoMatches:  # the app is closing: its panes went before this worker
            return

    def _counts(self, entries: list[Entry], read: frozenset[str],
                queries: list[str]) -> tuple[dict[str, Tally], dict[str, QueryTally]]:
        """(In a thread.) Every section's counts and every query's."""
        sections = section_tallies(entries, read)
        counted: dict[str, QueryTally] = {}
        if queries and self.library.index is not None:
            searcher = self.library.searcher()
            for text in queries:
                try:
                    counted[text] = query_tally(searcher.paths(text), read)
                except QueryError as exc:
                    counted[text] = QueryTally(problem=str(exc))
        return sections, counted

    # --- choosing a place -----------------------------------------------------------------

    # (Handlers by name: Textual finds @on handlers only on its own classes, not on a mixin.)
    def on_sections_pane_chosen(self, message: SectionsPane.Chosen) -> None:
        place = message.place
        if place.kind == "saved":
            saved = next((s for s in self.library.saved if s.name == place.key), None)
            if saved is not None:
                self.show_query(saved.query)
            return
        if place.kind == "tag":
            self.show_query(tag_query(place.key))
            return
        if self.searched:
            self.leave_search()
        self.section = place.key or None
        self.set_focus(self.article_list)

    # --- panes ----------------------------------------------------------------------------

    def on_resize(self, event: events.Resize) -> None:
        """Wide again: the pane shows, with what changed while it was hidden."""
        self.call_after_refresh(self.refresh_pane)

    def pane_order(self) -> list:
        panes = [self.article_list, self.article_view]
        return [self.sections_pane, *panes] if self.sections_visible() else panes

    def action_switch_pane(self) -> None:
        """Tab: the next pane (from the search box, the list)."""
        panes = self.pane_order()
        focused = self.focused
        if focused in panes:
            self.set_focus(panes[(panes.index(focused) + 1) % len(panes)])
        else:
            self.set_focus(self.article_list)

    def action_focus_pane(self, pane: str) -> None:
        if pane == "sections":
            if self.has_class("-narrow"):
                self.app.bell()
                self.status.flash("The sections pane shows at 100 columns or more; ctrl+p "
                                  "then \"Show section\" chooses one here.")
                return
            if not self.sections_wanted:
                self.show_sections(True)
            self.set_focus(self.sections_pane)
        else:
            self.set_focus(self.article_list if pane == "list" else self.article_view)

    def action_toggle_sections(self) -> None:
        if self.has_class("-narrow"):  # nothing to show or hide here: the choice stays
            self.status.flash("The sections pane shows at 100 columns or more.")
            return
        self.show_sections(not self.sections_wanted)
        self.status.flash("Sections pane shown." if self.sections_wanted
                          else "Sections pane hidden (B shows it again).")

    def show_sections(self, wanted: bool) -> None:
        """Show or hide the pane, and keep the choice for the next start."""
        if not wanted and self.focused is self.sections_pane:
            self.set_focus(self.article_list)
        self.sections_wanted = wanted
        self.set_class(wanted, "-with-sections")
        if self.library.state is not None:
            self.library.state.set_view("sections_pane", wanted, every_corpus=True)
        self.refresh_pane()
