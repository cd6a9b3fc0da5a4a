"""How long reflow takes for an article the pane opens, by size and kind of text.

    python bench/reflow.py [--sizes 3000,64000,1000000] [--runs 5]

Synthetic text from bench/make_corpus.py, laid out three ways: wire copy (hard-wrapped at
68 columns, indented paragraph starts, no blank lines), Usenet (a > quote then a reply,
wrapped at 72, blank lines) and one paragraph a line (nothing to join). Each is reflowed
with no width (one line a paragraph) and at 80 columns (what the pane and the pager ask
for). Prints the median of --runs, in milliseconds, and the rate in MB a second: the
pane opens an article with one call, so a typical article must take a few milliseconds,
and reflow.MAX_REFLOW_CHARS (bodies past it are drawn as written) should stay under a
second.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import textwrap
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.make_corpus import Writer  # noqa: E402
from reader.core.reflow import MAX_REFLOW_CHARS, reflow  # noqa: E402


def paragraphs(size: int, seed: int = 1) -> list[str]:
    writer = Writer(seed)
    found: list[str] = []
    while sum(map(len, found)) < size:
        found.extend(writer.body().split("\n\n"))
    return found


def wire(size: int) -> str:
    lines = []
    for paragraph in paragraphs(size):
        lines.extend(textwrap.wrap(paragraph, 68, initial_indent="    "))
    return "\n".join(lines)[:size]


def usenet(size: int) -> str:
    parts = []
    for number, paragraph in enumerate(paragraphs(size)):
        wrapped = textwrap.wrap(paragraph, 72)
        parts.append("\n".join(f"> {line}" if number % 2 == 0 else line for line in wrapped))
    return "\n\n".join(parts)[:size]


def one_a_line(size: int) -> str:
    return "\n".join(paragraphs(size))[:size]


def timed(body: str, width: int | None, runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        reflow(body, width)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="3000,64000,1000000",
                        help="body sizes in characters, comma-separated")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]
    print(f"reflow, median of {args.runs} (bodies over {MAX_REFLOW_CHARS:,} characters "
          "are drawn as written)\n")
    print(f"{'text':<12} {'chars':>10} {'no width ms':>12} {'80 cols ms':>11} {'MB/s':>6}")
    for name, make in (("wire", wire), ("usenet", usenet), ("one a line", one_a_line)):
        for size in sizes:
            body = make(size)
            plain, wrapped = timed(body, None, args.runs), timed(body, 80, args.runs)
            rate = len(body) / max(wrapped, 1e-9) / 1e6
            print(f"{name:<12} {len(body):>10,} {plain * 1000:>12.2f} {wrapped * 1000:>11.2f} "
                  f"{rate:>6.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
