"""One article file: decode it, make it inert, split it into title, metadata and body.

Every byte of an article is someone else's: escape sequences and control characters are
removed here, once, before anything is indexed or drawn. ``parse_article`` never raises.
"""

from __future__ import annotations

import codecs
import email.utils
import hashlib
import os
import re
import stat
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
#: Titles are cut here for the list; the whole first line stays searchable in the body.
MAX_TITLE_CHARS = 300
HEADER_KEYS = ("title", "date", "source", "author", "url", "tags")
_WORDS_PER_MINUTE = 230


def content_hash(data: bytes) -> str:
    """A short, stable fingerprint of a file's bytes: marks follow it when a file moves."""
    return hashlib.blake2b(data, digest_size=8).hexdigest()


def file_hash(path: Path) -> str | None:
    try:
        return content_hash(path.read_bytes())
    except OSError:
        return None


class SkipFile(Exception):
    """A file that cannot be read as an article; ``str(exc)`` is the reason for the user."""


@dataclass(frozen=True, slots=True)
class Article:
    path: str  # relative to the corpus, with "/" separators
    title: str
    body: str
    section: str = ""
    date: datetime | None = None  # naive UTC
    source: str = ""
    author: str = ""
    url: str = ""
    tags: tuple[str, ...] = ()
    encoding: str = "utf-8"
    mtime_ns: int = 0
    size: int = 0
    hash: str = ""
    dated_by_header: bool = field(default=False, compare=False)

    @property
    def words(self) -> int:
        return len(self.body.split())

    @property
    def reading_minutes(self) -> int:
        return max(1, round(self.words / _WORDS_PER_MINUTE))

    @property
    def text(self) -> str:
        """Title and body, as a reader would copy them."""
        return f"{self.title}\n\n{self.body}".rstrip() + "\n"


