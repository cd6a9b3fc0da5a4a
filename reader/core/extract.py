"""HTML to article text: a feed entry's markup, or a web page's main text and metadata.

Articles are plain text a person reads: paragraphs kept, lists as lists, a link's text kept
with its target listed at the end (as newsboat does), and nothing of the markup, the
entities, the pictures or the tracking around them. Pages go through trafilatura, which
finds the article among the navigation, ads and comments; its result is rendered here like
any feed entry, so both read alike.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

import lxml.html
from lxml import etree

from .articles import clean_text, parse_date

#: Elements whose content is never text for a reader.
_DROPPED = frozenset((
    "script", "style", "noscript", "iframe", "object", "embed", "form", "button", "input",
    "select", "textarea", "svg", "math", "canvas", "video", "audio", "source", "picture",
    "img", "map", "template", "head", "title", "meta", "link", "nav",
))
_BLOCKS = frozenset((
    "p", "div", "section", "article", "main", "header", "footer", "aside", "address",
    "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "ul", "ol", "dl", "dt", "dd",
    "li", "table", "thead", "tbody", "tfoot", "tr", "figure", "figcaption", "hr", "body",
    "html", "center", "details", "summary", "fieldset", "caption",
))
#: Query parameters that only say where a click came from.
_TRACKING_PARAMS = re.compile(
    r"^(utm_\w+|fbclid|gclid|dclid|msclkid|mc_cid|mc_eid|igshid|_hsenc|_hsmi|mkt_tok|"
    r"ncid|cmpid|ocid|ito|wt\.mc_id|at_medium|at_campaign)$", re.IGNORECASE)
#: Blocks that feeds add around an entry: share buttons, "The post … appeared first on …".
_JUNK_CLASSES = re.compile(r"feedflare|share|social|related-posts|sharedaddy|jp-relatedposts",
                           re.IGNORECASE)
_APPEARED_FIRST = re.compile(r"^\s*(the post|the article)\b.{1,300}\bappeared first on\b",
                             re.IGNORECASE | re.DOTALL)
_TRACKER_HOSTS = ("feeds.feedburner.com", "feedproxy.google.com", "feedads.g.doubleclick.net")
#: A <br>, kept apart from the white space that is collapsed around it.
_BREAK = "\u2028"
_SPACES = re.compile(r"[ \t\r\n\f\u00a0\u2000-\u200a\u202f\u205f\u3000]+")


def clean_url(url: str) -> str:
    """A link without the parameters that only track who followed it."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    if not parts.query:
        return url
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
             if not _TRACKING_PARAMS.match(k)]
    return urlunsplit(parts._replace(query=urlencode(query)))


