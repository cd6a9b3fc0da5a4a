"""A real HTTP server on 127.0.0.1 for the feed tests, and feeds and pages shaped like real ones.

The server answers from a table of routes; a route can be bytes (with headers, an ETag for
conditional GETs) or a function that misbehaves (holds the connection, loops, floods).
Every request is recorded, so a test can say what was asked and what never was.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

PAGES = Path(__file__).resolve().parent / "pages"


@dataclass
class Route:
    body: bytes = b""
    content_type: str = "application/rss+xml; charset=utf-8"
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    etag: str | None = None
    handler: Callable[[BaseHTTPRequestHandler], None] | None = None


@dataclass
class Request:
    path: str
    host: str
    headers: dict[str, str]


class FeedServer:
    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.requests: list[Request] = []
        self.release = threading.Event()  # set at the end: held connections let go
        self.lock = threading.Lock()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:  # quiet
                pass

            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                path = self.path
                host = (self.headers.get("Host") or "").rsplit(":", 1)[0]
                with outer.lock:
                    outer.requests.append(Request(path, host, dict(self.headers)))
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    outer.answer(self, path)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.02,),
                                       daemon=True)

    def __enter__(self) -> FeedServer:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.release.set()
        self.httpd.shutdown()
        self.httpd.server_close()

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{path}"

    def add(self, path: str, body: bytes | str = b"", **kwargs) -> str:
        if isinstance(body, str):
            body = body.encode("utf-8")
        self.routes[path] = Route(body=body, **kwargs)
        return self.url(path)

    def asked(self, path: str) -> list[Request]:
        with self.lock:
            return [r for r in self.requests if r.path == path]

    def answer(self, handler: BaseHTTPRequestHandler, path: str) -> None:
        route = self.routes.get(path)
        if route is None:
            send(handler, 404, b"not found", "text/plain")
            return
        if route.handler is not None:
            route.handler(handler)
            return
        headers = dict(route.headers)
        if route.etag:
            headers["ETag"] = route.etag
            if handler.headers.get("If-None-Match") == route.etag:
                send(handler, 304, b"", None, headers)
                return
        send(handler, route.status, route.body, route.content_type, headers)


def send(handler: BaseHTTPRequestHandler, status: int, body: bytes, content_type: str | None,
         headers: dict[str, str] | None = None) -> None:
    handler.send_response(status)
    if content_type:
        handler.send_header("Content-Type", content_type)
    for key, value in (headers or {}).items():
        handler.send_header(key, value)
    if status != 304:
        handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    if body and status != 304:
        handler.wfile.write(body)


def closed_port() -> int:
    """A loopback port nothing listens on (a feed that is down)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def hold(server: FeedServer, arrived: threading.Event | None = None):
    """A route that never answers (until the test ends): a slow server."""

    def handler(h: BaseHTTPRequestHandler) -> None:
        if arrived is not None:
            arrived.set()
        server.release.wait(30)

    return handler


