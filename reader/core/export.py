"""Articles, lists and search results as Markdown or JSON, for the app's export command.

JSON is one object per line with the fields ``reader search --json`` prints (``path``,
``title``, ``score``, ``snippet``, ``date``, ``section``, ``url``, ``tags``), and an
article's ``body`` when whole articles are asked for. Markdown keeps what reflow makes of
the text: paragraphs, quotes, lists, and tables or code in fenced blocks. An export is
written to a new file (never over one that exists), whole or not at all.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

from .articles import Article
from .reflow import Block, blocks


class HitLike(Protocol):
    """What a search result gives an export (``search.Hit``)."""

    path: str
    title: str
    section: str
    date: datetime
    score: float
    snippet: str


@dataclass(frozen=True, slots=True)
class Record:
    """One article as exported; ``body`` only when whole articles are exported."""

    path: str
    title: str
    date: datetime | None = None
    section: str = ""
    url: str = ""
    tags: tuple[str, ...] = ()
    score: float | None = None
    snippet: str = ""
    body: str | None = None
    source: str = ""
    author: str = ""


def _tags(*groups: Iterable[str]) -> tuple[str, ...]:
    """The file's tags, then one's own, each once (as ``tags:`` matches them: any case)."""
    seen: dict[str, str] = {}
    for group in groups:
        for tag in group:
            seen.setdefault(tag.lower(), tag)
    return tuple(seen.values())


def record_of_article(article: Article, *, own_tags: Iterable[str] = (),
                      score: float | None = None, snippet: str = "",
                      whole: bool = False) -> Record:
    """``own_tags``: the reader's tags from the state store (``StateStore.tags_of``)."""
    return Record(article.path, article.title, article.date, article.section, article.url,
                  _tags(article.tags, own_tags), score, snippet,
                  article.body if whole else None, article.source, article.author)


def record_of_hit(hit: HitLike, *, own_tags: Iterable[str] = (),
                  article: Article | None = None, whole: bool = False) -> Record:
    """A search result. Its ``article`` (read from its file) gives the header's URL and
    tags whether or not the hit carries them, and with ``whole`` its text."""
    url = article.url if article else str(getattr(hit, "url", "") or "")
    file_tags = article.tags if article else tuple(getattr(hit, "tags", ()) or ())
    return Record(hit.path, hit.title, hit.date, hit.section, url, _tags(file_tags, own_tags),
                  hit.score, hit.snippet, article.body if article and whole else None,
                  article.source if article else "", article.author if article else "")


# --- JSON ----------------------------------------------------------------------------------


def json_date(date: datetime | None) -> str:
    """A date as JSON carries it: ISO 8601 in UTC to the second ("2025-09-15T08:30:00Z")."""
    return date.replace(microsecond=0).isoformat() + "Z" if date else ""


def json_object(record: Record) -> dict[str, Any]:
    """The fields in the order ``reader search --json`` prints them."""
    obj: dict[str, Any] = {
        "path": record.path,
        "title": record.title,
        "score": None if record.score is None else round(record.score, 4),
        "snippet": record.snippet,
        "date": json_date(record.date),
        "section": record.section,
        "url": record.url,
        "tags": list(record.tags),
    }
    if record.body is not None:
        obj.update(source=record.source, author=record.author, body=record.body)
    return obj


def to_json_lines(records: Iterable[Record]) -> str:
    """One JSON object a line; non-ASCII text kept as it is (the file is UTF-8)."""
    return "".join(json.dumps(json_object(record), ensure_ascii=False) + "\n"
                   for record in records)


# --- Markdown ------------------------------------------------------------------------------

# Text that Markdown would take for markup: an HTML tag ("<Sedio N.V.>" in wire copy), a
# link, a code span, an escape, a heading. Emphasis (*word*, _word_) is left to mean
# emphasis, and a list (a line starting "1. " or "- ") to be a list.
_INLINE = re.compile(r"([\\`<\[\]])")
_HEADING = re.compile(r"^#")


def _escape(text: str) -> str:
    return _HEADING.sub(r"\#", _INLINE.sub(r"\\\1", text))


def _title(text: str) -> str:
    return _escape(" ".join(text.split())) or "(untitled)"


def _autolink(url: str) -> str:
    return f"<{url}>" if url and not re.search(r"[\s<>]", url) else _escape(url)


def body_markdown(body: str) -> str:
    """An article's text in Markdown: each paragraph one line, quotes with ``>``, a run of
    lines kept as written (a table, code, a signature) in a fenced block, a line break kept
    where reflow keeps one (a hard break)."""
    out: list[str] = []
    run: list[Block] = []  # kept lines in a row, at one quote depth

    def fence() -> None:
        if run:
            quote = "> " * run[0].depth
            longest = max((len(ticks) for block in run for ticks in re.findall("`+", block.text)),
                          default=0)
            ticks = "`" * max(3, longest + 1)
            out.extend([f"{quote}{ticks}text", *(quote + block.text for block in run),
                        quote + ticks])
            run.clear()

    previous: Block | None = None
    for block in blocks(body):
        after_paragraph = previous is not None and bool(previous.text) and not previous.kept
        between = ("> " * min(previous.depth, block.depth)).rstrip() if previous else ""
        if block.kept:
            if run and run[0].depth != block.depth:
                fence()
            if not run and after_paragraph:
                out.append(between)  # a fence after a paragraph needs a blank line
            run.append(block)
        else:
            fence()
            if after_paragraph and block.text:
                if previous is not None and previous.depth == block.depth:
                    out[-1] += "\\"  # a line break kept: a hard break
                else:
                    out.append(between)  # else the quote would run on into this line
            out.append(("> " * block.depth + _escape(block.text)).rstrip())
        previous = block
    fence()
    return "\n".join(out).strip("\n")


