"""Feeds: subscriptions, OPML, fetching, and writing entries as ordinary article files.

The corpus folder stays the source of truth: each new entry becomes one ``.txt`` file with
the header block (``DIR/<section>/<YYYY-MM-DD>-<slug>.txt``), written atomically and never
over a file that is already there. What was fetched (entry ids and links, the hash of each
file written, ETags) and the subscriptions live in ``feeds.sqlite3`` in the user data dir,
keyed by corpus like the reading history; a file of its own, so that a damaged or reset
reading history never loses the subscriptions, and fetching (a separate process from the
app) never waits on the app's marks.
"""

from __future__ import annotations

import asyncio
import contextlib
import email.utils
import fcntl
import hashlib
import json
import os
import re
import sqlite3
import tempfile
import threading
import time
import unicodedata
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpx

from .articles import SkipFile, content_hash, parse_article, parse_date
from .corpus import CorpusError, scan
from .extract import Page, extract_page, headline_of, html_to_text, is_web_url, one_line
from .paths import corpus_key, data_dir

__all__ = [
    "DEFAULT_TIMEOUT", "Feed", "FeedError", "FeedResult", "FeedStore", "FetchReport",
    "SaveResult", "add_feed", "export_opml", "fetch_feeds", "has_feeds", "import_opml",
    "last_fetched", "list_feeds", "parse_feed", "parse_opml", "remove_feed", "render_article",
    "safe_section", "save_page", "slugify",
]

DEFAULT_TIMEOUT = 15.0
#: A feed or a page larger than this is refused: no newspaper's front page comes near it.
MAX_FEED_BYTES = 10 * 1024 * 1024
MAX_PAGE_BYTES = 5 * 1024 * 1024
FEEDS_AT_ONCE = 6
REQUESTS_PER_HOST = 2
MAX_REDIRECTS = 10
USER_AGENT = "reader/0.1 (terminal news reader; +https://pypi.org/project/reader)"
SAVED_SECTION = "saved"
#: The feed column of pages saved with ``reader save``.
SAVED = ""
_SLUG_CHARS = 60
_DAMAGE_WORDS = ("not a database", "malformed", "corrupt", "file is encrypted")

SCHEMA = """
CREATE TABLE IF NOT EXISTS feeds (
    corpus TEXT NOT NULL,
    url TEXT NOT NULL,
    section TEXT,
    title TEXT NOT NULL DEFAULT '',
    full_text INTEGER NOT NULL DEFAULT 0,
    etag TEXT,
    last_modified TEXT,
    body_hash TEXT,
    added REAL NOT NULL,
    fetched REAL,
    error TEXT,
    PRIMARY KEY (corpus, url)
);
CREATE TABLE IF NOT EXISTS entries (
    corpus TEXT NOT NULL,
    feed TEXT NOT NULL,
    key TEXT NOT NULL,
    link TEXT,
    path TEXT,
    written_hash TEXT,
    fingerprint TEXT,
    date TEXT,
    seen REAL NOT NULL,
    PRIMARY KEY (corpus, feed, key)
);
CREATE INDEX IF NOT EXISTS entries_link ON entries (corpus, feed, link);
"""
SCHEMA_VERSION = 1


class FeedError(Exception):
    """A feed or page that cannot be had; ``str(exc)`` is one line for the user."""


@dataclass(frozen=True, slots=True)
class Feed:
    """One subscription of a corpus."""

    url: str
    section: str | None = None  # None until the first fetch names it after the feed
    title: str = ""
    full_text: bool = False
    etag: str | None = None
    last_modified: str | None = None
    body_hash: str | None = None
    added: float = 0.0
    fetched: float | None = None
    error: str | None = None

    @property
    def name(self) -> str:
        """What the user calls it: its section, else its title, else its address."""
        return self.section or self.title or self.url

    @property
    def label(self) -> str:
        """What a summary shows: its title, else its name."""
        return self.title or self.name


# --- names and paths ---------------------------------------------------------------------

