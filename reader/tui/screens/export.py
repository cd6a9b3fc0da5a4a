"""What to export (the article, or the list shown) and as what: a menu for the export key."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option

FORMATS = (("markdown", "Markdown"), ("json", "JSON lines"))


class ExportScreen(ModalScreen[tuple[str, str] | None]):
    """Dismissed with ("article" or "list", "markdown" or "json"), or None."""

    AUTO_FOCUS = "OptionList"
    BINDINGS = [
        Binding("escape,q", "close", "Close", id="export.close"),
        Binding("j", "cursor('down')", "Down", show=False),
        Binding("k", "cursor('up')", "Up", show=False),
    ]

    DEFAULT_CSS = """
    ExportScreen { align: center middle; }
    ExportScreen > Vertical {
        width: 70; max-width: 100%; height: auto; max-height: 100%; border: thick $primary;
        background: $surface; padding: 0 1;
    }
    ExportScreen Label { width: 100%; padding: 0 0 1 0; }
    ExportScreen OptionList { height: auto; border: none; }
    """

    def __init__(self, article_title: str | None, list_name: str, folder: str) -> None:
        super().__init__()
        self.article_title = article_title
        self.list_name = list_name
        self.folder = folder

    def compose(self) -> ComposeResult:
        options = []
        if self.article_title is not None:
            options += [Option(f"This article as {label}", id=f"article:{name}")
                        for name, label in FORMATS]
        # The list: its titles, links and dates (the articles' text is the article's export).
        options += [Option(f"The list ({self.list_name}) as {label}: titles and links",
                           id=f"list:{name}") for name, label in FORMATS]
        heading = Text.assemble(("Export", "bold"), f" to a new file in {self.folder}")
        if self.article_title is not None:
            heading.append(f"\nThis article: {self.article_title}", style="dim")
        with Vertical():
            yield Label(heading)
            yield OptionList(*options)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        what, _, fmt = str(event.option.id).partition(":")
        self.dismiss((what, fmt))

    def action_cursor(self, direction: str) -> None:
        options = self.query_one(OptionList)
        (options.action_cursor_down if direction == "down" else options.action_cursor_up)()

    def action_close(self) -> None:
        self.dismiss(None)
