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

Each word is filed with how often it was written, so "did you mean" can rank the real
words near a typo by how common they are as written ("paid" before "pai", whose stem "pai"
is also the stem of "pay").

The words of articles deleted or changed since stay until the index is rebuilt: a wildcard
or a fuzzy term may then stand for a word no article has any more, which matches nothing,
and "did you mean" offers only a respelling that finds something.

Each commit records the word files it stands on, with their sizes and checksums (``seal``,
just before the commit's table of contents is written): an update finds a file deleted,
cut short or garbled since (``check``), and files the words again (missing words would make
``market*`` miss articles, silently).
"""

from __future__ import annotations

import bisect
import contextlib
import functools
import json
import os
import threading
import time
import zlib
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from .analysis import MIN_LENGTH

#: Above this many distinct letters (a script with thousands of signs), one-edit variants
#: are too many to try: the words sharing the first letters are compared instead.
MAX_ALPHABET = 120
#: Word files of one field before the next commit merges them into one.
MAX_FILES = 12
SUFFIX = ".words"
#: The record of the word files of the latest commit (see ``Lexicon.seal``).
RECORD = "files.json"


def _worth_keeping(word: str) -> bool:
    return len(word) >= MIN_LENGTH and "*" not in word


Counts = dict[str, int]


def _counted(words: Mapping[str, int] | Iterable[str]) -> Counts:
    """Words with how often they were written (once each, when only named)."""
    if isinstance(words, Mapping):
        return {word: count for word, count in words.items() if _worth_keeping(word)}
    return dict.fromkeys(filter(_worth_keeping, words), 1)


def _summed(into: Counts, more: Mapping[str, int]) -> Counts:
    get = into.get
    for word, count in more.items():
        into[word] = get(word, 0) + count
    return into


class Lexicon:
    """The words of each field, in files in ``folder`` (None: in memory only)."""

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder
        self._memory: dict[str, Counts] = {}
        self._merged: dict[str, tuple[tuple[str, ...], Words]] = {}
        self._lock = threading.Lock()

    def add(self, fields: Mapping[str, Mapping[str, int] | Iterable[str]]) -> None:
        """File the words of a commit's articles, each with how often it was written (with
        the index's update lock held)."""
        for field, found in fields.items():
            words = _counted(found)
            if not words:
                continue
            if self.folder is None:  # a new dict, not changed in place: a search may read it
                self._memory[field] = _summed(dict(self._memory.get(field, {})), words)
                continue
            # The writer processes of an update file their words at the same time.
            _write(self.folder / _new_name(field), _text(words))

    def seal(self, generation: int) -> None:
        """Record the word files there are as those of the commit ``generation``, each with
        its size and checksum (in the process that writes the commit, just before its table
        of contents): what ``check`` holds them to. A field's files past MAX_FILES are merged
        into one first; the merged ones go once the record names the new one."""
        if self.folder is None:
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        merged: list[str] = []
        for field in {_field_of(name) for name in self._all_names()}:
            names = self._names(field)
            if len(names) > MAX_FILES:  # written before the old go
                words: Counts = {}
                for name in names:
                    _summed(words, self._read(name))
                _write(self.folder / _new_name(field), _text(words))
                merged += names
        recorded = self._record()
        before = {} if recorded is None else recorded[1]
        files: dict[str, list[int]] = {}
        for name in self._all_names():
            if name in merged:
                continue
            file = self.folder / name
            stat = file.stat()
            known = before.get(name)
            if known is not None and known[:2] == [stat.st_size, stat.st_mtime_ns]:
                files[name] = known  # checked by the update that began with check()
            else:
                files[name] = [stat.st_size, stat.st_mtime_ns, zlib.crc32(file.read_bytes())]
        _write(self.folder / RECORD, json.dumps({"generation": generation, "files": files}))
        for name in merged:
            with contextlib.suppress(OSError):
                (self.folder / name).unlink()

    def check(self, generation: int) -> str | None:
        """Why the word files are not those recorded for the commit ``generation`` (or a
        later one, which failed after its record), or None when they are."""
        if self.folder is None:
            return None
        recorded = self._record()
        if recorded is None:
            return "the record of their files is missing or damaged"
        if recorded[0] < generation:
            return "they are not recorded for the index's last commit"
        for name, (size, _, checksum) in recorded[1].items():
            try:
                data = (self.folder / name).read_bytes()
            except FileNotFoundError:
                return f"{name} is missing"
            except OSError as exc:
                return f"{name} cannot be read ({exc.strerror or exc})"
            if len(data) != size or zlib.crc32(data) != checksum:
                return f"{name} is damaged"
        return None

    def clear(self) -> None:
        """Delete every word file (the record first: a clearing cut short is seen)."""
        if self.folder is None:
            return
        with contextlib.suppress(FileNotFoundError):
            (self.folder / RECORD).unlink()
        for name in self._all_names():
            with contextlib.suppress(FileNotFoundError):
                (self.folder / name).unlink()

    def drop_unrecorded(self) -> None:
        """Delete the word files of a commit that failed (or of merges cut short), which the
        record does not name (with the update lock held): on a full disk they fill it."""
        recorded = None if self.folder is None else self._record()
        if recorded is None or self.folder is None:
            return
        for entry in os.scandir(self.folder):
            if entry.name != RECORD and entry.name not in recorded[1]:
                with contextlib.suppress(OSError):
                    os.unlink(entry.path)

    def _record(self) -> tuple[int, dict[str, list[int]]] | None:
        """(generation, name -> [size, mtime_ns, crc32]) as recorded, or None."""
        assert self.folder is not None
        try:
            record: Any = json.loads((self.folder / RECORD).read_text("utf-8"))
            generation, files = record["generation"], record["files"]
        except (OSError, ValueError, TypeError, KeyError):
            return None
        if type(generation) is not int or not isinstance(files, dict) or not all(
                isinstance(v, list) and len(v) == 3 and all(type(n) is int for n in v)
                for v in files.values()):
            return None
        return generation, files

    def _all_names(self) -> list[str]:
        try:
            return [entry.name for entry in os.scandir(self.folder)
                    if entry.name.endswith(SUFFIX)]
        except OSError:
            return []

    def words(self, field: str) -> Words:
        """The words of ``field`` in every article indexed (merged once per commit)."""
        names = self._generation(field)
        cached = self._merged.get(field)
        if cached is not None and cached[0] == names:
            return cached[1]
        merged: Counts = {}
        if self.folder is None:
            merged.update(self._memory.get(field, {}))
        else:
            for name in names:
                _summed(merged, self._read(name))
        words = Words(merged)
        with self._lock:
            self._merged[field] = (names, words)
        return words

    def spelling(self) -> Words:
        """The words of titles and bodies together, their counts summed: what a typo in
        either is respelled from."""
        names = self._generation("title") + ("|",) + self._generation("body")
        cached = self._merged.get("")
        if cached is not None and cached[0] == names:
            return cached[1]
        merged = _summed(dict(self.words("body").counts), self.words("title").counts)
        words = Words(merged)
        with self._lock:
            self._merged[""] = (names, words)
        return words

    def _generation(self, field: str) -> tuple[str, ...]:
        """What tells one state of a field's words from the next."""
        if self.folder is None:
            memory = self._memory.get(field, {})
            return (str(id(memory)), str(len(memory)))
        return tuple(self._names(field))

    def _names(self, field: str) -> list[str]:
        try:
            return sorted(entry.name for entry in os.scandir(self.folder)
                          if entry.name.endswith(f".{field}{SUFFIX}"))
        except OSError:  # no commit yet, or the folder went with an old generation
            return []

    def _read(self, name: str) -> Counts:
        """One file's words and counts; none if it went meanwhile (merged into a newer
        file, which the next search reads). A line without a count counts once."""
        assert self.folder is not None
        try:
            text = (self.folder / name).read_text("utf-8")
        except (OSError, UnicodeDecodeError):
            return {}
        counts: Counts = {}
        for line in text.split("\n"):
            word, _, count = line.partition("\t")
            if word:
                counts[word] = int(count) if count.isdigit() else 1
        return counts


def _text(words: Counts) -> str:
    """A word file's text: a word a line, with how often it was written."""
    return "".join(f"{word}\t{words[word]}\n" for word in sorted(words))


def _new_name(field: str) -> str:
    return f"{time.time_ns():x}-{os.getpid()}.{field}{SUFFIX}"


def _field_of(name: str) -> str:
    return name[: -len(SUFFIX)].rpartition(".")[2]


class Words:
    """One field's words: with their counts, sorted, and the letters they use (the last
    two made when first asked for: a search that only looks words up does not wait)."""

    def __init__(self, counts: Counts) -> None:
        self.counts = counts
        self.known = counts.keys()

    @functools.cached_property
    def ordered(self) -> list[str]:
        return sorted(self.counts)

    @functools.cached_property
    def letters(self) -> str:
        return "".join(sorted({letter for word in self.counts for letter in word}))

    def count(self, word: str) -> int:
        """How often ``word`` was written (0: never)."""
        return self.counts.get(word, 0)

    def __contains__(self, word: str) -> bool:
        return word in self.counts

    def starting(self, head: str) -> list[str]:
        """The words that start with ``head``, in order."""
        lo = bisect.bisect_left(self.ordered, head)
        hi = bisect.bisect_left(self.ordered, head + "\U0010ffff")
        return self.ordered[lo:hi]

    def within(self, text: str, maxdist: int, prefix: int) -> list[str]:
        """The words within ``maxdist`` edits of ``text`` (an adjacent swap is one edit)
        that share its first ``prefix`` letters, in order."""
        if maxdist <= 0:
            return [text] if text in self.counts else []
        if maxdist == 1 and len(self.letters) <= MAX_ALPHABET:
            return sorted(w for w in _one_edit(text, prefix, self.letters) if w in self.counts)
        return [w for w in self.starting(text[:prefix]) if distance(text, w, maxdist) <= maxdist]


    def respellings(self, word: str, limit: int = 8) -> list[tuple[str, float]]:
        """The known words that ``word`` may be a typo of, likeliest first, each with its
        likelihood: how often it was written, times how likely that typo is. Words one
        edit away (in any letter, the first too) come before words two edits away (whose
        first letter is as typed)."""
        near = [w for w in self.within(word, 1, 0 if len(self.letters) <= MAX_ALPHABET else 1)
                if w != word]
        if near:
            scored = [(w, self.counts[w] * _typo_odds(word, w)) for w in near]
        else:
            scored = [(w, self.counts[w] * FARTHER) for w in self.within(word, 2, 1)
                      if w != word]
        scored.sort(key=lambda pair: (-pair[1], pair[0]))
        return scored[:limit]


#: How much less likely a word two edits from a typo is than one a single edit away.
FARTHER = 0.01
#: How likely each kind of typo is, against a letter left out: two letters swapped, a
#: letter changed for another, a letter added. A change or an addition has to hit one
#: letter of many to make the typo typed, so each is less likely than a letter left out.
#: (Tried on one-typo words of five collections: 0.91 to 0.98 of them respelled right, where
#: the counts alone gave 0.86 to 0.95.)
SWAPPED, CHANGED, ADDED = 1.0, 0.1, 0.1
#: ... and how much likelier when the key struck is next to the right one, or the letter
#: added doubles its neighbour, or the letter left out is one of a pair.
NEIGHBOUR, DOUBLING = 3.0, 3.0
_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")
_KEYS = {key: (row, col) for row, keys in enumerate(_ROWS) for col, key in enumerate(keys)}


def _neighbours(a: str, b: str) -> bool:
    """Keys next to each other on a QWERTY keyboard."""
    if a not in _KEYS or b not in _KEYS:
        return False
    (row_a, col_a), (row_b, col_b) = _KEYS[a], _KEYS[b]
    return abs(row_a - row_b) <= 1 and abs(col_a - col_b) <= 1 and a != b


def _typo_odds(typed: str, word: str) -> float:
    """How likely typing ``word`` gives ``typed`` (one edit apart), against a letter left
    out."""
    at = next((i for i, (x, y) in enumerate(zip(typed, word, strict=False)) if x != y),
              min(len(typed), len(word)))
    if len(typed) == len(word):
        if typed[at + 1:at + 2] == word[at:at + 1] and typed[at:at + 1] == word[at + 1:at + 2]:
            return SWAPPED
        return CHANGED * (NEIGHBOUR if _neighbours(typed[at], word[at]) else 1.0)
    if len(typed) < len(word):  # a letter left out: most often one of a pair
        missed = word[at]
        doubled = missed in (word[at - 1:at], word[at + 1:at + 2])
        return DOUBLING if doubled else 1.0
    extra = typed[at]  # a letter typed twice, or a neighbour's key struck with it
    if extra in (typed[at - 1:at], typed[at + 1:at + 2]):
        return ADDED * DOUBLING
    near = (at > 0 and _neighbours(extra, typed[at - 1])) or (
        at + 1 < len(typed) and _neighbours(extra, typed[at + 1]))
    return ADDED * (NEIGHBOUR if near else 1.0)


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
