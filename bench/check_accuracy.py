"""Search accuracy on a real folder of articles, as issues 5 and 16 check it.

    python bench/check_accuracy.py DIR [--words 300] [--titles 0] [--typos 200] [--seed 1]

1. Single words: each returns exactly the articles that contain the word as the analyzer
   reads it (stemmed, case-insensitive; found by analysing each article here).
2. Exact recall: every (word, article) pair for words as a reader sees them (split at
   spaces, outer punctuation gone) and their parts (at dots, at signs, stars, apostrophes;
   and without the apostrophe: "wont" for "won't"): a search for the word finds the
   article. Target 100%.
3. Known items, top-1 (target): the exact title pasted (0.995); lower-cased without
   punctuation (0.99); with one typo in any letter, the search correcting it with no key
   pressed (0.95); a sentence of the body (0.97). Titles shared by several articles count
   as found when one of them is first.
4. Did you mean: one typo (a letter left out, added, changed, or two swapped, anywhere)
   in a word of the articles; the suggestion is the word (target 0.90).
"""

from __future__ import annotations

import argparse
import random
import re
import string
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from reader.core.index import CorpusIndex  # noqa: E402
from reader.core.search import QueryError, Searcher  # noqa: E402

#: Punctuation a reader does not see as part of a word, around it.
OUTER = string.punctuation + "“”‘’«»…—–"
SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"'“])")


def seen_words(text: str) -> set[str]:
    """The words of ``text`` as a reader sees them and would type them, lower-cased: each
    word between spaces (its outer punctuation gone), its parts between other punctuation
    (dots, at signs, stars, slashes, hyphens, apostrophes), and each without its
    apostrophes."""
    found = set()
    for raw in text.split():
        word = re.sub(r"^[\W_]+|[\W_]+$", "", raw).lower()
        if not word:
            continue
        parts = [part for part in re.split(r"[^\w'’]+", word) if part]
        if re.fullmatch(r"[\w.@'’*]+", word):
            found.add(word)
        if len(parts) > 1:
            found.update(part.strip("'’_") for part in parts)
        found.update(re.sub(r"['’]", "", each) for each in [word, *parts]
                     if re.fullmatch(r"\w+(?:['’]\w+)+", each))
    return {w for w in found if len(w) > 1 and any(c.isalpha() for c in w)}


def typo(word: str, rng: random.Random) -> str:
    """``word`` with one edit at a random letter: left out, added, changed, two swapped."""
    letters = string.ascii_lowercase
    kind = rng.choice(("delete", "insert", "replace", "swap"))
    at = rng.randrange(len(word))
    if kind == "delete":
        return word[:at] + word[at + 1:]
    if kind == "insert":
        return word[:at] + rng.choice(letters) + word[at:]
    if kind == "replace":
        return word[:at] + rng.choice(letters.replace(word[at], "")) + word[at + 1:]
    at = min(at, len(word) - 2)
    return word[:at] + word[at + 1] + word[at] + word[at + 2:]


def top_path(searcher: Searcher, query: str, correct: bool = False) -> str | None:
    try:
        hits = searcher.search(query, limit=1, snippets=False, correct=correct).hits
    except QueryError:
        return None
    return hits[0].path if hits else None


