"""The command palette's commands (ctrl+p), beside Textual's own (Theme, Quit, ...)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from textual.app import SystemCommand

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
    yield SystemCommand("Help", "Keys and search syntax", screen.app.action_help)
