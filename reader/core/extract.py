"""HTML to article text: a feed entry's markup, or a web page's main text and metadata.

Articles are plain text a person reads: paragraphs kept, lists as lists, a link's text kept
with its target listed at the end (as newsboat does), and nothing of the markup, the
entities, the pictures or the tracking around them. Pages go through trafilatura, which
finds the article among the navigation, ads and comments; its result is rendered here like
any feed entry, so both read alike.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

import lxml.html
from lxml import etree

from .articles import LINKS_HEADING, clean_text, parse_date

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


_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")


def _document(html: str) -> Any:
    """A whole page's tree. An XHTML page's ``<?xml ... encoding=...?>`` goes first: the
    text is decoded already, and lxml refuses a decoded text that names an encoding."""
    return lxml.html.document_fromstring(_XML_DECLARATION.sub("", html, count=1))


def html_to_text(html: str, base_url: str = "", links: bool = True) -> str:
    """Readable plain text of an HTML fragment or page (no markup, no entities, no junk);
    with ``links``, each link's target is numbered and listed at the end."""
    if not html or not html.strip():
        return ""
    if "<" not in html and "&" not in html:  # plain text already
        return _tidy(html)
    try:
        if re.search(r"<(html|body)[\s>]", html[:4096], re.IGNORECASE):
            root = _document(html).find("body")
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
        blocks.append(f"{LINKS_HEADING}\n" + "\n".join(listed))
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


#: What stands between a headline and the site's name in a title: "Rain | The Planet".
_TITLE_SEPARATOR = re.compile(r"\s+([|\u2013\u2014\u00b7\u2022\u00bb\u203a/:-]|::|--)\s+")
#: An h1 that says it is the article's headline (schema.org, or the usual class names).
_HEADLINE_CLASS = re.compile(
    r"(^|[\s_-])(entry|post|article|story|page)[-_]*(title|headline|heading|hed)($|[\s_-])",
    re.IGNORECASE)
#: How much of a metadata title an h1 must share to be taken for the same headline.
_SAME_HEADLINE = 0.6


def _key(text: str) -> str:
    """Letters and digits only, case folded: "Express.co.uk" and "express co uk" are one."""
    return "".join(ch for ch in text.casefold() if ch.isalnum())


def _words(text: str) -> set[str]:
    return set(re.findall(r"\w+", text.casefold()))


def _overlap(a: str, b: str) -> float:
    """How much of the shorter text's words the other holds."""
    first, second = _words(a), _words(b)
    if not first or not second:
        return 0.0
    shared = len(first & second)
    if shared < 2 and max(len(first), len(second)) > 2:
        return 0.0
    return shared / min(len(first), len(second))


#: A part of a title that is an address: "Rain | express.co.uk" names its site.
_DOMAIN = re.compile(r"(www\.)?[\w-]+(\.[\w-]+)*\.[a-z]{2,}", re.IGNORECASE)


class _Site:
    """The names a site goes by (its name in the metadata, its host), to tell a headline
    from the words around it in a title."""

    def __init__(self, names: Iterable[str], hosts: Iterable[str]) -> None:
        self.keys = {_key(name) for name in names if _key(name)}
        self.hosts: set[str] = set()
        for host in hosts:
            host = host.lower().removeprefix("www.")
            if host and not re.fullmatch(r"[\d.]+|localhost|\[[\da-f:]+\]", host):
                self.hosts.add(_key(host))
                self.hosts.add(_key(host.split(".")[0]))

    def named(self, part: str) -> bool:
        key = _key(part)
        if not key:
            return False
        if key in self.keys or key in self.hosts or _DOMAIN.fullmatch(part.strip()):
            return True
        # "BBC News" on bbc.com, "The Verge" on theverge.com: a few words, the host's name.
        return len(part.split()) <= 3 and any(
            len(host) >= 3 and (key.startswith(host) or key == "the" + host)
            for host in self.hosts)


#: A capitalised word or a domain: how a site signs a title when it names itself nowhere else
#: (a headline's own tail comes after a dash, "– Until Now", not after a hyphen).
_BRAND = re.compile(r"[A-Z][\w&'.-]*|[\w-]+(\.[\w-]+)+")


