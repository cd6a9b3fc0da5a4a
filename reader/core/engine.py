"""Whoosh, made faster where our index spends its time (and fixed where it was wrong).

Indexing an article is analysing its text (about 45% of the time) and writing its postings
(the rest), all in Python. Two places did far more work than they need to:

- ``StemmedText.index`` does what Whoosh's ``StemmingAnalyzer`` and ``Positions`` format do
  for a field, in one pass: a regex finds the words, each distinct word is lower-cased,
  stopped or stemmed once per process, and the positions are grouped with plain lists.
  Whoosh pushes every token through four generators and encodes every position list on
  its own: 3.7 ms an article of the benchmark corpus against 1.1 ms. The terms, positions
  and weights are the same, byte for byte (tests/core/test_engine.py), so queries, phrases,
  snippets and scores do not change; the field's analyzer is still Whoosh's, for queries.
- Writing a segment asks for the field length of the document of every posting, which read
  one byte from the segment's length column through four Python calls and a seek. The
  length column is now read once per segment and field (a byte per document); search
  scoring, which asks the same question per hit, gains too. Together: 11.8 to 8.0 ms an
  article on one core (600 articles of the benchmark corpus, in one process).
"""

from __future__ import annotations

import pickle

from whoosh.analysis import STOP_WORDS, StemmingAnalyzer
from whoosh.codec import whoosh3
from whoosh.columns import NumericColumn
from whoosh.fields import TEXT
from whoosh.lang.porter import stem
from whoosh.system import pack_uint
from whoosh.util.numeric import byte_to_length

from .words import MIN_LENGTH, WORD

#: StemmingAnalyzer's stop words; words shorter than MIN_LENGTH are dropped too.
STOPS = frozenset(STOP_WORDS)
#: Word as written -> its term ("" when stopped). Shared by the fields of a process and
#: cleared when it grows past this many words (the long tail of a large build).
_CACHE_LIMIT = 200_000
_terms: dict[str, str] = {}
#: Encoded position lists of terms seen once in a document, by position (the first
#: SINGLE_CACHED positions: an article's words, not a 10 MB file's).
SINGLE_CACHED = 8192
_single: dict[int, bytes] = {}


def _term(word: str) -> str:
    lower = word.lower()
    term = "" if len(lower) < MIN_LENGTH or lower in STOPS else stem(lower)
    _terms[word] = term
    return term


class StemmedText(TEXT):
    """A TEXT field with Whoosh's StemmingAnalyzer and positions, indexed in one pass."""

    def __init__(self, **kwargs) -> None:
        super().__init__(analyzer=StemmingAnalyzer(), phrase=True, **kwargs)

    def index(self, value, **kwargs):
        if not isinstance(value, str) or set(kwargs) - {"mode"}:
            return super().index(value, **kwargs)
        return self._index(value)

    def _index(self, value: str):
        if len(_terms) > _CACHE_LIMIT:
            _terms.clear()
        words = WORD.findall(value)
        terms = list(map(_terms.get, words))
        if None in terms:
            for i, term in enumerate(terms):
                if term is None:
                    terms[i] = _term(words[i])
        # Whoosh's StopFilter renumbers: the first word kept keeps its position, and each
        # word kept after it takes the next one.
        first = next((i for i, term in enumerate(terms) if term), len(terms))
        positions: dict[str, list[int]] = {}
        pos = first
        for term in terms[first:]:
            if term:
                seen = positions.get(term)
                if seen is None:
                    positions[term] = [pos]
                else:
                    seen.append(pos)
                pos += 1
        boost = float(self.format.field_boost)
        dumps = pickle.dumps
        single = _single
        for term, found in positions.items():
            count = len(found)
            if count == 1:  # Positions.encode: the count, then the pickled gaps
                at = found[0]
                encoded = single.get(at)
                if encoded is None:
                    encoded = pack_uint(1) + dumps(found, 2)
                    if at < SINGLE_CACHED:
                        single[at] = encoded
            else:
                gaps = [b - a for a, b in zip([0, *found], found)]
                encoded = pack_uint(count) + dumps(gaps, 2)
            yield term.encode("utf-8"), count, count * boost, encoded


def _read_lengths_once() -> None:
    """W3PerDocReader.doc_field_length reads a segment's length column once per field."""
    reader_class = whoosh3.W3PerDocReader
    original = reader_class.doc_field_length
    if getattr(original, "_reads_once", False):
        return

    def doc_field_length(self, docnum, fieldname, default=0):
        cache = self.__dict__.get("_field_lengths")
        if cache is None:
            cache = self._field_lengths = {}
        lengths = cache.get(fieldname)
        if lengths is None:
            column = self._cached_reader(whoosh3._lenfield(fieldname), whoosh3.LENGTHS_COLUMN)
            if type(column) is NumericColumn.Reader and column._fixedlen == 1:
                lengths = column._dbfile.get(column._basepos, column._count)
            else:
                lengths = False  # no such column, or not the one we know: ask Whoosh
            cache[fieldname] = lengths
        if lengths is False or docnum > self._doccount:
            return original(self, docnum, fieldname, default)
        if docnum < len(lengths):
            lbyte = lengths[docnum]
            if lbyte:
                return byte_to_length(lbyte)
        return None  # as Whoosh: a zero length is None

    doc_field_length._reads_once = True
    doc_field_length.original = original
    reader_class.doc_field_length = doc_field_length


def _remember_missing_columns() -> None:
    """Whoosh fix: a segment's reader remembers that a field has no length column.

    Whoosh-reloaded 2.7.5 looked for the file again on every call, and writing a segment
    asked for the length of every posting: a ``stat`` per posting of the unscored fields."""
    reader_class = whoosh3.W3PerDocReader
    original = reader_class._cached_reader
    if getattr(original, "_remembers_missing", False):
        return

    def _cached_reader(self, fieldname, column):
        if fieldname in self._readers:
            return self._readers[fieldname]
        reader = original(self, fieldname, column)
        if reader is None:
            self._readers[fieldname] = None
        return reader

    _cached_reader._remembers_missing = True
    reader_class._cached_reader = _cached_reader


_remember_missing_columns()
_read_lengths_once()
