"""Whoosh, made faster where our index spends its time: on request, and only then.

Indexing an article is analysing its text (about 45% of the time) and writing its postings
(the rest), all in Python. ``install()`` (a CorpusIndex calls it when it is made; once is
enough) puts faster versions of three places in Whoosh, for the whole process:

- a segment's per-document reader (``W3PerDocReader``): ``doc_field_length`` reads a
  segment's length column once per field (a byte a document), where Whoosh read one byte
  through four Python calls and a seek for every posting written and every hit scored; and
  ``_cached_reader`` remembers that a field has no length column, where Whoosh-reloaded
  2.7.5 looked for the file again on every call (a ``stat`` per posting of the unscored
  fields);
- a new segment's pool (``whoosh.writing.PostingPool`` is ``TermPool``): its postings kept
  by term, where Whoosh keeps one list of them all and sorts it when the segment is written;
- a segment's postings writer (``W3FieldWriter.add_postings`` is ``write_postings``): each
  term's postings in one pass, where Whoosh makes four method calls a posting and three
  objects a term (500 articles of the benchmark corpus: 1.3 s to add and 2.0 s to write,
  now 1.0 and 1.0).

A writer whose pool is a TermPool (writer.ArticleWriter; nothing of Whoosh's is patched for
it) adds a document with ``add_document`` here, which indexes a StemmedText field in one
pass (``index_into``): a regex finds the words, each distinct word is lower-cased, stopped,
folded and stemmed once per process, and the positions are grouped with plain lists, where
Whoosh pushes every token through four generators and encodes every position list on its
own (3.7 ms an article against 1.1 ms; with the lengths read once, 11.8 to 8.0 ms an
article on one core).

The terms, positions, weights and lengths are Whoosh's, and the segment files are those
Whoosh writes from the same postings, byte for byte (tests/core/test_whoosh_speedups.py),
so queries, phrases, snippets and scores do not change. With ``READER_STOCK_WHOOSH=1`` in
the environment ``install()`` changes nothing: every writer indexes through Whoosh's own
analyzer chain, pool and postings writer, and segments are read by Whoosh's reader. Slower,
with the same results (``.ci/run`` runs the index and search tests that way too).
"""

from __future__ import annotations

import os
import pickle
from array import array
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from hashlib import md5
from itertools import groupby
from operator import ge, itemgetter, sub
from typing import Any
from zlib import compress

from whoosh import writing
from whoosh.codec import whoosh3
from whoosh.codec.base import FieldWriter, OutOfOrderError
from whoosh.columns import NumericColumn
from whoosh.filedb import filetables
from whoosh.lang.porter import stem
from whoosh.support.charset import accent_map
from whoosh.system import pack_int, pack_long, pack_uint, pack_ushort
from whoosh.util.numeric import byte_to_length, length_to_byte
from whoosh.writing import PostingPool  # (Whoosh's own: bound before install())

from .analysis import MIN_LENGTH, STOPS, WORD, StemmedText, word_forms

#: Set (and not to 0) in the environment: Whoosh as it comes, nothing installed.
STOCK_ENV = "READER_STOCK_WHOOSH"

#: A posting in a pool: (field name, term, document number, weight, encoded value).
Posting = tuple[str, bytes, int, float, bytes]

#: Word as written -> its term, encoded (b"" when stopped). Shared by the fields of a process
#: and cleared when it grows past this many words (the long tail of a large build).
_CACHE_LIMIT = 200_000
_terms: dict[str, Expansion] = {}
#: Encoded position lists of terms seen once in a document, by position (the first
#: SINGLE_CACHED positions: an article's words, not a 10 MB file's).
SINGLE_CACHED = 8192
_single: dict[int, bytes] = {}


#: What a word of a text makes: its term (b"" when stopped), or, for a word of several tokens
#: (word_forms), the positions it takes and its (offset, term) pairs.
Expansion = bytes | tuple[int, tuple[tuple[int, bytes], ...]]