def slugify(text: str, limit: int = _SLUG_CHARS) -> str:
    """Lower-case words joined by '-': ASCII where the text folds to it, else its letters."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    words = re.findall(r"[a-z0-9]+", folded.lower())
    if not words:
        words = re.findall(r"[^\W_]+", text.lower())
    slug = ""
    for word in words:
        if slug and len(slug) + 1 + len(word) > limit:
            break
        slug = f"{slug}-{word}" if slug else word[:limit]
    return slug


def safe_section(name: str) -> str:
    """A section folder the user named, checked: a relative path of plain folder names.

    Raises ValueError with a one-line reason for anything that could leave the corpus or
    hide from it ('..', '/x', '.hidden', control characters)."""
    cleaned = name.strip().strip("/")
    if not cleaned:
        raise ValueError("a section name cannot be empty")
    parts = cleaned.split("/")
    for part in parts:
        part_clean = part.strip()
        if not part_clean or part_clean in (".", ".."):
            raise ValueError(f"section {name!r} is not a plain folder name")
        if part_clean.startswith("."):
            raise ValueError(f"section {name!r} would be a hidden folder, which is not read")
        if re.search(r"[\x00-\x1f\x7f\\]", part_clean) or len(part_clean) > 100:
            raise ValueError(f"section {name!r} is not a plain folder name")
    return "/".join(part.strip() for part in parts)


def _inside(root: Path, path: Path) -> bool:
    try:
        return path.resolve().is_relative_to(root.resolve())
    except OSError:
        return False


def _section_dir(root: Path, section: str) -> Path:
    """The section's folder, made if needed; FeedError if it would lie outside the corpus
    (a symlinked section pointing elsewhere)."""
    folder = root.joinpath(*safe_section(section).split("/"))
    if not _inside(root, folder):
        raise FeedError(f"section '{section}' leads outside {root}; nothing is written there")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise FeedError(f"cannot make the folder {folder} ({exc.strerror or exc})") from None
    if not _inside(root, folder):
        raise FeedError(f"section '{section}' leads outside {root}; nothing is written there")
    return folder


def _write_new(root: Path, section: str, stem: str, data: bytes,
               folder: Path | None = None) -> str:
    """Write a new article atomically under a name no file has; the corpus path.

    The text goes to a hidden temporary file first (the scan ignores hidden files) and is
    hard-linked to its name, which fails rather than replace a file already there. A file
    already there with the very same bytes is this article, written by a fetch that was
    stopped before it could record it: it is taken as is."""
    folder = folder or _section_dir(root, section)
    fd, tmp = tempfile.mkstemp(prefix=".reader-", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        for n in range(1, 10_000):
            name = f"{stem}.txt" if n == 1 else f"{stem}-{n}.txt"
            target = folder / name
            try:
                os.link(tmp, target)
            except FileExistsError:
                with contextlib.suppress(OSError):
                    if target.is_file() and target.read_bytes() == data:
                        break
                continue
            except OSError:  # a file system without hard links: look, then rename
                if target.exists() or target.is_symlink():
                    continue
                os.replace(tmp, target)
            break
        else:
            raise FeedError(f"no free file name for {stem} in {folder}")
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
    return target.relative_to(root).as_posix()


def _replace_own(root: Path, rel: str, data: bytes, written_hash: str) -> bool:
    """Rewrite a file reader wrote, if the user has not edited (or moved) it since."""
    target = root / rel
    if not _inside(root, target):
        return False
    try:
        if content_hash(target.read_bytes()) != written_hash:
            return False
    except OSError:
        return False
    fd, tmp = tempfile.mkstemp(prefix=".reader-", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, target)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
    return True


# --- the store ---------------------------------------------------------------------------

def feeds_db() -> Path:
    return data_dir() / "feeds.sqlite3"


@dataclass(slots=True)
class _Known:
    key: str
    link: str | None
    path: str | None
    written_hash: str | None
    fingerprint: str | None
    date: str | None


class FeedStore:
    """The subscriptions of one corpus and what was fetched for them (SQLite, WAL)."""

    def __init__(self, corpus: Path, db_path: Path | None = None) -> None:
        self.corpus = str(Path(corpus).expanduser().resolve())
        self.path = Path(db_path) if db_path else feeds_db()
        self.notices: list[str] = []
        self._lock = threading.RLock()
        self.db = self._connect()

    def __enter__(self) -> FeedStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        with self._lock:
            self.db.close()

    def _connect(self) -> sqlite3.Connection:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise FeedError(f"{self.path.parent} cannot be written "
                            f"({exc.strerror or exc})") from None
        try:
            return self._open()
        except sqlite3.DatabaseError as exc:
            if not any(word in str(exc).lower() for word in _DAMAGE_WORDS):
                raise FeedError(f"{self.path} cannot be used ({exc})") from None
        stamp = time.strftime("%Y%m%d-%H%M%S", time.gmtime())
        backup = self.path.with_name(f"{self.path.name}.corrupt-{stamp}")
        for suffix in ("", "-wal", "-shm"):
            with contextlib.suppress(FileNotFoundError):
                Path(f"{self.path}{suffix}").rename(Path(f"{backup}{suffix}"))
        self.notices.append(f"the feeds database was damaged; it was kept as {backup} and a "
                            "new one started (subscriptions need adding again)")
        try:
            return self._open()
        except sqlite3.Error as exc:
            raise FeedError(f"{self.path} cannot be used ({exc})") from None

    def _open(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=10, isolation_level=None,
                             check_same_thread=False)
        try:
            db.execute("PRAGMA journal_mode = WAL")
            db.execute("PRAGMA synchronous = NORMAL")
            version = db.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                raise FeedError(f"{self.path} was made by a newer version of reader")
            if version < SCHEMA_VERSION:
                db.executescript(f"BEGIN IMMEDIATE; {SCHEMA} "
                                 f"PRAGMA user_version = {SCHEMA_VERSION}; COMMIT;")
            db.execute("SELECT count(*) FROM feeds").fetchone()
        except BaseException:
            db.close()
            raise
        return db

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self.db.execute("BEGIN IMMEDIATE")
            try:
                yield self.db
            except BaseException:
                self.db.execute("ROLLBACK")
                raise
            self.db.execute("COMMIT")

    # subscriptions

    _FEED_COLUMNS = ("url, section, title, full_text, etag, last_modified, body_hash, added, "
                     "fetched, error")

    @staticmethod
    def _feed(row: tuple[Any, ...]) -> Feed:
        url, section, title, full_text, etag, modified, body_hash, added, fetched, error = row
        return Feed(url=url, section=section, title=title or "", full_text=bool(full_text),
                    etag=etag, last_modified=modified, body_hash=body_hash, added=added,
                    fetched=fetched, error=error)

    def feeds(self) -> list[Feed]:
        """Every subscription, in the order they were added."""
        with self._lock:
            rows = self.db.execute(
                f"SELECT {self._FEED_COLUMNS} FROM feeds WHERE corpus = ? ORDER BY added, url",
                (self.corpus,)).fetchall()
        return [self._feed(row) for row in rows]

    def find(self, which: str) -> Feed:
        """A subscription by its address, its section or its title (any case)."""
        feeds = self.feeds()
        wanted = which.strip()
        tests: tuple[Callable[[Feed], bool], ...] = (
            lambda f: f.url == wanted,
            lambda f: f.url.rstrip("/") == wanted.rstrip("/"),
            lambda f: (f.section or "").casefold() == wanted.casefold(),
            lambda f: f.title.casefold() == wanted.casefold())
        for test in tests:
            found = [feed for feed in feeds if test(feed)]
            if len(found) == 1:
                return found[0]
        if feeds:
            names = ", ".join(sorted(feed.name for feed in feeds))
            raise FeedError(f"no feed {wanted!r} (the feeds: {names})")
        raise FeedError(f"no feed {wanted!r}: this folder has no feeds yet "
                        "(add one with 'reader feeds add URL')")

    def add(self, feed: Feed) -> bool:
        """Subscribe; False when the address is already a subscription (nothing changes)."""
        with self._transaction() as db:
            cursor = db.execute(
                "INSERT OR IGNORE INTO feeds (corpus, url, section, title, full_text, added) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (self.corpus, feed.url, feed.section, feed.title, int(feed.full_text),
                 feed.added or time.time()))
            return cursor.rowcount == 1

    def remove(self, url: str) -> None:
        """Unsubscribe. What was fetched is remembered, so adding it again brings back no
        article the user deleted."""
        with self._transaction() as db:
            db.execute("DELETE FROM feeds WHERE corpus = ? AND url = ?", (self.corpus, url))

    def sections(self) -> dict[str, str]:
        """section -> feed address, of the feeds named so far."""
        return {feed.section: feed.url for feed in self.feeds() if feed.section}

    def update_feed(self, feed: Feed) -> None:
        with self._transaction() as db:
            db.execute(
                "UPDATE feeds SET section = ?, title = ?, etag = ?, last_modified = ?, "
                "body_hash = ?, fetched = ?, error = ? WHERE corpus = ? AND url = ?",
                (feed.section, feed.title, feed.etag, feed.last_modified, feed.body_hash,
                 feed.fetched, feed.error, self.corpus, feed.url))

    # entries

    def known(self, feed_url: str) -> list[_Known]:
        with self._lock:
            rows = self.db.execute(
                "SELECT key, link, path, written_hash, fingerprint, date FROM entries "
                "WHERE corpus = ? AND feed = ?", (self.corpus, feed_url)).fetchall()
        return [_Known(*row) for row in rows]

    def paths_of_page(self, url: str) -> list[str]:
        """The files written for the page at ``url`` (fragment aside), by any feed or by
        ``reader save``: its id or its link is that address."""
        page = _same_page(url)
        with self._lock:
            rows = self.db.execute(
                "SELECT key, link, path FROM entries WHERE corpus = ? AND path IS NOT NULL "
                "ORDER BY seen",
                (self.corpus,)).fetchall()
        return [path for key, link, path in rows
                if _same_page(key) == page or (link and _same_page(link) == page)]

    def record(self, feed_url: str, known: _Known) -> None:
        with self._transaction() as db:
            db.execute(
                "INSERT OR REPLACE INTO entries (corpus, feed, key, link, path, written_hash, "
                "fingerprint, date, seen) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (self.corpus, feed_url, known.key, known.link, known.path, known.written_hash,
                 known.fingerprint, known.date, time.time()))

    def count(self, feed_url: str) -> int:
        with self._lock:
            row = self.db.execute("SELECT count(*) FROM entries WHERE corpus = ? AND feed = ?",
                                  (self.corpus, feed_url)).fetchone()
        return int(row[0])


# --- HTTP --------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class _Response:
    url: str
    status: int
    headers: httpx.Headers
    content: bytes

    @property
    def content_type(self) -> str:
        value: str = self.headers.get("content-type", "")
        return value.split(";")[0].strip().lower()


def _describe(exc: BaseException, timeout: float) -> str:
    if isinstance(exc, FeedError):
        return str(exc)
    if isinstance(exc, TimeoutError | httpx.TimeoutException):
        return f"no answer within {timeout:g} s"
    if isinstance(exc, httpx.TooManyRedirects):
        return f"redirects in a loop (gave up after {MAX_REDIRECTS})"
    if isinstance(exc, httpx.UnsupportedProtocol):
        return "redirected to an address that is not http or https (never followed)"
    if isinstance(exc, httpx.ConnectError):
        reason = _os_reason(exc) or str(exc) or "refused"
        if "Name or service not known" in reason or "nodename nor servname" in reason:
            reason = "no such host"
        return f"cannot connect ({reason})"
    if isinstance(exc, httpx.RemoteProtocolError):
        return f"the server broke off its answer ({exc})"
    if isinstance(exc, httpx.HTTPError):
        return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    return str(exc) or type(exc).__name__


def _os_reason(exc: BaseException) -> str:
    """What the system said under an httpx error ("connection refused"), rather than the
    "All connection attempts failed" that sits above it."""
    seen: set[int] = set()
    cause: BaseException | None = exc
    while cause is not None and id(cause) not in seen:
        seen.add(id(cause))
        if isinstance(cause, OSError) and cause.errno:
            return os.strerror(cause.errno).lower()
        cause = cause.__cause__ or cause.__context__
    return ""


class _Http:
    """httpx with the limits a fetch keeps: a deadline per request, capped sizes, at most
    ``REQUESTS_PER_HOST`` requests to one host at a time, http and https only."""

    def __init__(self, timeout: float, transport: httpx.AsyncBaseTransport | None = None):
        self.timeout = timeout
        self._hosts: dict[str, asyncio.Semaphore] = {}
        #: host:port -> why it could not be reached: the rest of its pages are not tried
        #: (fifty pages of a host that is gone would otherwise each wait for the timeout).
        self._unreachable: dict[str, str] = {}

        async def only_web(request: httpx.Request) -> None:
            if request.url.scheme not in ("http", "https"):
                raise FeedError("redirected to an address that is not http or https "
                                "(never followed)")

        self.client = httpx.AsyncClient(
            follow_redirects=True, max_redirects=MAX_REDIRECTS, transport=transport,
            timeout=httpx.Timeout(timeout), headers={"User-Agent": USER_AGENT},
            event_hooks={"request": [only_web]},
            limits=httpx.Limits(max_connections=FEEDS_AT_ONCE * REQUESTS_PER_HOST * 2),
        )

    async def aclose(self) -> None:
        await self.client.aclose()

    def _host(self, url: str) -> asyncio.Semaphore:
        host = (urlsplit(url).hostname or "").lower()
        return self._hosts.setdefault(host, asyncio.Semaphore(REQUESTS_PER_HOST))

    async def get(self, url: str, max_bytes: int, headers: dict[str, str] | None = None
                  ) -> _Response:
        """The answer, whole; FeedError with a one-line reason when there is none."""
        if not is_web_url(url):
            raise FeedError("not an http or https address (never read)")
        parts = urlsplit(url)
        where = f"{parts.hostname}:{parts.port or (443 if parts.scheme == 'https' else 80)}"
        async with self._host(url):
            if where in self._unreachable:
                raise FeedError(f"{self._unreachable[where]} (as before in this fetch)")
            try:
                async with asyncio.timeout(self.timeout):
                    return await self._get(url, max_bytes, headers or {})
            except FeedError:
                raise
            except (TimeoutError, httpx.HTTPError, OSError) as exc:
                why = _describe(exc, self.timeout)
                if isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout):
                    self._unreachable[where] = why
                raise FeedError(why) from None

    async def _get(self, url: str, max_bytes: int, headers: dict[str, str]) -> _Response:
        async with self.client.stream("GET", url, headers=headers) as response:
            if response.status_code == 304:
                return _Response(str(response.url), 304, response.headers, b"")
            if response.status_code >= 400:
                reason = response.reason_phrase or ""
                raise FeedError(f"HTTP {response.status_code} {reason}".strip())
            declared = response.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > max_bytes:
                raise FeedError(f"too large ({int(declared):,} bytes; the cap is "
                                f"{max_bytes:,})")
            chunks, size = [], 0
            async for chunk in response.aiter_bytes():
                size += len(chunk)
                if size > max_bytes:
                    raise FeedError(f"too large (over the {max_bytes:,}-byte cap)")
                chunks.append(chunk)
            return _Response(str(response.url), response.status_code, response.headers,
                             b"".join(chunks))


# --- parsing feeds -----------------------------------------------------------------------

@dataclass(slots=True)
class _Entry:
    """One feed entry, whatever the feed's format."""

    key: str
    title: str
    link: str
    date: datetime | None
    author: str
    tags: tuple[str, ...]
    text: str  # readable plain text of the entry's content

    def fingerprint(self) -> str:
        parts = [self.title, self.link, self.date.isoformat() if self.date else "",
                 self.author, ",".join(self.tags), self.text]
        return hashlib.blake2b("\x00".join(parts).encode("utf-8", "surrogatepass"),
                               digest_size=8).hexdigest()


