"""HTML to readable article text, and a page's headline and main text."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from feeds_support import PAGES, page

from reader.core.extract import clean_url, extract_page, headline_of, html_to_text, one_line

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from bench.check_extraction import recall  # noqa: E402


def test_paragraphs_lists_links_and_no_markup():
    html = ("<p>Hello &amp; welcome,<br/>second line</p>"
            "<ul><li>one <a href='/a?utm_source=x&amp;id=3'>link</a><ul><li>nested</li></ul></li>"
            "<li>two</li></ul><ol><li>first</li><li>second</li></ol>"
            "<blockquote><p>quoted</p></blockquote><h2>Heading</h2>"
            "<table><tr><th>A</th><th>B</th></tr><tr><td>1</td><td></td></tr></table>"
            "<script>alert(1)</script><style>p{}</style><img src=x alt=pic>"
            "<p>Same <a href='/a?id=3'>target</a> again, "
            "<a href='https://example.org/'>https://example.org/</a> bare, "
            "<a href='javascript:alert(1)'>script</a> gone.</p>")
    assert html_to_text(html, "https://news.example/dir/") == (
        "Hello & welcome,\nsecond line\n\n"
        "- one link[1]\n  - nested\n- two\n\n"
        "1. first\n2. second\n\n"
        "> quoted\n\n"
        "Heading\n\n"
        "A | B\n1 |\n\n"
        "Same target[1] again, https://example.org/ bare, script gone.\n\n"
        "Links:\n[1] https://news.example/a?id=3")


def test_tracking_junk_is_left_out():
    html = ('<p>Story text.</p><img src="https://t.example/p.gif" width="1" height="1">'
            '<div class="feedflare"><a href="http://feeds.feedburner.com/~ff/x">Share</a></div>'
            '<p>The post <a href="https://b.example/x">Story</a> appeared first on '
            '<a href="https://b.example">Blog</a>.</p>'
            '<p><a href="http://feeds.feedburner.com/~r/x">Continue</a> reading</p>')
    assert html_to_text(html) == "Story text.\n\nContinue reading"


def test_plain_text_and_hostile_fragments():
    assert html_to_text("Just text\n\n\n\nwith   gaps ") == "Just text\n\nwith   gaps"
    assert html_to_text("") == ""
    assert html_to_text("<p>\x1b[31mred\x1b[0m \u202eevil</p>") == "red evil"
    deep = "<div>" * 3000 + "deep" + "</div>" * 3000
    assert "deep" in html_to_text(deep) or html_to_text(deep) == ""  # no crash
    assert one_line("A &amp; <b>B</b>\n[1]", html=True) == "A & B [1]"
    assert one_line("Use <div> & co\n") == "Use <div> & co"


def test_clean_url_keeps_what_matters():
    assert clean_url("https://x.example/a?utm_source=rss&id=7&fbclid=z") == \
        "https://x.example/a?id=7"
    assert clean_url("https://x.example/a") == "https://x.example/a"


@pytest.mark.parametrize("name", sorted(p.stem for p in PAGES.glob("*.html")))
def test_a_news_pages_article_without_its_surroundings(name):
    headline, _, text = (PAGES / f"{name}.expected.txt").read_text("utf-8").partition("\n")
    data = page(f"{name}.html")
    html = data.decode("iso-8859-1" if name == "chuva" else "utf-8")
    extracted = extract_page(html, f"https://news.example/{name}")
    assert extracted is not None
    assert extracted.title == headline
    assert recall(text, extracted.text) == 1.0
    for junk in ("cookies", "Most read", "Leave a Reply", "Sign up", "Veja também",
                 "All rights reserved", "Advertise with us"):
        assert junk not in extracted.text, junk


def test_headline_without_metadata_is_the_title_less_the_site():
    assert headline_of("<title>Summit ends with a deal on climate finance | World | Global "
                       "Times</title>") == "Summit ends with a deal on climate finance"
    assert headline_of("<title>Rain – The Planet</title><h1>Rain floods city</h1>") == \
        "Rain floods city"
    assert headline_of('<meta property="og:title" content="From og &amp; co">') == \
        "From og & co"
