"""The reading loop's actions on the main screen: marking a whole list read (and undoing
it), opening the article's link, exporting, the panes' split, and the place kept at quit.
A part of MainScreen like actions.py; the bindings are in keys.py."""

from __future__ import annotations

import asyncio
import subprocess
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual import events, work

from ..core.articles import SkipFile
from ..core.errors import QueryError
from ..core.export import (
    SUFFIXES,
    Record,
    export_articles,
    export_name,
    record_of_article,
    record_of_hit,
    write_export,
)
from ..core.links import NoBrowser, browser_command, link_of
from ..core.paths import export_dir
from ..core.state import SPLIT_RANGE, Session, clamp_split, peek_split
from .screens.export import ExportScreen

if TYPE_CHECKING:
    from ..core.search import Hit

#: Seconds "Marked 3,785 read. z: undo" stays (a key pressed meanwhile ends it sooner).
UNDO_OFFER_SECONDS = 10.0
#: Seconds the system's opener is given to fail before the browser is taken as started.
OPENER_WAIT = 5.0


def shown_path(path: Path) -> str:
    """A path as the status line says it: "~/Downloads/x.md" under the home folder."""
    try:
        inside = path.relative_to(Path.home())
    except ValueError:
        return str(path)
    return "~" if inside == Path() else f"~/{inside}"