@dataclass(slots=True)
class _Parsed:
    title: str
    site: str
    entries: list[_Entry]
    note: str = ""


_HTML_START = re.compile(rb"^\s*(<!--.*?-->\s*)*<(!doctype\s+html|html[\s>]|head[\s>]|body[\s>])",
                         re.IGNORECASE | re.DOTALL)
_XML_DECL_ENCODING = re.compile(rb"""^(\s*<\?xml[^>]*?encoding\s*=\s*["'])([^"']+)(["'])""")
_SINGLE_BYTE = re.compile(r"^(iso-?8859-?\d+|latin-?1|l1|(windows|cp)-?125\d|us-ascii|ascii)$",
                          re.IGNORECASE)


def looks_like_html(data: bytes, content_type: str = "") -> bool:
    return content_type in ("text/html", "application/xhtml+xml") or bool(
        _HTML_START.match(data[:2048]))


def _struct_date(value: Any) -> datetime | None:
    try:
        return datetime(*value[:6])
    except (TypeError, ValueError):
        return None


def _text_base(detail: Any, feed_url: str, entry_url: str) -> str:
    """What the relative links in an entry's text are relative to: the xml:base the feed
    gives, else the entry's own address (the feed's address is often another host)."""
    given = str((detail or {}).get("base") or "")
    return given if given and given != feed_url and is_web_url(given) else entry_url


