"""The feed commands: hostile servers, exit statuses, OPML, read-it-later, Ctrl+C."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from feeds_support import (
    NEWSPAPER_RSS,
    PORTUGUESE_RSS,
    closed_port,
    flood,
    hold,
    page,
    redirect,
    rss,
)

from reader.cli import main
from reader.core.articles import parse_article
from reader.core.corpus import scan
from reader.core.feeds import add_feed, parse_opml

READER = Path(sys.executable).with_name("reader")


def articles(corpus: Path):
    return {rel: parse_article((corpus / rel).read_bytes(), rel) for rel in scan(corpus).files}


def test_hostile_feeds_each_get_one_line_and_the_others_are_fetched(server, tmp_path, capsys):
    corpus = tmp_path / "news"
    base = server.url("")
    good = server.add("/good", rss("Good", [("g1", "Good news", "fine")], base))
    lying = NEWSPAPER_RSS.replace('encoding="UTF-8"', 'encoding="ISO-8859-1"').replace(
        "The Daily Planet", "Le Café Planète").format(base=base).encode("iso-8859-1", "replace")
    hostile = {
        "down": f"http://127.0.0.1:{closed_port()}/feed",
        "slow": server.add("/slow", handler=hold(server)),
        "loop": server.add("/loop", handler=redirect("/loop")),
        "to-file": server.add("/to-file", handler=redirect("file:///etc/passwd")),
        "html": server.add("/html", page("summit.html"), content_type="text/html"),
        "garbage": server.add("/garbage", os.urandom(3000), content_type="application/xml"),
        "huge": server.add("/huge", handler=flood(12)),
        "broken": server.add("/broken", b"oops", status=500, content_type="text/plain"),
        "empty": server.add("/empty", b"\n"),
    }
    add_feed(corpus, good)
    for name, url in hostile.items():
        add_feed(corpus, url, name=name, check=False)
    add_feed(corpus, server.add("/lying", lying, content_type="application/rss+xml; charset=utf-8"),
             name="lying", check=False)
    status = main(["fetch", "--corpus", str(corpus), "--timeout", "0.5"])
    out, err = capsys.readouterr()
    assert status == 1
    lines = err.strip().splitlines()
    assert len(lines) == len(hostile), err
    why = {line.split(" (", 1)[0].removeprefix("reader: "): line for line in lines}
    assert set(why) == set(hostile)
    assert "cannot connect (connection refused)" in why["down"]
    assert "no answer within 0.5 s" in why["slow"]
    assert "redirects in a loop" in why["loop"]
    assert "not http or https (never followed)" in why["to-file"]
    assert "not a feed: the address gives a web page (HTML)" in why["html"]
    assert "not a feed" in why["garbage"]
    assert "not a feed: the answer is empty" in why["empty"]
    assert "too large (over the 10,485,760-byte cap)" in why["huge"]
    assert "HTTP 500 Internal Server Error" in why["broken"]
    assert hostile["down"] in why["down"]  # the line names the feed and its address
    found = {a.title: a for a in articles(corpus).values()}
    assert "Good news" in found
    assert found["Rain floods city centre as river bursts its banks"].source == (
        "Le Café Planète – World")  # read right although its header lied
    assert "Good: 1 new" in out and "Le Café Planète – World: 3 new" in out
    assert "note: document declared as utf-8, but parsed as iso-8859-1" in out
    assert "4 new articles from 11 feeds; 9 failed" in out


def test_fetch_exit_statuses_and_the_folder_it_writes_to(server, tmp_path, capsys, isolated_dirs):
    corpus = tmp_path / "news"
    base = server.url("")
    assert main(["fetch", "--corpus", str(corpus)]) == 0  # no feeds yet: nothing failed
    assert "no feeds yet" in capsys.readouterr().err
    url = server.add("/pt", PORTUGUESE_RSS.format(base=base).encode("iso-8859-1"),
                     content_type="text/xml; charset=ISO-8859-1")
    assert main(["feeds", "add", url, "--corpus", str(corpus)]) == 0
    assert "added Notícias do Sul" in capsys.readouterr().out
    assert main(["fetch", "--corpus", str(corpus)]) == 0
    assert "Notícias do Sul: 1 new" in capsys.readouterr().out
    assert main(["fetch", "--feed", "Notícias do Sul", "--corpus", str(corpus)]) == 0
    assert "Notícias do Sul: nothing new" in capsys.readouterr().out
    assert main(["fetch", "--feed", "nope", "--corpus", str(corpus)]) == 1
    assert "no feed 'nope' (the feeds: noticias-do-sul)" in capsys.readouterr().err
    # Without --corpus and without the setting, nothing is written into the bundled folder.
    assert main(["fetch"]) == 2
    assert "pass --corpus DIR, or set corpus" in capsys.readouterr().err
    config = isolated_dirs / "xdg_config_home" / "reader"
    config.mkdir(parents=True)
    (config / "config.toml").write_text(f'corpus = "{corpus}"\n')
    assert main(["fetch"]) == 0
    with pytest.raises(SystemExit) as usage:
        main(["fetch", "--timeout", "soon"])
    assert usage.value.code == 2


def test_feeds_add_finds_a_pages_feed_and_refuses_what_is_not_one(server, tmp_path, capsys):
    corpus = tmp_path / "news"
    base = server.url("")
    server.add("/blog/atom.xml", rss("Byte Weekly", [("k", "Kernel", "k")], base),
               content_type="application/atom+xml")
    site = server.add("/blog/", page("kernel-blog.html"), content_type="text/html")
    assert main(["feeds", "add", site, "--corpus", str(corpus), "--full-text"]) == 0
    captured = capsys.readouterr()
    assert f"the page names its feed, {base}/blog/atom.xml: subscribed to that" in captured.err
    assert main(["feeds", "add", f"{base}/blog/atom.xml", "--corpus", str(corpus)]) == 0
    assert "already subscribed: byte-weekly" in capsys.readouterr().out
    server.add("/plain", page("summit.html"), content_type="text/html")
    assert main(["feeds", "add", server.url("/plain"), "--corpus", str(corpus)]) == 1
    assert "not a feed, and the page names no feed of its own" in capsys.readouterr().err
    assert main(["feeds", "add", "file:///etc/passwd", "--corpus", str(corpus)]) == 2
    assert "is not an http or https address" in capsys.readouterr().err
    assert main(["feeds", "add", site, "--name", "../escape", "--corpus", str(corpus)]) == 2
    assert "is not a plain folder name" in capsys.readouterr().err
    assert main(["feeds", "add", site, "--name", ".hidden", "--corpus", str(corpus)]) == 2
    # A feed that cannot be reached now is added all the same (with a warning).
    down = f"http://127.0.0.1:{closed_port()}/feed"
    assert main(["feeds", "add", down, "--name", "later", "--corpus", str(corpus)]) == 0
    assert "could not be read now (cannot connect" in capsys.readouterr().err
    assert main(["feeds", "list", "--json", "--corpus", str(corpus)]) == 0
    listed = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [(f["name"], f["full_text"], f["url"]) for f in listed] == [
        ("byte-weekly", True, f"{base}/blog/atom.xml"), ("later", False, down)]
    assert set(listed[0]) == {"url", "name", "section", "title", "full_text", "articles",
                              "fetched", "error"}


NEWSBOAT_OPML = """<?xml version="1.0"?>
<opml version="1.0">
  <head><title>newsboat - Exported Feeds</title></head>
  <body>
    <outline type="rss" xmlUrl="{base}/a.rss" htmlUrl="{base}/a" title="Alpha &amp; Co"/>
    <outline type="rss" xmlUrl="{base}/b.rss" htmlUrl="{base}/b" title="Beta"/>
    <outline type="rss" xmlUrl="file:///etc/passwd" title="Sneaky"/>
    <outline type="rss" xmlUrl="query:unread:unread = &quot;yes&quot;" title="unread"/>
    <outline type="rss" xmlUrl="exec:~/bin/mail-feed" title="mail"/>
  </body>
