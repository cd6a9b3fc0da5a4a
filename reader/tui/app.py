"""ReaderApp: the list pane, the article pane and search, thin over ``reader.core``.

The window appears at once: the list comes from the existing index (or a quick scan of
titles on a first run) while ``reader index`` brings the index up to date in a separate
process, so a long build never makes a key press wait for the GIL.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import difflib
import functools
import gc
import inspect
import os
import shlex
import signal
import subprocess
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import App, ComposeResult, SuspendNotSupported, SystemCommand
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Footer, Header
from textual.worker import WorkerCancelled, get_current_worker

from ..core.articles import SkipFile, clean_text, parse_article
from ..core.corpus import CorpusError, check_corpus, scan
from ..core.errors import QueryError
from ..core.listing import Entry, peek, peek_head
from ..core.paths import config_file, default_index_dir
from ..core.progress import Committed, Done, Progress, decode
from ..core.settings import DEFAULT_THEME, Settings, load_settings
from ..core.spawn import INDEXER_SPAWN, index_command, indexer_env
from ..core.state import StateStore, peek_shared
from .screens.help import HelpScreen, key_table
from .screens.related import RelatedScreen
from .widgets import ArticleList, ArticleView, SearchBar, StatusLine
from .widgets.search_bar import SearchInput

if TYPE_CHECKING:  # imported when the index is opened, after the first screen
    from ..core.index import CorpusIndex

STYLES = Path(__file__).resolve().parent.parent / "styles" / "reader.tcss"
SEARCH_DEBOUNCE = 0.12
SEARCH_LIMIT = 100
#: Results shown with their snippet at once; the rest get theirs a moment later.
FIRST_SNIPPETS = 24
QUICK_SCAN_BYTES = 4096
READ_AFTER_SECONDS = 1.5
VIEWS = ("all", "unread", "starred")
SORT_LABELS = {"date": "newest first", "title": "by title", "relevance": "by relevance"}


def sort_entries(entries: list[Entry], sort: str, *, newest_first: bool = False) -> list[Entry]:
    """The full list in the user's order. The index gives it ``newest_first`` (by date, then
    path, descending), the usual order, which then costs nothing (a sort of 100,000 entries
    already in order still takes a tenth of a second)."""
    if sort == "title":
        return sorted(entries, key=lambda e: (e.title.casefold(), e.path))
    if newest_first:
        return entries
    return sorted(entries, key=lambda e: (e.date, e.path), reverse=True)


#: A first run shows the list after peeking at this many files, then again with all of them.
QUICK_FIRST = 300


def quick_entries(root: Path, max_bytes: int, first: int | None = None):
    """Titles from the first few KB of each file, for a first run before the index exists:
    yields the list so far after ``first`` files (QUICK_FIRST), then all of it."""
    first = QUICK_FIRST if first is None else first
    entries: list[Entry] = []
    for path, stat in scan(root).files.items():
        if len(entries) == first:
            yield list(entries)
        if stat.size > max_bytes:
            continue
        try:
            with open(root / path, "rb") as handle:
                data = handle.read(QUICK_SCAN_BYTES)
            article = parse_article(data, path, stat.mtime_ns)
        except (OSError, SkipFile):
            continue
        entries.append(Entry(path, article.title, article.section, article.date))
    yield entries


class ReaderApp(App[int]):
    """Read, search and keep up with a folder of plain-text articles."""

    CSS_PATH = STYLES
    TITLE = "reader"
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (100, "-wide")]
    VERTICAL_BREAKPOINTS = [(0, "-short"), (18, "-tall")]
    # The screen focuses the list as it first shows; a deferred focus() in on_mount could land
    # after a "/" typed at once and pull the keys that follow away from the search box.
    AUTO_FOCUS = "#articles"

    BINDINGS = [
        # priority: handled before the keys typed after it are forwarded to the list.
        Binding("slash", "search", "Search", priority=True, id="app.search"),
        Binding("r", "related", "Related", id="app.related"),
        Binding("u", "next_unread", "Next unread", id="app.next_unread"),
        Binding("U", "previous_unread", "Prev unread", show=False, id="app.previous_unread"),
        Binding("backspace", "history_back", "Back to the last article", show=False,
                id="app.history_back"),
        Binding("m", "toggle_read", "Read/unread", show=False, id="app.toggle_read"),
        Binding("s", "toggle_star", "Star", id="app.star"),
        Binding("v", "cycle_view", "View", id="app.view"),
        Binding("o", "pager", "Open in pager", show=False, id="app.pager"),
        Binding("e", "editor", "Open in editor", show=False, id="app.editor"),
        Binding("y", "copy", "Copy title and text", show=False, id="app.copy"),
        Binding("tab", "switch_pane", "Switch pane", show=False, priority=True, id="app.switch"),
        Binding("escape", "back", "Back", show=False, id="app.back"),
        Binding("question_mark,f1", "help", "Help", id="app.help"),
        Binding("q", "quit", "Quit", id="app.quit"),
        # Textual's own ctrl+c only says "press ctrl+q to quit". In the search box, with
        # text selected, ctrl+c still copies it (the focused widget's binding comes first).
        Binding("ctrl+c", "quit", "Quit", show=False, id="app.quit_ctrl_c"),
    ]

    def __init__(
        self,
        corpus: Path,
        *,
        index_dir: Path | None = None,
        settings: Settings | None = None,
        index_in_background: bool = True,
    ) -> None:
        self.settings = settings or load_settings()
        super().__init__()
        self.corpus = Path(corpus)
        self.index_dir = index_dir
        self.index_in_background = index_in_background
        self.index: CorpusIndex | None = None
        #: Set once the index is open (or could not be): the list may be on screen before.
        self._index_opened = threading.Event()
        self.entries: list[Entry] = []
        self.sort = "date"  # of the full list
        self.result_sort = "relevance"  # of search results
        self.mode = "all"  # or "results"
        self.query_text = ""
        self._results = None  # the search results shown
        self._query_problem_said = ""  # a query's problem on the status line
        self._all_cursor_path: str | None = None
        self._indexer: asyncio.subprocess.Process | None = None
        self.indexing = False
        self.index_progress = (0, 0)
        self._reindex_requested = False
        #: The list came from peeking at the files (a first run), not from the index.
        self._quick_list = False
        #: How many articles there are while only the list's first screen is read.
        self._head_count: int | None = None
        self._head_drawn = threading.Event()
        self.state: StateStore | None = None
        self.read: set[str] = set()
        #: Read while the unread view was shown: they stay in it until the view changes
        #: (a list refresh dropped the open article, and ] then skipped its neighbour).
        self._read_in_view: set[str] = set()
        self.starred: set[str] = set()
        self.view = "all"  # all, unread, starred
        self.section: str | None = None  # only this section (and its subsections)
        self.history: list[str] = []  # articles opened before the current one
        self._shown_hash: str | None = None
        #: Seconds an article must stay open before it counts as read.
        self.read_after = READ_AFTER_SECONDS
        #: How many indexing runs have finished (tests wait on it to see updates).
        self.index_runs = 0
        self._watching = False
        self._read_timer = None
        #: Set each time an indexing run has finished and the list shows its result.
        self.index_finished = asyncio.Event()

    def call_from_thread(self, callback, *args, **kwargs):
        """Textual's call_from_thread, except that a worker thread stops waiting once the app
        is closing. Quitting while a thread had something to show left the two waiting for
        each other (the closing loop for its threads, the thread for the loop) and the
        process never ended; the worker now ends as cancelled."""
        loop = self._loop
        if loop is None or self._exit or self._closing:
            raise asyncio.CancelledError
        call = functools.partial(callback, *args, **kwargs)

        async def run():
            with self._context():
                result = call()
                return await result if inspect.isawaitable(result) else result

        future = asyncio.run_coroutine_threadsafe(run(), loop)
        while True:
            try:
                return future.result(timeout=0.1)
            except concurrent.futures.TimeoutError:
                if self._exit or self._closing or loop.is_closed():
                    future.cancel()
                    raise asyncio.CancelledError from None

    # --- composition -----------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="main"):
            with Vertical(id="left"):
                yield SearchBar(id="search")
                yield ArticleList(id="articles")
            yield ArticleView(id="article")
        yield StatusLine(id="status")
        yield Footer()

    @property
    def article_list(self) -> ArticleList:
        return self.query_one(ArticleList)

    @property
    def article_view(self) -> ArticleView:
        return self.query_one(ArticleView)

    @property
    def search_bar(self) -> SearchBar:
        return self.query_one(SearchBar)

    @property
    def status(self) -> StatusLine:
        return self.query_one(StatusLine)

    def on_mount(self) -> None:
        self.title = f"reader — {self.corpus.resolve().name or self.corpus}"
        self._apply_settings()
        listing = self.article_list
        listing.empty_text = "Loading articles…"
        listing.is_read = self.read.__contains__
        listing.is_starred = self.starred.__contains__
        self.load_index()

    def _apply_settings(self) -> None:
        for problem in self.settings.problems:
            self.notify(problem, title="Settings", severity="warning", timeout=10)
        named = self.settings.theme  # None: the file names no theme
        if named is not None and named not in self.available_themes:
            self.notify(f"Unknown theme '{named}'; using the default.",
                        title="Settings", severity="warning")
        # The theme last picked in the palette, unless the settings file names another one
        # than it did then (an edit made since, which is the newer choice).
        picked = peek_shared("theme")
        if (isinstance(picked, dict) and picked.get("settings") == named
                and picked.get("theme") in self.available_themes):
            self.theme = picked["theme"]
        elif named in self.available_themes:
            self.theme = named
        else:
            self.theme = DEFAULT_THEME
        self.article_view.set_text_width(self.settings.text_width)
        if self.settings.keys:
            known = [b.id for cls in _bound_classes() for b in self._bindings_of(cls) if b.id]
            for unknown in sorted(set(self.settings.keys) - set(known)):
                # Textual would leave it out without a word.
                close = difflib.get_close_matches(unknown, known, n=1)
                hint = f"; did you mean '{close[0]}'?" if close else ""
                self.notify(f"{self.settings.path or 'settings'}: [keys] '{unknown}' is no "
                            f"binding of reader, left out{hint}", title="Settings",
                            severity="warning", timeout=10)
            for clash in key_clashes(self.settings.keys):
                self.notify(f"{self.settings.path or 'settings'}: [keys] {clash}",
                            title="Settings", severity="warning", timeout=10)
            self.set_keymap(self.settings.keys)

    def watch_theme(self, theme: str) -> None:
        """Keep a theme picked in the palette for the next start, in every corpus. The
        theme set at start comes before the store is open, so it is not saved again."""
        if self.state is not None:
            self.state.set_view("theme", {"theme": theme, "settings": self.settings.theme},
                                every_corpus=True)

    def _update_subtitle(self) -> None:
        if self._head_count is not None:
            self.sub_title = f"{self._head_count:,} articles · reading the list…"
            return
        count = len(self.entries)
        unread = sum(1 for e in self.entries if e.path not in self.read)
        view = {"all": "all", "unread": "unread", "starred": "starred"}[self.view]
        if self.section:
            view += f" in {self.section}"
        parts = [f"{count:,} article{'s' if count != 1 else ''}", f"{unread:,} unread",
                 SORT_LABELS.get(self.sort, "")]
        # A filtered view is named first: a narrow header is cut at the end, and not seeing
        # that only some articles are listed would mislead.
        parts.insert(0 if self.view != "all" or self.section else 2, f"showing {view}")
        if self.mode == "results":
            parts = ["search results", SORT_LABELS.get(self.result_sort, "")]
        self.sub_title = " · ".join(p for p in parts if p)

    # --- loading and indexing --------------------------------------------------------------

    @work(thread=True, exclusive=True, group="load")
    def load_index(self) -> None:
        """Draw the list from the index's listing, then open the index (and import Whoosh);
        a first run peeks at the files instead."""
        try:
            try:
                root = check_corpus(self.corpus)
            except CorpusError as exc:
                self.call_from_thread(self.status.say, str(exc), error=True)
                return
            state = StateStore(root)
            shown = None
            if not self.index_in_background:  # tests and scripts: index first, then show
                self.call_from_thread(self._use_state, state)
            else:
                index_dir = self.index_dir or default_index_dir(root)
                # The first screen in a millisecond, then the whole list (0.1 s at 100,000).
                head = peek_head(index_dir)
                self.call_from_thread(self._first_screen, state, head)
                if head is not None:
                    self._head_drawn.wait(1)  # on screen before the rest is read
                shown = peek(index_dir)
                if shown is not None:
                    self.call_from_thread(self._set_entries,
                                          sort_entries(shown[1], self.sort, newest_first=True))
            from ..core.index import CorpusIndex

            try:
                index = CorpusIndex(root, self.index_dir, max_bytes=self.settings.max_bytes)
                index.open()
                if not self.index_in_background:
                    index.update(lock_timeout=30)
                if shown is not None and index.generation() == shown[0]:
                    entries = shown[1]
                else:
                    shown, entries = None, index.entries()
            except CorpusError as exc:
                self.call_from_thread(self.status.say, str(exc), error=True)
                return
            self.index = index
        finally:
            self._index_opened.set()  # (or failed to)
        for notice in index.notices:
            self.call_from_thread(self.notify, notice, title="Index", severity="warning")
        self._reconcile(entries)
        self._quick_list = not entries
        if entries and shown is None:
            self.call_from_thread(self._set_entries,
                                  sort_entries(entries, self.sort, newest_first=True))
        if index.in_memory:
            self.call_from_thread(self._index_in_memory)
        elif self.index_in_background:
            # Watch first: a file added while the first update runs triggers another one.
            self.call_from_thread(self._start_watching)
            self.call_from_thread(self.run_indexer)
        if not entries:  # a first run: peek at the files while the indexer starts
            self.call_from_thread(self.status.say, "First run: indexing the articles…")
            for found in quick_entries(index.root, index.max_bytes):
                self.call_from_thread(self._set_quick_entries, sort_entries(found, self.sort))
        import reader.core.search  # noqa: F401 - loaded now, so the first search is quick

    def _set_quick_entries(self, entries: list[Entry]) -> None:
        if self._quick_list:  # unless the index already answered (a small folder)
            self._set_entries(entries)

    def _use_state(self, state: StateStore) -> None:
        self.state = state
        for notice in state.notices:
            self.notify(notice, title="Reading history", severity="warning", timeout=10)
        self.read.update(state.read_paths())
        self.starred.update(state.starred_paths())
        self.view = state.get_view("view", "all") if state.get_view("view") in VIEWS else "all"
        self.sort = state.get_view("sort", "date") if state.get_view("sort") in ("date", "title") \
            else "date"
        section = state.get_view("section")
        self.section = section if isinstance(section, str) and section else None
        self._update_subtitle()

    def _reconcile(self, entries: list[Entry]) -> None:
        """Give moved or renamed articles their marks back (runs in a worker thread)."""
        state, index = self.state, self.index
        if state is None or index is None or not entries:
            return
        if state.needs_reconcile(e.path for e in entries):
            if state.reconcile(index.hashes()):
                read, starred = state.read_paths(), state.starred_paths()
                self.call_from_thread(self._marks_changed, read, starred)

    def _marks_changed(self, read: set[str], starred: set[str]) -> None:
        self.read.clear()
        self.read.update(read)
        self.starred.clear()
        self.starred.update(starred)
        self.article_list.refresh_marks()
        self._update_subtitle()

    def visible_entries(self) -> list[Entry]:
        """The full list as the current view shows it (search results ignore the view)."""
        entries = self.entries
        if self.section:
            prefix = self.section + "/"
            entries = [e for e in entries if e.section == self.section
                       or e.section.startswith(prefix)]
        if self.view == "unread":
            kept = self._read_in_view
            entries = [e for e in entries if e.path not in self.read or e.path in kept]
        elif self.view == "starred":
            entries = [e for e in entries if e.path in self.starred]
        return entries

    def _first_screen(self, state: StateStore, head) -> None:
        """The reading history, and the first screen of the list while the rest is read."""
        self._use_state(state)
        if head is None:
            return
        _generation, count, heads = head
        if heads[self.sort] and not self.entries:
            self._set_entries(heads[self.sort])
            self._head_count = count
            self._update_subtitle()
        self.call_after_refresh(self._head_drawn.set)

    def _set_entries(self, entries: list[Entry]) -> None:
        """Show a new full list, already in ``self.sort`` order (sorted off the UI thread)."""
        self.entries = entries
        self._head_count = None
        # 100,000 entries live as long as the list: keep them out of the garbage collector's
        # full passes, each of which would otherwise stall a key press by tens of ms.
        gc.freeze()
        self._update_subtitle()
        if self.mode == "all":
            self._show_entries(cursor_path=self.article_list.current_path)
        self._check_open_article()

    def _show_entries(self, cursor_path: str | None = None) -> None:
        empty = {
            "all": "No articles in this folder (add .txt files; they appear here).",
            "unread": "Nothing unread here. v switches the view.",
            "starred": "No starred articles yet: s stars the one you are on.",
        }[self.view]
        self.article_list.set_rows(self.visible_entries(), cursor_path=cursor_path,
                                   empty_text=empty)

    @work(thread=True, group="index-memory")
    def _index_in_memory(self) -> None:
        assert self.index is not None
        self.index.update()
        self._quick_list = False
        self.call_from_thread(self._set_entries,
                              sort_entries(self.index.entries(), self.sort, newest_first=True))
        self.call_from_thread(self.status.say,
                              f"{self.index.doc_count():,} articles (temporary index)")

    @work(exclusive=True, group="indexer")
    async def run_indexer(self, rebuild: bool = False) -> None:
        """Run ``reader index`` in its own process and follow its progress."""
        self.indexing = True
        self.index_finished.clear()
        command = index_command(self.corpus, self.index_dir, rebuild=rebuild)
        done: Done | None = None
        try:
            process = await asyncio.create_subprocess_exec(
                *command,
                stdin=asyncio.subprocess.DEVNULL,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
                env=indexer_env(),
                **INDEXER_SPAWN,  # key presses first, indexing in the gaps
            )
        except OSError as exc:
            self.indexing = False
            self.status.say(f"Cannot start indexing: {exc}", error=True)
            return
        self._indexer = process
        try:
            assert process.stdout is not None
            async for line in process.stdout:
                event = decode(line)
                if isinstance(event, Progress):
                    self.index_progress = (event.done, event.total)
                    self.status.indexing(event.done, event.total)
                elif (isinstance(event, Committed) and event.done < event.total and not rebuild
                      and not self._quick_list):
                    # A batch of a large update is in: show it (the last one, below). The
                    # list of a rebuild or a first run already names every article.
                    self.reload_entries(merge=True)
                elif isinstance(event, Done):
                    done = event
            stderr = await process.stderr.read() if process.stderr else b""
            status = await process.wait()
        finally:
            self._indexer = None
            self.indexing = False
        if status != 0 and done is None:
            message = stderr.decode("utf-8", "replace").strip().splitlines()
            self.status.indexing_finished(
                "Indexing failed: " + (message[-1] if message else f"exit status {status}")
            )
            self.status.add_class("-error")
            self.index_finished.set()
            return
        for notice in done.notices:
            self.notify(notice, title="Index", severity="warning")
        self.status.indexing_finished(self._index_summary(done))
        try:
            await self.reload_entries().wait()
        except WorkerCancelled:  # the app is closing (q right after an editor or a change)
            return
        if self.mode == "results" and self.query_text:
            self.run_search(self.query_text)  # the search ran on a partial index
        self.index_runs += 1
        self.index_finished.set()
        if self._reindex_requested:
            self._reindex_requested = False
            self.run_indexer()

    def _index_summary(self, done: Done) -> str:
        parts = [f"{count:,} {name}" for name, count in (
            ("added", done.added), ("updated", done.updated), ("removed", done.removed)) if count]
        skipped = done.skipped
        if len(skipped) == 1:  # say which and why; names and reasons made inert first
            (path, reason), = skipped.items()
            parts.append(f"1 skipped: {clean_text(path)} ({clean_text(reason)})")
        elif skipped:
            command = f"reader index --corpus {shlex.quote(str(self.corpus))}"
            if self.index_dir:
                command += f" --index-dir {shlex.quote(str(self.index_dir))}"
            parts.append(f"{len(skipped):,} skipped ('{command}' lists them and why)")
        return "Index up to date" + (": " + ", ".join(parts) if parts else ".")

    @work(thread=True, exclusive=True, group="reload")
    def reload_entries(self, merge: bool = False) -> None:
        """The list from the index as it is now; ``merge`` keeps the articles listed that the
        index does not hold yet (in the middle of an update)."""
        if self.index is None:
            return
        try:
            self.index.refresh()
            entries = self.index.entries()
        except Exception as exc:  # the indexer may be swapping generations under us
            self.call_from_thread(self.status.say, f"Could not read the index: {exc}", error=True)
            return
        if merge:
            indexed = {e.path for e in entries}
            entries += [e for e in self.entries if e.path not in indexed]
        else:
            self._quick_list = False
        self.call_from_thread(self._set_entries,
                              sort_entries(entries, self.sort, newest_first=not merge))
        self._reconcile(entries)

    def request_reindex(self) -> None:
        if self.indexing:
            self._reindex_requested = True
        else:
            self.run_indexer()

    def _stop_indexer(self) -> None:
        process = self._indexer
        if process is not None and process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                process.send_signal(signal.SIGINT)

    async def action_quit(self) -> None:
        self._stop_indexer()
        self.exit(0)

    def on_unmount(self) -> None:
        self._stop_indexer()
        gc.unfreeze()  # what the app held may be collected again (an app run in a test)

    # --- search ----------------------------------------------------------------------------

    def action_search(self) -> None:
        search_input = self.search_bar.input
        if self.focused is search_input:  # "/" is a character in a query (world/europe)
            search_input.insert_text_at_cursor("/")
        elif isinstance(self.screen, Screen) and self.screen is self.screen_stack[0]:
            # set_focus, not focus(): keys typed right after "/" must land in the box.
            self.set_focus(search_input)
            # The last query, selected: typing starts a new one, an arrow key edits it.
            search_input.select_all()

    @on(SearchInput.Changed)
    def on_search_changed(self, event: SearchInput.Changed) -> None:
        text = event.value
        if not text.strip():
            self.workers.cancel_group(self, "search")
            self.search_bar.set_status("")
            self._query_mended()
            if self.mode == "results":
                self._show_all()
            return
        self.run_search(text)

    @work(exclusive=True, group="search")
    async def run_search(self, text: str) -> None:
        await asyncio.sleep(SEARCH_DEBOUNCE)  # a newer key press cancels this worker
        if self.index is None:
            self.search_bar.set_status("loading…")
            await asyncio.to_thread(self._index_opened.wait, 60)
            if self.index is None:
                return
        try:
            results = await asyncio.to_thread(self._search, text, self.result_sort)
        except QueryError as exc:
            self._query_problem(exc)
            return
        self._show_results(text, results)

    def _searcher(self):
        """A Searcher (Whoosh's query parser is imported here, off the first frame's path)."""
        from ..core.search import Searcher

        return Searcher(self.index)

    def _search(self, text: str, sort: str):
        return self._searcher().search(text, limit=SEARCH_LIMIT, sort=sort,
                                       snippets=FIRST_SNIPPETS, count=False)

    @work(thread=True, exclusive=True, group="count")
    def count_results(self, results) -> None:
        """The number of matches of a large result set, just after the results are shown."""
        try:
            self._searcher().count(results)
        except QueryError:
            return
        self.call_from_thread(self._counted, results)

    def _counted(self, results) -> None:
        if self.mode == "results" and self._results is results:
            self.search_bar.set_status(self._results_status(results))

    @work(thread=True, exclusive=True, group="snippets")
    def add_snippets(self, results) -> None:
        """Snippets for the results below the first screenful, after they are shown."""
        worker = get_current_worker()
        rest = results.hits[FIRST_SNIPPETS:]
        if rest and self.index is not None:
            self._searcher().add_snippets(rest, results.terms, lambda: worker.is_cancelled)
            if not worker.is_cancelled:
                self.call_from_thread(self.article_list.refresh)

    def _query_problem(self, exc: QueryError) -> None:
        """The query's one-line problem beside the box (cut short in a narrow pane) and
        whole on the status line, until the query is mended or left."""
        if not self.is_running:  # a search that ended as the app closed: no widgets left
            return
        self.search_bar.set_status(str(exc), error=True)
        self._query_problem_said = f"Search: {exc}"
        self.status.say(self._query_problem_said, error=True)

    def _query_mended(self) -> None:
        if self._query_problem_said and self.status.message == self._query_problem_said:
            self.status.say("")
        self._query_problem_said = ""

    def _show_results(self, text: str, results) -> None:
        if not self.is_running:  # a search that ended as the app closed: no widgets left
            return
        self._query_mended()
        if self.mode == "all":
            self._all_cursor_path = self.article_list.current_path
        self.mode = "results"
        self.query_text = text
        self._results = results
        self.search_bar.set_status(self._results_status(results))
        if results.total is None:
            self.count_results(results)
        empty = f"No results: {results.note}." if results.note else "No results."
        if results.suggestion:
            empty += f" Did you mean: {results.suggestion}  (enter searches for it)"
        self.article_list.set_rows(results.hits, row_height=2, cursor=0, empty_text=empty)
        self.add_snippets(results)
        self._update_subtitle()

    def _results_status(self, results) -> str:
        count, shown = results.total, len(results.hits)
        if count is None:
            status = f"top {shown} results, counting…"
        elif count:
            status = f"{count:,} result{'s' if count != 1 else ''}"
            if shown < count:
                status = f"top {shown} of {count:,} results"
        elif results.note:
            status = f"no results: {results.note}"
        elif results.suggestion:
            status = f"no results — did you mean: {results.suggestion}"
        else:
            status = "no results"
        if self.indexing and self.index_progress[1]:
            done, total = self.index_progress
            if results.searched == 0:  # a first build, before its first commit
                return f"nothing is searchable yet: indexing {done:,} of {total:,}"
            held = f"{results.searched:,} articles, " if results.searched else ""
            status += f" (in {held}indexing {done:,} of {total:,})"
        return status

    def _show_all(self) -> None:
        self.mode = "all"
        self.query_text = ""
        self._show_entries(cursor_path=self._all_cursor_path)
        self._update_subtitle()

    @on(SearchInput.Submitted)
    @on(SearchInput.ToResults)
    async def on_search_to_results(self, event) -> None:
        """Go to the results of what is in the box, waiting for them when the search is still
        pending: "nvidia", enter, enter typed at once opens the first hit, not the article
        that was first before the search."""
        if self.focused is not self.search_bar.input:
            # Typed ahead: the box got this key before the first one moved to the results.
            if isinstance(event, SearchInput.Submitted):
                self.article_list.action_select()
            else:
                self.article_list.action_cursor_down()
            return
        text = self.search_bar.value
        shown = self._results
        if (isinstance(event, SearchInput.Submitted) and self.mode == "results"
                and self.query_text == text and shown is not None and not shown.hits
                and shown.suggestion):
            # Enter on "No results. Did you mean: …" takes the suggestion.
            text = shown.suggestion
            with self.search_bar.input.prevent(SearchInput.Changed):
                self.search_bar.input.value = text
        if self.index is not None and text.strip() and (
            self.mode != "results" or self.query_text != text
        ):
            self.workers.cancel_group(self, "search")
            try:
                results = await asyncio.to_thread(self._search, text, self.result_sort)
            except QueryError as exc:
                self._query_problem(exc)
                return  # stay in the box to mend the query
            self._show_results(text, results)
        self.set_focus(self.article_list)

    @on(SearchInput.Leave)
    def on_search_leave(self) -> None:
        self._leave_search()

    def _leave_search(self) -> None:
        self.workers.cancel_group(self, "search")
        with self.search_bar.input.prevent(SearchInput.Changed):
            self.search_bar.input.value = ""
        self.search_bar.set_status("")
        self._query_mended()
        if self.mode == "results":
            self._show_all()
        self.set_focus(self.article_list)

    # --- opening articles ------------------------------------------------------------------

    @on(ArticleList.Selected)
    def on_article_selected(self, event: ArticleList.Selected) -> None:
        self.open_article(event.path, focus=True)

    @work(thread=True, exclusive=True, group="open")
    def open_article(self, path: str, focus: bool = False, remember: bool = True) -> None:
        self._index_opened.wait(60)  # the list can be on screen just before
        if self.index is None:
            return
        try:
            article = self.index.read(path)
        except SkipFile as exc:
            self.call_from_thread(self.article_view.clear, f"Cannot show {path}: {exc}.")
            return
        title_spans: list = []
        body_spans: list = []
        if self.mode == "results" and self.query_text:
            try:
                title_spans, body_spans = self._searcher().highlights(
                    self.query_text, article.title, article.body
                )
            except QueryError:
                pass
        self.call_from_thread(self._show_article, article, title_spans, body_spans, focus,
                              remember)

    def _show_article(self, article, title_spans, body_spans, focus: bool,
                      remember: bool = True) -> None:
        previous = self.article_view.path
        if remember and previous and previous != article.path:
            self.history.append(previous)
            del self.history[:-100]
        self.article_view.show(article, title_spans, body_spans)
        if focus:
            self.set_focus(self.article_view)
        if self._read_timer is not None:
            self._read_timer.stop()
        self._shown_hash = article.hash
        # Read after a moment of reading, not on passing over it with ] or u.
        if self.read_after > 0:
            # The view's timer, not the app's: it goes with the view when the app closes
            # (an app timer could fire after the view was gone, mid-shutdown).
            self._read_timer = self.article_view.set_timer(self.read_after,
                                                           self._mark_shown_read)
        else:
            self._mark_shown_read()

    def _mark_shown_read(self) -> None:
        path = self.article_view.path
        if path and path not in self.read:
            self._set_read(path, True)

    def _set_read(self, path: str, read: bool) -> None:
        (self.read.add if read else self.read.discard)(path)
        if read and self.view == "unread":
            self._read_in_view.add(path)
        if self.state is not None:
            hash_ = self._shown_hash if path == self.article_view.path else None
            self.state.set_read(path, read, hash_)
        self.article_list.refresh_marks()
        self._update_subtitle()

    def _check_open_article(self) -> None:
        """After an update: reload the open article if its file changed, say so if it went."""
        path = self.article_view.path
        if path is None or self.index is None:
            return
        known = {e.path for e in self.entries}
        if path not in known:
            self.status.say("The open article was removed from the folder.")
            return
        self.refresh_open_article(path)

    @work(thread=True, exclusive=True, group="refresh-open")
    def refresh_open_article(self, path: str) -> None:
        try:
            article = self.index.read(path)
        except SkipFile:
            return
        shown = self.article_view.shown
        if shown is None or shown.article.path != path or article.hash == shown.article.hash:
            return
        self.call_from_thread(self.article_view.show, article, keep_scroll=True)

    @on(ArticleView.HitMoved)
    def on_hit_moved(self, event: ArticleView.HitMoved) -> None:
        self.status.flash(f"Hit {event.number} of {event.count}")

    @on(ArticleView.Step)
    def on_article_step(self, event: ArticleView.Step) -> None:
        listing = self.article_list
        if not listing.rows:
            return
        current = listing.index_of(self.article_view.path) if self.article_view.path else None
        index = (current if current is not None else listing.cursor) + event.step
        if 0 <= index < len(listing.rows):
            listing._set_cursor(index)
            self.open_article(listing.rows[index].path, focus=False)
        else:
            self.bell()
            self.status.flash("No more articles in this list." if event.step > 0
                            else "This is the first article in the list.")

    # --- other actions ---------------------------------------------------------------------

    def action_switch_pane(self) -> None:
        if self.focused is self.article_list:
            self.set_focus(self.article_view)
        else:
            self.set_focus(self.article_list)

    def action_back(self) -> None:
        if self.focused is self.article_view:
            self.set_focus(self.article_list)
        elif self.mode == "results":
            self._leave_search()

    def action_related(self) -> None:
        path = self.article_view.path or self.article_list.current_path
        if path is None or (self._index_opened.is_set() and self.index is None):
            self.bell()
            return
        self.find_related(path)

    @work(thread=True, exclusive=True, group="related")
    def find_related(self, path: str) -> None:
        self._index_opened.wait(60)
        if self.index is None:
            return
        try:
            title = self.index.read(path).title
        except SkipFile as exc:
            self.call_from_thread(self.status.say, f"Cannot read {path}: {exc}", error=True)
            return
        related = self._searcher().related(path)
        self.call_from_thread(self._show_related, title, related)

    def _show_related(self, title: str, related: list) -> None:
        def opened(path: str | None) -> None:
            if path:
                self.article_list.move_to(path)
                self.open_article(path, focus=True)

        self.push_screen(RelatedScreen(title, related), opened)

    def action_help(self) -> None:
        sections = [(name, self._bindings_of(cls)) for name, cls in zip(
            ("Everywhere", "Article list", "Article", "Search box"), _bound_classes(),
            strict=False)]
        index_path = str(self.index.dir) if self.index and not self.index.in_memory else "in memory"
        self.push_screen(HelpScreen(key_table(self, sections, self.settings.keys),
                                    str(config_file()), index_path))

    @staticmethod
    def _bindings_of(cls) -> list[Binding]:
        return [b for b in cls.BINDINGS if isinstance(b, Binding)]

    def set_sort(self, sort: str) -> None:
        self.result_sort = sort
        if sort != "relevance":
            self.sort = sort
            if self.state is not None:
                self.state.set_view("sort", sort)
            self._sort_list(self.entries, sort)
        if self.mode == "results":
            self.run_search(self.query_text)
        elif sort == "relevance":  # the full list has no query to rank by
            self.status.flash("Search results will be sorted by relevance; "
                              "the list keeps its order")
        self._update_subtitle()

    @work(thread=True, exclusive=True, group="sort")
    def _sort_list(self, entries: list[Entry], sort: str) -> None:
        """Sort the list off the UI thread (a tenth of a second at 100,000 articles)."""
        ordered = sort_entries(entries, sort)
        self.call_from_thread(self._sorted, entries, sort, ordered)

    def _sorted(self, entries: list[Entry], sort: str, ordered: list[Entry]) -> None:
        if self.entries is entries and self.sort == sort:  # else a newer list or sort won
            self._set_entries(ordered)

    def action_rebuild(self) -> None:
        if self.index is None:
            return
        self._stop_indexer()
        self.status.say("Rebuilding the index…")
        self.run_indexer(rebuild=True)

    # --- read state, stars, views --------------------------------------------------------

    def _target_path(self) -> str | None:
        """The article an action is about: the open one when reading, else the list's."""
        if self.focused is self.article_view and self.article_view.path:
            return self.article_view.path
        return self.article_list.current_path or self.article_view.path

    def action_toggle_read(self) -> None:
        path = self._target_path()
        if path is None:
            self.bell()
            return
        if self._read_timer is not None and path == self.article_view.path:
            self._read_timer.stop()  # the user decides now
        read = path not in self.read
        self._set_read(path, read)
        self.status.flash("Marked read." if read else "Marked unread.")

    def action_toggle_star(self) -> None:
        path = self._target_path()
        if path is None:
            self.bell()
            return
        starred = path not in self.starred
        (self.starred.add if starred else self.starred.discard)(path)
        if self.state is not None:
            hash_ = self._shown_hash if path == self.article_view.path else None
            self.state.set_starred(path, starred, hash_)
        self.article_list.refresh_marks()
        self.status.flash("Starred." if starred else "Star removed.")

    def _step_unread(self, step: int) -> None:
        listing = self.article_list
        rows = listing.rows
        start = listing.cursor
        if self.article_view.path is not None:
            current = listing.index_of(self.article_view.path)
            start = current if current is not None else start
        count = len(rows)
        # On from the current row; past the end, round from the other end (and say so).
        for n in range(1, count + 1):
            index = (start + step * n) % count
            if rows[index].path not in self.read and rows[index].path != self.article_view.path:
                listing._set_cursor(index)
                self.open_article(rows[index].path, focus=self.focused is self.article_view)
                if (index < start) == (step > 0):
                    self.status.flash("No more unread below: back to the first one from the top."
                                      if step > 0 else
                                      "No more unread above: on from the last one at the bottom.")
                return
        self.bell()
        self.status.flash("No other unread article in this list.")

    def action_next_unread(self) -> None:
        self._step_unread(+1)

    def action_previous_unread(self) -> None:
        self._step_unread(-1)

    def action_history_back(self) -> None:
        while self.history:
            path = self.history.pop()
            if path != self.article_view.path:
                self.article_list.move_to(path)
                self.open_article(path, focus=self.focused is self.article_view, remember=False)
                return
        self.bell()
        self.status.flash("No earlier article to go back to.")

    def set_view(self, view: str, section: str | None = ...) -> None:  # type: ignore[assignment]
        self.view = view
        self._read_in_view.clear()
        if section is not ...:
            self.section = section
        if self.state is not None:
            self.state.set_view("view", view)
            self.state.set_view("section", self.section or "")
        if self.mode == "results":
            self._leave_search()
        self._show_entries(cursor_path=self.article_list.current_path)
        self._update_subtitle()

    def action_cycle_view(self) -> None:
        self.set_view(VIEWS[(VIEWS.index(self.view) + 1) % len(VIEWS)])
        # Said on the status line too: a narrow header is cut before the view's name.
        where = f" in {self.section}" if self.section else ""
        self.status.flash(f"Showing {self.view} articles{where} (v: next view)")

    # --- out of the app --------------------------------------------------------------------

    def _run_outside(self, command: list[str], stdin_text: str | None = None) -> None:
        """Hand the terminal to another program and take it back afterwards."""
        try:
            with self.suspend():
                subprocess.run(command, input=stdin_text, text=True, check=False)
        except SuspendNotSupported:
            self.notify("Cannot hand over the terminal here.", severity="warning")
        except (OSError, ValueError) as exc:
            self.notify(f"Could not run {command[0]}: {exc}", severity="error")
        self.refresh()

    def _current_article(self):
        path = self._target_path()
        if path is None or self.index is None:
            self.bell()
            return None
        try:
            return self.index.read(path)
        except SkipFile as exc:
            self.status.say(f"Cannot read {path}: {exc}", error=True)
            return None

    def action_pager(self) -> None:
        article = self._current_article()
        if article is not None:
            pager = shlex.split(os.environ.get("PAGER") or "less") or ["less"]
            self._run_outside(pager, article.text)

    def action_editor(self) -> None:
        article = self._current_article()
        if article is not None:
            editor = shlex.split(os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi")
            # The real file: nothing is written unless the user saves it in the editor.
            self._run_outside([*editor, str(self.index.root / article.path)])
            self.request_reindex()

    def action_copy(self) -> None:
        article = self._current_article()
        if article is not None:
            self.copy_to_clipboard(article.text)
            self.status.flash(
                f"Copied \"{article.title[:60]}\" ({len(article.text):,} characters).")

    # --- live updates ----------------------------------------------------------------------

    def _start_watching(self) -> None:
        if not self._watching:
            self._watching = True
            self.watch_corpus()

    @work(exclusive=True, group="watch")
    async def watch_corpus(self) -> None:
        """Index files added, changed or removed while the app runs."""
        try:
            from watchfiles import awatch
        except ImportError:  # pragma: no cover - a dependency, but never fatal
            return
        root = self.index.root if self.index else self.corpus

        def articles_only(change, path: str) -> bool:
            return path.lower().endswith(".txt") or os.path.isdir(path)

        try:
            async for _changes in awatch(root, watch_filter=articles_only, debounce=400,
                                         step=100, recursive=True):
                self.request_reindex()
        except (OSError, RuntimeError) as exc:
            self.status.say(f"Not watching the folder for changes: {exc}")

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        for command in super().get_system_commands(screen):
            if command.title != "Keys":  # Textual's key panel: "Help" below shows them all
                yield command
        yield SystemCommand("Sort by date", "Newest articles first", lambda: self.set_sort("date"))
        yield SystemCommand("Sort by title", "Articles A to Z", lambda: self.set_sort("title"))
        yield SystemCommand("Sort by relevance", "Search results best first",
                            lambda: self.set_sort("relevance"))
        yield SystemCommand("Rebuild index", "Index every article again from scratch",
                            self.action_rebuild)
        yield SystemCommand("Show all articles", "Every article in the folder",
                            lambda: self.set_view("all", None))
        yield SystemCommand("Show unread articles", "Only articles not read yet",
                            lambda: self.set_view("unread"))
        yield SystemCommand("Show starred articles", "Only articles you starred",
                            lambda: self.set_view("starred"))
        for section in sorted({e.section for e in self.entries if e.section}):
            yield SystemCommand(f"Show section: {section}", f"Only articles in {section}/",
                                lambda section=section: self.set_view(self.view, section))
        yield SystemCommand("Help", "Keys and search syntax", self.action_help)


def _bound_classes() -> tuple[type, ...]:
    """Where the keys are bound: the app, the list, the article, the search box."""
    return (ReaderApp, ArticleList, ArticleView, SearchInput)


_PANES = {ArticleList: "the list", ArticleView: "the article", SearchInput: "the search box"}


def key_clashes(keymap: dict[str, str]) -> list[str]:
    """What a ``[keys]`` remapping does not do: a key another binding takes first where
    both could answer it (Textual asks the app's priority bindings, then the focused
    pane's, then the app's others), or one that two bindings of the same place share.
    Textual gives no word of it: the key just does the other thing."""
    bound = []
    for cls in _bound_classes():
        for binding in cls.BINDINGS:
            if isinstance(binding, Binding):
                keys = keymap.get(binding.id, binding.key) if binding.id else binding.key
                rank = (0 if binding.priority else 2) if cls is ReaderApp else 1
                bound.append((cls, binding, rank, {k.strip() for k in keys.split(",")} - {""}))
    # (key, remapped id, how) -> the other bindings, with the pane where they meet
    found: dict[tuple[str, str, str], list[tuple[str, str]]] = {}
    told: set[tuple] = set()
    for cls, binding, rank, keys in bound:
        if binding.id not in keymap:
            continue
        for key in sorted(keys):
            for other_cls, other, other_rank, other_keys in bound:
                if other is binding or key not in other_keys:
                    continue
                if cls is not ReaderApp and other_cls is not ReaderApp and cls is not other_cls:
                    continue  # panes that never have the focus at once
                if (key, frozenset((binding.id, other.id))) in told:
                    continue
                told.add((key, frozenset((binding.id, other.id))))
                how = "both" if rank == other_rank else "lost" if other_rank < rank else "took"
                pane = _PANES.get(other_cls if cls is ReaderApp else cls, "")
                found.setdefault((key, binding.id, how), []).append((other.id, pane))
    clashes = []
    for (key, name, how), others in found.items():
        ids = " and ".join(f"'{other}'" for other, _ in others)
        panes = sorted({pane for _, pane in others if pane})
        where = f" in {' or '.join(panes)}" if panes and how != "both" else ""
        if how == "both":
            clashes.append(f"'{key}' is set for both '{name}' and {ids}; only one will have it")
        elif how == "lost":
            clashes.append(f"'{key}' for '{name}' does nothing{where}: {ids} "
                           f"{'has' if len(others) == 1 else 'have'} it first")
        else:
            clashes.append(f"'{key}' for '{name}' takes it from {ids}{where}")
    return clashes


def main(corpus: str | os.PathLike = ".") -> None:
    ReaderApp(Path(corpus)).run()
