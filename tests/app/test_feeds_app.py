"""Fetching the feeds in the app (F, the palette, fetch_every), from a real HTTP server on
127.0.0.1 in the test process: progress on the status line, the new articles in the list,
unread, and the list answering keys meanwhile."""

from __future__ import annotations

import asyncio
import os
import threading
import time

import pytest
from app_support import HeldIndexer, make_app, notices, settle, titles, until
from feeds_support import send

from reader.core.corpus import scan
from reader.core.feeds import FeedStore, add_feed, fetch_feeds, last_fetched
from reader.tui.fetcher import Feeds, ProcessFetcher

LOCAL = {"note.txt": "A note of my own\nWritten by hand.\n"}


def rss(title: str, items: list[tuple[str, str]], base: str) -> str:
    """A feed of (guid, title) items."""
    body = "".join(
        f"<item><title>{t}</title><link>{base}/{g}</link><guid>{g}</guid>"
        f"<pubDate>Mon, 15 Sep 2025 10:00:00 GMT</pubDate><description>About {t}."
        "</description></item>" for g, t in items)
    return (f'<?xml version="1.0"?><rss version="2.0"><channel><title>{title}</title>'
            f"<link>{base}/</link>{body}</channel></rss>")


def held(body: str, go: threading.Event, arrived: threading.Event | None = None):
    """A route that answers ``body`` once ``go`` is set: a slow server."""

    def handler(h) -> None:
        if arrived is not None:
            arrived.set()
        go.wait(30)
        send(h, 200, body.encode(), "application/rss+xml")

    return handler


def subscribe(corpus, url: str, name: str | None = None) -> None:
    add_feed(corpus, url, name=name, check=False)


def leftovers(corpus) -> list[str]:
    """Files in the corpus that are not articles (a temporary file left half-written)."""
    return [name for _folder, _dirs, files in os.walk(corpus) for name in files
            if not name.endswith(".txt")]


async def fetched(app, pilot, runs: int = 1) -> None:
    await until(pilot, lambda: app.main.feeds.runs >= runs, timeout=30)
    await settle(app, pilot)


async def test_f_fetches_with_progress_while_the_list_moves_and_new_articles_are_unread(
        server, write_corpus):
    corpus = write_corpus(LOCAL)
    base = server.url("")
    subscribe(corpus, server.add("/quick.rss", rss("Quick News", [("q1", "Quick story")], base)))
    go = threading.Event()
    server.add("/slow.rss", handler=held(rss("Slow Times", [("s1", "Slow story one"),
                                                             ("s2", "Slow story two")], base),
                                         go))
    subscribe(corpus, server.url("/slow.rss"), name="slow")
    app = make_app(corpus)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(app, pilot)
        assert titles(app) == ["A note of my own"]
        await pilot.press("F")
        status = app.main.status
        await until(pilot, lambda: "1 of 2 done · last: Quick News" in status.fetch_progress)
        assert status.fetch_progress.startswith("Fetching feeds: 1 of 2 done")
        # The list answers while the slow feed is still being fetched.
        await until(pilot, lambda: "Quick story" in titles(app))  # indexed as it came
        await pilot.press("g")
        first = app.main.article_list.cursor
        await pilot.press("j")
        assert app.main.article_list.cursor == first + 1
        await pilot.press("k")
        assert app.main.article_list.cursor == first
        assert app.main.feeds.running
        go.set()
        await fetched(app, pilot)
        assert sorted(titles(app)) == ["A note of my own", "Quick story", "Slow story one",
                                       "Slow story two"]
        assert status.fetch_progress == ""  # the progress is gone, the summary said
        assert status.message == "Feeds: 3 new articles from 2 feeds"
        assert not app.main.library.read  # new articles count as unread
        assert "4 unread" in app.main.sub_title
        await pilot.press("v")  # the unread view holds them
        await settle(app, pilot)
        assert len(titles(app)) == 4
    assert not leftovers(corpus)