def _term_of(text: str) -> bytes:
    lower = text.lower()
    return (b"" if len(lower) < MIN_LENGTH or lower in STOPS
            else stem(lower.translate(accent_map)).encode("utf-8"))


def _term(word: str) -> Expansion:
    width, forms = word_forms(word)
    expansion: Expansion
    if len(forms) == 1:
        expansion = _term_of(word)
    else:  # SameSlotFilter: a term once at each place of the word
        pairs: list[tuple[int, bytes]] = []
        for offset, text, _, _ in forms:
            term = _term_of(text)
            if term and (offset, term) not in pairs:
                pairs.append((offset, term))
        expansion = (width, tuple(pairs))
    _terms[word] = expansion
    return expansion


def _encoded(found: list[int]) -> bytes:
    """Positions.encode: the count, then the pickled gaps between positions."""
    count = len(found)
    if count == 1:
        at = found[0]
        encoded = _single.get(at)
        if encoded is None:
            encoded = pack_uint(1) + pickle.dumps(found, 2)
            if at < SINGLE_CACHED:
                _single[at] = encoded
        return encoded
    gaps = [b - a for a, b in zip([0, *found], found, strict=False)]
    made: bytes = pack_uint(count) + pickle.dumps(gaps, 2)
    return made


def index_into(field: StemmedText, pool: TermPool, fieldname: str, docnum: int, value: str,
               boost: float, words: dict[str, Counter[str]] | None = None) -> int:
    """``add_document``'s work for a StemmedText field, done in one pass: a regex finds the
    words, each distinct word is lower-cased, stopped, folded and stemmed once per process,
    and each of the value's terms goes into ``pool`` as a posting (weighted, then boosted by
    ``boost`` as Whoosh does), without Whoosh's four generators a token and a method call a
    posting. Returns the field's length (its words, stop words left out; 0 when the field
    is not scorable, as Whoosh has it). The words as written are counted in
    ``words[fieldname]``, when there is ``words``."""
    found_words = WORD.findall(value)
    positions = _positions(found_words)  # (hashes every word, for the set below)
    if words is not None:
        seen = words.get(fieldname)
        if seen is None:
            seen = words[fieldname] = Counter()
        seen.update(found_words)
    weight = float(field.format.field_boost)
    groups = pool._groups
    if groups is None:  # the pool spilled to disk: it is Whoosh's list from now on
        pool.current += [(fieldname, term, docnum, len(found) * weight * boost,
                          _encoded(found)) for term, found in positions.items()]
    else:
        get = groups.get
        for term, found in positions.items():
            posting = (fieldname, term, docnum, len(found) * weight * boost,
                       _encoded(found))
            group = get((fieldname, term))
            if group is None:
                groups[fieldname, term] = [posting]
            else:
                group.append(posting)
    pool.added(fieldname, len(positions))
    return sum(map(len, positions.values())) if field.scorable else 0


def _positions(words: list[str]) -> dict[bytes, list[int]]:
    """Each term of a text's ``words`` (WORD matches), with its positions, as the analyzer
    gives them: a stop word leaves its position empty, a word of several pieces takes a
    position for each (word_forms)."""
    if len(_terms) > _CACHE_LIMIT:
        _terms.clear()
    terms: list[Expansion | None] = list(map(_terms.get, words))
    if None in terms:
        for i, term in enumerate(terms):
            if term is None:
                terms[i] = _term(words[i])
    positions: dict[bytes, list[int]] = {}
    pos = 0
    for term in terms:
        if isinstance(term, bytes):
            if term:
                seen = positions.get(term)
                if seen is None:
                    positions[term] = [pos]
                else:
                    seen.append(pos)
            pos += 1
        else:
            assert term is not None
            width, pairs = term
            for offset, each in pairs:
                seen = positions.get(each)
                if seen is None:
                    positions[each] = [pos + offset]
                else:
                    seen.append(pos + offset)
            pos += width
    return positions


