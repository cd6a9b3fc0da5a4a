"""What ``reader fetch`` makes of real feeds, served on loopback: each entry once, exactly.

    .venv/bin/python bench/check_feeds.py DIR [--json]

Every file in DIR is served from 127.0.0.1 as a feed (``.json`` as JSON Feed, ``.atom`` as
Atom, anything else as RSS, each without a charset so the feed's own declaration counts),
beside two that fail (an address that answers 404, a port nobody listens on). The real
command does the rest, with its own settings and data folders in a temporary directory:
``reader feeds import`` of an OPML naming them all, ``reader fetch`` twice. Checked against
feedparser's own reading of each feed:

- every entry with a title and an http(s) link is one article, no more, in its feed's
  folder, with that title (white space collapsed; an HTML title without its markup) and
  that link as ``Title:`` and ``URL:``;
- the article's body holds the entry's text: the share of the words of its longest
  content or summary (as a bag, markup and link targets left out) found in the body;
- the second fetch writes and changes nothing, and says so;
- the two failing feeds are named on stderr and the exit status is 1;
- nothing is written outside the folder (but the settings and data folders).

Prints the problems found, then one line per check. Exit status 0 when every check holds.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import threading
from collections import Counter, defaultdict
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from xml.sax.saxutils import quoteattr

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from reader.core.articles import parse_article  # noqa: E402

READER = [sys.executable, "-m", "reader.cli"]


def words(text: str) -> list[str]:
    return re.findall(r"\w+", text.casefold())


def recall(expected: str, got: str) -> float:
    want, have = Counter(words(expected)), Counter(words(got))
    total = sum(want.values())
    return sum(min(n, have[w]) for w, n in want.items()) / total if total else 1.0


def _text_of(html: str) -> str:
    import lxml.html

    if "<" not in html and "&" not in html:
        return html
    try:
        return str(lxml.html.fragment_fromstring(html, create_parent="div").text_content())
    except Exception:  # noqa: BLE001 - an entry that lxml cannot read is compared as is
        return html


def _kind(name: str) -> str:
    if name.endswith(".json"):
        return "application/feed+json"
    if name.endswith(".atom"):
        return "application/atom+xml"
    return "application/rss+xml"


def serve(folder: Path) -> tuple[ThreadingHTTPServer, str]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:  # noqa: N802
            path = folder / self.path.lstrip("/")
            if path.parent != folder or not path.is_file():
                self.send_error(404)
                return
            body = path.read_bytes()
            self.send_response(200)
            self.send_header("Content-Type", _kind(path.name))
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _files(top: Path) -> dict[str, str]:
    found = {}
    for path in top.rglob("*"):
        if path.is_file():
            found[path.relative_to(top).as_posix()] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found


def expected_entries(data: bytes, url: str, content_type: str) -> list[dict[str, str]]:
    """The entries a person subscribing to the feed expects, as feedparser alone reads them."""
    import feedparser

    if content_type.endswith("json"):
        try:
            doc = json.loads(data.decode("utf-8-sig"))
        except ValueError:
            return []
        items = doc.get("items") if isinstance(doc, dict) else None
        found = []
        for item in items if isinstance(items, list) else []:
            if not isinstance(item, dict):
                continue
            text = item.get("content_html") or item.get("content_text") or item.get("summary")
            found.append({"title": " ".join(str(item.get("title") or "").split()),
                          "link": str(item.get("url") or item.get("external_url") or ""),
                          "text": _text_of(str(text or ""))})
        return found
    parsed = feedparser.parse(data, response_headers={"content-location": url,
                                                      "content-type": content_type})
    found = []
    for entry in parsed.entries:
        title = entry.get("title") or ""
        if "html" in str((entry.get("title_detail") or {}).get("type", "")):
            title = _text_of(title)
        texts = [c.get("value", "") for c in entry.get("content", [])]
        texts.append(entry.get("summary", ""))
        found.append({"title": " ".join(title.split()), "link": entry.get("link") or "",
                      "text": max((_text_of(t) for t in texts), key=len, default="")})
    return found


def run(command: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(READER + command, env=env, cwd=cwd, capture_output=True, text=True,
                          timeout=600, check=False)


def check(folder: Path) -> tuple[list[str], list[str], bool]:
    names = sorted(p.name for p in folder.iterdir() if p.is_file())
    server, base = serve(folder)
    problems: list[str] = []
    lines: list[str] = []
    ok = True
    try:
        with tempfile.TemporaryDirectory() as tmp:
            top = Path(tmp)
            corpus = top / "news"
            env = {**os.environ, "HOME": str(top / "home"), "PYTHONPATH": str(ROOT),
                   "XDG_DATA_HOME": str(top / "home" / "data"),
                   "XDG_CONFIG_HOME": str(top / "home" / "config"),
                   "XDG_CACHE_HOME": str(top / "home" / "cache")}
            for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy",
                         "https_proxy", "all_proxy"):
                env.pop(name, None)
            failing = {f"{base}/gone-away.xml": "gone away",
                       f"http://127.0.0.1:{_free_port()}/feed.xml": "nobody listening"}
            outlines = "".join(
                f"<outline type='rss' text={quoteattr(n)} title={quoteattr(n)} "
                f"xmlUrl={quoteattr(f'{base}/{n}')}/>" for n in names)
            outlines += "".join(f"<outline type='rss' text={quoteattr(why)} "
                                f"xmlUrl={quoteattr(url)}/>" for url, why in failing.items())
            opml = top / "feeds.opml"
            opml.write_text(f"<?xml version='1.0'?><opml version='1.0'><head><title>x</title>"
                            f"</head><body>{outlines}</body></opml>", "utf-8")
            before = _files(top)
            done = run(["feeds", "import", str(opml), "--corpus", str(corpus)], env, top)
            lines.append(f"import: exit {done.returncode}: {done.stdout.strip()}")
            first = run(["fetch", "--corpus", str(corpus), "--timeout", "10"], env, top)
            lines.append(f"first fetch: exit {first.returncode}: {first.stdout.strip()}")
            named = [url for url in failing if url in first.stderr]
            if first.returncode != 1 or len(named) != len(failing):
                ok = False
                problems.append(f"the failing feeds: exit {first.returncode}, named "
                                f"{len(named)} of {len(failing)}: {first.stderr.strip()}")
            other_errors = [line for line in first.stderr.splitlines()
                            if not any(url in line for url in failing)]
            problems.extend(f"stderr: {line}" for line in other_errors)
            written = _files(corpus)
            second = run(["fetch", "--corpus", str(corpus), "--timeout", "10"], env, top)
            lines.append(f"second fetch: exit {second.returncode}: {second.stdout.strip()}")
            again = _files(corpus)
            said = second.stdout.strip().rpartition("\n")[2]
            if again != written or not said.startswith("0 new"):
                ok = False
                changed = sorted(set(again.items()) ^ set(written.items()))
                problems.append(f"the second fetch changed {len(changed)} files: {changed[:5]}")
            outside = sorted(path for path in set(_files(top)) - set(before)
                             if not path.startswith(("news/", "home/")))
            if outside:
                ok = False
                problems.append(f"written outside the folder: {outside}")
            listing = run(["feeds", "list", "--json", "--corpus", str(corpus)], env, top)
            sections = {f["url"]: f["section"] for f in map(json.loads,
                                                            listing.stdout.splitlines())}
            by_folder: dict[str, list[tuple[str, str, str]]] = defaultdict(list)
            for rel in written:
                article = parse_article((corpus / rel).read_bytes(), rel)
                by_folder[rel.rpartition("/")[0]].append((article.url, article.title,
                                                          article.body))
            entries = once = 0
            kept: list[float] = []
            for name in names:
                url = f"{base}/{name}"
                data = (folder / name).read_bytes()
                articles = by_folder.get(sections.get(url) or "", [])
                for entry in expected_entries(data, url, _kind(name)):
                    if not entry["title"] or not entry["link"].startswith(("http://",
                                                                          "https://")):
                        continue
                    entries += 1
                    linked = [a for a in articles if a[0] == entry["link"]]
                    same = [a for a in linked if a[1] == entry["title"]]
                    if len(same) == 1:
                        once += 1
                    elif same:
                        problems.append(f"{name}: {entry['title']!r} written {len(same)} times")
                    elif linked:
                        problems.append(f"{name}: {entry['link']}: titled "
                                        f"{[a[1] for a in linked]}, the feed's "
                                        f"{entry['title']!r}")
                    else:
                        problems.append(f"{name}: no article for {entry['link']}")
                    if same and entry["text"].strip():
                        kept.append(recall(entry["text"], same[0][2]))
                        if kept[-1] < 0.9:
                            problems.append(f"{name}: {entry['link']}: {kept[-1]:.2f} of the "
                                            "feed's text in the body")
            if once != entries:
                ok = False
            lines.append(f"{entries} entries with a title and a link in {len(names)} feeds: "
                         f"{once} written once with the feed's exact title and link")
            if kept:
                lines.append(f"bodies: {sum(k >= 0.9 for k in kept)} of {len(kept)} hold 90% "
                             f"or more of the feed's text (mean {sum(kept) / len(kept):.3f})")
            lines.append(f"{len(written)} articles written; the second fetch changed "
                         f"{'nothing' if again == written else 'something'}")
    finally:
        server.shutdown()
    return problems, lines, ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", type=Path)
    args = parser.parse_args()
    problems, lines, ok = check(args.folder.resolve())
    for problem in problems:
        print(f"  {problem}")
    for line in lines:
        print(line)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
