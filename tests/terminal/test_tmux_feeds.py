"""F in a real terminal: the real command fetches from a server on 127.0.0.1 in this test's
process, the status line tells how it goes, the list answers keys meanwhile, and the new
articles come in unread."""

from __future__ import annotations

import re
import shutil
import threading

import pytest
from feeds_support import rss, send

from reader.core.feeds import add_feed

pytestmark = [
    pytest.mark.tmux,
    pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed"),
]


def list_rows(screen: str) -> list[str]:
    """The list's rows as drawn (a row is its title, then its date at the right)."""
    return [line for line in screen.splitlines() if re.search(r"\d{4}-\d\d-\d\d\s*▏", line)]


def unread(screen: str, title: str) -> bool:
    return any(title in row and "●" in row for row in list_rows(screen))


def test_f_fetches_while_the_list_answers_keys_and_new_articles_come_in_unread(
        terminal, server):
    corpus, base = terminal.corpus, server.url("")
    add_feed(corpus, server.add("/quick.rss", rss("Quick News", [("q1", "Quick story", "Q.")],
                                                  base)), check=False)
    go = threading.Event()
    slow = rss("Slow Times", [("s1", "Slow story one", "S."), ("s2", "Slow story two", "S.")],
               base).encode()
    # Held until the keys below are seen to work (12 s at most: a request is given 15).
    server.add("/slow.rss", handler=lambda h: (go.wait(12), send(h, 200, slow, "text/xml")))
    add_feed(corpus, server.url("/slow.rss"), name="slow", check=False)

    term = terminal()
    term.wait_for(lambda s: "Index up to date" in s and "2 unread" in s, timeout=60)
    term.keys("F")
    term.wait_for(lambda s: "Fetching feeds: 1 of 2 done · last: Quick News" in s, timeout=60)

    # The list answers while the slow feed is fetched: m marks the row the cursor is on, and
    # j and k move it (the two articles of the folder stay first: the new ones are older).
    def marks(screen: str) -> list[bool]:
        return ["●" in row for row in list_rows(screen)[:2]]

    term.keys("g", "j", "m")
    term.wait_for(lambda s: marks(s) == [True, False])  # (a remark may give way to indexing)
    term.keys("k", "m")
    screen = term.wait_for(lambda s: marks(s) == [False, False])
    assert "Fetching feeds: 1 of 2 done" in screen  # all of it while the slow feed was fetched

    go.set()
    # The counts follow the list within moments (they are worked out off the event loop).
    screen = term.wait_for(lambda s: "Feeds: 3 new articles from 2 feeds" in s
                           and "3 unread" in s, timeout=120)
    for title in ("Quick story", "Slow story one", "Slow story two"):
        assert unread(screen, title), screen
    assert "Fetching" not in screen and "slow" in screen, screen  # the pane: a new section
    term.keys("q")
    final = term.wait_for(lambda s: "EXIT=" in s)
    assert "EXIT=0" in final and "Traceback" not in final
