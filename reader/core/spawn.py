"""How the app's indexer and fetch processes are started: ``reader index --progress-json``
and ``reader fetch --progress-json``, of this very reader, each in a session of its own (the
indexer below the app's priority).

The app starts them so (tui/indexer.py, tui/fetcher.py); bench/ starts its build beside a
bare app the same way, to measure key presses against the same competition.
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
from pathlib import Path
from typing import Any, Final

#: The folder this ``reader`` package was imported from: the indexer process imports it too.
PACKAGE_ROOT: Final = str(Path(__file__).resolve().parents[2])


def lower_priority() -> None:
    """The indexer (and the processes it forks) runs only when the CPU would otherwise be
    idle (SCHED_IDLE; nice 19 where there is none): a key press never queues behind it.

    Run in the indexer's own session, which on Linux is its own scheduling group
    (autogroup): the kernel shares the CPU between groups before it looks at a task's
    policy, so the group is lowered too. Left at nice 0, it held the CPU against the app as
    an equal, and key presses waited up to 50 ms on the run queue during a build."""
    try:
        os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))
    except (AttributeError, OSError):
        with contextlib.suppress(OSError):
            os.nice(19)
    if os.getsid(0) == os.getpid():  # a session of its own, not the caller's group
        for _ in range(3):
            try:
                with open("/proc/self/autogroup", "w") as group:
                    group.write("19")
                break
            except BlockingIOError:  # the kernel takes one change a tenth of a second
                time.sleep(0.1)
            except OSError:  # no autogroups here (another OS, or a kernel without them)
                break


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