def _entry_text(candidates: Iterable[tuple[str, str, str]]) -> str:
    """The longest readable text among an entry's contents and summary (kind, markup, the
    address its links are relative to)."""
    best = ""
    for kind, value, base in candidates:
        if not value:
            continue
        text = (html_to_text(value, base) if "html" in (kind or "html")
                else html_to_text(value.replace("<", "&lt;"), base) if "<" in value
                else html_to_text(value, base))
        if len(text) > len(best):
            best = text
    return best


def _clean_tags(values: Iterable[str]) -> tuple[str, ...]:
    seen: list[str] = []
    for value in values:
        tag = one_line(re.sub(r"[,;]", " ", value or ""))
        if tag and tag not in seen:
            seen.append(tag)
    return tuple(seen)


def _link(value: str | None, base: str) -> str:
    if not value:
        return ""
    url = urljoin(base, one_line(value)) if base else one_line(value)
    return url if is_web_url(url) else ""


def _key(entry_id: str, link: str, title: str, text: str) -> str:
    if entry_id:
        return entry_id
    if link:
        return link
    return "sha:" + hashlib.blake2b(f"{title}\x00{text}".encode(), digest_size=8).hexdigest()


def _parse_json_feed(data: bytes, url: str) -> _Parsed:
    """JSON Feed 1.0/1.1 (feedparser reads only XML feeds)."""
    try:
        doc = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise FeedError(f"not a feed (JSON that cannot be read: {exc})") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("items"), list):
        raise FeedError("not a feed (JSON without a JSON Feed's items)")
    base = _link(doc.get("home_page_url") if isinstance(doc.get("home_page_url"), str)
                 else None, url) or url
    entries: list[_Entry] = []
    for item in doc["items"]:
        if not isinstance(item, dict):
            continue
        def text_of(key: str, item: dict[str, Any] = item) -> str:
            value = item.get(key)
            return value if isinstance(value, str) else ""

        link = _link(text_of("url") or text_of("external_url"), base)
        text = _entry_text((("html", text_of("content_html"), link or base),
                            ("text", text_of("content_text"), link or base),
                            ("html", text_of("summary"), link or base)))
        authors = item.get("authors") or ([item["author"]] if item.get("author") else [])
        names = [a.get("name", "") for a in authors if isinstance(a, dict)]
        tags = item["tags"] if isinstance(item.get("tags"), list) else []
        title = one_line(text_of("title"))
        date = parse_date(text_of("date_published") or text_of("date_modified"))
        entries.append(_Entry(
            key=_key(one_line(str(item.get("id") or "")), link, title, text), title=title,
            link=link, date=date, author=", ".join(n for n in map(one_line, names) if n),
            tags=_clean_tags(t for t in tags if isinstance(t, str)), text=text))
    return _Parsed(title=one_line(str(doc.get("title") or "")), site=base, entries=entries)


def parse_feed(data: bytes, url: str, content_type: str = "") -> _Parsed:
    """A feed's title and entries, from RSS 0.9x/1.0/2.0, Atom or JSON Feed; FeedError
    (one line) for a web page, garbage, or anything else that is not a feed."""
    if not data.strip():
        raise FeedError("not a feed: the answer is empty")
    start = data[:64].lstrip()
    if "json" in content_type or start.startswith(b"{"):
        return _parse_json_feed(data, url)
    if looks_like_html(data, content_type) and b"<rss" not in data[:4096] \
            and b"<feed" not in data[:4096]:
        raise FeedError("not a feed: the address gives a web page (HTML)")
    import feedparser

    note = ""
    declared = _XML_DECL_ENCODING.match(data[:512])
    charset = _charset(content_type_header=content_type)
    single_byte = [name for name in (charset, declared.group(2).decode("ascii", "replace")
                                     if declared else "") if name and _SINGLE_BYTE.match(name)]
    if single_byte and not data.isascii():
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            pass
        else:  # valid UTF-8 that calls itself single-byte: UTF-8 it is
            note = f"says its text is {single_byte[0]} but it is UTF-8; read as UTF-8"
            if declared:
                data = _XML_DECL_ENCODING.sub(rb"\1utf-8\3", data, count=1)
            content_type = "application/xml; charset=utf-8"
    headers = {"content-location": url}
    if content_type:
        headers["content-type"] = content_type
    # Links inside an entry's text are resolved here, against the entry's own address:
    # feedparser would read them against the feed's (a feed host's, or loopback's).
    parsed = feedparser.parse(data, response_headers=headers, sanitize_html=True,
                              resolve_relative_uris=False)
    if not parsed.get("version") and not parsed.entries:
        problem = parsed.get("bozo_exception")
        if looks_like_html(data):
            raise FeedError("not a feed: the address gives a web page (HTML)")
        raise FeedError(f"not a feed ({_one_line_error(problem)})" if problem
                        else "not a feed")
    problem = parsed.get("bozo_exception")
    if problem is not None and type(problem).__name__ == "CharacterEncodingOverride":
        note = note or f"{_one_line_error(problem)}; read as {parsed.get('encoding')}"
    info = parsed.feed
    base = _link(info.get("link"), url) or url
    entries = []
    for item in parsed.entries:
        link = _link(item.get("link"), base)
        if not link:
            link = next((_link(alt.get("href"), base) for alt in item.get("links", [])
                         if alt.get("rel") in ("alternate", None)), "")
        candidates = [(c.get("type", "text/html"), c.get("value", ""),
                       _text_base(c, url, link or base)) for c in item.get("content", [])]
        summary = item.get("summary_detail") or {}
        if item.get("summary") not in {value for _, value, _ in candidates}:
            candidates.append((summary.get("type", "text/html"), item.get("summary", ""),
                               _text_base(summary, url, link or base)))
        text = _entry_text(candidates)
        title = one_line(item.get("title"), _is_html(item.get("title_detail")))
        date = _struct_date(item.get("published_parsed") or item.get("updated_parsed")
                            or item.get("created_parsed"))
        authors = [a.get("name", "") for a in item.get("authors", []) if a.get("name")]
        author = ", ".join(map(one_line, authors)) or one_line(item.get("author"))
        tags = _clean_tags(t.get("label") or t.get("term") or "" for t in item.get("tags", []))
        entries.append(_Entry(key=_key(one_line(item.get("id")), link, title, text),
                              title=title, link=link, date=date, author=author, tags=tags,
                              text=text))
    return _Parsed(title=one_line(info.get("title"), _is_html(info.get("title_detail"))),
                   site=base, entries=entries, note=note)


def _is_html(detail: Any) -> bool:
    """Whether feedparser read a text construct as HTML (it tells plain titles apart)."""
    return "html" in str((detail or {}).get("type", ""))


