"""``reader feeds add|import|export|list|remove``, ``reader fetch`` and ``reader save``.

Exit status: 0 done (fetch: every feed fetched or unchanged), 1 something failed (a feed,
a page), 2 a usage error or a file that cannot be read, 130 interrupted. Problems are one
line each on stderr, naming the feed; the summary goes to stdout.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130
COMMANDS = ("feeds", "fetch", "save")


def _seconds(value: str) -> float:
    try:
        number = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {value!r}") from None
    if not 0 < number <= 3600:
        raise argparse.ArgumentTypeError("must be more than 0 and at most 3600")
    return number


def add_parsers(sub: Any) -> None:
    """The feed commands, on the parser of ``reader search`` and ``reader index``."""

    def corpus(parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--corpus", type=Path, metavar="DIR",
                            help="the folder the articles are written into (default: the "
                                 "settings' corpus)")

    def timeout(parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--timeout", type=_seconds, default=None, metavar="SECONDS",
                            help="how long to wait for each request (default 15)")

    feeds = sub.add_parser("feeds", help="subscriptions: add, import, export, list, remove")
    actions = feeds.add_subparsers(dest="action", required=True, metavar="ACTION")
    add = actions.add_parser("add", help="subscribe to a feed (or to the feed a page names)")
    add.add_argument("url", metavar="URL")
    add.add_argument("--name", metavar="NAME",
                     help="the section (folder) its articles go to (default: the feed's title)")
    add.add_argument("--full-text", action="store_true",
                     help="download each entry's page and keep its whole article")
    corpus(add)
    timeout(add)
    imp = actions.add_parser("import", help="subscribe to every feed of an OPML file")
    imp.add_argument("file", type=Path, metavar="FILE.opml")
    imp.add_argument("--full-text", action="store_true",
                     help="download each entry's page and keep its whole article")
    corpus(imp)
    export = actions.add_parser("export", help="print the subscriptions as OPML")
    corpus(export)
    listing = actions.add_parser("list", help="list the subscriptions")
    listing.add_argument("--json", action="store_true",
                         help="one JSON object per line (JSON Lines: jq reads it as is)")
    corpus(listing)
    remove = actions.add_parser("remove", help="unsubscribe (the articles stay)")
    remove.add_argument("which", metavar="URL|NAME")
    corpus(remove)

    fetch = sub.add_parser("fetch", help="fetch every feed (or one) and write new articles")
    fetch.add_argument("--feed", metavar="URL|NAME", help="only this feed")
    corpus(fetch)
    timeout(fetch)
    fetch.add_argument("--progress-json", action="store_true", help=argparse.SUPPRESS)

    save = sub.add_parser("save", help="save one web page as an article, to read later")
    save.add_argument("url", metavar="URL")
    save.add_argument("--section", default="saved", metavar="NAME",
                      help="the section (folder) to save it in (default: saved)")
    corpus(save)
    timeout(save)


def run(args: argparse.Namespace) -> int:
    from .cli import fail, printable
    from .core.feeds import FeedError
    from .core.settings import load_settings

    settings = load_settings()
    if not getattr(args, "progress_json", False):  # the app says them itself
        for problem in settings.problems:
            print(f"reader: {printable(problem)}", file=sys.stderr)
    root = args.corpus or settings.corpus
    if root is None:
        return fail("no folder to write into: pass --corpus DIR, or set corpus = \"~/news\" "
                    f"in {settings.path} (the bundled sample folder is not written to)")
    root = Path(root).expanduser()
    try:
        if args.command == "fetch":
            return run_fetch(args, root)
        if args.command == "save":
            return run_save(args, root)
        return {"add": run_add, "import": run_import, "export": run_export,
                "list": run_list, "remove": run_remove}[args.action](args, root)
    except FeedError as exc:
        return fail(str(exc), EXIT_FAILED)
    except ValueError as exc:  # a bad --name or --section
        return fail(str(exc), EXIT_USAGE)


def _timeout(args: argparse.Namespace) -> float:
    from .core.feeds import DEFAULT_TIMEOUT

    return args.timeout or DEFAULT_TIMEOUT


def run_add(args: argparse.Namespace, root: Path) -> int:
    from .cli import printable
    from .core.feeds import add_feed

    result = add_feed(root, args.url, name=args.name, full_text=args.full_text,
                      timeout=_timeout(args))
    feed = result.feed
    if result.note:
        print(f"reader: {printable(feed.url)}: {printable(result.note)}", file=sys.stderr)
    if not result.added:
        print(f"already subscribed: {printable(feed.name)} ({printable(feed.url)})")
        return EXIT_OK
    where = f"into {root / feed.section}" if feed.section else f"into {root}"
    print(f"added {printable(feed.title or feed.url)}{' (full text)' if feed.full_text else ''}"
          f"; 'reader fetch' writes its articles {printable(str(where))}")
    return EXIT_OK


def run_import(args: argparse.Namespace, root: Path) -> int:
    from .cli import fail, printable
    from .core.feeds import FeedError, import_opml

    try:
        data = args.file.expanduser().read_bytes()
    except OSError as exc:
        return fail(f"{args.file}: {exc.strerror or exc}")
    try:
        result = import_opml(root, data, full_text=args.full_text)
    except FeedError as exc:
        if "not an OPML" in str(exc) or "empty" in str(exc):
            return fail(f"{args.file}: {exc}")
        raise
    for url, why in result.refused:
        print(f"reader: {printable(url)}: {why}; not added", file=sys.stderr)
    print(f"{len(result.added)} feeds added, {len(result.already)} already subscribed"
          + (f", {len(result.refused)} refused" if result.refused else "")
          + ("; 'reader fetch' fetches them" if result.added else ""))
    return EXIT_FAILED if result.refused and not result.added else EXIT_OK


def run_export(args: argparse.Namespace, root: Path) -> int:
    from .core.feeds import export_opml

    sys.stdout.write(export_opml(root) + "\n")
    return EXIT_OK


def run_list(args: argparse.Namespace, root: Path) -> int:
    import time

    from .cli import json_line, printable
    from .core.feeds import list_feeds

    feeds = list_feeds(root)
    for feed, count in feeds:
        if args.json:
            print(json_line({
                "url": feed.url, "name": feed.name, "section": feed.section,
                "title": feed.title, "full_text": feed.full_text, "articles": count,
                "fetched": (time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(feed.fetched))
                            if feed.fetched else None),
                "error": feed.error}))
            continue
        when = (time.strftime("%Y-%m-%d %H:%M", time.localtime(feed.fetched))
                if feed.fetched else "never fetched")
        flags = " · full text" if feed.full_text else ""
        state = f" · failed: {feed.error}" if feed.error else ""
        print(printable(f"{feed.name}  {feed.url}"))
        print(printable(f"  {count} articles · {when}{flags}{state}"))
    if not feeds and not args.json:
        print("no feeds yet: 'reader feeds add URL' subscribes to one", file=sys.stderr)
    return EXIT_OK


def run_remove(args: argparse.Namespace, root: Path) -> int:
    from .cli import printable
    from .core.feeds import remove_feed

    feed = remove_feed(root, args.which)
    folder = root.joinpath(*feed.section.split("/")) if feed.section else None
    kept = (f"; its articles stay in {folder}"
            if folder is not None and any(folder.glob("*.txt")) else "")
    print(printable(f"removed {feed.name} ({feed.url}){kept}"))
    return EXIT_OK


def progress_text(done: int, total: int, last: str = "") -> str:
    """The words beside the bar: feeds finished, and the one that finished last (said as
    such: several others are in flight while it shows)."""
    from .cli import printable

    text = f"{done:,}/{total:,} feeds done"
    name = printable(" ".join(last.split()))
    if name:
        text += f" · last: {name[:39] + '…' if len(name) > 40 else name}"
    return text


def _progress_bar() -> tuple[Any, Any]:
    """A Rich progress bar on stderr when it is a terminal."""
    if not sys.stderr.isatty():
        return None, None
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn

    progress = Progress(TextColumn("Fetching"), BarColumn(),
                        TextColumn("{task.description}", markup=False),
                        console=Console(stderr=True), transient=True)
    task = progress.add_task("", total=None)

    def update(done: int, total: int, result: Any) -> None:
        if not progress.live.is_started:
            progress.start()
        last = result.feed.label if result is not None else ""
        progress.update(task, completed=done, total=total,
                        description=progress_text(done, total, last))

    return progress, update


def _fetch_events(root: Path, args: argparse.Namespace) -> int:
    """The fetch as events on stdout, for the app (which reads them back with
    reader.core.progress.decode); the exit status is the same as without."""
    from .cli import _emit
    from .core.feeds import fetch_feeds
    from .core.progress import FeedFetched, Fetched

    def update(done: int, total: int, result: Any) -> None:
        _emit(FeedFetched.of(done, total, result))

    report = fetch_feeds(root, args.feed, progress=update, timeout=_timeout(args))
    _emit(Fetched.of(report))
    if report.interrupted:
        return EXIT_INTERRUPTED
    return EXIT_FAILED if report.failed else EXIT_OK


def run_fetch(args: argparse.Namespace, root: Path) -> int:
    from .cli import fail, printable
    from .core.feeds import fetch_feeds

    if args.progress_json:
        return _fetch_events(root, args)
    progress, update = _progress_bar()
    try:
        report = fetch_feeds(root, args.feed, progress=update, timeout=_timeout(args))
    finally:
        if progress is not None:
            progress.stop()
    if not report.results and not report.interrupted:
        print("no feeds yet: 'reader feeds add URL' subscribes to one", file=sys.stderr)
        return EXIT_OK
    for result in report.results:
        name = printable(result.feed.label)
        if result.error:
            print(f"reader: {name} ({printable(result.feed.url)}): {printable(result.error)}",
                  file=sys.stderr)
            continue
        parts = []
        if result.new:
            parts.append(f"{len(result.new)} new")
        if result.updated:
            parts.append(f"{len(result.updated)} updated")
        if not result.done:
            parts.append("interrupted")
        print(f"{name}: {', '.join(parts) or 'nothing new'}")
        for note in result.notes:
            print(f"  note: {printable(note)}")
    print(report.summary().removesuffix("; interrupted"))
    if report.interrupted:
        return fail("interrupted: the articles written are whole; 'reader fetch' gets the "
                    "rest", EXIT_INTERRUPTED)
    return EXIT_FAILED if report.failed else EXIT_OK


def run_save(args: argparse.Namespace, root: Path) -> int:
    from .cli import printable
    from .core.feeds import FeedError, save_page

    try:
        result = save_page(root, args.url, section=args.section, timeout=_timeout(args))
    except FeedError as exc:
        message = str(exc)
        raise FeedError(message if args.url in message else f"{args.url}: {message}") from None
    if result.already:
        print(printable(f"already in the folder: {result.title!r} as {result.path}; "
                        "nothing written"))
    else:
        print(printable(f"saved {result.title!r} as {result.path}"))
    return EXIT_OK
