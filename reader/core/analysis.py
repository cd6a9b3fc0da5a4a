"""How title and body are analysed: the field type and analyzer that the saved schema names.

An index's schema is pickled into its table of contents, and names the classes here by
their module path (``reader.core.analysis.StemmedText``): this module is the on-disk
contract. Moving or renaming what is here, or changing what it makes of a text, needs a
new ``SCHEMA_VERSION`` (listing.py), so that every index made before is rebuilt once.

Only Whoosh's public extension points are used: a ``TEXT`` field with an analyzer of
Whoosh's own parts. How fast it indexes is ``whoosh_speedups``' business, not this module's.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from whoosh.analysis import (
    STOP_WORDS,
    CharsetFilter,
    Filter,
    LowercaseFilter,
    StemFilter,
    StopFilter,
    Token,
    Tokenizer,
)
from whoosh.fields import TEXT
from whoosh.support.charset import accent_map

#: A word as a reader sees it: letters and digits, with apostrophes and underscores inside
#: (``won't``, ``O'Sullivan``, ``under_score``), pieces joined by single dots or an at sign
#: (``U.S``, ``pic.twitter.com``, ``jane.roe@example.com``). A ``*`` is not part of a word
#: (``*Gulp*``, ``sh*t``), nor an underscore at its ends (``_above_``, ``__init__``).
_PIECE = r"[^\W_]+(?:(?:_+|['\u2019])[^\W_]+)*"
WORD = re.compile(rf"{_PIECE}(?:[.@]{_PIECE})*")
#: What joins the pieces of a word, and what an apostrophe may be.
JOINERS = re.compile(r"[.@]")
APOSTROPHES = re.compile(r"['\u2019]")
#: Whoosh's stop filter drops shorter words.
MIN_LENGTH = 2
#: StemmingAnalyzer's stop words.
STOPS = frozenset(STOP_WORDS)

#: One token of a word: its position after the word's first, its text, and where it
#: stands in the word (start, end).
Form = tuple[int, str, int, int]


def word_forms(word: str, query: bool = False) -> tuple[int, list[Form]]:
    """The tokens of one ``word`` (a WORD match) and the positions it takes.

    Each piece between dots or an at sign is a token at a position of its own (the text
    ``Jonathan.Amos`` is found by ``jonathan``, ``amos`` and the phrase "Jonathan Amos"); the
    whole is a token too when a piece is too short to be one (``U.S``, ``3.14``). A piece
    with apostrophes is a token without them (``wont``, ``osullivan``, ``trumps``), and in an
    article each of its parts is too, at the same position (``won``, ``sullivan``, ``trump``),
    so the word is found as typed with or without its apostrophe, and by its last name.
    ``query``: the parts are left out, so ``wont`` in an article is found by ``won't``."""
    if not JOINERS.search(word) and not APOSTROPHES.search(word):
        return 1, [(0, word, 0, len(word))]
    pieces = [(m.group(), m.start(), m.end()) for m in re.finditer(r"[^.@]+", word)]
    forms: list[Form] = []
    if len(pieces) > 1 and any(len(APOSTROPHES.sub("", piece)) < MIN_LENGTH
                               for piece, _, _ in pieces):
        forms.append((0, APOSTROPHES.sub("", word), 0, len(word)))
    for n, (piece, start, end) in enumerate(pieces):
        if not APOSTROPHES.search(piece):
            forms.append((n, piece, start, end))
            continue
        forms.append((n, APOSTROPHES.sub("", piece), start, end))
        if not query:
            forms += [(n, part.group(), start + part.start(), start + part.end())
                      for part in re.finditer(r"[^'\u2019]+", piece)]
    return len(pieces), forms


class WordTokenizer(Tokenizer):  # type: ignore[misc]  # (Whoosh has no type hints)
    """The words of a text as a reader sees them (WORD), each as its tokens (word_forms).

    A token that stands in for another at the same place (the parts of ``won't``) carries
    ``slot``, the word's number and its position in it, for SameSlotFilter."""

    def __eq__(self, other: object) -> bool:
        return self.__class__ is other.__class__

    def __hash__(self) -> int:
        return hash(self.__class__)

    def __call__(self, value: str, positions: bool = False, chars: bool = False,
                 keeporiginal: bool = False, removestops: bool = True, start_pos: int = 0,
                 start_char: int = 0, tokenize: bool = True, mode: str = "",
                 **kwargs: Any) -> Iterator[Any]:
        t = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        if not tokenize:
            t.original = t.text = value
            t.boost = 1.0
            t.slot = None
            if positions:
                t.pos = start_pos
            if chars:
                t.startchar, t.endchar = start_char, start_char + len(value)
            yield t
            return
        query = mode == "query"
        pos = start_pos
        for number, match in enumerate(WORD.finditer(value)):
            width, forms = word_forms(match.group(), query)
            at = match.start()
            for offset, text, start, end in forms:
                t.text = text
                t.boost = 1.0
                t.stopped = False
                t.slot = (number, offset) if len(forms) > 1 else None
                if keeporiginal:
                    t.original = text
                if positions:
                    t.pos = pos + offset
                if chars:
                    t.startchar, t.endchar = start_char + at + start, start_char + at + end
                yield t
            pos += width


class SameSlotFilter(Filter):  # type: ignore[misc]  # (Whoosh has no type hints)
    """Of the tokens of one place in a word that became the same term (``Trump's`` gives
    ``trumps`` and ``trump``, both stemmed to "trump"), the first: the term is there once."""

    def __eq__(self, other: object) -> bool:
        return self.__class__ is other.__class__

    def __hash__(self) -> int:
        return hash(self.__class__)

    def __call__(self, tokens: Iterator[Any]) -> Iterator[Any]:
        slot: Any = None
        seen: set[str] = set()
        for t in tokens:
            here = getattr(t, "slot", None)
            if here is None:
                slot = None
                yield t
                continue
            if here != slot:
                slot = here
                seen.clear()
            if t.text in seen:
                continue
            seen.add(t.text)
            yield t


def folding_analyzer() -> Any:
    """Whoosh's StemmingAnalyzer with our words (WordTokenizer), accents folded before
    stemming (``cafe`` finds ``café``, and ``resumes`` finds ``résumés``; folded after
    stemming, "résumé" and "resum" would stay apart; each accented letter folds to one
    letter, never to none), and stop words leaving their place empty: the phrase "said
    there" does not match "said that there"."""
    return (WordTokenizer() | LowercaseFilter()
            | StopFilter(stoplist=STOPS, minsize=MIN_LENGTH, renumber=False)
            | CharsetFilter(accent_map) | StemFilter() | SameSlotFilter())


class StemmedText(TEXT):  # type: ignore[misc]  # (Whoosh has no type hints)
    """A TEXT field with our analyzer (folding_analyzer) and positions: title and body,
    found by stem and by phrase."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(analyzer=folding_analyzer(), phrase=True, **kwargs)
