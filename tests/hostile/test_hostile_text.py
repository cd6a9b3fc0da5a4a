"""Hostile text: escape sequences, controls, bidi, markup and monsters in articles and names.

Everything is indexed and shown as inert text: no byte of an escape sequence from a file
(or a file's name) ever reaches the terminal through ``reader search`` or ``reader index``.
"""

from __future__ import annotations

import json
import os
import re
import time
from pathlib import Path

import pytest
from hostile_support import (
    assert_no_controls,
    assert_only_rich_styles,
    color_env,
    plain_env,
    run_reader,
)
from hypothesis import given, settings
from hypothesis import strategies as st

from reader.core.articles import MAX_TITLE_CHARS, SkipFile, parse_article
from reader.core.index import CorpusIndex
from reader.core.search import Searcher

ESC = "\x1b"
LONG_TITLE = "zebra longtitle " + "word " * 20_000  # a 100,000-character first line

#: file name -> text; every article holds "zebra" and its own marker word.
HOSTILE = {
    "csi.txt": f"{ESC}[31mRed{ESC}[0m csimarker {ESC}[2J{ESC}[H{ESC}[?1049h zebra\n"
               f"Body {ESC}[1;1H{ESC}[K moved {ESC}[6n asked zebra.\n",
    "osc8.txt": f"{ESC}]8;;https://evil.example/{ESC}\\Click{ESC}]8;;{ESC}\\ oscmarker zebra\n"
                f"And {ESC}]8;;file:///etc/passwd\x07here\x07{ESC}]8;;\x07 zebra\n",
    "osc52.txt": f"Clipboard clipmarker zebra\n{ESC}]52;c;cm0gLXJmIH4=\x07 pasted {ESC}]52;p;?\x07\n"
                 f"{ESC}]0;window title\x07 zebra {ESC}P1$qm{ESC}\\ dcs\n",
    "bell.txt": "Bell\x07 bellmarker\x07\x07 zebra\nback\x08\x08\x08spaced zebra\r\nover\rwritten\n",
    "c1.txt": "Eight-bit \x9b31m c1marker \x9d0;t\x9c zebra\n\x85next \x90dcs\x9c zebra\n",
    "bidi.txt": "Bidi \u202etxt.exe\u202c bidimarker \u2066iso\u2069 zebra\n"
                "zero\u200bwidth\u200d joiner\u2060 \ufeff bom \u00adsoft zebra\n",
    "markup.txt": "[bold]Markup[/bold] markupmarker [link=https://evil.example]zebra[/link]\n"
                  "Unbalanced [/] and [/bold] and [red on blue] zebra [\n",
    "long.txt": LONG_TITLE + "\nThe body after a very long title.\n",
    "nul.txt": "Null\x00 nulmarker\x00 zebra\nbody\x00with\x00nulls zebra\n",
    "tags.txt": f"Title: {ESC}]0;pwn\x07Header headermarker zebra\nAuthor: {ESC}[31mMallory\n"
                f"Tags: a{ESC}[2J, b\n\nBody zebra\n",
}
#: Each article also has a paragraph of ordinary prose, as a real one would (a file that is
#: mostly control bytes is binary, see test_control_soup_is_skipped_as_binary).
PROSE = "\n\nOrdinary words of an ordinary news story follow the hostile part here. " * 2
HOSTILE = {name: text + PROSE for name, text in HOSTILE.items()}
#: Hostile file and folder names (each a small valid article).
NAMES = {
    f"name{ESC}[2Jclear.txt": "Escname escnamemarker zebra\n",
    "name\nnewline.txt": "Newline newlinemarker zebra\n",
    "name\x07bell.txt": "Bellname bellnamemarker zebra\n",
    "name\x9b31mc1.txt": "Cname cnamemarker zebra\n",
    "name\u202eevil.txt": "Bidiname bidinamemarker zebra\n",
    f"sec{ESC}]0;pwned\x07tion/in-section.txt": "Section sectionmarker zebra\n",
}


@pytest.fixture
def hostile_corpus(write_corpus) -> Path:
    return write_corpus({**HOSTILE, **NAMES})


def _index_dir(corpus: Path) -> Path:
    return corpus.parent / "index"


def _controls(text: str) -> list[str]:
    return re.findall(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]",
                      text)


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_parsed_articles_are_inert(name):
    article = parse_article(HOSTILE[name].encode("utf-8"), name)
    for part in (article.title, article.body, article.author, " ".join(article.tags)):
        assert not _controls(part), (name, part[:200])
    assert "zebra" in article.title + article.body
    assert len(article.title) <= MAX_TITLE_CHARS


