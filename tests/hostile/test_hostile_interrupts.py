"""Ctrl+C: ``reader index`` stops cleanly at any point (exit 130, one line, no traceback,
no sub-process left running), what was committed stays usable, and the next run finishes."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest
from hostile_support import Background, alive, children, generate_corpus, run_reader, wait_for

from reader.core.corpus import scan
from reader.core.index import CorpusIndex

CORPUS_SIZE = 1500  # over the parallel writer's threshold (1000)


@pytest.fixture(scope="module")
def big_corpus(tmp_path_factory) -> Path:
    corpus = tmp_path_factory.mktemp("interrupts") / "corpus"
    generate_corpus(corpus, CORPUS_SIZE, seed=11)
    return corpus


def _no_orphans(pids: list[int]) -> None:
    wait_for(lambda: not any(alive(pid) for pid in pids), 10, f"sub-processes {pids} to exit")


def _usable_then_complete(corpus: Path, index_dir: Path) -> None:
    index = CorpusIndex(corpus, index_dir).open()  # opens as it was left: no update here
    with index.ix.searcher() as searcher:
        paths = [fields["path"] for fields in searcher.all_stored_fields()]
    assert len(paths) == len(set(paths))
    finished = run_reader("index", "--corpus", corpus, "--index-dir", index_dir)
    assert finished.returncode == 0, finished.stderr
    index = CorpusIndex(corpus, index_dir).open()
    assert set(index.known()) == set(scan(corpus).files)
    assert index.doc_count() == CORPUS_SIZE
    found = run_reader("search", "article", "--limit", "3", "--json", "--corpus", corpus,
                       "--index-dir", index_dir)
    assert found.returncode == 0 and len(found.stdout.splitlines()) == 3


def test_ctrl_c_to_the_process_group_mid_build(big_corpus, tmp_path):
    """What a terminal does on Ctrl+C: SIGINT to every process of the foreground group."""
    index_dir = tmp_path / "index"
    run = Background("index", "--corpus", big_corpus, "--index-dir", index_dir, new_session=True)
    kids = wait_for(lambda: len(children(run.proc.pid)) >= 2 and children(run.proc.pid)
                    or run.proc.poll() is not None, 30, "the parallel writer to start")
    assert run.proc.poll() is None, "the build ended before it could be interrupted"
    os.killpg(run.proc.pid, signal.SIGINT)
    status, out, err = run.finished(30)
    assert status == 130, (out, err)
    assert err.count("\n") == 1 and err.startswith("reader: interrupted"), err
    assert "(0 added, 0 updated, 0 removed before the stop)" in err  # nothing committed
    assert "unchanged" not in out  # and no summary that reads as if the work were done
    _no_orphans(kids)
    assert not any(p.name.endswith(".tmp") for p in (index_dir).rglob("*")), "temp files left"
    _usable_then_complete(big_corpus, index_dir)


@pytest.mark.parametrize("point", ["early", "late", "commit"])
def test_sigint_to_reader_index_at_any_point(big_corpus, tmp_path, point):
    index_dir = tmp_path / "index"
    run = Background("index", "--corpus", big_corpus, "--index-dir", index_dir,
                     "--progress-json")
    at = {"early": 100, "late": CORPUS_SIZE - 300, "commit": CORPUS_SIZE}[point]
    wait_for(lambda: run.progress_at_least(at) or run.proc.poll() is not None, 60,
             f"progress {at}")
    kids = children(run.proc.pid)
    if run.proc.poll() is None:
        run.proc.send_signal(signal.SIGINT)
    status, out, err = run.finished(30)
    done = [e for e in run.events() if e.get("event") == "done"]
    assert len(done) == 1, out[-500:]
    if status == 130:
        assert done[0]["interrupted"] is True
    else:  # the commit was already over when the signal came
        assert point == "commit" and status == 0 and done[0]["interrupted"] is False, (status, err)
    _no_orphans(kids)
    _usable_then_complete(big_corpus, index_dir)


def test_sigint_during_the_update_a_search_makes(big_corpus, tmp_path):
    index_dir = tmp_path / "index"
    run = Background("search", "article", "--corpus", big_corpus, "--index-dir", index_dir)
    kids = wait_for(lambda: len(children(run.proc.pid)) >= 2 and children(run.proc.pid)
                    or run.proc.poll() is not None, 30, "the parallel writer to start")
    run.proc.send_signal(signal.SIGINT)
    status, out, err = run.finished(30)
    assert status in (130, 0), err  # 0: the search was already answering
    if status == 130:
        assert err.count("\n") == 1 and "interrupted" in err
    _no_orphans(kids if isinstance(kids, list) else [])
    _usable_then_complete(big_corpus, index_dir)


def test_ctrl_c_twice(big_corpus, tmp_path):
    """An impatient second Ctrl+C lands in the clean-up: still no traceback, no orphans."""
    index_dir = tmp_path / "index"
    run = Background("index", "--corpus", big_corpus, "--index-dir", index_dir,
                     "--progress-json", new_session=True)
    wait_for(lambda: run.progress_at_least(CORPUS_SIZE // 2) or run.proc.poll() is not None, 60,
             "half the build")
    kids = children(run.proc.pid)
    os.killpg(run.proc.pid, signal.SIGINT)
    wait_for(lambda: not alive(run.proc.pid) or not any(alive(k) for k in kids), 10,
             "the first Ctrl+C to be handled")
    if run.proc.poll() is None:
        os.killpg(run.proc.pid, signal.SIGINT)
    status, _, err = run.finished(30)
    assert status in (130, -signal.SIGINT), err  # a shell shows both as 130
    assert err.count("\n") <= 1
    _no_orphans(kids)
    _usable_then_complete(big_corpus, index_dir)
