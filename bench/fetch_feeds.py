"""Fetching many feeds from a loopback server: reader's fetch beside feedparser alone.

    .venv/bin/python bench/fetch_feeds.py                       # the issue's size: 200 x 50
    .venv/bin/python bench/fetch_feeds.py --feeds 5 --entries 3  # a quick check

A server on 127.0.0.1 serves FEEDS RSS feeds of ENTRIES entries each (with ETags, as most
servers do). Measured, each in a fresh temporary corpus and data dir:

- reader, first fetch: download, parse and write every entry as an article file;
- reader, second fetch: every feed answers 304 Not Modified, nothing is written
  (the issue's target: under 2 s for 200 feeds);
- feedparser alone: ``feedparser.parse(url)`` for each feed (its own HTTP), six at a time
  as reader fetches them, first without and then with the ETag (304s) — the same feeds
  parsed and nothing written: the floor any feed reader built on feedparser starts from.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PARAGRAPH = ("<p>Officials said on {day} that the talks would continue next week, after a "
             "round that both sides called <b>constructive</b> &amp; frank. The details of "
             "entry {n} were not released, but people familiar with the matter said a deal on "
             "tariffs, export controls and the future of several companies was close.</p>")


def make_feed(number: int, entries: int, base: str) -> bytes:
    items = []
    for n in range(entries):
        day = 1 + (n % 28)
        body = "".join(PARAGRAPH.format(day=f"Sep {day}", n=n) for _ in range(3))
        items.append(
            f"<item><title>Feed {number} story {n}: talks resume on trade</title>"
            f"<link>{base}/story/{number}/{n}</link><guid>f{number}-e{n}</guid>"
            f"<pubDate>Mon, {day:02d} Sep 2025 10:{n % 60:02d}:00 GMT</pubDate>"
            f"<category>World</category><description><![CDATA[{body}]]></description></item>")
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
            f"<title>Bench feed {number}</title><link>{base}/</link>"
            f"{''.join(items)}</channel></rss>").encode()


def make_page(number: int, n: int) -> bytes:
    """An entry's web page of a realistic weight (about 150 KB): menus, scripts, the
    article, a column of related stories, for trafilatura to find the article in."""
    menu = "".join(f'<li><a href="/section/{i}">Section {i}</a></li>' for i in range(200))
    text = "".join(PARAGRAPH.format(day=f"Sep {1 + i}", n=f"{n}.{i}") for i in range(30))
    related = "".join(f'<div class="card"><a href="/story/{number}/{i}"><img src="/i/{i}.jpg">'
                      f"<h3>Related story {i}</h3></a><p>A teaser of the related story, "
                      "a sentence or two long.</p></div>" for i in range(150))
    script = "<script>" + "window.trackers = (window.trackers || []).concat([1]);" * 1500
    return (f"<!doctype html><html><head><title>Feed {number} story {n} | Bench News</title>"
            f"{script}</script></head><body><header><nav><ul>{menu}</ul></nav></header>"
            f"<main><article><h1>Feed {number} story {n}: talks resume on trade</h1>"
            f'<p class="byline">By A. Writer</p>{text}</article><aside>{related}</aside></main>'
            "<footer><p>Copyright Bench News</p></footer></body></html>").encode()


def serve(feeds: int, entries: int, *, delay: float = 0.0,
          pages: bool = False) -> tuple[ThreadingHTTPServer, str]:
    """The feeds (and, with ``pages``, each entry's page) on 127.0.0.1; each answer
    ``delay`` seconds late, as a server across the network answers."""
    bodies: dict[str, bytes] = {}

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:  # noqa: N802
            if delay:
                time.sleep(delay)
            body = bodies.get(self.path)
            kind = "application/rss+xml; charset=utf-8"
            if body is None and pages and self.path.startswith("/story/"):
                number, n = self.path.split("/")[2:4]
                body, kind = make_page(int(number), int(n)), "text/html; charset=utf-8"
            if body is None:
                self.send_error(404)
                return
            etag = f'"{len(body)}-{self.path.count("/")}"'
            if self.headers.get("If-None-Match") == etag:
                self.send_response(304)
                self.send_header("ETag", etag)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Type", kind)
            self.send_header("ETag", etag)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    base = f"http://127.0.0.1:{server.server_address[1]}"
    for number in range(feeds):
        bodies[f"/feed/{number}.xml"] = make_feed(number, entries, base)
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    return server, base


def timed(run) -> tuple[float, object]:
    start = time.perf_counter()
    result = run()
    return time.perf_counter() - start, result


def bench_reader(urls: list[str], data_dir: Path) -> tuple[float, float, int]:
    os.environ["XDG_DATA_HOME"] = str(data_dir)
    from reader.core.feeds import FeedStore, fetch_feeds

    corpus = data_dir / "corpus"
    corpus.mkdir()
    with FeedStore(corpus) as store:
        from reader.core.feeds import Feed

        for n, url in enumerate(urls):
            store.add(Feed(url=url, section=f"bench-{n}", added=time.time() + n))
    first, report = timed(lambda: fetch_feeds(corpus))
    written = report.new  # type: ignore[attr-defined]
    failed = report.failed  # type: ignore[attr-defined]
    if failed:
        raise SystemExit(f"{len(failed)} feeds failed, e.g. {failed[0].error}")
    second, again = timed(lambda: fetch_feeds(corpus))
    assert again.new == 0 and all(r.unchanged for r in again.results)  # type: ignore[attr-defined]
    return first, second, written


def bench_feedparser(urls: list[str]) -> tuple[float, float, int]:
    import feedparser

    with ThreadPoolExecutor(6) as pool:
        first, parsed = timed(lambda: list(pool.map(feedparser.parse, urls)))
        etags = [p.get("etag") for p in parsed]  # type: ignore[attr-defined]
        second, again = timed(lambda: list(pool.map(
            lambda pair: feedparser.parse(pair[0], etag=pair[1]), zip(urls, etags,
                                                                       strict=True))))
    entries = sum(len(p.entries) for p in parsed)  # type: ignore[attr-defined]
    assert all(p.get("status") == 304 for p in again)  # type: ignore[attr-defined]
    return first, second, entries


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--feeds", type=int, default=200)
    parser.add_argument("--entries", type=int, default=50)
    parser.add_argument("--runs", type=int, default=3, help="median of this many (default 3)")
    args = parser.parse_args()
    server, base = serve(args.feeds, args.entries)
    urls = [f"{base}/feed/{n}.xml" for n in range(args.feeds)]
    ours, theirs = [], []
    try:
        for _ in range(args.runs):
            with tempfile.TemporaryDirectory() as tmp:
                ours.append(bench_reader(urls, Path(tmp)))
            theirs.append(bench_feedparser(urls))
    finally:
        server.shutdown()

    def median(rows: list[tuple[float, float, int]], column: int) -> float:
        return statistics.median(row[column] for row in rows)

    print(f"{args.feeds} feeds x {args.entries} entries on 127.0.0.1, median of {args.runs} "
          "runs\n")
    print("| | first fetch | second fetch (all 304) | entries |")
    print("|---|---:|---:|---:|")
    print(f"| reader fetch (parse + write articles) | {median(ours, 0):.2f} s "
          f"| {median(ours, 1):.2f} s | {ours[0][2]:,} written |")
    print(f"| feedparser alone (parse only) | {median(theirs, 0):.2f} s "
          f"| {median(theirs, 1):.2f} s | {theirs[0][2]:,} parsed |")
    target = "met" if median(ours, 1) < 2 else "NOT met"
    print(f"\nsecond fetch under 2 s: {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
