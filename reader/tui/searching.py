"""The search flow's helpers on the main screen: the search history (up and down in the
box), what the status line and an empty list say of a search (corrected, cut short,
nothing searchable yet), the other search a note offers (ctrl+r), and showing a whole query
(a saved search, a tag) as if typed."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import work
from textual.css.query import NoMatches

if TYPE_CHECKING:
    from ..core.search import Results
    from .library import Library

#: Past queries up and down walk through.
HISTORY_WALKED = 200


class SearchActions:
    """A part of MainScreen, kept apart so that each file reads in one sitting."""

    library: Library
    _remembered = ""

    def key_of(self, binding_id: str, default: str) -> str:
        """The key of a binding as the reader has it (remapped in the settings or not)."""
        keys = getattr(self.app, "settings", None)
        keymap = keys.keys if keys is not None else {}
        return keymap.get(binding_id, default).split(",")[0].strip()

    # --- history --------------------------------------------------------------------------

    def search_history(self) -> list[str]:
        state = self.library.state
        return state.search_history(HISTORY_WALKED) if state is not None else []

    def remember_search(self, text: str) -> None:
        """Keep a query the reader went on with (to its results, an article, or away): up in
        the box brings it back, also after a restart. Not each query typed on the way."""
        text = " ".join(text.split())
        state = self.library.state
        if text and text != self._remembered and state is not None:
            self._remembered = text
            state.add_search(text)

    # --- what is said of a search -----------------------------------------------------------

    def highlighted_query(self) -> str:
        """The query whose hits the article shows: the respelling whose results are shown."""
        results = self.search_bar.results
        if results is not None and results.respelled and results.query == self.searched:
            return results.respelled
        return self.searched

    def results_note(self, results: Results) -> str:
        """The status line's word on results that are not simply the query's."""
        key = self.key_of("app.search_instead", "ctrl+r")
        if results.respelled and results.hits:
            return (f"Showing results for \u201c{results.respelled}\u201d; {key} searches for "
                    f"\u201c{results.query}\u201d exactly instead.")
        if results.cut_short:
            return f"Search: {results.cut_short}."
        if results.suggestion and results.hits:
            return f"Did you mean \u201c{results.suggestion}\u201d? {key} searches for it."
        return ""

    def no_results_text(self, results: Results) -> str:
        """What the empty list says: why nothing is found, and what might be."""
        indexing = self.search_bar.indexing
        if results.searched == 0 and indexing:
            done, total = indexing
            counts = f" {done:,} of {total:,} articles" if total else " the articles"
            return (f"Nothing is searchable yet: indexing{counts}. The results come as soon "
                    "as the first ones are in.")
        empty = f"No results: {results.note}." if results.note else "No results."
        if results.suggestion:
            empty += f" Did you mean: {results.suggestion}  (enter searches for it)"
        return empty

    # --- other searches -------------------------------------------------------------------

    def action_search_instead(self) -> None:
        """The other search the status line offers: the query exactly as typed, after its
        respelling's results; or the respelling suggested beside the results."""
        results = self.search_bar.results
        if not self.searched or results is None or results.query != self.searched:
            self.app.bell()
        elif results.respelled:
            self.show_query(results.query, exact=True)
        elif results.suggestion:
            self.show_query(results.suggestion)
        else:
            self.app.bell()
            self.status.flash("This search has no other to offer.")

    @work(exclusive=True, group="show-query")
    async def show_query(self, text: str, *, exact: bool = False) -> None:
        """Show the results of a whole query (a saved search, a tag, the other search) as if
        it had been typed; the focus stays where it is, or goes to the list from the pane."""
        bar = self.search_bar
        bar.cancel()
        with bar.input.prevent(bar.input.Changed):
            bar.input.show_query(text)
        results = await bar.search(text, self.result_sort, exact=exact)
        if results is None:
            return
        try:
            self._show_results(text, results)
            if self.focused is self.sections_pane or self.focused is None:
                self.set_focus(self.article_list)
        except NoMatches:  # the app is closing: its panes went before this worker
            return
