"""Search accuracy on a real folder of articles, as the foundation issue checks it.

    python bench/check_accuracy.py DIR [--words 300] [--titles 0]

1. Every single-word query returns exactly the articles that contain the word as the
   analyzer reads it (stemmed, case-insensitive; found by analysing each article here).
2. Searching an article's exact title puts that article first (target: at least 97%).
   Titles shared by several articles count as found when one of them is first.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
from collections import Counter, defaultdict
from pathlib import Path

from reader.core.index import CorpusIndex
from reader.core.search import QueryError, Searcher


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--words", type=int, default=300, help="single words to check")
    parser.add_argument("--titles", type=int, default=0, help="titles to check (0: all)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--quoted", action="store_true", help="search titles as phrases")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as index_dir:
        index = CorpusIndex(args.corpus, Path(index_dir)).open()
        report = index.update()
        searcher = Searcher(index)
        analyzer = index.schema["body"].analyzer
        paths = sorted(index.known())
        print(f"{args.corpus}: {len(paths)} articles indexed, {len(report.skipped)} skipped")

        postings: dict[str, set[str]] = defaultdict(set)
        titles: dict[str, str] = {}
        for path in paths:
            article = index.read(path)
            titles[path] = article.title
            for token in analyzer(f"{article.title}\n{article.body}"):
                postings[token.text].add(path)

        rng = random.Random(args.seed)
        # Query with a word as written: take surface words from titles and bodies.
        surface = Counter()
        for path in paths:
            for word in index.read(path).body.split()[:200]:
                word = word.strip(".,;:!?\"'()[]{}<>").lower()
                if word.isalpha() and len(word) > 2:
                    surface[word] += 1
        words = rng.sample(sorted(surface), min(args.words, len(surface)))
        exact = 0
        for word in words:
            stems = [t.text for t in analyzer(word)]
            if not stems:
                exact += 1  # a stop word: nothing to find, and nothing is found
                continue
            expected = postings.get(stems[0], set())
            try:
                found = {h.path for h in searcher.search(word, limit=0, snippets=False).hits}
            except QueryError:
                found = set()
            if found == expected:
                exact += 1
            else:
                print(f"  word {word!r}: expected {len(expected)}, found {len(found)}")
        print(f"single words: {exact}/{len(words)} return exactly the articles containing them")

        by_title = defaultdict(set)
        for path, title in titles.items():
            by_title[title].add(path)
        sample = paths if not args.titles else rng.sample(paths, min(args.titles, len(paths)))
        first = 0
        failures = []
        for path in sample:
            title = titles[path]
            # The title as a user would paste it into the search box.
            query = title if not args.quoted else '"' + title.replace('"', " ") + '"'
            try:
                hits = searcher.search(query, limit=3, snippets=False).hits
            except QueryError as exc:
                hits = []
                print(f"  {title[:60]!r}: {exc}")
            if hits and hits[0].path in by_title[title]:
                first += 1
            else:
                failures.append((title, hits[0].path if hits else None, path))
        share = first / max(1, len(sample))
        print(f"exact titles: {first}/{len(sample)} first ({share:.1%}; target 97%)")
        for title, got, want in failures[:10]:
            print(f"  {title[:70]!r}: first was {got}, wanted {want}")
        return 0 if share >= 0.97 and exact == len(words) else 1


if __name__ == "__main__":
    sys.exit(main())
