"""Fetching real-shaped feeds from a real HTTP server on 127.0.0.1 into a corpus folder."""

from __future__ import annotations

import gzip
import os
import threading
import time
from pathlib import Path

import pytest
from feeds_support import (
    JSON_FEED,
    NEWSPAPER_RSS,
    PORTUGUESE_RSS,
    REDDIT_ATOM,
    RSS1_RDF,
    SPARSE_RSS,
    TECH_ATOM,
    closed_port,
    hold,
    page,
    redirect,
    rss,
)

from reader.core.articles import parse_article
from reader.core.corpus import scan
from reader.core.feeds import FeedError, FeedStore, add_feed, fetch_feeds


def articles(corpus: Path) -> dict[str, object]:
    """Every article of the corpus as the index would read it, by path."""
    return {rel: parse_article((corpus / rel).read_bytes(), rel) for rel in scan(corpus).files}


def by_title(corpus: Path) -> dict[str, object]:
    return {a.title: a for a in articles(corpus).values()}


def subscribe(corpus: Path, url: str, **kwargs):
    return add_feed(corpus, url, **kwargs).feed


def test_newspaper_rss_with_cdata_and_entities(server, tmp_path):
    corpus = tmp_path / "news"
    base = server.url("")
    url = server.add("/world.rss", NEWSPAPER_RSS.format(base=base))
    feed = subscribe(corpus, url)
    assert feed.section == "the-daily-planet-world"
    report = fetch_feeds(corpus)
    assert not report.failed and report.new == 3
    found = by_title(corpus)
    assert set(found) == {"Rain floods city centre as river bursts its banks",
                          "Markets rally & the pound gains: what it means",
                          "Minister’s plan: bold moves"}
    rain = found["Rain floods city centre as river bursts its banks"]
    assert rain.path == "the-daily-planet-world/2025-09-14-rain-floods-city-centre-as-river-bursts-its-banks.txt"
    assert rain.url == f"{base}/news/rain-floods"
    assert rain.source == "The Daily Planet – World"
    assert rain.author == "Ana Souza"
    assert rain.tags == ("Weather", "Floods storms")
    assert rain.date.isoformat() == "2025-09-14T08:30:00"
    # Paragraphs kept, entities and markup gone, the link's target listed without tracking.
    assert rain.body.startswith(
        "Heavy rain flooded the city centre on Sunday & closed roads.\n\n"
        "Residents said the water rose “within an hour”. Read more[1]")
    assert f"[1] {base}/news/rain-floods\n" in rain.body + "\n"
    assert "utm_" not in rain.body and "<" not in rain.body and "pixel" not in rain.body
    markets = found["Markets rally & the pound gains: what it means"]
    assert markets.date.isoformat() == "2025-09-15T16:05:00"  # +0100 as UTC
    assert "Stocks rose on Monday — investors" in markets.body
    plan = found["Minister’s plan: bold moves"]
    assert plan.body == "- First point\n- Second point"  # "The post … appeared first on" gone
    raw = (corpus / rain.path).read_text()
    assert raw.startswith("Title: Rain floods city centre as river bursts its banks\n"
                          "Date: 2025-09-14T08:30:00Z\nSource: The Daily Planet – World\n")


def test_atom_with_relative_links_and_html_titles(server, tmp_path):
    corpus = tmp_path / "news"
    base = server.url("")
    subscribe(corpus, server.add("/atom.xml", TECH_ATOM.format(base=base),
                                 content_type="application/atom+xml"), name="tech")
    assert fetch_feeds(corpus).new == 2
    found = by_title(corpus)
    rust = found["Rust 2.0 released"]
    assert rust.url == f"{base}/blog/posts/rust-2"
    assert rust.author == "Grace Hopper" and rust.tags == ("programming", "Rust")
    assert rust.section == "tech"
    assert 'fn main() {\n    println!("hi");\n}' in rust.body  # preformatted text kept
    assert f"[1] {base}/blog/notes/changes" in rust.body  # against xml:base
    kernel = found["Kernel 7.1 lands"]
    assert kernel.date.isoformat() == "2025-09-15T07:00:00"  # published, not updated