def _length_column(perdoc: Any, fieldname: str) -> Any:
    """A segment's length bytes of a field (one a document, read once), or False when it
    has no such column or one of another kind (then only Whoosh's own reading will do)."""
    cache = perdoc.__dict__.get("_field_lengths")
    if cache is None:
        cache = perdoc._field_lengths = {}
    lengths = cache.get(fieldname)
    if lengths is None:
        column = perdoc._cached_reader(whoosh3._lenfield(fieldname), whoosh3.LENGTHS_COLUMN)
        if type(column) is NumericColumn.Reader and column._fixedlen == 1:
            lengths = column._dbfile.get(column._basepos, column._count)
        else:
            lengths = False
        cache[fieldname] = lengths
    return lengths


#: Whoosh's own, as it comes (the speed-ups fall back on them, and the tests compare).
_whoosh_doc_field_length = whoosh3.W3PerDocReader.doc_field_length
_whoosh_cached_reader = whoosh3.W3PerDocReader._cached_reader


def doc_field_length(self: Any, docnum: int, fieldname: str, default: Any = 0) -> Any:
    """W3PerDocReader.doc_field_length, from the field's length column read once."""
    lengths = _length_column(self, fieldname)
    if lengths is False or docnum > self._doccount:
        return _whoosh_doc_field_length(self, docnum, fieldname, default)
    if docnum < len(lengths):
        lbyte = lengths[docnum]
        if lbyte:
            return byte_to_length(lbyte)
    return None  # as Whoosh: a zero length is None


def cached_reader(self: Any, fieldname: str, column: Any) -> Any:
    """W3PerDocReader._cached_reader, that remembers a field without a column (Whoosh looks
    for its file again at every call)."""
    if fieldname in self._readers:
        return self._readers[fieldname]
    reader = _whoosh_cached_reader(self, fieldname, column)
    if reader is None:
        self._readers[fieldname] = None
    return reader


#: What W3PostingsWriter writes before a term's first block, and the term index's entries.
_MAGIC = whoosh3.WHOOSH3_HEADER_MAGIC
_TERMINFO = whoosh3.W3TermInfo._struct.pack
_ENTRY = filetables._lengths.pack
_TERM_OF = itemgetter(0, 1)
#: Bytes of postings (and of term entries) gathered before they are written out.
_WRITE_EVERY = 1 << 20
#: A length's byte, read back as a length (not zero unless the byte is) and encoded again,
#: is the same byte: so a block's shortest and longest length are its least and greatest
#: nonzero byte.
_BYTES_ROUND_TRIP = all(length_to_byte(byte_to_length(b)) == b
                        and bool(byte_to_length(b)) == bool(b)
                        for b in range(256))


def _md5_low32(key: bytes) -> int:
    """filetables.md5_hash without making a 128-bit integer from a hex string."""
    return int.from_bytes(md5(key, usedforsecurity=False).digest()[12:], "big")


def _lengths_of(lengths: Any, fieldname: str) -> Callable[[tuple[int, ...]], bytes]:
    """ids -> the length byte of each document (0 for none), as Whoosh asks for them."""
    if lengths is None:
        return lambda ids: bytes(len(ids))
    if type(lengths) is whoosh3.W3PerDocReader:
        column = _length_column(lengths, fieldname)
        if column is not False:
            get, size = column.__getitem__, len(column)
            return lambda ids: (bytes(map(get, ids)) if max(ids) < size
                                else bytes(len(ids)) if min(ids) >= size
                                else bytes(get(d) if d < size else 0 for d in ids))
    dfl = lengths.doc_field_length
    return lambda ids: bytes(length_to_byte(dfl(d, fieldname) or 0) for d in ids)


