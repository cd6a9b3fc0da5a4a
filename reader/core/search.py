"""Queries: parse, run, rank, highlight, related articles and "did you mean".

The Whoosh query language with friendly defaults: words are AND-ed; ``OR``, ``NOT``,
``"phrases"``, ``title:``, ``section:``, ``date:`` ranges, ``wild*`` and ``fuzzy~``.
A query that cannot be understood raises ``QueryError`` with a one-line reason.
"""

from __future__ import annotations

import contextlib
import copy
import fnmatch
import functools
import itertools
import math
import re
import time
import weakref
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from whoosh import collectors, matching, qparser, query
from whoosh.qparser.common import attach
from whoosh.qparser.dateparse import DateParserPlugin
from whoosh.qparser.taggers import RegexTagger
from whoosh.query import spans
from whoosh.support.charset import accent_map
from whoosh.util.times import long_to_datetime

from .analysis import WORD, WordTokenizer, word_forms
from .articles import SkipFile, links_start
from .errors import QueryError
from .index import CorpusIndex

MAX_QUERY_CHARS = 1000
SNIPPET_CHARS = 200
#: Only the first part of a long body is searched for a snippet (a 10 MB article stays fast).
SNIPPET_SCAN_CHARS = 32_000
SORTS = ("relevance", "date", "title")
#: A wildcard, fuzzy term or range stands for at most this many words ...
MAX_EXPANSIONS = 1000
#: ... and a fuzzy term for words at most this many edits away (``word~6`` is ``word~2``).
MAX_EDITS = 2
TITLE_PHRASE_BOOST = 2.0
#: A term no analyzer produces: what a wildcard that matches no word becomes.
NO_MATCH = "\x00no-match"
FIELDS = ("title", "body", "section", "date", "source", "author", "tags")

#: Seconds a search may take (``Searcher.search``'s ``budget``): past them, the best hits
#: found so far. An everyday query takes milliseconds; ``[a to z]`` took 27 s.
QUERY_BUDGET = 2.0
CUT_SHORT = "the search took too long: these are the best results found in time"
#: Seconds ``Searcher.paths`` may take (a saved search counted in the background).
PATHS_BUDGET = 10.0
#: "More like this" asks for this many of the article's words (of the most weight) ...
RELATED_TERMS = 40
#: ... in titles too, boosted this much against the body.
RELATED_TITLE = 0.5
#: ... from the article's first this many characters.
RELATED_SCAN_CHARS = 50_000
#: A query that finds at most this many articles is respelled (with ``correct``) when its
#: respelling finds FAR_MORE times as many: the query's words are a typo found in the
#: articles themselves.
FEW_HITS = 3
FAR_MORE = 10

Span = tuple[int, int]


class IndexDamaged(QueryError):
    """The query was fine but the index could not be read; it is marked for a rebuild."""


@dataclass(slots=True)
class Hit:
    path: str
    title: str
    section: str
    date: datetime
    #: The query's BM25F score for the article, whatever the order (0 when the query only
    #: picks articles, by date or section: nothing to score).
    score: float
    snippet: str = ""
    snippet_spans: list[Span] = field(default_factory=list)
    title_spans: list[Span] = field(default_factory=list)
    url: str = ""
    tags: list[str] = field(default_factory=list)


@dataclass(slots=True)
class Results:
    query: str
    hits: list[Hit]
    #: How many articles match in all; None when the search was asked not to count them
    #: (``count=False``) and that would have cost a second pass: ``Searcher.count`` does it.
    total: int | None
    suggestion: str | None = None
    seconds: float = 0.0
    #: The words the query matched (analysed): what ``Searcher.add_snippets`` highlights.
    terms: set[str] = field(default_factory=set)
    #: The query as it ran (wildcards and fuzzy terms expanded), for ``Searcher.count``.
    ran: Any = field(default=None, repr=False, compare=False)
    #: How many articles the index held when it was searched (fewer while it is built).
    searched: int | None = None
    #: Why nothing was found, when the query names what the corpus does not have.
    note: str | None = None
    #: Set when the hits are not the query's own but its respelling's (``correct=True``:
    #: the query found nothing, or far fewer articles): the query that ran. ``query`` is
    #: still the one asked, for "search for … exactly instead".
    respelled: str | None = None
    #: The words respelled, (as typed, as respelled), in the order of the query.
    corrections: list[tuple[str, str]] = field(default_factory=list)
    #: Set when the search ran out of its time budget: one line saying the hits are the
    #: best found by then (``total`` is then None: counting them would take longer still).
    cut_short: str | None = None


# --- parsing -------------------------------------------------------------------------------


class GappedPhrase(query.Phrase):  # type: ignore[misc]  # (Whoosh has no type hints)
    """A phrase whose words stand at the positions they have in the query: a stop word
    leaves its place empty in the index (analysis.folding_analyzer), so "said there" does
    not match "said that there" and "said that there" does; and a word of several pieces
    (``Jonathan.Amos``) gives tokens at one position and at the next."""

    def __init__(self, fieldname: str, words: list[str], slop: int = 1, boost: float = 1.0,
                 char_ranges: list[tuple[int, int]] | None = None,
                 offsets: list[int] | None = None) -> None:
        super().__init__(fieldname, words, slop=slop, boost=boost, char_ranges=char_ranges)
        self.offsets = list(range(len(words))) if offsets is None else list(offsets)

    def __eq__(self, other: object) -> bool:
        return bool(super().__eq__(other)) and self.offsets == getattr(other, "offsets", None)

    def __hash__(self) -> int:
        return int(super().__hash__()) ^ hash(tuple(self.offsets))

    def normalize(self) -> query.Query:
        kept = [(word, offset) for word, offset in zip(self.words, self.offsets, strict=True)
                if word is not None]
        if len(kept) < 2:
            return super().normalize()
        return GappedPhrase(self.fieldname, [word for word, _ in kept], slop=self.slop,
                            boost=self.boost, char_ranges=self.char_ranges,
                            offsets=[offset for _, offset in kept])

    def matcher(self, searcher: Any, context: Any = None) -> Any:
        if self.slop > 1:  # "a b"~3: near each other, as Whoosh has it
            return super().matcher(searcher, context)
        field = searcher.schema[self.fieldname] if self.fieldname in searcher.schema else None
        if field is None:
            return matching.NullMatcher()
        reader = searcher.reader()
        terms = []
        for word in self.words:
            try:
                word = field.to_bytes(word)
            except ValueError:
                return matching.NullMatcher()
            if (self.fieldname, word) not in reader:
                return matching.NullMatcher()  # one of the words is in no article
            terms.append(query.Term(self.fieldname, word))
        m = _GappedMatcher([term.matcher(searcher, context) for term in terms], self.offsets)
        return m if self.boost == 1.0 else matching.WrappingMatcher(m, boost=self.boost)