# --- decoding -----------------------------------------------------------------------------

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# ESC is not counted: text with colour codes is text (they are removed when cleaning).
_CONTROL_BYTES = bytes(b for b in range(32) if b not in (9, 10, 12, 13, 27)) + b"\x7f"
_ASCII_LETTERS = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _nul_pattern_encoding(sample: bytes) -> str | None:
    """UTF-16/32 without a BOM: NULs in a fixed lane of every code unit."""
    n = len(sample) - len(sample) % 4
    if n < 8:
        return None
    lanes = [sample[i:n:4].count(0) / (n // 4) for i in range(4)]
    if lanes[1] > 0.9 and lanes[2] > 0.9 and lanes[3] > 0.9 and lanes[0] < 0.1:
        return "utf-32-le"
    if lanes[0] > 0.9 and lanes[1] > 0.9 and lanes[2] > 0.9 and lanes[3] < 0.1:
        return "utf-32-be"
    odd = (lanes[1] + lanes[3]) / 2
    even = (lanes[0] + lanes[2]) / 2
    if odd > 0.7 and even < 0.1:
        return "utf-16-le"
    if even > 0.7 and odd < 0.1:
        return "utf-16-be"
    return None


def looks_binary(data: bytes) -> bool:
    sample = data[:8192]
    if not sample:
        return False
    controls = len(sample) - len(sample.translate(None, _CONTROL_BYTES))
    return controls / len(sample) > 0.1


_STRAY = re.compile("[\udc80-\udcff]")
_WIDE = re.compile("[^\x00-\x7f\udc80-\udcff]")


def _utf8_with_stray_bytes(data: bytes) -> str | None:
    """UTF-8 text with a few bytes that are not (a pasted CP1252 quote, a stray Latin-1
    letter): read as UTF-8, those bytes as CP1252. Decoding it all as CP1252 would turn every
    "é" of the rest into "Ã©". None when the file does not look like UTF-8 at all."""
    sample = data[:65536].decode("utf-8", errors="surrogateescape")
    stray = len(_STRAY.findall(sample))
    if not stray or len(_WIDE.findall(sample)) < stray:
        return None  # at least as many broken sequences as good ones: another encoding
    text = data.decode("utf-8", errors="surrogateescape")
    return _STRAY.sub(
        lambda m: bytes([ord(m.group()) - 0xDC00]).decode("cp1252", errors="replace"), text
    )


def decode(data: bytes) -> tuple[str, str]:
    """Bytes to text and the name of the encoding used; raises SkipFile for binary data."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return data.decode(encoding, errors="replace"), encoding
    sample = data[:8192]
    wide = _nul_pattern_encoding(sample) if b"\0" in sample else None
    if wide:
        return data.decode(wide, errors="replace"), wide
    if looks_binary(data):
        raise SkipFile("binary file (not text)")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    mixed = _utf8_with_stray_bytes(data)
    if mixed is not None:
        return mixed, "utf-8"
    # Western text has its few accented letters among many ASCII ones (curly quotes and
    # dashes don't count); CP1252, a superset of Latin-1's printable range, reads it right
    # where detectors guess a Baltic or Central European code page. Cyrillic or Greek in a
    # single-byte code page is all "accented letters" read this way, and goes to detection.
    try:
        western = data.decode("cp1252")
    except UnicodeDecodeError:
        western = None
    if western is not None:
        sample = data[:65536]  # a sample decides; a 10 MB file must not cost a second
        letters = len(sample) - len(sample.translate(None, _ASCII_LETTERS))
        accented = sum(1 for char in western[:65536] if ord(char) > 127 and char.isalpha())
        if accented <= 0.25 * max(letters, 1):
            return western, "cp1252"
    from charset_normalizer import from_bytes  # only here: a rare file, and 25 ms to import

    best = from_bytes(data[: 1024 * 1024]).best()
    if best is not None and best.encoding:
        return data.decode(best.encoding, errors="replace"), best.encoding
    return data.decode("cp1252", errors="replace"), "cp1252"


# --- making text inert --------------------------------------------------------------------

# ESC-introduced sequences (CSI, OSC, DCS/SOS/PM/APC strings, two-byte escapes) and their
# 8-bit C1 forms. Removed whole, so no parameter bytes are left behind as visible junk.
_ESCAPES = re.compile(
    r"""
      \x1b\[ [0-?]* [ -/]* [@-~]?                 # CSI
    | \x9b   [0-?]* [ -/]* [@-~]?                 # 8-bit CSI
    | (?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f])     # OSC, DCS, SOS, PM, APC ...
      [^\x07\x1b\x9c]{0,4096} (?:\x07|\x1b\\|\x9c)?   # ... up to their terminator
    | \x1b [ -/]* [0-~]?                          # any other escape
    """,
    re.VERBOSE,
)
# C0/C1 controls (but tab and newline), format characters (bidi overrides, zero-width
# characters, BOMs, soft hyphens, tag characters), lone surrogates and non-characters.
_INVISIBLE_CHARS = (
    "\x00-\x08\x0b-\x1f\x7f-\x9f\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2"
    "\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb"
    "\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff"
    "\U000110bd\U000110cd\U00013430-\U0001343f\U0001bca0-\U0001bca3\U0001d173-\U0001d17a"
    "\U000e0000-\U000e007f"
)
_INVISIBLE = re.compile(f"[{_INVISIBLE_CHARS}]")
_NEWLINES = re.compile(r"\r\n?|[\u2028\u2029\x85\x0b\x0c]")


# What the three patterns above can match in ASCII text (tab and newline are kept).
_ASCII_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f]")
_ASCII_CONTROL_BYTES = bytes(range(9)) + bytes(range(11, 32)) + b"\x7f"
# Where any of the three can start: every escape starts with a character _INVISIBLE
# matches, and so does every line break but two.
_NEEDS_CLEANING = re.compile(f"[{_INVISIBLE_CHARS}\u2028\u2029]")


def plain_ascii(data: bytes) -> bool:
    """ASCII with no control byte but tab and newline: text that cleaning leaves as it is
    (but for tabs), in any encoding a file could be read as. Most article files are."""
    return data.isascii() and len(data.translate(None, _ASCII_CONTROL_BYTES)) == len(data)


def clean_text(text: str) -> str:
    """Remove everything that could act on a terminal; keep words, newlines and spaces."""
    if text.isascii() and not _ASCII_CONTROLS.search(text):  # most files: one quick pass
        return text.expandtabs(4) if "\t" in text else text
    if not _NEEDS_CLEANING.search(text):  # accented letters, curly quotes: one pass too
        return text.expandtabs(4) if "\t" in text else text
    text = _NEWLINES.sub("\n", text)
    text = _ESCAPES.sub("", text)
    text = _INVISIBLE.sub("", text)
    return text.expandtabs(4) if "\t" in text else text


# --- structure ----------------------------------------------------------------------------

_HEADER_LINE = re.compile(r"^([A-Za-z]+):[ \t]*(.*?)\s*$")


def _split_header(lines: list[str]) -> tuple[dict[str, str], list[str]]:
    """A leading block of known ``Key: value`` lines ended by a blank line is metadata."""
    meta: dict[str, str] = {}
    for i, line in enumerate(lines):
        if not line.strip():
            return (meta, lines[i + 1 :]) if meta else ({}, lines)
        match = _HEADER_LINE.match(line)
        if not match or match.group(1).lower() not in HEADER_KEYS:
            return {}, lines
        meta[match.group(1).lower()] = match.group(2)
    return {}, lines


_DATE_FORMATS = ("%d %B %Y", "%d %b %Y", "%B %d, %Y", "%b %d, %Y", "%Y/%m/%d", "%d.%m.%Y")


def parse_date(value: str) -> datetime | None:
    """A header date in ISO 8601, RFC 2822 or a few common spellings, as naive UTC."""
    value = value.strip()
    if not value:
        return None
    parsed: datetime | None = None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        try:
            parsed = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            for fmt in _DATE_FORMATS:
                try:
                    parsed = datetime.strptime(value, fmt)
                    break
                except ValueError:
                    continue
    if parsed is None:
        return None
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(UTC).replace(tzinfo=None)
    if not 1900 <= parsed.year <= 2200:
        return None
    return parsed


#: The heading of the list of link targets that ends a fetched article's body ("[1] URL"
#: a line): part of the file, but not text to read.
LINKS_HEADING = "Links:"
_LINK_LINES = re.compile(r"(?:\n\[\d+\] [^\n]*)+\n*\Z")


def links_start(body: str) -> int:
    """Where the list of link targets at the end of ``body`` starts (its ``Links:`` line),
    else ``len(body)``: what comes before it is the article's reading text."""
    at = body.rfind(f"\n\n{LINKS_HEADING}\n")
    if at >= 0 and _LINK_LINES.match(body, at + 2 + len(LINKS_HEADING)):
        return at + 2
    return len(body)


def section_of(path: str) -> str:
    """The folder of a corpus path as the scan gives it ("world/europe/x.txt")."""
    if "//" in path or path.startswith("./") or "/./" in path:  # not as a scan gives it
        parent = str(PurePosixPath(path).parent)
        return "" if parent == "." else parent
    return path.rpartition("/")[0]


def _rstrip_lines(text: str) -> str:
    """Each line without the spaces at its end (of cleaned text: tabs are spaces now)."""
    if text.isascii() and " \n" not in text and not text.endswith(" "):
        return text  # nothing to strip: most articles
    return "\n".join(line.rstrip() for line in text.split("\n"))


def _utc_from_ns(mtime_ns: int) -> datetime | None:
    try:
        return datetime.fromtimestamp(mtime_ns / 1e9, UTC).replace(tzinfo=None)
    except (OverflowError, OSError, ValueError):
        return None


def parse_article(data: bytes, path: str = "article.txt", mtime_ns: int = 0) -> Article:
    """Read one article from raw bytes. Raises only SkipFile (binary or empty)."""
    if plain_ascii(data):  # no BOM, no NULs, nothing to clean: decode() and
        text, encoding = data.decode("ascii"), "utf-8"  # clean_text() give it as it is
        if "\t" in text:
            text = text.expandtabs(4)
    else:
        text, encoding = decode(data)
        text = clean_text(text)
    lines = text.split("\n")
    meta, rest = _split_header(lines)
    title = meta.get("title", "").strip()
    if not title:
        while rest and not rest[0].strip():
            rest = rest[1:]
        if not rest:
            raise SkipFile("empty file (no text)")
        title, rest = rest[0].strip(), rest[1:]
    body = _rstrip_lines("\n".join(rest).strip("\n"))
    if len(title) > MAX_TITLE_CHARS:
        body = f"{title}\n\n{body}" if body else title
        title = title[: MAX_TITLE_CHARS - 1].rstrip() + "…"
    title = " ".join(title.split())
    date = parse_date(meta.get("date", ""))
    dated_by_header = date is not None
    if date is None:
        date = _utc_from_ns(mtime_ns)
    tags = tuple(t.strip() for t in re.split(r"[,;]", meta["tags"]) if t.strip()) if meta.get(
        "tags") else ()
    return Article(
        path=path,
        title=title,
        body=body,
        section=section_of(path),
        date=date,
        source=meta.get("source", ""),
        author=meta.get("author", ""),
        url=meta.get("url", ""),
        tags=tags,
        encoding=encoding,
        mtime_ns=mtime_ns,
        size=len(data),
        hash=content_hash(data),
        dated_by_header=dated_by_header,
    )


_READ_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)


def _read_to_end(fd: int, size: int, max_bytes: int) -> bytes:
    """The file's bytes, up to one past ``max_bytes``. A read of its size and one byte
    more (to see whether it grew since its stat) is all most files take; reading
    ``max_bytes + 1`` at once allocated 10 MB an article."""
    data = os.read(fd, size + 1)
    if len(data) != size:  # it grew or shrank since the stat (or a short read): read on
        parts, total = [data], len(data)
        while total <= max_bytes:
            chunk = os.read(fd, min(1 << 20, max_bytes + 1 - total))
            if not chunk:
                break
            parts.append(chunk)
            total += len(chunk)
        data = b"".join(parts)
    return data


def read_bytes(file: Path | str, max_bytes: int = DEFAULT_MAX_BYTES,
               ) -> tuple[bytes, os.stat_result]:
    """The file's bytes and stat, or SkipFile with a reason a user can act on."""
    try:
        # O_NONBLOCK: a FIFO that took a file's place since the scan must not hang us.
        fd = os.open(file, _READ_FLAGS)
        try:
            st = os.fstat(fd)
            if not stat.S_ISREG(st.st_mode):
                raise SkipFile("not a regular file")
            if st.st_size > max_bytes:
                raise SkipFile(f"too large ({st.st_size:,} bytes; the cap is {max_bytes:,})")
            data = _read_to_end(fd, st.st_size, max_bytes)
        finally:
            os.close(fd)
    except FileNotFoundError:
        raise SkipFile("vanished while being read") from None
    except PermissionError:
        raise SkipFile("permission denied") from None
    except IsADirectoryError:
        raise SkipFile("is a directory") from None
    except OSError as exc:
        raise SkipFile(f"cannot be read ({exc.strerror or exc})") from None
    if len(data) > max_bytes:
        raise SkipFile(f"too large (over the {max_bytes:,}-byte cap)")
    return data, st


def read_article(root: Path, path: str, max_bytes: int = DEFAULT_MAX_BYTES) -> Article:
    """Read ``root/path``; raises SkipFile with the reason when it cannot be an article."""
    data, st = read_bytes(os.path.join(root, path), max_bytes)
    return parse_article(data, path, st.st_mtime_ns)