def write_postings(self: Any, schema: Any, lengths: Any, items: Iterable[Posting]) -> None:
    """W3FieldWriter.add_postings in one pass: the same files, byte for byte.

    Whoosh turns every posting into four method calls (start, add, finish), a length
    lookup and a dozen checks, and every term into a new postings writer, block and term
    info object: 10 microseconds a posting. Here the sorted postings are grouped by term in
    C (``groupby``), a term's lists are made with one ``zip``, and the blocks, term infos
    and term index entries are written as W3PostingsWriter, W3TermInfo and
    OrderedHashWriter write them (tests/core/test_whoosh_speedups.py compares the files)."""
    codec, tindex = self._codec, self._tindex
    if (type(self) is not whoosh3.W3FieldWriter or type(codec) is not whoosh3.W3Codec
            or codec._inlinelimit != 1 or type(tindex) is not filetables.OrderedHashWriter
            or not _BYTES_ROUND_TRIP):
        FieldWriter.add_postings(self, schema, lengths, iter(items))
        return
    term_groups = getattr(items, "term_groups", None)  # a TermPool's: grouped already
    groups: Iterable[tuple[tuple[str, bytes], Iterable[Posting]]] = (
        term_groups() if term_groups is not None else groupby(items, _TERM_OF))
    blocklimit, comp = codec._blocklimit, codec._compression
    dumps = pickle.dumps
    hashfn = _md5_low32 if tindex.hashfn is filetables.md5_hash else tindex.hashfn
    buckets, index_append = tindex.buckets, tindex.index.append
    fieldmap = self._fieldmap
    postfile, termfile = self._postfile, tindex.dbfile
    posts: list[bytes] = []
    posts_at = post_pos = postfile.tell()  # where posts[0] goes; where the next byte goes
    terms: list[bytes] = []
    terms_at = term_pos = termfile.tell()
    lastkey: bytes = tindex.lastkey
    lastfield: str | None = None
    prefix = b""
    fixedsize: int | None = None
    lengths_for = _lengths_of(None, "")
    for (fieldname, btext), group in groups:
        if fieldname != lastfield:
            if fieldname not in fieldmap:
                fieldmap[fieldname] = len(fieldmap)
            prefix = pack_ushort(fieldmap[fieldname])
            fixedsize = schema[fieldname].format.fixed_value_size()
            lengths_for = _lengths_of(lengths, fieldname)
            lastfield = fieldname
        key = prefix + btext
        if key <= lastkey:
            raise OutOfOrderError(f"Term {fieldname}:{btext!r} after {lastkey!r}")
        _, _, ids, weights, values = zip(*group, strict=False)
        if ids[0] == -1:  # Whoosh's marker for a spelling word, not a posting
            kept = [i for i, docnum in enumerate(ids) if docnum != -1]
            if not kept:
                continue
            ids = tuple(ids[i] for i in kept)
            weights = tuple(weights[i] for i in kept)
            values = tuple(values[i] for i in kept)
        count = len(ids)
        length_bytes = lengths_for(ids)
        start = post_pos
        posts.append(_MAGIC)
        post_pos += len(_MAGIC)
        total_weight = 0
        max_weight = 0
        min_length = 0  # as bytes; 0 is Whoosh's None
        max_length = 0
        for first in range(0, count, blocklimit):
            if count <= blocklimit:
                block_ids, block_weights, block_values = ids, weights, values
                block_lengths = length_bytes
            else:
                last = first + blocklimit
                block_ids, block_weights = ids[first:last], weights[first:last]
                block_values, block_lengths = values[first:last], length_bytes[first:last]
            floats = array("f", block_weights)
            total_weight += sum(floats)
            if floats.count(1.0) == len(floats):
                mini_weights = None
            elif floats.count(floats[0]) == len(floats):
                mini_weights = floats[0]
            else:
                mini_weights = tuple(floats)
            if fixedsize == 0:
                mini_values = None
            else:
                kept_values = [v for v in block_values if v]
                mini_values = (tuple(kept_values) if fixedsize is None or fixedsize < 0
                               else b"".join(kept_values))
            heaviest = max(block_weights)
            if not heaviest > 0:
                heaviest = 0
            if heaviest > max_weight:
                max_weight = heaviest
            known = block_lengths.replace(b"\0", b"")
            shortest, longest = (min(known), max(known)) if known else (0, 0)
            if shortest and (not min_length or shortest < min_length):
                min_length = shortest
            if longest > max_length:
                max_length = longest
            data = dumps((tuple(map(sub, block_ids, (0, *block_ids[:-1]))), mini_weights,
                          mini_values), 2)
            if comp:
                data = compress(data, comp)
            info = dumps((len(block_ids), block_ids[-1], heaviest, comp, shortest, longest), 2)
            size = len(info) + len(data)
            posts.append(pack_int(-size if first + blocklimit >= count else size))
            posts.append(info)
            posts.append(data)
            post_pos += 4 + size
        value = _TERMINFO(False, total_weight, count, min_length, max_length, max_weight,
                          ids[0], ids[-1]) + pack_long(start) + pack_int(post_pos - start)
        index_append(term_pos)
        h = hashfn(key)
        buckets[h & 255].append((h, term_pos))
        terms.append(_ENTRY(len(key), len(value)))
        terms.append(key)
        terms.append(value)
        term_pos += 8 + len(key) + len(value)
        lastkey = key
        if post_pos - posts_at > _WRITE_EVERY:
            postfile.write(b"".join(posts))
            posts.clear()
            posts_at = post_pos
        if term_pos - terms_at > _WRITE_EVERY:
            termfile.write(b"".join(terms))
            terms.clear()
            terms_at = term_pos
    postfile.write(b"".join(posts))
    termfile.write(b"".join(terms))
    tindex.lastkey = lastkey
    self._infield = False
    self._postwriter = None