</opml>
"""
FEEDLY_OPML = """<?xml version="1.0" encoding="UTF-8"?>
<opml version="1.0"><head><title>Feedly</title></head><body>
  <outline text="Tech" title="Tech">
    <outline type="rss" text="Gamma" title="Gamma" xmlUrl="{base}/c.rss" htmlUrl="{base}/c"/>
  </outline>
  <outline text="News" title="News">
    <outline type="rss" text="Beta" title="Beta" xmlUrl="{base}/b.rss"/>
  </outline>
</body></opml>
"""


def test_opml_import_export_list_and_remove(server, tmp_path, capsys):
    corpus = tmp_path / "news"
    base = server.url("")
    newsboat = tmp_path / "newsboat.opml"
    newsboat.write_text(NEWSBOAT_OPML.format(base=base))
    feedly = tmp_path / "feedly.opml"
    feedly.write_text(FEEDLY_OPML.format(base=base))
    assert main(["feeds", "import", str(newsboat), "--corpus", str(corpus)]) == 0
    captured = capsys.readouterr()
    assert "2 feeds added, 0 already subscribed, 3 refused" in captured.out
    assert "file:///etc/passwd: not an http or https address; not added" in captured.err
    assert ('query:unread:unread = "yes": a newsboat query feed (a search of its own '
            "articles), not a web feed; not added") in captured.err
    assert "exec:~/bin/mail-feed: a newsboat exec: feed (made by a command)" in captured.err
    assert main(["feeds", "import", str(feedly), "--full-text", "--corpus", str(corpus)]) == 0
    assert "1 feeds added, 1 already subscribed" in capsys.readouterr().out
    assert main(["feeds", "export", "--corpus", str(corpus)]) == 0
    exported = capsys.readouterr().out
    assert [(f.url, f.title) for f in parse_opml(exported.encode())] == [
        (f"{base}/a.rss", "Alpha & Co"), (f"{base}/b.rss", "Beta"), (f"{base}/c.rss", "Gamma")]
    assert main(["feeds", "list", "--corpus", str(corpus)]) == 0
    listing = capsys.readouterr().out
    assert "alpha-co  " in listing and "never fetched · full text" in listing
    assert main(["feeds", "remove", "Alpha & Co", "--corpus", str(corpus)]) == 0
    # Never fetched: no folder of articles to speak of.
    assert capsys.readouterr().out == f"removed alpha-co ({base}/a.rss)\n"
    assert main(["feeds", "remove", "alpha-co", "--corpus", str(corpus)]) == 1
    assert "no feed 'alpha-co' (the feeds: beta, gamma)" in capsys.readouterr().err
    bad = tmp_path / "bad.opml"
    bad.write_text("this is not xml at all")
    assert main(["feeds", "import", str(bad), "--corpus", str(corpus)]) == 2
    assert "not an OPML subscription list" in capsys.readouterr().err
    assert main(["feeds", "import", str(tmp_path / "missing.opml"), "--corpus",
                 str(corpus)]) == 2
    assert "No such file or directory" in capsys.readouterr().err


def test_save_writes_the_page_with_its_headline(server, tmp_path, capsys):
    corpus = tmp_path / "news"
    url = server.add("/kernel", page("kernel-blog.html"), content_type="text/html")
    assert main(["save", url, "--corpus", str(corpus)]) == 0
    assert "saved 'Kernel 7.1 lands with a new scheduler' as saved/2025-09-15-kernel-7-1-lands" \
        in capsys.readouterr().out
    [article] = articles(corpus).values()
    assert (article.title, article.author, article.url, article.section) == (
        "Kernel 7.1 lands with a new scheduler", "Grace Hopper", url, "saved")
    assert article.source == "127.0.0.1"
    assert article.body.startswith("Linus Torvalds tagged the 7.1 release")
    assert "Leave a Reply" not in article.body and "Recent posts" not in article.body
    assert main(["save", url, "--corpus", str(corpus)]) == 0
    assert "already in the folder: 'Kernel 7.1 lands with a new scheduler' as " \
        "saved/2025-09-15-kernel" in capsys.readouterr().out
    # Latin-1 bytes served as UTF-8: the page's own <meta charset> is believed instead.
    chuva = server.add("/chuva", page("chuva.html"), content_type="text/html; charset=utf-8")
    assert main(["save", chuva, "--section", "later/pt", "--corpus", str(corpus)]) == 0
    saved = {a.title: a for a in articles(corpus).values()}
    assert saved["Chuva forte causa inundações em São Paulo"].section == "later/pt"
    assert "declarou situação de emergência" in saved[
        "Chuva forte causa inundações em São Paulo"].body
    # UTF-8 bytes served as Latin-1 (a server's default): valid UTF-8 is UTF-8.
    utf8 = page("chuva.html").decode("iso-8859-1").replace(
        'charset="iso-8859-1"', 'charset="utf-8"').replace("Chuva forte", "Chuva muito forte")
    assert 'charset="utf-8"' in utf8
    served = server.add("/chuva-utf8", utf8.encode("utf-8"),
                        content_type="text/html; charset=ISO-8859-1")
    assert main(["save", served, "--corpus", str(corpus)]) == 0
    saved = {a.title: a for a in articles(corpus).values()}
    assert "declarou situação de emergência" in saved[
        "Chuva muito forte causa inundações em São Paulo"].body
    missing = server.url("/missing")
    assert main(["save", missing, "--corpus", str(corpus)]) == 1
    assert f"reader: {missing}: HTTP 404 Not Found" in capsys.readouterr().err
    pdf = server.add("/paper.pdf", b"%PDF-1.4 ...", content_type="application/pdf")
    assert main(["save", pdf, "--corpus", str(corpus)]) == 1
    assert "not a web page (application/pdf)" in capsys.readouterr().err
    assert main(["save", url, "--section", "../up", "--corpus", str(corpus)]) == 2
    assert len(articles(corpus)) == 3


def test_save_of_a_page_already_in_the_folder_writes_nothing(server, tmp_path, capsys):
    corpus = tmp_path / "news"
    base = server.url("")
    server.add("/kernel", page("kernel-blog.html"), content_type="text/html")
    add_feed(corpus, server.add("/k.rss", rss("Kernel news", [("kernel", "Kernel 7.1", "x")],
                                              base)))
    assert main(["fetch", "--corpus", str(corpus)]) == 0
    [fetched] = articles(corpus)
    capsys.readouterr()
    link = server.url("/kernel")
    # Fetched by a feed (its link, with or without a fragment): said in one line, not saved.
    for url in (link, link + "#comments"):
        assert main(["save", url, "--corpus", str(corpus)]) == 0
        out = capsys.readouterr().out
        assert out == f"already in the folder: 'Kernel 7.1' as {fetched}; nothing written\n"
    assert list(articles(corpus)) == [fetched]
    assert not server.asked("/kernel")  # known without asking the page again
    # Saved twice.
    other = server.add("/chuva", page("chuva.html"), content_type="text/html")
    assert main(["save", other, "--corpus", str(corpus)]) == 0
    [saved] = set(articles(corpus)) - {fetched}
    assert main(["save", other, "--corpus", str(corpus)]) == 0
    assert f"as {saved}; nothing written" in capsys.readouterr().out
    # Moved by the user: found by its URL header.
    (corpus / "later").mkdir()
    (corpus / saved).rename(corpus / "later" / "chuva.txt")
    (corpus / fetched).rename(corpus / "kernel.txt")
    for url, moved in ((other, "later/chuva.txt"), (link, "kernel.txt")):
        assert main(["save", url, "--corpus", str(corpus)]) == 0
        assert capsys.readouterr().out.endswith(f"as {moved}; nothing written\n")
    # A file of the user's own naming the page, unknown to any record.
    own = server.add("/summit", page("summit.html"), content_type="text/html")
    (corpus / "mine.txt").write_text(f"Title: My notes\nURL: {own}\n\nMy own words.\n")
    assert main(["save", own, "--corpus", str(corpus)]) == 0
    assert capsys.readouterr().out == ("already in the folder: 'My notes' as mine.txt; "
                                       "nothing written\n")
    assert len(articles(corpus)) == 3
    assert len(server.asked("/chuva")) == 1 and not server.asked("/summit")


def test_ctrl_c_stops_a_fetch_with_whole_articles_and_status_130(server, tmp_path, isolated_dirs):
    corpus = tmp_path / "news"
    base = server.url("")
    add_feed(corpus, server.add("/quick", rss("Quick", [("q", "Quick one", "q")], base)))
    arrived = threading.Event()
    add_feed(corpus, server.add("/stuck", handler=hold(server, arrived)), name="stuck",
             check=False)
    env = {**os.environ, "XDG_DATA_HOME": str(isolated_dirs / "xdg_data_home"),
           "XDG_CONFIG_HOME": str(isolated_dirs / "xdg_config_home")}
    # Started as a script starts a job in the background: SIGINT ignored, which Python
    # and asyncio then leave ignored unless reader takes it back.
    command = f"trap '' INT; exec '{READER}' fetch --corpus '{corpus}'"
    process = subprocess.Popen(["sh", "-c", command], env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    try:
        assert arrived.wait(30)
        deadline = time.monotonic() + 30
        while not scan(corpus).files and time.monotonic() < deadline:
            time.sleep(0.02)  # the quick feed's article, written while the other one hangs
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=30)
    finally:
        process.kill()
    assert process.returncode == 130, err
    assert "interrupted: the articles written are whole" in err
    assert "Traceback" not in err
    assert [a.title for a in articles(corpus).values()] == ["Quick one"]


def test_fetch_progress_json_is_what_the_app_reads(server, tmp_path, capsys):
    from reader.core.progress import FeedFetched, Fetched, decode

    corpus = tmp_path / "news"
    base = server.url("")
    add_feed(corpus, server.add("/one", rss("One", [("a", "First", "x"), ("b", "Second", "y")],
                                            base)))
    add_feed(corpus, server.url("/gone"), name="gone", check=False)
    status = main(["fetch", "--corpus", str(corpus), "--progress-json"])
    out, err = capsys.readouterr()
    events = [decode(line) for line in out.splitlines()]
    assert status == 1 and not err  # a feed failed: named in the events, not on stderr
    assert events[0] == FeedFetched(0, 2)
    feeds = {event.feed: event for event in events[1:3]}  # in the order they came in
    assert sorted(event.done for event in feeds.values()) == [1, 2]
    assert (feeds["One"].total, feeds["One"].new, feeds["One"].error) == (2, 2, "")
    assert (feeds["gone"].new, feeds["gone"].error) == (0, "HTTP 404 Not Found")
    assert events[3] == Fetched("2 new articles from 2 feeds; 1 failed", 2,
                                ["gone: HTTP 404 Not Found"])
    assert len(events) == 4


def test_fetch_progress_says_the_feed_shown_is_the_last_done():
    from reader.cli_feeds import progress_text

    assert progress_text(0, 40) == "0/40 feeds done"
    assert progress_text(12, 40, "Foo") == "12/40 feeds done · last: Foo"
    assert progress_text(1200, 4000, "Le Monde\x1b[2J  —\nÀ la une") == (
        "1,200/4,000 feeds done · last: Le Monde\\x1b[2J — À la une")
    assert progress_text(1, 2, "x" * 60) == "1/2 feeds done · last: " + "x" * 39 + "…"


def test_fetch_progress_bar_on_a_terminal_shows_names_as_written(monkeypatch):
    import io
    from types import SimpleNamespace

    from reader.cli_feeds import _progress_bar

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    stderr = Terminal()
    monkeypatch.setattr(sys, "stderr", stderr)
    monkeypatch.setenv("COLUMNS", "120")
    progress, update = _progress_bar()
    try:
        update(0, 2, None)
        update(1, 2, SimpleNamespace(feed=SimpleNamespace(label="[/b] Tags & [brackets]")))
        progress.refresh()
    finally:
        progress.stop()
    assert "1/2 feeds done · last: [/b] Tags & [brackets]" in stderr.getvalue()


def test_fetch_every_setting():
    from reader.core.settings import parse_settings

    assert parse_settings('fetch_every = "30m"\n').fetch_every == 1800
    assert parse_settings('fetch_every = "2h"\n').fetch_every == 7200
    assert parse_settings("fetch_every = 45\n").fetch_every == 2700  # minutes
    for bad in ('"1m"', '"soon"', "true", "0"):
        settings = parse_settings(f"x = 1\nfetch_every = {bad}\n")
        assert settings.fetch_every is None
        assert "line 2: fetch_every must be a time of 5 minutes or more" in settings.problems[-1]


def test_removing_a_feed_says_where_its_articles_stay(server, tmp_path, capsys):
    corpus = tmp_path / "news"
    url = server.add("/g.rss", rss("Good", [("g1", "Good news", "fine")], server.url("")))
    assert main(["feeds", "add", url, "--corpus", str(corpus)]) == 0
    assert main(["fetch", "--corpus", str(corpus)]) == 0
    capsys.readouterr()
    assert main(["feeds", "remove", "Good", "--corpus", str(corpus)]) == 0
    assert capsys.readouterr().out == (
        f"removed good ({url}); its articles stay in {corpus.resolve() / 'good'}\n")
    assert len(articles(corpus)) == 1