async def test_palette_fetches_and_a_second_f_while_fetching_says_so(server, write_corpus):
    corpus = write_corpus(LOCAL)
    go, arrived = threading.Event(), threading.Event()
    base = server.url("")
    server.add("/slow.rss", handler=held(rss("Slow Times", [("s1", "Slow story")], base), go,
                                         arrived))
    subscribe(corpus, server.url("/slow.rss"))
    app = make_app(corpus)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(app, pilot)
        commands = {c.title: c for c in app.get_system_commands(app.screen)}
        assert "Fetch feeds" in commands
        for keys in (["ctrl+p"], list("fetch feeds"), ["enter"]):
            await pilot.press(*keys)
        await asyncio.to_thread(arrived.wait, 10)
        await until(pilot, lambda: app.main.status.fetch_progress != "")
        await pilot.press("F")
        assert app.main.status.message == "Already fetching the feeds."
        go.set()
        await fetched(app, pilot)
        assert "Slow story" in titles(app)
        assert len(server.asked("/slow.rss")) == 1  # one fetch, not two
        assert app.main.feeds.runs == 1


async def test_f_without_feeds_says_how_to_subscribe(write_corpus):
    corpus = write_corpus(LOCAL)
    app = make_app(corpus)
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await settle(app, pilot)
        await pilot.press("F")
        await fetched(app, pilot)
        said = " ".join(notices(app))
        assert "no feeds yet" in said
        assert f"reader feeds add URL --corpus {corpus.resolve()}" in said
        assert app.main.status.fetch_progress == ""
    assert list(scan(corpus).files) == ["note.txt"]


async def test_f_on_the_bundled_sample_folder_says_to_use_a_folder_of_ones_own():
    from reader.core.paths import BUNDLED_CORPUS

    app = make_app(BUNDLED_CORPUS)
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await settle(app, pilot)
        await pilot.press("F")
        await fetched(app, pilot)
        said = " ".join(notices(app))
        assert "bundled sample folder" in said and "--corpus ~/news" in said


async def test_failed_feeds_are_named_and_the_others_fetched(server, write_corpus):
    corpus = write_corpus(LOCAL)
    base = server.url("")
    subscribe(corpus, server.add("/ok.rss", rss("Fine Feed", [("f1", "Fine story")], base)))
    subscribe(corpus, server.add("/gone.rss", "gone", status=404, content_type="text/plain"),
              name="gone")
    app = make_app(corpus)
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await settle(app, pilot)
        await pilot.press("F")
        await fetched(app, pilot)
        assert "Fine story" in titles(app)
        assert app.main.status.message == "Feeds: 1 new article from 2 feeds; 1 failed"
        warning = " ".join(notices(app))
        assert "1 feed failed" in warning and "gone: " in warning and "404" in warning


async def test_a_folder_another_reader_is_fetching_is_left_to_it(server, write_corpus):
    corpus = write_corpus(LOCAL)
    arrived = threading.Event()
    subscribe(corpus, server.add("/stuck.rss", handler=held("", threading.Event(), arrived)))
    cancel = threading.Event()
    other = threading.Thread(target=fetch_feeds, args=(corpus,), kwargs={"cancel": cancel})
    other.start()  # `reader fetch` in a shell, say
    try:
        assert arrived.wait(10)
        app = make_app(corpus)
        async with app.run_test(size=(120, 36)) as pilot:
            await settle(app, pilot)
            await pilot.press("F")
            await fetched(app, pilot)
            status = app.main.status
            assert status.message == ("Feeds: another reader is fetching this folder's feeds "
                                      "now; try again when it is done")
            assert status.has_class("-error") and status.fetch_progress == ""
    finally:
        cancel.set()
        other.join(10)


async def test_a_fetch_during_the_first_index_build_shows_its_articles_when_it_ends(
        server, write_corpus):
    corpus = write_corpus(LOCAL)
    base = server.url("")
    subscribe(corpus, server.add("/news.rss", rss("News", [("n1", "Fresh story")], base)))
    go = threading.Event()
    app = make_app(corpus, indexer=HeldIndexer(go))
    async with app.run_test(size=(120, 36)) as pilot:
        await until(pilot, lambda: app.main.loader.indexing)
        await pilot.press("F")
        status = app.main.status
        await until(pilot, lambda: "adding them to the list" in status.message)
        assert (corpus / "news").is_dir()  # written; the index is still busy
        go.set()
        await fetched(app, pilot)
        assert sorted(titles(app)) == ["A note of my own", "Fresh story"]
        assert status.message == "Feeds: 1 new article from 1 feed"