def share(found: int, total: int) -> str:
    return f"{found}/{total} ({found / max(1, total):.1%})"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--words", type=int, default=300, help="single words to check")
    parser.add_argument("--titles", type=int, default=0, help="titles to check (0: all)")
    parser.add_argument("--typos", type=int, default=200, help="one-typo words to check")
    parser.add_argument("--recall-words", type=int, default=0,
                        help="words checked for exact recall (0: every word)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    met = True

    with tempfile.TemporaryDirectory() as index_dir:
        index = CorpusIndex(args.corpus, Path(index_dir)).open()
        report = index.update()
        searcher = Searcher(index)
        analyzer = index.schema["body"].analyzer
        paths = sorted(index.known())
        print(f"{args.corpus}: {len(paths)} articles indexed, {len(report.skipped)} skipped")
        articles = {path: index.read(path) for path in paths}

        # 1. Single words return exactly the articles holding them.
        postings: dict[str, set[str]] = defaultdict(set)
        for path, article in articles.items():
            for token in analyzer(f"{article.title}\n{article.body}"):
                postings[token.text].add(path)
        surface: Counter[str] = Counter()
        for article in articles.values():
            for word in article.body.split()[:200]:
                word = word.strip(OUTER).lower()
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
        met = met and exact == len(words)

        # 2. Exact recall of every (word, article) pair as a reader sees the words.
        holders: dict[str, set[str]] = defaultdict(set)
        for path, article in articles.items():
            for word in seen_words(f"{article.title}\n{article.body}"):
                holders[word].add(path)
        checked = sorted(holders)
        if args.recall_words and args.recall_words < len(checked):
            awkward = [w for w in checked if not w.isalpha()]
            plain = [w for w in checked if w.isalpha()]
            half = min(len(awkward), args.recall_words // 2)
            checked = sorted(rng.sample(awkward, half)
                             + rng.sample(plain, min(len(plain), args.recall_words - half)))
        pairs = kept = 0
        missed: list[tuple[str, int]] = []
        started = time.perf_counter()
        for word in checked:
            try:
                found = {h.path for h in searcher.search(word, limit=0, snippets=False,
                                                         suggest=False).hits}
            except QueryError:  # a stop word alone: nothing to search for
                stems = [t.text for t in analyzer(word)]
                if not stems:
                    continue
                found = set()
            pairs += len(holders[word])
            lost = holders[word] - found
            kept += len(holders[word]) - len(lost)
            if lost:
                missed.append((word, len(lost)))
        print(f"exact recall: {share(kept, pairs)} (word, article) pairs of {len(checked):,} "
              f"words found ({time.perf_counter() - started:.0f} s; target 100%)")
        for word, lost in sorted(missed, key=lambda m: -m[1])[:10]:
            print(f"  {word!r}: {lost} articles not found")
        met = met and kept == pairs

        # 3. Known items.
        by_title: dict[str, set[str]] = defaultdict(set)
        for path, article in articles.items():
            by_title[article.title].add(path)
        sample = paths if not args.titles else rng.sample(paths, min(args.titles, len(paths)))
        cases: dict[str, list[tuple[str, str, bool]]] = defaultdict(list)
        for path in sample:
            title = articles[path].title
            cases["exact title"].append((title, path, False))
            bare = " ".join(re.sub(r"[^\w\s]|_", " ", title.lower()).split())
            if bare:
                cases["lower-cased, no punctuation"].append((bare, path, False))
            title_words = [(m.start(), m.end()) for m in re.finditer(r"[^\W\d_]{3,}", title)]
            if title_words:
                start, end = rng.choice(title_words)
                cases["one typo, corrected"].append(
                    (title[:start] + typo(title[start:end].lower(), rng) + title[end:], path,
                     True))
            sentences = [s for s in SENTENCE_END.split(articles[path].body)
                         if 40 <= len(s) <= 300]
            if sentences:
                cases["a sentence of the body"].append((rng.choice(sentences), path, False))
        targets = {"exact title": 0.995, "lower-cased, no punctuation": 0.99,
                   "one typo, corrected": 0.95, "a sentence of the body": 0.97}
        for name, target in targets.items():
            first = 0
            failures = []
            for text, path, correct in cases[name]:
                got = top_path(searcher, text, correct)
                wanted = by_title[articles[path].title] if name != "a sentence of the body" \
                    else {path}
                if got in wanted:
                    first += 1
                else:
                    failures.append((text, got, path))
            rate = first / max(1, len(cases[name]))
            met = met and rate >= target
            print(f"known item, {name}: {share(first, len(cases[name]))} first "
                  f"(target {target:.1%})")
            for text, got, want in failures[:5]:
                print(f"  {text[:70]!r}: first was {got}, wanted {want}")

        # 4. Did you mean on one-typo words.
        lexicon = index.lexicon.spelling()
        common = [w for w, n in surface.items() if n >= 2 and len(w) >= 4]
        tried = right = 0
        wrong: list[tuple[str, str, str | None]] = []
        for word in rng.sample(sorted(common), len(common)):
            if tried >= args.typos:
                break
            typed = typo(word, rng)
            if typed in lexicon or len(typed) < 3:
                continue  # a real word, or too short to be respelled
            tried += 1
            suggestion = searcher.search(typed, limit=1, snippets=False).suggestion
            if suggestion == word:
                right += 1
            else:
                wrong.append((typed, word, suggestion))
        rate = right / max(1, tried)
        met = met and rate >= 0.90
        print(f"did you mean, one-typo words: {share(right, tried)} give the word "
              f"(target 90%)")
        for typed, word, suggestion in wrong[:8]:
            print(f"  {typed!r} -> {suggestion!r}, meant {word!r}")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
