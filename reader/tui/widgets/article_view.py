"""The article pane: title, a metadata line and the body, wrapped at a readable width.

Article text is always a ``rich.text.Text`` (never markup), so a body holding ``[bold]``
shows those characters. Search hits are styled spans; ``n``/``N`` move between them. The
pane reads the articles it opens (off the event loop), remembers the ones opened before, and
says when one has been open long enough to count as read.
"""

from __future__ import annotations

import asyncio
import bisect
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich.text import Text
from textual import work
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.message import Message
from textual.reactive import reactive
from textual.timer import Timer
from textual.widgets import Static

from ...core.articles import Article, SkipFile
from ...core.errors import QueryError

if TYPE_CHECKING:
    from ..library import Library

Span = tuple[int, int]


@dataclass(slots=True)
class Shown:
    article: Article
    title_spans: list[Span]
    body_spans: list[Span]


def spaced_paragraphs(body: str) -> tuple[str, list[int]]:
    """Text with a blank line between paragraphs when the file has one paragraph per line.

    Returns the text to draw and, for each newline of ``body``, its offset, so hit offsets
    into ``body`` can be moved to the drawn text (one extra character per earlier newline).
    """
    if "\n\n" in body or "\n" not in body:
        return body, []
    newlines = [i for i, char in enumerate(body) if char == "\n"]
    return body.replace("\n", "\n\n"), newlines


def meta_line(article: Article, own_tags: Sequence[str] = ()) -> str:
    """Section, date, source, author, length, and the reader's own tags."""
    parts = [
        article.section or "",
        article.date.strftime("%a %d %b %Y, %H:%M").replace(", 00:00", "") if article.date else "",
        article.source,
        article.author and f"by {article.author}",
        f"{article.reading_minutes} min read",
        own_tags and f"tagged {', '.join(own_tags)}",
    ]
    return "  ·  ".join(p for p in parts if p)