def _charset(content_type_header: str) -> str:
    match = re.search(r"charset\s*=\s*\"?([\w.:-]+)", content_type_header, re.IGNORECASE)
    return match.group(1) if match else ""


def _one_line_error(exc: object) -> str:
    return " ".join(str(exc).split())[:200] or type(exc).__name__


# --- articles ----------------------------------------------------------------------------

def _title_for(entry: _Entry, feed_title: str, when: datetime) -> str:
    """The entry's title; for an entry without one, its first words."""
    if entry.title:
        return entry.title
    first = " ".join(entry.text.split("\n\n")[0].split())
    sentence = re.split(r"(?<=[.!?])\s", first, maxsplit=1)[0]
    if sentence and len(sentence) <= 100:
        return sentence
    if first:
        return first[:80].rsplit(" ", 1)[0].rstrip(",;:") + "…"
    return f"{feed_title or 'Untitled'} — {when:%Y-%m-%d %H:%M}"


def _iso(when: datetime) -> str:
    return when.replace(microsecond=0).isoformat() + "Z"


def render_article(*, title: str, date: datetime, source: str, author: str, url: str,
                   tags: Iterable[str], body: str) -> bytes:
    """An article file in the README's format: the header block, a blank line, the text."""
    header = [("Title", title), ("Date", _iso(date)), ("Source", source), ("Author", author),
              ("URL", url), ("Tags", ", ".join(tags))]
    lines = [f"{key}: {one_line(value)}" for key, value in header if one_line(value)]
    text = body.strip() or url or title
    return ("\n".join(lines) + "\n\n" + text + "\n").encode("utf-8")


def _file_stem(title: str, when: datetime) -> str:
    slug = slugify(title) or "entry"
    return f"{when:%Y-%m-%d}-{slug}"


_HEADER_URL = re.compile(rb"^URL:[ \t]*(\S+)[ \t]*\r?$", re.MULTILINE)


def _header_url(path: Path) -> str | None:
    """The ``URL:`` of an article's header block, read from its first few KB only."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(4096)
    except OSError:
        return None
    match = _HEADER_URL.search(head.split(b"\n\n", 1)[0])
    return match.group(1).decode("utf-8", "replace") if match else None


def _links_in(folder: Path) -> dict[str, str]:
    """link -> corpus-relative path, from the URL headers of the articles in a folder: what
    an earlier fetch wrote, when what it recorded is gone (a new or damaged database)."""
    found: dict[str, str] = {}
    if not folder.is_dir():
        return found
    for path in folder.glob("*.txt"):
        link = _header_url(path)
        if link:
            found[link] = path.name
    return found


# --- fetching ----------------------------------------------------------------------------

@dataclass(slots=True)
class FeedResult:
    """What one feed's fetch did."""

    feed: Feed
    new: list[str] = field(default_factory=list)  # corpus paths written
    updated: list[str] = field(default_factory=list)
    unchanged: bool = False
    error: str | None = None
    notes: list[str] = field(default_factory=list)
    #: False for a feed whose fetch was interrupted (its ``new`` were written all the same).
    done: bool = False

    @property
    def failed(self) -> bool:
        return self.error is not None


@dataclass(slots=True)
class FetchReport:
    results: list[FeedResult] = field(default_factory=list)
    interrupted: bool = False

    @property
    def failed(self) -> list[FeedResult]:
        return [r for r in self.results if r.failed]

    @property
    def new(self) -> int:
        return sum(len(r.new) for r in self.results)

    def summary(self) -> str:
        """One line for a status bar or the end of ``reader fetch``."""
        feeds = len(self.results)
        line = (f"{self.new} new article{'s' if self.new != 1 else ''} from {feeds} "
                f"feed{'s' if feeds != 1 else ''}")
        if self.failed:
            line += f"; {len(self.failed)} failed"
        return line + ("; interrupted" if self.interrupted else "")


Progress = Callable[[int, int, FeedResult | None], object]