def _strip_site(title: str, site: _Site) -> str:
    """"Rain floods city | World | The Daily Planet" -> "Rain floods city": the site's name,
    what follows it, and the short sections before it go. A title that names no site known
    is kept whole, but for a first part far longer than the rest of a piped title, or a
    name signing it after a hyphen."""
    pieces = _TITLE_SEPARATOR.split(title)
    parts, seps = pieces[0::2], pieces[1::2]
    if len(parts) < 2:
        return title
    found = next((n for n, part in enumerate(parts) if site.named(part)), None)
    if found == 0:
        parts, seps = parts[1:], seps[1:]
    elif found is not None:
        cut = seps[found - 1]
        parts, seps = parts[:found], seps[:found - 1]
        while len(parts) > 1 and seps[-1] == cut and len(parts[-1].split()) <= 2 \
                and len(parts[0].split()) > 2:
            parts, seps = parts[:-1], seps[:-1]
    elif set(seps) == {"|"} and len(parts[0]) >= 2 * sum(len(p) for p in parts[1:]):
        return parts[0]
    elif len(parts) == 2 and seps[0] in "-|" and _BRAND.fullmatch(parts[1]) \
            and len(parts[0]) >= 3 * len(parts[1]):
        return parts[0]  # "A long headline of the day - Entermedia": a name, far shorter
    else:
        return title
    if not parts:
        return title
    return parts[0] + "".join(f" {sep} {part}" for sep, part in zip(seps, parts[1:], strict=False))


#: An h1 kept for screen readers alone, or the site's logo.
_NOT_SHOWN = re.compile(r"visually-?hidden|sr-only|screen-?reader|element-invisible|"
                        r"hide-accessible|\baural\b|offscreen|navskip|\bhidden\b|"
                        r"logo|brand|site-?(title|name)|masthead", re.IGNORECASE)


def _names_home(h1: Any) -> bool:
    """An h1 that is the site's name: a link to its home page and nothing more."""
    links = h1.xpath(".//a[@href]")
    if len(links) != 1 or one_line(links[0].text_content()) != one_line(h1.text_content()):
        return False
    return links[0].get("rel") == "home" or urlsplit(links[0].get("href")).path in ("", "/")


def _meta(root: Any, *names: str) -> list[str]:
    found = []
    for name in names:
        for value in root.xpath(f'//meta[@property="{name}" or @name="{name}"]/@content'):
            if one_line(value):
                found.append(one_line(value))
    return found


#: Inline markup inside a headline's words; any other element is a break between words.
_INLINE = frozenset(("a", "b", "i", "em", "strong", "u", "mark", "sup", "sub", "abbr", "q",
                     "cite", "code", "s", "del", "ins", "font", "bdi", "bdo", "wbr"))
#: What a headline element holds beside the headline: a kicker above it, a date, a byline.
_NOT_HEADLINE = re.compile(r"(?<![a-z])(kicker|overline|topline|dachzeile|roofline|eyebrow|"
                           r"supertitle|subtitle|subline|dateline|byline|date|time|timestamp|"
                           r"author|label)(?![a-z])", re.IGNORECASE)


def _pieces(element: Any) -> list[tuple[str, str]]:
    """An element's words as a reader sees them, in the pieces its child elements make (a
    kicker, the headline, a second line), each with what goes before it: a space after an
    element that breaks the line, nothing inside a word's markup. No style or script,
    nothing marked as a date or byline."""
    pieces: list[list[str]] = [["", ""]]

    def start(gap: str) -> None:
        if pieces[-1][1].strip():
            pieces.append([gap, ""])
        elif gap:
            pieces[-1][0] = gap

    def walk(node: Any) -> None:
        tag = node.tag.lower() if isinstance(node.tag, str) else ""
        if tag in ("script", "style", "noscript", "template", "time", "button", "svg"):
            return
        if node is not element and _NOT_HEADLINE.search(
                f"{node.get('class') or ''} {node.get('id') or ''}"):
            return
        gap = "" if tag in _INLINE else " "
        start(gap)
        pieces[-1][1] += node.text or ""
        for child in node:
            walk(child)
            start("" if isinstance(child.tag, str) and child.tag.lower() in _INLINE else " ")
            pieces[-1][1] += child.tail or ""

    walk(element)
    return [(gap, text) for gap, text in pieces if text.strip()]


