"""The files the last indexing left out, each with why (binary, too big, unreadable)."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from ...core.articles import clean_text


class SkippedScreen(ModalScreen[None]):
    AUTO_FOCUS = "VerticalScroll"
    BINDINGS = [
        Binding("escape,q", "dismiss", "Close", id="skipped.close"),
        Binding("j,down", "scroll('down')", "Down", show=False),
        Binding("k,up", "scroll('up')", "Up", show=False),
    ]

    DEFAULT_CSS = """
    SkippedScreen { align: center middle; }
    SkippedScreen > VerticalScroll {
        width: 100; max-width: 100%; height: auto; max-height: 80%;
        border: thick $primary; background: $surface; padding: 0 1;
    }
    """

    def __init__(self, skipped: dict[str, str]) -> None:
        """``skipped``: path -> why, as the indexer reported them."""
        super().__init__()
        self.skipped = skipped

    def compose(self) -> ComposeResult:
        count = len(self.skipped)
        title = (f"{count:,} file{'s' if count != 1 else ''} left out of the index"
                 if count else "No files were left out of the index.")
        table = Table(box=None, show_header=False, padding=(0, 2, 0, 0), expand=True)
        table.add_column(ratio=2, overflow="fold")
        table.add_column(ratio=1, style="dim")
        for path, reason in sorted(self.skipped.items()):
            table.add_row(Text(clean_text(path)), Text(clean_text(reason)))
        with VerticalScroll():
            yield Static(Text(title, style="bold"))
            if count:
                yield Static(table)

    def action_scroll(self, direction: str) -> None:
        scroller = self.query_one(VerticalScroll)
        (scroller.scroll_down if direction == "down" else scroller.scroll_up)(animate=False)

    async def action_dismiss(self, result: None = None) -> None:
        self.dismiss(None)
