"""How the app's indexer and fetch processes are started: ``reader index --progress-json``
and ``reader fetch --progress-json``, of this very reader, each in a session of its own (the
indexer below the app's priority).

The app starts them so (tui/indexer.py, tui/fetcher.py); bench/ starts its build beside a
bare app the same way, to measure key presses against the same competition.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, Final, TypeVar

from .progress import Event, decode

E = TypeVar("E")

#: The folder this ``reader`` package was imported from: the indexer process imports it too.
PACKAGE_ROOT: Final = str(Path(__file__).resolve().parents[2])


def lower_priority() -> None:
    """The indexer (and the processes it forks) gives way to the app's key presses without
    giving way to every other program on the machine.

    SCHED_BATCH: the kernel takes it for the CPU-bound work it is, so it never preempts a
    task that wakes (the app, answering a key) and the app's wake-ups preempt it; but it
    keeps its fair share of the CPU against other busy processes. It runs in a session of
    its own, which on Linux is its own scheduling group (autogroup) at the usual weight, as
    ``reader index`` typed in another terminal would be.

    It was SCHED_IDLE in a group at nice 19 before: it ran only when the CPU was otherwise
    idle, so on a busy machine a first build in the app took 5 minutes where ``reader
    index`` took 14 s, and an edited file 10-15 s to show (issue 18)."""
    try:
        os.sched_setscheduler(0, os.SCHED_BATCH, os.sched_param(0))
    except (AttributeError, OSError):  # no SCHED_BATCH here: a little below the app
        with contextlib.suppress(OSError):
            os.nice(5)


#: ``subprocess.Popen`` / ``asyncio.create_subprocess_exec`` keywords for the indexer.
INDEXER_SPAWN: Final[dict[str, Any]] = {"start_new_session": True,
                                        "preexec_fn": lower_priority}
#: ... and for the app's fetch of the feeds: at the app's own priority. A fetch is short and
#: mostly waits on the network; on a busy machine SCHED_IDLE held it back for minutes, and
#: nice 10 made it seven times slower, while key presses in the app were as quick beside it
#: at nice 0 as with no fetch at all (bench/fetch_in_app.py).
FETCH_SPAWN: Final[dict[str, Any]] = {"start_new_session": True}


def index_command(corpus: Path, index_dir: Path | None = None, *,
                  rebuild: bool = False) -> list[str]:
    """The indexer's command line. ``-P``: not the folder the app was started in first,
    where another ``reader`` (a checkout of another version) would index, or fail to, in
    this one's place."""
    command = [sys.executable, "-P", "-m", "reader", "index", "--corpus", str(corpus),
               "--progress-json"]
    if index_dir is not None:
        command += ["--index-dir", str(index_dir)]
    if rebuild:
        command.append("--rebuild")
    return command


def fetch_command(corpus: Path) -> list[str]:
    """The app's fetch of every feed of ``corpus``, telling its progress as JSON lines."""
    return [sys.executable, "-P", "-m", "reader", "fetch", "--corpus", str(corpus),
            "--progress-json"]


def indexer_env(base: dict[str, str] | None = None) -> dict[str, str]:
    """The environment of ``base`` (this process's), with this reader first on the path."""
    env = dict(os.environ if base is None else base)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, (PACKAGE_ROOT, env.get("PYTHONPATH"))))
    return env


async def read_events(process: asyncio.subprocess.Process, final: type[E],
                      tell: Callable[[Event], object]) -> tuple[E | None, str | None, int]:
    """Follow a ``--progress-json`` process to its end: each event to ``tell`` but the
    ``final`` one, which is returned (None when it never came: the run failed) with the
    last line the process wrote to stderr (None if none) and its exit status."""
    assert process.stdout is not None and process.stderr is not None
    outcome: E | None = None
    async for line in process.stdout:
        event = decode(line)
        if isinstance(event, final):
            outcome = event
        elif event is not None:
            tell(event)
    stderr = await process.stderr.read()
    status = await process.wait()
    lines = stderr.decode("utf-8", "replace").strip().splitlines()
    return outcome, (lines[-1] if lines else None), status
