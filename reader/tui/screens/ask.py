"""A line asked of the reader in a small dialog: a saved search's name, an article's tags.
Enter gives it, escape cancels (the dialog's result is None then)."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.suggester import Suggester
from textual.widgets import Input, Static


class TagSuggester(Suggester):
    """Completes the last of comma-separated tags: from every tag given so far, or after a
    ``-`` (a tag to remove) from the article's own."""

    def __init__(self, every: list[str], own: list[str]) -> None:
        super().__init__(use_cache=False, case_sensitive=True)
        self.every, self.own = every, own

    async def get_suggestion(self, value: str) -> str | None:
        word = value.rpartition(",")[2].lstrip()
        removing = word.startswith("-")
        word = word[1:].lstrip() if removing else word
        if not word:
            return None
        typed = word.lower()
        for tag in self.own if removing else self.every:
            if tag.startswith(typed) and tag != typed:
                return value + tag[len(typed):]
        return None


class AskScreen(ModalScreen[str | None]):
    AUTO_FOCUS = "Input"
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="ask.cancel"),
        # Tab takes the completion shown (as the right arrow does at the end of the line).
        Binding("tab", "complete", "Complete", show=False, id="ask.complete"),
    ]

    DEFAULT_CSS = """
    AskScreen { align: center middle; }
    AskScreen > Vertical {
        width: 70; max-width: 100%; height: auto; border: thick $primary;
        background: $surface; padding: 0 1;
    }
    AskScreen #ask-title { text-style: bold; }
    AskScreen .ask-note { color: $text-muted; }
    AskScreen Input { margin: 1 0 0 0; }
    """

    def __init__(self, title: str, *, value: str = "", note: str = "",
                 keys: str = "enter: done · escape: cancel",
                 suggester: Suggester | None = None) -> None:
        super().__init__()
        self.title_text, self.value, self.note, self.keys = title, value, note, keys
        self.suggester = suggester

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text(self.title_text), id="ask-title")
            if self.note:
                yield Static(Text(self.note), classes="ask-note")
            yield Input(self.value, suggester=self.suggester, select_on_focus=False)
            yield Static(Text(self.keys), classes="ask-note")

    @property
    def input(self) -> Input:
        return self.query_one(Input)

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.dismiss(event.value)

    def action_complete(self) -> None:
        box = self.input
        box.cursor_position = len(box.value)
        box.action_cursor_right()

    def action_cancel(self) -> None:
        self.dismiss(None)
