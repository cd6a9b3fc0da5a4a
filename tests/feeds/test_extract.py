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


def _article_page(head: str, body_top: str, paragraphs: int = 6) -> str:
    """A news page: metadata in the head, a headline area, then an article long enough for
    trafilatura to call it one."""
    text = "".join(f"<p>Paragraph {n} of the report says the council met again on Tuesday and "
                   "argued about the budget for the harbour until late in the evening.</p>"
                   for n in range(paragraphs))
    return (f"<!DOCTYPE html><html><head><meta charset='utf-8'>{head}</head><body>"
            f"<header><h1 class='site-logo'><a href='/'>The Harbour Gazette</a></h1>"
            f"<nav><a href='/'>Home</a> <a href='/news'>News</a></nav></header>"
            f"<main><article>{body_top}{text}</article></main>"
            "<footer>© 2025 The Harbour Gazette</footer></body></html>")


def test_the_headline_is_the_one_the_page_shows_not_its_social_title():
    # bbc.com, usatoday.com, nbcnews.com: og:title is a shorter "social" wording; a reader
    # sees the h1 (the <title> agrees with it).
    html = _article_page(
        "<title>Julian Assange: Sweden drops rape investigation - BBC News</title>"
        "<meta property='og:title' content='Sweden drops Assange rape investigation'>"
        "<meta property='og:site_name' content='BBC News'>",
        "<h1>Julian Assange: Sweden drops rape investigation</h1>")
    page = extract_page(html, "http://127.0.0.1:8000/news-50473792")
    assert page is not None and page.title == "Julian Assange: Sweden drops rape investigation"


def test_a_kicker_or_a_date_in_the_h1_is_not_the_headline():
    # German news sites put a kicker ("Tunesien") or a date inside the h1, in its own element.
    html = _article_page(
        "<title>Große Aufgaben für die neue Regierung | Stiftung</title>"
        "<meta property='og:title' content='Große Aufgaben für die neue Regierung'>",
        "<h1 itemprop='headline'><small>Tunesien</small><br> Große Aufgaben für die neue "
        "Regierung </h1>")
    page = extract_page(html, "https://www.example.de/news/detail/aufgaben")
    assert page is not None and page.title == "Große Aufgaben für die neue Regierung"
    dated = _article_page(
        "<title>Wierer darf beim Abschluss noch jubeln</title>",
        "<h1><span class='news-date'>23.01.2022 - </span>Wierer darf beim Abschluss noch "
        "jubeln</h1>")
    page = extract_page(dated, "https://www.example.it/newsroom/wierer")
    assert page is not None and page.title == "Wierer darf beim Abschluss noch jubeln"


def test_a_second_line_after_a_colon_stays_in_the_headline():
    # Only the site's name leaves a title: "A – B | Site" keeps "A – B" (it was cut to its
    # longest part, "Deniz Yücels Bericht ...").
    html = _article_page(
        "<title>Die Minze als Mutmacher – Deniz Yücels Bericht aus dem Knast | Zeitung</title>"
        "<meta property='og:site_name' content='Zeitung'>", "<h2>Bericht</h2>")
    page = extract_page(html, "https://www.zeitung.example/minze")
    assert page is not None
    assert page.title == "Die Minze als Mutmacher – Deniz Yücels Bericht aus dem Knast"
    assert headline_of("<title>Bubonic plague: third case – ‘It is coming’ | Science | News | "
                       "Express.co.uk</title>", url="https://www.express.co.uk/news/science/1"
                       ) == "Bubonic plague: third case – ‘It is coming’"
    assert headline_of("<title>der Schreibstil - chadim.net - Webdesign</title>") == \
        "der Schreibstil"  # a page served from anywhere names its site by its address
    assert headline_of("<title>Reviews are in — and they're not great - Digg</title>"
                       "<meta property='og:site_name' content='Digg'>") == \
        "Reviews are in — and they're not great"  # the dash as the page has it


