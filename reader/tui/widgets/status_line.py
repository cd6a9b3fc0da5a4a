"""One line at the bottom: indexing progress, or the latest message."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Label, ProgressBar


class StatusLine(Horizontal):
    DEFAULT_CSS = """
    StatusLine { height: 1; width: 100%; background: $panel; color: $text-muted; padding: 0 1; }
    StatusLine > #status-message { width: 1fr; height: 1; }
    StatusLine > ProgressBar { width: auto; height: 1; display: none; }
    StatusLine.-indexing > ProgressBar { display: block; }
    StatusLine > ProgressBar > Bar { width: 20; }
    StatusLine.-error > #status-message { color: $error; }
    """

    def compose(self) -> ComposeResult:
        yield Label("", id="status-message", markup=False)
        yield ProgressBar(total=None, show_eta=False, id="index-progress")

    def say(self, message: str, *, error: bool = False) -> None:
        self.set_class(error, "-error")
        # One line of fixed size: no layout of the whole screen (Static.update's default)
        # for each progress report of the indexer, only this line drawn again.
        self.query_one("#status-message", Label).update(Text(message), layout=False)

    @property
    def message(self) -> str:
        return str(self.query_one("#status-message", Label).render())

    def indexing(self, done: int, total: int) -> None:
        self.add_class("-indexing")
        bar = self.query_one(ProgressBar)
        bar.update(total=total or None, progress=done)
        self.say(f"Indexing: {done:,} of {total:,} articles")

    def indexing_finished(self, message: str) -> None:
        self.remove_class("-indexing")
        self.say(message)