class ReadingActions:
    """The actions of ``MAIN_BINDINGS`` that act on the reading as a whole: a part of
    MainScreen, kept apart so that each file reads in one sitting."""

    #: What the last "mark all read" marked, while it can be undone.
    _marked_all: list[str] | None = None
    #: The place at the last quit, until the whole list is shown and it is restored.
    _session: Session | None = None
    #: The list pane's share of the width, in percent (side by side only).
    split: int | None = None
    _dragging_split = False
    _marks_saved: asyncio.Lock | None = None

    # --- the list shown -------------------------------------------------------------------

    def list_label(self) -> str:
        """The list shown, as the export menu and messages name it."""
        if self.searched:
            return f"the results of '{self.searched}'"
        what = {"all": "every article", "unread": "the unread articles",
                "starred": "the starred articles"}[self.view]
        return what + (f" in {self.section}" if self.section else "")

    async def list_rows(self, *, snippets: bool = False) -> list[Any] | None:
        """Every row of the list shown: the full list's view, or every result of the search,
        not only the best ones shown (None when the query can no longer run)."""
        results = self.search_bar.results
        if not self.searched:
            return list(self.article_list.rows)
        if results is not None and results.total is not None \
                and results.total <= len(results.hits) and not results.cut_short:
            return list(results.hits)
        text, sort = self.searched, self.result_sort

        def every() -> list[Hit]:
            return self.library.searcher().search(text, limit=0, sort=sort, snippets=snippets,
                                                  suggest=False, budget=None).hits

        try:
            return await asyncio.to_thread(every)
        except QueryError as exc:
            self.status.say(f"Search: {exc}", error=True)
            return None

    # --- mark all read --------------------------------------------------------------------

    def action_mark_all_read(self) -> None:
        self.mark_all_read()

    @work(exclusive=True, group="mark-all")
    async def mark_all_read(self) -> None:
        """Every article of the list shown read at once (the store is written in a thread:
        100,000 marks take a second); z undoes it."""
        rows = await self.list_rows()
        if rows is None:
            return
        read = self.library.read
        unread = list(dict.fromkeys(row.path for row in rows if row.path not in read))
        if not unread:
            self.status.flash(f"Nothing unread in {self.list_label()}.")
            return
        read.update(unread)
        self._marked_all = unread
        self._marks_redrawn()
        self.status.flash(f"Marked {len(unread):,} read ({self.list_label()}). z: undo",
                          seconds=UNDO_OFFER_SECONDS)
        self._save_marks(unread, read=True)

    def action_undo_mark_all(self) -> None:
        marked, self._marked_all = self._marked_all, None
        if not marked:
            self.app.bell()
            self.status.flash("Nothing to undo: z undoes the last A (mark all read).")
            return
        self.library.read.difference_update(marked)
        self._marks_redrawn()
        self.status.flash(f"Undone: {len(marked):,} marked unread again.")
        self._save_marks(marked, read=False)

    def _marks_redrawn(self) -> None:
        if self.view == "unread" and not self.searched:  # the view shows what is unread now
            self.library.kept.clear()
            self._show_entries(cursor_path=self.article_list.current_path)
        self.marks_shown()
        self.count_soon()  # the header's and the sections pane's counts, worked out again

    @work(group="marks")
    async def _save_marks(self, paths: list[str], *, read: bool) -> None:
        """Into the reading history, in one transaction, in the order they were made."""
        state, index = self.library.state, self.library.index
        if state is None:
            return

        def save() -> None:
            if read:
                hashes = index.hashes() if index is not None else {}
                state.set_read_many({path: hashes.get(path) for path in paths})
            else:
                state.restore_read(dict.fromkeys(paths, False))

        if self._marks_saved is None:
            self._marks_saved = asyncio.Lock()
        async with self._marks_saved:
            await asyncio.to_thread(save)

    # --- the article's link ---------------------------------------------------------------

    def action_open_link(self) -> None:
        article = self._article_in_hand()
        if article is None:
            return
        if not article.url:
            self.status.flash("This article has no link (no URL: line in its file).")
            return
        url = link_of(article.url)
        if url is None:
            self.status.flash(f"Not a link a browser can open: {article.url}")
            return
        try:
            command = browser_command(url)
        except NoBrowser as exc:
            self.status.say(str(exc), error=True)
            return
        if command.in_terminal:
            if self.app.run_outside(command.argv):
                self.status.flash(f"Opened {url} with {Path(command.argv[0]).name}.")
        else:
            self._start_browser(command.argv, url)

    @work(group="browser")
    async def _start_browser(self, argv: list[str], url: str) -> None:
        """The system's opener, in the background: it starts the browser and returns."""
        try:
            process = await asyncio.create_subprocess_exec(
                *argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL, start_new_session=True)
        except OSError as exc:
            self.status.say(f"Could not run {argv[0]}: {exc.strerror or exc}", error=True)
            return
        self.status.flash(f"Opening {url}")
        try:
            async with asyncio.timeout(OPENER_WAIT):
                status = await process.wait()
        except TimeoutError:
            return  # still running: the browser itself, started
        if status:
            self.status.say(f"{argv[0]} could not open the link (exit status {status}).",
                            error=True)

    # --- export ---------------------------------------------------------------------------

    def action_export(self) -> None:
        path = self.target_path()
        title = None
        if path is not None:
            row, shown = self.article_list.current, self.article_view.shown
            title = (shown.article.title if shown and shown.article.path == path
                     else row.title if row is not None else path)
        self.app.push_screen(ExportScreen(title, self.list_label(), shown_path(export_dir())),
                             self._export_chosen)

    def _export_chosen(self, choice: tuple[str, str] | None) -> None:
        if choice is not None:
            self.export(*choice)

    @work(exclusive=True, group="export")
    async def export(self, what: str, fmt: str) -> None:
        """Write the article in hand (``what`` "article") or the list shown ("list") as
        ``fmt`` ("markdown" or "json") to a new file in the export folder; say where."""
        library = self.library
        path = self.target_path() if what == "article" else None
        if (what == "article" and path is None) or await library.wait_index() is None:
            self.app.bell()
            return
        if path is not None:
            rows: list[Any] = [path]
            heading, stem = "", ""
        else:
            found = await self.list_rows(snippets=True)
            if found is None:
                return
            rows, heading = found, self.list_label()
            stem = f"search {self.searched}" if self.searched else self.section or self.view
        count = f"{len(rows):,} article{'s' if len(rows) != 1 else ''}"
        self.status.say(f"Exporting {count}…")

        def write() -> Path:
            records = _records(library, rows)
            name = export_name(stem or records[0].title, SUFFIXES[fmt])
            text = export_articles(records, fmt, heading=heading[:1].upper() + heading[1:])
            return write_export(export_dir(), name, text)

        try:
            target = await asyncio.to_thread(write)
        except (SkipFile, OSError) as exc:
            self.status.say(f"Could not export: {exc}", error=True)
            return
        self.status.say(f"Exported {count} to {shown_path(target)}")

    # --- the split ------------------------------------------------------------------------

    def action_split(self, step: int) -> None:
        if self.has_class("-narrow"):
            self.status.flash("The panes are stacked in a narrow terminal: < and > set the "
                              "split side by side (100 columns or more).")
            return
        self.set_split((self.split or peek_split()) + step)
        self.status.flash(f"The list takes {self.split}% of the width (< and > change it).")

    def set_split(self, percent: float, *, save: bool = True) -> None:
        self.split = clamp_split(percent)
        self.apply_split()
        if save and self.library.state is not None:
            self.library.state.set_split(self.split)

    def apply_split(self) -> None:
        """Side by side, the list's share of the width beside the sections pane (in fr, so
        that one layout places both); stacked, the stylesheet's (an inline width would
        override it)."""
        left, article = self.query_one("#left"), self.query_one("#article")
        if self.has_class("-narrow"):
            left.styles.width = article.styles.width = None
        else:
            left.styles.width = f"{self.split}fr"
            article.styles.width = f"{100 - self.split}fr"

    def _split_space(self) -> tuple[int, int]:
        """Where the list and the article share the width: its x and its width."""
        main = self.query_one("#main").region
        sections = self.query_one("#sections")
        taken = sections.outer_size.width if sections.display and self.sections_visible() else 0
        return main.x + taken, main.width - taken

    def on_mouse_down(self, event: events.MouseDown) -> None:
        """A drag of the border between the panes moves the split."""
        view = self.article_view
        if (not self.has_class("-narrow") and event.screen_x == view.region.x
                and view.region.y <= event.screen_y < view.region.bottom):
            self._dragging_split = True
            view.capture_mouse()
            event.stop()

    def on_mouse_move(self, event: events.MouseMove) -> None:
        if self._dragging_split:
            self._drag_split(event.screen_x, save=False)

    def on_mouse_up(self, event: events.MouseUp) -> None:
        if self._dragging_split:
            self._dragging_split = False
            self.article_view.release_mouse()
            self._drag_split(event.screen_x, save=True)

    def _drag_split(self, x: int, *, save: bool) -> None:
        start, width = self._split_space()
        low, high = SPLIT_RANGE
        percent = max(low, min(high, round((x - start) * 100 / max(1, width))))
        if percent != self.split or save:
            self.set_split(percent, save=save)

    # --- where the last session ended -----------------------------------------------------

    def restore_session(self) -> None:
        """Once the whole list is shown: its cursor and the open article as they were at the
        last quit (the article where it was left in it)."""
        session, self._session = self._session, None
        if session is None or self.searched:
            return
        listing = self.article_list
        if not (session.selected and listing.move_to(session.selected)) and listing.rows:
            listing.move_cursor(min(session.row, len(listing.rows) - 1))
        article = session.article
        if article and any(entry.path == article for entry in self.library.entries):
            focus = article == (session.result if session.query else listing.current_path)
            self.open_article(article, focus=focus)
        if session.query:
            self._restore_search(session.query, session.result)

    @work(group="session")
    async def _restore_search(self, query: str, result: str | None) -> None:
        """The search shown at quit, its results again, on the result that was highlighted."""
        await self.show_query(query).wait()
        if result and self.searched == query:
            self.article_list.move_to(result)

    def save_session(self) -> None:
        """Where the reader is: kept at quit for the next start."""
        state = self.library.state
        if state is None:
            return
        self.article_view.leave()
        listing = self.article_list
        if self.searched:
            state.save_session(Session(self.article_view.path, self._all_cursor_path, 0,
                                       self.searched, listing.current_path))
        else:
            state.save_session(Session(self.article_view.path, listing.current_path,
                                       listing.cursor))

    # --- remarks --------------------------------------------------------------------------

    def on_key(self, event: events.Key) -> None:
        """A key ends a remark on the key before it (the key's own action, run after this,
        may make a new one)."""
        self.status.remark_over()


def _records(library: Any, rows: list[Any]) -> list[Record]:
    """(Blocking.) The export records of ``rows``: article paths (whole articles), list
    entries, or search hits; with each article's link and tags, the reader's own too."""
    state = library.state
    own = state.tags_by_path() if state is not None else {}
    if rows and isinstance(rows[0], str):
        return [record_of_article(library.read_article(path), own_tags=own.get(path, ()),
                                  whole=True) for path in rows]
    if rows and hasattr(rows[0], "score"):
        return [record_of_hit(hit, own_tags=own.get(hit.path, ())) for hit in rows]
    links = library.link_fields()
    records = []
    for entry in rows:
        url, tags = links.get(entry.path, ("", ()))
        once = {tag.lower(): tag for tag in reversed((*tags, *own.get(entry.path, ())))}
        records.append(Record(entry.path, entry.title, entry.date, entry.section, url,
                              tuple(reversed(once.values()))))
    return records
