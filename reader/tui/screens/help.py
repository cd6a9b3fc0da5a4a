"""The help screen: the key table is generated from the live bindings, so it cannot drift."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

QUERY_SYNTAX = [
    ("china talks", "both words (AND is the default)"),
    ("china OR japan", "either word"),
    ("china NOT tiktok", "leave out articles with a word (or china -tiktok)"),
    ('"trade deal"', "the exact phrase"),
    ("title:nvidia", "only in titles"),
    ("source:reuters", "by the Source: header; author:smith by the Author:"),
    ("tags:energy", "by the Tags: header, or a tag of your own"),
    ("section:world", "only in a section (a subfolder)"),
    ("date:2025-09", "a day, month or year; date:[2025-01 to 2025-06] for a range"),
    ("export*", "words starting with export"),
    ("nvidai~", "close spellings, first two letters as typed (~2: two edits)"),
    ("(a OR b) c", "group with parentheses"),
]


def key_table(app, sections: list[tuple[str, list[Binding]]], keymap: dict[str, str]) -> Table:
    """The key table from the bindings themselves (with the user's remapping applied)."""
    table = Table(box=None, show_header=False, padding=(0, 2, 0, 0), expand=False)
    table.add_column(style="bold", no_wrap=True)
    table.add_column()
    for title, bindings in sections:
        rows = []
        for binding in bindings:
            if not binding.description:
                continue
            keys = keymap.get(binding.id, binding.key) if binding.id else binding.key
            shown = " ".join(
                app.get_key_display(Binding(key.strip(), binding.action)) for key in keys.split(",")
            )
            rows.append((shown, binding.description))
        if rows:
            table.add_row(Text(title, style="underline"), "")
            for keys, description in rows:
                table.add_row(keys, description)
            table.add_row("", "")
    return table


class HelpScreen(ModalScreen[None]):
    AUTO_FOCUS = "VerticalScroll"
    BINDINGS = [
        Binding("escape,q,question_mark,f1", "dismiss", "Close help", id="help.close"),
        Binding("j,down", "scroll('down')", "Down", show=False),
        Binding("k,up", "scroll('up')", "Up", show=False),
        # The article pane's paging keys work here too.
        Binding("space", "scroll('page_down')", "Page down", show=False),
        Binding("b", "scroll('page_up')", "Page up", show=False),
        Binding("g", "scroll('home')", "Top", show=False),
        Binding("G", "scroll('end')", "Bottom", show=False),
    ]

    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > VerticalScroll {
        width: 90; max-width: 100%; height: 90%; border: thick $primary; background: $surface;
        padding: 0 2;
    }
    HelpScreen .help-problems { color: $warning; }
    """

    def __init__(self, keys: Table, config_path: str, index_path: str,
                 problems: str | None = None) -> None:
        """``problems``: what is wrong in the settings (``Settings.notice``), if anything."""
        super().__init__()
        self.keys = keys
        self.config_path = config_path
        self.index_path = index_path
        self.problems = problems

    def compose(self) -> ComposeResult:
        syntax = Table(box=None, show_header=False, padding=(0, 2, 0, 0))
        syntax.add_column(style="bold")
        syntax.add_column()
        for example, meaning in QUERY_SYNTAX:
            syntax.add_row(example, meaning)
        with VerticalScroll():
            yield Static(Text("reader — help", style="bold"), classes="help-title")
            if self.problems:  # the notice at start, for when it has gone
                yield Static(Text("\nProblems in the settings", style="bold"))
                yield Static(Text(self.problems), classes="help-problems")
            yield Static(Text("\nKeys", style="bold"))
            yield Static(self.keys)
            yield Static(Text("Search syntax (matching ignores case, accents and word endings)",
                              style="bold"))
            yield Static(syntax)
            yield Static(Text.assemble(
                ("\nSettings: ", "bold"), self.config_path,
                ("\nIndex: ", "bold"), self.index_path,
                "\n\nctrl+p opens the command palette (sort, rebuild the index, fetch feeds, "
                "theme).\nFeeds: subscribe in a shell (reader feeds add URL --corpus DIR, or "
                "reader feeds import FILE.opml); F fetches them here.\nEscape closes this help.",
            ))

    def on_mount(self) -> None:
        # Open at the top whatever the terminal size (the table's late layout can scroll it).
        self.call_after_refresh(self.query_one(VerticalScroll).scroll_home, animate=False)

    def action_scroll(self, direction: str) -> None:
        scroller = self.query_one(VerticalScroll)
        getattr(scroller, f"scroll_{direction}")(animate=False)

    async def action_dismiss(self, result=None) -> None:
        self.dismiss(None)