def is_web_url(url: str) -> bool:
    """Only http and https are ever requested (a feed's ``file://`` link is never read)."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.hostname)


class _Renderer:
    """Walks an lxml tree and writes blocks of text; links are numbered into ``links``."""

    def __init__(self, base_url: str, links: bool = True) -> None:
        self.base_url = base_url
        self.numbered = links
        self.blocks: list[str] = []
        self.links: list[str] = []
        self.line: list[str] = []

    # Inline text gathers in ``line`` until a block ends it.
    def flush(self, prefix: str = "") -> None:
        text = _SPACES.sub(" ", "".join(self.line)).strip()
        text = "\n".join(part.strip() for part in text.split(_BREAK)).strip("\n")
        self.line = []
        if text.strip():
            self.blocks.append(prefix + text if prefix else text)

    def text(self, value: str | None) -> None:
        if value:
            self.line.append(value)

    def render(self, node: Any, quote: str = "") -> None:
        tag = node.tag if isinstance(node.tag, str) else ""
        tag = tag.rpartition("}")[2].lower()
        if not tag or tag in _DROPPED or _is_junk(node):
            self.text(node.tail)
            return
        if tag == "br":
            self.line.append(_BREAK)
        elif tag in ("ul", "ol", "list"):
            self.flush()
            self.render_list(node, ordered=tag == "ol" or node.get("rend") == "ol", depth=0)
        elif tag == "pre":
            self.flush()
            text = "".join(node.itertext()).strip("\n")
            if text.strip():
                self.blocks.append(text)
        elif tag == "table":
            self.flush()
            self.render_table(node)
        elif tag == "blockquote" or tag == "quote":
            self.flush()
            inner = _Renderer(self.base_url, self.numbered)
            inner.links = self.links
            inner.render_children(node)
            inner.flush()
            for block in inner.blocks:
                self.blocks.append("\n".join(f"> {line}" for line in block.split("\n")))
        elif tag in ("a", "ref"):
            self.render_link(node)
        elif tag in _BLOCKS or tag in ("head", "item"):
            self.flush()
            self.render_children(node)
            self.flush()
        else:
            self.render_children(node)
        self.text(node.tail)

    def render_children(self, node: Any) -> None:
        self.text(node.text)
        for child in node:
            self.render(child)

    def render_link(self, node: Any) -> None:
        before = len(self.line)
        self.render_children(node)
        inner = "".join(self.line[before:])
        label = _SPACES.sub(" ", inner).strip()
        target = (node.get("href") or node.get("target") or "").strip()
        if not target or not label or not self.numbered:
            return
        # The marker goes right after the words: "<a> /u/bot </a>" reads "/u/bot[1] ".
        kept = inner.rstrip()
        self.line[before:] = [kept, inner[len(kept):]]
        target = clean_url(urljoin(self.base_url, target)) if self.base_url else target
        if not is_web_url(target) or target.rstrip("/") == label.rstrip("/"):
            return
        if any(host in target for host in _TRACKER_HOSTS):
            return
        if target in self.links:
            number = self.links.index(target) + 1
        else:
            self.links.append(target)
            number = len(self.links)
        self.line.insert(before + 1, f"[{number}]")

    def render_list(self, node: Any, ordered: bool, depth: int) -> None:
        items: list[str] = []
        number = 0
        for child in node:
            tag = child.tag.rpartition("}")[2].lower() if isinstance(child.tag, str) else ""
            if tag not in ("li", "item"):
                continue
            number += 1
            inner = _Renderer(self.base_url, self.numbered)
            inner.links = self.links
            nested: list[str] = []
            inner.text(child.text)
            for grand in child:
                gtag = (grand.tag.rpartition("}")[2].lower()
                        if isinstance(grand.tag, str) else "")
                if gtag in ("ul", "ol", "list"):
                    sub = _Renderer(self.base_url, self.numbered)
                    sub.links = self.links
                    sub.render_list(grand, gtag == "ol" or grand.get("rend") == "ol", depth + 1)
                    nested.extend(sub.blocks)
                    inner.text(grand.tail)
                else:
                    inner.render(grand)
            inner.flush()
            text = " ".join(" ".join(inner.blocks).split())
            marker = f"{number}." if ordered else "-"
            indent = "  " * depth
            if text:
                items.append(f"{indent}{marker} {text}")
            items.extend(nested)
        if items:
            self.blocks.append("\n".join(items))

    def render_table(self, node: Any) -> None:
        rows: list[list[str]] = []
        for row in node.iter():
            tag = row.tag.rpartition("}")[2].lower() if isinstance(row.tag, str) else ""
            if tag not in ("tr", "row"):
                continue
            cells = []
            for cell in row:
                ctag = cell.tag.rpartition("}")[2].lower() if isinstance(cell.tag, str) else ""
                if ctag in ("td", "th", "cell"):
                    inner = _Renderer(self.base_url, self.numbered)
                    inner.links = self.links
                    inner.render_children(cell)
                    inner.flush()
                    cells.append(" ".join(" ".join(inner.blocks).split()))
            if any(cells):
                rows.append(cells)
        if len(rows) == 1:  # a table for layout (a picture beside a caption): just its text
            self.blocks.append(" ".join(cell for cell in rows[0] if cell))
        elif rows:
            self.blocks.append("\n".join(" | ".join(cells) for cells in rows))


def _is_junk(node: Any) -> bool:
    classes = f"{node.get('class') or ''} {node.get('id') or ''}"
    if classes.strip() and _JUNK_CLASSES.search(classes):
        return True
    width, height = node.get("width"), node.get("height")
    return width in ("0", "1") and height in ("0", "1")


def html_to_text(html: str, base_url: str = "", links: bool = True) -> str:
    """Readable plain text of an HTML fragment or page (no markup, no entities, no junk);
    with ``links``, each link's target is numbered and listed at the end."""
    if not html or not html.strip():
        return ""
    if "<" not in html and "&" not in html:  # plain text already
        return _tidy(html)
    try:
        if re.search(r"<(html|body)[\s>]", html[:4096], re.IGNORECASE):
            root = lxml.html.document_fromstring(html).find("body")
        else:
            root = lxml.html.fragment_fromstring(html, create_parent="div")
    except (etree.ParserError, ValueError):
        return _tidy(re.sub(r"<[^>]*>", " ", html))
    if root is None:
        return ""
    renderer = _Renderer(base_url, links)
    renderer.render(root)
    renderer.flush()
    blocks = [block for block in renderer.blocks if not _APPEARED_FIRST.match(block)]
    used = {int(n) for block in blocks for n in re.findall(r"\[(\d+)\]", block)}
    listed = [f"[{n}] {url}" for n, url in enumerate(renderer.links, 1) if n in used]
    if listed and blocks:
        blocks.append("Links:\n" + "\n".join(listed))
    return _tidy("\n\n".join(blocks))


