"""A real terminal for the real command: one tmux server per test, on its own socket."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

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
        exports = " ".join(shlex.quote(f"{k}={v}") for k, v in env.items())
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

    def quit(self) -> str:
        """q, and the app has ended with status 0: the last screen."""
        self.keys("q")
        final = self.wait_for(lambda s: "EXIT=" in s)
        assert "EXIT=0" in final
        return final

    def close(self) -> None:
        subprocess.run(["tmux", "-L", self.socket, "kill-server"], capture_output=True)


@pytest.fixture
def terminal(write_corpus, isolated_dirs):
    corpus = write_corpus(ARTICLES)
    env = {name: os.environ[name] for name in ("XDG_CACHE_HOME", "XDG_DATA_HOME",
                                                "XDG_CONFIG_HOME")}
    env.update(TERM="xterm-256color", COLORTERM="truecolor")
    opened = []

    def start(size=(120, 36), args: str = "", corpus=corpus, extra_env=None) -> Terminal:
        term = Terminal(f"{READER} '{corpus}' {args}", size, {**env, **(extra_env or {})})
        opened.append(term)
        return term

    start.corpus = corpus
    yield start
    for term in opened:
        term.close()


