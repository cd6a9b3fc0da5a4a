"""Hard-wrapped article text drawn as paragraphs, with a map from body offsets to it.

Wire copy (lines broken at ~70 columns, paragraphs marked by an indent, no blank lines) and
Usenet posts (``>`` quotes wrapped at 72) read badly when every source line is drawn as a
line of its own and wrapped again at the pane's width. ``reflow`` joins the lines of a
hard-wrapped paragraph, keeps lists, tables, code, signatures and short lines as written,
and (given a width) wraps the result itself, so that a quote's every line keeps its ``>``
and a list item hangs under its bullet. Search hits are spans of the original body:
``Reflowed.span`` moves them into the drawn text.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from rich.cells import cell_len

from .articles import Article

#: Longer bodies (a log, a book) are drawn as written: reflowing takes about a second a MB.
MAX_REFLOW_CHARS = 1_000_000
#: Text whose lines mostly reach this many columns or more was not wrapped by hand.
MAX_WRAP_WIDTH = 100
#: Nor was text whose lines are all narrower than this (a list, a poem, a table).
MIN_WRAP_WIDTH = 40
#: A line this much of the wrap width or less is short: a heading, an address, a table row.
SHORT = 0.7

#: Quote marks: "> > ", and old newsreaders' "|> ", "}", ": " and "#>".
_QUOTE = re.compile(r" ?[>|}#:](?: ?[>|}#:])* ?")
_QUOTE_LEVEL = re.compile(r"\|>|[>|}#:]")
#: "*" and "•" start a list item wherever they are; "-" and "1." only after a sentence.
_BULLET = re.compile(r"(?:[-*+•·–]|\(?\d{1,3}[.)]|\([a-zA-Z]\)|[a-zA-Z]\))[ ]+(?=\S)")
_SENTENCE_END = re.compile(r"""[.!?:]['"’”)\]»]*$""")
#: Words a paragraph cannot end on.
_OPEN_END = re.compile(
    r"(?:[(\[-]|\b(?:a|an|the|of|to|in|for|and|or|but|nor|with|by|on|at|from|as|that|"
    r"which|who|its|their|his|her|our|your|is|are|was|were|be|been|has|have|had|will|"
    r"would|said|than|into|about|after|before))$", re.IGNORECASE)
#: Columns set apart by spaces (but a typist's spaces after a full stop).
_ALIGNED = re.compile(r"\S {5,}\S|[^ .!?:] {3,}\S")
_RUN_OF_MARKS = re.compile(r"([-=_*#~+])\1{3,}")
_WORD = re.compile(r"[^ ]+")
_BROKEN_AT_HYPHEN = re.compile(r"[^\W\d_]-$")
#: Deleted by str.translate: what is left tells how many of these a line holds.
_CODE_MARKS = str.maketrans("", "", "{}[]<>=;$#\\|/*&^%~`_@")
_ALPHANUMERIC = re.compile(r"[^\W_]")


@dataclass(slots=True)
class _Line:
    start: int  # offset of the line in the body
    prefix: str  # the quote marks as written (">", "> > ")
    depth: int  # how many quote marks
    indent: int  # spaces between the marks and the text
    text: str  # the rest, from its first non-space character
    width: int  # columns of the whole line
    end: int  # offset of the end of the line (of its newline)
    verbatim: bool = False  # to be kept as written (see ``_verbatim``)

    @property
    def text_start(self) -> int:
        return self.start + len(self.prefix) + self.indent

    @property
    def blank(self) -> bool:
        return not self.text


@dataclass(slots=True)
class _Unit:
    """Lines drawn together: one paragraph to reflow, or lines to keep as written."""

    lines: list[_Line]
    prose: bool  # joined and wrapped; else every line as written
    hang: int = 0  # columns a list item's wrapped lines are indented by
    short: bool = False  # a short line of its own: drawn beside its like with no gap

    @property
    def blank(self) -> bool:
        return self.lines[0].blank

    @property
    def tight(self) -> bool:
        """Drawn with no blank line next to its like: list items, table rows, short lines."""
        return self.short or not self.prose or self.hang > self.lines[0].indent


def _split_lines(body: str) -> list[_Line]:
    raws = body.split("\n")
    marks = [_QUOTE.match(raw) if raw[:1] in " >|}#:" else None for raw in raws]
    lines = []
    start = 0
    for number, raw in enumerate(raws):
        quote = marks[number]
        if quote and not _quoted(marks, number):
            quote = None
        prefix = quote.group(0) if quote else ""
        rest = raw[len(prefix):]
        text = rest.lstrip(" ")
        depth = len(_QUOTE_LEVEL.findall(prefix))
        lines.append(_Line(start, prefix, depth, len(rest) - len(text), text,
                           len(raw) if raw.isascii() else cell_len(raw), start + len(raw),
                           _verbatim(text)))
        start += len(raw) + 1
    return lines


def _quoted(marks: list[re.Match[str] | None], number: int) -> bool:
    """">" always quotes; "|", "}", ":" and "#" only on two lines in a row (else a table's
    edge, a brace, a smiley, a heading)."""
    mark = marks[number]
    assert mark is not None
    first = mark.group(0).lstrip()[0]
    if first == ">":
        return True
    if first == "|" and mark.string.endswith("|"):
        return False  # a table's or a box's row
    for other in (number - 1, number + 1):
        beside = marks[other] if 0 <= other < len(marks) else None
        if beside is not None and beside.group(0).lstrip()[0] == first:
            return True
    return False


def _verbatim(text: str) -> bool:
    """A line whose spacing or symbols carry meaning: a table row, code, a rule, a box."""
    if not text:
        return False
    if _ALIGNED.search(text) or _RUN_OF_MARKS.search(text):
        return True
    if text.startswith("|") or text.endswith("|"):
        return True
    if not _ALPHANUMERIC.search(text):
        return True  # a rule, an ASCII drawing, a lone "..."
    marks = len(text) - len(text.translate(_CODE_MARKS))
    return marks >= 4 and marks >= 0.2 * (len(text) - text.count(" "))


def _ends_sentence(line: _Line) -> bool:
    return _SENTENCE_END.search(line.text) is not None


def _first_word(line: _Line) -> str:
    return line.text.split(" ", 1)[0]


def _after_bullet(text: str) -> str:
    bullet = _BULLET.match(text)
    return text[bullet.end():] if bullet else text


def _alike(text: str, other: str) -> bool:
    """Lines that start alike, each a first word and a name or a number after it ("Part I",
    "Part II"; "May 04", "May 13"), not a sentence going on ("I thought", "I also")."""
    words, others = text.split(None, 2)[:2], other.split(None, 2)[:2]
    if words and others and words[0][-1] == others[0][-1] == ":":
        return True  # "From: ..." and "Subject: ...": a header
    return (len(words) == len(others) == 2 and words[0] == others[0]
            and not any(word[0].islower() for word in (words[0], words[1], others[1])))


def _open_ended(line: _Line) -> bool:
    """A line that cannot end a paragraph: on "the", "said", an open bracket."""
    text = line.text
    return (_OPEN_END.search(text) is not None or text.count("(") > text.count(")")
            or text.count("<") > text.count(">") or text.count('"') % 2 == 1)


def _goes_on(line: _Line) -> bool:
    """A line starting with a lower-case word goes on a sentence (an address does not)."""
    word = _first_word(line)
    return word[0].islower() and "@" not in word and "://" not in word and "www." not in word


def _wrap_width(lines: list[_Line]) -> int | None:
    """The width the text was hard-wrapped at, or None when it was not: lines mostly of a
    width a person or an editor wraps at, most of them broken mid-sentence."""
    prose = [line.width for line in lines if not line.blank and not line.verbatim]
    widths = sorted(width for width in prose if width <= MAX_WRAP_WIDTH)
    if len(widths) < 2 or len(widths) < 0.75 * len(prose):
        return None  # a long line here and there is a link or an attribution; most is not
    width = widths[int(0.9 * (len(widths) - 1))]
    if width < MIN_WRAP_WIDTH:
        return None
    inner = [line for line, after in zip(lines, lines[1:], strict=False)
             if not line.blank and not after.blank and line.depth == after.depth]
    if not inner:
        return None
    mid_sentence = sum(1 for line in inner if not _ends_sentence(line))
    return width if mid_sentence >= 0.3 * len(inner) else None


def _units(lines: list[_Line], wrap: int | None) -> list[_Unit]:
    """The body as units, each blank line one of its own."""
    units: list[_Unit] = []
    unit: _Unit | None = None
    signature = False
    for number, line in enumerate(lines):
        if line.blank:
            units.append(_Unit([line], prose=False))
            unit = None
            continue
        if line.depth == 0 and line.text == "--" and line.indent == 0:
            signature = True  # "-- ": the rest is a signature, kept as written
        if signature or line.verbatim:
            unit = None
            units.append(_Unit([line], prose=False))
            continue
        after = lines[number + 1] if number + 1 < len(lines) else None
        if unit is not None and wrap is not None and _continues(unit, line, after, wrap):
            unit.lines.append(line)
            continue
        bullet = _BULLET.match(line.text)
        unit = _Unit([line], prose=True, hang=line.indent + (bullet.end() if bullet else 0))
        units.append(unit)
    for item in units:
        if item.prose and len(item.lines) == 1 and wrap is not None:
            item.short = item.lines[0].width <= SHORT * wrap
    return units


def _continues(unit: _Unit, line: _Line, after: _Line | None, wrap: int) -> bool:
    """Whether ``line`` goes on the paragraph of ``unit`` (hard-wrapped text only)."""
    last = unit.lines[-1]
    first = unit.lines[0]
    if line.depth != first.depth:
        return _lost_its_marks(unit, line, after, wrap)
    listed = unit.hang > first.indent  # a list item
    if listed:
        if line.indent != unit.hang:
            return False  # a list item's lines hang under its text
    elif len(unit.lines) == 1:
        if line.indent > first.indent:
            return False  # indented: a new paragraph (or something set apart)
        if line.indent < first.indent and last.width <= SHORT * wrap:
            return False  # a short indented line: a heading, a line centred
    elif line.indent != unit.lines[1].indent:
        return False
    bullet = _BULLET.match(line.text)
    if bullet and (_ends_sentence(last) or listed or line.text[0] in "*+•·"):
        return False  # the next item of a list
    if _alike(_after_bullet(last.text) if listed and last is first else last.text, line.text):
        return False  # a list without bullets ("May 04 - ...", "May 13 - ...")
    if _goes_on(line):
        return True
    if not _ends_sentence(last):  # a wire story's first line is short: its dateline is cut
        return last.width > SHORT * wrap or _open_ended(last) or (
            last.start == 0 and last.text[-1].isalnum() and line.width > SHORT * wrap)
    if (after is None or after.blank) and line.width <= SHORT * wrap and \
            not _ends_sentence(line):
        return False  # a name or an address under the last sentence
    return _full(last, line, wrap)


def _full(last: _Line, line: _Line, wrap: int) -> bool:
    """The first word of ``line`` would not have fitted on ``last``: a wrapper broke it."""
    return last.width + 1 + cell_len(_first_word(line)) > wrap


def _lost_its_marks(unit: _Unit, line: _Line, after: _Line | None, wrap: int) -> bool:
    """A quote's line that lost its marks when the quote was wrapped again after quoting:
    a short unquoted line between quoted ones, going on from the line before."""
    last = unit.lines[-1]
    return (line.depth == 0 < unit.lines[0].depth and after is not None and after.depth > 0
            and not _ends_sentence(last) and line.width <= SHORT * wrap
            and (_goes_on(line) or _full(last, line, wrap)))


class _Builder:
    """The drawn text, and which runs of it were copied from where in the body."""

    def __init__(self, body: str) -> None:
        self.body = body
        self.parts: list[str] = []
        self.length = 0
        self.body_starts: list[int] = []
        self.text_starts: list[int] = []
        self.lengths: list[int] = []

    def copy(self, start: int, end: int) -> None:
        if end <= start:
            return
        if (self.lengths and self.body_starts[-1] + self.lengths[-1] == start
                and self.text_starts[-1] + self.lengths[-1] == self.length):
            self.lengths[-1] += end - start
        else:
            self.body_starts.append(start)
            self.text_starts.append(self.length)
            self.lengths.append(end - start)
        self.parts.append(self.body[start:end])
        self.length += end - start

    def insert(self, text: str) -> None:
        self.parts.append(text)
        self.length += len(text)


@dataclass(frozen=True, slots=True)
class Reflowed:
    """Text to draw, and where each character of the body it came from went."""

    text: str
    body_starts: tuple[int, ...]
    text_starts: tuple[int, ...]
    lengths: tuple[int, ...]

    def to_text(self, offset: int) -> int:
        """Where body ``offset`` is drawn; an offset in a line break or a removed quote mark
        goes to the end of the text drawn before it."""
        run = bisect.bisect_right(self.body_starts, offset) - 1
        if run < 0:
            return 0
        return self.text_starts[run] + min(offset - self.body_starts[run], self.lengths[run])

    def to_body(self, offset: int) -> int:
        """The body offset drawn at text ``offset`` (inserted text: the next body character);
        a reading position kept as a body offset does not depend on the pane's width."""
        run = bisect.bisect_right(self.text_starts, offset) - 1
        if run < 0:
            return 0
        return self.body_starts[run] + min(offset - self.text_starts[run], self.lengths[run])

    def span(self, start: int, end: int) -> tuple[int, int]:
        """A span of the body (a search hit) as a span of the drawn text."""
        return self.to_text(start), max(self.to_text(start), self.to_text(end))


def _layout(body: str) -> tuple[list[_Unit], list[bool], bool]:
    """The body's units, whether a blank line goes before each (a body with no blank line
    gets one between paragraphs), and whether it is such a body."""
    lines = _split_lines(body)
    units = _units(lines, _wrap_width(lines))
    spaced = len(lines) > 1 and not any(not line.text and not line.prefix for line in lines)
    gaps = []
    previous: _Unit | None = None
    for unit in units:
        gaps.append(spaced and previous is not None and not unit.blank
                    and not (previous.tight and unit.tight))
        previous = None if unit.blank else unit
    return units, gaps, spaced


def reflow(body: str, width: int | None = None) -> Reflowed:
    """``body`` as paragraphs: hard-wrapped lines joined, lists, tables, code, signatures
    and short lines as written; in a body with no blank line, a blank line between
    paragraphs. With ``width``, every paragraph is wrapped to it (never inside a word), its
    lines keeping its quote marks and a list item's indent; without, a paragraph is one line.
    """
    if len(body) > MAX_REFLOW_CHARS:
        return Reflowed(body, (0,), (0,), (len(body),))
    units, gaps, spaced = _layout(body)
    out = _Builder(body)
    for number, (unit, gap) in enumerate(zip(units, gaps, strict=True)):
        if number:
            end = units[number - 1].lines[-1].end
            out.copy(end, end + 1)  # the line break as written
        if gap:
            out.insert("\n")
        if unit.prose:
            _draw_paragraph(out, unit, width, drop_indent=spaced)
        else:  # kept as written, or a blank line (with its quote marks)
            line = unit.lines[0]
            out.copy(line.start, line.text_start + len(line.text))
    return Reflowed("".join(out.parts), tuple(out.body_starts), tuple(out.text_starts),
                    tuple(out.lengths))


@dataclass(frozen=True, slots=True)
class Block:
    """A paragraph or a line of the body as ``reflow`` sees it, for other formats
    (Markdown): ``text`` is a paragraph's words on one line, or a line kept as written
    (``kept``: its spacing matters), without its quote marks; "" is a blank line."""

    text: str
    depth: int = 0
    kept: bool = False


def blocks(body: str) -> list[Block]:
    """``body`` as reflow draws it, one Block a paragraph, kept line or blank line."""
    if len(body) > MAX_REFLOW_CHARS:
        return [Block(line, kept=True) for line in body.split("\n")]
    units, gaps, _ = _layout(body)
    found: list[Block] = []
    for unit, gap in zip(units, gaps, strict=True):
        if gap:
            found.append(Block(""))
        first = unit.lines[0]
        if not unit.prose:
            found.append(Block(" " * first.indent + first.text if first.text else "",
                               first.depth, kept=bool(first.text)))
            continue
        parts, joint = [], ""
        for line in unit.lines:
            parts.append(joint + line.text)
            joint = "" if _BROKEN_AT_HYPHEN.search(line.text) else " "
        found.append(Block("".join(parts), first.depth))
    return found


def _draw_paragraph(out: _Builder, unit: _Unit, width: int | None, *, drop_indent: bool) -> None:
    """Copy the words of ``unit`` with one space where a line broke, wrapped to ``width``."""
    first = unit.lines[0]
    if unit.hang > first.indent or len(unit.lines) == 1:  # a list item, a line of its own
        hang = 0 if drop_indent and unit.hang == first.indent else unit.hang
    else:
        hang = unit.lines[1].indent
    indent = min(first.indent, hang) if drop_indent else first.indent
    out.copy(first.start, first.start + len(first.prefix))
    out.copy(first.text_start - indent, first.text_start)
    room = None if width is None else max(1, width - cell_len(first.prefix) - hang)
    column = indent - hang  # room is counted after the hang
    after_break = "\n" + first.prefix + " " * hang
    joint = ""  # what the line break before this line is drawn as
    crowded = False  # a word is on the drawn line
    for line in unit.lines:
        at = line.text_start
        text = line.text
        if room is None:
            out.insert(joint)
            out.copy(at, at + len(text))
        else:  # copied in runs: from ``pending`` to the end of the last word placed
            pending = placed = at
            for word in _WORD.finditer(text):
                start, end = at + word.start(), at + word.end()
                size = len(word.group()) if word.group().isascii() else cell_len(word.group())
                gap = len(joint) if start == at else start - placed
                if crowded and column + gap + size > room:
                    out.copy(pending, placed)
                    out.insert(after_break)
                    pending, column = start, 0
                else:
                    if start == at:  # nothing is pending yet
                        out.insert(joint)
                    column += gap
                column += size
                placed = end
                crowded = True
            out.copy(pending, placed)
        # "self-" and "ownership" on the next line make "self-ownership" again.
        joint = "" if _BROKEN_AT_HYPHEN.search(text) else " "


def pager_text(article: Article, width: int) -> str:
    """The article for ``$PAGER``: its title and reflowed body wrapped to ``width`` columns,
    so the pager does not break lines inside words."""
    title = reflow(article.title, width).text
    body = reflow(article.body, width).text
    return f"{title}\n\n{body}".rstrip() + "\n"