def _tidy(text: str) -> str:
    text = clean_text(text.replace("\u00a0", " "))
    text = "\n".join(line.rstrip() for line in text.split("\n"))
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def one_line(text: str | None, html: bool = False) -> str:
    """A header value on one line, control characters gone; with ``html``, the markup and
    entities of an HTML value too (a plain title may say "Use <div> & co" and mean it)."""
    if not text:
        return ""
    if html and ("<" in text or "&" in text):
        text = html_to_text(text, links=False)
    return " ".join(clean_text(text).split())


@dataclass(frozen=True, slots=True)
class Page:
    """A web page's article: its headline, byline, date and main text."""

    title: str
    text: str
    author: str = ""
    date: datetime | None = None
    site: str = ""


_TITLE_SEPARATORS = re.compile(r"\s+[|\u2013\u2014:·•-]\s+")


def headline_of(html: str, site: str = "") -> str:
    """The page's headline when trafilatura has none: og:title, the only h1, else <title>
    without the site name around it."""
    try:
        root = lxml.html.document_fromstring(html)
    except (etree.ParserError, ValueError):
        return ""
    for xpath in ('//meta[@property="og:title"]/@content',
                  '//meta[@name="twitter:title"]/@content'):
        found = [one_line(v) for v in root.xpath(xpath) if one_line(v)]
        if found:
            return _strip_site(found[0], site)
    h1 = [one_line(h.text_content()) for h in root.iter("h1")]
    h1 = [h for h in h1 if h]
    if len(h1) == 1:
        return h1[0]
    titles = root.xpath("//title")
    return _strip_site(one_line(titles[0].text_content()), site) if titles else ""


def _strip_site(title: str, site: str) -> str:
    """"Rain floods city | The Daily Planet" -> "Rain floods city"."""
    parts = _TITLE_SEPARATORS.split(title)
    if len(parts) < 2:
        return title
    if site:
        kept = [p for p in parts if p.strip().lower() != site.strip().lower()]
        if kept and len(kept) < len(parts):
            return " - ".join(kept)
    longest = max(parts, key=len)
    return longest if len(longest) >= 0.5 * len(title) - 3 else title


def extract_page(html: str, url: str) -> Page | None:
    """The article in a web page, or None when trafilatura finds no main text in it."""
    import trafilatura  # a second to import: only when a page is read

    try:
        doc: Any = trafilatura.bare_extraction(
            html, url=url or None, with_metadata=True, include_comments=False,
            include_links=True, include_tables=True, include_images=False, deduplicate=False,
            # Dates from the page's metadata only: a guess from its text took "© 2025" for
            # the first of January.
            date_extraction_params={"extensive_search": False, "original_date": True})
    except Exception:  # noqa: BLE001 - a library's failure on one hostile page is "no text"
        return None
    if doc is None:
        return None
    if getattr(doc, "body", None) is None:
        return None
    try:
        from trafilatura.htmlprocessing import build_html_output

        text = html_to_text(build_html_output(doc), url)
    except ImportError:  # moved in a later trafilatura: its plain text, without link targets
        text = _tidy(str(getattr(doc, "text", "") or ""))
    site = one_line(getattr(doc, "sitename", "") or "")
    title = one_line(getattr(doc, "title", "") or "") or headline_of(html, site)
    if site and title and site.casefold() == title.casefold():
        site = ""  # trafilatura names the site after the headline when nothing else does
    if title and site:
        title = _strip_site(title, site)
    site = site or (urlsplit(url).hostname or "").removeprefix("www.")
    text = _without_leading_title(text, title)
    if not text:
        return None
    date = parse_date(str(getattr(doc, "date", "") or ""))
    author = one_line(getattr(doc, "author", "") or "")
    return Page(title=title, text=text, author=author, date=date, site=site)


def _without_leading_title(text: str, title: str) -> str:
    """The headline is the article's title; it need not open the body a second time."""
    first, _, rest = text.partition("\n\n")
    if title and " ".join(first.split()).casefold() == " ".join(title.split()).casefold():
        return rest.strip()
    return text