def test_the_sites_name_in_an_h1_or_a_menus_h1_is_not_the_headline():
    # A blog's name in an h1 linking home; a page whose h1s are menus, one of them trafilatura
    # takes for the title when the page has no metadata; the headline is the h1 its <title>
    # names.
    html = ("<html><head><title>Norddeutschland findet seine Meister - Berliner Verband e.V."
            "</title></head><body><h1>Quicklink</h1><h1>Navigation</h1>"
            "<h1 class='ce_headline first'>Pressemitteilungen</h1>"
            "<h1>Norddeutschland findet seine Meister</h1>"
            + "<p>Die Meisterschaften fanden am Wochenende in Berlin statt, mit vielen "
              "Teilnehmern aus allen Vereinen des Nordens und sehr guten Leistungen.</p>" * 5
            + "<h1 class='ce_headline'>Sponsoren und Partner</h1></body></html>")
    page = extract_page(html, "http://127.0.0.1:8000/pressemitteilungen_reader/meister.html")
    assert page is not None and page.title == "Norddeutschland findet seine Meister"
    assert headline_of("<title>Kleine Schafskunde | Mäscot das Schaf – Webcomic</title>"
                       "<h1 id='site-title'><a href='http://www.maescot.example/' rel='home'>"
                       "Mäscot das Schaf – Webcomic</a></h1>"
                       "<h1 class='entry-title'>Kleine Schafskunde</h1>") == "Kleine Schafskunde"


def test_a_page_with_two_og_titles_is_named_by_the_first():
    # The CMS names the page first and its section second; trafilatura keeps the second.
    html = _article_page(
        "<title>Reparaturcafé am 31. Januar: Stadt Ahlen</title>"
        "<meta property='og:title' content='Reparaturcafé am 31. Januar'>"
        "<meta property='og:title' content='Aktuelle'>", "")
    page = extract_page(html, "https://www.ahlen.example/aktuelles/reparaturcafe")
    assert page is not None and page.title == "Reparaturcafé am 31. Januar"


def test_an_xhtml_page_with_an_encoding_declaration_has_its_headline():
    # lxml refuses decoded text that declares an encoding: the headline was lost.
    html = ("<?xml version='1.0' encoding='iso-8859-1'?>\n" + _article_page(
        "<title>Chuva forte alaga o centro - Jornal</title>"
        "<meta property='og:title' content='Chuva alaga o centro'>",
        "<h1>Chuva forte alaga o centro da cidade</h1>"))
    assert headline_of(html) == "Chuva forte alaga o centro da cidade"
    text = html_to_text(html)
    assert "Chuva forte alaga o centro da cidade" in text and "Jornal" not in text  # no <head>


def test_the_heading_of_the_comments_left_at_the_end_goes():
    # theparadigmng.com (a WordPress Facebook-comments plugin): the comments are a script,
    # their heading and count stay behind ("Comments", then "comments").
    html = _article_page("<title>Lawan moves motion for adjournment</title>",
                         "<h1>Lawan moves motion for adjournment</h1>").replace(
        "</article>", "<h3>Comments</h3><p><comments-count href='https://paradigm.example/x'>"
        "</comments-count> comments</p><div class='fb-comments' data-numposts='10'></div>"
        "</article>")
    page = extract_page(html, "https://www.paradigm.example/lawan")
    assert page is not None
    assert page.text.endswith("until late in the evening.")


def test_a_short_article_keeps_its_paragraphs():
    # A news brief under trafilatura's 250-character floor came from its fallback as one
    # paragraph, headline and byline run into the text.
    html = ("<!DOCTYPE html><html><head><meta charset='utf-8'><title>Road closed after crash | "
            "Daily Planet</title></head><body><header><a href='/'>Daily Planet</a><nav><ul>"
            "<li><a href='/news'>News</a></li><li><a href='/sport'>Sport</a></li></ul></nav>"
            "</header><main><article><h1>Road closed after crash</h1>"
            "<p class='byline'>By Ana Souza</p><p>The A40 is closed in both directions after a "
            "crash near Witney. Police ask drivers to avoid the area.</p><p>Diversions are in "
            "place through Burford.</p></article></main><footer><p>© 2025 Daily Planet. "
            "Cookies help us deliver our services.</p></footer></body></html>")
    page = extract_page(html, "https://planet.example/road")
    assert page is not None and page.title == "Road closed after crash"
    assert page.text == ("The A40 is closed in both directions after a crash near Witney. "
                         "Police ask drivers to avoid the area.\n\n"
                         "Diversions are in place through Burford.")
