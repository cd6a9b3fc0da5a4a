"""ReaderApp: start-up, settings, theme, help and quitting; reading happens on MainScreen.

The window appears at once: the list comes from the index's listing (or a quick scan of
titles on a first run) while the indexer brings the index up to date, by default in a
process of its own (tui/indexer.py), so a long build never makes a key press wait.
"""

from __future__ import annotations

import dataclasses
import gc
import subprocess
from collections.abc import Iterable
from pathlib import Path
from typing import cast

from textual.app import App, SuspendNotSupported, SystemCommand
from textual.screen import Screen

from ..core.paths import config_file
from ..core.settings import DEFAULT_THEME, Settings, load_settings
from ..core.state import peek_shared
from .commands import reader_commands
from .fetcher import Fetcher, ProcessFetcher
from .indexer import Indexer, ProcessIndexer
from .keys import APP_BINDINGS, help_sections, keymap_problems
from .library import Library
from .screens.help import HelpScreen, key_table
from .screens.main import MainScreen

STYLES = Path(__file__).resolve().parent.parent / "styles" / "reader.tcss"


class ReaderApp(App[int]):
    """Read, search and keep up with a folder of plain-text articles."""

    CSS_PATH = STYLES
    TITLE = "reader"
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (100, "-wide")]
    VERTICAL_BREAKPOINTS = [(0, "-short"), (18, "-tall")]
    BINDINGS = APP_BINDINGS

    def __init__(self, corpus: Path, *, index_dir: Path | None = None,
                 settings: Settings | None = None, indexer: Indexer | None = None,
                 fetcher: Fetcher | None = None) -> None:
        """``indexer``: how the index is kept up to date (by default ``reader index`` in a
        process of its own; tests give an ``InProcessIndexer``); ``fetcher``: how the feeds
        are fetched (``reader fetch`` in a process of its own; tests: ``InProcessFetcher``)."""
        # A copy: the app adds what only it can check to the problems (and runs again in tests).
        settings = settings or load_settings()
        self.settings = dataclasses.replace(settings, issues=list(settings.issues))
        super().__init__()
        self.corpus = Path(corpus)
        self.library = Library(self.corpus, index_dir, max_bytes=self.settings.max_bytes)
        self.indexer = indexer or ProcessIndexer(self.corpus, index_dir)
        self.fetcher = fetcher or ProcessFetcher()

    def get_default_screen(self) -> Screen:
        return MainScreen(self.library, self.indexer, text_width=self.settings.text_width,
                          scroll_animation=self.settings.scroll_animation,
                          fetcher=self.fetcher, fetch_every=self.settings.fetch_every)

    @property
    def main(self) -> MainScreen:
        """The main screen, under any dialog."""
        return cast(MainScreen, self.screen_stack[0])

    def on_mount(self) -> None:
        self.title = f"reader — {self.corpus.resolve().name or self.corpus}"
        self._apply_settings()

    def _apply_settings(self) -> None:
        """Apply the settings, and say in one notice everything wrong with them (each with
        its line), key bindings too; the help screen lists them again."""
        settings = self.settings
        named = settings.theme  # None: the file names no theme
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
        if named is not None and named not in self.available_themes:
            settings.add_problem(f"theme '{named}' is not one of the themes (ctrl+p, Theme, "
                                 "lists them)", setting="theme", fallback=f"using {self.theme}")
        if settings.keys:
            keymap_problems(settings)
            self.set_keymap(settings.keys)
        notice = settings.notice()
        if notice:
            self.notify(notice, title="Settings", severity="warning", timeout=20, markup=False)

    def watch_theme(self, theme: str) -> None:
        """Keep a theme picked in the palette for the next start, in every corpus. The
        theme set at start comes before the store is open, so it is not saved again."""
        if self.library.state is not None:
            self.library.state.set_view("theme", {"theme": theme, "settings": self.settings.theme},
                                        every_corpus=True)

    def action_help(self) -> None:
        index = self.library.index
        where = str(index.dir) if index and not index.in_memory else "in memory"
        self.push_screen(HelpScreen(key_table(self, help_sections(), self.settings.keys),
                                    str(config_file()), where, self.settings.notice()))

    async def action_quit(self) -> None:
        self.main.save_session()
        self.main.loader.stop()
        self.main.feeds.stop()
        await self.main.feeds.stopped()  # its last articles put away whole
        self.exit(0)

    def on_unmount(self) -> None:
        gc.unfreeze()  # what the app held may be collected again (an app run in a test)

    def run_outside(self, command: list[str], stdin_text: str | None = None) -> bool:
        """Hand the terminal to another program and take it back afterwards; whether the
        program could be run."""
        ran = False
        try:
            with self.suspend():
                subprocess.run(command, input=stdin_text, text=True, check=False)
                ran = True
        except SuspendNotSupported:
            self.notify("Cannot hand over the terminal here.", severity="warning")
        except (OSError, ValueError) as exc:
            self.notify(f"Could not run {command[0]}: {exc}", severity="error", markup=False)
        self.refresh()
        return ran

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        for command in super().get_system_commands(screen):
            if command.title != "Keys":  # Textual's key panel: "Help" shows them all
                yield command
        yield from reader_commands(self.main)
