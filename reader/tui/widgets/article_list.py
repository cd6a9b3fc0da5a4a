"""The article list: a Line API widget that draws only the rows on screen.

Rows are the index's ``Entry`` objects or search ``Hit`` objects as they are (anything with
``path``, ``title``, ``section`` and ``date``), so replacing 100,000 rows is a list swap and a
refresh, not 100,000 widgets. Search hits take two lines: the title and the snippet.
"""

from __future__ import annotations

import functools
import textwrap
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

UNREAD_MARK = "●"
STAR_MARK = "★"
#: The section column's widest (a longer name is cut short with "…").
SECTION_WIDTH = 12
#: The narrowest list that has a section column: narrower, the title has the room.
SECTION_FROM = 60


def section_label(section: str, within: str | None) -> str:
    """A row's section as the list shows it: in a section's view, what is below it."""
    if within:
        if section == within:
            return ""
        if section.startswith(within + "/"):
            return section[len(within) + 1:]
    return section


@dataclass(frozen=True, slots=True)
class Columns:
    """The same columns for every row of a list, so that every title ends at one place."""

    section: int  # the section column's width (0: none)
    date_format: str  # "Sep 15" when the list is of one year (as newsboat and mutt), else ISO

    @property
    def date_width(self) -> int:
        return len(datetime(2000, 12, 30).strftime(self.date_format))


def columns_of(rows: Sequence[Any], within: str | None) -> Columns:
    """(A pass over the rows: milliseconds at 100,000.)"""
    sections = {row.section for row in rows}
    widest = max((cell_len(section_label(section, within)) for section in sections), default=0)
    years = {row.date.year for row in rows if row.date}
    return Columns(min(SECTION_WIDTH, widest), "%b %d" if len(years) <= 1 else "%Y-%m-%d")


def tag_mark(tags: Sequence[str] | None) -> str:
    """The reader's tags of a row, short: "#later", "#economy +2"."""
    if not tags:
        return ""
    first = tags[0] if len(tags[0]) <= 16 else tags[0][:15] + "…"
    return f"#{first}" + (f" +{len(tags) - 1}" if len(tags) > 1 else "")


@functools.lru_cache(maxsize=16)
def _wrapped(text: str, width: int) -> tuple[str, ...]:
    return tuple(textwrap.wrap(text, width)) or ("",)


