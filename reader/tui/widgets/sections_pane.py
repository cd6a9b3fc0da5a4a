"""The sections pane (newsboat's feed list): every section, saved search and tag, each with
its unread and total counts; choosing one shows it in the list.

The pane draws what the screen gives it (``show``): the rows and their counts are worked
out elsewhere (tui/tallies.py), off the event loop.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from rich.table import Table
from rich.text import Text
from textual import on
from textual.binding import Binding
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from ..tallies import Tally

Kind = Literal["all", "section", "saved", "tag"]
#: The current choice's mark, beside its name.
CURRENT_MARK = "▸"


@dataclass(frozen=True, slots=True)
class Place:
    """One row of the pane: what choosing it shows (``key``: the section, the saved search's
    name, the tag), as ``label`` indented by ``depth``, with its counts when known (a copy:
    the pane compares the rows it is given with the ones it shows)."""

    kind: Kind
    key: str
    label: str
    tally: Tally | None = None
    depth: int = 0

    @property
    def id(self) -> str:
        return f"{self.kind}:{self.key}"


def counts_text(tally: Tally | None) -> str:
    """"3/28": unread of all (just "28" when none is unread)."""
    if tally is None:
        return ""
    if tally.unread:
        return f"{tally.unread:,}/{tally.total:,}"
    return f"{tally.total:,}"


class SectionsPane(OptionList):
    """Sections, saved searches and tags; enter (or a click) shows one."""

    BINDINGS = [
        Binding("down,j", "cursor_down", "Down", show=False, id="sections.down"),
        Binding("up,k", "cursor_up", "Up", show=False, id="sections.up"),
        Binding("home,g", "first", "First", show=False, id="sections.first"),
        Binding("end,G", "last", "Last", show=False, id="sections.last"),
        Binding("enter", "select", "Show it in the list", show=False, id="sections.show"),
    ]

    DEFAULT_CSS = """
    SectionsPane { background: $surface; border: none; padding: 0; scrollbar-size-vertical: 1; }
    SectionsPane:focus { border: none; }
    SectionsPane > .option-list--option-disabled { color: $text-muted; }
    """

    class Chosen(Message):
        """The reader chose a place: show it in the list."""

        def __init__(self, place: Place) -> None:
            super().__init__()
            self.place = place

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.places: dict[str, Place] = {}
        self._said: list[str] = []
        self._shown: tuple[tuple[Place, ...], str] | None = None

    def show(self, places: list[Place | str], current: str) -> None:
        """Rows to show (a str is a heading, or a muted note), ``current`` (a place's id)
        marked; the highlight stays on the row it was on."""
        key = (tuple(p if isinstance(p, Place) else Place("all", "", p, None, -1)
                     for p in places), current)
        if key == self._shown:  # nothing changed: no new options, no redraw
            return
        self._shown = key
        highlighted = self.highlighted_option.id if self.highlighted_option else None
        options: list[Option] = []
        self.places, self._said = {}, []
        for place in places:
            if isinstance(place, str):
                # A heading, or an indented note on how to add one.
                style = "italic" if place.startswith(" ") else "bold"
                options.append(Option(Text(place, style=style, no_wrap=True,
                                           overflow="ellipsis"), disabled=True))
                self._said.append(place)
                continue
            self.places[place.id] = place
            options.append(Option(self._row(place, place.id == current), id=place.id))
            mark = CURRENT_MARK if place.id == current else " "
            self._said.append(f"{mark}{'  ' * place.depth}{place.label} "
                               f"{counts_text(place.tally)}".rstrip())
        self.set_options(options)
        target = highlighted if highlighted in self.places else current
        if target in self.places:
            self.highlighted = self.get_option_index(target)

    @staticmethod
    def _row(place: Place, current: bool) -> Table:
        row = Table.grid(expand=True, padding=(0, 0, 0, 1))
        row.add_column(ratio=1, no_wrap=True, overflow="ellipsis")
        row.add_column(justify="right", no_wrap=True, style="dim")
        label = Text("  " * place.depth + place.label,
                     style="bold" if place.tally and place.tally.unread else "")
        label = Text.assemble(CURRENT_MARK if current else " ", label)
        row.add_row(label, counts_text(place.tally))
        return row

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        place = self.places.get(event.option_id or "")
        if place is not None:
            self.post_message(self.Chosen(place))

    def lines(self) -> list[str]:
        """What the rows say (the current one marked, then its name and counts)."""
        return list(self._said)
