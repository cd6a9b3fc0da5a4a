"""The faster Whoosh parts (reader.core.whoosh_speedups) give what Whoosh gives, byte for
byte; and with READER_STOCK_WHOOSH=1 nothing of Whoosh's is changed, and every query finds
what it finds with them."""

from __future__ import annotations

from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from whoosh import index as whoosh_index
from whoosh import writing
from whoosh.codec import whoosh3
from whoosh.fields import TEXT, Schema

from reader.core import whoosh_speedups
from reader.core.analysis import StemmedText, folding_analyzer
from reader.core.index import CorpusIndex, make_schema
from reader.core.whoosh_speedups import TermPool, index_into
from reader.core.writer import ArticleWriter

needs_speedups = pytest.mark.skipif(
    whoosh_speedups.stock_requested(), reason="READER_STOCK_WHOOSH=1: Whoosh as it comes")


@pytest.fixture(autouse=True)
def speedups_installed() -> None:
    """In place for every test here, as a CorpusIndex would put them (not at import)."""
    if not whoosh_speedups.stock_requested():
        assert whoosh_speedups.install()

ENGLISH = (
    "The ministers were meeting in Madrid. Meetings of the ministers, said the minister, "
    "are what the meeting was for: U.S. talks, 3.5% growth, e-mail, naïve résumés, "
    "ISTANBUL and İstanbul, STRASSE and Straße, ΣΊΣΥΦΟΣ, ½ and ٣٤, __init__ a.b.c. "
    "Café, CAFÉS and cafes in Zürich; São Paulo's Pokémon; Ĳssel, ǅemal, Œuvre. "
    "It is, as it was, a an the of to be or not to be; running runs ran runner. "
    "O'Sullivan won't say; Trump's and Trump\u2019s aides; *Gulp* sh*t pic.twitter.com/x "
    "jane.roe@example.com U.S.A. rock'n'roll it's."
)

words = st.sampled_from([
    "the", "a", "The", "of", "to", "minister", "Ministers", "meeting", "meetings", "U.S.",
    "Café", "cafés", "RÉSUMÉS", "Zürich", "Œuvre", "ÀÉÎÕÜ",
    "3.14", "e-mail", "naïve", "İstanbul", "Straße", "x", "I", "it's", "running", "ran",
    "ﬁnance", "ǅemal", "⅓", "_", "..", "a.b", "(note)", "—", "\n\n",
    "won't", "O'Sullivan", "Trump\u2019s", "'", "pic.twitter.com", "sh*t", "*Gulp*",
    "jane.roe@example.com", "U.S.A.", "rock'n'roll", "it's", "Trump's", "trump", "@", "*",
])
texts = st.one_of(
    st.text(max_size=200),
    st.lists(words, max_size=60).map(" ".join),
    st.lists(st.one_of(words, st.text(max_size=6)), max_size=40).map("".join),
)


def whoosh_analyzer():
    """The schema's analyzer chain, run by Whoosh token by token: what the one pass must
    give."""
    return folding_analyzer()


def whoosh_text(boost: float = 1.0) -> TEXT:
    return TEXT(analyzer=whoosh_analyzer(), phrase=True, field_boost=boost)


def postings(field, value, docboost: float = 1.0) -> tuple[list, int]:
    """The postings of ``value`` in ``field`` (and the field's length) as Whoosh's
    ``add_document`` makes them: from the field's analyzer and format."""
    made, length = [], 0
    for term, count, weight, encoded in field.index(value):
        made.append(("body", term, 7, weight * docboost, type(weight), encoded))
        length += count
    return sorted(made), length


def one_pass_postings(field, value, docboost: float = 1.0) -> tuple[list, int]:
    """The same, as ``index_into`` puts them in a term pool."""
    pool = TermPool(None, None)
    length = index_into(field, pool, "body", 7, value, docboost)
    made = [(name, term, docnum, weight, type(weight), encoded)
            for name, term, docnum, weight, encoded in pool.iter_postings()]
    return made, length


def test_an_english_text_gives_whooshs_postings():
    for boost in (1.0, 3.0):
        ours = one_pass_postings(StemmedText(field_boost=boost), ENGLISH)
        assert ours == postings(whoosh_text(boost), ENGLISH)
        assert ours[1] > 30  # the check can fail: there are words to compare
    assert one_pass_postings(StemmedText(), ENGLISH, 2.0) == postings(whoosh_text(), ENGLISH, 2.0)
    # Stop words before the first word kept: that word keeps its place, the next follow it.
    assert one_pass_postings(StemmedText(), "the of a minister to the meeting") == postings(
        whoosh_text(), "the of a minister to the meeting")
    assert one_pass_postings(StemmedText(), "the of a to") == ([], 0)


