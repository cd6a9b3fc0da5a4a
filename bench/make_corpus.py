"""A deterministic synthetic news corpus: Zipfian English-like text, headlines, sections, dates.

    python bench/make_corpus.py N DIR [--seed S]

Same N and seed, same files, byte for byte. 100,000 articles take well under a minute.
"""

from __future__ import annotations

import argparse
import random
import shutil
import sys
import tempfile
import time
from datetime import datetime, timedelta
from itertools import accumulate
from pathlib import Path

SECTIONS = ["world", "business", "technology", "science", "politics", "sport", "culture",
            "health", "world/europe", "world/asia", "business/markets"]
COMMON = ("the of and to in a is that for on with as by at from it was said his has "
          "have are be an this which not but were their had its they been also after "
          "who more will would about than two over new one year first last people").split()
TOPICAL = ("government minister talks trade deal market shares company bank growth economy "
           "election president court police report study research team season match city "
           "country council plan budget energy prices oil gas climate water health hospital "
           "school students workers union strike agreement export import tariff technology "
           "software chip network data security attack ceasefire border summit leaders vote "
           "policy reform inflation rates investors profit losses quarter record results "
           "officials statement spokesman weekend tournament players coach museum festival "
           "film music artist novel scientists space mission launch satellite vaccine "
           "patients doctors drought flood storm wildfire earthquake rescue negotiations "
           "sanctions regulators antitrust merger acquisition startup funding").split()
SYLLABLES = "ka ro mi ten sa lu vor en dal pri mo ga ther is ba con lo fen tra ul".split()


def vocabulary(rng: random.Random, size: int = 20_000) -> list[str]:
    """Real words first (most frequent), then made-up ones for a long tail."""
    words = COMMON + TOPICAL
    seen = set(words)
    while len(words) < size:
        word = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4)))
        if word not in seen:
            seen.add(word)
            words.append(word)
    return words


class Writer:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.words = vocabulary(self.rng)
        weights = [1 / (rank + 1) ** 1.07 for rank in range(len(self.words))]  # Zipf
        self.cumulative = list(accumulate(weights))

    def headline(self) -> str:
        pool = TOPICAL + self.words[len(COMMON) + len(TOPICAL):2000]
        words = [self.rng.choice(pool) for _ in range(self.rng.randint(4, 10))]
        return " ".join(words).capitalize()

    def body(self) -> str:
        """1-8 KB: all the words drawn at once (fast), then cut into sentences and paragraphs."""
        target = self.rng.randint(1000, 8000)
        words = self.rng.choices(self.words, cum_weights=self.cumulative, k=target // 6)
        rng = self.rng
        paragraphs, sentences, i = [], [], 0
        while i < len(words):
            n = rng.randint(8, 24)
            sentences.append(" ".join(words[i : i + n]).capitalize() + ".")
            i += n
            if len(sentences) >= rng.randint(2, 6):
                paragraphs.append(" ".join(sentences))
                sentences = []
        if sentences:
            paragraphs.append(" ".join(sentences))
        return "\n\n".join(paragraphs)


def make_corpus(n: int, folder: Path, seed: int = 0) -> Path:
    folder = Path(folder)
    writer = Writer(seed)
    start = datetime(2024, 1, 1)
    for i in range(n):
        section = writer.rng.choice(SECTIONS)
        date = start + timedelta(minutes=writer.rng.randint(0, 60 * 24 * 600))
        headline = writer.headline()
        if writer.rng.random() < 0.5:
            text = f"Title: {headline}\nDate: {date:%Y-%m-%d %H:%M}\nSource: Synthetic Wire\n\n"
        else:
            text = f"{headline}\n"
        text += writer.body() + "\n"
        path = folder / section / f"{i:06d}.txt"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return folder


#: Where benchmarks keep the corpora they make, one a size, from one run to the next.
CACHE = Path(tempfile.gettempdir()) / "reader-bench"


def cached_corpus(n: int) -> Path:
    """The corpus of ``n`` articles the benchmarks share, made the first time it is asked for
    (the folder bench/run.py makes too)."""
    folder = CACHE / f"corpus-{n}"
    if not (folder / ".complete").exists():
        shutil.rmtree(folder, ignore_errors=True)
        make_corpus(n, folder)
        (folder / ".complete").write_text("ok")
    return folder


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("n", type=int)
    parser.add_argument("folder", type=Path)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    started = time.perf_counter()
    make_corpus(args.n, args.folder, args.seed)
    print(f"{args.n:,} articles in {args.folder} ({time.perf_counter() - started:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
