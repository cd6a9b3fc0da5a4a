"""The spelling words of an index, held in memory, for fuzzy terms (``word~``).

Whoosh matches a fuzzy term by walking every segment's term list with a Levenshtein
automaton, in Python: 70 ms a term at 100,000 articles in 8 segments, the tail of the
search times. A segment's words never change once it is written (deleting articles leaves
its term list as it was), so each segment's words are read once, kept in a file beside the
index, and merged for the segments of the latest commit. A typo then costs set lookups of
its few hundred one-edit variants; ``word~2`` compares the words that share its first
letters.
"""

from __future__ import annotations

import bisect
import contextlib
import os
import threading
from pathlib import Path

#: Above this many distinct letters (a script with thousands of signs), one-edit variants
#: are too many to try: the words sharing the first letters are compared instead.
MAX_ALPHABET = 120
#: Merged word lists kept (one per field of the latest commit is what a search uses).
MERGED_KEPT = 4


class Lexicon:
    """Spelling words per segment, cached in ``folder`` (None: in memory only)."""

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder
        self._segments: dict[tuple[str, str], list[str]] = {}
        self._merged: dict[tuple[tuple[str, ...], str], _Words] = {}
        self._lock = threading.Lock()

    def within(self, reader, field: str, text: str, maxdist: int, prefix: int) -> list[str] | None:
        """The words of ``field`` within ``maxdist`` edits of ``text`` (an adjacent swap is
        one edit) that share its first ``prefix`` letters. None when the reader does not
        name its segments: the caller then asks Whoosh."""
        words = self._words(reader, field)
        if words is None:
            return None
        return words.within(text, maxdist, prefix)

    def save(self, reader, fields: tuple[str, ...]) -> None:
        """Read and file the words of every segment not filed yet (after a commit, so that
        no search has to), and delete the files of segments that are gone."""
        leaves = _leaves(reader)
        if leaves is None:
            return
        for leaf, segment in leaves:
            for field in fields:
                self._segment_words(leaf, segment, field)
        if self.folder is None or not self.folder.is_dir():
            return
        live = {segment for _, segment in leaves}
        for path in self.folder.glob("*.words"):
            if path.name.split(".", 1)[0] not in live:
                with contextlib.suppress(OSError):
                    path.unlink()

    def _words(self, reader, field: str) -> _Words | None:
        leaves = _leaves(reader)
        if leaves is None:
            return None
        key = (tuple(sorted(segment for _, segment in leaves)), field)
        words = self._merged.get(key)
        if words is None:
            merged: set[str] = set()
            for leaf, segment in leaves:
                merged.update(self._segment_words(leaf, segment, field))
            words = _Words(merged)
            with self._lock:
                if len(self._merged) >= MERGED_KEPT:
                    self._merged.pop(next(iter(self._merged)))
                self._merged[key] = words
        return words

    def _segment_words(self, leaf, segment: str, field: str) -> list[str]:
        key = (segment, field)
        words = self._segments.get(key)
        if words is not None:
            return words
        path = self.folder / f"{segment}.{field}.words" if self.folder else None
        if path is not None:
            with contextlib.suppress(OSError, UnicodeDecodeError):
                text = path.read_text("utf-8")
                words = text.split("\n") if text else []
        if words is None:
            words = sorted(_text(word) for word in leaf.lexicon(field)) if _has(leaf, field) else []
            if path is not None:
                _write(path, "\n".join(words))
        with self._lock:
            self._segments[key] = words
        return words


class _Words:
    """One merged, sorted word list, with a set of it and its letters."""

    def __init__(self, words: set[str]) -> None:
        self.known = words
        self.ordered = sorted(words)
        self.letters = "".join(sorted({letter for word in words for letter in word}))

    def within(self, text: str, maxdist: int, prefix: int) -> list[str]:
        if maxdist <= 0:
            return [text] if text in self.known else []
        if maxdist == 1 and len(self.letters) <= MAX_ALPHABET:
            return sorted(w for w in _one_edit(text, prefix, self.letters) if w in self.known)
        head = text[:prefix]
        lo = bisect.bisect_left(self.ordered, head)
        hi = bisect.bisect_left(self.ordered, head + "\U0010ffff")
        return [w for w in self.ordered[lo:hi] if _distance(text, w, maxdist) <= maxdist]


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


def _distance(a: str, b: str, limit: int) -> int:
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


def _leaves(reader) -> list[tuple[object, str]] | None:
    """(segment reader, segment name) for each segment, or None if one has no name."""
    leaves = []
    for leaf, _ in reader.leaf_readers():
        segment = leaf.segment() if hasattr(leaf, "segment") else None
        if segment is None:
            return None
        leaves.append((leaf, segment.segment_id()))
    return leaves


def _has(leaf, field: str) -> bool:
    return field in leaf.indexed_field_names()


def _text(word) -> str:
    return word.decode("utf-8") if isinstance(word, bytes) else word


def _write(path: Path, text: str) -> None:
    """Write ``text`` whole or not at all; a cache, so a failure only costs a re-read."""
    tmp = path.with_name(f"{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_text(text, "utf-8")
        os.replace(tmp, path)
    except OSError:
        with contextlib.suppress(OSError):
            tmp.unlink()
