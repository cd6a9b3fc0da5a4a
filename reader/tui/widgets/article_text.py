"""The article as its pane draws it: the header, and the body reflowed to the pane's width
(core/reflow.py) with a map between the body, the drawn text and the lines it falls on.

Hits and reading positions are kept as offsets of the body as written, which do not depend
on the width; a ``Layout`` turns them into drawn lines for one width, and back.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field

from rich._wrap import divide_line  # what Textual's Content wraps lines with
from rich.cells import cell_len
from rich.style import Style
from rich.text import Text

from ...core.articles import Article
from ...core.reflow import Reflowed, reflow
from ...core.state import Position

EMPTY_BODY = "(this article has no text beyond its title)"

Span = tuple[int, int]


def meta_line(article: Article) -> str:
    parts = [
        article.section or "",
        article.date.strftime("%a %d %b %Y, %H:%M").replace(", 00:00", "") if article.date else "",
        article.source,
        article.author and f"by {article.author}",
        f"{article.reading_minutes} min read",
    ]
    return "  ·  ".join(p for p in parts if p)


def all_tags(article: Article, own: tuple[str, ...] = ()) -> list[str]:
    """The file's tags, then the reader's own, each once (``tags:`` ignores case)."""
    seen: dict[str, str] = {}
    for tag in (*article.tags, *own):
        seen.setdefault(tag.lower(), tag)
    return list(seen.values())


def header(article: Article, own_tags: tuple[str, ...] = ()) -> Text:
    """The lines under the title: when, where and who from; the link, as a hyperlink where
    the terminal knows them (OSC 8); the tags."""
    text = Text(meta_line(article))
    if article.url:
        text.append("\nURL   ")
        text.append(article.url, Style(link=article.url, underline=True))
    tags = all_tags(article, own_tags)
    if tags:
        text.append("\nTags  " + ", ".join(tags))
    return text


class Layout:
    """The body drawn at ``width`` columns: its reflowed text, and the drawn line on which
    each character falls. Reflowed lines fit the width; a longer line (a long link, a body
    drawn as written) is broken where the pane breaks it (Textual's Content wraps with
    Rich's ``divide_line``)."""

    def __init__(self, body: str, width: int) -> None:
        self.width = max(1, width)
        self.flowed: Reflowed = reflow(body, self.width)
        self.text = self.flowed.text or EMPTY_BODY
        #: The drawn text's offset at the start of each line on screen.
        self.starts: list[int] = []
        position = 0
        for line in self.text.split("\n"):
            self.starts.append(position)
            if len(line) > self.width and cell_len(line) > self.width:
                self.starts.extend(position + cut for cut in divide_line(line, self.width,
                                                                         fold=True))
            position += len(line) + 1

    @property
    def lines(self) -> int:
        return len(self.starts)

    def line_of(self, body_offset: int) -> int:
        """The line (from 0) on which body character ``body_offset`` is drawn."""
        return self.line_of_drawn(self.flowed.to_text(body_offset))

    def line_of_drawn(self, offset: int) -> int:
        return max(0, bisect.bisect_right(self.starts, offset) - 1)

    def body_offset_at(self, line: int) -> int:
        """The body offset of the first character drawn on ``line``."""
        line = max(0, min(line, len(self.starts) - 1))
        return self.flowed.to_body(self.starts[line])

    def span(self, start: int, end: int) -> tuple[int, int]:
        """A span of the body as a span of the drawn text."""
        return self.flowed.span(start, end)


@dataclass(slots=True)
class Shown:
    article: Article
    title_spans: list[Span]
    body_spans: list[Span]  # offsets of the body as written
    own_tags: tuple[str, ...] = ()


@dataclass(slots=True)
class Opened:
    """An article read for the pane (in a thread): its hits, where it was left, its
    reader's tags, and its body laid out for the pane's width."""

    article: Article
    layout: Layout
    title_spans: list[Span] = field(default_factory=list)
    body_spans: list[Span] = field(default_factory=list)
    position: Position | None = None
    own_tags: tuple[str, ...] = ()
