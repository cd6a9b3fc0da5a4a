"""The baseline for builds: bare Whoosh indexing the same files with the same schema and
writer settings as `reader index` (MpWriter, procs=2, compound=False), no extras.

    python bench/bare_whoosh.py CORPUS INDEX_DIR
"""

from __future__ import annotations

import os
import shutil
import sys
from datetime import datetime
from pathlib import Path

from whoosh import index
from whoosh.multiproc import MpWriter

from reader.core.index import make_schema


def main() -> int:
    corpus, target = Path(sys.argv[1]), Path(sys.argv[2])
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    ix = index.create_in(str(target), make_schema())
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
    return 0


if __name__ == "__main__":
    sys.exit(main())