class _Fetcher:
    """Fetches feeds concurrently (``FEEDS_AT_ONCE`` at a time) and writes their entries."""

    def __init__(self, root: Path, store: FeedStore, *, timeout: float,
                 transport: httpx.AsyncBaseTransport | None = None,
                 max_feed_bytes: int = MAX_FEED_BYTES, max_page_bytes: int = MAX_PAGE_BYTES,
                 now: Callable[[], datetime] | None = None) -> None:
        self.root = root
        self.store = store
        self.timeout = timeout
        self.transport = transport
        self.max_feed_bytes = max_feed_bytes
        self.max_page_bytes = max_page_bytes
        self.now = now or (lambda: datetime.now(UTC).replace(tzinfo=None, microsecond=0))
        self.http: _Http | None = None
        self.folders: dict[str, Path] = {}

    async def run(self, feeds: list[Feed], progress: Progress | None,
                  cancel: threading.Event | None) -> FetchReport:
        """Every feed, a few at once. A cancel (the event, or Ctrl+C through asyncio.run)
        stops at the next request; the report then holds what was written so far."""
        report = FetchReport()
        slots = asyncio.Semaphore(FEEDS_AT_ONCE)
        self.http = _Http(self.timeout, self.transport)
        done = 0

        async def one(feed: Feed) -> None:
            nonlocal done
            async with slots:
                result = FeedResult(feed)
                report.results.append(result)
                await self.fetch_feed(result)
            done += 1
            if progress:
                progress(done, len(feeds), result)

        async def watch_cancel(task: asyncio.Task[Any]) -> None:
            while cancel is not None:
                if cancel.is_set():
                    task.cancel()
                    return
                await asyncio.sleep(0.05)

        if progress:
            progress(0, len(feeds), None)
        this = asyncio.current_task()
        assert this is not None
        watcher = asyncio.ensure_future(watch_cancel(this)) if cancel is not None else None
        try:
            await asyncio.gather(*(one(feed) for feed in feeds))
        except asyncio.CancelledError:
            report.interrupted = True
            this.uncancel()
        finally:
            if watcher is not None:
                watcher.cancel()
            await self.http.aclose()
        order = {feed.url: n for n, feed in enumerate(feeds)}
        report.results.sort(key=lambda r: order.get(r.feed.url, 0))
        return report

    async def fetch_feed(self, result: FeedResult) -> None:
        assert self.http is not None
        feed = result.feed
        headers = {"Accept": "application/rss+xml, application/atom+xml, application/feed+json,"
                             " application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"}
        if feed.etag:
            headers["If-None-Match"] = feed.etag
        if feed.last_modified:
            headers["If-Modified-Since"] = feed.last_modified
        fetched = time.time()
        try:
            response = await self.http.get(feed.url, self.max_feed_bytes, headers)
            if response.status == 304:
                result.unchanged = result.done = True
                self.store.update_feed(replace(feed, fetched=fetched, error=None))
                return
            body_hash = content_hash(response.content)
            if body_hash == feed.body_hash and feed.section:
                result.unchanged = True
            else:
                parsed = parse_feed(response.content, response.url,
                                    response.headers.get("content-type", ""))
                if parsed.note:
                    result.notes.append(parsed.note)
                feed = self._named(feed, parsed)
                result.feed = feed
                await self._write_entries(feed, parsed, result)
            self.store.update_feed(replace(
                feed, etag=response.headers.get("etag"),
                last_modified=response.headers.get("last-modified"), body_hash=body_hash,
                fetched=fetched, error=None))
        except FeedError as exc:
            result.error = str(exc)
            self.store.update_feed(replace(feed, fetched=fetched, error=result.error))
        result.done = True

    def _named(self, feed: Feed, parsed: _Parsed) -> Feed:
        """The feed with its section fixed at its first fetch: the slug of its title, or of
        its host when that is taken by another feed or there is no title."""
        title = parsed.title or feed.title
        if feed.section:
            return replace(feed, title=title)
        return replace(feed, title=title, section=unique_section(self.store, title, feed.url))

    async def _write_entries(self, feed: Feed, parsed: _Parsed, result: FeedResult) -> None:
        known = self.store.known(feed.url)
        by_key = {k.key: k for k in known}
        by_link = {k.link: k for k in known if k.link}
        on_disk: dict[str, str] | None = None
        if not known:
            assert feed.section is not None
            on_disk = _links_in(self.root.joinpath(*feed.section.split("/")))
        todo: list[tuple[_Entry, _Known | None]] = []
        seen_keys: set[str] = set()
        seen_links: set[str] = set()
        for entry in parsed.entries:
            if entry.key in seen_keys:
                if not entry.link or entry.link in seen_links:
                    continue  # the same entry twice in one feed
                # An id the feed gives to entries of their own (a generator's copy and
                # paste): the link tells them apart.
                entry = replace(entry, key=entry.link)
                if entry.key in seen_keys:
                    continue
            seen_keys.add(entry.key)
            if entry.link:
                seen_links.add(entry.link)
            record = by_key.get(entry.key) or (by_link.get(entry.link) if entry.link else None)
            if record is None and on_disk and entry.link in on_disk:
                assert feed.section is not None
                path = f"{feed.section}/{on_disk[entry.link]}"
                written = None  # unreadable now: known, but never rewritten
                with contextlib.suppress(OSError):
                    written = content_hash((self.root / path).read_bytes())
                self.store.record(feed.url, _Known(entry.key, entry.link, path, written,
                                                   entry.fingerprint(), None))
                continue
            if record is not None and record.fingerprint == entry.fingerprint():
                continue
            todo.append((entry, record))
        problems: list[str] = []

        async def one(entry: _Entry, record: _Known | None) -> None:
            """Each entry is written as soon as its page is in: a fetch stopped halfway
            keeps every article whose page came."""
            page = await self._page(entry.link) if feed.full_text else None
            if problems:
                return
            try:
                self._write_entry(feed, parsed, entry, record, page, result)
            except FeedError as exc:
                problems.append(str(exc))
            except OSError as exc:
                where = self.root.joinpath(*(feed.section or "").split("/"))
                problems.append(f"cannot write into {where} ({exc.strerror or exc})")

        await asyncio.gather(*(one(entry, record) for entry, record in todo))
        if problems:
            raise FeedError(problems[0])

    async def _page(self, link: str) -> Page | str:
        """The entry's page as an article, or why it could not be had."""
        if not link:
            return "the entry has no link"
        assert self.http is not None
        try:
            response = await self.http.get(link, self.max_page_bytes,
                                           {"Accept": "text/html,application/xhtml+xml"})
            return page_from_response(response) or "no article text found in the page"
        except FeedError as exc:
            return str(exc)

    def _write_entry(self, feed: Feed, parsed: _Parsed, entry: _Entry, record: _Known | None,
                     page: Page | str | None, result: FeedResult) -> None:
        assert feed.section is not None
        when = entry.date or (parse_date(record.date) if record and record.date else None)
        body, title, author = entry.text, entry.title, entry.author
        if isinstance(page, Page):
            if len(page.text) >= 0.5 * len(entry.text):
                body = page.text
            else:
                result.notes.append(f"{entry.link}: the page's text is shorter than the "
                                    "feed's; kept the feed's text")
            title = title or page.title
            author = author or page.author
            when = when or page.date
        elif isinstance(page, str):
            result.notes.append(f"{entry.link or entry.title or 'an entry'}: {page}; "
                                "kept the feed's text")
        when = when or self.now()
        title = _title_for(replace(entry, title=title), parsed.title, when)
        data = render_article(title=title, date=when, source=feed.title or parsed.title,
                              author=author, url=entry.link, tags=entry.tags, body=body)
        fingerprint = entry.fingerprint()
        if record is not None:  # changed upstream
            if record.path and record.written_hash and _replace_own(
                    self.root, record.path, data, record.written_hash):
                result.updated.append(record.path)
                record = _Known(record.key, entry.link or record.link, record.path,
                                content_hash(data), fingerprint, record.date)
            else:  # edited, moved or deleted by the user: theirs now
                record = replace(record, fingerprint=fingerprint)
            self.store.record(feed.url, record)
            return
        if feed.section not in self.folders:  # checked once a fetch, not once an entry
            self.folders[feed.section] = _section_dir(self.root, feed.section)
        path = _write_new(self.root, feed.section, _file_stem(title, when), data,
                          self.folders[feed.section])
        self.store.record(feed.url, _Known(entry.key, entry.link or None, path,
                                           content_hash(data), fingerprint, _iso(when)))
        result.new.append(path)


def unique_section(store: FeedStore, title: str, url: str) -> str:
    """A section for a new feed: its title's slug, with its host's when another feed has
    that section already (two feeds called "Top stories")."""
    host = slugify((urlsplit(url).hostname or "").removeprefix("www."), 30) or "feed"
    base = slugify(title, 40) or host
    taken = {s for s, u in store.sections().items() if u != url}
    if base not in taken:
        return base
    candidate = f"{base}-{host}" if base != host else base
    n = 2
    while candidate in taken:
        candidate = f"{base}-{host}-{n}"
        n += 1
    return candidate


_PAGE_TYPES = ("text/html", "application/xhtml+xml", "text/plain")


def page_from_response(response: _Response) -> Page | None:
    """The article of a fetched page, or None when it holds no main text; FeedError when it
    is not a web page at all (a PDF, an image)."""
    kind = response.content_type
    if kind and kind not in _PAGE_TYPES:
        raise FeedError(f"not a web page ({kind})")
    html = _decode_page(response)
    if kind == "text/plain":
        text = html_to_text(html.replace("<", "&lt;").replace(">", "&gt;"))
        title = text.split("\n", 1)[0][:200] if text else ""
        return Page(title=title, text=text) if text else None
    return extract_page(html, response.url)


