"""How well ``--full-text`` and ``reader save`` get a page's article, on pages served on loopback.

    .venv/bin/python bench/check_extraction.py [SOURCE ...] [--headlines FILE] [--only save|feed]
                                                [--json] [--limit N]

Each SOURCE is one of:

- a folder of ``NAME.html`` pages (default: tests/feeds/pages), each beside
  ``NAME.expected.txt``: its first line the page's headline, the rest the article's text as
  a person would copy it;
- a JSON file shaped like the article-extraction-benchmark's ``ground-truth.json``
  (github.com/scrapinghub/article-extraction-benchmark): ``{id: {"articleBody", "url",
  "headline"?}}``, the pages in ``html/ID.html`` or ``html/ID.html.gz`` beside it;
- a JSON file shaped like trafilatura's ``tests/evaldata.json``: ``{url: {"file", "title"?,
  "with": [...], "without": [...]}}``, the pages in ``eval/`` or ``cache/`` beside it (the
  snippets the article must and must not hold).

``--headlines FILE`` adds headlines to pages that come without one (``{id: headline}``).

Every page is served from 127.0.0.1 (as ``text/html`` without a charset, so the page's own
markup names its encoding) and read the way a user would: once by ``reader save`` and once
as the page of an entry of a ``--full-text`` feed fetched by ``reader fetch``. Per page:

- recall: the share of the expected text's words, as a bag (each word counted as often as it
  occurs, in any order, case folded), that the article's body holds;
- precision: the share of the body's words that the expected text holds (the menus,
  comments and "related" lists kept by mistake lower it; the list of link targets at the
  end is not counted);
- headline (``reader save``): the article's title equals the expected headline once white
  space is collapsed and curly quotes made straight ("loosely": also ignoring case and
  punctuation);
- with / without: the share of the must-hold snippets found, and of the must-not-hold found.

Then the medians and shares the issue asks for: median recall >= 0.95, >= 90% of pages at
0.7 or more, headline >= 85%.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import quote, unquote

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from reader.core.articles import parse_article  # noqa: E402
from reader.core.feeds import add_feed, fetch_feeds, save_page  # noqa: E402

PAGES = ROOT / "tests" / "feeds" / "pages"
_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'",
                         "\u2032": "'", "\u201c": '"', "\u201d": '"', "\u201e": '"',
                         "\u201f": '"', "\u2033": '"', "\u00ab": '"', "\u00bb": '"'})


@dataclass
class Sample:
    """One page and what a person would say its article is."""

    name: str  # unique; the page is served at /NAME.html
    html: bytes
    origin: str  # where the page came from (its address on the web, or its file)
    text: str | None = None
    headline: str | None = None
    with_: tuple[str, ...] = ()
    without: tuple[str, ...] = ()


def words(text: str) -> list[str]:
    return re.findall(r"\w+", text.casefold())


def recall(expected: str, got: str) -> float:
    """The share of the expected text's words (counted with repeats) that ``got`` holds."""
    want, have = Counter(words(expected)), Counter(words(got))
    total = sum(want.values())
    return sum(min(n, have[w]) for w, n in want.items()) / total if total else 1.0


_LINK_LIST = re.compile(r"\n*Links:\n(\[\d+\] \S+\n?)+\Z")
_LINK_MARK = re.compile(r"\[\d+\]")


def precision(expected: str, got: str) -> float:
    """The share of ``got``'s words (counted with repeats) that the expected text holds; the
    list of link targets at the end and the [n] marks that point to it are left out."""
    return recall(_LINK_MARK.sub("", _LINK_LIST.sub("", got)), expected)


def normal_headline(text: str) -> str:
    """White space collapsed, curly quotes straight: how the issue compares headlines."""
    return " ".join(text.translate(_QUOTES).split())


def same_headline(expected: str, got: str) -> bool:
    return normal_headline(expected) == normal_headline(got)


def loosely_same_headline(expected: str, got: str) -> bool:
    return words(expected) == words(got)


def _snippet_in(snippet: str, text: str) -> bool:
    return normal_headline(snippet) in text


# --- collections -------------------------------------------------------------------------

def _safe_name(text: str) -> str:
    return re.sub(r"[^\w.-]+", "_", text)[:80] or "page"


def load_folder(folder: Path) -> list[Sample]:
    samples = []
    for page in sorted(folder.glob("*.html")):
        expected = page.with_suffix(".expected.txt")
        if not expected.is_file():
            continue
        headline, _, text = expected.read_text("utf-8").partition("\n")
        samples.append(Sample(page.stem, page.read_bytes(), str(page), text=text,
                              headline=headline.strip() or None))
    return samples