def test_relative_links_in_an_entrys_text_are_read_against_the_entry(server, tmp_path):
    # A WordPress feed served from another host (a feed service, or loopback here): its
    # "/tag/..." links belong to the site the entry is on, not to the feed's host.
    corpus = tmp_path / "news"
    url = server.add("/feed/", """<?xml version="1.0"?><rss version="2.0"
        xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>
        <title>Cotswold Journal</title><link>https://journal.example</link>
        <item><title>Flood warning lifted</title>
        <link>https://journal.example/2025/11/19/flood-warning-lifted/</link>
        <content:encoded><![CDATA[<p>Residents in <a href="/tag/ascott/">Ascott</a> and
        <a href="wychwood/">Wychwood</a> keep sandbags.</p>]]></content:encoded>
        <description><![CDATA[<p>Residents keep sandbags.</p>]]></description></item>
        </channel></rss>""")
    subscribe(corpus, url)
    assert fetch_feeds(corpus).new == 1
    [article] = articles(corpus).values()
    assert article.body.endswith(
        "Links:\n[1] https://journal.example/tag/ascott/\n"
        "[2] https://journal.example/2025/11/19/flood-warning-lifted/wychwood/")


def test_rss1_json_feed_portuguese_latin1_and_reddit(server, tmp_path):
    corpus = tmp_path / "news"
    base = server.url("")
    subscribe(corpus, server.add("/rdf", RSS1_RDF.format(base=base),
                                 content_type="application/rdf+xml"))
    subscribe(corpus, server.add("/feed.json", JSON_FEED.format(base=base),
                                 content_type="application/feed+json"))
    subscribe(corpus, server.add("/pt.xml", PORTUGUESE_RSS.format(base=base).encode("iso-8859-1"),
                                 content_type="text/xml; charset=ISO-8859-1"))
    subscribe(corpus, server.add("/r/worldnews/.rss", REDDIT_ATOM.format(base=base),
                                 content_type="application/atom+xml; charset=UTF-8"))
    report = fetch_feeds(corpus)
    assert not report.failed, [r.error for r in report.results]
    found = by_title(corpus)
    bridge = found["Old bridge to reopen in spring"]
    assert (bridge.section, bridge.author, bridge.tags) == ("regional-gazette", "J. Smith",
                                                           ("Transport",))
    assert bridge.date.isoformat() == "2025-09-10T07:00:00"
    json_item = found["A JSON item"]
    assert json_item.body == "Hello from JSON Feed & friends."
    assert (json_item.author, json_item.tags) == ("Jo", ("json", "feeds"))
    untitled = found["An item with no title, only text that goes on for a while."]
    assert untitled.url == f"{base}/micro/2"
    chuva = found["Chuva forte causa inundações em São Paulo"]
    assert chuva.section == "noticias-do-sul" and chuva.source == "Notícias do Sul"
    assert "situação de emergência após a chuva de terça-feira. Ação rápida" in chuva.body
    summit = found["Summit ends with a deal on climate finance"]
    assert summit.url == "https://www.reddit.example/r/worldnews/comments/abc/summit_ends/"
    assert summit.author == "/u/newsbot"
    assert "submitted by /u/newsbot[1]" in summit.body and "[link][2]" in summit.body
    assert "<" not in summit.body and "&#32;" not in summit.body


def test_entries_without_links_dates_or_titles_and_hostile_links(server, tmp_path):
    corpus = tmp_path / "news"
    base = server.url("")
    subscribe(corpus, server.add("/sparse", SPARSE_RSS), full_text=True)
    report = fetch_feeds(corpus)
    assert report.new == 4
    found = by_title(corpus)
    nameless = found["An entry with neither title nor link nor date."]  # its first sentence
    assert nameless.body.startswith("An entry with neither title")
    assert nameless.url == ""
    assert found["Only a title"].body == "Only a title"  # never an empty article
    assert found["Relative link"].url == f"{base}/sparse/rel"
    filed = found["A file link"]
    assert filed.url == "" and filed.body == "Never read from disk."
    assert {r.path for r in server.requests} == {"/sparse", "/sparse/rel"}
    # A second fetch knows them all, the ones without id or link by their text.
    assert fetch_feeds(corpus).new == 0
    assert len(articles(corpus)) == 4


