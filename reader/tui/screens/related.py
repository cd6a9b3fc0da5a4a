"""Related articles (more-like-this) for the open article; enter opens one."""

from __future__ import annotations

from collections.abc import Container

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option

from ..widgets.article_list import STAR_MARK, UNREAD_MARK


class RelatedScreen(ModalScreen[str | None]):
    AUTO_FOCUS = "OptionList"
    BINDINGS = [
        Binding("escape,q,r", "close", "Close", id="related.close"),
        Binding("j", "cursor('down')", "Down", show=False),
        Binding("k", "cursor('up')", "Up", show=False),
    ]

    DEFAULT_CSS = """
    RelatedScreen { align: center middle; }
    RelatedScreen > Vertical {
        width: 100; max-width: 100%; height: auto; max-height: 80%;
        border: thick $primary; background: $surface; padding: 0 1;
    }
    RelatedScreen Label { width: 100%; text-style: bold; padding: 0 0 1 0; }
    RelatedScreen OptionList { height: auto; max-height: 30; border: none; }
    """

    def __init__(self, title: str, related: list, *, read: Container[str] = (),
                 starred: Container[str] = ()) -> None:
        """``read``, ``starred``: the paths marked so, for the marks the list draws too."""
        super().__init__()
        self.source_title = title
        self.related = related
        self.read = read
        self.starred = starred

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(Text(f"Related to: {self.source_title}"))
            if self.related:
                yield OptionList(*[Option(self._row(hit), id=str(number))
                                   for number, hit in enumerate(self.related)])
            else:
                yield Label(Text("No related articles found.", style="italic"))

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self.related[int(event.option.id)].path)

    def action_cursor(self, direction: str) -> None:
        for options in self.query(OptionList):
            (options.action_cursor_down if direction == "down" else options.action_cursor_up)()

    def action_close(self) -> None:
        self.dismiss(None)


    def _row(self, hit) -> Table:
        """One line an article: its mark (unread, starred) as in the list, the title cut
        with an ellipsis, section and date at the right."""
        row = Table.grid(expand=True, padding=(0, 1), pad_edge=False)
        row.add_column(no_wrap=True, width=1, style="yellow")
        row.add_column(ratio=1, no_wrap=True, overflow="ellipsis")
        row.add_column(no_wrap=True, justify="right", style="dim")
        date = hit.date.strftime("%Y-%m-%d") if hit.date else ""
        read = hit.path in self.read
        mark = STAR_MARK if hit.path in self.starred else " " if read else UNREAD_MARK
        row.add_row(mark, Text(hit.title, style="" if read else "bold"),
                    Text("  ".join(part for part in (hit.section, date) if part)))
        return row