@pytest.mark.parametrize("fetcher", ["thread", "process"])
async def test_quit_during_a_fetch_exits_at_once_leaving_whole_articles(
        server, write_corpus, fetcher):
    corpus = write_corpus(LOCAL)
    base = server.url("")
    subscribe(corpus, server.add("/quick.rss", rss("Quick", [("q1", "Quick story")], base)))
    arrived = threading.Event()
    server.add("/stuck.rss", handler=held("", threading.Event(), arrived))
    subscribe(corpus, server.url("/stuck.rss"), name="stuck")
    app = make_app(corpus, fetcher=ProcessFetcher() if fetcher == "process" else None)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(app, pilot)
        await pilot.press("F")
        await until(pilot, lambda: "1 of 2 done" in app.main.status.fetch_progress,
                    timeout=30)
        started = time.monotonic()
        await pilot.press("q")
    assert time.monotonic() - started < 5  # at once: the stuck feed is not waited for
    if fetcher == "process":
        process = app.fetcher._process
        assert await asyncio.wait_for(process.wait(), 30) == 130  # it stopped cleanly
    assert [a for a in scan(corpus).files if a != "note.txt"] == ["quick/2025-09-15-quick-story.txt"]
    assert not leftovers(corpus)
    # The rest comes next time; nothing written twice.
    with FeedStore(corpus) as store:
        assert store.count(server.url("/quick.rss")) == 1


async def test_fetch_every_fetches_at_start_when_due_and_not_when_fetched_lately(
        server, write_corpus, monkeypatch):
    monkeypatch.setattr(Feeds, "FIRST_LOOK", 0.01)
    looked = asyncio.Event()
    look = Feeds._fetch_if_due

    async def looking(self) -> None:
        await look(self)
        looked.set()

    monkeypatch.setattr(Feeds, "_fetch_if_due", looking)
    corpus = write_corpus(LOCAL)
    base = server.url("")
    url = server.add("/news.rss", rss("News", [("n1", "Fresh story")], base))
    subscribe(corpus, url)
    assert last_fetched(corpus) == 0  # never fetched: due

    app = make_app(corpus, fetch_every=1800.0)
    async with app.run_test(size=(120, 36)) as pilot:
        await fetched(app, pilot)
        assert "Fresh story" in titles(app)
        assert app.main.status.message == "Feeds: 1 new article from 1 feed"
    assert time.time() - last_fetched(corpus) < 60

    looked.clear()
    app = make_app(corpus, fetch_every=1800.0)  # fetched a moment ago: not due
    async with app.run_test(size=(120, 36)) as pilot:
        await asyncio.wait_for(looked.wait(), 10)
        await settle(app, pilot)
        assert app.main.feeds.runs == 0
    assert len(server.asked("/news.rss")) == 1


async def test_a_background_fetch_that_finds_the_folder_busy_stays_quiet(
        server, write_corpus, monkeypatch):
    monkeypatch.setattr(Feeds, "FIRST_LOOK", 0.01)
    corpus = write_corpus(LOCAL)
    arrived = threading.Event()
    subscribe(corpus, server.add("/stuck.rss", handler=held("", threading.Event(), arrived)))
    cancel = threading.Event()
    other = threading.Thread(target=fetch_feeds, args=(corpus,), kwargs={"cancel": cancel})
    other.start()
    try:
        assert arrived.wait(10)
        app = make_app(corpus, fetch_every=1800.0)
        async with app.run_test(size=(120, 36), notifications=True) as pilot:
            await fetched(app, pilot)
            assert "another reader" not in app.main.status.message
            assert not notices(app)
    finally:
        cancel.set()
        other.join(10)
