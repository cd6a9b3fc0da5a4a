"""Export: articles, lists and search results as Markdown or JSON lines, to new files."""

from __future__ import annotations

import json
import os
from datetime import datetime

import pytest
from markdown_it import MarkdownIt

from reader.core.articles import parse_article
from reader.core.export import (
    export_articles,
    export_name,
    record_of_article,
    record_of_hit,
    write_export,
)
from reader.core.index import CorpusIndex
from reader.core.search import Searcher

WIRE = (b"Title: COMPUTER TERMINAL <CPML> COMPLETES SALE\nDate: 1987-02-26T15:18:06Z\n"
        b"URL: https://example.com/wire/1\nTags: Acquisitions, wire\n\n"
        b"Computer Terminal Systems Inc said\n"
        b"it has completed the sale of 200,000 shares of its common\n"
        b"stock to <Sedio N.V.> of Lugano, Switzerland for 50,000 dlrs.\n"
        b"    The company said the warrants are exercisable for five\n"
        b"years at a purchase price of .125 dlrs per share [sic].\n"
        b"    Shr 22 cts vs 15 cts\n"
        b"    Net 1,234,000 vs 987,000\n"
        b" Reuter\n")

POST = (b"Re: the new telescope\n"
        b"someone@example.edu (Some One) writes:\n\n"
        b">I have been reading about the new telescope and I wonder whether the\n"
        b">mirror can be made light enough to launch on a single rocket, given\n"
        b">what the last mission weighed.\n\n"
        b"It can, if the segments fold.  The design they published last week\n"
        b"folds eighteen segments into a package that fits the fairing.\n\n"
        b"Quarter      Launches    Failures\n"
        b"First              12           1\n\n"
        b"--\n"
        b"Jo Bloggs                                  jo@example.org\n")


def html(markdown: str) -> str:
    return MarkdownIt("commonmark").render(markdown)


def test_json_lines_carry_the_fields_reader_search_json_prints():
    wire = parse_article(WIRE, "business/wire.txt")
    records = [record_of_article(wire, own_tags=["to-read", "WIRE"], score=2.34567,
                                 snippet="the sale"),
               record_of_article(parse_article(POST, "usenet/post.txt"))]
    lines = export_articles(records, "json").splitlines()
    assert len(lines) == 2
    first, second = (json.loads(line) for line in lines)
    assert list(first) == ["path", "title", "score", "snippet", "date", "section", "url", "tags"]
    assert first == {"path": "business/wire.txt",
                     "title": "COMPUTER TERMINAL <CPML> COMPLETES SALE", "score": 2.3457,
                     "snippet": "the sale", "date": "1987-02-26T15:18:06Z",
                     "section": "business", "url": "https://example.com/wire/1",
                     "tags": ["Acquisitions", "wire", "to-read"]}  # the file's, then one's own
    assert second["score"] is None and second["url"] == "" and second["tags"] == []


def test_a_whole_article_as_json_holds_its_text():
    article = parse_article(WIRE, "business/wire.txt")
    exported = json.loads(export_articles([record_of_article(article, whole=True)], "json"))
    assert exported["body"] == article.body and exported["source"] == ""
    assert exported["path"] == "business/wire.txt"


def test_an_article_as_markdown_reads_as_paragraphs_and_loses_no_text():
    article = parse_article(WIRE, "business/wire.txt")
    markdown = export_articles([record_of_article(article, own_tags=["to-read"], whole=True)],
                               "markdown")
    assert markdown.startswith("# COMPUTER TERMINAL \\<CPML> COMPLETES SALE\n\n"
                               "- Date: 1987-02-26 15:18\n- Section: business\n"
                               "- URL: <https://example.com/wire/1>\n"
                               "- Tags: Acquisitions, wire, to-read\n- File: `business/wire.txt`\n")
    rendered = html(markdown)
    assert "<h1>COMPUTER TERMINAL &lt;CPML&gt; COMPLETES SALE</h1>" in rendered
    assert ("<p>Computer Terminal Systems Inc said it has completed the sale of 200,000 shares"
            " of its common stock to &lt;Sedio N.V.&gt; of Lugano, Switzerland for 50,000 dlrs."
            "</p>") in rendered  # one paragraph, and the ticker is text, not an HTML tag
    assert "purchase price of .125 dlrs per share [sic].</p>" in rendered
    assert '<a href="https://example.com/wire/1">' in rendered
    # Short lines of a table stay lines (a hard break each), not one run-on paragraph.
    assert "Shr 22 cts vs 15 cts<br />\nNet 1,234,000 vs 987,000" in rendered


