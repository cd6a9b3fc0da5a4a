"""The keys: the app's and the main screen's bindings, every place a key is bound, and what a
``[keys]`` remapping in the settings file would silently fail to do.

Every binding has an id (``app.search``, ``list.down``): the settings file remaps keys by
id (``App.set_keymap``), the help screen lists them from here, and the README names each.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual.binding import Binding

from .widgets import ArticleList, ArticleView
from .widgets.search_bar import SearchInput
from .widgets.sections_pane import SectionsPane

if TYPE_CHECKING:
    from ..core.settings import Settings

#: The main screen's: they answer wherever the focus is in it.
MAIN_BINDINGS = [
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
    Binding("F", "fetch_feeds", "Fetch feeds", show=False, id="app.fetch_feeds"),
    Binding("o", "pager", "Open in pager", show=False, id="app.pager"),
    Binding("e", "editor", "Open in editor", show=False, id="app.editor"),
    Binding("y", "copy", "Copy title and text", show=False, id="app.copy"),
    Binding("A", "mark_all_read", "Mark all read", id="app.mark_all_read"),
    Binding("z", "undo_mark_all", "Undo mark all read", show=False, id="app.undo"),
    Binding("O", "open_link", "Open the link in a browser", show=False, id="app.open_link"),
    Binding("x", "export", "Export to Markdown or JSON", show=False, id="app.export"),
    Binding("less_than_sign", "split(-5)", "Narrower list", show=False, id="app.narrower"),
    Binding("greater_than_sign", "split(5)", "Wider list", show=False, id="app.wider"),
    Binding("tab", "switch_pane", "Switch pane", show=False, priority=True, id="app.switch"),
    Binding("escape", "back", "Back", show=False, id="app.back"),
    Binding("1", "focus_pane('sections')", "Sections pane", show=False, id="app.pane_sections"),
    Binding("2", "focus_pane('list')", "Article list", show=False, id="app.pane_list"),
    Binding("3", "focus_pane('article')", "Article pane", show=False, id="app.pane_article"),
    Binding("B,f9", "toggle_sections", "Show/hide the sections pane", show=False,
            id="app.sections"),
    Binding("t", "tag", "Tag", show=False, id="app.tag"),
    Binding("ctrl+s", "save_search", "Save the search", show=False, id="app.save_search"),
    Binding("ctrl+r", "search_instead", "The other search offered (as typed, or the "
            "suggestion)", show=False, id="app.search_instead"),
]

#: The app's: on every screen.
APP_BINDINGS = [
    Binding("question_mark,f1", "help", "Help", id="app.help"),
    Binding("q", "quit", "Quit", id="app.quit"),
    # Textual's own ctrl+c only says "press ctrl+q to quit". In the search box, with
    # text selected, ctrl+c still copies it (the focused widget's binding comes first).
    Binding("ctrl+c", "quit", "Quit", show=False, id="app.quit_ctrl_c"),
]


@dataclass(frozen=True)
class Place:
    """Where bindings are declared. Textual asks priority bindings first, then the focused
    pane's, then the main screen's, then the app's: ``rank`` is that order for the place's
    bindings without priority (those with it rank 0)."""

    title: str  # the help screen's heading
    bindings: list[Binding]
    rank: int
    pane: str = ""  # a pane holds the focus; the other places answer wherever it is


def places() -> list[Place]:
    return [
        Place("Everywhere", MAIN_BINDINGS, rank=2),
        Place("Everywhere", APP_BINDINGS, rank=3),
        Place("Article list", _bindings(ArticleList), rank=1, pane="the list"),
        Place("Article", _bindings(ArticleView), rank=1, pane="the article"),
        Place("Search box", _bindings(SearchInput), rank=1, pane="the search box"),
        Place("Sections pane", _bindings(SectionsPane), rank=1, pane="the sections pane"),
    ]


def _bindings(widget: type) -> list[Binding]:
    return [b for b in widget.BINDINGS if isinstance(b, Binding)]


def help_sections() -> list[tuple[str, list[Binding]]]:
    """(heading, bindings) for the help screen, in the order of ``places``."""
    sections: dict[str, list[Binding]] = {}
    for place in places():
        sections.setdefault(place.title, []).extend(place.bindings)
    return list(sections.items())


def binding_ids() -> list[str]:
    return [b.id for place in places() for b in place.bindings if b.id]


def keymap_problems(settings: Settings) -> None:
    """Add to the settings' problems what their ``[keys]`` would silently fail to do: ids
    of no binding (which Textual leaves out without a word), then clashes, each at the line
    of its entry."""
    settings.unknown_bindings(binding_ids())
    for binding_id, clash in key_clashes(settings.keys):
        settings.add_problem(clash, binding=binding_id)


def key_clashes(keymap: dict[str, str]) -> list[tuple[str, str]]:
    """What a ``[keys]`` remapping does not do: a key another binding takes first where
    both could answer it, or one that two bindings of the same place share. Textual gives
    no word of it: the key just does the other thing. Each is (the remapped id, what
    happens)."""
    bound = []
    for place in places():
        for binding in place.bindings:
            keys = keymap.get(binding.id, binding.key) if binding.id else binding.key
            rank = 0 if binding.priority else place.rank
            bound.append((place, binding, rank, {k.strip() for k in keys.split(",")} - {""}))
    # (key, remapped id, how) -> the other bindings, with the pane where they meet
    found: dict[tuple[str, str, str], list[tuple[str, str]]] = {}
    told: set[tuple[str, frozenset[str | None]]] = set()
    for place, binding, rank, keys in bound:
        if binding.id not in keymap:
            continue
        for key in sorted(keys):
            for other_place, other, other_rank, other_keys in bound:
                if other is binding or key not in other_keys:
                    continue
                if place.pane and other_place.pane and place is not other_place:
                    continue  # panes that never have the focus at once
                pair = (key, frozenset((binding.id, other.id)))
                if pair in told:
                    continue
                told.add(pair)
                how = "both" if rank == other_rank else "lost" if other_rank < rank else "took"
                pane = (place.pane or other_place.pane) if how != "both" else ""
                found.setdefault((key, binding.id, how), []).append((str(other.id), pane))
    clashes = []
    for (key, name, how), others in found.items():
        ids = " and ".join(f"'{other}'" for other, _ in others)
        panes = sorted({pane for _, pane in others if pane})
        where = f" in {' or '.join(panes)}" if panes else ""
        if how == "both":
            clash = f"'{key}' is set for both '{name}' and {ids}; only one will have it"
        elif how == "lost":
            clash = (f"'{key}' for '{name}' does nothing{where}: {ids} "
                     f"{'has' if len(others) == 1 else 'have'} it first")
        else:
            clash = f"'{key}' for '{name}' takes it from {ids}{where}"
        clashes.append((name, clash))
    return clashes