def _joined(pieces: list[tuple[str, str]]) -> str:
    text = "".join(gap + text for gap, text in pieces)
    return _EDGE_SEPARATORS.sub("", one_line(text))


#: Separators left at a headline's ends once a kicker or date beside them is gone.
_EDGE_SEPARATORS = re.compile(r"^[\s:|\u2013\u2014/-]+|[\s:|\u2013\u2014/-]+$")


def _within(pieces: list[tuple[str, str]], titles: list[str]) -> str:
    """The headline among an element's pieces: the run of them that a metadata title names
    word for word, when the element holds more (a kicker above, a second line below)."""
    wanted = {_key(t) for t in titles if len(t.split()) >= 2}
    for size in range(len(pieces) - 1, 0, -1):
        for first in range(len(pieces) - size + 1):
            run = _joined(pieces[first:first + size])
            if _key(run) in wanted:
                return run
    return _joined(pieces)


def _headline(root: Any, title: str, site_name: str, url: str) -> str:
    """The article's headline as its page shows it: the h1 that the page's metadata titles
    (og:title, <title>, the JSON-LD headline trafilatura read) describe, else the one marked
    as the headline, else the metadata's title without the site's name around it. Social
    and search titles are often worded apart from the headline a reader sees."""
    names = [site_name, *_meta(root, "og:site_name", "application-name")]
    hosts = [urlsplit(url).hostname or "" for url in
             [url, *root.xpath('//link[@rel="canonical"]/@href'), *_meta(root, "og:url")]]
    site = _Site(names, hosts)
    og = _meta(root, "og:title")
    heads = [one_line(el.text_content()) for el in root.xpath("//title")[:1]]
    # The page's own titles. A page with two og:titles names itself first and its section
    # second.
    theirs = [t for t in (_strip_site(t, site) for t in [*og[:1], *_meta(root, "twitter:title"),
                                                          *heads]) if t]
    # trafilatura's title is the JSON-LD headline when there is one, but may be an h1 or h2
    # of the page (a menu's) when the page has no metadata: last, unless others agree.
    ours = _strip_site(title, site) if title else ""
    plain = list(dict.fromkeys(
        [ours, *theirs] if ours and (not theirs or any(_overlap(ours, t) for t in theirs))
        else [*theirs, ours] if ours else theirs))
    marked: list[str] = []
    h1s: list[str] = []
    for h1 in root.iter("h1"):
        classes = f"{h1.get('class') or ''} {h1.get('id') or ''}"
        if _NOT_SHOWN.search(classes) or _names_home(h1):
            continue
        text = _within(_pieces(h1), plain)
        text = _strip_site(text, site) if text else ""
        if not text or len(text) > 300 or site.named(text):
            continue
        h1s.append(text)
        if h1.get("itemprop") == "headline" or _HEADLINE_CLASS.search(classes):
            marked.append(text)

    def described(n: int, h1: str) -> tuple[float, int, bool, int]:
        # How well the titles describe it, and by how many. trafilatura's title may be this
        # very h1, which says nothing of it.
        scores = [_overlap(h1, t) for t in plain if t != ours or t in theirs
                  or _key(t) != _key(h1)]
        best = max(scores, default=0.0)
        return best, sum(s >= _SAME_HEADLINE for s in scores), h1 in marked, -n

    if h1s and plain:
        score, _, _, minus_n = max(described(n, h1) for n, h1 in enumerate(h1s))
        if score >= _SAME_HEADLINE:
            return h1s[-minus_n]
    if len(set(marked)) == 1:
        return marked[0]
    if len(set(h1s)) == 1 and len(h1s[0].split()) >= 3:
        return h1s[0]  # the page's only headline, whatever its metadata says
    if plain:
        return plain[0]
    return h1s[0] if len(set(h1s)) == 1 else ""


def headline_of(html: str, site: str = "", title: str = "", url: str = "") -> str:
    """The page's headline (see ``_headline``); ``title`` is the one its metadata gives, when
    read already."""
    try:
        root = _document(html)
    except (etree.ParserError, ValueError):
        return title
    return _headline(root, title, site, url)