def flood(megabytes: int):
    """A route that sends more than any cap, with no Content-Length."""

    def handler(h: BaseHTTPRequestHandler) -> None:
        h.send_response(200)
        h.send_header("Content-Type", "application/rss+xml")
        h.end_headers()
        h.wfile.write(b'<?xml version="1.0"?><rss version="2.0"><channel><title>Big</title>')
        chunk = b"<item><title>x</title></item>" * 2048
        with contextlib.suppress(OSError):
            for _ in range(megabytes * 1024 * 1024 // len(chunk)):
                h.wfile.write(chunk)

    return handler


def redirect(location: str, status: int = 302):
    def handler(h: BaseHTTPRequestHandler) -> None:
        send(h, status, b"", "text/plain", {"Location": location})

    return handler


# --- feeds shaped like real ones ----------------------------------------------------------

NEWSPAPER_RSS = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:media="http://search.yahoo.com/mrss/">
<channel>
  <title>The Daily Planet &#8211; World</title>
  <link>https://planet.example/world</link>
  <description>World news</description>
  <item>
    <title><![CDATA[Rain floods city centre as river bursts its banks]]></title>
    <link>{base}/news/rain-floods</link>
    <guid isPermaLink="false">planet-1001</guid>
    <pubDate>Sun, 14 Sep 2025 08:30:00 GMT</pubDate>
    <dc:creator>Ana Souza</dc:creator>
    <category>Weather</category>
    <category>Floods, storms</category>
    <description><![CDATA[<p>Heavy rain flooded the city centre on Sunday &amp; closed roads.</p><p>Residents said the water rose &ldquo;within an hour&rdquo;. <a href="/news/rain-floods?utm_source=rss&amp;utm_medium=feed">Read more</a></p><img src="https://pixel.example/t.gif" width="1" height="1"/>]]></description>
    <media:thumbnail url="https://planet.example/img.jpg"/>
  </item>
  <item>
    <title>Markets rally &amp; the pound gains: what it means</title>
    <link>{base}/news/markets</link>
    <guid isPermaLink="true">{base}/news/markets</guid>
    <pubDate>Mon, 15 Sep 2025 17:05:00 +0100</pubDate>
    <description>Stocks rose on Monday &#8212; investors welcomed progress in trade talks.</description>
  </item>
  <item>
    <title>Minister&#8217;s plan: &lt;b&gt;bold&lt;/b&gt; moves</title>
    <link>{base}/news/plan</link>
    <guid>planet-1003</guid>
    <pubDate>Tue, 16 Sep 2025 06:00:00 GMT</pubDate>
    <description><![CDATA[<ul><li>First point</li><li>Second point</li></ul><p>The post <a href="https://planet.example">Plan</a> appeared first on <a href="https://planet.example">Planet</a>.</p>]]></description>
  </item>
</channel>
</rss>
"""

TECH_ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:base="{base}/blog/">
  <title type="text">Byte Weekly</title>
  <link href="{base}/blog/" rel="alternate"/>
  <id>urn:uuid:60a76c80-d399-11d9-b93C-0003939e0af6</id>
  <updated>2025-09-16T12:00:00Z</updated>
  <entry>
    <title type="html">Rust 2.0 &lt;em&gt;released&lt;/em&gt;</title>
    <link rel="alternate" href="posts/rust-2"/>
    <id>tag:byte.example,2025:rust-2</id>
    <updated>2025-09-16T12:00:00Z</updated>
    <author><name>Grace Hopper</name></author>
    <category term="programming"/>
    <category term="rust" label="Rust"/>
    <content type="html">&lt;p&gt;The new version brings &lt;code&gt;async&lt;/code&gt; closures.&lt;/p&gt;&lt;pre&gt;fn main() {{
    println!("hi");
}}&lt;/pre&gt;&lt;p&gt;See &lt;a href="notes/changes"&gt;the changes&lt;/a&gt;.&lt;/p&gt;</content>
  </entry>
  <entry>
    <title>Kernel 7.1 lands</title>
    <link href="{base}/blog/posts/kernel"/>
    <id>tag:byte.example,2025:kernel</id>
    <published>2025-09-15T09:00:00+02:00</published>
    <updated>2025-09-15T10:00:00+02:00</updated>
    <summary>Linus tagged the release on Sunday.</summary>
  </entry>
</feed>
"""

RSS1_RDF = """<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">
  <channel rdf:about="{base}/rdf">
    <title>Regional Gazette</title>
    <link>{base}/</link>
    <description>Local news</description>
    <items><rdf:Seq><rdf:li rdf:resource="{base}/local/bridge"/></rdf:Seq></items>
  </channel>
  <item rdf:about="{base}/local/bridge">
    <title>Old bridge to reopen in spring</title>
    <link>{base}/local/bridge</link>
    <description>The council approved repairs to the old stone bridge.</description>
    <dc:date>2025-09-10T07:00:00Z</dc:date>
    <dc:creator>J. Smith</dc:creator>
    <dc:subject>Transport</dc:subject>
  </item>
</rdf:RDF>
"""

JSON_FEED = """{{
  "version": "https://jsonfeed.org/version/1.1",
  "title": "Micro News",
  "home_page_url": "{base}/micro/",
  "items": [
    {{"id": "m1", "url": "{base}/micro/1", "title": "A JSON item",
      "content_html": "<p>Hello from <b>JSON</b> Feed &amp; friends.</p>",
      "date_published": "2025-09-12T10:00:00Z", "authors": [{{"name": "Jo"}}],
      "tags": ["json", "feeds"]}},
    {{"id": "m2", "url": "/micro/2", "content_text": "An item with no title, only text that goes on for a while.",
      "date_published": "2025-09-13T10:00:00Z"}}
  ]
}}
"""

PORTUGUESE_RSS = """<?xml version="1.0" encoding="ISO-8859-1"?>
<rss version="2.0"><channel>
  <title>Notícias do Sul</title>
  <link>{base}/pt</link>
  <item>
    <title>Chuva forte causa inundações em São Paulo</title>
    <link>{base}/pt/chuva</link>
    <guid>pt-1</guid>
    <pubDate>Wed, 17 Sep 2025 12:00:00 -0300</pubDate>
    <description>A prefeitura declarou situação de emergência após a chuva de terça-feira. Ação rápida, atenção à população.</description>
  </item>
</channel></rss>
"""

REDDIT_ATOM = """<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xmlns:media="http://search.yahoo.com/mrss/">
  <category term="worldnews" label="r/worldnews"/>
  <updated>2025-09-18T10:00:00+00:00</updated>
  <id>/r/worldnews/.rss</id>
  <link rel="self" href="{base}/r/worldnews/.rss" type="application/atom+xml"/>
  <title>World News</title>
  <entry>
    <author><name>/u/newsbot</name><uri>https://www.reddit.example/user/newsbot</uri></author>
    <category term="worldnews" label="r/worldnews"/>
    <content type="html">&lt;table&gt; &lt;tr&gt;&lt;td&gt; &lt;a href="https://www.reddit.example/r/worldnews/comments/abc/"&gt; &lt;img src="https://thumbs.example/abc.jpg" alt="Summit ends" title="Summit ends" /&gt; &lt;/a&gt; &lt;/td&gt;&lt;td&gt; &amp;#32; submitted by &amp;#32; &lt;a href="https://www.reddit.example/user/newsbot"&gt; /u/newsbot &lt;/a&gt; &lt;br/&gt; &lt;span&gt;&lt;a href="{base}/news/summit"&gt;[link]&lt;/a&gt;&lt;/span&gt; &amp;#32; &lt;span&gt;&lt;a href="https://www.reddit.example/r/worldnews/comments/abc/"&gt;[comments]&lt;/a&gt;&lt;/span&gt; &lt;/td&gt;&lt;/tr&gt;&lt;/table&gt;</content>
    <id>t3_abc</id>
    <media:thumbnail url="https://thumbs.example/abc.jpg"/>
    <link href="https://www.reddit.example/r/worldnews/comments/abc/summit_ends/"/>
    <updated>2025-09-18T09:58:00+00:00</updated>
    <published>2025-09-18T09:58:00+00:00</published>
    <title>Summit ends with a deal on climate finance</title>
  </entry>
</feed>
"""

SPARSE_RSS = """<?xml version="1.0"?>
<rss version="2.0"><channel><title>Sparse</title>
  <item><description>An entry with neither title nor link nor date. It still has words to read.</description></item>
  <item><title>Only a title</title></item>
  <item><title>Relative link</title><link>/sparse/rel</link><description>x</description></item>
  <item><title>A file link</title><link>file:///etc/passwd</link><description>Never read from disk.</description></item>
</channel></rss>
"""


def rss(title: str, items: list[tuple[str, str, str]], base: str) -> str:
    """A plain RSS 2.0 feed of (guid, title, description) items, linked under ``base``."""
    body = "".join(
        f"<item><title>{t}</title><link>{base}/{g}</link><guid>{g}</guid>"
        f"<pubDate>Mon, 15 Sep 2025 10:00:00 GMT</pubDate><description>{d}</description></item>"
        for g, t, d in items)
    return (f'<?xml version="1.0"?><rss version="2.0"><channel><title>{title}</title>'
            f"<link>{base}/</link>{body}</channel></rss>")


def page(name: str) -> bytes:
    return (PAGES / name).read_bytes()
