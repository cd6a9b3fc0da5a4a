"""Shared helpers of the hostile-input suite: run the real ``reader`` command, scan its bytes."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

READER = Path(sys.executable).with_name("reader")

#: What must never come from an article (or its name) to the terminal: ESC, BEL, BS and
#: CSI, both as the C1 character U+009B and as a raw 0x9b byte outside valid UTF-8 (a
#: continuation byte 0x9b inside a character such as "Û" is not one).
CONTROLS = ("\x1b", "\x07", "\x08", "\x9b", "\udc9b")
#: The only escape sequences allowed at all: Rich's own SGR style codes, e.g. ESC[1;7m.
RICH_SGR = re.compile(rb"\x1b\[[0-9;]*m")


def plain_env(**extra: str) -> dict[str, str]:
    """The test's environment (its isolated XDG dirs) with colour switched off."""
    env = dict(os.environ)
    for name in ("FORCE_COLOR", "CLICOLOR_FORCE", "TTY_COMPATIBLE", "TTY_INTERACTIVE"):
        env.pop(name, None)
    env.update({"NO_COLOR": "1", "TERM": "dumb", "COLUMNS": "100", "PYTHONUNBUFFERED": "1",
                "PYTHONFAULTHANDLER": "1"})  # a hang killed with SIGABRT shows its stacks
    env.update(extra)
    return env


def color_env() -> dict[str, str]:
    env = plain_env(FORCE_COLOR="1", TERM="xterm-256color")
    env.pop("NO_COLOR")
    return env


def run_reader(*args: str | os.PathLike | bytes, env: dict | None = None,
               timeout: float = 60) -> subprocess.CompletedProcess:
    """The real command, output as bytes (nothing decoded or cleaned on the way)."""
    result = subprocess.run(
        [os.fsencode(READER), *(a if isinstance(a, bytes) else os.fsencode(a) for a in args)],
        capture_output=True, env=env or plain_env(), timeout=timeout,
    )
    assert b"Traceback" not in result.stderr, result.stderr.decode("utf-8", "replace")
    assert b"Traceback" not in result.stdout, result.stdout.decode("utf-8", "replace")[-2000:]
    return result


def assert_no_controls(output: bytes, what: str = "output") -> None:
    text = output.decode("utf-8", "surrogateescape")
    for char in CONTROLS:
        at = text.find(char)
        assert at < 0, f"{what} holds {char!r} at {at}: {text[max(0, at - 60):at + 60]!r}"
    c1 = re.search("[\x80-\x9f]", text)
    assert c1 is None, f"{what} holds the C1 control {c1.group(0)!r}: {text[c1.start() - 60:][:120]!r}"


def assert_only_rich_styles(output: bytes) -> None:
    """Every ESC is the start of an SGR code; no other control byte is present."""
    rest = RICH_SGR.sub(b"", output)
    assert_no_controls(rest, "output with Rich's style codes removed")