class _GappedMatcher(spans.SpanWrappingMatcher):  # type: ignore[misc]
    """The articles holding every word of a phrase, each at its offset from the first."""

    def __init__(self, matchers: list[Any], offsets: list[int]) -> None:
        self.matchers = matchers
        self.offsets = offsets
        super().__init__(spans.make_binary_tree(matching.IntersectionMatcher, matchers))

    def copy(self) -> _GappedMatcher:
        return _GappedMatcher([m.copy() for m in self.matchers], self.offsets)

    def replace(self, minquality: float = 0) -> Any:
        return self if self.is_active() else matching.NullMatcher()

    def _get_spans(self) -> list[Any]:
        starts: set[int] | None = None
        for m, offset in zip(self.matchers, self.offsets, strict=True):
            here = {span.start - offset for span in m.spans()}
            starts = here if starts is None else starts & here
            if not starts:
                return []
        width = max(self.offsets)
        return [spans.Span(start, start + width) for start in sorted(starts or ())]


class _PhrasePlugin(qparser.PhrasePlugin):  # type: ignore[misc]
    """Whoosh's "phrase" syntax, making GappedPhrase queries."""

    class PhraseNode(qparser.PhrasePlugin.PhraseNode):  # type: ignore[misc]
        def query(self, parser: Any) -> Any:
            fieldname = self.fieldname or parser.fieldname
            schema = parser.schema
            if not schema or fieldname not in schema or not schema[fieldname].analyzer:
                return super().query(parser)
            start = self.textstartchar
            tokens = [(t.text, t.pos, start + t.startchar, start + t.endchar) for t in
                      schema[fieldname].tokenize(self.text, mode="query", chars=True,
                                                 positions=True)]
            first = tokens[0][1] if tokens else 0
            q = GappedPhrase(fieldname, [text for text, _, _, _ in tokens], slop=self.slop,
                             boost=self.boost,
                             char_ranges=[(s, e) for _, _, s, e in tokens],
                             offsets=[pos - first for _, pos, _, _ in tokens])
            return attach(q, self)

    class PhraseTagger(RegexTagger):  # type: ignore[misc]
        def create(self, parser: Any, match: re.Match[str]) -> Any:
            slop = match.group("slop")
            return _PhrasePlugin.PhraseNode(match.group("text"), match.start("text"),
                                            int(slop) if slop else 1)

    def taggers(self, parser: Any) -> list[tuple[Any, int]]:
        return [(self.PhraseTagger(self.expr), 0)]


def make_parser(schema: Any) -> qparser.QueryParser:
    parser = qparser.MultifieldParser(["title", "body"], schema, group=qparser.AndGroup)
    parser.remove_plugin_class(qparser.PhrasePlugin)
    parser.add_plugin(_PhrasePlugin())
    parser.add_plugin(qparser.FuzzyTermPlugin())
    parser.add_plugin(qparser.GtLtPlugin())
    parser.add_plugin(DateParserPlugin(free=False))
    return parser


_FIELD_PREFIX = re.compile(r'(?<![\w"])([A-Za-z_]\w*):(?=(\S?))')


def _drop_unmatched(text: str) -> str:
    """Parentheses without a partner are treated as punctuation, not grouping."""
    chars = list(text)
    open_at: list[int] = []
    quoted = False
    for i, char in enumerate(chars):
        if char == '"':
            quoted = not quoted
        elif quoted:
            continue
        elif char == "(":
            open_at.append(i)
        elif char == ")":
            if open_at:
                open_at.pop()
            else:
                chars[i] = " "
    for i in open_at:
        chars[i] = " "
    return "".join(chars)


# "-word" (or -"a phrase", -title:x, -(a OR b)) at the start of a word, outside quotes,
# leaves it out, as in web search: Whoosh read it as the word itself, finding the very
# articles it was meant to leave out. "e-mail" and "-5" are left as they are.
_MINUS = re.compile(r'("[^"]*")|(?:(?<=[\s(])|^)-(?=[^\W\d_]|["(])')


_LEADING_WILDCARD = re.compile(r"(?<![\w*?:])[*?]+(?=[^\W_])")


def normalize_query(text: str) -> str:
    """Make pasted text searchable; raise QueryError only for what cannot mean anything.

    A title pasted into the box must just work: an unmatched quote or parenthesis is
    punctuation, ``Re:`` is a word (only known field names are fields), ``-word`` leaves a
    word out, ``<`` and ``>`` only mean "before"/"after" right after ``date:``, and an
    all-capitals headline of four or more words is read as words (its AND, OR and NOT are
    not operators). A ``?`` that ends a word is a question mark; inside a word it still
    stands for one letter. A ``*`` or ``?`` before a word is punctuation.
    """
    text = text.strip()
    if len(text) > MAX_QUERY_CHARS:
        raise QueryError(f"query too long ({len(text):,} characters; at most {MAX_QUERY_CHARS:,})")
    if text.count('"') % 2:
        last = text.rfind('"')
        text = text[:last] + " " + text[last + 1 :]
    text = _drop_unmatched(text)
    parts = re.split(r'("[^"]*")', text)
    for n, part in enumerate(parts):
        if part.startswith('"'):
            continue
        part = re.sub(r"(?<!:)[<>]=?", " ", part)
        part = re.sub(r"\?+(?=[\s!.,;:)]|$)", " ", part)  # "found?" asks; "wom?n" matches
        # Glued to the front of a word, * and ? are punctuation (a lost quote or pound sign
        # in pasted text: "?General Staff"), not a wildcard: those are typed at a word's end
        # or inside it.
        part = _LEADING_WILDCARD.sub(" ", part)

        def field(match: re.Match[str]) -> str:
            name = match.group(1)
            return match.group(0) if name.lower() in FIELDS else f"{name} "

        parts[n] = _FIELD_PREFIX.sub(field, part)
    text = "".join(parts)
    words = re.findall(r"[^\W\d_]+", text)
    if len(words) >= 4 and not any(char.islower() for char in text):
        text = text.lower()
    text = _MINUS.sub(lambda m: m.group(1) or "NOT ", text)  # after the lowering: an operator
    outside_quotes = re.sub(r'"[^"]*"', '""', text)
    for match in _FIELD_PREFIX.finditer(outside_quotes):
        name, following = match.group(1), match.group(2)
        if not following or following in ")":
            raise QueryError(f"'{name}:' needs a word after it, e.g. {name}:china")
    tokens = re.sub(r'"[^"]*"', "x", outside_quotes).split()
    if tokens and tokens[-1] in ("AND", "OR", "NOT", "ANDNOT", "ANDMAYBE"):
        raise QueryError(f"'{tokens[-1]}' needs a word after it")
    if tokens and tokens[0] in ("AND", "OR", "ANDNOT", "ANDMAYBE"):
        raise QueryError(f"'{tokens[0]}' needs a word before it")
    return text


DATE_HELP = "use e.g. date:2025-09-15, date:2025-09, date:2025 or date:[2025-01 to 2025-06]"
_DATE_TERM = re.compile(r"(?i)\bdate:(\[[^\]]*\]|\{[^}]*\}|[<>]=?\S+|\S+)")
_ISO_DATE = re.compile(r"\b(\d{4})-(\d{1,2})(?:-(\d{1,2}))?\b")