def _decode_page(response: _Response) -> str:
    """The page's text: the charset its header names if that reads cleanly, else the one
    its markup names, else UTF-8 or a detected one (a page lying about its encoding).
    A single-byte charset reads any bytes "cleanly": text that is valid UTF-8 is UTF-8
    whatever it is called (a server's default of ISO-8859-1 over a UTF-8 page)."""
    data = response.content
    names = [_charset(response.headers.get("content-type", "")), _meta_charset(data)]
    if any(name and _SINGLE_BYTE.match(name) for name in names) and not data.isascii():
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            pass
    for name in names:
        if name:
            try:
                return data.decode(name)
            except (LookupError, UnicodeDecodeError):
                continue
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        from .articles import decode

        return decode(data)[0]


def _meta_charset(data: bytes) -> str:
    match = re.search(rb"""<meta[^>]+charset\s*=\s*["']?([\w.:-]+)""", data[:4096],
                      re.IGNORECASE)
    return match.group(1).decode("ascii", "replace") if match else ""


def check_writable_corpus(corpus: Path) -> Path:
    """The corpus folder, made if missing; FeedError when it cannot be written."""
    root = Path(corpus).expanduser()
    if root.exists() and not root.is_dir():
        raise FeedError(f"{root}: not a folder")
    try:
        root.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise FeedError(f"{root}: cannot be made ({exc.strerror or exc})") from None
    if not os.access(root, os.W_OK | os.X_OK):
        raise FeedError(f"{root}: permission denied (cannot write into it)")
    return root.resolve()


def fetch_feeds(corpus: Path, which: str | None = None, *, progress: Progress | None = None,
                cancel: threading.Event | None = None, timeout: float = DEFAULT_TIMEOUT,
                transport: httpx.AsyncBaseTransport | None = None,
                db_path: Path | None = None) -> FetchReport:
    """Fetch every feed of ``corpus`` (or the one ``which`` names) and write new entries.

    ``progress(done, total, result)`` is called as each feed finishes (from this thread);
    setting ``cancel`` stops at the next request, leaving only whole articles (the rest
    come next time); so does Ctrl+C, whose KeyboardInterrupt comes after the clean-up."""
    root = check_writable_corpus(corpus)
    with FeedStore(root, db_path) as store, _fetch_lock(store):
        feeds = [store.find(which)] if which else store.feeds()
        fetcher = _Fetcher(root, store, timeout=timeout, transport=transport)
        report: FetchReport = asyncio.run(fetcher.run(feeds, progress, cancel))
        return report


@contextlib.contextmanager
def _fetch_lock(store: FeedStore) -> Iterator[None]:
    """One fetch of a folder at a time (the app's and a ``reader fetch`` would both write
    every new entry). The OS lets go of it if the process dies."""
    path = store.path.with_name(f"{store.path.name}.{corpus_key(Path(store.corpus))}.lock")
    with open(path, "a+b") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise FeedError("another reader is fetching this folder's feeds now; try again "
                            "when it is done") from None
        yield


# --- adding, importing, exporting --------------------------------------------------------

_FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/feed+json",
               "application/json", "application/rdf+xml", "text/xml", "application/xml")


def discover(html: bytes | str, base: str) -> list[str]:
    """The feeds a web page names in its ``<link rel="alternate">`` tags, best first."""
    import lxml.html

    try:
        root = lxml.html.document_fromstring(html)
    except Exception:  # noqa: BLE001 - an unparsable page names no feed
        return []
    found: list[str] = []
    for link in root.iter("link"):
        rel = (link.get("rel") or "").lower().split()
        kind = (link.get("type") or "").lower().split(";")[0].strip()
        href = link.get("href")
        if "alternate" in rel and kind in _FEED_TYPES and href:
            url = urljoin(base, href.strip())
            if is_web_url(url) and url not in found:
                found.append(url)
    return found


@dataclass(frozen=True, slots=True)
class AddResult:
    feed: Feed
    added: bool  # False: it was a subscription already
    note: str = ""  # e.g. the feed found in a page, or why it could not be checked now


async def _probe(url: str, timeout: float, transport: httpx.AsyncBaseTransport | None
                 ) -> tuple[str, str]:
    """The feed's address (a page's own feed, when given a page) and its title."""
    http = _Http(timeout, transport)
    try:
        response = await http.get(url, MAX_FEED_BYTES)
        if looks_like_html(response.content, response.content_type) and \
                b"<rss" not in response.content[:4096]:
            found = discover(response.content, response.url)
            if not found:
                raise FeedError("not a feed, and the page names no feed of its own")
            url = found[0]
            response = await http.get(url, MAX_FEED_BYTES)
        parsed = parse_feed(response.content, response.url,
                            response.headers.get("content-type", ""))
        return url, parsed.title
    finally:
        await http.aclose()


def add_feed(corpus: Path, url: str, *, name: str | None = None, full_text: bool = False,
             timeout: float = DEFAULT_TIMEOUT, transport: httpx.AsyncBaseTransport | None = None,
             db_path: Path | None = None, check: bool = True) -> AddResult:
    """Subscribe ``corpus`` to a feed. The address is read once (``check``): a web page
    gives the feed it names, and the feed's title names the section unless ``name`` does.
    A feed that cannot be reached now is added all the same (one is often offline); one
    that answers with something that is not a feed is refused (FeedError); an address that
    is not http or https, or an unsafe ``name``, is a ValueError."""
    url = url.strip()
    if not is_web_url(url):
        raise ValueError(f"{url!r} is not an http or https address")
    section = safe_section(name) if name is not None else None
    root = check_writable_corpus(corpus)
    note = ""
    title = ""
    if check:
        try:
            found, title = asyncio.run(_probe(url, timeout, transport))
        except FeedError as exc:
            message = str(exc)
            if message.startswith("not a feed") or message.startswith("HTTP 4"):
                raise FeedError(f"{url}: {message}") from None
            note = f"could not be read now ({message}); it is added and will be fetched later"
        else:
            if found != url:
                note = f"the page names its feed, {found}: subscribed to that"
                url = found
    with FeedStore(root, db_path) as store:
        for feed in store.feeds():
            if feed.url == url:
                return AddResult(feed, added=False)
        if section is None and title:
            section = unique_section(store, title, url)
        if section is not None:
            clash = store.sections().get(section)
            if clash and clash != url and name is not None:
                note = (note + "; " if note else "") + f"shares section '{section}' with {clash}"
        feed = Feed(url=url, section=section, title=title, full_text=full_text,
                    added=time.time())
        store.add(feed)
        return AddResult(feed, added=True, note=note)


def has_feeds(corpus: Path, db_path: Path | None = None) -> bool:
    """Whether the folder has subscriptions, read without making the database (the app asks
    at start, whether to fetch in the background)."""
    return last_fetched(corpus, db_path) is not None


def last_fetched(corpus: Path, db_path: Path | None = None) -> float | None:
    """When every feed of the folder had last been fetched (a time.time()): the oldest
    feed's fetch, 0 when one never was; None when the folder has no feeds (or the database
    cannot be read). Read without making the database: the app asks whether a fetch is due."""
    path = Path(db_path) if db_path else feeds_db()
    if not path.is_file():
        return None
    key = str(Path(corpus).expanduser().resolve())
    try:
        uri = path.resolve().as_uri() + "?mode=ro"
        with contextlib.closing(sqlite3.connect(uri, uri=True, timeout=1)) as db:
            count, oldest = db.execute(
                "SELECT count(*), min(coalesce(fetched, 0)) FROM feeds WHERE corpus = ?",
                (key,)).fetchone()
    except sqlite3.Error:
        return None
    return float(oldest) if count else None


