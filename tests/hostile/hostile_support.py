"""Shared helpers of the hostile-input suite: run the real ``reader`` command, scan its bytes."""

from __future__ import annotations

import os
import re
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
    env.update({"NO_COLOR": "1", "TERM": "dumb", "COLUMNS": "100", "PYTHONUNBUFFERED": "1"})
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

