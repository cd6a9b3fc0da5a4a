"""Timing the app as a person meets it: the real command in a real terminal (tmux).

A key press counts as answered when the screen tmux shows has changed, so a time here is
everything between the key and the frame: the terminal, the app's event loop, its drawing.
The screen is polled with ``capture-pane`` (a few milliseconds a call), so times carry that
much extra, the same for ours and the bare Textual baseline.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import tempfile
import time
import uuid

from reader.tui.app import INDEXER_SPAWN

BARE_APP = r'''
from textual.app import App
from textual.widgets import Static

class Bare(App):
    """The floor: a Textual app whose j and k change one line of text."""

    BINDINGS = [("j", "move(1)"), ("k", "move(-1)")]
    moves = 0

    def compose(self):
        yield Static("\n\nbare textual app is up")

    def action_move(self, step):
        self.moves += step
        self.query_one(Static).update(f"\n\nbare textual app is up ({self.moves})")

Bare().run()
'''


class Tmux:
    """One tmux server of our own (its own socket) running one command at 120x36."""

    def __init__(self, command: list[str], env: dict[str, str], size=(120, 36)) -> None:
        if shutil.which("tmux") is None:
            raise RuntimeError("tmux is needed for the terminal measurements (apt-get install tmux)")
        self.socket = f"reader-bench-{uuid.uuid4().hex[:8]}"
        exports = " ".join(shlex.quote(f"{k}={v}") for k, v in env.items())
        script = (f"env -u COLUMNS -u LINES {exports} {shlex.join(command)}; "
                  "echo EXIT=$?; sleep 600")
        self.started = time.perf_counter()
        self._tmux("new-session", "-d", "-s", "b", "-x", str(size[0]), "-y", str(size[1]), script)

    def _tmux(self, *args: str) -> str:
        return subprocess.run(["tmux", "-L", self.socket, *args], capture_output=True,
                              text=True, timeout=20).stdout

    def screen(self, escapes: bool = False) -> str:
        return self._tmux("capture-pane", "-p", *(["-e"] if escapes else []), "-t", "b")

    def keys(self, *keys: str, literal: bool = False) -> None:
        self._tmux("send-keys", "-t", "b", *(["-l"] if literal else []), *keys)

    def wait_for(self, predicate, timeout: float = 120.0, poll: float = 0.0) -> str:
        deadline = time.perf_counter() + timeout
        while True:
            screen = self.screen()
            if predicate(screen):
                return screen
            if time.perf_counter() > deadline:
                raise TimeoutError(f"the screen never showed what was awaited:\n{screen}")
            if poll:
                time.sleep(poll)

    def close(self) -> None:
        subprocess.run(["tmux", "-L", self.socket, "kill-server"], capture_output=True)


def first_frame(command: list[str], env: dict[str, str], ready, quit_key: str) -> float:
    """Seconds from launching ``command`` until the screen satisfies ``ready``; then the app
    is quit with ``quit_key`` (so that nothing it started runs on into the next measure)."""
    term = Tmux(command, env)
    try:
        term.wait_for(ready, poll=0.0)
        seconds = time.perf_counter() - term.started
        term.keys(quit_key)
        term.wait_for(lambda s: "EXIT=" in s, timeout=60, poll=0.05)
        return seconds
    finally:
        term.close()


def _list_shown(screen: str) -> bool:
    """The header counts the articles once the list holds them ("0 articles" before)."""
    return re.search(r"\b[1-9][\d,]* articles? · ", screen) is not None


def _list_region(screen: str) -> str:
    """The screen without its first line and last two (the header's subtitle, the status
    line and its progress bar, the footer): what a cursor move changes."""
    return "\n".join(screen.splitlines()[1:-2])


def key_times(term: Tmux, count: int, gap: float, until=None) -> list[float]:
    """Press j and k in turn; the seconds until each one shows. Stops early when ``until``
    holds for the screen (e.g. the build finished)."""
    times: list[float] = []
    for i in range(count):
        before = _list_region(term.screen(escapes=True))
        started = time.perf_counter()
        term.keys("j" if i % 2 == 0 else "k")
        while _list_region(term.screen(escapes=True)) == before:
            if time.perf_counter() - started > 10:
                raise TimeoutError("a key press went unanswered for 10 s")
        times.append(time.perf_counter() - started)
        if until is not None and until(term.screen()):
            break
        time.sleep(gap)
    return times


def app_in_terminal(reader: list[str], corpus, index_dir, env: dict[str, str], keys: int,
                    python: str) -> dict:
    """First frame of ours and of a bare Textual app; key-to-frame idle and during a rebuild."""
    result: dict = {}
    bare, ours = [], []
    for _ in range(3):  # in turns, so that a busy spell of the machine hits both
        bare.append(first_frame([python, "-c", BARE_APP], env,
                                lambda s: "bare textual app is up" in s, "C-q"))
        ours.append(first_frame([*reader, str(corpus), "--index-dir", str(index_dir)], env,
                                _list_shown, "q"))
    result["frame_bare"], result["frame"] = sorted(bare)[1], sorted(ours)[1]

    term = Tmux([python, "-c", BARE_APP], env)
    try:
        term.wait_for(lambda s: "bare textual app is up" in s, poll=0.05)
        result["keys_bare"] = key_times(term, keys, gap=0.03)
        # The floor during a build: the same build as the app's rebuild below (reader index
        # at the app's low priority), into a scratch folder, beside the bare app.
        with tempfile.TemporaryDirectory() as scratch:
            build = subprocess.Popen(
                [*reader, "index", "--corpus", str(corpus), "--index-dir", scratch, "--rebuild"],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env={**os.environ, **env},
                **INDEXER_SPAWN)  # as the app starts its indexer
            try:
                time.sleep(3)  # past the scan, into the indexing
                result["keys_bare_build"] = key_times(term, keys, gap=0.1,
                                                      until=lambda s: build.poll() is not None)
            finally:
                build.kill()
                build.wait()
    finally:
        term.close()

    term = Tmux([*reader, str(corpus), "--index-dir", str(index_dir)], env)
    try:
        term.wait_for(lambda s: "Index up to date" in s, timeout=600, poll=0.05)
        result["keys_idle"] = key_times(term, keys, gap=0.03)
        term.keys("C-p")
        term.wait_for(lambda s: "Search for commands" in s, poll=0.05)
        term.keys("Rebuild index", literal=True)
        time.sleep(0.5)
        term.keys("Enter")
        term.wait_for(lambda s: "Indexing:" in s, timeout=60, poll=0.05)
        started = time.perf_counter()
        result["keys_build"] = key_times(term, keys, gap=0.1,
                                         until=lambda s: "Indexing:" not in s)
        result["keys_build_seconds"] = time.perf_counter() - started
        term.keys("q")
        term.wait_for(lambda s: "EXIT=" in s, timeout=60, poll=0.05)
    finally:
        term.close()
    return result


def env_for(base: dict[str, str]) -> dict[str, str]:
    keep = ("XDG_CACHE_HOME", "XDG_DATA_HOME", "XDG_CONFIG_HOME", "PATH", "HOME")
    env = {k: v for k, v in base.items() if k in keep}
    env.update(TERM="xterm-256color", COLORTERM="truecolor")
    return env


__all__ = ["Tmux", "app_in_terminal", "env_for", "first_frame", "key_times"]

if __name__ == "__main__":  # a quick look: python bench/terminal.py CORPUS INDEX_DIR
    import json
    import sys

    reader = [sys.executable, "-m", "reader"]
    print(json.dumps(app_in_terminal(reader, sys.argv[1], sys.argv[2], env_for(dict(os.environ)),
                                     int(sys.argv[3]) if len(sys.argv) > 3 else 100,
                                     sys.executable)))