def remove_feed(corpus: Path, which: str, db_path: Path | None = None) -> Feed:
    """Unsubscribe; the articles already written stay where they are."""
    root = Path(corpus).expanduser().resolve()
    with FeedStore(root, db_path) as store:
        feed = store.find(which)
        store.remove(feed.url)
        return feed


def list_feeds(corpus: Path, db_path: Path | None = None) -> list[tuple[Feed, int]]:
    """Every subscription with how many of its entries were fetched."""
    root = Path(corpus).expanduser().resolve()
    with FeedStore(root, db_path) as store:
        return [(feed, store.count(feed.url)) for feed in store.feeds()]


@dataclass(frozen=True, slots=True)
class OpmlFeed:
    url: str
    title: str


def parse_opml(data: bytes) -> list[OpmlFeed]:
    """The feeds of an OPML subscription list (newsboat, Feedly, NetNewsWire, Inoreader...);
    FeedError when the file is not one."""
    import listparser

    if not data.strip():
        raise FeedError("the file is empty")
    result = listparser.parse(bytes(data))  # bytes: listparser fetches a str that is a URL
    if not result.feeds and (result.bozo or not result.version):
        why = result.get("bozo_exception")
        raise FeedError(f"not an OPML subscription list{f' ({why})' if why else ''}")
    feeds = []
    for item in result.feeds:
        url = str(item.get("url") or "").strip()
        feeds.append(OpmlFeed(url=url, title=one_line(str(item.get("title") or ""))))
    return feeds


@dataclass(slots=True)
class ImportResult:
    added: list[Feed] = field(default_factory=list)
    already: list[Feed] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)  # (url, why)


def import_opml(corpus: Path, data: bytes, *, full_text: bool = False,
                db_path: Path | None = None) -> ImportResult:
    """Subscribe to every feed of an OPML file; each keeps the name the file gives it (made
    a safe section name). Nothing is fetched: ``reader fetch`` does that."""
    entries = parse_opml(data)
    root = check_writable_corpus(corpus)
    result = ImportResult()
    with FeedStore(root, db_path) as store:
        existing = {feed.url: feed for feed in store.feeds()}
        for item in entries:
            if not is_web_url(item.url):
                result.refused.append((item.url, _not_web(item.url)))
                continue
            if item.url in existing:
                result.already.append(existing[item.url])
                continue
            section = unique_section(store, item.title, item.url) if item.title else None
            feed = Feed(url=item.url, section=section, title=item.title, full_text=full_text,
                        added=time.time())
            store.add(feed)
            existing[item.url] = feed
            result.added.append(feed)
    return result


def _not_web(url: str) -> str:
    """Why an OPML entry is no feed to fetch; newsboat exports its own kinds of feed too."""
    kind = url.partition(":")[0].lower()
    if kind == "query":
        return "a newsboat query feed (a search of its own articles), not a web feed"
    if kind in ("exec", "filter"):
        return f"a newsboat {kind}: feed (made by a command), not a web feed"
    return "not an http or https address"


def export_opml(corpus: Path, db_path: Path | None = None) -> str:
    """The subscriptions as an OPML 2.0 document (for newsboat, Feedly, NetNewsWire...)."""
    root = Path(corpus).expanduser().resolve()
    with FeedStore(root, db_path) as store:
        feeds = store.feeds()
    opml = ET.Element("opml", version="2.0")
    head = ET.SubElement(opml, "head")
    ET.SubElement(head, "title").text = f"reader feeds of {root.name}"
    ET.SubElement(head, "dateCreated").text = email.utils.formatdate(usegmt=True)
    body = ET.SubElement(opml, "body")
    for feed in feeds:
        name = feed.title or feed.section or feed.url
        ET.SubElement(body, "outline", type="rss", text=name, title=name, xmlUrl=feed.url)
    ET.indent(opml)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(opml, encoding="unicode")


# --- read it later -----------------------------------------------------------------------

def _same_page(url: str) -> str:
    """An address as a page: the same without its fragment (``#comments``)."""
    return url.strip().partition("#")[0]


def _article_of_page(root: Path, store: FeedStore, url: str) -> str | None:
    """The corpus path of an article of the page at ``url`` that is in the folder: one a
    fetch or a save wrote (as recorded) and still there, else any file whose ``URL:``
    header is that page (the user moved it, or the records are gone)."""
    for path in store.paths_of_page(url):
        if (root / path).is_file() and _inside(root, root / path):
            return path
    page = _same_page(url)
    try:
        files = sorted(scan(root).files)
    except CorpusError:
        return None
    for path in files:
        link = _header_url(root / path)
        if link and _same_page(link) == page:
            return path
    return None


@dataclass(frozen=True, slots=True)
class SaveResult:
    path: str
    title: str
    already: bool = False


def save_page(corpus: Path, url: str, *, section: str = SAVED_SECTION,
              timeout: float = DEFAULT_TIMEOUT, transport: httpx.AsyncBaseTransport | None = None,
              db_path: Path | None = None) -> SaveResult:
    """Write one web page's article into ``section`` to read later: its headline as the
    title, its byline, date and main text. A page already in the folder (saved or fetched
    before, or a file whose ``URL:`` it is) is not saved twice. FeedError when it cannot be
    fetched or holds no text; ValueError for an address that is not http or https or an
    unsafe section."""
    url = url.strip()
    if not is_web_url(url):
        raise ValueError(f"{url!r} is not an http or https address")
    section = safe_section(section)
    root = check_writable_corpus(corpus)
    with FeedStore(root, db_path) as store:
        there = _article_of_page(root, store, url)
        if there is not None:
            try:
                title = parse_article((root / there).read_bytes(), there).title
            except (OSError, SkipFile):
                title = url
            return SaveResult(there, title, already=True)

        async def fetch() -> _Response:
            http = _Http(timeout, transport)
            try:
                return await http.get(url, MAX_PAGE_BYTES,
                                      {"Accept": "text/html,application/xhtml+xml"})
            finally:
                await http.aclose()

        response = asyncio.run(fetch())
        page = page_from_response(response)
        if page is None:
            text = html_to_text(_decode_page(response))
            if not text:
                raise FeedError("the page holds no text to save")
            page = Page(title=headline_of(_decode_page(response)) or url, text=text)
        when = page.date or datetime.now(UTC).replace(tzinfo=None, microsecond=0)
        title = page.title or headline_of(_decode_page(response)) or url
        data = render_article(title=title, date=when, source=page.site, author=page.author,
                              url=response.url if is_web_url(response.url) else url, tags=(),
                              body=page.text)
        path = _write_new(root, section, _file_stem(title, when), data)
        store.record(SAVED, _Known(url, response.url, path, content_hash(data), None,
                                   _iso(when)))
        return SaveResult(path, title)
