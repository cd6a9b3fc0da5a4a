"""The search flow on the main screen: the box's query searched as it is typed, its results
shown in the list (or its problem on the status line), enter and down to the results, escape
back to the full list where it was."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .widgets.search_bar import SearchBar, SearchInput

if TYPE_CHECKING:
    from ..core.search import Results


class SearchFlow:
    """A part of MainScreen, kept apart so that each file reads in one sitting. (Handlers by
    name: Textual finds @on handlers only on its own classes, not on a mixin.)"""

    _all_cursor_path: str | None = None  # where the full list's cursor was before a search
    _query_problem = ""  # a query's problem or note, while the status line says it

    def action_search(self) -> None:
        box = self.search_bar.input
        if self.focused is box:  # while typing, a character of the query (world/europe)
            box.slash()
        else:
            self.set_focus(box)  # not focus(): keys typed right after "/" must land in it
            box.select_all()  # the last query, selected: typing starts a new one

    def on_input_changed(self, event: SearchInput.Changed) -> None:
        if event.input is not self.search_bar.input:
            return
        if event.value.strip():
            self.search_bar.search_soon(event.value, self.result_sort)
            return
        self.search_bar.cancel()
        self.search_bar.set_status("")
        self._query_mended()
        if self.searched:
            self._show_all()

    def on_search_bar_found(self, message: SearchBar.Found) -> None:
        self._show_results(message.text, message.results)

    def on_search_bar_failed(self, message: SearchBar.Failed) -> None:
        """The query's problem, whole on the status line, until it is mended or left."""
        self._say_of_query(f"Search: {message.problem}", error=True)

    def _say_of_query(self, message: str, *, error: bool = False) -> None:
        """Say something of the search shown, until its query changes or it is left."""
        self._query_problem = message
        self.status.say(message, error=error)

    def on_search_bar_counted(self) -> None:
        self._draw_header()

    def on_search_bar_snippets_added(self) -> None:
        self.article_list.refresh()

    def _query_mended(self) -> None:
        if self._query_problem and self.status.message == self._query_problem:
            self.status.say("")
        self._query_problem = ""

    def _show_results(self, text: str, results: Results) -> None:
        self._query_mended()
        again = self.searched == text  # searched again (the index changed): stay on the row
        if not self.searched:
            self._all_cursor_path = self.article_list.current_path
        self.searched = text
        self.article_list.set_rows(results.hits, row_height=2, cursor=0,
                                   cursor_path=self.article_list.current_path if again else None,
                                   empty_text=self.no_results_text(results))
        note = self.results_note(results)
        if note:
            self._say_of_query(note)
        self.refresh_pane()
        self._draw_header()

    def _show_all(self) -> None:
        self.searched = ""
        self._show_entries(cursor_path=self._all_cursor_path)

    async def on_input_submitted(self, event: SearchInput.Submitted) -> None:
        if event.input is self.search_bar.input:
            await self._to_results(event)

    async def on_search_input_to_results(self, event: SearchInput.ToResults) -> None:
        await self._to_results(event)

    async def _to_results(self, event: SearchInput.Submitted | SearchInput.ToResults) -> None:
        """Go to the results of what is in the box, waiting for them when the search is still
        pending: "nvidia", enter, enter typed at once opens the first hit, not the article
        that was first before the search."""
        bar = self.search_bar
        if self.focused is not bar.input:
            # Typed ahead: the box got this key before the first one moved to the results.
            if isinstance(event, SearchInput.Submitted):
                self.article_list.action_select()
            else:
                self.article_list.action_cursor_down()
            return
        text, shown = bar.value, bar.results
        accepted = (isinstance(event, SearchInput.Submitted) and self.searched == text
                    and shown is not None and not shown.hits and shown.suggestion)
        if accepted:
            # Enter on "No results. Did you mean: …" takes the suggestion; the box keeps
            # the focus, so that what is typed next goes on in the query, never to a command.
            text = shown.suggestion
            with bar.input.prevent(SearchInput.Changed):
                bar.input.show_query(text)
        if self.library.index is not None and text.strip() and self.searched != text:
            bar.cancel()
            results = await bar.search(text, self.result_sort, exact=text == bar.exact)
            if results is None:
                return  # stay in the box to mend the query
            self._show_results(text, results)
        if accepted:
            return
        self.remember_search(text)
        self.set_focus(self.article_list)

    def on_search_input_leave(self) -> None:
        self.leave_search()

    def leave_search(self) -> None:
        """Back to the full list where it was, the box emptied (the query kept in the
        history: up in the box brings it back)."""
        self.remember_search(self.searched)
        self.search_bar.clear()
        self._query_mended()
        if self.searched:
            self._show_all()
        self.set_focus(self.article_list)