def test_control_soup_is_skipped_as_binary(write_corpus):
    corpus = write_corpus({"soup.txt": "\x07\x08\x1b[2J" * 50, "fine.txt": "Fine\n"})
    result = run_reader("index", "--corpus", str(corpus), "--index-dir", str(_index_dir(corpus)))
    assert result.returncode == 0
    assert b"skipped  soup.txt: binary file (not text)" in result.stdout
    assert b"1 added" in result.stdout
    assert_no_controls(result.stdout + result.stderr)


def test_visible_words_survive_cleaning():
    assert parse_article(HOSTILE["csi.txt"].encode()).title == "Red csimarker zebra"
    assert parse_article(HOSTILE["osc8.txt"].encode()).title == "Click oscmarker zebra"
    assert parse_article(HOSTILE["markup.txt"].encode()).title.startswith("[bold]Markup[/bold]")
    long = parse_article(HOSTILE["long.txt"].encode())
    assert long.title.startswith("zebra longtitle word") and long.title.endswith("…")
    assert "word " * 100 in long.body  # the whole first line stays searchable


def test_stored_fields_are_inert(hostile_corpus):
    index = CorpusIndex(hostile_corpus, _index_dir(hostile_corpus)).open()
    report = index.update()
    assert not report.skipped
    assert len(report.added) == len(HOSTILE) + len(NAMES)
    with index.ix.searcher() as searcher:
        for fields in searcher.all_stored_fields():
            for key in ("title", "author", "source", "tags"):
                assert not _controls(str(fields.get(key, ""))), (key, fields["path"])
    results = Searcher(index).search("longtitle")
    assert [hit.path for hit in results.hits] == ["long.txt"]


def test_search_output_holds_no_escape_bytes(hostile_corpus):
    corpus, ix = str(hostile_corpus), str(_index_dir(hostile_corpus))
    indexed = run_reader("index", "--corpus", corpus, "--index-dir", ix, "--verbose")
    assert indexed.returncode == 0, indexed.stderr
    assert_no_controls(indexed.stdout + indexed.stderr, "reader index")
    assert b"name\\x1b[2Jclear.txt" in indexed.stdout  # the name is shown, escaped

    plain = run_reader("search", "zebra", "--limit", "0", "--corpus", corpus, "--index-dir", ix)
    assert plain.returncode == 0, plain.stderr
    assert_no_controls(plain.stdout + plain.stderr, "reader search")
    text = plain.stdout.decode("utf-8")
    for marker in ("csimarker", "oscmarker", "clipmarker", "bellmarker", "c1marker",
                   "bidimarker", "markupmarker", "longtitle", "nulmarker", "headermarker",
                   "escnamemarker", "newlinemarker", "sectionmarker"):
        assert marker in text, marker
    assert "[bold]Markup[/bold]" in text  # Rich markup is shown, never interpreted
    assert "[link=https://evil.example]" in text
    assert "\u202e" not in text and "\u2066" not in text

    lines = run_reader("search", "zebra", "--json", "--limit", "0", "--corpus", corpus,
                       "--index-dir", ix)
    assert lines.returncode == 0, lines.stderr
    assert_no_controls(lines.stdout + lines.stderr, "reader search --json")
    hits = [json.loads(line) for line in lines.stdout.decode("utf-8").splitlines()]
    assert {hit["path"] for hit in hits} == set(HOSTILE) | set(NAMES)  # names round-trip
    for hit in hits:
        assert not _controls(hit["title"] + hit["snippet"]), hit


def test_forced_colour_output_holds_only_richs_own_styles(hostile_corpus):
    corpus, ix = str(hostile_corpus), str(_index_dir(hostile_corpus))
    env = color_env()
    indexed = run_reader("index", "--corpus", corpus, "--index-dir", ix, "-v", env=env)
    assert indexed.returncode == 0
    assert_only_rich_styles(indexed.stdout + indexed.stderr)
    result = run_reader("search", "zebra", "--limit", "0", "--corpus", corpus, "--index-dir", ix,
                        env=env)
    assert result.returncode == 0, result.stderr
    out = result.stdout + result.stderr
    assert b"\x1b[1" in out  # Rich did style the output: the check below means something
    assert_only_rich_styles(out)
    for sequence in (b"\x1b]", b"\x1b[2J", b"\x1b[H", b"\x1bP", b"\x1b[?1049h", b"\x1b[6n"):
        assert sequence not in out