@settings(max_examples=400, deadline=None)
@given(texts, st.sampled_from([1.0, 3.0]))
def test_any_text_gives_whooshs_postings(text, boost):
    assert one_pass_postings(StemmedText(field_boost=boost), text) == postings(
        whoosh_text(boost), text)


def test_an_index_of_stemmed_text_finds_phrases_and_scores_as_whoosh(tmp_path):
    docs = [ENGLISH, "Ministers meet in Madrid.", "The meeting in Madrid was short.",
            "Nothing to see here."]
    scores = {}
    for name, field in (("ours", StemmedText()), ("whoosh", whoosh_text())):
        folder = tmp_path / name
        folder.mkdir()
        ix = whoosh_index.create_in(str(folder), Schema(body=field))
        with (ArticleWriter if name == "ours" else writing.SegmentWriter)(ix) as writer:
            for text in docs:
                writer.add_document(body=text)
        with ix.searcher() as searcher:
            from whoosh.qparser import QueryParser

            parser = QueryParser("body", ix.schema)
            found = {}
            for q in ('"ministers meet"', "ministers", "meet AND madrid", "running"):
                found[q] = [(hit.docnum, round(hit.score, 9))
                            for hit in searcher.search(parser.parse(q))]
            scores[name] = found
    assert scores["ours"] == scores["whoosh"]
    assert sorted(doc for doc, _ in scores["ours"]['"ministers meet"']) == [1]
    assert all(scores["ours"].values())  # each query finds something: the check can fail


def test_field_lengths_read_once_are_the_lengths_whoosh_reads(write_corpus, tmp_path):
    files = {f"n{i}.txt": f"Title {i}\n\n" + "word " * (i * 37 % 300) + "end\n"
             for i in range(40)}
    files["empty.txt"] = "Only a title\n"
    root = write_corpus(files)
    index = CorpusIndex(root, tmp_path / "ix").open()
    index.update()
    fields = [*make_schema().names(), "no_such_field"]
    original = whoosh_speedups._whoosh_doc_field_length
    with index.ix.reader() as reader:
        for segment_reader, _ in reader.leaf_readers():
            perdoc = segment_reader._perdoc
            fresh = whoosh3.W3PerDocReader(perdoc._storage, perdoc._segment)
            for fieldname in fields:
                for docnum in range(segment_reader.doc_count_all()):
                    assert perdoc.doc_field_length(docnum, fieldname, 7) == original(
                        fresh, docnum, fieldname, 7)
    with index.ix.searcher() as searcher:
        lengths = sorted(searcher.doc_field_length(d, "body") or 0
                         for d in range(searcher.doc_count_all()))
    assert lengths[0] == 0 and lengths[-1] > 250  # real lengths, and the empty body's None


def test_a_long_document_gives_whooshs_postings_and_keeps_its_cache_small():

    text = " ".join(f"w{i}" for i in range(whoosh_speedups.SINGLE_CACHED + 500))
    assert one_pass_postings(StemmedText(), text) == postings(whoosh_text(), text)
    assert max(whoosh_speedups._single) < whoosh_speedups.SINGLE_CACHED


# --- writing a segment: the one-pass writer and the term pool ----------------------------

def _documents(count: int) -> list[dict]:
    """Articles with every kind of posting list: terms in more than one block (128
    documents), weights all 1, all equal and mixed (a title boost, repeated words), fields
    without lengths (path, section), keywords, Whoosh's own analyzer (author), dates."""
    import random
    from datetime import datetime

    rng = random.Random(11)
    vocabulary = [f"w{i}" for i in range(400)] + ["meeting", "ministers", "madrid", "the"]
    docs = []
    for n in range(count):
        body = " ".join(rng.choices(vocabulary, weights=[1 / (i + 1) for i in range(404)],
                                    k=rng.randint(0, 120)))
        docs.append({
            "path": f"s{n % 3}/a{n}.txt",
            "title": " ".join(rng.choices(vocabulary[:30], k=rng.randint(1, 6))),
            "body": body,
            "section": f"s{n % 3}",
            "section_name": f"s{n % 3}",
            "date": datetime(2025, 1, 1 + n % 28),
            "title_key": f"t{n}",
            "source": rng.choice(["", "Wire", "The Wire Desk"]),
            "author": rng.choice(["", "Ann Lee", "Bo Lee"]),
            "tags": rng.choice(["", "trade,china", "Trade"]),
            "mtime_ns": n,
            "size": len(body),
            "hash": f"{n:x}",
        })
    return docs


