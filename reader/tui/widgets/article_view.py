"""The article pane: title, a header (when, who, the link, the tags) and the body, reflowed
to a readable width.

Article text is always a ``rich.text.Text`` (never markup), so a body holding ``[bold]``
shows those characters. Search hits are styled spans; ``n``/``N`` move between them. The
pane reads the articles it opens (off the event loop), reopens each where it was left,
remembers the ones opened before, and says when one has been open long enough to count as
read.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import TYPE_CHECKING

from rich.text import Text
from textual import events, work
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.message import Message
from textual.reactive import reactive
from textual.timer import Timer
from textual.widgets import Static

from ...core.articles import Article, SkipFile
from ...core.errors import QueryError
from ...core.state import Position
from .article_motion import ArticleMotion
from .article_text import Layout, Opened, Shown, Span, header

if TYPE_CHECKING:
    from ..library import Library


class ArticleBody(Static):
    """The body; tells the pane when its width changes, to reflow the text to it."""

    def on_resize(self, event: events.Resize) -> None:
        parent = self.parent
        if isinstance(parent, ArticleView):
            parent.body_resized(event.size.width)


class ArticleView(ArticleMotion, VerticalScroll, can_focus=True):
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

    # A stable gutter: the scrollbar of a long article does not narrow the text (and have it
    # reflowed again).
    DEFAULT_CSS = """
    ArticleView { align-horizontal: center; padding: 0 2; scrollbar-gutter: stable; }
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
        #: The open article's body as drawn at the pane's width.
        self.drawn: Layout | None = None
        self.read_after = self.READ_AFTER
        #: Whether g, G, space and b scroll smoothly (the settings' scroll_animation).
        self.animate_scroll = False
        self.history: list[str] = []
        self._read_timer: Timer | None = None
        self._text_width = 88
        #: Where the open article was when it was opened (None: at its top).
        self._opened_at: Position | None = None
        #: The body offset to bring to the top once the body is laid out (a reflow may come
        #: first: the pane's width was not known when the article was read).
        self._pending_top: int | None = None

    def compose(self):
        yield Static(id="article-title")
        yield Static(id="article-meta")
        yield ArticleBody("Choose an article and press enter to read it.", id="article-body")

    @property
    def body(self) -> ArticleBody:
        return self.query_one(ArticleBody)

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
        """Read and show the article at ``path``, every hit of ``query`` highlighted, where
        it was left (or at its first hit); ``remember`` the one it replaces, for ``back``."""
        if await self.library.wait_index() is None:  # the list can be on screen just before
            return
        try:
            opened = await asyncio.to_thread(self._read, path, query, self.text_columns())
        except SkipFile as exc:
            self.leave()
            self.clear(f"Cannot show {path}: {exc}.")
            return
        previous = self.path
        if remember and previous and previous != opened.article.path:
            self.history.append(previous)
            del self.history[:-self.HISTORY]
        self.leave()
        self.show(opened.article, opened.title_spans, opened.body_spans, layout=opened.layout,
                  own_tags=opened.own_tags, position=opened.position)
        if focus:
            self.screen.set_focus(self)  # at once: the keys typed next are the article's
        self.stop_read_timer()
        # Read after a moment of reading, not on passing over it with ] or u. The view's
        # timer, not the app's: it goes with the view when the app closes.
        if self.read_after > 0:
            self._read_timer = self.set_timer(self.read_after, self._read_long_enough)
        else:
            self._read_long_enough()

    def _read(self, path: str, query: str, width: int) -> Opened:
        article = self.library.read_article(path)
        opened = Opened(article, Layout(article.body, width))
        if query:
            try:
                opened.title_spans, opened.body_spans = self.library.searcher().highlights(
                    query, article.title, article.body)
            except QueryError:
                pass
        state = self.library.state
        if state is not None:
            opened.position = state.position(path, article.hash)
            opened.own_tags = tuple(state.tags_of(path))
        return opened

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
        width = self.text_columns()

        def read() -> tuple[Article, Layout | None]:
            article = self.library.read_article(shown.article.path)
            changed = article.hash != shown.article.hash
            return article, Layout(article.body, width) if changed else None

        try:
            article, layout = await asyncio.to_thread(read)
        except SkipFile:
            return
        if self.shown is shown and layout is not None:
            self.show(article, layout=layout, own_tags=shown.own_tags, keep_scroll=True)

    # --- where it was left -----------------------------------------------------------------

    def _top_line(self) -> int:
        """The body's line at the top of the pane (negative: the title is in sight)."""
        return int(self.scroll_y) - self.body.virtual_region.y

    def leave(self) -> None:
        """Keep where the open article was left, to reopen it there: part-read, that is
        neither at its top nor scrolled to its end (read to the end, it opens at the top)."""
        shown, layout, state = self.shown, self.drawn, self.library.state
        if shown is None or layout is None or state is None:
            return
        path, top = shown.article.path, self._top_line()
        if top > 0 and self.scroll_y < self.max_scroll_y:
            state.set_position(path, layout.body_offset_at(top),
                               self.scroll_y / self.max_scroll_y, shown.article.hash)
        elif self._opened_at is not None:
            state.forget_position(path)
        self._opened_at = None

    def _scroll_to_pending_top(self, tries: int = 0) -> None:
        offset = self._pending_top
        if offset is None or self.drawn is None:
            self._pending_top = None
            return
        y = self.body.virtual_region.y + self.drawn.line_of(offset)
        if y > self.max_scroll_y and tries < 20:  # the body not laid out at its size yet
            self.call_after_refresh(self._scroll_to_pending_top, tries + 1)
            return
        self._pending_top = None
        self.scroll_to(y=y, animate=False, immediate=True)

    # --- showing ---------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """``n`` and ``N`` are offered (in the footer) only while the article shows hits."""
        return bool(self.hits) if action in ("next_hit", "previous_hit") else True

    def set_text_width(self, width: int) -> None:
        self._text_width = width
        for static in self.query(Static):
            static.styles.max_width = width

    def text_columns(self) -> int:
        """Columns the body is drawn in (before the first layout, the most it may have)."""
        return self.body.content_size.width or self._text_width

    def clear(self, message: str = "Choose an article and press enter to read it.") -> None:
        self.shown = None
        self.drawn = None
        self.add_class("-empty")
        self.query_one("#article-title", Static).update("")
        self.query_one("#article-meta", Static).update("")
        self.body.update(Text(message))
        self.refresh_bindings()

    def show(
        self,
        article: Article,
        title_spans: list[Span] | None = None,
        body_spans: list[Span] | None = None,
        *,
        layout: Layout | None = None,
        own_tags: tuple[str, ...] = (),
        position: Position | None = None,
        keep_scroll: bool = False,
    ) -> None:
        """Show an article: with hits, at the first one; else at ``position``."""
        self.shown = Shown(article, list(title_spans or []), list(body_spans or []), own_tags)
        self.drawn = layout or Layout(article.body, self.text_columns())
        self._opened_at = position
        self.remove_class("-empty")
        title = Text(article.title)
        for start, end in self.shown.title_spans:
            title.stylize("reverse", start, end)
        self.query_one("#article-title", Static).update(title)
        self.query_one("#article-meta", Static).update(header(article, own_tags))
        self._render_body()
        if not keep_scroll:
            self.scroll_home(animate=False, immediate=True)
        self.hit_index = -1
        self.refresh_bindings()
        if self.hits:
            self.call_after_refresh(self._go_to_hit, 0)
        elif position is not None and not keep_scroll:
            self._pending_top = position.offset
            self.call_after_refresh(self._scroll_to_pending_top)
        self.body_resized(self.body.content_size.width)  # resized while it was being read

    def show_tags(self, tags: Sequence[str]) -> None:
        """The header again, with the reader's own tags as they are now (after t)."""
        if self.shown is not None:
            self.shown.own_tags = tuple(tags)
            self.query_one("#article-meta", Static).update(header(self.shown.article,
                                                                  self.shown.own_tags))

    def _render_body(self, *, layout: bool = True) -> None:
        """Draw the body with its hits; ``layout`` False when only their styles changed
        (the size stays: no layout of the whole screen for each n and N)."""
        assert self.drawn is not None
        body = Text(self.drawn.text)
        hit_style = "black on yellow"
        current_style = "bold black on dark_orange"
        for number, (start, end) in enumerate(self.hits):
            style = current_style if number == self.hit_index else hit_style
            body.stylize(style, *self.drawn.span(start, end))
        self.body.update(body, layout=layout)

    def body_resized(self, width: int) -> None:
        """The text is reflowed to a new width, the same words kept at the top."""
        if self.shown is not None and self.drawn is not None and width \
                and width != self.drawn.width:
            self._reflow(width)

    @work(exclusive=True, group="reflow")
    async def _reflow(self, width: int) -> None:
        shown, drawn = self.shown, self.drawn
        if shown is None or drawn is None:
            return
        top = self._top_line()
        offset = self._pending_top
        if offset is None and top > 0:
            offset = drawn.body_offset_at(top)
        reflowed = await asyncio.to_thread(Layout, shown.article.body, width)
        if self.shown is not shown:
            return
        self.drawn = reflowed
        self._render_body()
        if offset is not None:
            self._pending_top = offset
            self.call_after_refresh(self._scroll_to_pending_top)

    def action_next_article(self) -> None:
        self.post_message(self.Step(+1))

    def action_previous_article(self) -> None:
        self.post_message(self.Step(-1))