#: trafilatura's own floor for an article (MIN_EXTRACTED_SIZE), in characters: below it, a
#: short article is read again by a simpler extractor that runs its paragraphs into one.
_SHORT_ARTICLE = 250


def _extract(html: str, url: str, min_size: int | None = None) -> Any:
    import trafilatura  # a second to import: only when a page is read

    options: dict[str, Any] = {}
    if min_size is not None:
        from trafilatura.settings import use_config

        config = use_config()
        config.set("DEFAULT", "MIN_EXTRACTED_SIZE", str(min_size))
        options["config"] = config
    return trafilatura.bare_extraction(
        html, url=url or None, with_metadata=True, include_comments=False,
        include_links=True, include_tables=True, include_images=False, deduplicate=False,
        # Dates from the page's metadata only: a guess from its text took "© 2025" for the
        # first of January.
        date_extraction_params={"extensive_search": False, "original_date": True},
        **options)


def _run_together(doc: Any) -> bool:
    """Whether trafilatura gave a short article as one paragraph (its fallback's way)."""
    body = getattr(doc, "body", None)
    return body is not None and len(body) == 1 and body[0].tag == "p" and \
        len(" ".join(body[0].itertext())) < _SHORT_ARTICLE * 4


def extract_page(html: str, url: str) -> Page | None:
    """The article in a web page, or None when trafilatura finds no main text in it."""
    try:
        doc: Any = _extract(html, url)
        if doc is not None and _run_together(doc):
            # A short article: trafilatura's main reading, with its paragraphs, if it has
            # the words (a news brief of two paragraphs came as one, its byline inside).
            again = _extract(html, url, min_size=50)
            if again is not None and getattr(again, "body", None) is not None \
                    and len(again.body) > 1 and _overlap_share(again, doc) >= 0.8 \
                    and _overlap_share(doc, again) >= 0.7:
                doc = again
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
    title = one_line(getattr(doc, "title", "") or "")
    if site and title and site.casefold() == title.casefold():
        site = ""  # trafilatura names the site after the headline when nothing else does
    title = headline_of(html, site, title, url)
    site = site or (urlsplit(url).hostname or "").removeprefix("www.")
    text = _without_trailing_labels(_without_leading_title(text, title))
    if not text:
        return None
    date = parse_date(str(getattr(doc, "date", "") or ""))
    author = one_line(getattr(doc, "author", "") or "")
    return Page(title=title, text=text, author=author, date=date, site=site)


def _overlap_share(one: Any, other: Any) -> float:
    """How much of one reading's words the other holds (as a bag)."""
    have = _word_counts(" ".join(other.body.itertext()))
    want = _word_counts(" ".join(one.body.itertext()))
    total = sum(want.values())
    return sum(min(n, have[w]) for w, n in want.items()) / total if total else 0.0


def _word_counts(text: str) -> Counter[str]:
    return Counter(re.findall(r"\w+", text.casefold()))


#: The heading of what follows an article on its page (its comments, "more like this"),
#: left at the end of the text when what it headed is gone.
_TRAILING_LABEL = re.compile(
    r"(\d+\s+)?(comments?|leave a (comment|reply)|kommentare|comentários|comentarios|"
    r"commentaires|commenti|share( this)?|related( articles| stories)?|"
    r"you (may|might) also like|more (stories|on this)|advertisement|anzeige|"
    r"publicidade|publicité|read more|weiterlesen|leia mais)\s*[:.…]*", re.IGNORECASE)


def _without_trailing_labels(text: str) -> str:
    """The article without the bare "Comments" or "You may also like:" that ended it."""
    blocks = text.split("\n\n")
    while len(blocks) > 1 and _TRAILING_LABEL.fullmatch(blocks[-1].strip()):
        blocks.pop()
    return "\n\n".join(blocks)


def _without_leading_title(text: str, title: str) -> str:
    """The headline is the article's title; it need not open the body a second time."""
    first, _, rest = text.partition("\n\n")
    if title and " ".join(first.split()).casefold() == " ".join(title.split()).casefold():
        return rest.strip()
    return text
