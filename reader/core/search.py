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
import re
import time
import weakref
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from whoosh import qparser, query
from whoosh.qparser.dateparse import DateParserPlugin
from whoosh.support.charset import accent_map
from whoosh.util.times import long_to_datetime

from .articles import SkipFile
from .errors import QueryError
from .index import CorpusIndex
from .words import distance

MAX_QUERY_CHARS = 1000
SNIPPET_CHARS = 200
#: Only the first part of a long body is searched for a snippet (a 10 MB article stays fast).
SNIPPET_SCAN_CHARS = 32_000
SORTS = ("relevance", "date", "title")
#: A wildcard or fuzzy term stands for at most this many words.
MAX_EXPANSIONS = 1000
TITLE_PHRASE_BOOST = 2.0
#: A term no analyzer produces: what a wildcard that matches no word becomes.
NO_MATCH = "\x00no-match"
FIELDS = ("title", "body", "section", "date", "source", "author", "tags")

Span = tuple[int, int]


class IndexDamaged(QueryError):
    """The query was fine but the index could not be read; it is marked for a rebuild."""


@dataclass(slots=True)
class Hit:
    path: str
    title: str
    section: str
    date: datetime
    score: float
    snippet: str = ""
    snippet_spans: list[Span] = field(default_factory=list)
    title_spans: list[Span] = field(default_factory=list)


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


# --- parsing -------------------------------------------------------------------------------


def make_parser(schema) -> qparser.QueryParser:
    parser = qparser.MultifieldParser(["title", "body"], schema, group=qparser.AndGroup)
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