def load_benchmark(path: Path, doc: dict[str, dict[str, object]]) -> list[Sample]:
    """The article-extraction-benchmark's ground truth: the article's text of every page."""
    samples = []
    for key, item in sorted(doc.items()):
        for page in (path.parent / "html" / f"{key}.html.gz", path.parent / "html" /
                     f"{key}.html"):
            if page.is_file():
                data = page.read_bytes()
                html = gzip.decompress(data) if page.suffix == ".gz" else data
                break
        else:
            continue
        headline = item.get("headline")
        samples.append(Sample(_safe_name(key), html, str(item.get("url") or page),
                              text=str(item.get("articleBody") or ""),
                              headline=str(headline) if headline else None))
    return samples


def load_evaldata(path: Path, doc: dict[str, dict[str, object]]) -> list[Sample]:
    """trafilatura's evaluation data: snippets each page's text must and must not hold."""
    samples = []
    for url, item in doc.items():
        file = str(item.get("file") or "")
        page = next((folder / file for folder in (path.parent / "eval", path.parent / "cache")
                     if (folder / file).is_file()), None)
        if page is None:
            continue
        title = item.get("title")
        samples.append(Sample(
            _safe_name(page.stem), page.read_bytes(), url,
            headline=" ".join(str(title).split()) if title else None,
            with_=tuple(map(str, item.get("with") or ())),  # type: ignore[call-overload]
            without=tuple(map(str, item.get("without") or ()))))  # type: ignore[call-overload]
    return samples


def load(source: Path) -> list[Sample]:
    if source.is_dir():
        return load_folder(source)
    doc = json.loads(source.read_text("utf-8"))
    first = next(iter(doc.values()), {}) if isinstance(doc, dict) else {}
    if isinstance(first, dict) and "articleBody" in first:
        return load_benchmark(source, doc)
    if isinstance(first, dict) and "file" in first:
        return load_evaldata(source, doc)
    raise SystemExit(f"{source}: neither a folder of pages nor a known JSON collection")


# --- serving and reading -----------------------------------------------------------------

def serve(samples: dict[str, Sample]) -> tuple[ThreadingHTTPServer, str]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:  # noqa: N802
            name = unquote(self.path.lstrip("/"))
            if name == "feed.xml":
                body = self.server.feed.encode("utf-8")  # type: ignore[attr-defined]
                kind = "application/rss+xml; charset=utf-8"
            elif name.endswith(".html") and name[:-5] in samples:
                body, kind = samples[name[:-5]].html, "text/html"
            else:
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def _body(corpus: Path, rel: str) -> tuple[str, str]:
    article = parse_article((corpus / rel).read_bytes(), rel)
    return article.title, article.body


def check(samples: list[Sample], only: str | None = None) -> list[dict[str, object]]:
    by_name = {sample.name: sample for sample in samples}
    server, base = serve(by_name)
    rows: list[dict[str, object]] = []
    try:
        items = "".join(f"<item><title>Entry {n}</title><link>{base}/{quote(s.name)}.html</link>"
                        f"<guid>{quote(s.name)}</guid><description>Teaser {n}.</description>"
                        "</item>" for n, s in enumerate(samples))
        server.feed = (f'<?xml version="1.0"?><rss version="2.0"><channel><title>Pages</title>'  # type: ignore[attr-defined]
                       f"{items}</channel></rss>")
        with tempfile.TemporaryDirectory() as tmp:
            corpus, saved_corpus = Path(tmp) / "corpus", Path(tmp) / "saved"
            fed: dict[str, str] = {}
            if only != "save":
                add_feed(corpus, f"{base}/feed.xml", name="full", full_text=True,
                         db_path=Path(tmp) / "feeds.sqlite3")
                started = time.perf_counter()
                report = fetch_feeds(corpus, db_path=Path(tmp) / "feeds.sqlite3")
                print(f"fetch --full-text of {len(samples)} pages: "
                      f"{time.perf_counter() - started:.1f} s", file=sys.stderr)
                for rel in report.results[0].new:
                    article = parse_article((corpus / rel).read_bytes(), rel)
                    fed[article.url] = article.body
            for sample in samples:
                url = f"{base}/{quote(sample.name)}.html"
                row: dict[str, object] = {"page": sample.name, "origin": sample.origin}
                if only != "feed":
                    try:
                        # A folder of its own: in the fetch's, save names the fetched article.
                        saved = save_page(saved_corpus, url,
                                          db_path=Path(tmp) / "feeds.sqlite3")
                        title, body = _body(saved_corpus, saved.path)
                    except Exception as exc:  # noqa: BLE001 - a page that fails is a row too
                        title, body = f"(failed: {exc})", ""
                    row.update(_measures(sample, body, "save"))
                    row["title"] = title
                    if sample.headline is not None:
                        row["expected_headline"] = sample.headline
                        row["headline"] = same_headline(sample.headline, title)
                        row["headline_loosely"] = loosely_same_headline(sample.headline, title)
                if only != "save":
                    row.update(_measures(sample, fed.get(url, ""), "feed"))
                rows.append(row)
    finally:
        server.shutdown()
    return rows


