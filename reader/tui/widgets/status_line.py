"""One line at the bottom: the latest message, a fetch's progress, indexing progress."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.timer import Timer
from textual.widgets import Label, ProgressBar


class StatusLine(Horizontal):
    DEFAULT_CSS = """
    StatusLine { height: 1; width: 100%; background: $panel; color: $text-muted; padding: 0 1; }
    StatusLine > #status-message { width: 1fr; height: 1; }
    StatusLine > ProgressBar { width: auto; height: 1; display: none; }
    StatusLine.-indexing > ProgressBar { display: block; }
    StatusLine > ProgressBar > Bar { width: 20; }
    StatusLine.-error > #status-message { color: $error; }
    StatusLine > #fetch-status {
        width: auto; max-width: 60%; height: 1; margin-left: 1; display: none;
        text-wrap: nowrap; text-overflow: ellipsis;
    }
    StatusLine.-fetching > #fetch-status { display: block; }
    """

    _flash_timer: Timer | None = None
    #: Whether the line shows what indexing said (its progress, or how a run ended).
    _indexing_said = False

    def compose(self) -> ComposeResult:
        yield Label("", id="status-message", markup=False)
        yield Label("", id="fetch-status", markup=False)
        # A total, not None: an indeterminate bar animates 15 times a second even hidden.
        yield ProgressBar(total=1, show_eta=False, id="index-progress")

    #: Seconds a passing remark ("Starred.", "No more articles…") stays on the line.
    FLASH_SECONDS = 4.0

    def say(self, message: str, *, error: bool = False) -> None:
        if self._flash_timer is not None:
            self._flash_timer.stop()
            self._flash_timer = None
        self.set_class(error, "-error")
        self._indexing_said = False
        # One line of fixed size: no layout of the whole screen (Static.update's default)
        # for each progress report of the indexer, only this line drawn again.
        self.query_one("#status-message", Label).update(Text(message), layout=False)

    def flash(self, message: str, *, seconds: float | None = None) -> None:
        """Say ``message`` for a few seconds (``seconds``), or until the next key: a remark
        on the last key, not news to keep (the line goes back to blank unless something else
        was said meanwhile)."""
        self.say(message)
        self._flash_timer = self.set_timer(seconds or self.FLASH_SECONDS, self._flash_over)

    def remark_over(self) -> None:
        """A key was pressed: a remark on the key before it is over."""
        if self._flash_timer is not None:
            self._flash_timer.stop()
            self._flash_over()

    def _flash_over(self) -> None:
        self._flash_timer = None
        self.say("")

    @property
    def message(self) -> str:
        return str(self.query_one("#status-message", Label).render())

    def indexing(self, done: int, total: int) -> None:
        self.add_class("-indexing")
        bar = self.query_one(ProgressBar)
        bar.update(total=total or None, progress=done)
        if total and done >= total:  # every article read: the writers finish the segments
            self.say(f"Indexing: writing the index ({total:,} articles)…")
        else:
            self.say(f"Indexing: {done:,} of {total:,} articles")
        self._indexing_said = True

    def indexing_finished(self, message: str, *, news: bool = True) -> None:
        """How a run ended; a run that changed nothing (``news`` False) leaves a message
        someone else put on the line (a fetch's outcome) where it is."""
        self.remove_class("-indexing")
        self.query_one(ProgressBar).update(total=1, progress=0)  # still, while hidden
        if news or self._indexing_said or not self.message or self._flash_timer is not None:
            self.say(message)
            self._indexing_said = True

    def fetching(self, progress: str) -> None:
        """A fetch's progress, beside the message (which indexing the new articles uses)."""
        self.add_class("-fetching")
        self.query_one("#fetch-status", Label).update(Text(progress))  # its width follows

    def fetching_finished(self) -> None:
        self.remove_class("-fetching")

    @property
    def fetch_progress(self) -> str:
        """The fetch's progress as shown; "" when no fetch is under way."""
        if not self.has_class("-fetching"):
            return ""
        return str(self.query_one("#fetch-status", Label).render())
