"""Saved searches and the reader's own tags, on the main screen: ``ctrl+s`` saves the query
shown (it then shows in the sections pane, counted), the palette renames and removes them,
``t`` tags the article in hand. Both live in the reading history, never in the files."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..core.state import normalize_tag
from .screens.ask import AskScreen, TagSuggester

if TYPE_CHECKING:
    from .library import Library


def tag_edit(text: str) -> tuple[list[str], list[str]]:
    """What "economy, later, -todo" asks: tags to add, tags to remove (as kept)."""
    add: list[str] = []
    remove: list[str] = []
    for item in text.split(","):
        item = item.strip().replace('"', "")
        removing = item.startswith("-")
        tag = normalize_tag(item[1:] if removing else item)
        if tag is not None:
            (remove if removing else add).append(tag)
    return add, remove


class OrganizeActions:
    """A part of MainScreen, kept apart so that each file reads in one sitting."""

    library: Library

    # --- saved searches -------------------------------------------------------------------

    def query_to_save(self) -> str:
        """The query shown (its respelling, when the results are that's), else the one in
        the box; "" when there is none."""
        box = self.search_bar.input
        if self.searched:
            return self.highlighted_query()
        return box.value.strip() if self.focused is box else ""

    def action_save_search(self) -> None:
        query = self.query_to_save()
        if not query:
            self.app.bell()
            key = self.key_of("app.save_search", "ctrl+s")
            self.status.flash(f"Search for something first; {key} then saves the query.")
            return
        named = next((s.name for s in self.library.saved if s.query == query), query)

        def save(name: str | None) -> None:
            if name is None or self.library.state is None:
                return
            if not self.library.state.save_search(name, query):
                self.status.flash("A saved search needs a name.")
                return
            self.saved_searches_changed(f"Saved \u201c{' '.join(name.split())}\u201d: it "
                                        "shows in the sections pane, counted as you read.")

        self.app.push_screen(AskScreen("Save this search as", value=named,
                                       note=f"Query: {query}"), save)

    def rename_saved_search(self, name: str) -> None:
        def rename(new_name: str | None) -> None:
            state = self.library.state
            if new_name is None or state is None or new_name.strip() == name:
                return
            if state.rename_saved_search(name, new_name):
                self.saved_searches_changed(f"Renamed \u201c{name}\u201d.")
            else:
                self.status.flash(f"Not renamed: \u201c{new_name.strip()}\u201d is taken, or "
                                  "empty.")

        self.app.push_screen(AskScreen(f"Rename the saved search \u201c{name}\u201d",
                                       value=name), rename)

    def remove_saved_search(self, name: str) -> None:
        state = self.library.state
        if state is not None and state.remove_saved_search(name):
            self.saved_searches_changed(f"Removed the saved search \u201c{name}\u201d.")

    def saved_searches_changed(self, message: str) -> None:
        self.library.saved_changed()
        self.refresh_pane()
        self._draw_header()
        self.count_soon()
        self.status.flash(message)

    # --- tags -----------------------------------------------------------------------------

    def action_tag(self) -> None:
        path = self.target_path()
        if path is None:
            self.app.bell()
            return
        own = self.library.tags.get(path, [])
        every = self.library.tag_names()
        title = next((row.title for row in self.article_list.rows if row.path == path), path)
        note = f"Tags now: {', '.join(own)}" if own else "No tags yet."
        if every:
            note += f"\nGiven so far: {', '.join(every)}"

        def tagged(text: str | None) -> None:
            if text is None:
                return
            add, remove = tag_edit(text)
            if not add and not remove:
                return
            tags = self.library.tag(path, add, remove, self._content_hash(path))
            self.tags_changed(path)
            self.status.flash(f"Tags: {', '.join(tags)}." if tags else "No tags left.")

        self.app.push_screen(AskScreen(
            f"Tag \u201c{title[:60]}\u201d", note=note,
            keys="commas between tags, -tag removes one · tab completes · enter: done",
            suggester=TagSuggester(every, own)), tagged)

    def tags_changed(self, path: str) -> None:
        self.article_list.refresh_marks()
        if self.article_view.path == path:
            self.article_view.show_tags(self.library.tags.get(path, []))
        self.refresh_pane()
        self.count_soon()
