"""Key presses in the app while it fetches the feeds: the fetch in a process of its own (as
the app does it) beside the fetch in a thread of the app's process.

    .venv/bin/python bench/fetch_in_app.py                    # 20 feeds x 20 entries, full text
    .venv/bin/python bench/fetch_in_app.py --feeds 3 --entries 3 --keys 20 --rounds 1  # a look

A server on 127.0.0.1 serves FEEDS RSS feeds of ENTRIES entries each, every answer DELAY
seconds late as across a network, and with ``--full-text`` (the default) each entry's page
(about 120 KB of menus, scripts and article, for trafilatura). For each way of fetching,
in turns for ROUNDS rounds, in a fresh corpus of ARTICLES articles and fresh data dirs: the
real app in tmux (120x36) waits for its index, then j and k are pressed KEYS times idle, then
F, and j and k again while the fetch runs (the folder's watcher indexes what it writes
meanwhile, as in daily use). A key's time is from the key until the frame for it reaches the
terminal (bench/terminal.py). The ways:

- process: ``reader fetch --progress-json`` in a session of its own at the app's priority
  (the app's ProcessFetcher, as shipped);
- nice: the same process at nice 10 (and its session's scheduling group);
- idle: the same process at SCHED_IDLE, as the indexer runs;
- thread: the fetch in a thread of the app's process (InProcessFetcher).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT.parent))
sys.path.insert(0, str(ROOT))

from fetch_feeds import serve  # noqa: E402
from make_corpus import make_corpus  # noqa: E402
from terminal import Tmux, env_for, key_times  # noqa: E402

APP = r'''
import os
import sys
from pathlib import Path
from reader.core.spawn import INDEXER_SPAWN
from reader.tui.app import ReaderApp
from reader.tui.fetcher import InProcessFetcher, ProcessFetcher

def nice_10():
    os.nice(10)
    with open("/proc/self/autogroup", "w") as group:  # its session's group too
        group.write("10")

way, corpus, index_dir = sys.argv[1:4]
if way == "thread":
    fetcher = InProcessFetcher()
elif way == "idle":
    fetcher = ProcessFetcher(INDEXER_SPAWN)
else:
    fetcher = ProcessFetcher({"start_new_session": True, "preexec_fn": nice_10})
ReaderApp(Path(corpus), index_dir=Path(index_dir), fetcher=fetcher).run()
'''
WAYS = ("process", "nice", "idle", "thread")


def subscribe(corpus: Path, data: Path, urls: list[str], full_text: bool) -> None:
    from reader.core.feeds import Feed, FeedStore

    with FeedStore(corpus, data / "reader" / "feeds.sqlite3") as store:
        for n, url in enumerate(urls):
            store.add(Feed(url=url, section=f"bench-{n}", full_text=full_text,
                           added=time.time() + n))


def one_round(way: str, urls: list[str], args: argparse.Namespace, tmp: Path) -> dict:
    from reader.core.index import CorpusIndex

    folder = Path(tempfile.mkdtemp(prefix=f"{way}-", dir=tmp))
    corpus = make_corpus(args.articles, folder / "corpus")
    index_dir = folder / "index"
    CorpusIndex(corpus, index_dir).open().update()
    env = env_for(dict(os.environ))
    for name in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME"):
        env[name] = str(folder / name.lower())
        Path(env[name]).mkdir()
    subscribe(corpus, Path(env["XDG_DATA_HOME"]), urls, args.full_text)
    python = sys.executable
    if way == "process":
        command = [python, "-m", "reader", str(corpus), "--index-dir", str(index_dir)]
    else:
        command = [python, "-c", APP, way, str(corpus), str(index_dir)]
    env["PYTHONPATH"] = str(ROOT.parent)
    term = Tmux(command, env)
    try:
        term.wait_for(lambda s: "Index up to date" in s, timeout=600, poll=0.05)
        idle = key_times(term, args.keys, gap=0.03)
        term.keys("F")
        started = time.perf_counter()
        term.wait_for(lambda s: "Fetching" in s, timeout=60, poll=0.02)

        def over(screen: str) -> bool:
            return "Feeds:" in screen or "Fetching" not in screen

        during = key_times(term, args.keys * 100, gap=0.05, until=over)
        screen = term.wait_for(over, timeout=600, poll=0.05)
        seconds = time.perf_counter() - started
        if "Feeds:" not in screen and "Fetching" not in screen:
            print(f"{way}: the fetch ended without a summary:\n{screen}", file=sys.stderr)
        term.keys("q")
        term.wait_for(lambda s: "EXIT=" in s, timeout=60, poll=0.05)
    finally:
        term.close()
    return {"idle": idle, "during": during, "seconds": seconds}


def spread(times: list[float]) -> str:
    if not times:
        return "–"
    ms = sorted(t * 1000 for t in times)
    p90 = ms[min(len(ms) - 1, int(len(ms) * 0.9))]
    return f"{statistics.median(ms):.0f} / {p90:.0f} / {ms[-1]:.0f}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--feeds", type=int, default=20)
    parser.add_argument("--entries", type=int, default=20)
    parser.add_argument("--delay", type=float, default=0.2, help="seconds each answer waits")
    parser.add_argument("--no-full-text", dest="full_text", action="store_false")
    parser.add_argument("--articles", type=int, default=1000, help="the corpus's size")
    parser.add_argument("--keys", type=int, default=100, help="key presses when idle")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--ways", default=",".join(WAYS))
    args = parser.parse_args()
    ways = [way.strip() for way in args.ways.split(",") if way.strip()]
    server, base = serve(args.feeds, args.entries, delay=args.delay, pages=args.full_text)
    urls = [f"{base}/feed/{n}.xml" for n in range(args.feeds)]
    results: dict[str, list[dict]] = {way: [] for way in ways}
    try:
        with tempfile.TemporaryDirectory() as tmp:
            for _ in range(args.rounds):
                for way in ways:  # in turns: a busy spell of the machine hits each
                    results[way].append(one_round(way, urls, args, Path(tmp)))
    finally:
        server.shutdown()
    print(f"{args.feeds} feeds x {args.entries} entries on 127.0.0.1 ({args.delay:g} s an "
          f"answer{', each entry page too' if args.full_text else ''}), {args.articles:,} "
          f"articles, {args.rounds} round(s); key to frame in ms, median / p90 / max\n")
    print("| fetch | idle | during the fetch | keys during | fetch took |")
    print("|---|---:|---:|---:|---:|")
    for way in ways:
        rounds = results[way]
        idle = [t for r in rounds for t in r["idle"]]
        during = [t for r in rounds for t in r["during"]]
        took = statistics.median(r["seconds"] for r in rounds)
        print(f"| {way} | {spread(idle)} | {spread(during)} | {len(during)} | {took:.1f} s |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