def _meta_lines(record: Record) -> list[str]:
    items = [
        ("Date", record.date.strftime("%Y-%m-%d %H:%M").removesuffix(" 00:00")
         if record.date else ""),
        ("Section", _escape(record.section)),
        ("Source", _escape(record.source)),
        ("Author", _escape(record.author)),
        ("URL", _autolink(record.url)),
        ("Tags", _escape(", ".join(record.tags))),
        ("File", f"`{record.path}`" if "`" not in record.path else _escape(record.path)),
    ]
    return [f"- {label}: {value}" for label, value in items if value]


def article_markdown(record: Record, level: int = 1) -> str:
    """One article: its title as a heading, its metadata as a list, then its text."""
    parts = [f"{'#' * level} {_title(record.title)}", "\n".join(_meta_lines(record))]
    if record.body:
        parts.append(body_markdown(record.body))
    return "\n\n".join(parts) + "\n"


def list_markdown(records: Sequence[Record], heading: str) -> str:
    """A list of articles or search results: numbered, each with its date, section, score
    and snippet; articles given whole (``body``) follow each other in full instead."""
    parts = [f"# {_title(heading)}"]
    if any(record.body is not None for record in records):
        parts.extend(article_markdown(record, level=2).rstrip("\n") for record in records)
        return "\n\n".join(parts) + "\n"
    for number, record in enumerate(records, 1):
        title = _title(record.title)
        link = f"[{title}](<{record.url}>)" if record.url and ">" not in record.url else title
        details = " · ".join(part for part in (
            record.date.strftime("%Y-%m-%d") if record.date else "", _escape(record.section),
            f"score {record.score:.2f}" if record.score is not None else "",
            f"`{record.path}`" if "`" not in record.path else "",
            _escape(", ".join(record.tags)),
        ) if part)
        item = f"{number}. **{link}**"
        indent = " " * (len(str(number)) + 2)
        if details:
            item += f"\\\n{indent}{details}"
        if record.snippet:
            item += f"\\\n{indent}{_escape(' '.join(record.snippet.split()))}"
        parts.append(item)
    return "\n\n".join(parts) + "\n"


# --- files ---------------------------------------------------------------------------------

_UNSAFE_NAME = re.compile(r"[^\w.-]+|\.{2,}")


def export_name(stem: str, suffix: str, when: datetime | None = None) -> str:
    """A file name for an export: "reader-<what>-<date>.<suffix>", safe on any system."""
    slug = _UNSAFE_NAME.sub("-", stem.lower()).strip("-.")[:60].rstrip("-.") or "export"
    slug = re.sub(r"-{2,}", "-", slug)
    day = (when or datetime.now()).strftime("%Y-%m-%d")
    return f"reader-{slug}-{day}.{suffix.lstrip('.')}"


def write_export(folder: Path, name: str, text: str) -> Path:
    """Write ``text`` to a new file in ``folder`` and return its path: ``name``, or
    "name-2" and on when that exists, so nothing there is ever written over. Written to a
    temporary file first and linked into place, so no half-written file is ever seen.
    Raises OSError (a folder that cannot be written, a full disk) with nothing left over."""
    folder = Path(folder).expanduser()
    stem, dot, suffix = name.rpartition(".") if "." in name else (name, "", "")
    handle, temporary = tempfile.mkstemp(prefix=".reader-export-", dir=folder)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        for number in range(1, 10_000):
            target = folder / (name if number == 1 else f"{stem}-{number}{dot}{suffix}")
            try:
                os.link(temporary, target)  # fails, rather than replaces, if it exists
            except FileExistsError:
                continue
            except OSError:  # no hard links here (FAT, some network shares)
                if not _write_new(target, text):
                    continue
            return target
        raise FileExistsError(f"no free file name for {name} in {folder}")
    finally:
        os.unlink(temporary)


def _write_new(target: Path, text: str) -> bool:
    """Create ``target`` and write ``text`` to it; False if it exists. A failed write
    removes what it had written."""
    try:
        out = open(target, "x", encoding="utf-8", newline="\n")
    except FileExistsError:
        return False
    try:
        with out:
            out.write(text)
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    return True


def export_articles(records: Sequence[Record], fmt: str, heading: str = "") -> str:
    """``records`` in ``fmt`` ("markdown" or "json"): one article's Markdown when there is
    one and no heading, else a list."""
    if fmt == "json":
        return to_json_lines(records)
    if fmt != "markdown":
        raise ValueError(f"unknown export format {fmt!r} (markdown or json)")
    if len(records) == 1 and not heading:
        return article_markdown(records[0])
    return list_markdown(records, heading or f"{len(records)} articles")


SUFFIXES: Mapping[str, str] = {"markdown": "md", "json": "jsonl"}