def _compact_dates(text: str) -> str:
    """``date:2025-09`` to ``date:202509``: Whoosh's date parser misreads ISO months."""

    def compact(match: re.Match[str]) -> str:
        year, month, day = match.groups()
        return str(year + month.zfill(2) + (day.zfill(2) if day else ""))

    return _DATE_TERM.sub(lambda m: "date:" + _ISO_DATE.sub(compact, m.group(1)), text)


_DATE_COMPARE = re.compile(r"(?i)\bdate:([<>]=?)(\d{4})(\d{2})?(\d{2})?(?![\w-])")


def _date_comparisons(text: str) -> str:
    """``date:<2025`` means before 2025 began and ``date:>2025-09`` after September ended.

    Whoosh compares with the far end of the period (``<2025`` took in all of 2025), so each
    comparison becomes an inclusive range of whole days.
    """

    def rewrite(match: re.Match[str]) -> str:
        op, year, month, day = match.groups()
        try:
            start = date(int(year), int(month or 1), int(day or 1))
            if day:
                after = start + timedelta(days=1)
            elif month:
                after = (start.replace(day=28) + timedelta(days=4)).replace(day=1)
            else:
                after = start.replace(year=start.year + 1)
            before = start - timedelta(days=1)
        except (ValueError, OverflowError):
            return str(match.group(0))  # the date parser explains what is wrong with it
        ymd = "%Y%m%d"
        if op == "<":
            return f"date:[to {before:{ymd}}]"
        if op == "<=":
            return f"date:[to {after - timedelta(days=1):{ymd}}]"
        if op == ">":
            return f"date:[{after:{ymd}} to]"
        return f"date:[{start:{ymd}} to]"

    return _DATE_COMPARE.sub(rewrite, text)


def _errors(q: query.Query) -> list[str]:
    found = []
    for node in q.leaves() if not q.is_leaf() else [q]:
        error = getattr(node, "error", None)
        if not error or isinstance(node, (query.NumericRange, query.DateRange)):
            continue  # a range that Whoosh's fallback parser did understand
        if getattr(node, "fieldname", None) == "date" or isinstance(node, query.qcore._NullQuery):
            # As typed: _compact_dates made "2025-13" the "202513" Whoosh could not read.
            typed = re.sub(r"(?<!\d)(\d{4})(\d{2})(\d{2})?(?!\d)",
                           lambda m: "-".join(g for g in m.groups() if g), str(error))
            found.append(f"'{typed}' is not a date: {DATE_HELP}")
        else:
            found.append(str(error))
    return found


def _section_phrase(node: query.Query) -> query.Query:
    """``section:"world news"`` names the folder ``World News`` (indexed as ``world_news``);
    Whoosh made it a phrase, which a keyword field cannot answer."""
    if isinstance(node, query.Phrase) and node.fieldname == "section":
        return query.Term("section", "_".join(node.words), boost=node.boost)
    return node


_DAY = 86_400 * 10**6  # Whoosh's dates are microseconds since datetime.min, a midnight


def _whole_days(node: query.Query) -> query.Query:
    """Dates are indexed by the day (index.document): a range that starts within a day
    starts at its midnight, so ``date:"2025-09-15 10:00"`` finds that day's articles."""
    if (isinstance(node, query.NumericRange) and node.fieldname == "date"
            and node.start is not None):
        start = node.start - node.start % _DAY
        if start != node.start or node.startexcl:
            node = copy.copy(node)
            node.start, node.startexcl = start, False
            if isinstance(node, query.DateRange):
                node.startdate = long_to_datetime(start)
    return node


def _every(q: query.Query) -> query.Query:
    """``*`` in title or body is every article, without a field: Whoosh's ``Every("body")``
    unions the postings of every word of the field (9 s at 7,500 articles). ``china *`` is
    ``china`` (Whoosh made any query with an Every in it every article)."""
    if isinstance(q, (query.Every, query.Wildcard)) and (
            isinstance(q, query.Every) or q.text.strip("*") == ""):
        return query.Every() if q.fieldname in ("title", "body", None) else q
    if isinstance(q, query.CompoundQuery):
        children = [_every(child) for child in q.subqueries]
        every = [isinstance(child, query.Every) for child in children]
        if isinstance(q, query.And):
            children = [child for child, all_ in zip(children, every, strict=True) if not all_]
            if not children:
                return query.Every()
        elif any(every):  # one side of an OR takes in every article
            return query.Every()
        q = copy.copy(q)
        q.subqueries = children
        return q
    if isinstance(q, query.BinaryQuery):
        a, b = _every(q.a), _every(q.b)
        if isinstance(q, query.AndMaybe) and isinstance(b, query.Every):
            return a
        q = copy.copy(q)
        q.a, q.b = a, b
        return q
    if isinstance(q, query.Not):
        q = copy.copy(q)
        q.query = _every(q.query)
    return q


def parse(parser: qparser.QueryParser, text: str) -> query.Query:
    if not text.strip():
        raise QueryError("type some words to search for")
    text = _date_comparisons(_compact_dates(normalize_query(text)))
    try:
        q = parser.parse(text)
    except Exception as exc:  # Whoosh raises assorted errors on odd input
        if "date:" in text.lower():
            raise QueryError(f"cannot read the date: {DATE_HELP}") from None
        raise QueryError(f"cannot understand the query ({exc})") from None
    problems = _errors(q)
    if problems:
        raise QueryError(problems[0])
    q = _every(q.accept(_section_phrase).accept(_whole_days))
    if isinstance(q, query.Every):
        return q
    q = q.normalize()
    if q is query.NullQuery or isinstance(q, query.qcore._NullQuery):
        raise QueryError("nothing to search for: the query has only common words or operators")
    if isinstance(q, query.Not):
        raise QueryError("NOT and -word need something to leave out from, e.g. china NOT "
                         "tiktok or china -tiktok")
    q.source_text = text  # fuzzy terms are matched as typed, not as stemmed (see expand)
    return q


def _filters_only(q: query.Query) -> bool:
    """Whether ``q`` only picks articles by date or section (or is ``*``, all of them):
    nothing in it to rank by."""
    leaves = list(_positive_leaves(q))
    return bool(leaves) and all(
        isinstance(leaf, (query.NumericRange, query.Every))
        or getattr(leaf, "fieldname", None) == "section"
        for leaf in leaves)


@dataclass(slots=True)
class Respelling:
    """A query with some words respelled."""

    text: str
    #: (as typed, as respelled) for each word respelled.
    corrections: list[tuple[str, str]]


class _OutOfTime(Exception):
    """The search's time budget is spent."""


#: The words "did you mean" may respell: plain words, words after title: or body:, and the
#: words of a phrase, a question mark after them or a * or ? before (punctuation: see
#: normalize_query); not other fields' values, wildcards, fuzzy terms or field names.
_RESPELLABLE = re.compile(r'(?:(?<=\btitle:)|(?<=\bbody:)|(?<![:\w~])(?<!\w[*?]))'
                          r'[^\W\d_]{2,}(?![\w*~:]|\?\w)')