def test_entries_a_feed_gives_one_id_are_told_apart_by_their_links(server, tmp_path):
    # A generator that copies one entry's <id> into the next ones (newsboat's test feeds
    # hold such a real one): each entry with a link of its own is an article, once.
    corpus = tmp_path / "news"
    base = server.url("")
    entries = "".join(
        f"<entry><title>Entry {n}</title><link href='{base}/{n}.html'/>"
        f"<id>http://example.com/4.html</id><updated>2025-09-1{n}T10:00:00Z</updated>"
        f"<content type='html'>Text {n}.</content></entry>" for n in range(1, 5))
    twice = (f"<entry><title>Entry 1</title><link href='{base}/1.html'/>"
             "<id>http://example.com/4.html</id><content type='html'>Text 1.</content></entry>")
    url = server.add("/same-id.atom", "<?xml version='1.0'?><feed xmlns="
                     f"'http://www.w3.org/2005/Atom'><title>Copied ids</title>{entries}{twice}"
                     "</feed>", content_type="application/atom+xml")
    subscribe(corpus, url)
    assert fetch_feeds(corpus).new == 4
    found = by_title(corpus)
    assert {t: a.url for t, a in found.items()} == {
        f"Entry {n}": f"{base}/{n}.html" for n in range(1, 5)}
    # Read again (the feed has one more entry): the ones known stay known.
    server.add("/same-id.atom", "<?xml version='1.0'?><feed xmlns="
               f"'http://www.w3.org/2005/Atom'><title>Copied ids</title>{entries}{twice}"
               f"<entry><title>Entry 5</title><link href='{base}/5.html'/>"
               "<id>http://example.com/4.html</id></entry></feed>",
               content_type="application/atom+xml")
    assert fetch_feeds(corpus).new == 1 and len(articles(corpus)) == 5


def test_second_fetch_uses_conditional_get_and_writes_nothing(server, tmp_path):
    corpus = tmp_path / "news"
    base = server.url("")
    with_etag = server.add("/etag.rss", NEWSPAPER_RSS.format(base=base), etag='"v1"',
                           headers={"Last-Modified": "Mon, 15 Sep 2025 10:00:00 GMT"})
    plain = server.add("/plain.rss", rss("Plain", [("p1", "One", "x")], base))
    subscribe(corpus, with_etag)
    subscribe(corpus, plain)
    assert fetch_feeds(corpus).new == 4
    before = {p: (corpus / p).stat().st_mtime_ns for p in articles(corpus)}
    report = fetch_feeds(corpus)
    assert report.new == 0 and all(r.unchanged for r in report.results)
    again = server.asked("/etag.rss")[-1].headers
    assert again["If-None-Match"] == '"v1"'
    assert again["If-Modified-Since"] == "Mon, 15 Sep 2025 10:00:00 GMT"
    assert {p: (corpus / p).stat().st_mtime_ns for p in articles(corpus)} == before


def test_a_feed_that_changes_between_fetches(server, tmp_path):
    corpus = tmp_path / "news"
    base = server.url("")
    url = server.add("/live", rss("Live", [("a", "First", "one"), ("b", "Second", "two"),
                                           ("c", "Third", "three"), ("d", "Fourth", "four")],
                                  base))
    subscribe(corpus, url)
    fetch_feeds(corpus)
    paths = {a.title: a.path for a in articles(corpus).values()}
    root = corpus
    # The user edits one, deletes one and renames one.
    edited = root / paths["Second"]
    edited.write_text(edited.read_text() + "\nMy own note.\n")
    (root / paths["Third"]).unlink()
    (root / paths["Fourth"]).rename(root / "live" / "kept-fourth.txt")
    # Upstream: every entry changes its text, and one is new.
    server.add("/live", rss("Live", [("a", "First", "one, corrected"),
                                     ("b", "Second", "two, corrected"),
                                     ("c", "Third", "three, corrected"),
                                     ("d", "Fourth", "four, corrected"),
                                     ("e", "Fifth", "five")], base))
    report = fetch_feeds(corpus)
    result = report.results[0]
    assert [Path(p).name for p in result.new] == ["2025-09-15-fifth.txt"]
    assert result.updated == [paths["First"]]  # only the file reader wrote and nobody touched
    found = by_title(corpus)
    assert found["First"].body.startswith("one, corrected")
    assert found["Second"].body.endswith("My own note.")  # the user's edit stands
    assert "Third" not in found  # a deleted article does not come back
    assert found["Fourth"].path == "live/kept-fourth.txt"  # nor a renamed one twice
    assert len(found) == 4


def test_never_over_a_file_the_user_wrote(server, tmp_path, write_corpus):
    corpus = write_corpus({"live/2025-09-15-first.txt": "My own article\n\nDo not touch.\n"})
    base = server.url("")
    subscribe(corpus, server.add("/live", rss("Live", [("a", "First", "one")], base)))
    report = fetch_feeds(corpus)
    assert report.results[0].new == ["live/2025-09-15-first-2.txt"]
    assert (corpus / "live/2025-09-15-first.txt").read_text() == "My own article\n\nDo not touch.\n"
    assert not [p for p in (corpus / "live").iterdir() if p.name.startswith(".")]


