"""What the two build baselines share: a fresh index of every ``.txt`` file of a corpus, its
first line the title and the rest the body (no headers, dates or sections: indexing is what
they measure). Imports nothing of reader: bench/whoosh_stock.py must not run any of it."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from whoosh import index


def build(corpus: Path, target: Path, schema: Any, writer_for: Callable[[Any], Any]) -> None:
    """Index ``corpus`` anew in ``target`` with ``schema``, by ``writer_for(the index)``."""
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    writer = writer_for(index.create_in(str(target), schema))
    for folder, _dirs, files in os.walk(corpus):
        for name in files:
            if not name.endswith(".txt"):
                continue
            path = Path(folder) / name
            text = path.read_bytes().decode("utf-8", "replace")
            title, _, body = text.partition("\n")
            rel = str(path.relative_to(corpus))
            writer.add_document(path=rel, title=title, body=body, section="",
                                section_name="", date=datetime(2025, 1, 1), title_key=title[:120],
                                source="", author="", tags="", url="", mtime_ns=0, size=0, hash="")
    writer.commit()