#: A word written this few times in all the articles may be a typo there ...
RARE_WORD = 3
#: ... when a word near it is written this many times as often.
COMMON_RATIO = 30
#: A query of real words that finds nothing: its first this many words are each tried
#: left out, to find the one typed wrong.
MAX_ODD_WORDS = 12


class _Deadline(collectors.WrappingCollector):  # type: ignore[misc]
    """Stops collecting at ``deadline`` (``time.perf_counter``), keeping the hits so far;
    only the articles in ``allow`` (when given) and none in ``restrict``, as Whoosh's
    ``filter`` and ``mask`` (its own FilterCollector would do that in the loop this
    replaces).

    Whoosh's TimeLimitCollector raises SIGALRM, which only the main thread may handle
    (the app searches in a worker thread), and a timer thread a search."""

    def __init__(self, child: Any, deadline: float | None, allow: set[int] | None = None,
                 restrict: set[int] | None = None) -> None:
        super().__init__(child)
        self.deadline = deadline
        self.allow, self.restrict = allow, restrict
        self.cut = False

    def collect_matches(self) -> None:
        if self.cut:
            return
        child, clock, deadline = self.child, time.perf_counter, self.deadline
        allow, restrict, offset = self.allow, self.restrict, self.offset
        for n, docnum in enumerate(child.matches()):
            if deadline is not None and not n & 255 and clock() > deadline:
                self.cut = True
                return
            if (allow is not None and offset + docnum not in allow) or (
                    restrict is not None and offset + docnum in restrict):
                continue
            child.collect(docnum)


def _scores(searcher: Any, q: query.Query, docnums: list[int],
            deadline: float | None) -> dict[int, float]:
    """The scores of ``docnums`` for ``q`` (a search sorted by date or title has none)."""
    if not docnums:
        return {}
    collector = searcher.collector(limit=None)
    searcher.search_with_collector(q, _Deadline(collector, deadline, allow=set(docnums)))
    return {result.docnum: float(result.score or 0.0) for result in collector.results()}


def _count_matches(searcher: Any, q: query.Query, deadline: float | None = None) -> int:
    """Every article ``q`` matches, counted by walking them (no scores, no skipped blocks);
    QueryError past ``deadline``."""
    if deadline is None:
        return sum(1 for _ in searcher.docs_for_query(q))
    counted = 0
    for _ in searcher.docs_for_query(q):
        if not counted & 1023 and time.perf_counter() > deadline:
            raise QueryError("counting every match takes too long")
        counted += 1
    return counted


def _leaves_out(q: query.Query) -> bool:
    """Whether ``q`` has a NOT anywhere."""
    return isinstance(q, (query.Not, query.AndNot)) or any(map(_leaves_out, q.children()))


def _no_such_section(q: query.Query, reader: Any) -> str | None:
    """"no section 'sprot' (there are business, sport, world)" for a ``section:`` the
    corpus has no folder for, where it would otherwise just find nothing."""
    asked = [leaf.text for leaf in _positive_leaves(q)
             if isinstance(leaf, query.Term) and leaf.fieldname == "section"]
    if not asked:
        return None
    sections = sorted(term.decode("utf-8", "replace") if isinstance(term, bytes) else term
                      for term in reader.lexicon("section"))
    missing = [name for name in asked if name not in sections]
    if not missing:
        return None
    if not sections:
        return f"no section '{missing[0]}': the articles are in no subfolder"
    shown = ", ".join(sections[:12]) + (f" and {len(sections) - 12} more" if len(sections) > 12
                                        else "")
    return f"no section '{missing[0]}' (there are {shown})"


# --- highlighting ----------------------------------------------------------------------------


def _positive_leaves(q: query.Query) -> Iterator[query.Query]:
    if isinstance(q, query.Not):
        return
    if isinstance(q, query.AndNot):
        yield from _positive_leaves(q.a)
        return
    if q.is_leaf():
        yield q
        return
    for child in q.children():
        yield from _positive_leaves(child)


#: A phrase of a query: its words, each with its position from the first.
PhraseWords = tuple[tuple[int, str], ...]


class Terms(set[str]):
    """The analysed words a query matches, and its phrases in the body, which a snippet
    shows where they stand whole."""

    phrases: tuple[PhraseWords, ...] = ()


def match_terms(q: query.Query, reader: Any) -> Terms:
    """Analysed words (stems) that the query matches in title or body, wildcards expanded,
    with the query's phrases."""
    terms = Terms()
    terms.phrases = tuple(dict.fromkeys(
        tuple(zip(getattr(leaf, "offsets", range(len(leaf.words))), leaf.words, strict=True))
        for leaf in _positive_leaves(q)
        if isinstance(leaf, query.Phrase) and leaf.fieldname == "body" and len(leaf.words) > 1))
    for leaf in _positive_leaves(q):
        try:
            for fieldname, text in leaf.existing_terms(reader, phrases=True, expand=True):
                if fieldname in ("title", "body"):
                    terms.add(text.decode("utf-8") if isinstance(text, bytes) else text)
        except Exception:  # noqa: S112 - a term that cannot be expanded just is not highlighted
            continue
    return terms


#: word as written -> its analysed form, shared by every search: snippets and highlights
#: analyse the same common words over and over.
#: One memo an analyzer (by id, while that analyzer lives): the schema's folds accents,
#: Whoosh's plain StemmingAnalyzer does not.
_ANALYSED: dict[int, tuple[weakref.ref[Any], dict[str, str]]] = {}
_ANALYSED_MAX = 200_000


def _analysed(word: str, analyzer: Any) -> str:
    kept = _ANALYSED.get(id(analyzer))
    if kept is None or kept[0]() is not analyzer:
        kept = _ANALYSED[id(analyzer)] = (weakref.ref(analyzer), {})
    memo = kept[1]
    form = memo.get(word)
    if form is None:
        forms = [token.text for token in analyzer(word, mode="index", removestops=False)]
        form = forms[0] if len(forms) == 1 else "\x00" + word  # split further: never a term
        if len(memo) >= _ANALYSED_MAX:
            memo.clear()
        memo[word] = form
    return form


#: word (a WORD match) -> its tokens in an article, (position in the word, term, start, end),
#: for every search: snippets and highlights analyse the same common words over and over.
_WORD_TOKENS: dict[int, tuple[weakref.ref[Any], dict[str, tuple[WordToken, ...]]]] = {}
WordToken = tuple[int, str, int, int]


def _word_tokens(word: str, analyzer: Any) -> tuple[WordToken, ...]:
    kept = _WORD_TOKENS.get(id(analyzer))
    if kept is None or kept[0]() is not analyzer:
        kept = _WORD_TOKENS[id(analyzer)] = (weakref.ref(analyzer), {})
    memo = kept[1]
    tokens = memo.get(word)
    if tokens is None:
        tokens = tuple((t.pos, t.text, t.startchar, t.endchar)
                       for t in analyzer(word, positions=True, chars=True, mode="index",
                                         removestops=False))
        if len(memo) >= _ANALYSED_MAX:
            memo.clear()
        memo[word] = tokens
    return tokens