def wait_for(condition: Callable[[], object], timeout: float = 30, what: str = "") -> object:
    """Poll ``condition`` until it returns something truthy; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what or condition}")
        time.sleep(0.01)



# --- big corpora and running ``reader index`` in the background ---------------------------

WORDS = ("china talks trade market nvidia tiktok madrid deal rally stocks court vote "
         "election climate storm bank rate harbour budget summit").split()


def generate_corpus(root: Path, count: int, seed: int = 0, start: int = 0) -> list[str]:
    """``count`` small articles in ten sections; returns their relative paths."""
    import random

    rng = random.Random(seed)
    paths = []
    for i in range(start, start + count):
        rel = f"s{i % 10}/a{i:05d}.txt"
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"Article {i} {' '.join(rng.choices(WORDS, k=5))}\n\n"
                        f"{' '.join(rng.choices(WORDS, k=60))}\n")
        paths.append(rel)
    return paths


def alive(pid: int) -> bool:
    """Running (a zombie waiting to be reaped has finished running)."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as handle:
            state = handle.read().rsplit(b")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return False
    return state not in (b"Z", b"X")


def children(pid: int) -> list[int]:
    found = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout
    return [int(p) for p in found.split()]


class Background:
    """``reader ARGS`` in the background; its stdout lines collected as they come."""

    def __init__(self, *args: str | os.PathLike, env: dict | None = None,
                 new_session: bool = False) -> None:
        import threading

        self.proc = subprocess.Popen(
            [str(READER), *map(str, args)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            env=env or plain_env(), start_new_session=new_session,
        )
        self.lines: list[str] = []
        self.stderr = b""
        self._threads = [threading.Thread(target=self._out, daemon=True),
                         threading.Thread(target=self._err, daemon=True)]
        for thread in self._threads:
            thread.start()

    def _out(self) -> None:
        for line in self.proc.stdout:
            self.lines.append(line.decode("utf-8", "replace"))

    def _err(self) -> None:
        for line in self.proc.stderr:
            self.stderr += line

    def events(self) -> list[dict]:
        import json

        out = []
        for line in list(self.lines):
            try:
                out.append(json.loads(line))
            except ValueError:
                pass
        return out

    def progress_at_least(self, done: int) -> bool:
        return any(e.get("event") == "progress" and e["done"] >= done for e in self.events())

    def finished(self, timeout: float = 60) -> tuple[int, str, str]:
        """Exit status, stdout and stderr, once the process has ended; never a traceback."""
        try:
            status = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.send_signal(signal.SIGABRT)  # faulthandler prints every thread's stack
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
            for thread in self._threads:
                thread.join(5)
            pytest.fail(f"reader did not finish within {timeout} s:\n"
                        + self.stderr.decode("utf-8", "replace")[-6000:])
        for thread in self._threads:
            thread.join(10)
        err = self.stderr.decode("utf-8", "replace")
        assert "Traceback" not in err, err
        return status, "".join(self.lines), err


# --- an index after a fault, against a fresh build of the same folder ----------------------

#: Common words and wildcards of generate_corpus's articles.
QUERIES = ("market", "china talks", "article", "tra*", "elec*", "s*")


def index_state(corpus: Path, index_dir: Path, queries=QUERIES) -> dict:
    """What an index holds, as a user and the next update see it: every stored path, size,
    mtime and hash, the listing (which must match them), and the results of ``queries``."""
    from reader.core.index import CorpusIndex
    from reader.core.search import Searcher

    index = CorpusIndex(corpus, index_dir).open()
    assert not index.in_memory and not index.unwritable, index.notices
    with index.ix.searcher() as searcher:
        stored = sorted((f["path"], f["size"], f["mtime_ns"], f["hash"])
                        for f in searcher.all_stored_fields())
    listed = index._read_listing()
    assert listed is not None, "no listing of the latest commit"
    assert sorted((path, row.size, row.mtime_ns, row.hash) for path, row in listed.items()) \
        == stored, "the listing does not match the index"
    searcher = Searcher(index)
    results = {query: sorted(hit.path for hit in searcher.search(query, limit=0).hits)
               for query in queries}
    return {"stored": stored, "results": results}


_FRESH: dict[tuple, dict] = {}  # a fresh build's state, by corpus as it is on disk


def assert_same_as_fresh(corpus: Path, index_dir: Path, scratch: Path, queries=QUERIES) -> None:
    """The index holds exactly what a fresh build of ``corpus`` holds, and finds the same."""
    import shutil

    from reader.core.corpus import scan
    from reader.core.index import CorpusIndex

    key = (str(corpus), tuple(sorted(scan(corpus).files.items())), tuple(queries))
    if key not in _FRESH:  # (a corpus shared by the tests of a module is built once)
        fresh = scratch / "fresh-build"
        shutil.rmtree(fresh, ignore_errors=True)
        CorpusIndex(corpus, fresh).open().update()
        _FRESH[key] = index_state(corpus, fresh, queries)
    expected = _FRESH[key]
    empty = [query for query, found in expected["results"].items() if not found]
    assert not empty, f"{empty} find nothing: a check that cannot fail"
    got = index_state(corpus, index_dir, queries)
    missing = sorted({s[0] for s in expected["stored"]} - {s[0] for s in got["stored"]})
    assert got == expected, f"{len(missing)} articles missing, e.g. {missing[:5]}"


def within(seconds: float, call: Callable[[], object]) -> object:
    """``call()`` in a thread: its result (or what it raised), failing the test if it is
    still running after ``seconds`` (a hang)."""
    import threading

    outcome: dict = {}

    def run() -> None:
        try:
            outcome["value"] = call()
        except BaseException as exc:  # noqa: BLE001 - raised again below
            outcome["error"] = exc

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(seconds)
    if thread.is_alive():
        pytest.fail(f"still running after {seconds} s: a hang")
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]
