"""Command line: ``reader [DIR]``, ``reader search QUERY``, ``reader index``; the feed
commands (``reader feeds``, ``reader fetch``, ``reader save``) are in cli_feeds.py.

Exit status: 0 success (search: results found), 1 search found nothing (index: the index is
busy, or could not be updated), 2 usage error or a query that cannot be run, 130
interrupted. Errors are one line on stderr, never a traceback.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import signal
import sys
from pathlib import Path

from . import __version__
from .core.progress import Done, Event, Reporter, encode

EXIT_OK, EXIT_NONE, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130
_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")


def printable(text: str) -> str:
    """Text safe to print on a terminal: control characters shown as escapes."""
    return _UNPRINTABLE.sub(lambda m: m.group(0).encode("unicode_escape").decode("ascii"), text)


# JSON escapes C0 controls itself; C1 controls (U+009B is CSI on some terminals), bidi
# controls and lone surrogates are escaped too, so a JSON line is inert on a terminal.
_JSON_UNSAFE = re.compile(r"[\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def json_line(obj) -> str:
    """One JSON object on one line, non-ASCII text kept readable, controls escaped."""
    encoding = (getattr(sys.stdout, "encoding", None) or "").lower().replace("-", "")
    text = json.dumps(obj, ensure_ascii=encoding not in ("utf8", "utf8sig"))
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group(0)):04x}", text)


#: Snippets made with the search (the default --limit); any more, as each hit is printed.
FIRST_SNIPPETS = 20


def fail(message: str, status: int = EXIT_USAGE) -> int:
    print(f"reader: {printable(message)}", file=sys.stderr)
    return status


def _default_corpus(settings) -> Path:
    """The settings file's corpus, else the bundled sample."""
    if settings.corpus:
        return settings.corpus
    from .core.paths import BUNDLED_CORPUS

    return BUNDLED_CORPUS


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--index-dir", type=Path, metavar="DIR", help="keep the index here instead of the cache"
    )


def _default_corpus_help() -> str:
    """Which folder is opened when none is given, as --help says it: the settings file's
    corpus when it names one, else the bundled sample."""
    from .core.settings import load_settings

    settings = load_settings()
    if settings.corpus:
        return f"default: {settings.corpus}, the corpus in {settings.path}"
    return f"default: the bundled sample articles; set corpus in {settings.path} to change it"


def _corpus_option(parser: argparse.ArgumentParser, default_help: str) -> None:
    parser.add_argument("--corpus", type=Path, metavar="DIR",
                        help=f"the folder of .txt articles ({default_help})")


def build_parsers() -> tuple[argparse.ArgumentParser, argparse.ArgumentParser]:
    default_help = _default_corpus_help()
    app = argparse.ArgumentParser(
        prog="reader",
        description="Read, search and keep up with a folder of plain-text news articles.",
        epilog="Commands: 'reader search QUERY', 'reader related PATH', 'reader index', 'reader"
               " feeds', 'reader fetch' and 'reader save URL' (add --help to any).",
    )
    app.add_argument("corpus", nargs="?", type=Path, metavar="DIR",
                     help=f"the folder of .txt articles to open ({default_help})")
    app.add_argument("--version", action="version", version=f"reader {__version__}")
    _common(app)

    tools = argparse.ArgumentParser(prog="reader")
    sub = tools.add_subparsers(dest="command", required=True)
    search = sub.add_parser("search", help="search the corpus and print the results")
    search.add_argument("query", nargs="+",
                        help="the query, e.g. china talks, china -tiktok, '\"trade deal\"', "
                             "title:nvidia (quoted or not)")
    _corpus_option(search, default_help)
    search.add_argument("--limit", type=_non_negative, default=20, metavar="N",
                        help="at most N results (0: all; default 20)")
    search.add_argument("--json", action="store_true",
                        help="one JSON object per line (JSON Lines: jq reads it as is)")
    search.add_argument("--sort", choices=("relevance", "date", "title"), default="relevance")
    search.add_argument("--exact", action="store_true",
                        help="search for the words as typed: no respelling of a typo")
    _common(search)
    tools.search_parser = search

    related = sub.add_parser("related", help="list the articles most like one article")
    related.add_argument("path", metavar="PATH",
                         help="the article: its path in the corpus, or the file itself")
    _corpus_option(related, default_help)
    related.add_argument("--limit", type=_non_negative, default=10, metavar="N",
                         help="at most N articles (0: all; default 10)")
    related.add_argument("--json", action="store_true",
                         help="one JSON object per line (JSON Lines: jq reads it as is)")
    _common(related)
    tools.related_parser = related

    index = sub.add_parser("index", help="bring the index up to date and report what changed")
    _corpus_option(index, default_help)
    index.add_argument("--rebuild", action="store_true", help="start the index over")
    index.add_argument("--verbose", "-v", action="store_true",
                       help="list every added, updated and removed file")
    index.add_argument("--progress-json", action="store_true", help=argparse.SUPPRESS)
    _common(index)
    tools.index_parser = index
    from .cli_feeds import add_parsers

    add_parsers(sub)
    return app, tools


