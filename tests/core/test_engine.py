"""The faster Whoosh parts (reader.core.engine) give what Whoosh gives, byte for byte."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from whoosh import index as whoosh_index
from whoosh.analysis import StemmingAnalyzer
from whoosh.codec import whoosh3
from whoosh.fields import TEXT, Schema

from reader.core.engine import StemmedText
from reader.core.index import CorpusIndex, make_schema

ENGLISH = (
    "The ministers were meeting in Madrid. Meetings of the ministers, said the minister, "
    "are what the meeting was for: U.S. talks, 3.5% growth, e-mail, naïve résumés, "
    "ISTANBUL and İstanbul, STRASSE and Straße, ΣΊΣΥΦΟΣ, ½ and ٣٤, __init__ a.b.c. "
    "It is, as it was, a an the of to be or not to be; running runs ran runner."
)

words = st.sampled_from([
    "the", "a", "The", "of", "to", "minister", "Ministers", "meeting", "meetings", "U.S.",
    "3.14", "e-mail", "naïve", "İstanbul", "Straße", "x", "I", "it's", "running", "ran",
    "ﬁnance", "ǅemal", "⅓", "_", "..", "a.b", "(note)", "—", "\n\n",
])
texts = st.one_of(
    st.text(max_size=200),
    st.lists(words, max_size=60).map(" ".join),
    st.lists(st.one_of(words, st.text(max_size=6)), max_size=40).map("".join),
)


def whoosh_text(boost: float = 1.0) -> TEXT:
    return TEXT(analyzer=StemmingAnalyzer(), phrase=True, field_boost=boost)


def postings(field, value) -> list:
    return [(term, count, weight, type(weight), encoded)
            for term, count, weight, encoded in field.index(value)]


def test_an_english_text_gives_whooshs_postings():
    for boost in (1.0, 3.0):
        assert postings(StemmedText(field_boost=boost), ENGLISH) == postings(
            whoosh_text(boost), ENGLISH)
    # Stop words before the first word kept: that word keeps its place, the next follow it.
    assert postings(StemmedText(), "the of a minister to the meeting") == postings(
        whoosh_text(), "the of a minister to the meeting")
    assert list(StemmedText().index("the of a to")) == []


@settings(max_examples=400, deadline=None)
@given(texts, st.sampled_from([1.0, 3.0]))
def test_any_text_gives_whooshs_postings(text, boost):
    assert postings(StemmedText(field_boost=boost), text) == postings(whoosh_text(boost), text)


def test_an_index_of_stemmed_text_finds_phrases_and_scores_as_whoosh(tmp_path):
    docs = [ENGLISH, "Ministers meet in Madrid.", "The meeting in Madrid was short.",
            "Nothing to see here."]
    scores = {}
    for name, field in (("ours", StemmedText()), ("whoosh", whoosh_text())):
        folder = tmp_path / name
        folder.mkdir()
        ix = whoosh_index.create_in(str(folder), Schema(body=field))
        with ix.writer() as writer:
            for text in docs:
                writer.add_document(body=text)
        with ix.searcher() as searcher:
            from whoosh.qparser import QueryParser

            parser = QueryParser("body", ix.schema)
            found = {}
            for q in ('"meeting in madrid"', "ministers", "meet AND madrid", "running"):
                found[q] = [(hit.docnum, round(hit.score, 9))
                            for hit in searcher.search(parser.parse(q))]
            scores[name] = found
    assert scores["ours"] == scores["whoosh"]
    # "in" is a stop word: the phrase is "meet madrid", next to each other once stops are gone.
    assert sorted(doc for doc, _ in scores["ours"]['"meeting in madrid"']) == [0, 1, 2]
    assert all(scores["ours"].values())  # each query finds something: the check can fail


def test_field_lengths_read_once_are_the_lengths_whoosh_reads(write_corpus, tmp_path):
    files = {f"n{i}.txt": f"Title {i}\n\n" + "word " * (i * 37 % 300) + "end\n"
             for i in range(40)}
    files["empty.txt"] = "Only a title\n"
    root = write_corpus(files)
    index = CorpusIndex(root, tmp_path / "ix").open()
    index.update()
    fields = [*make_schema().names(), "no_such_field"]
    original = whoosh3.W3PerDocReader.doc_field_length.original
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
    from reader.core import engine

    text = " ".join(f"w{i}" for i in range(engine.SINGLE_CACHED + 500))
    assert postings(StemmedText(), text) == postings(whoosh_text(), text)
    assert max(engine._single) < engine.SINGLE_CACHED
