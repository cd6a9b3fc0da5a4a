"""A first build's first commit: how soon searches find something, and what it costs the build.

    python bench/first_commit.py [--size 20000] [--rounds 2] [--first 500] [--corpus DIR]

Builds the same corpus from scratch with ``reader index --progress-json``, in alternation:
the whole build in batches of BATCH_DOCS (as before issue 18), and with a first commit of
``--first`` articles. Reports, for each, the seconds to the first commit (from the command's
start: what a user who searches at once waits for) and to the end of the build, with their
medians over the rounds, and the build's time with a small first commit against without.
A synthetic corpus of ``--size`` articles is made by bench/make_corpus.py (cached under
/tmp/reader-bench) unless ``--corpus`` names a folder.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from make_corpus import cached_corpus  # noqa: E402

#: ``reader index --progress-json`` with the size of a first commit set.
BUILD = """
import sys
import reader.core.index as index_module
index_module.FIRST_BATCH = int(sys.argv[1])
from reader.cli import main
sys.exit(main(["index", "--corpus", sys.argv[2], "--index-dir", sys.argv[3], "--progress-json"]))
"""


def build(corpus: Path, first: int) -> dict:
    """One build from scratch: seconds to its first commit (and its articles), to its end."""
    index_dir = Path(tempfile.mkdtemp(prefix="first-commit-"))
    try:
        started = time.perf_counter()
        proc = subprocess.Popen([sys.executable, "-c", BUILD, str(first), str(corpus),
                                 str(index_dir)], stdout=subprocess.PIPE, text=True)
        assert proc.stdout is not None
        commits: list[tuple[float, int]] = []
        for line in proc.stdout:
            event = json.loads(line)
            if event.get("event") == "commit":
                commits.append((time.perf_counter() - started, event["done"]))
        if proc.wait():
            raise RuntimeError(f"the build exited {proc.returncode}")
        return {"first": commits[0][0], "first_docs": commits[0][1],
                "total": time.perf_counter() - started, "commits": len(commits)}
    finally:
        shutil.rmtree(index_dir, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--first", type=int, default=500, help="articles in a first commit")
    parser.add_argument("--corpus", type=Path)
    args = parser.parse_args()
    corpus = args.corpus or cached_corpus(args.size)
    import reader.core.index as index_module

    variants = {f"batches of {index_module.BATCH_DOCS:,}": index_module.BATCH_DOCS,
                f"first commit of {args.first:,}": args.first}
    runs: dict[str, list[dict]] = {name: [] for name in variants}
    for number in range(args.rounds):
        order = list(variants) if number % 2 == 0 else list(reversed(variants))
        for name in order:
            run = build(corpus, variants[name])
            runs[name].append(run)
            print(f"round {number + 1}  {name:24}  first commit {run['first']:6.1f} s"
                  f" ({run['first_docs']:,} articles)  build {run['total']:6.1f} s"
                  f"  ({run['commits']} commits)", flush=True)
    print()
    print("| build | first commit (articles) | whole build | commits |")
    print("|---|---|---|---|")
    for name, found in runs.items():
        first = statistics.median(r["first"] for r in found)
        total = statistics.median(r["total"] for r in found)
        print(f"| {name} | {first:.1f} s ({found[0]['first_docs']:,}) | {total:.1f} s"
              f" | {found[0]['commits']} |")
    before, after = (statistics.median(r["total"] for r in found) for found in runs.values())
    print(f"\nthe whole build with a small first commit: {after / before - 1:+.1%}"
          f" (medians of {args.rounds} rounds, in alternation)")


if __name__ == "__main__":
    main()