class ArticleView(VerticalScroll, can_focus=True):
    """Shows one article; scroll it with the keyboard or the mouse."""

    BINDINGS = [
        Binding("down,j", "scroll_down", "Down", show=False, id="article.down"),
        Binding("up,k", "scroll_up", "Up", show=False, id="article.up"),
        Binding("space,pagedown", "page_down", "Page down", show=False, id="article.page_down"),
        Binding("b,pageup", "page_up", "Page up", show=False, id="article.page_up"),
        Binding("g,home", "scroll_home", "Top", show=False, id="article.top"),
        Binding("G,end", "scroll_end", "Bottom", show=False, id="article.bottom"),
        Binding("n", "next_hit", "Next hit", id="article.next_hit"),
        Binding("N", "previous_hit", "Prev hit", id="article.previous_hit"),
        Binding("right_square_bracket", "next_article", "Next article", id="article.next"),
        Binding("left_square_bracket", "previous_article", "Prev article", id="article.previous"),
    ]

    DEFAULT_CSS = """
    ArticleView { align-horizontal: center; padding: 0 2; }
    ArticleView > Static { width: 100%; max-width: 88; }
    ArticleView #article-title { text-style: bold; color: $text; margin-top: 1; }
    ArticleView #article-meta { color: $text-muted; margin-bottom: 1; }
    ArticleView #article-body { margin-bottom: 2; }
    ArticleView.-empty #article-body { color: $text-muted; text-style: italic; }
    """

    hit_index: reactive[int] = reactive(-1, init=False)

    class Step(Message):
        """Asks for the next (+1) or previous (-1) article in the list."""

        def __init__(self, step: int) -> None:
            super().__init__()
            self.step = step

    class Read(Message):
        """The article at ``path`` has been open long enough to count as read."""

        def __init__(self, path: str, content_hash: str) -> None:
            super().__init__()
            self.path = path
            self.content_hash = content_hash

    class HitMoved(Message):
        """``n``/``N`` moved to hit ``number`` (from 1) of ``count``."""

        def __init__(self, number: int, count: int) -> None:
            super().__init__()
            self.number = number
            self.count = count

    #: Seconds an article must stay open before it counts as read.
    READ_AFTER = 1.5
    #: Articles opened before, the latest last.
    HISTORY = 100

    def __init__(self, library: Library, *, id: str | None = None) -> None:
        super().__init__(id=id, classes="-empty")
        self.library = library
        self.shown: Shown | None = None
        self.read_after = self.READ_AFTER
        self.history: list[str] = []
        self._read_timer: Timer | None = None
        self._drawn = ""
        self._newlines: list[int] = []
        self._wrap_cache: dict[tuple[int, int], int] = {}
        #: The reader's own tags of an article (the screen gives the library's).
        self.own_tags: Callable[[str], Sequence[str]] = lambda path: ()

    def compose(self):
        yield Static(id="article-title")
        yield Static(id="article-meta")
        yield Static("Choose an article and press enter to read it.", id="article-body")

    @property
    def path(self) -> str | None:
        return self.shown.article.path if self.shown else None

    @property
    def hits(self) -> list[Span]:
        return self.shown.body_spans if self.shown else []

    # --- opening ---------------------------------------------------------------------------

    @work(exclusive=True, group="open")
    async def open_article(self, path: str, query: str = "", *, focus: bool = False,
                           remember: bool = True) -> None:
        """Read and show the article at ``path``, every hit of ``query`` highlighted;
        ``remember`` the one it replaces, for ``back``."""
        if await self.library.wait_index() is None:  # the list can be on screen just before
            return
        try:
            article, title_spans, body_spans = await asyncio.to_thread(self._read, path, query)
        except SkipFile as exc:
            self.clear(f"Cannot show {path}: {exc}.")
            return
        previous = self.path
        if remember and previous and previous != article.path:
            self.history.append(previous)
            del self.history[:-self.HISTORY]
        self.show(article, title_spans, body_spans)
        if focus:
            self.screen.set_focus(self)  # at once: the keys typed next are the article's
        self.stop_read_timer()
        # Read after a moment of reading, not on passing over it with ] or u. The view's
        # timer, not the app's: it goes with the view when the app closes.
        if self.read_after > 0:
            self._read_timer = self.set_timer(self.read_after, self._read_long_enough)
        else:
            self._read_long_enough()

    def _read(self, path: str, query: str) -> tuple[Article, list[Span], list[Span]]:
        article = self.library.read_article(path)
        if query:
            try:
                return article, *self.library.searcher().highlights(
                    query, article.title, article.body)
            except QueryError:
                pass
        return article, [], []

    def _read_long_enough(self) -> None:
        self._read_timer = None
        if self.shown is not None:
            self.post_message(self.Read(self.shown.article.path, self.shown.article.hash))

    def stop_read_timer(self) -> None:
        """The reader marked it themselves: the moment's wait no longer decides."""
        if self._read_timer is not None:
            self._read_timer.stop()
            self._read_timer = None

    def back(self) -> str | None:
        """The article opened before the one shown (taken off the history), if any."""
        while self.history:
            path = self.history.pop()
            if path != self.path:
                return path
        return None

    @work(exclusive=True, group="reload-open")
    async def reload(self) -> None:
        """Show the open article again if its file changed (where the reader was in it)."""
        shown = self.shown
        if shown is None:
            return
        try:
            article = await asyncio.to_thread(self.library.read_article, shown.article.path)
        except SkipFile:
            return
        if self.shown is shown and article.hash != shown.article.hash:
            self.show(article, keep_scroll=True)

    # --- showing ---------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """``n`` and ``N`` are offered (in the footer) only while the article shows hits."""
        return bool(self.hits) if action in ("next_hit", "previous_hit") else True

    def set_text_width(self, width: int) -> None:
        for static in self.query(Static):
            static.styles.max_width = width

    def clear(self, message: str = "Choose an article and press enter to read it.") -> None:
        self.shown = None
        self.add_class("-empty")
        self.query_one("#article-title", Static).update("")
        self.query_one("#article-meta", Static).update("")
        self.query_one("#article-body", Static).update(Text(message))
        self.refresh_bindings()

    def show(
        self,
        article: Article,
        title_spans: list[Span] | None = None,
        body_spans: list[Span] | None = None,
        *,
        keep_scroll: bool = False,
    ) -> None:
        """Show an article; with hits, scroll to the first one."""
        self.shown = Shown(article, list(title_spans or []), list(body_spans or []))
        self._wrap_cache.clear()
        self._drawn, self._newlines = spaced_paragraphs(article.body)
        self.remove_class("-empty")
        title = Text(article.title)
        for start, end in self.shown.title_spans:
            title.stylize("reverse", start, end)
        self.query_one("#article-title", Static).update(title)
        self.show_tags(self.own_tags(article.path))
        self._render_body()
        if not keep_scroll:
            self.scroll_home(animate=False, immediate=True)
        self.hit_index = -1
        self.refresh_bindings()
        if self.hits:
            self.call_after_refresh(self._go_to_hit, 0)

    def show_tags(self, tags: Sequence[str]) -> None:
        """The metadata line again, with the reader's tags as they are now."""
        if self.shown is not None:
            self.query_one("#article-meta", Static).update(
                Text(meta_line(self.shown.article, tags)))

    def _render_body(self, *, layout: bool = True) -> None:
        """Draw the body with its hits; ``layout`` False when only their styles changed
        (the size stays: no layout of the whole screen for each n and N)."""
        assert self.shown is not None
        body = Text(self._drawn or "(this article has no text beyond its title)")
        hit_style = "black on yellow"
        current_style = "bold black on dark_orange"
        for number, (start, end) in enumerate(self.hits):
            shift = self._shift(start)
            style = current_style if number == self.hit_index else hit_style
            body.stylize(style, start + shift, end + shift)
        self.query_one("#article-body", Static).update(body, layout=layout)

    def _shift(self, offset: int) -> int:
        """How far a body offset moves in the drawn text (one per newline before it)."""
        return bisect.bisect_left(self._newlines, offset) if self._newlines else 0

    # --- hits ------------------------------------------------------------------------------

    def watch_hit_index(self, old: int, new: int) -> None:
        if self.shown is not None and self.hits:
            self._render_body(layout=False)

    def _go_to_hit(self, number: int) -> None:
        if not self.hits:
            return
        self.hit_index = number % len(self.hits)
        target = self._hit_y(self.hit_index)
        self.scroll_to(y=max(0, target - self._pane_height // 3), animate=False, immediate=True)

    def _hit_y(self, number: int) -> int:
        """The line of the pane's content on which hit ``number`` is drawn."""
        start, _ = self.hits[number]
        body = self.query_one("#article-body", Static)
        line = self._line_of_offset(start + self._shift(start), body.content_size.width or 80)
        return body.virtual_region.y + line

    @property
    def _pane_height(self) -> int:
        """Rows of text the pane shows (10 before its first layout)."""
        return self.scrollable_content_region.height or 10

    def _on_screen(self, number: int) -> bool:
        top = self.scroll_y
        return top <= self._hit_y(number) < top + self._pane_height

    def _line_of_offset(self, offset: int, width: int) -> int:
        """The wrapped line (from 0) of the body on which character ``offset`` is drawn."""
        body = self._drawn
        console = self.app.console
        lines = 0
        position = 0
        for paragraph in body.split("\n"):
            end = position + len(paragraph)
            if offset <= end:
                prefix = paragraph[: offset - position + 1]
                return lines + max(0, len(Text(prefix).wrap(console, width)) - 1)
            key = (position, width)
            if key not in self._wrap_cache:
                self._wrap_cache[key] = max(1, len(Text(paragraph).wrap(console, width)))
            lines += self._wrap_cache[key]
            position = end + 1
        return lines

    def action_next_hit(self) -> None:
        """The hit after the current one; after scrolling away from it, the first hit from
        the top of the pane down (wrapping to the first)."""
        if not self.hits:
            self.app.bell()
            return
        if self.hit_index >= 0 and self._on_screen(self.hit_index):
            self._go_to_hit(self.hit_index + 1)
        else:
            top = int(self.scroll_y)
            self._go_to_hit(next((n for n in range(len(self.hits)) if self._hit_y(n) >= top), 0))
        self.post_message(self.HitMoved(self.hit_index + 1, len(self.hits)))

    def action_previous_hit(self) -> None:
        """The hit before the current one; after scrolling away from it, the last hit above
        the bottom of the pane (wrapping to the last)."""
        if not self.hits:
            self.app.bell()
            return
        if self.hit_index >= 0 and self._on_screen(self.hit_index):
            self._go_to_hit(self.hit_index - 1)
        else:
            bottom = int(self.scroll_y) + self._pane_height
            self._go_to_hit(next((n for n in reversed(range(len(self.hits)))
                                  if self._hit_y(n) < bottom), -1))
        self.post_message(self.HitMoved(self.hit_index + 1, len(self.hits)))

    def action_next_article(self) -> None:
        self.post_message(self.Step(+1))

    def action_previous_article(self) -> None:
        self.post_message(self.Step(-1))
