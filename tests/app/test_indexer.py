"""The indexers the app is given, on their own: the events they tell, the outcome they return."""

from __future__ import annotations

import sys

import pytest

import reader.tui.indexer as indexer_module
from reader.core.index import CorpusIndex
from reader.core.progress import Committed, Done, Progress, encode
from reader.tui.indexer import (
    IndexerFailed,
    InProcessIndexer,
    ProcessIndexer,
    summary,
)


def _fake_indexer(monkeypatch, script: str) -> None:
    """The indexer process runs ``script`` instead of `reader index`."""
    monkeypatch.setattr(indexer_module, "index_command",
                        lambda corpus, index_dir, rebuild: [sys.executable, "-c", script])


async def test_the_indexer_in_process_tells_its_progress_and_returns_what_changed(
        write_corpus):
    """As the indexer process does (test_app's test_the_indexer_process_is_this_reader...)."""
    corpus = write_corpus({"a.txt": "A\nText.\n", "b.txt": "B\nText.\n",
                           "bad.txt": b"\x00\x01binary"})
    index = CorpusIndex(corpus).open()
    told: list = []
    done = await InProcessIndexer().run(index, rebuild=False, tell=told.append)
    assert done.added == 2 and list(done.skipped) == ["bad.txt"] and not done.interrupted
    assert told[0] == Progress(0, 3) and told[-1] == Committed(3, 3)
    index.refresh()
    assert index.doc_count() == 2


async def test_the_last_event_is_read_however_many_files_it_names(write_corpus, tmp_path,
                                                                 monkeypatch):
    """Thousands of skipped files make one long line (the reader's line limit was 64 KB)."""
    skipped = {f"folder/file-{n:05}-{'x' * 40}.txt": "binary file" for n in range(1500)}
    events = tmp_path / "events"
    events.write_text(encode(Done(added=1, skipped=skipped)))
    assert events.stat().st_size > 100_000
    _fake_indexer(monkeypatch, f"import sys; sys.stdout.write(open({str(events)!r}).read())")
    corpus = write_corpus({"a.txt": "A\nText.\n"})
    done = await ProcessIndexer(corpus).run(CorpusIndex(corpus), rebuild=False, tell=print)
    assert done.skipped == skipped


async def test_an_indexer_process_that_fails_says_why(write_corpus, monkeypatch):
    corpus = write_corpus({"a.txt": "A\nText.\n"})
    _fake_indexer(monkeypatch, "import sys; print('not an event'); "
                  "sys.exit('reader: cannot continue: No space left on device')")
    with pytest.raises(IndexerFailed, match="^Indexing failed: reader: cannot continue: No "
                                            "space left on device$"):
        await ProcessIndexer(corpus).run(CorpusIndex(corpus), rebuild=False, tell=print)


def test_the_summary_names_what_changed_and_a_lone_skipped_file():
    assert summary(Done()) == "Index up to date."
    assert (summary(Done(added=1200, removed=1, skipped={"b\x1b[2Jad.txt": "binary\x07"}))
            == "Index up to date: 1,200 added, 1 removed, 1 skipped: bad.txt (binary)")
    many = Done(updated=2, skipped={"a.txt": "binary", "b.txt": "too big"})
    assert summary(many) == (
        "Index up to date: 2 updated, 2 skipped (ctrl+p → Skipped files lists them)")