def _measures(sample: Sample, body: str, prefix: str) -> dict[str, object]:
    found: dict[str, object] = {}
    if sample.text is not None:
        found[f"{prefix}_recall"] = round(recall(sample.text, body), 3)
        found[f"{prefix}_precision"] = round(precision(sample.text, body), 3)
    flat = normal_headline(body)
    if sample.with_:
        found[f"{prefix}_with"] = round(
            sum(_snippet_in(s, flat) for s in sample.with_) / len(sample.with_), 3)
    if sample.without:
        found[f"{prefix}_without"] = round(
            sum(_snippet_in(s, flat) for s in sample.without) / len(sample.without), 3)
    return found


# --- the report --------------------------------------------------------------------------

def summary(rows: list[dict[str, object]]) -> list[str]:
    lines = []
    for prefix, what in (("save", "reader save"), ("feed", "fetch --full-text")):
        values = [float(r[f"{prefix}_recall"]) for r in rows  # type: ignore[arg-type]
                  if f"{prefix}_recall" in r]
        if values:
            kept = [float(r[f"{prefix}_precision"]) for r in rows  # type: ignore[arg-type]
                    if f"{prefix}_precision" in r]
            lines.append(f"{what}: recall median {statistics.median(values):.3f}, "
                         f"{sum(v >= 0.7 for v in values) / len(values):.1%} of {len(values)} "
                         f"pages at 0.7 or more (mean {statistics.mean(values):.3f}); "
                         f"precision median {statistics.median(kept):.3f}")
        withs = [float(r[f"{prefix}_with"]) for r in rows  # type: ignore[arg-type]
                 if f"{prefix}_with" in r]
        withouts = [float(r[f"{prefix}_without"]) for r in rows  # type: ignore[arg-type]
                    if f"{prefix}_without" in r]
        if withs:
            lines.append(f"{what}: {statistics.mean(withs):.1%} of the must-hold snippets held, "
                         f"{statistics.mean(withouts) if withouts else 0:.1%} of the "
                         f"must-not-hold held ({len(withs)} pages)")
    heads = [r for r in rows if "headline" in r]
    if heads:
        exact = sum(bool(r["headline"]) for r in heads)
        loose = sum(bool(r["headline_loosely"]) for r in heads)
        lines.append(f"headline found: {exact / len(heads):.1%} of {len(heads)} pages "
                     f"({loose / len(heads):.1%} ignoring case and punctuation)")
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("sources", nargs="*", type=Path, default=[PAGES])
    parser.add_argument("--headlines", type=Path,
                        help="JSON {page id: headline} for pages that come without one")
    parser.add_argument("--only", choices=("save", "feed"), help="read the pages one way only")
    parser.add_argument("--limit", type=int, default=0, help="the first N pages of each source")
    parser.add_argument("--json", action="store_true", help="one JSON object a page")
    args = parser.parse_args()
    samples: list[Sample] = []
    for source in args.sources:
        found = load(source)
        samples.extend(found[:args.limit] if args.limit else found)
    names = Counter(sample.name for sample in samples)
    for sample in samples:
        if names[sample.name] > 1:
            sample.name = f"{sample.name}-{abs(hash(sample.origin)) % 10**8}"
    if args.headlines:
        labels = json.loads(args.headlines.read_text("utf-8"))
        for sample in samples:
            label = labels.get(sample.name)
            if sample.headline is None and label:
                sample.headline = label
    if not samples:
        print(f"no pages with expected text in {', '.join(map(str, args.sources))}",
              file=sys.stderr)
        return 2
    rows = check(samples, args.only)
    for row in rows:
        if args.json:
            print(json.dumps(row, ensure_ascii=False))
            continue
        parts = [f"{row['page'][:40]:40}"]  # type: ignore[index]
        for key in ("save_recall", "feed_recall", "save_with", "feed_with"):
            if key in row:
                parts.append(f"{key.replace('_', ' ')} {float(row[key]):.3f}")  # type: ignore[arg-type]
        if "headline" in row:
            parts.append("headline yes" if row["headline"] else f"headline NO: {row['title']!r}"
                         f" (expected {row['expected_headline']!r})")
        print("  ".join(parts))
    for line in summary(rows):
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