def test_nothing_is_written_outside_the_folder(server, tmp_path):
    corpus = tmp_path / "news"
    outside = tmp_path / "outside"
    outside.mkdir()
    base = server.url("")
    hostile = rss("../../outside", [("a", "../../../outside/x", "escape"),
                                    ("b", "/etc/passwd", "absolute")], base)
    subscribe(corpus, server.add("/evil", hostile))
    report = fetch_feeds(corpus)
    assert report.new == 2
    assert list(outside.iterdir()) == []
    assert sorted(articles(corpus)) == ["outside/2025-09-15-etc-passwd.txt",
                                        "outside/2025-09-15-outside-x.txt"]
    # A section that is a symlink to elsewhere is refused, not followed.
    other = tmp_path / "linked"
    other.mkdir()
    (corpus / "linked").symlink_to(other)
    subscribe(corpus, server.add("/linked", rss("L", [("z", "Zed", "z")], base)), name="linked")
    report = fetch_feeds(corpus)
    failed = [r for r in report.results if r.failed]
    assert len(failed) == 1 and "leads outside" in failed[0].error
    assert list(other.iterdir()) == []


def test_full_text_pages_and_at_most_two_requests_per_host(server, tmp_path):
    corpus = tmp_path / "news"
    names = ["rain-floods.html", "kernel-blog.html", "chuva.html", "summit.html"]
    for name in names:
        server.add(f"/p/{name}", page(name), content_type="text/html")
    server.add("/p/gone.html", b"gone", status=404, content_type="text/html")
    server.add("/p/paper.pdf", b"%PDF-1.4", content_type="application/pdf")
    items = [(f"p/{n}", f"Entry {i}", f"Teaser {i}.") for i, n in enumerate(
        [*names, "gone.html", "paper.pdf"])]
    subscribe(corpus, server.add("/full", rss("Full", items, server.url(""))), full_text=True)
    report = fetch_feeds(corpus)
    result = report.results[0]
    assert not result.failed and len(result.new) == 6
    found = {a.url.rsplit("/", 1)[1]: a for a in articles(corpus).values()}
    rain = found["rain-floods.html"]
    assert rain.title == "Entry 0"  # the feed's title stands; the page fills what it lacks
    assert rain.author == "Ana Souza"
    assert rain.body.startswith("Heavy rain flooded the city centre on Sunday")
    for junk in ("Most read", "First! This is awful", "winter boots", "Accept all", "Privacy"):
        assert junk not in rain.body
    assert "- grants for shops that were flooded" in rain.body
    assert "São Paulo declarou situação de emergência" in found["chuva.html"].body
    # A page that cannot be had keeps the feed's text, with a one-line note.
    assert found["gone.html"].body == "Teaser 4."
    assert found["paper.pdf"].body == "Teaser 5."
    assert any("gone.html: HTTP 404" in note for note in result.notes)
    assert any("paper.pdf: not a web page (application/pdf)" in note for note in result.notes)


def test_per_host_limit_holds_under_load(server, tmp_path):
    """Six pages on one host, each held a moment for a third request to come alongside
    (which it would, without the limit): two at once, and never more."""
    corpus = tmp_path / "news"
    gate = threading.Condition()
    arrived, waiting, most = [], [0], [0]

    def paired(h):
        with gate:
            arrived.append(h.path)
            waiting[0] += 1
            most[0] = max(most[0], waiting[0])
            gate.notify_all()
            gate.wait_for(lambda: waiting[0] >= 3, timeout=0.25)
            gate.notify_all()
        with gate:  # counted out before answering: the next request cannot come earlier
            waiting[0] -= 1
        h.send_response(200)
        h.send_header("Content-Type", "text/html")
        h.end_headers()
        h.wfile.write(page("summit.html"))

    items = []
    for n in range(6):
        server.add(f"/slow/{n}", handler=paired)
        items.append((f"slow/{n}", f"Slow {n}", "t"))
    subscribe(corpus, server.add("/slowfeed", rss("Slow", items, server.url(""))),
              full_text=True)
    assert fetch_feeds(corpus).new == 6
    assert most[0] == 2


