"""The stock baseline for builds: whoosh-reloaded as it comes, with its own field types, in a
process that never imports reader (so none of reader's analysis or speed-ups run here).

    python bench/whoosh_stock.py CORPUS INDEX_DIR

The fields are what a Whoosh user would write for the same articles: StemmingAnalyzer text
with positions for title (boosted) and body, an ID path, a DATETIME date, KEYWORD sections
and tags. The writer is configured as reader's is (MpWriter, two processes, 256 documents a
job, 128 MB a pool, one segment a process, compound=False), so that the difference measured
is the code and not the settings. Each file's first line is its title, the rest its body,
as bench/whoosh_reader_schema.py has them.
"""

from __future__ import annotations

import os
import shutil
import sys
from datetime import datetime
from pathlib import Path

from whoosh import index
from whoosh.analysis import StemmingAnalyzer
from whoosh.fields import DATETIME, ID, KEYWORD, STORED, TEXT, Schema
from whoosh.multiproc import MpWriter


def stock_schema() -> Schema:
    return Schema(
        path=ID(stored=True, unique=True),
        title=TEXT(analyzer=StemmingAnalyzer(), stored=True, field_boost=3.0),
        body=TEXT(analyzer=StemmingAnalyzer()),
        section=KEYWORD(lowercase=True, scorable=False),
        section_name=STORED(),
        date=DATETIME(stored=True, sortable=True),
        title_key=ID(sortable=True),
        source=TEXT(stored=True),
        author=TEXT(stored=True),
        tags=KEYWORD(stored=True, lowercase=True, commas=True, scorable=True),
        url=STORED(),
        mtime_ns=STORED(),
        size=STORED(),
        hash=STORED(),
    )


def main() -> int:
    corpus, target = Path(sys.argv[1]), Path(sys.argv[2])
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    ix = index.create_in(str(target), stock_schema())
    writer = MpWriter(ix, procs=2, batchsize=256, limitmb=128, multisegment=True, compound=False)
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
    if any(module == "reader" or module.startswith("reader.") for module in sys.modules):
        raise SystemExit("the stock baseline imported reader")
    return 0


if __name__ == "__main__":
    sys.exit(main())