def _segment_files(folder) -> list[tuple[str, bytes]]:
    """Each segment file's kind and bytes (segment names are random; tables of contents
    name them)."""
    return sorted((path.suffix, path.read_bytes()) for path in folder.iterdir()
                  if path.suffix in (".trm", ".pst", ".col"))


class OnePassText(StemmedText):
    """StemmedText whose ``index`` gives what ``index_into`` puts in a pool, the very same
    objects: so Whoosh's writer is fed exactly what ours is, and their files can be compared
    byte for byte. (Whoosh's own analysis makes equal position lists, but a new bytes object
    for each, which pickle writes out again where ours refers back to the first: its
    postings file is some 10% larger, and reads the same; the test below checks that too.)"""

    def index(self, value, **kwargs):
        pool = TermPool(None, None)
        index_into(self, pool, "", 0, value, 1.0)
        for _, term, _, weight, encoded in pool.iter_postings():
            yield term, self.format.decode_frequency(encoded), weight, encoded


def _schema(analysis: str):
    """The index's schema; for Whoosh's writer with ``analysis="one pass"``, its text fields
    analysed as ours are."""
    from reader.core.index import TITLE_BOOST

    fields = dict(make_schema().items())
    if analysis == "one pass":
        fields.update(title=OnePassText(stored=True, field_boost=TITLE_BOOST), body=OnePassText())
    return Schema(**fields)


def _write_segments(folder, docs, *, writer: str, compression: int, limitmb: float,
                    monkeypatch) -> list[tuple[str, bytes]]:
    """Two segments of ``docs`` written and merged into one by our writer (``"ours"``) or by
    Whoosh's, fed our analysis (``"one pass"``) or its own (``"whoosh"``)."""
    from whoosh.codec.base import FieldWriter
    from whoosh.writing import NO_MERGE, OPTIMIZE


    with monkeypatch.context() as patch:
        if writer != "ours":
            patch.setattr(whoosh3.W3FieldWriter, "add_postings", FieldWriter.add_postings)
            patch.setattr(writing, "PostingPool", whoosh_speedups.TermPool.__base__)
        make = ArticleWriter if writer == "ours" else writing.SegmentWriter
        folder.mkdir()
        ix = whoosh_index.create_in(str(folder), _schema(writer))
        codec = whoosh3.W3Codec(compression=compression)
        half = len(docs) // 2
        for part in (docs[:half], docs[half:]):
            with make(ix, codec=codec, limitmb=limitmb, compound=False) as segment_writer:
                segment_writer.mergetype = NO_MERGE
                for doc in part:
                    segment_writer.add_document(**doc)
        # Merged into one segment (postings read back from both, a deleted one left out).
        merger = make(ix, codec=codec, limitmb=limitmb, compound=False)
        merger.delete_by_term("path", docs[3]["path"])
        merger.commit(mergetype=OPTIMIZE)
        return _segment_files(folder)


def _postings_read_back(folder) -> list[tuple]:
    """Every posting of an index, as Whoosh reads it back (values decoded)."""
    with whoosh_index.open_dir(str(folder)).reader() as reader:
        return list(reader.iter_postings())


@needs_speedups
def test_segments_are_written_as_whoosh_writes_them_byte_for_byte(tmp_path, monkeypatch):


    docs = _documents(200)
    assert whoosh3.W3FieldWriter.add_postings is whoosh_speedups.write_postings
    assert writing.PostingPool is whoosh_speedups.TermPool
    for compression in (0, 3):
        # 128 MB: the pool keeps every posting by term; 0.05 MB: it spills to sorted runs.
        for limitmb in (128, 0.05):
            tag = f"{compression}-{limitmb}"
            ours = _write_segments(tmp_path / f"ours-{tag}", docs, writer="ours",
                                   compression=compression, limitmb=limitmb,
                                   monkeypatch=monkeypatch)
            theirs = _write_segments(tmp_path / f"whoosh-{tag}", docs, writer="one pass",
                                     compression=compression, limitmb=limitmb,
                                     monkeypatch=monkeypatch)
            assert [kind for kind, _ in ours].count(".pst") == 1  # merged into one segment
            assert ours == theirs, tag
    # Whoosh's own analysis: the same postings and columns, a postings file pickled apart.
    stock = _write_segments(tmp_path / "stock", docs, writer="whoosh", compression=3,
                            limitmb=128, monkeypatch=monkeypatch)
    assert [(kind, data) for kind, data in stock if kind == ".col"] == [
        (kind, data) for kind, data in ours if kind == ".col"]
    postings = _postings_read_back(tmp_path / "ours-3-0.05")
    assert _postings_read_back(tmp_path / "stock") == postings
    by_term = Counter((name, term) for name, term, *_ in postings)
    assert max(by_term.values()) > 128  # a term's postings in more than one block


