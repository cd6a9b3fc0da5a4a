"""The same-schema baseline for builds: Whoosh indexing the same files with reader's schema,
its speed-ups (reader.core.whoosh_speedups) and its multi-process writer as `reader index`
runs them, without reader's reading of the articles (decoding, cleaning, headers), its
listing, word lists or change checks: what reader adds to indexing itself.

    python bench/whoosh_reader_schema.py CORPUS INDEX_DIR

bench/whoosh_stock.py is the other baseline: Whoosh as it comes, with its own field types.
"""

from __future__ import annotations

import sys
from pathlib import Path

from baseline import build

from reader.core import whoosh_speedups
from reader.core.index import make_schema
from reader.core.writer import ParallelWriter


def main() -> int:
    whoosh_speedups.install()  # as a CorpusIndex does (READER_STOCK_WHOOSH=1 leaves them out)
    build(Path(sys.argv[1]), Path(sys.argv[2]), make_schema(),
          lambda ix: ParallelWriter(ix, procs=2, batchsize=256, limitmb=128, compound=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