_WORD_OUT = re.compile(r"-[^\W\d_]")


def _word_not_option(arg: str) -> str:
    """``reader search china -tiktok``: ``-tiktok`` leaves out a word, not an option
    (search's options are long ones, but -h). A space first makes argparse take it so."""
    return f" {arg}" if _WORD_OUT.match(arg) and arg != "-h" else arg


def _non_negative(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {value!r}") from None
    if number < 0:
        raise argparse.ArgumentTypeError("must be 0 or more")
    return number


def main(argv: list[str] | None = None) -> int:
    if argv is None and sys.argv[1:2] in (["search"], ["index"], ["related"]):
        _second_ctrl_c_quits()
    elif argv is None and sys.argv[1:2] in (["fetch"], ["save"], ["feeds"]):
        # Ctrl+C cancels a fetch between requests (asyncio.run's own handler, which it only
        # installs over Python's default one: a process started in the background by a
        # script inherits SIGINT ignored, and would fetch on for as long as a feed hangs).
        with contextlib.suppress(ValueError):
            signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        return _main(argv)
    except KeyboardInterrupt:  # a second Ctrl+C while the first one was being reported
        return EXIT_INTERRUPTED


def _second_ctrl_c_quits() -> None:
    """The first Ctrl+C stops cleanly (KeyboardInterrupt); a second one during that clean-up
    exits at once. Raised again, it could land anywhere (a weakref callback, an atexit
    join) and print a traceback, or leave the clean-up half done and waiting."""
    count = 0

    def handler(signum, frame):
        nonlocal count
        count += 1
        if count > 1:
            os._exit(EXIT_INTERRUPTED)  # sub-processes die with us; commits are whole
        raise KeyboardInterrupt

    with contextlib.suppress(ValueError):  # not the main thread
        signal.signal(signal.SIGINT, handler)


def _main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    for stream in (sys.stdout, sys.stderr):  # a non-UTF-8 terminal gets \xe9, not a traceback
        with contextlib.suppress(AttributeError, ValueError):
            stream.reconfigure(errors="backslashreplace")
    app_parser, tools_parser = build_parsers()
    try:
        if argv and argv[0] == "search":
            # Intermixed: the query's words may stand before and after the options.
            args = tools_parser.search_parser.parse_intermixed_args(
                [*map(_word_not_option, argv[1:])])
            args.command = "search"
            args.query = " ".join(word.strip() for word in args.query)
            return run_search(args)
        if argv and argv[0] == "index":
            # Its own parser: a wrong option gets index's usage, not the top-level one.
            args = tools_parser.index_parser.parse_args(argv[1:])
            args.command = "index"
            return run_index(args)
        if argv and argv[0] == "related":
            args = tools_parser.related_parser.parse_args(argv[1:])
            args.command = "related"
            return run_related(args)
        if argv and argv[0] in ("feeds", "fetch", "save"):
            from . import cli_feeds

            return cli_feeds.run(tools_parser.parse_args(argv))
        args = app_parser.parse_args(argv)
        return run_app(args)
    except KeyboardInterrupt:
        return fail("interrupted", EXIT_INTERRUPTED)
    except BrokenPipeError:
        # `reader search x | head`: the reader of our output went away; that is fine.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_OK
    except OSError as exc:  # e.g. no space left even for a temporary index: one line
        return fail(f"cannot continue: {exc.strerror or exc}"
                    + (f": {exc.filename}" if getattr(exc, "filename", None) else ""))


def _open(args) -> tuple[object, int]:
    from .core.corpus import CorpusError
    from .core.index import CorpusIndex
    from .core.settings import load_settings

    settings = load_settings()
    if not getattr(args, "progress_json", False):  # the app says them itself
        for problem in settings.problems:
            print(f"reader: {printable(problem)}", file=sys.stderr)
    given = getattr(args, "corpus", None)
    corpus = given or _default_corpus(settings)
    try:
        index = CorpusIndex(corpus, args.index_dir, max_bytes=settings.max_bytes)
    except CorpusError as exc:
        return None, fail(_corpus_problem(exc, given, settings))
    return index.open(), EXIT_OK


def _corpus_problem(exc: Exception, given, settings) -> str:
    """A bad corpus folder; when it came from the settings file, that says where to mend it."""
    if given or not settings.corpus:
        return str(exc)
    return f"{exc} (the corpus in {settings.path})"


def _progress_printer(enabled: bool):
    """A Rich progress bar on stderr when it is a terminal; nothing otherwise."""
    if not enabled or not sys.stderr.isatty():
        return None, None
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    progress = Progress(
        TextColumn("Indexing"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
        console=Console(stderr=True), transient=True,
    )
    task = progress.add_task("index", total=None)

    def update(done: int, total: int) -> None:
        if not progress.live.is_started:
            progress.start()
        progress.update(task, completed=done, total=total)

    return progress, update


def _emit(event: Event) -> None:
    """One line in one write: print() writes the newline apart, and a Ctrl+C between the
    two glued the next line onto this one."""
    sys.stdout.write(encode(event))
    sys.stdout.flush()


def _update(index, *, rebuild: bool = False, show_progress: bool = True, json_progress=False,
            wait: bool = True, fallback: bool = True):
    """Bring the index up to date; ``wait`` False raises IndexBusy at once if another
    process is updating it (a search answers from what is there rather than wait).
    ``fallback``: as for ``CorpusIndex.update`` (else UpdateFailed when it cannot write)."""
    from .core.index import IndexBusy

    progress, callback = _progress_printer(show_progress and not json_progress)
    committed = None
    if json_progress:  # for the app, which reads the events back (reader.core.progress)
        reporter = Reporter(_emit)
        callback, committed = reporter.progress, reporter.committed
    try:
        try:
            return index.update(rebuild=rebuild, progress=callback, lock_timeout=0.5,
                                committed=committed, fallback=fallback)
        except IndexBusy:
            if not wait:
                raise
            if not json_progress:
                print("reader: another reader is updating this index; waiting for it…",
                      file=sys.stderr)
            return index.update(rebuild=rebuild, progress=callback, lock_timeout=3600,
                                committed=committed, fallback=fallback)
    finally:
        if progress is not None:
            progress.stop()


def _print_notices(index, start: int = 0) -> int:
    """Notices from ``start`` on, one line each on stderr; returns how many there are now."""
    for notice in index.notices[start:]:
        print(f"reader: {printable(notice)}", file=sys.stderr)
    return len(index.notices)


def run_index(args) -> int:
    from .core.index import IndexBusy, UpdateFailed

    index, status = _open(args)
    if index is None:
        return status
    if index.in_memory:  # indexing into memory would keep nothing once this command ends
        return fail(f"cannot update the index: {index.memory_reason}", EXIT_NONE)
    shown = _print_notices(index)
    try:
        # No index in memory in its place: it would be gone when this command ends (and
        # the app, which runs this command, could never search it).
        report = _update(index, rebuild=args.rebuild, json_progress=args.progress_json,
                         fallback=False)
    except IndexBusy as exc:
        return fail(str(exc), EXIT_NONE)
    except UpdateFailed as exc:
        _print_notices(index, shown)
        return fail(str(exc), EXIT_NONE)
    _print_notices(index, shown)  # e.g. a rebuild, or a fall back to memory, found on the way
    if args.progress_json:
        _emit(Done.of(report, index.notices))
        return EXIT_INTERRUPTED if report.interrupted else EXIT_OK
    out = sys.stdout
    if args.verbose:
        for label, paths in (("added", report.added), ("updated", report.updated),
                             ("removed", report.removed)):
            for path in paths:
                print(f"{label:8} {printable(path)}", file=out)
    for path, reason in sorted(report.skipped.items()):
        print(f"skipped  {printable(path)}: {printable(reason)}", file=out)
    changed = (f"{len(report.added):,} added, {len(report.updated):,} updated,"
               f" {len(report.removed):,} removed")
    if report.interrupted:  # no summary: it would read as if the work were done
        return fail(f"interrupted: the index keeps its {index.doc_count():,} articles ({changed}"
                    " before the stop); run 'reader index' to finish", EXIT_INTERRUPTED)
    where = "in memory" if index.in_memory else str(index.dir)
    print(
        f"{changed}, {len(report.skipped):,} skipped,"
        f" {report.unchanged:,} unchanged ({index.doc_count():,} articles indexed in"
        f" {report.seconds:.1f} s; index: {printable(where)})",
        file=out,
    )
    return EXIT_OK


def _own_tags(root: Path):
    """``tags:x`` also finds the articles the reader tagged x in the app (the reading
    history's tags): the store is opened on the first such query only."""
    stores: list = []

    def paths_tagged(tag: str) -> set[str]:
        if not stores:
            from .core.state import StateStore

            stores.append(StateStore(root))
        return stores[0].paths_tagged(tag)

    return paths_tagged


def run_search(args) -> int:
    from .core.index import IndexBusy, UpdateFailed
    from .core.search import IndexDamaged, QueryError, Searcher

    index, status = _open(args)
    if index is None:
        return status
    shown = _print_notices(index)
    try:
        report = _update(index, wait=False)
    except IndexBusy:
        report = None  # search what is there
        print("reader: another reader is updating this index; searching what it holds so far",
              file=sys.stderr)
    except UpdateFailed as exc:
        report = None
        print(f"reader: {printable(str(exc))} (searching it as it is)", file=sys.stderr)
    _print_notices(index, shown)
    if report is not None and report.interrupted:
        return fail("interrupted", EXIT_INTERRUPTED)
    searcher = Searcher(index, _own_tags(index.root))
    try:
        try:
            results = searcher.search(args.query, limit=args.limit, sort=args.sort,
                                      snippets=FIRST_SNIPPETS, correct=not args.exact)
        except IndexDamaged:
            # Marked damaged: this open starts a new index. Nothing can be answered from the
            # damaged one, so this waits for another updater (the open waits up to 30 s).
            index, status = _open(args)
            if index is None:
                return status
            _print_notices(index)
            _update(index)
            searcher = Searcher(index, _own_tags(index.root))
            results = searcher.search(args.query, limit=args.limit, sort=args.sort,
                                      snippets=FIRST_SNIPPETS, correct=not args.exact)
    except IndexBusy as exc:
        return fail(str(exc), EXIT_NONE)
    except IndexDamaged as exc:
        return fail(str(exc))
    except QueryError as exc:
        return fail(f"bad query: {exc}")
    if results.respelled:  # before the hits: the first thing a reader of them sees
        print(f"reader: showing results for {printable(results.respelled)!r}; search for "
              f"{printable(args.query)!r} exactly instead with --exact", file=sys.stderr)
    _print_hits(searcher, results.hits, results.terms, args.json,
                show_score=args.sort == "relevance")
    if not args.json and results.hits and (results.total is None
                                           or results.total > len(results.hits)):
        counted = "more" if results.total is None else f"{results.total:,}"
        print(f"{len(results.hits):,} of {counted} results (--limit 0 shows all)",
              file=sys.stdout)
    if results.cut_short:
        print(f"reader: {printable(results.cut_short)}", file=sys.stderr)
    if not results.hits and report is None and not results.searched:
        return fail("the index holds no articles yet: another reader is building it; try "
                    "again when it is done", EXIT_NONE)
    if not results.hits:
        message = f"no results for {printable(args.query)!r}"
        if results.note:
            message += f": {printable(results.note)}"
        if results.suggestion:
            message += f"; did you mean {printable(results.suggestion)!r}?"
        print(f"reader: {message}", file=sys.stderr)
        return EXIT_NONE
    return EXIT_OK


def _print_hits(searcher, hits, terms: set[str], as_json: bool, show_score: bool) -> None:
    """Hits as JSON lines or as text, each with its snippet made as it is printed: with
    --limit 0 the first lines come at once (a snippet reads the article's file), not after
    all of them."""
    from rich.console import Console
    from rich.text import Text

    class _Output(Console):
        def on_broken_pipe(self) -> None:
            # Rich exits with status 1; `reader search x | head` is a success (see _main).
            raise BrokenPipeError

    def with_snippets():
        for hit in hits:
            searcher.add_snippets([hit], terms)
            yield hit

    if as_json:
        for hit in with_snippets():
            print(json_line({
                "path": hit.path, "title": hit.title, "score": round(hit.score, 4),
                "snippet": hit.snippet,
                "date": hit.date.isoformat(timespec="seconds") if hit.date else None,
                "section": hit.section, "url": hit.url, "tags": hit.tags,
            }))
        return
    # Piped (to grep, a file): one line per line, not wrapped at 80 columns.
    console = _Output(highlight=False, soft_wrap=not sys.stdout.isatty())
    for hit in with_snippets():
        title = Text(hit.title, style="bold")
        for start, end in hit.title_spans:
            title.stylize("reverse", start, end)
        console.print(title)
        meta = " · ".join(
            part for part in (
                printable(hit.path), printable(hit.section),
                hit.date.strftime("%Y-%m-%d") if hit.date else "",
                f"score {hit.score:.2f}" if show_score else "",
            ) if part
        )
        console.print(Text(f"  {meta}", style="dim"))
        if hit.snippet:
            snippet = Text("  " + hit.snippet)
            for start, end in hit.snippet_spans:
                snippet.stylize("bold reverse", start + 2, end + 2)
            console.print(snippet)
        console.print()


def run_related(args) -> int:
    from .core.index import UpdateFailed
    from .core.search import Searcher

    index, status = _open(args)
    if index is None:
        return status
    shown = _print_notices(index)
    try:
        report = _update(index)
    except UpdateFailed as exc:
        report = None
        print(f"reader: {printable(str(exc))} (searching it as it is)", file=sys.stderr)
    _print_notices(index, shown)
    if report is not None and report.interrupted:
        return fail("interrupted", EXIT_INTERRUPTED)
    path = _article_path(args.path, index.root)
    if path not in index.known():
        skipped = None if report is None else report.skipped.get(path)
        if skipped:
            return fail(f"{printable(path)} is not indexed: {skipped}", EXIT_NONE)
        given = Path(args.path).expanduser()
        if given.is_file() and not given.resolve().is_relative_to(index.root.resolve()):
            return fail(f"{printable(args.path)!r} is not in the corpus "
                        f"{printable(str(index.root))}; pass --corpus with the folder it is in")
        return fail(f"no article {printable(args.path)!r} in {printable(str(index.root))}")
    searcher = Searcher(index)
    hits = searcher.related(path, limit=args.limit or None)
    _print_hits(searcher, hits, set(), args.json, show_score=True)
    if not hits:
        print(f"reader: no article shares enough words with {printable(path)!r}",
              file=sys.stderr)
        return EXIT_NONE
    return EXIT_OK


def _article_path(given: str, root: Path) -> str:
    """An article as the index names it (relative to the corpus, with /), from its path in
    the corpus or a path to the file from here."""
    file = Path(given).expanduser()
    with contextlib.suppress(OSError, ValueError):
        if file.is_file():
            return file.resolve().relative_to(root.resolve()).as_posix()
    return Path(given).as_posix().lstrip("/") if not file.is_absolute() else given


def run_app(args) -> int:
    from .core.corpus import CorpusError, check_corpus
    from .core.settings import load_settings

    settings = load_settings()  # read once: the app is given them too
    corpus = args.corpus or _default_corpus(settings)
    try:
        check_corpus(corpus)
    except CorpusError as exc:
        return fail(_corpus_problem(exc, args.corpus, settings))
    try:
        from .tui.app import ReaderApp
    except ImportError as exc:  # a broken install: say what is missing, not a traceback
        return fail(f"cannot start the app ({exc}); 'reader search' and 'reader index' still work")
    app = ReaderApp(corpus, index_dir=args.index_dir, settings=settings)
    app.run()
    return app.return_code or EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