def test_a_segment_written_in_one_pass_searches_as_whooshs(tmp_path):
    from whoosh.qparser import MultifieldParser

    folder = tmp_path / "ix"
    folder.mkdir()
    ix = whoosh_index.create_in(str(folder), make_schema())
    docs = _documents(300)
    with ArticleWriter(ix) as writer:
        for doc in docs:
            writer.add_document(**doc)
    with ix.searcher() as searcher:
        parser = MultifieldParser(["title", "body"], ix.schema)
        hits = searcher.search(parser.parse('"w1 w2" OR madrid'), limit=None)

        def found(text: str) -> bool:
            words = [word for word in text.split() if word != "the"]  # a stop word
            return "madrid" in words or ("w1", "w2") in zip(words, words[1:], strict=False)

        expected = {doc["path"] for doc in docs if found(doc["title"]) or found(doc["body"])}
        assert {hit["path"] for hit in hits} == expected and expected
        assert searcher.doc_frequency("body", "w0") > 128  # postings in more than one block


def test_postings_out_of_order_are_refused(tmp_path):
    from whoosh.codec.base import OutOfOrderError
    from whoosh.filedb.filestore import FileStorage

    storage = FileStorage(str(tmp_path)).create()
    codec = whoosh3.W3Codec()
    segment = codec.new_segment(storage, "MAIN")
    writer = codec.field_writer(storage, segment)
    schema = make_schema()
    postings = [("body", b"b", 0, 1.0, b""), ("body", b"a", 1, 1.0, b"")]
    with pytest.raises(OutOfOrderError):
        writer.add_postings(schema, None, postings)


def test_a_term_pools_postings_come_out_in_whooshs_order(tmp_path):
    from whoosh.filedb.filestore import FileStorage

    storage = FileStorage(str(tmp_path)).create()
    pool = TermPool(storage, None)
    postings = [("title", b"b", 2, 1.0, b""), ("body", b"z", 5, 1.0, b"x"),
                ("title", b"b", 1, 2.0, b""), ("body", b"a", 7, 1.0, b""),
                ("title", b"b", 1, 1.0, b"")]  # a document out of order, and twice
    for posting in postings:
        pool.add(posting)
    assert list(pool.iter_postings()) == sorted(postings)
    assert pool.fieldnames == {"title", "body"}


# --- READER_STOCK_WHOOSH=1: Whoosh as it comes, the same results -------------------------

BOTH_WAYS = r"""
import json, sys
from pathlib import Path

import reader.core.index as index_module
from reader.core import whoosh_speedups
from reader.core.index import CorpusIndex
from reader.core.search import Searcher

corpus, folder, queries = Path(sys.argv[1]), Path(sys.argv[2]), json.loads(sys.argv[3])
# Two batches in writer processes; then a small update in this one, merged.
index_module.PARALLEL_THRESHOLD, index_module.BATCH_DOCS, index_module.MERGE_FACTOR = 40, 90, 2
index_module.FIRST_BATCH = 90
index = CorpusIndex(corpus, folder).open()
index.update()
for name in ("world/b003.txt", "b017.txt"):
    path = corpus / name
    path.write_text(path.read_text() + "\nA revised paragraph about the ministers.\n")
(corpus / "b005.txt").unlink()
index.update()
searcher = Searcher(index)
found = {}
for text in queries:
    hits = searcher.search(text, limit=None).hits
    found[text] = [[h.path, h.score, h.snippet, h.snippet_spans, h.title_spans] for h in hits]
found["related"] = [[h.path, h.score] for h in searcher.related("world/a000.txt", limit=20)]
patched = []  # every attribute of a Whoosh module or class that is reader's
for name, module in sorted(sys.modules.items()):
    if name.split(".")[0] != "whoosh":
        continue
    for attr, value in vars(module).items():
        if getattr(value, "__module__", None) and value.__module__.startswith("reader."):
            patched.append(f"{name}.{attr}")
        if isinstance(value, type) and value.__module__ == name:
            patched += [f"{name}.{attr}.{key}" for key, item in vars(value).items()
                        if str(getattr(item, "__module__", "")).startswith("reader.")]
print(json.dumps({"installed": whoosh_speedups.installed(), "patched": sorted(set(patched)),
                  "segments": len(index.ix._segments()), "found": found,
                  "words": {field: index.lexicon.words(field).ordered
                            for field in ("title", "body")}}))
"""