def test_an_interrupted_fetch_leaves_whole_articles_and_the_rest_comes_next_time(server, tmp_path):
    corpus = tmp_path / "news"
    base = server.url("")
    subscribe(corpus, server.add("/quick", rss("Quick", [("q1", "Quick one", "q")], base)))
    arrived = threading.Event()
    server.add("/late/page", handler=hold(server, arrived))
    subscribe(corpus, server.add("/late", rss("Late", [("l1", "Late one", "l")], base)),
              full_text=True)
    cancel = threading.Event()

    def progress(done, total, result):
        if result is not None and result.feed.title == "Quick":
            threading.Thread(target=lambda: (arrived.wait(10), cancel.set())).start()

    server.routes["/late"].body = rss("Late", [("late/page", "Late one", "l")], base).encode()
    report = fetch_feeds(corpus, progress=progress, cancel=cancel)
    assert report.interrupted
    assert [a.title for a in articles(corpus).values()] == ["Quick one"]
    for folder, _dirs, files in os.walk(corpus):
        assert not [f for f in files if not f.endswith(".txt")], (folder, files)
    # Next time the page answers, and the rest is written.
    server.add("/late/page", page("summit.html"), content_type="text/html")
    report = fetch_feeds(corpus)
    assert not report.interrupted and report.new == 1
    assert sorted(a.title for a in articles(corpus).values()) == ["Late one", "Quick one"]


def test_records_survive_a_lost_database(server, tmp_path):
    """The feeds database gone (a new machine, a damaged file): articles already in the
    section are known by their URL header and not written again."""
    corpus = tmp_path / "news"
    base = server.url("")
    url = server.add("/live", rss("Live", [("a", "First", "one"), ("b", "Second", "two")], base))
    subscribe(corpus, url)
    fetch_feeds(corpus)
    store = FeedStore(corpus)
    db = store.path
    store.close()
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    subscribe(corpus, url)
    assert fetch_feeds(corpus).new == 0
    assert len(articles(corpus)) == 2


def test_one_fetch_of_a_folder_at_a_time(server, tmp_path):
    """The app's background fetch and a `reader fetch` would both write every new entry."""
    corpus = tmp_path / "news"
    arrived = threading.Event()
    subscribe(corpus, server.add("/stuck", handler=hold(server, arrived)), name="stuck",
              check=False)
    cancel = threading.Event()
    first = threading.Thread(target=fetch_feeds, args=(corpus,), kwargs={"cancel": cancel})
    first.start()
    try:
        assert arrived.wait(10)
        with pytest.raises(FeedError, match="another reader is fetching this folder's feeds"):
            fetch_feeds(corpus)
    finally:
        cancel.set()
        first.join(10)
    assert fetch_feeds(corpus, timeout=0.2).failed  # free again (the feed still hangs)


def test_redirects_are_followed_and_relative_links_read_against_the_final_address(
        server, tmp_path):
    corpus = tmp_path / "news"
    server.add("/moved/feed.xml", '<?xml version="1.0"?><rss version="2.0"><channel>'
               "<title>Moved</title><item><title>Here</title><link>story</link>"
               "<description>d</description></item></channel></rss>")
    old = server.add("/old", handler=redirect("/moved/feed.xml", 301))
    subscribe(corpus, old, check=False)
    report = fetch_feeds(corpus)
    assert report.new == 1
    [article] = articles(corpus).values()
    assert article.url == server.url("/moved/story")


def test_a_compressed_flood_is_capped_by_what_it_inflates_to(server, tmp_path):
    corpus = tmp_path / "news"
    bomb = gzip.compress(b"<rss>" + b" " * (12 * 1024 * 1024))
    subscribe(corpus, server.add("/bomb", bomb, headers={"Content-Encoding": "gzip"}),
              check=False)
    [result] = fetch_feeds(corpus).results
    assert result.error == "too large (over the 10,485,760-byte cap)"
    assert len(bomb) < 20_000


def test_a_section_that_cannot_be_made_fails_that_feed_alone(server, tmp_path, write_corpus):
    corpus = write_corpus({"blocked": "a file where the section folder would go\n"})
    base = server.url("")
    subscribe(corpus, server.add("/a", rss("A", [("a1", "Alpha", "a")], base)), name="blocked")
    subscribe(corpus, server.add("/b", rss("B", [("b1", "Beta", "b")], base)))
    report = fetch_feeds(corpus)
    assert report.results[0].error.startswith(f"cannot make the folder {corpus}/blocked")
    assert report.results[1].new == ["b/2025-09-15-beta.txt"]
    assert (corpus / "blocked").read_text() == "a file where the section folder would go\n"


