"""The search box, with the result count (or the query's problem) beside it."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.message import Message
from textual.widgets import Input, Label


class SearchInput(Input):
    BINDINGS = [
        Binding("escape", "leave", "Leave search", show=False, id="search.leave"),
        Binding("down", "to_results", "Results", show=False, id="search.results"),
    ]

    class Leave(Message):
        """Escape in the search box: back to the full list."""

    class ToResults(Message):
        """Down arrow in the search box: move to the results."""

    def action_leave(self) -> None:
        self.post_message(self.Leave())

    def action_to_results(self) -> None:
        self.post_message(self.ToResults())


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
        self.query_one("#search-status", Label).update(Text(message))
