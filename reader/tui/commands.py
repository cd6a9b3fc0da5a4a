"""The command palette's commands (ctrl+p), beside Textual's own (Theme, Quit, ...)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from textual.app import SystemCommand

from .panes import tag_query
from .screens.skipped import SkippedScreen

if TYPE_CHECKING:
    from .screens.main import MainScreen


def reader_commands(screen: MainScreen) -> Iterator[SystemCommand]:
    """Sorting, views and sections, rebuilding the index and fetching the feeds, on the
    main screen."""

    def show(view: str | None = None, *, section: str | None = "") -> None:
        if section != "":  # "": the section shown stays
            screen.section = section
        if view is not None:
            screen.view = view  # type: ignore[assignment]

    yield SystemCommand("Sort by date", "Newest articles first", lambda: screen.sort_by("date"))
    yield SystemCommand("Sort by title", "Articles A to Z", lambda: screen.sort_by("title"))
    yield SystemCommand("Sort by relevance", "Search results best first",
                        lambda: screen.sort_by("relevance"))
    yield SystemCommand("Rebuild index", "Index every article again from scratch",
                        screen.loader.rebuild)
    yield SystemCommand("Fetch feeds", "Bring in the new articles of every feed (F)",
                        screen.feeds.fetch)
    yield SystemCommand("Show all articles", "Every article in the folder",
                        lambda: show("all", section=None))
    yield SystemCommand("Show unread articles", "Only articles not read yet",
                        lambda: show("unread"))
    yield SystemCommand("Show starred articles", "Only articles you starred",
                        lambda: show("starred"))
    for section in screen.library.sections():
        yield SystemCommand(f"Show section: {section}", f"Only articles in {section}/",
                            lambda section=section: show(section=section))
    for name, label in (("markdown", "Markdown"), ("json", "JSON")):
        yield SystemCommand(f"Export article as {label}", "The article in hand, whole, to a "
                            "new file (x)", lambda name=name: screen.export("article", name))
        yield SystemCommand(f"Export list as {label}", f"{screen.list_label().capitalize()}, "
                            "to a new file (x)", lambda name=name: screen.export("list", name))
    yield SystemCommand("Mark all read", f"{screen.list_label().capitalize()} (A; z undoes it)",
                        screen.mark_all_read)
    yield SystemCommand("Skipped files", "The files left out of the index, and why",
                        lambda: screen.app.push_screen(SkippedScreen(screen.loader.skipped)))
    yield from _organizing(screen)
    yield SystemCommand("Help", "Keys and search syntax", screen.app.action_help)


def _organizing(screen: MainScreen) -> Iterator[SystemCommand]:
    """Saved searches, tags and the sections pane."""
    if screen.query_to_save():
        yield SystemCommand("Save this search", "Keep the query: it shows in the sections "
                            "pane, counted", screen.action_save_search)
    for saved in screen.library.saved:
        yield SystemCommand(f"Show saved search: {saved.name}", saved.query,
                            lambda query=saved.query: screen.show_query(query))
        yield SystemCommand(f"Rename saved search: {saved.name}", saved.query,
                            lambda name=saved.name: screen.rename_saved_search(name))
        yield SystemCommand(f"Remove saved search: {saved.name}", saved.query,
                            lambda name=saved.name: screen.remove_saved_search(name))
    for tag in screen.library.tag_names():
        yield SystemCommand(f"Show tag: {tag}", "The articles you tagged so (and the files' "
                            "own Tags:)", lambda tag=tag: screen.show_query(tag_query(tag)))
    shown = screen.sections_wanted
    yield SystemCommand("Hide the sections pane" if shown else "Show the sections pane",
                        "Sections, saved searches and tags, with their counts (B)",
                        screen.action_toggle_sections)
