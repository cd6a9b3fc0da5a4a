"""The sections pane and the search box in a real terminal: what a user sees and types."""

from __future__ import annotations

import shutil
import time

import pytest

pytestmark = [
    pytest.mark.tmux,
    pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed"),
]


def test_a_slash_typed_as_the_app_starts_opens_the_search_box(terminal):
    """A / and a query typed before the first frame crashed the app (no search box yet)."""
    term = terminal()
    term.type("/Nvidia")
    screen = term.wait_for(lambda s: "Nvidia" in s and "1 result" in s, timeout=60)
    assert "Traceback" not in screen
    term.keys("Escape")  # the box lets go (a q sent at once would arrive as alt+q)
    term.wait_for(lambda s: "Earlier searches" not in s)
    term.quit()


def test_a_saved_search_shows_in_the_sections_pane_with_its_count(terminal):
    term = terminal()
    term.wait_for(lambda s: "Index up to date" in s, timeout=60)
    screen = term.screen()
    assert "All articles" in screen and "2/2" in screen  # the pane, counted
    term.type("/tiktok")
    term.wait_for(lambda s: "2 results" in s)
    term.keys("C-s")
    term.wait_for(lambda s: "Save this search as" in s)
    term.keys("C-u")
    term.wait_for(lambda s: "▊  tiktok" not in s)
    # Text sent in the same instant as ctrl+u is dropped by the terminal driver; a hand
    # on the keyboard is slower than that.
    time.sleep(0.3)
    term.type("TikTok news")
    term.keys("Enter")
    term.wait_for(lambda s: "TikTok news" in s and "Saved \u201cTikTok news\u201d" in s)
    # Typing in the box runs no command (s would star, e the editor, o the pager).
    term.keys("Escape")  # (a key sent at once after it would arrive as alt+key)
    term.wait_for(lambda s: "Earlier searches" not in s)
    term.type("/seo")
    screen = term.wait_for(lambda s: "seo" in s and "no results" in s)
    assert "★" not in screen and "Starred" not in screen
    term.keys("Escape")
    term.wait_for(lambda s: "Earlier searches" not in s)
    term.keys("1")  # the sections pane: the saved search, read one, counted
    term.keys("End", "Enter")
    term.wait_for(lambda s: "saved search TikTok news" in s)
    term.keys("Enter")  # open the first: read after a moment
    term.wait_for(lambda s: "TikTok news" in s and " 1/2" in s, timeout=10)
    term.quit()


def test_the_sections_pane_hides_under_100_columns(terminal):
    term = terminal(size=(99, 30))
    screen = term.wait_for(lambda s: "TikTok" in s)
    assert "All articles" not in screen
    term.keys("1")
    term.wait_for(lambda s: "100 columns" in s)
    term.quit()
