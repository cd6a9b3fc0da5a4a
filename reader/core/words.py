"""The words of the articles as written (not stemmed): for fuzzy terms (``word~``),
wildcards (``negotiat*``) and "did you mean".

Whoosh can keep them itself, in a spelling field beside each stemmed field, but that
doubled the postings each article writes: a third of the time of a build or an update
(18.6 ms an article against 11.9 ms without). And matching a fuzzy term walked every
segment's term list with a Levenshtein automaton in Python, 70 ms a term at 100,000
articles. Instead the process that indexes an article keeps its distinct words (as the
analyser finds them, lower-cased) and files them before the commit, beside the index. A
search merges the files once per commit and keeps the merged list in memory: a typo costs
set lookups of its one-edit variants, a wildcard a bisection of the sorted list.

The words of articles deleted or changed since stay until the index is rebuilt: a wildcard
or a fuzzy term may then stand for a word no article has any more, which matches nothing,
and "did you mean" offers only a respelling that finds something.
"""

from __future__ import annotations

import bisect
import contextlib
import os
import threading
import time
from pathlib import Path

from .analysis import MIN_LENGTH

#: Above this many distinct letters (a script with thousands of signs), one-edit variants
#: are too many to try: the words sharing the first letters are compared instead.
MAX_ALPHABET = 120
#: Word files of one field before the next commit merges them into one.
MAX_FILES = 12
SUFFIX = ".words"


def _worth_keeping(word: str) -> bool:
    return len(word) >= MIN_LENGTH and "*" not in word


class Lexicon:
    """The words of each field, in files in ``folder`` (None: in memory only)."""

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder
        self._memory: dict[str, set[str]] = {}
        self._merged: dict[str, tuple[tuple[str, ...], Words]] = {}
        self._lock = threading.Lock()

    def add(self, fields: dict[str, set[str]]) -> None:
        """File the words of a commit's articles (with the index's update lock held)."""
        for field, words in fields.items():
            words = set(filter(_worth_keeping, words))
            if not words:
                continue
            if self.folder is None:  # a new set, not changed in place: a search may read it
                self._memory[field] = self._memory.get(field, set()) | words
                continue
            names = self._names(field)
            if len(names) >= MAX_FILES:  # merged into one, written before the old go
                words = set(words).union(*(self._read(name) for name in names))
            # The writer processes of an update file their words at the same time.
            new = f"{time.time_ns():x}-{os.getpid()}.{field}{SUFFIX}"
            _write(self.folder / new, "\n".join(sorted(words)))
            if len(names) >= MAX_FILES:
                for name in names:
                    with contextlib.suppress(OSError):
                        (self.folder / name).unlink()

    def words(self, field: str) -> Words:
        """The words of ``field`` in every article indexed (merged once per commit)."""
        if self.folder is None:
            names: tuple[str, ...] = (str(len(self._memory.get(field, ()))),)
        else:
            names = tuple(self._names(field))
        cached = self._merged.get(field)
        if cached is not None and cached[0] == names:
            return cached[1]
        if self.folder is None:
            merged = set(self._memory.get(field, ()))
        else:
            merged = set()
            for name in names:
                merged.update(self._read(name))
        words = Words(merged)
        with self._lock:
            self._merged[field] = (names, words)
        return words

    def _names(self, field: str) -> list[str]:
        try:
            return sorted(entry.name for entry in os.scandir(self.folder)
                          if entry.name.endswith(f".{field}{SUFFIX}"))
        except OSError:  # no commit yet, or the folder went with an old generation
            return []

    def _read(self, name: str) -> list[str]:
        """One file's words; none if it went meanwhile (merged into a newer file, which the
        next search reads)."""
        try:
            text = (self.folder / name).read_text("utf-8")
        except (OSError, UnicodeDecodeError):
            return []
        return text.split("\n") if text else []


class Words:
    """One field's words: a set, the sorted list and the letters they use."""

    def __init__(self, words: set[str]) -> None:
        self.known = words
        self.ordered = sorted(words)
        self.letters = "".join(sorted({letter for word in words for letter in word}))

    def __contains__(self, word: str) -> bool:
        return word in self.known

    def starting(self, head: str) -> list[str]:
        """The words that start with ``head``, in order."""
        lo = bisect.bisect_left(self.ordered, head)
        hi = bisect.bisect_left(self.ordered, head + "\U0010ffff")
        return self.ordered[lo:hi]

    def within(self, text: str, maxdist: int, prefix: int) -> list[str]:
        """The words within ``maxdist`` edits of ``text`` (an adjacent swap is one edit)
        that share its first ``prefix`` letters, in order."""
        if maxdist <= 0:
            return [text] if text in self.known else []
        if maxdist == 1 and len(self.letters) <= MAX_ALPHABET:
            return sorted(w for w in _one_edit(text, prefix, self.letters) if w in self.known)
        return [w for w in self.starting(text[:prefix]) if distance(text, w, maxdist) <= maxdist]


def _one_edit(word: str, prefix: int, letters: str) -> set[str]:
    """Every string one deletion, swap, change or insertion away from ``word`` that keeps
    its first ``prefix`` letters (the word itself included)."""
    head, tail = word[:prefix], word[prefix:]
    found = {word}
    for i in range(len(tail) + 1):
        left, right = tail[:i], tail[i:]
        if right:
            found.add(head + left + right[1:])
            for letter in letters:
                found.add(head + left + letter + right[1:])
        if len(right) > 1:
            found.add(head + left + right[1] + right[0] + right[2:])
        for letter in letters:
            found.add(head + left + letter + right)
    return found


def distance(a: str, b: str, limit: int) -> int:
    """Edits from ``a`` to ``b`` (an adjacent swap counts one), or ``limit + 1`` once it
    is sure to be more than ``limit``."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    before: list[int] | None = None
    previous = list(range(len(b) + 1))
    for i, letter in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, other in enumerate(b, 1):
            cost = min(previous[j] + 1, current[j - 1] + 1,
                       previous[j - 1] + (letter != other))
            if before is not None and j > 1 and letter == b[j - 2] and a[i - 2] == other:
                cost = min(cost, before[j - 2] + 1)
            current[j] = cost
        if min(current) > limit:
            return limit + 1
        before, previous = previous, current
    return previous[-1]


def _write(path: Path, text: str) -> None:
    """Write ``text`` whole or not at all."""
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        tmp.write_text(text, "utf-8")
        os.replace(tmp, path)
    except OSError:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
