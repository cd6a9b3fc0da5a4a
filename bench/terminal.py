"""Timing the app as a person meets it: the real command in a real terminal (tmux).

A key press counts as answered when the app's frame for it reaches the terminal: a time
here is everything between the key and the frame (the terminal, the app's event loop, its
drawing). Keys go in, and the pane's output comes back as tmux reads it, through one tmux
client in control mode. Until the fifth session the screen was polled with ``capture-pane``
instead, a new tmux process every few milliseconds: on two cores that took most of a core
from the app being measured (and from the bare baseline alike).
"""

from __future__ import annotations

import os
import queue
import re
import shlex
import shutil
import subprocess
import tempfile
import threading
import time
import uuid

from reader.core.spawn import INDEXER_SPAWN

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
            raise RuntimeError(
                "tmux is needed for the terminal measurements (apt-get install tmux)")
        self.socket = f"reader-bench-{uuid.uuid4().hex[:8]}"
        exports = " ".join(shlex.quote(f"{k}={v}") for k, v in env.items())
        script = (f"env -u COLUMNS -u LINES {exports} {shlex.join(command)}; "
                  "echo EXIT=$?; sleep 600")
        self.started = time.perf_counter()
        self._tmux("new-session", "-d", "-s", "b", "-x", str(size[0]), "-y", str(size[1]), script)

    def _tmux(self, *args: str) -> str:
        return subprocess.run(["tmux", "-L", self.socket, *args], capture_output=True,
                              text=True, timeout=20).stdout

    def screen(self) -> str:
        return self._tmux("capture-pane", "-p", "-t", "b")

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


class Control:
    """A tmux client in control mode on a Tmux's session: it sends keys, and hands back each
    piece of the pane's output with the moment it was read. It takes no part in the
    window's size (a control client has none)."""

    def __init__(self, term: Tmux) -> None:
        self.process = subprocess.Popen(
            ["tmux", "-L", term.socket, "-C", "attach-session", "-t", "b"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, errors="replace",
            bufsize=1)
        self.outputs: queue.Queue[tuple[float, str]] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            if line.startswith("%output "):
                self.outputs.put((time.perf_counter(), line))

    def send(self, key: str) -> float:
        """Send ``key``; the moment it was sent, after the output so far is set aside."""
        while not self.outputs.empty():
            self.outputs.get_nowait()
        assert self.process.stdin is not None
        sent = time.perf_counter()
        self.process.stdin.write(f"send-keys -t b {key}\n")
        self.process.stdin.flush()
        return sent

    def close(self) -> None:
        if self.process.stdin is not None:
            self.process.stdin.close()  # detaches the client; the session goes on
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()


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


#: A cursor move in the output, as control mode writes it (ESC as \\033): row;column H.
_MOVE = re.compile(r"\\033\[(\d+);\d+H")


def _draws_list(output: str, rows: int = 36) -> bool:
    """Whether a piece of output draws between the first line and the last two (the header;
    the status line with its progress bar, and the footer): where a cursor move shows."""
    return any(2 <= int(row) <= rows - 2 for row in _MOVE.findall(output))


def key_times(term: Tmux, count: int, gap: float, until=None) -> list[float]:
    """Press j and k in turn; the seconds from each key until the app's output for it (a
    frame that draws in the list's rows) reaches tmux. Stops early when ``until`` holds for
    the screen (e.g. the build finished)."""
    control = Control(term)
    times: list[float] = []
    try:
        for i in range(count):
            sent = control.send("j" if i % 2 == 0 else "k")
            while True:
                try:
                    at, output = control.outputs.get(timeout=10)
                except queue.Empty:
                    raise TimeoutError("a key press went unanswered for 10 s") from None
                if _draws_list(output):
                    break
            times.append(at - sent)
            if until is not None and until(term.screen()):
                break
            time.sleep(gap)
    finally:
        control.close()
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
