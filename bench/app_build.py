"""A first build in the app against ``reader index`` under the same load, side by side.

    python bench/app_build.py [--size 3000 | --corpus DIR] [--load 2] [--rounds 3]

What a user meets on a busy machine: other programs keep the cores busy (``--load`` busy
processes, each in a session of its own as a program started in another terminal is), and
the index of a folder is built either by ``reader index`` typed in a terminal, or by the
app on its first start (the real app, headless, with its indexer process started as the app
starts it: core/spawn.py). The two alternate, each round starting with the other one, and
the ratio of the medians is the app's build time over the CLI's; the target is at most 1.5.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
PY = sys.executable
BUSY = "while True: pass"

# The real app, as a user starts it on a folder it has no index of yet: the time from its
# start until the indexer's first run has finished and the list shows its result.
APP_BUILD = r"""
import asyncio, json, sys, time
from pathlib import Path
from reader.core.settings import Settings
from reader.tui.app import ReaderApp

corpus, index_dir = Path(sys.argv[1]), Path(sys.argv[2])

async def main():
    started = time.perf_counter()
    app = ReaderApp(corpus, index_dir=index_dir, settings=Settings())
    async with app.run_test(size=(120, 36)) as pilot:
        await asyncio.wait_for(app.main.loader.finished.wait(), 3600)
        seconds = time.perf_counter() - started
        count = len(app.main.article_list.rows)
        app.exit()
    print(json.dumps({"seconds": seconds, "rows": count}))

asyncio.run(main())
"""


def cli_build(corpus: Path, index_dir: Path, env: dict[str, str]) -> float:
    """``reader index`` as typed in a terminal of its own (a session, so an autogroup, of
    its own, as the busy programs have)."""
    shutil.rmtree(index_dir, ignore_errors=True)
    started = time.perf_counter()
    subprocess.run([PY, "-m", "reader", "index", "--corpus", str(corpus), "--index-dir",
                    str(index_dir)], env=env, check=True, stdout=subprocess.DEVNULL,
                   start_new_session=True)
    return time.perf_counter() - started


def app_build(corpus: Path, index_dir: Path, env: dict[str, str]) -> float:
    shutil.rmtree(index_dir, ignore_errors=True)
    out = subprocess.run([PY, "-c", APP_BUILD, str(corpus), str(index_dir)], env=env,
                         capture_output=True, text=True, start_new_session=True, timeout=3600)
    lines = [line for line in out.stdout.splitlines() if line.startswith("{")]
    if not lines:
        raise RuntimeError(out.stderr[-2000:])
    return float(json.loads(lines[-1])["seconds"])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", type=int, default=3000, help="synthetic articles to make")
    parser.add_argument("--corpus", type=Path, help="a folder to build instead")
    parser.add_argument("--load", type=int, default=os.cpu_count() or 2,
                        help="busy processes beside the builds (default: one a core)")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="reader-app-build-"))
    env = dict(os.environ, XDG_CACHE_HOME=str(work / "cache"),
               XDG_DATA_HOME=str(work / "data"), XDG_CONFIG_HOME=str(work / "config"))
    corpus = args.corpus
    if corpus is None:
        corpus = work / "corpus"
        subprocess.run([PY, str(HERE / "make_corpus.py"), str(args.size), str(corpus)],
                       check=True, stdout=subprocess.DEVNULL)
    busy = [subprocess.Popen([PY, "-c", BUSY], start_new_session=True)
            for _ in range(args.load)]
    times: dict[str, list[float]] = {"cli": [], "app": []}
    try:
        sides = [("cli", cli_build), ("app", app_build)]
        for turn in range(args.rounds):
            for name, build in sides[turn % 2:] + sides[:turn % 2]:
                times[name].append(build(corpus, work / f"index-{name}", env))
            print(json.dumps({name: round(values[-1], 1) for name, values in times.items()}),
                  flush=True)
    finally:
        for process in busy:
            process.kill()
            process.wait()
        shutil.rmtree(work, ignore_errors=True)
    cli, app = statistics.median(times["cli"]), statistics.median(times["app"])
    print(f"{args.load} busy processes, {args.rounds} rounds: reader index {cli:.1f} s, "
          f"the app's first build {app:.1f} s (medians): app/CLI {app / cli:.2f}"
          " (target: at most 1.5)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