def test_hostile_queries_are_echoed_inert(hostile_corpus):
    corpus, ix = str(hostile_corpus), str(_index_dir(hostile_corpus))
    for query in (f"{ESC}]52;c;cm0=\x07", f"nothing{ESC}[2J", "\x9b31m\x08\x07", "zebrq\x1b[2J"):
        result = run_reader("search", query, "--corpus", corpus, "--index-dir", ix)
        assert result.returncode in (1, 2), result
        assert result.stderr.startswith(b"reader: ")
        assert_no_controls(result.stdout + result.stderr, f"search {query!r}")


def test_hundred_thousand_character_title_is_fast(hostile_corpus):
    corpus, ix = str(hostile_corpus), str(_index_dir(hostile_corpus))
    run_reader("index", "--corpus", corpus, "--index-dir", ix)
    started = time.monotonic()
    result = run_reader("search", "longtitle", "--json", "--corpus", corpus, "--index-dir", ix)
    assert time.monotonic() - started < 10
    hit = json.loads(result.stdout)
    assert hit["path"] == "long.txt" and len(hit["title"]) <= MAX_TITLE_CHARS


def test_names_that_look_like_options(write_corpus):
    corpus = write_corpus({"-rf.txt": "Dash dashmarker\n", "--rebuild.txt": "Opt optmarker\n"})
    ix = str(corpus.parent / "index")
    assert run_reader("index", "--corpus", str(corpus), "--index-dir", ix).returncode == 0
    result = run_reader("search", "optmarker OR dashmarker", "--json", "--corpus", str(corpus),
                        "--index-dir", ix)
    assert {json.loads(line)["path"] for line in result.stdout.splitlines()} == {
        "-rf.txt", "--rebuild.txt"}
    # A query that starts with a dash is a query once separated by "--".
    dashed = run_reader("search", "--corpus", str(corpus), "--index-dir", ix, "--", "-x")
    assert dashed.returncode in (1, 2)
    assert os.path.exists(corpus / "-rf.txt")


def test_a_terminal_that_is_not_utf8(write_corpus):
    corpus = write_corpus({"cafe.txt": "Café société 日本 asciimarker\nNaïve — “quoted” body\n",
                           "名前.txt": "Named asciimarker\n"})
    ix = str(corpus.parent / "index")
    for encoding in ("ascii", "latin-1"):
        env = plain_env(PYTHONIOENCODING=encoding)
        plain = run_reader("search", "asciimarker", "--corpus", str(corpus), "--index-dir", ix,
                           env=env)
        assert plain.returncode == 0, plain.stderr
        assert b"Caf" in plain.stdout
        lines = run_reader("search", "asciimarker", "--json", "--corpus", str(corpus),
                           "--index-dir", ix, env=env)
        assert lines.returncode == 0, lines.stderr
        hits = {json.loads(line)["path"]: json.loads(line) for line in lines.stdout.splitlines()}
        assert hits["cafe.txt"]["title"] == "Café société 日本 asciimarker"  # escaped, not lost
        assert "名前.txt" in hits
        missing = run_reader("search", "société日本zz", "--corpus", str(corpus), "--index-dir",
                             ix, env=env)
        assert missing.returncode == 1 and missing.stderr.count(b"\n") == 1


_PIECES = st.sampled_from([
    "\x1b", "\x1b[", "\x1b]", "\x1b\\", "\x07", "\x08", "\x9b", "\x9d", "\x9c", "\x90", "\x00",
    "\r", "\n", "\t", "\u202e", "\u2066", "\u200b", "\ufeff", "[bold]", "[/]", "[link=x]",
    "31m", "8;;http://x", "52;c;", "2J", ";", "?1049h", "Title: ", "Date: ", " ", "word",
    "é", "日本", "\ud800", "\U0001f600",
])


@settings(max_examples=300, deadline=None)
@given(st.one_of(
    st.binary(max_size=3000),
    st.lists(_PIECES, max_size=80).map("".join).map(lambda t: t.encode("utf-8", "surrogatepass")),
    st.text(st.characters(exclude_categories=()), max_size=300).map(
        lambda t: t.encode("utf-8", "surrogatepass")),
))
def test_any_bytes_parse_to_inert_text_or_a_skip(data):
    try:
        article = parse_article(data, "any.txt")
    except SkipFile as exc:
        assert str(exc)
        return
    assert article.title.strip()
    assert not _controls(article.title), article.title
    assert not _controls(article.body.replace("\n", "")), article.body
    assert not re.search("[\ud800-\udfff]", article.title + article.body)