def _word_start(text: str, at: int) -> int:
    """Where the word (a WORD match) holding the letter at ``at`` starts: back over letters,
    and over a dot, at sign, apostrophe or run of underscores with a letter before it."""
    while at > 0:
        before = at - 1
        if text[before].isalnum():
            at = before
            continue
        if text[before] == "_":
            while before > 0 and text[before - 1] == "_":
                before -= 1
        elif text[before] not in ".@'\u2019":
            break
        if before > 0 and text[before - 1].isalnum():
            at = before
        else:
            break
    return at


def find_spans(text: str, terms: set[str], analyzer: Any,
               limit: int | None = None) -> list[Span]:
    """Character offsets in ``text`` of every token whose analysed form is in ``terms``:
    the spans the analyzer's own walk of the text finds, in its order.

    Each distinct word is analysed once (memoised), and only the words that can hold a
    hit: that was most of what the snippets for a page of results cost."""
    if not terms or not text:
        return []
    source = text if limit is None else text[:limit]
    tokenizer = getattr(analyzer, "items", [None])[0]
    if isinstance(tokenizer, WordTokenizer):
        if min(map(len, terms)) > 1:
            # The stemmer changes a word's ending only: a token whose stem is a hit starts
            # with that stem but for its last letter ("happi" from "happy", "sensibl" from
            # "sensibility"; true of all 50,000 words of the corpora here). The regex engine
            # finds where a token starts so, and only the words holding one are analysed.
            finder = _candidates(frozenset(term[:-1] for term in terms), not source.isascii())
            found = {_word_start(source, match.start()) for match in finder.finditer(source)}
            # A word with an apostrophe is a token without it too ("osullivan"), which can
            # start where the pattern does not look: such words are few, each is looked up.
            found.update(_word_start(source, match.start())
                         for match in _APOSTROPHE.finditer(source))
            starts = sorted(found)
        else:  # a one-letter term: every word is looked up
            starts = [match.start() for match in WORD.finditer(source)]
        spans = []
        for start in starts:
            word = WORD.match(source, start)
            if word is None:
                continue
            spans += [(start + s, start + e) for _, term, s, e in
                      _word_tokens(word.group(), analyzer) if term in terms]
        return spans
    pattern = getattr(tokenizer, "expression", None)
    if pattern is None:  # not a tokenizer we know: let the analyzer walk the text
        return [
            (token.startchar, token.endchar)
            for token in analyzer(source, chars=True, mode="index", removestops=False)
            if token.text in terms
        ]
    # Another tokenizer (Whoosh's own): every word is looked up (memoised).
    return [match.span() for match in pattern.finditer(source)
            if _analysed(match.group(), analyzer) in terms]


#: Each letter accents fold to (analysis.folding_analyzer), and the letters that fold to it.
_ACCENTED: dict[str, str] = {}
for _code, _base in accent_map.items():
    _ACCENTED[_base] = _ACCENTED.get(_base, _base) + chr(_code)


@functools.lru_cache(maxsize=64)
def _candidates(heads: frozenset[str], accented: bool = False) -> re.Pattern[str]:
    """Where a token (analysis.word_forms) starts with one of ``heads``: where no letter or
    digit comes before, in any case, and, for ``accented`` text, with any accents (the
    terms are folded)."""

    escape = _any_accent if accented else re.escape
    alternatives = "|".join(map(escape, sorted(heads, key=len, reverse=True)))
    return re.compile(rf"(?<![^\W_])(?i:{alternatives})")


def _any_accent(head: str) -> str:
    """A pattern of ``head`` (folded) that matches it as written with any accents."""
    return "".join(f"[{re.escape(_ACCENTED[char])}]" if char in _ACCENTED else re.escape(char)
                   for char in head)


#: An apostrophe inside a word.
_APOSTROPHE = re.compile(r"(?<=[^\W_])['\u2019](?=[^\W_])")


