"""The real `reader` command in a real terminal (tmux): start, search, open, quit, restore."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

pytestmark = [
    pytest.mark.tmux,
    pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed"),
]

READER = Path(sys.executable).with_name("reader")
ARTICLES = {
    "madrid.txt": "US and China Resume Talks on TikTok\nMADRID - Talks resumed.\n\n"
                  "Regulators examined chipmaker Nvidia over antitrust concerns.\n",
    "xi.txt": "TikTok deal receives tacit approval from Xi\nChina signalled its blessing.\n",
}


class Terminal:
    """One tmux server of our own (its own socket), running one command."""

    def __init__(self, command: str, size: tuple[int, int], env: dict[str, str]) -> None:
        self.socket = f"reader-test-{uuid.uuid4().hex[:8]}"
        width, height = size
        exports = " ".join(f"{k}={v}" for k, v in env.items())
        # COLUMNS/LINES may be set in the test process; Textual would trust them over the pty.
        script = f"env -u COLUMNS -u LINES {exports} {command}; echo EXIT=$?; sleep 60"
        self._tmux("new-session", "-d", "-s", "t", "-x", str(width), "-y", str(height), script)

    def _tmux(self, *args: str) -> str:
        result = subprocess.run(["tmux", "-L", self.socket, *args], capture_output=True,
                                text=True, timeout=20)
        return result.stdout

    def keys(self, *keys: str) -> None:
        self._tmux("send-keys", "-t", "t", *keys)

    def type(self, text: str) -> None:
        self._tmux("send-keys", "-t", "t", "-l", text)

    def screen(self, escapes: bool = False) -> str:
        return self._tmux("capture-pane", "-p", *(["-e"] if escapes else []), "-t", "t")

    def wait_for(self, predicate, timeout: float = 20.0, escapes: bool = False) -> str:
        """Poll the screen until ``predicate(screen)`` holds; fail with the screen if not."""
        deadline = time.monotonic() + timeout
        while True:
            screen = self.screen(escapes)
            if predicate(screen):
                return screen
            if time.monotonic() > deadline:
                pytest.fail(f"timed out waiting; the screen was:\n{self.screen()}")
            time.sleep(0.05)

    def close(self) -> None:
        subprocess.run(["tmux", "-L", self.socket, "kill-server"], capture_output=True)


@pytest.fixture
def terminal(write_corpus, isolated_dirs):
    corpus = write_corpus(ARTICLES)
    env = {name: os.environ[name] for name in ("XDG_CACHE_HOME", "XDG_DATA_HOME",
                                                "XDG_CONFIG_HOME")}
    env.update(TERM="xterm-256color", COLORTERM="truecolor")
    opened = []

    def start(size=(120, 36), args: str = "") -> Terminal:
        term = Terminal(f"{READER} {corpus} {args}", size, env)
        opened.append(term)
        return term

    yield start
    for term in opened:
        term.close()


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
    screen = term.wait_for(lambda s: "n Next hit" in s and s.count("US and China") == 2)
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
    term = Terminal(f"{READER} {tmp_path / 'missing'}", (200, 10), {})
    try:
        final = term.wait_for(lambda s: "EXIT=" in s)
        assert "EXIT=2" in final
        assert "no such folder" in final
        assert "Traceback" not in final
    finally:
        term.close()
