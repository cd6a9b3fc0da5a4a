"""Running the real app in a test: made with the indexer in its own process (as in daily use)
or, quicker, in the app's process; waited on, never slept on; read as the user sees it."""

from __future__ import annotations

import asyncio
import io
import threading

from rich.console import Console
from textual.widgets import Static

from reader.core.settings import Settings
from reader.tui.app import ReaderApp
from reader.tui.fetcher import InProcessFetcher
from reader.tui.indexer import InProcessIndexer


def make_app(corpus, *, index_dir=None, indexer=None, watch: bool = False,
             settings: Settings | None = None, fetcher=None, **values) -> ReaderApp:
    """The app, its index updated and its feeds fetched in the app's process (``watch``:
    the index on changes too); the settings given, or made of ``values``."""
    return ReaderApp(corpus, index_dir=index_dir, settings=settings or Settings(**values),
                     indexer=indexer or InProcessIndexer(watch=watch),
                     fetcher=fetcher or InProcessFetcher())


class HeldIndexer(InProcessIndexer):
    """The in-process indexer, each update held until ``go`` is set."""

    def __init__(self, go: threading.Event) -> None:
        super().__init__()
        self.go = go

    async def run(self, index, *, rebuild, tell):
        await asyncio.to_thread(self.go.wait, 30)
        return await super().run(index, rebuild=rebuild, tell=tell)


async def settle(app: ReaderApp, pilot) -> None:
    """Wait for the workers the last keys started, and the ones those started in turn (not
    the folder watcher, which never ends)."""
    for _ in range(100):
        await pilot.pause()
        busy = [w for w in app.workers if w.group != "watch" and not w.is_finished]
        if not busy:  # an empty list would mean "every worker", the watcher too
            break
        await app.workers.wait_for_complete(busy)
    await pilot.pause()


async def until(pilot, condition, timeout: float = 10) -> None:
    """Wait, a frame at a time, for ``condition()`` to hold."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():
        assert asyncio.get_running_loop().time() < deadline, "never came true"
        await pilot.pause(0.01)


def visible_text(app: ReaderApp) -> str:
    return "\n".join(app.main.article_list.render_lines_plain())


def titles(app: ReaderApp) -> list[str]:
    return [row.title for row in app.main.article_list.rows]


def rendered(*renderables) -> str:
    """What Rich renderables (tables, Text) show, as plain text."""
    console = Console(width=100, record=True, file=io.StringIO())
    for renderable in renderables:
        console.print(renderable)
    return console.export_text()


def body_text(app: ReaderApp) -> str:
    return str(app.main.article_view.query_one("#article-body", Static).render())


def search_status(app: ReaderApp) -> str:
    return str(app.main.search_bar.query_one("#search-status").render())


def notices(app: ReaderApp) -> list[str]:
    """The notifications on screen (toasts), as their text reads."""
    return [toast.render().plain for toast in app.screen.query("Toast")]