QUERIES = ["minister", "ministers talks", '"trade deal"', "title:madrid", "section:world",
           "cafe", "résumés", "minist*", "talkz~", "markets -madrid", "china OR japan",
           "date:2025-03", "revised paragraph", "w7 w12", "naive"]


def _both_ways_corpus(root) -> None:
    import random

    rng = random.Random(5)
    vocabulary = ["minister", "ministers", "talks", "trade", "deal", "Madrid", "Café",
                  "résumés", "markets", "China", "Japan", "naïve", "the", "of", "U.S.",
                  "e-mail", "3.5%", *(f"w{i}" for i in range(60))]
    for n in range(130):
        words = rng.choices(vocabulary, weights=[1 / (i + 1) ** 0.7 for i in range(77)],
                            k=rng.randint(5, 90))
        section = ("world/", "business/", "")[n % 3]
        name = f"{section}{'ab'[n % 2]}{n:03}.txt"
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(
            f"Title: {' '.join(words[:4]).title()}\nDate: 2025-0{1 + n % 5}-1{n % 9}\n\n"
            + " ".join(words) + ".\n\n" + " ".join(reversed(words)) + ".\n")


def _built(corpus_files, tmp_path, name: str, stock: bool) -> dict:
    import json
    import os
    import shutil
    import subprocess
    import sys

    corpus = tmp_path / f"corpus-{name}"
    shutil.copytree(corpus_files, corpus)
    env = {key: value for key, value in os.environ.items() if key != "READER_STOCK_WHOOSH"}
    if stock:
        env["READER_STOCK_WHOOSH"] = "1"
    out = subprocess.run([sys.executable, "-c", BOTH_WAYS, str(corpus), str(tmp_path / name),
                          json.dumps(QUERIES)], env=env, capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr[-3000:]
    return json.loads(out.stdout.splitlines()[-1])


def test_whoosh_as_it_comes_patches_nothing_and_finds_the_same(tmp_path):
    corpus = tmp_path / "corpus"
    _both_ways_corpus(corpus)
    fast = _built(corpus, tmp_path, "fast", stock=False)
    stock = _built(corpus, tmp_path, "stock", stock=True)
    assert stock["installed"] is False and stock["patched"] == []
    assert fast["installed"] is True and fast["patched"] == [
        "whoosh.codec.whoosh3.W3FieldWriter.add_postings",
        "whoosh.codec.whoosh3.W3PerDocReader._cached_reader",
        "whoosh.codec.whoosh3.W3PerDocReader.doc_field_length",
        "whoosh.writing.PostingPool",
    ]
    assert fast["segments"] >= 2 and stock["segments"] >= 2  # two processes' at least
    for text in [*QUERIES, "related"]:
        assert fast["found"][text] == stock["found"][text], text
    # Each kind of query found something, in an order that the scores decide.
    assert all(fast["found"][text] for text in QUERIES)
    assert len({hit[1] for hit in fast["found"]["ministers talks"]}) > 5
    assert fast["words"] == stock["words"] and "résumés" in fast["words"]["body"]


def test_importing_reader_changes_nothing_of_whooshs_until_an_index_is_made(sample_corpus):
    import os
    import subprocess
    import sys

    script = (
        "import sys, pkgutil, importlib\n"
        "import reader.core\n"
        "for module in pkgutil.iter_modules(reader.core.__path__):\n"
        "    importlib.import_module(f'reader.core.{module.name}')\n"
        "import reader.cli\n"
        "from whoosh import writing\n"
        "from reader.core import whoosh_speedups\n"
        "from reader.core.index import CorpusIndex\n"
        "print(whoosh_speedups.installed(), writing.PostingPool.__module__)\n"
        "CorpusIndex(sys.argv[1])\n"
        "print(whoosh_speedups.installed(), writing.PostingPool.__module__)\n"
    )
    env = {key: value for key, value in os.environ.items() if key != "READER_STOCK_WHOOSH"}
    out = subprocess.run([sys.executable, "-c", script, str(sample_corpus)], env=env,
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split("\n")[:2] == ["False whoosh.writing",
                                          "True reader.core.whoosh_speedups"]