def test_quotes_columns_and_signatures_in_markdown():
    markdown = export_articles([record_of_article(parse_article(POST, "post.txt"),
                                                  whole=True)], "markdown")
    rendered = html(markdown)
    assert ("<blockquote>\n<p>I have been reading about the new telescope and I wonder whether"
            " the mirror can be made light enough to launch on a single rocket, given what the"
            " last mission weighed.</p>\n</blockquote>") in rendered
    assert ("<pre><code class=\"language-text\">Quarter      Launches    Failures\n"
            "First              12           1\n</code></pre>") in rendered
    assert "Jo Bloggs                                  jo@example.org" in rendered


def test_search_results_as_a_markdown_list_and_as_json(write_corpus, tmp_path):
    corpus = write_corpus({"business/wire.txt": WIRE.decode(), "usenet/post.txt": POST.decode(),
                           "other.txt": "Nothing here\n\nAbout cats.\n"})
    index = CorpusIndex(corpus, tmp_path / "index").open()
    index.update()
    searcher = Searcher(index)
    results = searcher.search("sale OR telescope")
    searcher.add_snippets(results.hits, results.terms)
    article = parse_article(WIRE, "business/wire.txt")
    records = [record_of_hit(hit, own_tags=["kept"] if hit.path == "usenet/post.txt" else (),
                             article=article if hit.path == "business/wire.txt" else None)
               for hit in results.hits]
    markdown = export_articles(records, "markdown", heading="Search: sale OR telescope")
    rendered = html(markdown)
    assert "<h1>Search: sale OR telescope</h1>" in rendered
    assert rendered.count("<li>") == 2
    assert '<strong><a href="https://example.com/wire/1">COMPUTER TERMINAL' in rendered
    assert "score " in markdown and "`usenet/post.txt`" in markdown
    lines = [json.loads(line) for line in export_articles(records, "json").splitlines()]
    assert {line["path"] for line in lines} == {"business/wire.txt", "usenet/post.txt"}
    assert all(line["score"] > 0 and line["snippet"] for line in lines)
    post = next(line for line in lines if line["path"] == "usenet/post.txt")
    assert post["tags"] == ["kept"] and post["section"] == "usenet"


def test_an_export_goes_to_a_new_file_and_never_over_one(tmp_path):
    (tmp_path / "reader-x.md").write_text("the user's own file")
    first = write_export(tmp_path, "reader-x.md", "# One\n")
    second = write_export(tmp_path, "reader-x.md", "# Two\n")
    assert (first.name, second.name) == ("reader-x-2.md", "reader-x-3.md")
    assert (tmp_path / "reader-x.md").read_text() == "the user's own file"
    assert first.read_text() == "# One\n" and second.read_text() == "# Two\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "reader-x-2.md", "reader-x-3.md", "reader-x.md"]  # no temporary file left


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_an_export_to_a_folder_that_cannot_be_written_raises_and_leaves_nothing(tmp_path):
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        with pytest.raises(OSError):
            write_export(folder, "reader-x.md", "text")
        assert list(folder.iterdir()) == []
    finally:
        folder.chmod(0o700)


def test_an_export_to_a_missing_folder_raises(tmp_path):
    with pytest.raises(OSError):
        write_export(tmp_path / "missing", "reader-x.md", "text")


def test_export_names_are_safe_file_names():
    when = datetime(2025, 9, 15)
    assert export_name("Search: china/tiktok -deal", "md", when) == \
        "reader-search-china-tiktok-deal-2025-09-15.md"
    assert export_name("../..", "jsonl", when) == "reader-export-2025-09-15.jsonl"
    assert export_name("Ünïcode Welt", "md", when) == "reader-ünïcode-welt-2025-09-15.md"


def test_an_unknown_format_is_refused():
    with pytest.raises(ValueError, match="markdown or json"):
        export_articles([], "pdf")


def test_a_list_of_whole_articles_gives_each_in_full():
    records = [record_of_article(parse_article(WIRE, "business/wire.txt"), whole=True),
               record_of_article(parse_article(POST, "usenet/post.txt"), whole=True)]
    rendered = html(export_articles(records, "markdown", heading="business and usenet"))
    assert rendered.startswith("<h1>business and usenet</h1>\n<h2>COMPUTER TERMINAL")
    assert "<h2>Re: the new telescope</h2>" in rendered
    assert "It can, if the segments fold." in rendered and "Lugano, Switzerland" in rendered