def normalize_query(text: str) -> str:
    """Make pasted text searchable; raise QueryError only for what cannot mean anything.

    A title pasted into the box must just work: an unmatched quote or parenthesis is
    punctuation, ``Re:`` is a word (only known field names are fields), ``-word`` leaves a
    word out, ``<`` and ``>`` only mean "before"/"after" right after ``date:``, and an
    all-capitals headline of four or more words is read as words (its AND, OR and NOT are
    not operators). A ``?`` that ends a word is a question mark; inside a word it still
    stands for one letter.
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

        def field(match: re.Match) -> str:
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

    def compact(match: re.Match) -> str:
        year, month, day = match.groups()
        return year + month.zfill(2) + (day.zfill(2) if day else "")

    return _DATE_TERM.sub(lambda m: "date:" + _ISO_DATE.sub(compact, m.group(1)), text)


_DATE_COMPARE = re.compile(r"(?i)\bdate:([<>]=?)(\d{4})(\d{2})?(\d{2})?(?![\w-])")


def _date_comparisons(text: str) -> str:
    """``date:<2025`` means before 2025 began and ``date:>2025-09`` after September ended.

    Whoosh compares with the far end of the period (``<2025`` took in all of 2025), so each
    comparison becomes an inclusive range of whole days.
    """

    def rewrite(match: re.Match) -> str:
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
            return match.group(0)  # the date parser explains what is wrong with it
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
    for node in [q, *q.leaves()] if not q.is_leaf() else [q]:
        if isinstance(node, query.Every) or (
            isinstance(node, query.Wildcard) and node.text.strip("*?") == ""
        ):
            if node.fieldname in ("title", "body", None) and node is q:
                return query.Every()
    problems = _errors(q)
    if problems:
        raise QueryError(problems[0])
    q = q.accept(_section_phrase).accept(_whole_days).normalize()
    if q is query.NullQuery or isinstance(q, query.qcore._NullQuery):
        raise QueryError("nothing to search for: the query has only common words or operators")
    if isinstance(q, query.Not):
        raise QueryError("NOT and -word need something to leave out from, e.g. china NOT "
                         "tiktok or china -tiktok")
    q.source_text = text  # fuzzy terms are matched as typed, not as stemmed (see expand)
    return q


def _filters_only(q: query.Query) -> bool:
    """Whether ``q`` only picks articles by date or section: nothing in it to rank by."""
    leaves = list(_positive_leaves(q))
    return bool(leaves) and all(
        isinstance(leaf, query.NumericRange) or getattr(leaf, "fieldname", None) == "section"
        for leaf in leaves)


def _count_matches(searcher, q: query.Query) -> int:
    """Every article ``q`` matches, counted by walking them (no scores, no skipped blocks)."""
    return sum(1 for _ in searcher.docs_for_query(q))


def _leaves_out(q: query.Query) -> bool:
    """Whether ``q`` has a NOT anywhere."""
    return isinstance(q, (query.Not, query.AndNot)) or any(map(_leaves_out, q.children()))


def _no_such_section(q: query.Query, reader) -> str | None:
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


def _positive_leaves(q: query.Query):
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


def match_terms(q: query.Query, reader) -> set[str]:
    """Analysed words (stems) that the query matches in title or body, wildcards expanded."""
    terms: set[str] = set()
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
_ANALYSED: dict[int, tuple[weakref.ref, dict[str, str]]] = {}
_ANALYSED_MAX = 200_000


def _analysed(word: str, analyzer) -> str:
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


def find_spans(text: str, terms: set[str], analyzer, limit: int | None = None) -> list[Span]:
    """Character offsets in ``text`` of every word whose analysed form is in ``terms``.

    The analyzer's own tokenizer pattern finds the words and each distinct word is analysed
    once (memoised): the same spans as running the analyzer over the text in a third of the
    time, and that was most of what the snippets for a page of results cost."""
    if not terms or not text:
        return []
    source = text if limit is None else text[:limit]
    pattern = getattr(getattr(analyzer, "items", [None])[0], "expression", None)
    if pattern is None:  # not a tokenizer we know: let the analyzer walk the text
        return [
            (token.startchar, token.endchar)
            for token in analyzer(source, chars=True, mode="index", removestops=False)
            if token.text in terms
        ]
    if pattern.pattern == _TOKEN_PATTERN and min(map(len, terms)) > 1:
        # The stemmer changes a word's ending only: a word whose stem is a hit starts with
        # that stem but for its last letter ("happi" from "happy", "sensibl" from
        # "sensibility"; true of all 50,000 words of the corpora here). The regex engine
        # finds the tokens that start so, and only those are analysed (memoised): a tenth
        # of the time of analysing every word, which was most of what a snippet cost.
        finder = _candidates(frozenset(term[:-1] for term in terms), not source.isascii())
        return [match.span() for match in finder.finditer(source)
                if _analysed(match.group(), analyzer) in terms]
    # Another tokenizer, or a one-letter term: every word is looked up (memoised).
    return [match.span() for match in pattern.finditer(source)
            if _analysed(match.group(), analyzer) in terms]


#: Each letter accents fold to (analysis.folding_analyzer), and the letters that fold to it.
_ACCENTED: dict[str, str] = {}
for _code, _base in accent_map.items():
    _ACCENTED[_base] = _ACCENTED.get(_base, _base) + chr(_code)


def _any_accent(head: str) -> str:
    """A pattern of ``head`` (folded) that matches it as written with any accents."""
    return "".join(f"[{re.escape(_ACCENTED[char])}]" if char in _ACCENTED else re.escape(char)
                   for char in head)


@functools.lru_cache(maxsize=64)
def _candidates(heads: frozenset[str], accented: bool = False) -> re.Pattern:
    """Whole tokens (as the tokenizer's pattern finds them) that start with one of
    ``heads``, in any case (and, for ``accented`` text, with any accents: the terms are
    folded): a token starts where no letter or "letter." comes before."""
    escape = _any_accent if accented else re.escape
    alternatives = "|".join(map(escape, sorted(heads, key=len, reverse=True)))
    return re.compile(rf"(?<![\w*])(?<![\w*]\.)(?i:{alternatives})[\w*]*(?:\.[\w*]+)*")


#: The tokenizer's pattern (index.make_schema): words, with single dots inside ("U.S").
_TOKEN_PATTERN = r"[\w\*]+(\.?[\w\*]+)*"


def make_snippet(body: str, spans: list[Span], width: int = SNIPPET_CHARS,
                 ) -> tuple[str, list[Span]]:
    """The window of ``body`` with the most hits, one line, with hit offsets inside it."""
    if not body:
        return "", []
    if not spans:
        start, end = 0, min(len(body), width)
    else:
        best, best_count = 0, 0
        j = 0
        for i, (s, _) in enumerate(spans):
            while j < len(spans) and spans[j][1] <= s + width:
                j += 1
            if j - i > best_count:
                best, best_count = i, j - i
        first = spans[best][0]
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

    def __init__(self, index: CorpusIndex) -> None:
        self.index = index
        self.parser = make_parser(index.schema)
        self.analyzer = index.schema["body"].analyzer

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
    ) -> Results:
        """Ranked hits for ``text``. ``limit`` None or 0 means all. ``snippets``: True for
        every hit, a number for the first that many (``add_snippets`` does the rest later:
        each costs a read of the article's file). ``count=False`` leaves ``total`` None when
        counting every match would take a second pass over them (Whoosh skips the blocks
        that cannot reach the top; at 100,000 articles the count of a common AND costs as
        much as the search): ``count`` does it afterwards."""
        started = time.perf_counter()
        q = self.parse(text)
        if sort not in SORTS:
            raise QueryError(f"unknown sort '{sort}' (choose from {', '.join(SORTS)})")
        kwargs: dict = {"limit": limit or None}
        scored = sort == "relevance" and not _filters_only(q)
        if sort == "date" or (sort == "relevance" and not scored):
            # Nothing to rank by (date:2025-09, section:world): every hit scored alike came
            # in the order of the files; newest first instead.
            kwargs.update(sortedby="date", reverse=True)
        elif sort == "title":
            kwargs.update(sortedby="title_key")
        q = self._boost_title_phrase(q)
        with self._reading(), self.index.searcher() as searcher:
            q = self.expand(q)
            results = searcher.search(q, **kwargs)
            filled = bool(limit) and results.scored_length() >= limit
            if filled and _leaves_out(q):
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
            # With sortedby, Whoosh puts the sort key where the score would be.
            first = results.scored_length() if snippets is True else int(snippets)
            hits = [self._hit(result, terms, n < first, scored)
                    for n, result in enumerate(results)]
            suggestion = note = None
            if not hits:
                note = _no_such_section(q, searcher.reader())
                if suggest:
                    suggestion = self._suggest(text, searcher)
            searched = searcher.doc_count()
        return Results(text, hits, total, suggestion, time.perf_counter() - started, terms, q,
                       searched, note)

    def count(self, results: Results) -> int:
        """How many articles match the query of ``results`` (made with ``count=False``)."""
        if results.total is None:
            with self._reading(), self.index.searcher() as searcher:
                results.total = _count_matches(searcher, results.ran)
        return results.total

    @contextlib.contextmanager
    def _reading(self):
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
        stems = [token.text for token in self.analyzer(source)]
        if len(stems) < 2:
            return q
        return query.AndMaybe(q, query.Phrase("title", stems, boost=TITLE_PHRASE_BOOST))

    def expand(self, q: query.Query) -> query.Query:
        """Wildcards and fuzzy terms on title/body, matched against the words as written.

        The index holds stems, so ``negotiat*`` would find nothing (the stem is "negoti")
        and ``processers~`` would be compared with stems. They are matched against the
        words of the articles as written (words.py) instead, and the words found are OR-ed
        as stems.
        """
        source = getattr(q, "source_text", "")

        def as_typed(node: query.Query) -> str:
            start, end = getattr(node, "startchar", None), getattr(node, "endchar", None)
            if source and start is not None and end is not None:
                raw = source[start:end].split(":", 1)[-1]
                raw = re.sub(r"~\d*$", "", raw).strip().lower()
                if raw:
                    return raw
            return node.text.lower()

        def rewrite(node: query.Query) -> query.Query:
            kinds = (query.Prefix, query.Wildcard, query.FuzzyTerm)
            if not isinstance(node, kinds) or node.fieldname not in ("title", "body"):
                return node
            known = self.index.lexicon.words(node.fieldname)
            text = as_typed(node) if isinstance(node, query.FuzzyTerm) else node.text.lower()
            if isinstance(node, query.FuzzyTerm):
                # The first two letters must match (one for short words): typos there are
                # rare, and it keeps ``word~2`` to the few hundred words that share them.
                prefix = max(2 if len(text) > 3 else 1, node.prefixlength)
                words: Iterable[str] = known.within(text, node.maxdist, prefix)
            else:
                if isinstance(node, query.Prefix):
                    text += "*"
                head = re.split(r"[*?]", text, maxsplit=1)[0]
                pattern = re.compile(fnmatch.translate(text))
                words = (w for w in known.starting(head) if pattern.match(w))
            stems: set[str] = set()
            for word in itertools.islice(words, MAX_EXPANSIONS):
                stems.update(token.text for token in self.analyzer(word))
            if not stems:
                return query.Term(node.fieldname, NO_MATCH)
            return query.Or([query.Term(node.fieldname, stem) for stem in sorted(stems)],
                            boost=node.boost)

        return q.accept(rewrite)

    def add_snippets(self, hits: list[Hit], terms: set[str], cancelled=lambda: False) -> None:
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
        hit.snippet, hit.snippet_spans = make_snippet(body[:SNIPPET_SCAN_CHARS], spans)

    def _hit(self, result, terms: set[str], snippets: bool, scored: bool = True) -> Hit:
        stored = result.fields()
        title = stored.get("title", "")
        hit = Hit(
            path=stored["path"],
            title=title,
            section=stored.get("section_name", ""),
            date=stored.get("date"),
            score=float(result.score) if scored and result.score is not None else 0.0,
        )
        if snippets:
            self._snippet(hit, terms)
        return hit

    def highlights(self, text: str, title: str, body: str) -> tuple[list[Span], list[Span]]:
        """Offsets of every hit of query ``text`` in an article's title and body."""
        q = self.parse(text)
        with self._reading(), self.index.searcher() as searcher:
            terms = match_terms(self.expand(q), searcher.reader())
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

    def _related(self, article, path: str, limit: int) -> list[Hit]:
        with self.index.searcher() as searcher:
            docnum = searcher.document_number(path=path)
            if docnum is None:
                return []
            text = f"{article.title}\n{article.title}\n{article.body[:SNIPPET_SCAN_CHARS]}"
            # Whoosh's more_like takes the most distinctive words, which are often words no
            # other article has: a small corpus then had nothing related. Shared words only.
            key_terms = searcher.key_terms_from_text("body", text, numterms=60, normalize=False)
            shared = [(word, weight) for word, weight in key_terms
                      if searcher.doc_frequency("body", word) > 1][:12]
            if not shared:
                return []
            q = query.Or([query.Term("body", word, boost=weight) for word, weight in shared])
            results = searcher.search(q, limit=limit, mask={docnum})
            return [self._hit(result, set(), snippets=False) for result in results]

    def suggest(self, text: str) -> str | None:
        with self._reading(), self.index.searcher() as searcher:
            return self._suggest(text, searcher)

    def _doc_frequency(self, searcher, word: str) -> int:
        """In how many articles ``word`` (stemmed) stands."""
        stems = [token.text for token in self.analyzer(word)]
        return searcher.doc_frequency("body", stems[0]) if stems else 0

    def _suggest(self, text: str, searcher) -> str | None:
        """A respelling of the query's unknown words that does find something."""
        lexicon = self.index.lexicon
        fields = [lexicon.words("body"), lexicon.words("title")]  # body words first: more
        changed = False

        def closest(word: str) -> str | None:
            """The nearest known word (within two edits, first letter as typed), the one
            in most articles among those as near."""
            for known in fields:
                found = [(distance(word, w, 2), w) for w in known.within(word, 2, 1) if w != word]
                if found:
                    nearest = min(d for d, _ in found)
                    return max((w for d, w in found if d == nearest),
                               key=lambda w: (self._doc_frequency(searcher, w), w))
            return None

        def fix(match: re.Match) -> str:
            nonlocal changed
            word = match.group(0)
            lower = word.lower()
            if word in ("AND", "OR", "NOT") or any(lower in known for known in fields):
                return word
            found = closest(lower)
            if found:
                changed = True
                return found
            return word

        # Plain words, words after title: or body:, and the words of a phrase; not other
        # fields' values, wildcards, fuzzy terms or field names.
        pattern = re.compile(r'(?:(?<=\btitle:)|(?<=\bbody:)|(?<![:\w*?~]))'
                             r'[^\W\d_]{3,}(?![\w*?~:])')
        respelled = pattern.sub(fix, text)
        if not changed:
            return None
        try:
            q = self.parse(respelled)
            return respelled if searcher.search(q, limit=1).scored_length() else None
        except (QueryError, Exception):
            return None