#: What Whoosh's pool reckons a posting takes in memory (its tuple, term and value).
POSTING_BYTES = 200
_DOCNUM = itemgetter(2)


class TermPool(PostingPool):  # type: ignore[misc]  # (Whoosh has no type hints)
    """Whoosh's pool of a new segment's postings, kept by term while they fit in memory.

    Whoosh keeps a list of every posting of a segment and sorts it when the segment is
    written: at 180,000 postings for 500 articles, a third of a second in every writer
    process of an update, and ``write_postings`` then groups them by term again. Kept by
    term as they come, only the terms are sorted (a tenth as many). Past Whoosh's memory
    limit the pool spills to Whoosh's sorted runs on disk, as Whoosh's does."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._groups: dict[tuple[str, bytes], list[Posting]] | None = {}
        self._room = self.limit // POSTING_BYTES

    def add(self, item: Posting) -> None:
        groups = self._groups
        if groups is None:
            super().add(item)
            return
        key = (item[0], item[1])
        group = groups.get(key)
        if group is None:
            groups[key] = [item]
            self.fieldnames.add(item[0])
        else:
            group.append(item)
        self._room -= 1
        if self._room < 0:
            self.save()

    def added(self, fieldname: str, count: int) -> None:
        """``count`` postings of ``fieldname`` were put in the pool by StemmedText."""
        self.fieldnames.add(fieldname)
        if self._groups is None:
            self.currentsize += count * POSTING_BYTES
            if self.currentsize > self.limit:
                self.save()
        else:
            self._room -= count
            if self._room < 0:
                self.save()

    def save(self) -> None:
        """Spill to a sorted run on disk; from now on the pool is Whoosh's own."""
        if self._groups is not None:
            for group in self._groups.values():
                self.current.extend(group)
            self._groups = None
        super().save()

    def items(self, maxfiles: int = 128) -> Iterable[Posting]:
        if self._groups is None:
            return super().items(maxfiles)  # type: ignore[no-any-return]
        return TermGroups(self._groups)


class TermGroups:
    """A pool's postings in Whoosh's order (by field, term, document), and by term."""

    __slots__ = ("_groups",)

    def __init__(self, groups: dict[tuple[str, bytes], list[Posting]]) -> None:
        self._groups = groups

    def term_groups(self) -> Iterator[tuple[tuple[str, bytes], list[Posting]]]:
        groups = self._groups
        for key in sorted(groups):
            group = groups[key]
            if len(group) > 1:
                docnums = list(map(_DOCNUM, group))
                if any(map(ge, docnums, docnums[1:])):  # not by document: Whoosh sorts all
                    group.sort()
            yield key, group

    def __iter__(self) -> Iterator[Posting]:
        for _, group in self.term_groups():
            yield from group


