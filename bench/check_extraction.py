"""How well ``--full-text`` and ``reader save`` get a page's article, on pages served on loopback.

    .venv/bin/python bench/check_extraction.py [DIR] [--json]

DIR (default: tests/feeds/pages) holds ``NAME.html`` pages, each beside ``NAME.expected.txt``:
its first line the page's headline, the rest the article's text as a person would copy it.
Every page is served from 127.0.0.1 and read twice, the way a user would: once by
``reader save`` (the headline and the text) and once as the page of a feed entry fetched
with ``--full-text``. Prints each page's recall (the share of the article's words the
saved body holds) and whether the headline was found, then the medians and shares the
issue asks for: median recall >= 0.95, >= 90% of pages at 0.7 or more, headline >= 85%.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import tempfile
import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from reader.core.articles import parse_article  # noqa: E402
from reader.core.feeds import add_feed, fetch_feeds, save_page  # noqa: E402

PAGES = ROOT / "tests" / "feeds" / "pages"


def words(text: str) -> list[str]:
    return re.findall(r"\w+", text.casefold())


def recall(expected: str, got: str) -> float:
    """The share of the expected text's words (counted with repeats) that ``got`` holds."""
    want, have = Counter(words(expected)), Counter(words(got))
    total = sum(want.values())
    return sum(min(n, have[w]) for w, n in want.items()) / total if total else 1.0


def same_headline(expected: str, got: str) -> bool:
    def norm(text: str) -> str:
        return " ".join(words(text))

    return norm(expected) == norm(got)


def serve(folder: Path) -> tuple[ThreadingHTTPServer, str]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:  # noqa: N802
            name = self.path.lstrip("/")
            if name == "feed.xml":
                body = self.server.feed.encode("utf-8")  # type: ignore[attr-defined]
                kind = "application/rss+xml"
            else:
                path = folder / name
                if not (path.suffix == ".html" and path.is_file()):
                    self.send_error(404)
                    return
                body, kind = path.read_bytes(), "text/html"
            self.send_response(200)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def check(folder: Path) -> list[dict[str, object]]:
    pages = sorted(p for p in folder.glob("*.html") if p.with_suffix(".expected.txt").is_file())
    server, base = serve(folder)
    rows: list[dict[str, object]] = []
    try:
        items = "".join(f"<item><title>Entry {n}</title><link>{base}/{p.name}</link>"
                        f"<guid>{p.name}</guid><description>Teaser {n}.</description></item>"
                        for n, p in enumerate(pages))
        server.feed = (f'<?xml version="1.0"?><rss version="2.0"><channel><title>Pages</title>'  # type: ignore[attr-defined]
                       f"{items}</channel></rss>")
        with tempfile.TemporaryDirectory() as tmp:
            corpus = Path(tmp) / "corpus"
            add_feed(corpus, f"{base}/feed.xml", name="full", full_text=True)
            report = fetch_feeds(corpus)
            by_link: dict[str, str] = {}
            for rel in report.results[0].new:
                article = parse_article((corpus / rel).read_bytes(), rel)
                by_link[article.url] = article.body
            for page in pages:
                headline, _, text = page.with_suffix(".expected.txt").read_text(
                    "utf-8").partition("\n")
                url = f"{base}/{page.name}"
                try:
                    saved = save_page(corpus, url)
                    article = parse_article((corpus / saved.path).read_bytes(), saved.path)
                    title, body = article.title, article.body
                except Exception as exc:  # noqa: BLE001 - a page that fails is a row too
                    title, body = f"(failed: {exc})", ""
                rows.append({
                    "page": page.name,
                    "save_recall": round(recall(text, body), 3),
                    "full_text_recall": round(recall(text, by_link.get(url, "")), 3),
                    "headline": same_headline(headline, title),
                    "title": title,
                })
    finally:
        server.shutdown()
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", nargs="?", type=Path, default=PAGES)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    rows = check(args.folder)
    if not rows:
        print(f"no NAME.html with NAME.expected.txt in {args.folder}", file=sys.stderr)
        return 2
    for row in rows:
        print(json.dumps(row) if args.json else
              f"{row['page']:40} save {row['save_recall']:.3f}  full-text "
              f"{row['full_text_recall']:.3f}  headline {'yes' if row['headline'] else 'NO: '}"
              f"{'' if row['headline'] else row['title']}")
    for key in ("save_recall", "full_text_recall"):
        values = [float(row[key]) for row in rows]  # type: ignore[arg-type]
        print(f"{key}: median {statistics.median(values):.3f}, "
              f"{sum(v >= 0.7 for v in values) / len(values):.0%} of pages at 0.7 or more")
    print(f"headline found: {sum(bool(r['headline']) for r in rows) / len(rows):.0%} "
          f"of {len(rows)} pages")
    return 0


if __name__ == "__main__":
    sys.exit(main())
