"""The same-schema baseline for builds: Whoosh indexing the same files with reader's schema,
its speed-ups (reader.core.whoosh_speedups) and its multi-process writer as `reader index`
runs them, without reader's reading of the articles (decoding, cleaning, headers), its
listing, word lists or change checks: what reader adds to indexing itself.

    python bench/whoosh_reader_schema.py CORPUS INDEX_DIR

bench/whoosh_stock.py is the other baseline: Whoosh as it comes, with its own field types.
"""

from __future__ import annotations

import os
import shutil
import sys
from datetime import datetime
from pathlib import Path

from whoosh import index

from reader.core import whoosh_speedups
from reader.core.index import make_schema
from reader.core.writer import ParallelWriter


def main() -> int:
    corpus, target = Path(sys.argv[1]), Path(sys.argv[2])
    whoosh_speedups.install()  # as a CorpusIndex does (READER_STOCK_WHOOSH=1 leaves them out)
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    ix = index.create_in(str(target), make_schema())
    writer = ParallelWriter(ix, procs=2, batchsize=256, limitmb=128, compound=False)
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
    return 0


if __name__ == "__main__":
    sys.exit(main())
