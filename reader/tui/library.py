"""The corpus as the app holds it: the index (open after the first screen), the list, and
what the reader did (read marks, stars). No Textual here: the screen and its panes share one
Library, and its blocking calls run in worker threads."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from ..core.articles import Article
from ..core.corpus import check_corpus
from ..core.listing import Entry, View, in_view
from ..core.paths import default_index_dir
from ..core.state import SavedSearch, StateStore
from .tallies import Tallies

if TYPE_CHECKING:  # imported when the index is opened, after the first screen
    from ..core.index import CorpusIndex
    from ..core.search import Searcher


class Library:
    """One corpus folder's index, list and reading history."""

    def __init__(self, corpus: Path, index_dir: Path | None = None, *,
                 max_bytes: int | None = None) -> None:
        self.corpus = Path(corpus)
        self.index_dir = index_dir  # as given: None for the cache dir
        self.max_bytes = max_bytes
        self.root: Path | None = None
        self.state: StateStore | None = None
        self.index: CorpusIndex | None = None
        #: Set once the index is open (or could not be): the list may be on screen before.
        self.opened = threading.Event()
        #: The full list, in the order shown.
        self.entries: list[Entry] = []
        self.read: set[str] = set()
        self.starred: set[str] = set()
        #: Read while the unread view was shown: they stay in it until the view changes
        #: (a list refresh dropped the open article, and ] then skipped its neighbour).
        self.kept: set[str] = set()
        #: The reader's own tags of each tagged article (the reading history's).
        self.tags: dict[str, list[str]] = {}
        #: Saved searches, in the order the sections pane lists them.
        self.saved: list[SavedSearch] = []
        #: Unread and total counts of sections, saved searches and tags.
        self.tallies = Tallies()

    # --- opening (blocking: in a worker thread) -----------------------------------------

    def open_state(self) -> tuple[set[str], set[str]]:
        """Check the folder (CorpusError says what is wrong) and open its reading history:
        the paths read and starred, for ``use_marks`` (on the thread that draws them)."""
        self.root = check_corpus(self.corpus)
        self.state = StateStore(self.root)
        self.tags = self.state.tags_by_path()
        self.saved = self.state.saved_searches()
        return self.state.read_paths(), self.state.starred_paths()

    @property
    def listing_dir(self) -> Path:
        """Where the index's listing is read from before the index is open."""
        assert self.root is not None, "open_state first"
        return self.index_dir or default_index_dir(self.root)

    def open_index(self) -> CorpusIndex:
        """Open the index (importing Whoosh); ``opened`` is set when this returns or fails."""
        from ..core.index import CorpusIndex

        try:
            kwargs = {} if self.max_bytes is None else {"max_bytes": self.max_bytes}
            index = CorpusIndex(self.root or self.corpus, self.index_dir, **kwargs)
            index.open()
            self.index = index
            return index
        finally:
            self.opened.set()

    async def wait_index(self, timeout: float = 60) -> CorpusIndex | None:
        """The index, once open (None if it could not be); the list can be on screen first."""
        if not self.opened.is_set():
            await asyncio.to_thread(self.opened.wait, timeout)
        return self.index

    def searcher(self) -> Searcher:
        """A new Searcher (one per thread; Whoosh's query parser is imported here, off the
        first frame's path)."""
        from ..core.search import Searcher

        assert self.index is not None
        # tags:x finds the articles the reader tagged x too.
        return Searcher(self.index, own_tags=self.state.paths_tagged if self.state else None)

    def link_fields(self) -> dict[str, tuple[str, tuple[str, ...]]]:
        """path -> (URL, tags) of every indexed article, from the index's stored fields
        (blocking: a second at 100,000); for exporting a list without reading its files."""
        assert self.index is not None
        with self.index.searcher() as searcher:
            return {fields["path"]: (fields.get("url") or "", tuple(
                tag for tag in (fields.get("tags") or "").split(",") if tag))
                for fields in searcher.all_stored_fields()}

    def read_article(self, path: str) -> Article:
        """The article as its file says now (SkipFile when it cannot be read)."""
        assert self.index is not None
        return self.index.read(path)

    # --- the list and the marks ---------------------------------------------------------

    def shown(self, view: View, section: str | None) -> list[Entry]:
        """The full list as a view shows it (search results ignore the view)."""
        return in_view(self.entries, view, section, read=self.read, starred=self.starred,
                       kept=self.kept)

    def unread_count(self, entries: list[Entry]) -> int:
        read = self.read
        return sum(1 for e in entries if e.path not in read)

    def sections(self) -> list[str]:
        return sorted({e.section for e in self.entries if e.section})

    def set_read(self, path: str, read: bool, content_hash: str | None = None, *,
                 keep_in_view: bool = False) -> None:
        if (path in self.read) != read:
            self.tallies.marked(path, read)
        (self.read.add if read else self.read.discard)(path)
        if read and keep_in_view:
            self.kept.add(path)
        if self.state is not None:
            self.state.set_read(path, read, content_hash)

    def set_starred(self, path: str, starred: bool, content_hash: str | None = None) -> None:
        (self.starred.add if starred else self.starred.discard)(path)
        if self.state is not None:
            self.state.set_starred(path, starred, content_hash)

    def reconcile(self, entries: list[Entry]) -> tuple[set[str], set[str]] | None:
        """Give moved or renamed articles their marks back (blocking): the marks as they
        are now, or None when nothing changed."""
        state, index = self.state, self.index
        if state is None or index is None or not entries:
            return None
        if state.needs_reconcile(e.path for e in entries) and state.reconcile(index.hashes()):
            return state.read_paths(), state.starred_paths()
        return None

    # --- tags and saved searches ----------------------------------------------------------

    def tag(self, path: str, add: Iterable[str] = (), remove: Iterable[str] = (),
            content_hash: str | None = None) -> list[str]:
        """Add and remove the reader's own tags of an article; its tags as they are now."""
        state = self.state
        if state is not None:
            for tag in remove:
                state.remove_tag(path, tag)
            for tag in add:
                state.add_tag(path, tag, content_hash)
            tags = state.tags_of(path)
        else:
            tags = self.tags.get(path, [])
        if tags:
            self.tags[path] = tags
        else:
            self.tags.pop(path, None)
        return tags

    def tag_names(self) -> list[str]:
        """Every tag the reader has given, A to Z."""
        return sorted({tag for tags in self.tags.values() for tag in tags})

    def saved_changed(self) -> None:
        if self.state is not None:
            self.saved = self.state.saved_searches()

    def use_marks(self, read: set[str], starred: set[str]) -> None:
        """Marks as the store has them (in place: the list's rows are drawn from these sets)."""
        self.read.clear()
        self.read.update(read)
        self.starred.clear()
        self.starred.update(starred)
