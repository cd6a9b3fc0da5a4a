"""What the main screen's keys do to the article in hand: read marks and stars, the next
unread one, back to the one before, related articles, and handing it to the pager, the
editor or the clipboard. The bindings are in keys.py; MainScreen takes these actions in."""

from __future__ import annotations

import asyncio
import os
import shlex
from typing import TYPE_CHECKING

from textual import work

from ..core.articles import Article, SkipFile
from ..core.reflow import pager_text
from .screens.related import RelatedScreen

if TYPE_CHECKING:
    from ..core.search import Hit


class ArticleActions:
    """The actions of ``MAIN_BINDINGS`` that act on an article: a part of MainScreen, kept
    apart so that each file reads in one sitting."""

    def target_path(self) -> str | None:
        """The article an action is about: the open one when reading, else the list's."""
        view = self.article_view
        if self.focused is view and view.path:
            return view.path
        return self.article_list.current_path or view.path

    def _content_hash(self, path: str) -> str | None:
        shown = self.article_view.shown
        return shown.article.hash if shown is not None and shown.article.path == path else None

    def set_read(self, path: str, read: bool) -> None:
        self.library.set_read(path, read, self._content_hash(path),
                              keep_in_view=self.view == "unread")
        self.marks_shown()

    def action_toggle_read(self) -> None:
        path = self.target_path()
        if path is None:
            self.app.bell()
            return
        if path == self.article_view.path:
            self.article_view.stop_read_timer()  # the reader decides now
        read = path not in self.library.read
        self.set_read(path, read)
        self.status.flash("Marked read." if read else "Marked unread.")

    def action_toggle_star(self) -> None:
        path = self.target_path()
        if path is None:
            self.app.bell()
            return
        starred = path not in self.library.starred
        self.library.set_starred(path, starred, self._content_hash(path))
        self.article_list.refresh_marks()
        self.status.flash("Starred." if starred else "Star removed.")

    # --- moving between articles ----------------------------------------------------------

    def _step_unread(self, step: int) -> None:
        listing, open_path = self.article_list, self.article_view.path
        rows, start = listing.rows, listing.cursor
        if open_path is not None:
            current = listing.index_of(open_path)
            start = current if current is not None else start
        count = len(rows)
        # On from the current row; past the end, round from the other end (and say so).
        for n in range(1, count + 1):
            index = (start + step * n) % count
            path = rows[index].path
            if path not in self.library.read and path != open_path:
                listing.move_cursor(index)
                self.open_article(path, focus=self.focused is self.article_view)
                if (index < start) == (step > 0):
                    self.status.flash("No more unread below: back to the first one from the top."
                                      if step > 0 else
                                      "No more unread above: on from the last one at the bottom.")
                return
        self.app.bell()
        self.status.flash("No other unread article in this list.")

    def action_next_unread(self) -> None:
        self._step_unread(+1)

    def action_previous_unread(self) -> None:
        self._step_unread(-1)

    def action_history_back(self) -> None:
        path = self.article_view.back()
        if path is None:
            self.app.bell()
            self.status.flash("No earlier article to go back to.")
            return
        self.article_list.move_to(path)
        self.open_article(path, focus=self.focused is self.article_view, remember=False)

    # --- related articles -----------------------------------------------------------------

    def action_related(self) -> None:
        path = self.article_view.path or self.article_list.current_path
        if path is None or (self.library.opened.is_set() and self.library.index is None):
            self.app.bell()
            return
        self.find_related(path)

    @work(exclusive=True, group="related")
    async def find_related(self, path: str) -> None:
        if await self.library.wait_index() is None:
            return

        def related() -> tuple[str, list[Hit]]:
            return self.library.read_article(path).title, self.library.searcher().related(path)

        try:
            title, hits = await asyncio.to_thread(related)
        except SkipFile as exc:
            self.status.say(f"Cannot read {path}: {exc}", error=True)
            return
        self.app.push_screen(RelatedScreen(title, hits, read=self.library.read,
                                           starred=self.library.starred), self._related_chosen)

    def _related_chosen(self, path: str | None) -> None:
        if path:
            self.article_list.move_to(path)
            self.open_article(path, focus=True)

    # --- out of the app -------------------------------------------------------------------

    def _article_in_hand(self) -> Article | None:
        path = self.target_path()
        if path is None or self.library.index is None:
            self.app.bell()
            return None
        try:
            return self.library.read_article(path)
        except SkipFile as exc:
            self.status.say(f"Cannot read {path}: {exc}", error=True)
            return None

    def action_pager(self) -> None:
        article = self._article_in_hand()
        if article is not None:
            pager = shlex.split(os.environ.get("PAGER") or "less") or ["less"]
            # Reflowed and wrapped to the width here: a pager breaks lines inside words.
            width = min(self.text_width, self.app.size.width)
            self.app.run_outside(pager, pager_text(article, width))

    def action_editor(self) -> None:
        article = self._article_in_hand()
        if article is not None and self.library.index is not None:
            editor = shlex.split(os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi")
            # The real file: nothing is written unless the user saves it in the editor.
            if self.app.run_outside([*editor, str(self.library.index.root / article.path)]):
                self.loader.request()  # (only what the editor may have changed)

    def action_copy(self) -> None:
        article = self._article_in_hand()
        if article is not None:
            self.app.copy_to_clipboard(article.text)
            self.status.flash(
                f"Copied \"{article.title[:60]}\" ({len(article.text):,} characters).")
