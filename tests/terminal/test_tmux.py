"""The real `reader` command in a real terminal (tmux): start, search, open, quit, restore."""

from __future__ import annotations

import shutil
import time

import pytest

pytestmark = [
    pytest.mark.tmux,
    pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed"),
]

def test_search_open_highlight_and_quit(terminal):
    term = terminal()
    started = time.monotonic()
    term.wait_for(lambda s: "US and China Resume Talks" in s and "tacit approval" in s)
    first_screen = time.monotonic() - started
    assert first_screen < 10  # generous: CI machines are shared; bench/ measures it properly

    term.keys("/", "N", "v", "i", "d", "i", "a")
    term.wait_for(lambda s: "1 result" in s)
    term.keys("Enter")
    term.keys("Enter")
    screen = term.wait_for(lambda s: "Regulators examined chipmaker" in s, escapes=True)
    # "Nvidia" in the article pane is drawn with a background colour (a highlight).
    lines = [line for line in screen.splitlines() if "chipmaker" in line]
    assert any("\x1b[" in line.split("chipmaker", 1)[1].split("Nvidia")[0] for line in lines)

    term.keys("q")
    final = term.wait_for(lambda s: "EXIT=" in s)
    assert "EXIT=0" in final
    # The alternate screen is gone: nothing of the app is left on the terminal.
    assert "US and China Resume Talks" not in final


def test_forty_columns_wide(terminal):
    term = terminal(size=(40, 12))
    term.wait_for(lambda s: "TikTok" in s)
    term.keys("j", "Enter")
    # The article pane opens below the list (the panes stack at this width) and takes focus.
    screen = term.wait_for(lambda s: "] Next article" in s and s.count("US and China") == 2)
    lines = screen.splitlines()
    assert len(lines) <= 12 and all(len(line) <= 40 for line in lines)
    term.type("?")
    term.wait_for(lambda s: "help" in s.lower())
    term.keys("Escape")
    term.wait_for(lambda s: "reader — help" not in s)  # else q would arrive as alt+q
    term.keys("q")
    final = term.wait_for(lambda s: "EXIT=" in s)
    assert "EXIT=0" in final
    assert "Traceback" not in final


def test_bad_folder_is_one_line_and_status_two(terminal, tmp_path):
    term = terminal(size=(200, 10), corpus=tmp_path / "missing")
    final = term.wait_for(lambda s: "EXIT=" in s)
    assert "EXIT=2" in final
    assert "no such folder" in final
    assert "Traceback" not in final


def test_q_at_once_on_a_large_folder_exits(terminal, write_corpus, tmp_path):
    """q pressed while the list is still loading: the worker thread that had the list to
    show and the closing app used to wait for each other, and the process never ended."""
    from reader.core.index import CorpusIndex

    corpus = write_corpus({f"s{i % 20}/a{i:05}.txt": f"Headline {i}\nBody {i}.\n"
                           for i in range(3000)}, name="large")
    index_dir = tmp_path / "large-index"
    CorpusIndex(corpus, index_dir).open().update()
    for _ in range(2):
        term = terminal(corpus=corpus, args=f"--index-dir '{index_dir}'")
        term.wait_for(lambda s: "reader" in s, timeout=30)
        term.keys("q")
        final = term.wait_for(lambda s: "EXIT=" in s, timeout=30)
        assert "EXIT=0" in final
        term.close()