def make_snippet(body: str, spans: list[Span], width: int = SNIPPET_CHARS,
                 focus: list[Span] | None = None) -> tuple[str, list[Span]]:
    """The window of ``body`` with the most hits (of ``focus`` when there are any: where a
    phrase stands whole), one line, with hit offsets inside it."""
    if not body:
        return "", []
    chosen = focus or spans
    if not chosen:
        start, end = 0, min(len(body), width)
    else:
        best, best_count = 0, 0
        j = 0
        for i, (s, _) in enumerate(chosen):
            while j < len(chosen) and chosen[j][1] <= s + width:
                j += 1
            if j - i > best_count:
                best, best_count = i, j - i
        first = chosen[best][0]
        start = max(0, first - width // 4)
        end = min(len(body), start + width)
    if start > 0:  # start and end at a word's edge: after a space or a line break
        lo = max(0, start - 20)
        space = max(body.rfind(" ", lo, start), body.rfind("\n", lo, start))
        start = space + 1 if space >= 0 else start
    if end < len(body):
        found = [i for i in (body.find(" ", end, end + 20), body.find("\n", end, end + 20))
                 if i >= 0]
        end = min(found) if found else (len(body) if len(body) - end < 20 else end)
    lead = "…" if start > 0 else ""
    tail = "…" if end < len(body) else ""
    text = lead + body[start:end].replace("\n", " ") + tail
    shift = len(lead) - start
    inner = [(s + shift, e + shift) for s, e in spans if s >= start and e <= end]
    return text, inner


# --- running -------------------------------------------------------------------------------


class Searcher:
    """Runs queries against one CorpusIndex. Use one per thread (Whoosh searchers are not
    shared)."""

    def __init__(self, index: CorpusIndex,
                 own_tags: Callable[[str], Iterable[str]] | None = None) -> None:
        """``own_tags``: the paths of the articles the reader gave a tag (the reading
        history's, never in the files): ``tags:x`` finds them beside the files' own."""
        self.index = index
        self.parser = make_parser(index.schema)
        self.analyzer = index.schema["body"].analyzer
        self.own_tags = own_tags

    def parse(self, text: str) -> query.Query:
        return parse(self.parser, text)

    def search(
        self,
        text: str,
        *,
        limit: int | None = 20,
        sort: str = "relevance",
        snippets: bool | int = True,
        suggest: bool = True,
        count: bool = True,
        correct: bool = False,
        budget: float | None = QUERY_BUDGET,
    ) -> Results:
        """Ranked hits for ``text``. ``limit`` None or 0 means all. ``snippets``: True for
        every hit, a number for the first that many (``add_snippets`` does the rest later:
        each costs a read of the article's file). ``count=False`` leaves ``total`` None when
        counting every match would take a second pass over them (Whoosh skips the blocks
        that cannot reach the top; at 100,000 articles the count of a common AND costs as
        much as the search): ``count`` does it afterwards.

        ``suggest``: a query that finds nothing gets a respelling that finds something
        (``suggestion``), and so does a query with a word no article has as written that
        found something by its stem. ``correct``: instead, the respelling's hits come back at once
        (``respelled``, ``corrections``), also when the query finds far fewer articles
        than its respelling (a rare misspelling in the articles themselves). ``budget``:
        seconds the search may take; past them the best hits found so far come back, with
        ``cut_short`` saying so."""
        started = time.perf_counter()
        deadline = None if budget is None else started + budget
        q = self.parse(text)
        if sort not in SORTS:
            raise QueryError(f"unknown sort '{sort}' (choose from {', '.join(SORTS)})")
        with self._reading(), self.index.searcher() as searcher:
            results = self._run(searcher, text, q, limit, sort, snippets, count, deadline)
            found = len(results.hits) if results.total is None else results.total
            respelling = None
            if (not found and (suggest or correct)) or (correct and found <= FEW_HITS):
                respelling = self._respell(text, searcher, found, deadline)
                if respelling is not None and correct:
                    better = self._run(searcher, respelling.text, self.parse(respelling.text),
                                       limit, sort, snippets, count, deadline)
                    if better.hits:
                        better.query, better.respelled = text, respelling.text
                        better.corrections = respelling.corrections
                        results = better
            if respelling is None and found and suggest:
                # Found by its stem ("struggl"), a word no article has as written still
                # gets its respelling offered.
                respelling = self._respell(text, searcher, found, deadline, unknown_only=True)
            if respelling is not None and not results.respelled:
                results.suggestion = respelling.text
        results.seconds = time.perf_counter() - started
        return results

    def _run(self, searcher: Any, text: str, q: query.Query, limit: int | None, sort: str,
             snippets: bool | int, count: bool, deadline: float | None) -> Results:
        """One query's hits, as ``search`` asked for them."""
        kwargs: dict[str, Any] = {"limit": limit or None}
        scored = not _filters_only(q)
        if sort == "date" or (sort == "relevance" and not scored):
            # Nothing to rank by (date:2025-09, section:world): every hit scored alike came
            # in the order of the files; newest first instead.
            kwargs.update(sortedby="date", reverse=True)
        elif sort == "title":
            kwargs.update(sortedby="title_key")
        q = self.expand(self._boost_title_phrase(q), searcher.reader())
        collector = searcher.collector(**kwargs)
        timed = _Deadline(collector, deadline) if deadline is not None else None
        searcher.search_with_collector(q, timed or collector)
        results = collector.results()
        cut = timed is not None and timed.cut
        filled = bool(limit) and results.scored_length() >= (limit or 0)
        if cut:
            total = None  # counting them would take longer still
        elif filled and _leaves_out(q):
            # Whoosh's count of a NOT query whose top filled is wrong (it counted 121
            # of 329 articles with "inflation" and not "summit"): count them again.
            total = _count_matches(searcher, q) if count else None
        elif count or results.has_exact_length():
            total = len(results)
        elif not filled:
            total = results.scored_length()  # the top never filled: nothing was skipped
        else:
            total = None
        terms = match_terms(q, searcher.reader()) if snippets else set()
        # With sortedby, Whoosh puts the sort key where the score would be: the scores of
        # the hits are worked out apart (scripts read them whatever the order).
        if not scored:
            scores: dict[int, float] = {}
        elif "sortedby" in kwargs:
            scores = _scores(searcher, q, [result.docnum for result in results], deadline)
        else:
            scores = {result.docnum: float(result.score or 0.0) for result in results}
        first = results.scored_length() if snippets is True else int(snippets)
        hits = [self._hit(result, terms, n < first, scores.get(result.docnum, 0.0))
                for n, result in enumerate(results)]
        note = None if hits else _no_such_section(q, searcher.reader())
        return Results(text, hits, total, None, 0.0, terms, q, searcher.doc_count(), note,
                       cut_short=CUT_SHORT if cut else None)

    def count(self, results: Results, budget: float | None = QUERY_BUDGET) -> int:
        """How many articles match the query of ``results`` (made with ``count=False``).
        Raises QueryError when counting them takes over ``budget`` seconds, or when the
        search itself ran out of time (``cut_short``): the count would take longer still."""
        if results.total is None:
            if results.cut_short:
                raise QueryError(results.cut_short)
            deadline = None if budget is None else time.perf_counter() + budget
            with self._reading(), self.index.searcher() as searcher:
                results.total = _count_matches(searcher, results.ran, deadline)
        return results.total

    def paths(self, text: str, budget: float | None = PATHS_BUDGET) -> set[str]:
        """Every article ``text`` finds, as typed (no ranking, no respelling): what a saved
        search holds, to count its unread articles as marks change. QueryError when the
        query cannot run or takes over ``budget`` seconds."""
        q = self.parse(text)
        deadline = None if budget is None else time.perf_counter() + budget
        found: set[str] = set()
        with self._reading(), self.index.searcher() as searcher:
            stored = searcher.stored_fields
            for n, docnum in enumerate(searcher.docs_for_query(self.expand(q, searcher.reader()))):
                if deadline is not None and not n & 1023 and time.perf_counter() > deadline:
                    raise QueryError("finding every match takes too long")
                found.add(stored(docnum)["path"])
        return found

    @contextlib.contextmanager
    def _reading(self) -> Iterator[None]:
        """What reading the index can raise, as one QueryError line: a query Whoosh cannot
        run, or a damaged index (then marked, so the next open rebuilds it)."""
        try:
            yield
        except QueryError:
            raise
        except query.QueryError as exc:  # Whoosh's own word for a query it cannot run
            raise QueryError(f"cannot run the query ({exc})") from None
        except Exception as exc:  # e.g. a fuzzy or wildcard term Whoosh cannot expand
            damage = self.index.verify()  # ... or a damaged index: not the query's fault
            if damage:
                self.index.mark_damaged(damage)
                raise IndexDamaged(
                    f"the index is damaged ({damage}); it is rebuilt on the next start"
                    " or by 'reader index --rebuild'"
                ) from None
            raise QueryError(f"cannot run the query ({type(exc).__name__}: {exc})") from None

    def _boost_title_phrase(self, q: query.Query) -> query.Query:
        """Plain words that stand in a title in that order lift that article (a pasted title
        finds its article first); the words still decide what matches."""
        source = getattr(q, "source_text", "")
        if not source or re.search(r'["*?~:()]|\b(AND|OR|NOT)\b', source):
            return q
        tokens = [(token.text, token.pos)
                  for token in self.analyzer(source, mode="query", positions=True)]
        if len(tokens) < 2:
            return q
        first = tokens[0][1]
        return query.AndMaybe(q, GappedPhrase("title", [text for text, _ in tokens],
                                              boost=TITLE_PHRASE_BOOST,
                                              offsets=[pos - first for _, pos in tokens]))

    def expand(self, q: query.Query, reader: Any = None) -> query.Query:
        """Wildcards and fuzzy terms on title/body, matched against the words as written.

        The index holds stems, so ``negotiat*`` would find nothing (the stem is "negoti")
        and ``processers~`` would be compared with stems. They are matched against the
        words of the articles as written (words.py), of titles and bodies together (a word
        that only a title has still counts for the body's side, where it finds nothing),
        and the words found are OR-ed as stems. A ``?`` or ``*`` inside a word may also be
        a character lost in pasted text (``Trump?s``): the word's parts count too. Any
        term that stands for many (``[a to z]``, ``word~6``) stands for at most
        MAX_EXPANSIONS words and two edits.
        """
        source = getattr(q, "source_text", "")

        def as_typed(node: query.Query) -> str:
            start, end = getattr(node, "startchar", None), getattr(node, "endchar", None)
            if source and start is not None and end is not None:
                raw = source[start:end].split(":", 1)[-1]
                raw = re.sub(r"~\d*$", "", raw).strip().lower()
                if raw:
                    return raw
            return str(node.text).lower()

        def wildcard_as_typed(node: query.Query) -> str:
            """The word around a wildcard as typed: the parser stemmed it ("min?ral"), and
            its start and end are the wildcard's own."""
            at = getattr(node, "startchar", None)
            if source and at is not None and 0 <= at < len(source):
                before = re.search(r"[\w*?]*$", source[:at])
                after = re.match(r"[\w*?]*", source[at:])
                word = (before.group() if before else "") + (after.group() if after else "")
                if re.search(r"[*?]", word):
                    return word.lower()
            text = str(node.text).lower()
            return text + "*" if isinstance(node, query.Prefix) else text

        @functools.cache
        def stems_of(kind: type, text: str, maxdist: int, prefixlength: int) -> frozenset[str]:
            known = self.index.lexicon.spelling()
            if kind is query.FuzzyTerm:
                # The first two letters must match (one for short words): typos there are
                # rare, and it keeps ``word~2`` to the few hundred words that share them.
                prefix = max(2 if len(text) > 3 else 1, prefixlength)
                words: Iterable[str] = known.within(text, min(maxdist, MAX_EDITS), prefix)
            else:
                head = re.split(r"[*?]", text, maxsplit=1)[0]
                pattern = re.compile(fnmatch.translate(text))
                words = (w for w in known.starting(head) if pattern.match(w))
            stems: set[str] = set()
            for word in itertools.islice(words, MAX_EXPANSIONS):
                stems.update(token.text for token in self.analyzer(word))
            return frozenset(stems)

        def rewrite(node: query.Query) -> query.Query:
            if (type(node) is query.Term and node.fieldname == "tags"
                    and self.own_tags is not None):
                tagged = sorted(self.own_tags(str(node.text)))
                if tagged:
                    return query.Or([node, *(query.Term("path", path) for path in tagged)],
                                    boost=node.boost)
                return node
            if not isinstance(node, query.MultiTerm) or isinstance(node, query.Every):
                return node
            if node.fieldname not in ("title", "body"):
                if reader is None or isinstance(node, query.Variations):
                    return node
                # Another field's range or wildcard (source:, author:, tags:): its terms in
                # the index, as Whoosh has it, but at most MAX_EXPANSIONS of them.
                try:
                    found = list(itertools.islice(node._btexts(reader), MAX_EXPANSIONS))
                except Exception:  # noqa: BLE001 - Whoosh's own error on running it follows
                    return node
                if not found:
                    return query.Term(node.fieldname, NO_MATCH)
                return query.Or([query.Term(node.fieldname, term.decode("utf-8")
                                            if isinstance(term, bytes) else term)
                                 for term in found], boost=node.boost)
            if isinstance(node, query.FuzzyTerm):
                stems = stems_of(query.FuzzyTerm, as_typed(node), node.maxdist,
                                 node.prefixlength)
            elif isinstance(node, (query.Prefix, query.Wildcard)):
                stems = stems_of(query.Wildcard, wildcard_as_typed(node), 0, 0)
            elif isinstance(node, query.TermRange) and reader is not None:
                stems = frozenset(term.decode("utf-8") if isinstance(term, bytes) else term
                                  for term in itertools.islice(node._btexts(reader),
                                                               MAX_EXPANSIONS))
            else:
                return node
            options: list[query.Query] = [query.Term(node.fieldname, stem)
                                          for stem in sorted(stems)]
            typed = wildcard_as_typed(node) if isinstance(node, query.Wildcard) else ""
            if re.search(r"\w[*?]+\w", typed):
                parts = [token.text for token in self.analyzer(re.sub(r"[*?]+", " ", typed))]
                if parts:
                    options.append(query.And([query.Term(node.fieldname, part)
                                              for part in parts]))
            if not options:
                return query.Term(node.fieldname, NO_MATCH)
            return query.Or(options, boost=node.boost)

        return q.accept(rewrite)

    def add_snippets(self, hits: list[Hit], terms: set[str],
                     cancelled: Callable[[], bool] = lambda: False) -> None:
        """Give hits made without a snippet their snippet and title highlights (in place)."""
        for hit in hits:
            if cancelled():
                return
            if not hit.snippet:
                self._snippet(hit, terms)

    def _snippet(self, hit: Hit, terms: set[str]) -> None:
        hit.title_spans = find_spans(hit.title, terms, self.analyzer)
        try:
            body = self.index.read(hit.path).body
        except SkipFile:
            body = ""
        spans = find_spans(body, terms, self.analyzer, limit=SNIPPET_SCAN_CHARS)
        trailer = links_start(body)
        if trailer < len(body):  # the list of link targets is no passage to show ...
            reading = [span for span in spans if span[1] <= trailer]
            if reading or not spans:  # ... unless the only hits are in it
                body, spans = body[:trailer].rstrip(), reading
        phrases = getattr(terms, "phrases", ())
        focus = self._phrase_spans(body, spans, phrases) if phrases else None
        hit.snippet, hit.snippet_spans = make_snippet(body[:SNIPPET_SCAN_CHARS], spans,
                                                      focus=focus)

    def _phrase_spans(self, body: str, spans: list[Span],
                      phrases: tuple[PhraseWords, ...]) -> list[Span]:
        """Where in ``body`` a phrase stands whole, as the index has it (each word at its
        position from the first; a stop word takes a position too)."""
        if not spans:
            return []
        wanted = {word for phrase in phrases for _, word in phrase}
        at: dict[int, list[tuple[str, int, int]]] = {}
        pos = 0
        source = body[:SNIPPET_SCAN_CHARS]
        for match in WORD.finditer(source, 0, spans[-1][1]):
            tokens = _word_tokens(match.group(), self.analyzer)
            for offset, term, s, e in tokens:
                if term in wanted:
                    at.setdefault(pos + offset, []).append(
                        (term, match.start() + s, match.start() + e))
            pos += word_forms(match.group())[0]
        found: list[Span] = []
        for phrase in phrases:
            (_, head), rest = phrase[0], phrase[1:]
            for start, here in at.items():
                for term, first, _ in here:
                    if term != head:
                        continue
                    ends = [next((e for t, _, e in at.get(start + offset, ()) if t == word),
                                 None) for offset, word in rest]
                    if all(end is not None for end in ends):
                        found.append((first, max(e for e in ends if e is not None)))
        return sorted(set(found))

    def _hit(self, result: Any, terms: set[str], snippets: bool, score: float) -> Hit:
        stored = result.fields()
        hit = Hit(
            path=stored["path"],
            title=stored.get("title", ""),
            section=stored.get("section_name", ""),
            date=stored.get("date"),
            score=score,
            url=stored.get("url") or "",
            tags=[tag for tag in (stored.get("tags") or "").split(",") if tag],
        )
        if snippets:
            self._snippet(hit, terms)
        return hit

    def highlights(self, text: str, title: str, body: str) -> tuple[list[Span], list[Span]]:
        """Offsets of every hit of query ``text`` in an article's title and body."""
        q = self.parse(text)
        with self._reading(), self.index.searcher() as searcher:
            terms = match_terms(self.expand(q, searcher.reader()), searcher.reader())
        return find_spans(title, terms, self.analyzer), find_spans(body, terms, self.analyzer)

    def related(self, path: str, limit: int = 10) -> list[Hit]:
        """More-like-this for one article, from its text on disk (the body is not stored)."""
        try:
            article = self.index.read(path)
        except SkipFile:
            return []
        try:
            with self._reading():
                return self._related(article, path, limit)
        except QueryError:  # a damaged index (now marked for a rebuild): nothing to show
            return []

    def _related(self, article: Any, path: str, limit: int) -> list[Hit]:
        with self.index.searcher() as searcher:
            docnum = searcher.document_number(path=path)
            if docnum is None:
                return []
            q = self.related_query(searcher, f"{article.title}\n{article.body}")
            if q is None:
                return []
            collector = searcher.collector(limit=limit)
            # Past the budget, the best found so far (a long article at 100,000 articles).
            searcher.search_with_collector(q, _Deadline(
                collector, time.perf_counter() + QUERY_BUDGET, restrict={docnum}))
            return [self._hit(result, set(), False, float(result.score or 0.0))
                    for result in collector.results()]

    def related_query(self, searcher: Any, text: str, terms: int | None = None,
                      title: float | None = None) -> query.Query | None:
        """The query of "more like this" for an article's text: its RELATED_TERMS words of
        most weight (sublinear frequency in the article times rarity in the corpus: many,
        so no one rare word decides), asked of the body and the title, each boosted by its
        sublinear frequency in the article (BM25F weighs in its rarity; boosted by rarity
        too, rare words decided again: precision@10 0.84 against 0.91 on Reuters). Words
        of one article only are left out: they find nothing else."""
        counts: dict[str, int] = {}
        for token in self.analyzer(text[:RELATED_SCAN_CHARS]):
            counts[token.text] = counts.get(token.text, 0) + 1
        articles = searcher.doc_count_all() or 1
        weighted = []
        for term, count in counts.items():
            frequency = searcher.doc_frequency("body", term)
            if frequency > 1:  # (in every article, a word still relates them: log(2))
                tf = 1 + math.log(count)
                weighted.append((tf * math.log(1 + articles / frequency), tf, term))
        if not weighted:
            return None
        weighted.sort(reverse=True)
        chosen = weighted[:terms or RELATED_TERMS]
        top = max(boost for _, boost, _ in chosen)
        title_share = RELATED_TITLE if title is None else title
        subqueries: list[query.Query] = [query.Term("body", term, boost=boost / top)
                                         for _, boost, term in chosen]
        if title_share:
            subqueries += [query.Term("title", term, boost=title_share * boost / top)
                           for _, boost, term in chosen]
        return query.Or(subqueries)

    def suggest(self, text: str) -> str | None:
        """A respelling of ``text`` that finds something, when ``text`` finds nothing."""
        with self._reading(), self.index.searcher() as searcher:
            respelling = self._respell(text, searcher, 0, None)
        return respelling.text if respelling else None

    def _respell(self, text: str, searcher: Any, found: int, deadline: float | None,
                 unknown_only: bool = False) -> Respelling | None:
        """The query with its misspelt words respelled, when that finds something (and,
        for a query that found ``found`` articles, FAR_MORE times as many).

        Plain words, words after ``title:`` or ``body:`` and the words of a phrase are
        respelled, not other fields' values, wildcards or fuzzy terms. A word no article
        has is respelled to the likeliest real word near it (words.Words.respellings)
        that, with the rest of the query, finds something; a query of real words that
        finds nothing (a typo that made another word: "wit" for "with") has the one word
        respelled without which the rest would find something. With ``found`` articles, a
        word written at most RARE_WORD times whose likeliest respelling is written
        COMMON_RATIO times as often is respelled. ``unknown_only``: only words no article
        has as written, and the respelling need only find something."""
        spelling = self.index.lexicon.spelling()
        spans = [match for match in _RESPELLABLE.finditer(text)
                 if match.group() not in ("AND", "OR", "NOT", "ANDNOT", "ANDMAYBE")]
        if not spans:
            return None
        words = [match.group().lower() for match in spans]

        def respelled(choice: dict[int, str]) -> str:
            parts, at = [], 0
            for i, match in enumerate(spans):
                if i in choice:
                    parts += [text[at:match.start()], choice[i]]
                    at = match.end()
            return "".join(parts) + text[at:]

        def finds(candidate: str, enough: int = 1) -> int:
            """How many articles ``candidate`` finds, counted up to ``enough``."""
            if deadline is not None and time.perf_counter() > deadline:
                raise _OutOfTime
            try:
                q = self.expand(self.parse(candidate), searcher.reader())
            except QueryError:
                return 0
            return sum(1 for _ in itertools.islice(searcher.docs_for_query(q), enough))

        def made(choice: dict[int, str]) -> Respelling:
            return Respelling(respelled(choice),
                              [(spans[i].group(), choice[i]) for i in sorted(choice)])

        options: dict[int, list[str]] = {}
        for i, word in enumerate(words):
            written = spelling.count(word)
            if written and (not found or unknown_only):
                continue
            near = spelling.respellings(word)
            if written and not (near and written <= RARE_WORD
                                and near[0][1] >= COMMON_RATIO * written):
                continue
            if near:
                options[i] = [w for w, _ in near]
        try:
            if options:
                enough = found * FAR_MORE if found and not unknown_only else 1
                best = {i: words_near[0] for i, words_near in options.items()}
                if finds(respelled(best), enough) >= enough:
                    return made(best)
                for i, words_near in options.items():  # the likeliest finds nothing
                    for other in words_near[1:]:
                        choice = {**best, i: other}
                        if finds(respelled(choice), enough) >= enough:
                            return made(choice)
                return None
            content = [i for i, word in enumerate(words)
                       if any(True for _ in self.analyzer(word))]
            if found or len(content) < 3:
                return None  # two real words that meet nowhere are not a typo
            for i in content[:MAX_ODD_WORDS]:
                if not finds(respelled({i: ""})):
                    continue
                for respelling, _ in spelling.respellings(words[i]):
                    if finds(respelled({i: respelling})):
                        return made({i: respelling})
        except _OutOfTime:
            return None
        return None

