"""The stock baseline for builds: whoosh-reloaded as it comes, with its own field types, in a
process that never imports reader (so none of reader's analysis or speed-ups run here).

    python bench/whoosh_stock.py CORPUS INDEX_DIR

The fields are what a Whoosh user would write for the same articles: StemmingAnalyzer text
with positions for title (boosted) and body, an ID path, a DATETIME date, KEYWORD sections
and tags. The writer is configured as reader's is (MpWriter, two processes, 256 documents a
job, 128 MB a pool, one segment a process, compound=False), so that the difference measured
is the code and not the settings. The files are indexed as bench/whoosh_reader_schema.py
indexes them (bench/baseline.py).
"""

from __future__ import annotations

import sys
from pathlib import Path

from baseline import build
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
    build(Path(sys.argv[1]), Path(sys.argv[2]), stock_schema(),
          lambda ix: MpWriter(ix, procs=2, batchsize=256, limitmb=128, multisegment=True,
                              compound=False))
    if any(module == "reader" or module.startswith("reader.") for module in sys.modules):
        raise SystemExit("the stock baseline imported reader")
    return 0


if __name__ == "__main__":
    sys.exit(main())
