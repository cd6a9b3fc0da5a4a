"""The article pane's motion: scrolling at once (keys typed faster than frames add up) and
the search hits, n and N from what is on screen."""

from __future__ import annotations

from typing import Any


class ArticleMotion:
    """A part of ArticleView, kept apart so that each file reads in one sitting."""

    animate_scroll: bool
    hit_index: Any
    shown: Any
    drawn: Any
    hits: Any
    body: Any
    scroll_y: Any
    scroll_target_y: Any
    max_scroll_y: Any
    scrollable_content_region: Any
    app: Any
    HitMoved: Any

    # --- scrolling -------------------------------------------------------------------------

    def action_scroll_down(self) -> None:
        self._scroll_by(1)

    def action_scroll_up(self) -> None:
        self._scroll_by(-1)

    def action_page_down(self) -> None:
        self._scroll_by(self._pane_height)

    def action_page_up(self) -> None:
        self._scroll_by(-self._pane_height)

    def action_scroll_home(self) -> None:
        self._scroll_by(-int(self.scroll_y))

    def action_scroll_end(self) -> None:
        self._scroll_by(self.max_scroll_y - int(self.scroll_y))

    def _scroll_by(self, lines: int) -> None:
        """At once, from where the pane is now: keys typed faster than frames are drawn
        add up (Textual's own keys add up only while animating)."""
        if self.animate_scroll:
            self.scroll_to(y=self.scroll_target_y + lines, animate=True)
        else:
            self.scroll_to(y=self.scroll_y + lines, animate=False, immediate=True)

    # --- hits ------------------------------------------------------------------------------

    def watch_hit_index(self, old: int, new: int) -> None:
        if self.shown is not None and self.hits:
            self._render_body(layout=False)

    def _go_to_hit(self, number: int) -> None:
        if not self.hits:
            return
        self.hit_index = number % len(self.hits)
        target = self._hit_y(self.hit_index)
        self.scroll_to(y=max(0, target - self._pane_height // 3), animate=False, immediate=True)

    def _hit_y(self, number: int) -> int:
        """The line of the pane's content on which hit ``number`` is drawn."""
        assert self.drawn is not None
        return self.body.virtual_region.y + self.drawn.line_of(self.hits[number][0])

    @property
    def _pane_height(self) -> int:
        """Rows of text the pane shows (10 before its first layout)."""
        return self.scrollable_content_region.height or 10

    def _on_screen(self, number: int) -> bool:
        top = self.scroll_y
        return top <= self._hit_y(number) < top + self._pane_height

    def action_next_hit(self) -> None:
        """The hit after the current one; after scrolling away from it, the first hit from
        the top of the pane down (wrapping to the first)."""
        if not self.hits:
            self.app.bell()
            return
        if self.hit_index >= 0 and self._on_screen(self.hit_index):
            self._go_to_hit(self.hit_index + 1)
        else:
            top = int(self.scroll_y)
            self._go_to_hit(next((n for n in range(len(self.hits)) if self._hit_y(n) >= top), 0))
        self.post_message(self.HitMoved(self.hit_index + 1, len(self.hits)))

    def action_previous_hit(self) -> None:
        """The hit before the current one; after scrolling away from it, the last hit above
        the bottom of the pane (wrapping to the last)."""
        if not self.hits:
            self.app.bell()
            return
        if self.hit_index >= 0 and self._on_screen(self.hit_index):
            self._go_to_hit(self.hit_index - 1)
        else:
            bottom = int(self.scroll_y) + self._pane_height
            self._go_to_hit(next((n for n in reversed(range(len(self.hits)))
                                  if self._hit_y(n) < bottom), -1))
        self.post_message(self.HitMoved(self.hit_index + 1, len(self.hits)))
