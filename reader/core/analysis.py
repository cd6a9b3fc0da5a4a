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
from typing import Any

from whoosh.analysis import STOP_WORDS, CharsetFilter, StemmingAnalyzer
from whoosh.fields import TEXT
from whoosh.support.charset import accent_map

#: The analyzer's tokenizer pattern, written to match the same words with less
#: backtracking: runs of letters (and ``*``) joined by single dots.
WORD = re.compile(r"[\w*]+(?:\.[\w*]+)*")
#: Whoosh's stop filter drops shorter words.
MIN_LENGTH = 2
#: StemmingAnalyzer's stop words.
STOPS = frozenset(STOP_WORDS)


def folding_analyzer() -> Any:
    """Whoosh's StemmingAnalyzer, with accents folded before stemming: ``cafe`` finds
    ``café``, and ``resumes`` finds ``résumés`` (folded after stemming, "résumé" and
    "resum" would stay apart). Each accented letter folds to one letter, never to none."""
    analyzer = StemmingAnalyzer(minsize=MIN_LENGTH, stoplist=STOPS)
    analyzer.items.insert(3, CharsetFilter(accent_map))  # after the stop words, before stems
    return analyzer


class StemmedText(TEXT):  # type: ignore[misc]  # (Whoosh has no type hints)
    """A TEXT field with Whoosh's StemmingAnalyzer (accents folded) and positions: title
    and body, found by stem and by phrase."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(analyzer=folding_analyzer(), phrase=True, **kwargs)