def add_document(writer: Any, fields: dict[str, Any], words: dict[str, Counter[str]] | None
                 ) -> None:
    """SegmentWriter.add_document, for a ``writer`` whose pool is a TermPool, with
    StemmedText fields indexed straight into the pool (and their words as written counted
    in ``words``, by field, when there is ``words``).

    Whoosh's loops over a field's postings itself, a method call each: with the analysis,
    a microsecond and more a posting (180,000 for 500 articles). The rest is Whoosh's own,
    line for line: the segment files are the same (the tests compare them)."""
    pool = writer.pool
    writer._check_state()
    perdocwriter = writer.perdocwriter
    schema = writer.schema
    docnum = writer.docnum
    add_post = pool.add

    docboost = writer._doc_boost(fields)
    fieldnames = sorted([name for name in fields.keys() if not name.startswith("_")])
    writer._check_fields(schema, fieldnames)

    perdocwriter.start_doc(docnum)
    try:
        for fieldname in fieldnames:
            value = fields.get(fieldname)
            if value is None:
                continue
            field = schema[fieldname]

            length = 0
            if field.indexed:
                fieldboost = writer._field_boost(fields, fieldname, docboost)
                if type(field) is StemmedText and type(value) is str:
                    length = index_into(field, pool, fieldname, docnum, value, fieldboost,
                                        words)
                else:
                    scorable = field.scorable
                    for tbytes, freq, weight, vbytes in field.index(value):
                        weight *= fieldboost
                        if scorable:
                            length += freq
                        add_post((fieldname, tbytes, docnum, weight, vbytes))

            if field.separate_spelling():
                spellfield = field.spelling_fieldname(fieldname)
                for word in field.spellable_words(value):
                    add_post((spellfield, word.encode("utf-8"), 0, 1, vbytes))

            vformat = field.vector
            if vformat:
                vitems = vformat.word_values(value, field.analyzer, mode="index")
                vitems = sorted((text, weight, vbytes) for text, _, weight, vbytes in vitems)
                perdocwriter.add_vector_items(fieldname, field, vitems)

            customval = fields.get(f"_stored_{fieldname}", value)
            sv = customval if field.stored else None
            perdocwriter.add_field(fieldname, field, sv, length)

            column = field.column_type
            if column and customval is not None:
                cv = field.to_column_value(customval)
                perdocwriter.add_column_value(fieldname, column, cv)
    except Exception:
        perdocwriter.cancel_doc()
        raise

    perdocwriter.finish_doc()
    writer._added = True
    writer.docnum += 1


def stock_requested() -> bool:
    """Whether the environment asks for Whoosh as it comes (READER_STOCK_WHOOSH=1)."""
    return os.environ.get(STOCK_ENV, "") not in ("", "0")


def install() -> bool:
    """Put the speed-ups in place for this process, unless READER_STOCK_WHOOSH asks for
    Whoosh as it comes; True when they are in place. Calling it again changes nothing."""
    if not installed():
        if stock_requested():
            return False
        reader_class = whoosh3.W3PerDocReader
        reader_class.doc_field_length = doc_field_length
        reader_class._cached_reader = cached_reader
        writing.PostingPool = TermPool
        whoosh3.W3FieldWriter.add_postings = write_postings
    return True


def installed() -> bool:
    """Whether this process runs with the speed-ups (``install()`` put them in place)."""
    reader_class = whoosh3.W3PerDocReader
    return (reader_class.doc_field_length is doc_field_length
            and reader_class._cached_reader is cached_reader
            and writing.PostingPool is TermPool
            and whoosh3.W3FieldWriter.__dict__.get("add_postings") is write_postings)