class ArticleList(ScrollView, can_focus=True):
    """The list of articles or search results, with a cursor."""

    BINDINGS = [
        Binding("down,j", "cursor_down", "Down", show=False, id="list.down"),
        Binding("up,k", "cursor_up", "Up", show=False, id="list.up"),
        Binding("home,g", "cursor_first", "First", show=False, id="list.first"),
        Binding("end,G", "cursor_last", "Last", show=False, id="list.last"),
        Binding("pagedown,space,ctrl+f", "page_down", "Page down", show=False, id="list.page_down"),
        Binding("pageup,b,ctrl+b", "page_up", "Page up", show=False, id="list.page_up"),
        Binding("enter", "select", "Open", id="list.open"),
    ]

    COMPONENT_CLASSES = {
        "article-list--cursor",
        "article-list--unread",
        "article-list--read",
        "article-list--meta",
        "article-list--hit",
        "article-list--snippet",
        "article-list--star",
        "article-list--empty",
    }

    DEFAULT_CSS = """
    ArticleList {
        background: $surface;
        scrollbar-gutter: stable;
        overflow-x: hidden;
    }
    ArticleList > .article-list--cursor { background: $block-cursor-blurred-background; }
    ArticleList:focus > .article-list--cursor {
        background: $block-cursor-background;
        color: $block-cursor-foreground;
        text-style: bold;
    }
    ArticleList > .article-list--unread { text-style: bold; }
    ArticleList > .article-list--read { color: $text-muted; }
    ArticleList > .article-list--meta { color: $text-muted; }
    ArticleList > .article-list--hit { background: $warning 40%; text-style: bold; }
    ArticleList > .article-list--snippet { color: $text-muted; }
    ArticleList > .article-list--star { color: $warning; }
    ArticleList > .article-list--empty { color: $text-muted; text-style: italic; }
    """

    # repaint=False: watch_cursor redraws the two rows that changed, not the whole list.
    cursor: reactive[int] = reactive(0, always_update=True, init=False, repaint=False)

    class Selected(Message):
        """The user asked to open an article (enter or a click)."""

        def __init__(self, article_list: ArticleList, path: str) -> None:
            super().__init__()
            self.article_list = article_list
            self.path = path

    def __init__(self, *, name: str | None = None, id: str | None = None,
                 classes: str | None = None):
        super().__init__(name=name, id=id, classes=classes)
        self.rows: Sequence[Any] = []
        self.row_height = 1
        #: The section whose view the list shows: its rows' section goes without saying.
        self.within: str | None = None
        self._columns: Columns | None = None
        self.empty_text = "No articles."
        self.is_read: Callable[[str], bool] = lambda path: False
        self.is_starred: Callable[[str], bool] = lambda path: False
        #: The reader's own tags of a row's article (None or empty: none), shown beside it.
        self.tags_of: Callable[[str], Sequence[str] | None] = lambda path: None
        #: Styles worked out for drawing, until the CSS, the theme or the focus changes
        #: (each of which Textual tells notify_style_update).
        #: Textual's own component cache is cleared by every refresh, that is by every
        #: cursor move, and working them out again was half the time of drawing a row.
        self._styles: dict[str, Style] = {}

    def notify_style_update(self) -> None:
        self._styles.clear()
        super().notify_style_update()

    # --- data ------------------------------------------------------------------------------

    def set_rows(
        self,
        rows: Sequence[Any],
        *,
        row_height: int = 1,
        cursor_path: str | None = None,
        cursor: int = 0,
        empty_text: str | None = None,
        within: str | None = None,
    ) -> None:
        """Replace every row; keep the cursor on ``cursor_path`` when it is still there.
        ``within``: the section the rows are of."""
        self.rows = rows
        self.row_height = row_height
        self.within = within
        self._columns = None
        if empty_text is not None:
            self.empty_text = empty_text
        index = cursor
        if cursor_path is not None:
            index = next((i for i, row in enumerate(rows) if row.path == cursor_path), cursor)
        self.virtual_size = Size(self.size.width, len(rows) * row_height)
        self._set_cursor(max(0, min(index, len(rows) - 1)), center=True)
        # Grown from fewer rows (a short view), the list cannot scroll that far until its
        # new size is laid out: the scroll above stopped short, the cursor off screen.
        self.call_after_refresh(self._scroll_to_cursor, True)
        self.refresh()

    @property
    def current(self) -> Any | None:
        return self.rows[self.cursor] if 0 <= self.cursor < len(self.rows) else None

    @property
    def current_path(self) -> str | None:
        row = self.current
        return row.path if row is not None else None

    def index_of(self, path: str) -> int | None:
        return next((i for i, row in enumerate(self.rows) if row.path == path), None)

    def move_to(self, path: str) -> bool:
        index = self.index_of(path)
        if index is None:
            return False
        self._set_cursor(index, center=True)
        return True

    def move_cursor(self, index: int) -> None:
        """The cursor to row ``index``, scrolled into view."""
        self._set_cursor(index)

    def refresh_marks(self) -> None:
        self.refresh()

    # --- cursor ----------------------------------------------------------------------------

    def _set_cursor(self, index: int, center: bool = False) -> None:
        self.cursor = index
        self._scroll_to_cursor(center)

    def watch_cursor(self, old: int, new: int) -> None:
        # Only the two rows whose highlight changed are drawn again (a scroll redraws all).
        self.refresh_lines(old * self.row_height, self.row_height)
        self.refresh_lines(new * self.row_height, self.row_height)

    def _scroll_to_cursor(self, center: bool = False) -> None:
        height = self.scrollable_content_region.height or self.size.height
        if not height:
            return
        top = self.cursor * self.row_height
        bottom = top + self.row_height
        if center and not (self.scroll_y <= top and bottom <= self.scroll_y + height):
            self._scroll_y_to(max(0, top - height // 2))
        elif top < self.scroll_y:
            self._scroll_y_to(top)
        elif bottom > self.scroll_y + height:
            # A row taller than the list (a result's two lines in one) shows its first line,
            # the title, not its last.
            self._scroll_y_to(min(top, bottom - height))

    def _scroll_y_to(self, y: int) -> None:
        # force: a list grown from a few rows scrolls before its scrollbar is laid out
        # (until then Textual allows no scrolling at all).
        self.scroll_to(y=y, animate=False, immediate=True, force=True)

    def _page_rows(self) -> int:
        height = self.scrollable_content_region.height or self.size.height or 1
        return max(1, height // self.row_height - 1)

    def action_cursor_down(self) -> None:
        if self.cursor < len(self.rows) - 1:
            self._set_cursor(self.cursor + 1)

    def action_cursor_up(self) -> None:
        if self.cursor > 0:
            self._set_cursor(self.cursor - 1)

    def action_cursor_first(self) -> None:
        if self.rows:
            self._set_cursor(0)

    def action_cursor_last(self) -> None:
        if self.rows:
            self._set_cursor(len(self.rows) - 1)

    def action_page_down(self) -> None:
        if self.rows:
            self._set_cursor(min(len(self.rows) - 1, self.cursor + self._page_rows()))

    def action_page_up(self) -> None:
        if self.rows:
            self._set_cursor(max(0, self.cursor - self._page_rows()))

    def action_select(self) -> None:
        path = self.current_path
        if path is not None:
            self.post_message(self.Selected(self, path))

    def on_click(self, event: events.Click) -> None:
        # From the top of the rows, not of the widget: the list has a border above them.
        offset = event.get_content_offset(self)
        if offset is None:
            return
        index = (offset.y + int(self.scroll_y)) // self.row_height
        if 0 <= index < len(self.rows):
            self.app.set_focus(self)
            self._set_cursor(index)
            self.action_select()

    def on_resize(self, event: events.Resize) -> None:
        self.virtual_size = Size(event.size.width, len(self.rows) * self.row_height)
        self._scroll_to_cursor()

    # --- drawing ---------------------------------------------------------------------------

    def _kept(self, key: str, make: Callable[[], Style]) -> Style:
        style = self._styles.get(key)
        if style is None:
            style = self._styles[key] = make()
        return style

    def _base(self) -> Style:
        return self._kept("", lambda: self.rich_style)

    def _component(self, name: str) -> Style:
        return self._kept(f"full {name}", lambda: self.get_component_rich_style(name))

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width or self.size.width
        base = self._base()
        line = int(self.scroll_y) + y
        if not self.rows:  # the empty list's message, wrapped to the pane
            lines = _wrapped(self.empty_text, max(1, width - 2))
            if y < len(lines):
                style = self._component("article-list--empty")
                return Strip([Segment(" " + lines[y], base + style)]).crop_extend(0, width, base)
            return Strip.blank(width, base)
        index, part = divmod(line, self.row_height)
        if index >= len(self.rows):
            return Strip.blank(width, base)
        row = self.rows[index]
        text = self._title_line(row, width) if part == 0 else self._snippet_line(row, width)
        style = base
        ink = None  # the focused cursor's text colour, over every span's own
        if index == self.cursor:
            cursor = self._component("article-list--cursor")
            style = base + cursor
            if self.has_focus and cursor.color is not None:
                ink = Style(color=cursor.color)
        # Spans carry only what their own rule sets (partial), so the cursor's background
        # shows under the whole row while hits keep theirs.
        segments = [Segment(seg.text, style + seg.style + ink if seg.style else style)
                    for seg in text.render(self.app.console)]
        return Strip(segments).crop_extend(0, width, style)

    def _part(self, name: str) -> Style:
        """What the rule ``name`` sets, and only that (the cursor's background shows under
        it), with its colours worked out against the list's background: a partial style
        alone leaves a colour such as ``$text-muted`` (text at 60%) unblended, drawn as
        white, which could not be read on a light theme."""

        def make() -> Style:
            partial = self.get_component_rich_style(name, partial=True)
            full = self._component(name)
            return partial + Style(
                color=full.color if partial.color is not None else None,
                bgcolor=full.bgcolor if partial.bgcolor is not None else None,
            )

        return self._kept(name, make)

    def _title_line(self, row, width: int) -> Text:
        read = self.is_read(row.path)
        mark_style = self._part("article-list--star")
        if self.is_starred(row.path):
            mark = Text(STAR_MARK, style=mark_style)
        elif not read:
            mark = Text(UNREAD_MARK, style=mark_style)
        else:
            mark = Text(" ")
        if self._columns is None:
            self._columns = columns_of(self.rows, self.within)
        columns = self._columns
        meta = Text(row.date.strftime(columns.date_format) if row.date else "")
        meta.align("right", columns.date_width)
        if columns.section and width >= SECTION_FROM:
            section = Text(section_label(row.section, self.within))
            section.truncate(columns.section, overflow="ellipsis", pad=True)
            meta = Text.assemble(section, "  ", meta)
        tags = tag_mark(self.tags_of(row.path)) if width >= 36 else ""
        if tags:
            meta = Text.assemble(tags, "  ", meta)
        title_width = max(4, width - meta.cell_len - 4)
        title = Text(row.title, no_wrap=True, overflow="ellipsis")
        hit_style = self._part("article-list--hit")
        for start, end in getattr(row, "title_spans", ()) or ():
            title.stylize(hit_style, start, end)
        title.stylize(
            self._part("article-list--read" if read else "article-list--unread")
        )
        title.truncate(title_width, overflow="ellipsis", pad=True)
        line = Text.assemble(" ", mark, " ", title, " ", no_wrap=True)
        meta.stylize(self._part("article-list--meta"))
        return line.append_text(meta)

    def _snippet_line(self, row, width: int) -> Text:
        raw = getattr(row, "snippet", "") or ""
        snippet = Text("   " + raw, no_wrap=True, overflow="ellipsis")
        snippet.stylize(self._part("article-list--snippet"))
        hit_style = self._part("article-list--hit")
        spans = getattr(row, "snippet_spans", ()) or ()
        # Start the line at the first hit when it would fall off the right edge.
        shift = 0
        if spans and spans[0][1] + 3 > width - 2:
            shift = max(0, spans[0][0] - width // 3)
            space = raw.find(" ", shift, spans[0][0])  # from the start of a word
            if shift and space >= 0:
                shift = space + 1
        for start, end in spans:
            snippet.stylize(hit_style, start + 3, end + 3)
        if shift:
            snippet = Text("   …") + snippet[shift + 3:]
        snippet.truncate(max(1, width), overflow="ellipsis", pad=True)
        return snippet

    def render_lines_plain(self) -> list[str]:
        """What the visible rows say, for tests and debugging."""
        return [self.render_line(y).text for y in range(self.size.height)]