def test_titles_are_exact_whether_plain_or_html(server, tmp_path):
    corpus = tmp_path / "news"
    base = server.url("")
    feed = ('<?xml version="1.0"?><rss version="2.0"><channel><title>Q&amp;A &lt;weekly&gt;</title>'
            "<item><title>AT&amp;T profits rise</title><link>/1</link></item>"
            "<item><title>Use &lt;div&gt; tags &amp; 5 &lt; 6</title><link>/2</link></item>"
            "<item><title>Caf&#233; &amp;amp; bar</title><link>/3</link></item>"
            "<item><title><![CDATA[Q&A: <b>bold</b> moves]]></title><link>/4</link></item>"
            "</channel></rss>")
    subscribe(corpus, server.add("/titles", feed))
    fetch_feeds(corpus)
    found = by_title(corpus)
    assert set(found) == {"AT&T profits rise", "Use <div> tags & 5 < 6", "Café & bar",
                          "Q&A: bold moves"}
    assert found["AT&T profits rise"].source == "Q&A <weekly>"
    assert found["AT&T profits rise"].url == f"{base}/1"


def test_a_feed_cannot_make_reader_read_a_local_file(server, tmp_path):
    """Neither an external entity nor a file:// link is ever read."""
    corpus = tmp_path / "news"
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-CONTENT")
    xxe = (f'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY xxe SYSTEM "file://{secret}">]>'
           '<rss version="2.0"><channel><title>Evil &xxe;</title>'
           f'<item><title>Entity &xxe;</title><link>file://{secret}</link>'
           "<description>Body &xxe; here.</description></item></channel></rss>")
    subscribe(corpus, server.add("/xxe", xxe), full_text=True, check=False)
    fetch_feeds(corpus)
    written = b"".join((corpus / p).read_bytes() for p in articles(corpus))
    assert written and b"TOP-SECRET" not in written
    assert {r.path for r in server.requests} == {"/xxe"}


def test_has_feeds_and_the_summary_line(server, tmp_path):
    from reader.core.feeds import has_feeds

    corpus = tmp_path / "news"
    assert not has_feeds(corpus)
    subscribe(corpus, server.add("/one", rss("One", [("a", "A", "a"), ("b", "B", "b")],
                                             server.url(""))))
    subscribe(corpus, server.url("/missing"), name="missing", check=False)
    assert has_feeds(corpus) and not has_feeds(tmp_path)
    assert fetch_feeds(corpus).summary() == "2 new articles from 2 feeds; 1 failed"


def test_last_fetched_is_when_every_feed_had_been_fetched(server, tmp_path):
    """The app's fetch_every asks it whether a fetch is due, without making the database."""
    from reader.core.feeds import feeds_db, last_fetched

    corpus = tmp_path / "news"
    assert last_fetched(corpus) is None and not feeds_db().exists()
    one = server.add("/one", rss("One", [("a", "A", "a")], server.url("")))
    subscribe(corpus, one)
    assert last_fetched(corpus) == 0  # never fetched: due whatever the interval
    before = time.time()
    fetch_feeds(corpus)
    assert before <= last_fetched(corpus) <= time.time()
    subscribe(corpus, server.add("/two", rss("Two", [("b", "B", "b")], server.url(""))))
    assert last_fetched(corpus) == 0  # a feed added since is due
    fetch_feeds(corpus)
    assert before <= last_fetched(corpus)
    assert last_fetched(tmp_path) is None  # another folder has no feeds


def test_pages_of_a_host_that_cannot_be_reached_are_not_each_tried(server, tmp_path):
    corpus = tmp_path / "news"
    gone = f"http://127.0.0.1:{closed_port()}"
    items = "".join(f"<item><title>Gone {n}</title><link>{gone}/story/{n}</link>"
                    f"<description>Teaser {n}.</description></item>" for n in range(6))
    feed = f'<?xml version="1.0"?><rss version="2.0"><channel><title>G</title>{items}</channel></rss>'
    subscribe(corpus, server.add("/gone", feed), full_text=True)
    [result] = fetch_feeds(corpus).results
    assert len(result.new) == 6 and not result.failed
    assert sorted(a.body for a in articles(corpus).values()) == [f"Teaser {n}." for n in range(6)]
    tried = [note for note in result.notes if "as before in this fetch" not in note]
    assert len(result.notes) == 6 and len(tried) <= 2, result.notes
    assert all("cannot connect" in note for note in result.notes)
