"""Writer processes that die: killed while reading, while writing their segment, after handing
it in, while holding a lock the others need; a full disk or an error in one. The update
fails at once with one line naming the cause (never a hang, never a traceback), the index
keeps its last commit, whole and searchable, and the next update makes it exactly what a
fresh build of the folder is.

The faults are injected into the real writer processes: they are forked from this test's
process, so a function patched here is the one they run."""

from __future__ import annotations

import errno
import os
import signal
from pathlib import Path

import pytest
from hostile_support import assert_same_as_fresh, generate_corpus, index_state, within
from whoosh.writing import SegmentWriter

import reader.core.index as index_module
from reader.core.index import CorpusIndex, UpdateFailed
from reader.core.words import Lexicon
from reader.core.writer import TaskResults, WriterSide, WriterTask

FIRST, MORE = 60, 300  # the update: a job (256 articles) for each writer process


@pytest.fixture
def corpus(tmp_path, monkeypatch) -> Path:
    """60 articles indexed, then 150 more for an update by two writer processes."""
    monkeypatch.setattr(index_module, "PARALLEL_THRESHOLD", 50)
    root = tmp_path / "corpus"
    generate_corpus(root, FIRST, seed=1)
    CorpusIndex(root, tmp_path / "index").open().update()
    generate_corpus(root, MORE, seed=2, start=FIRST)
    return root


class Fault:
    """Makes one writer process (the first to get there) fail, from inside it."""

    def __init__(self, flag: Path) -> None:
        self.parent = os.getpid()
        self.flag = flag

    def now(self) -> bool:
        """In a writer process, the first time of all its processes: True."""
        if os.getpid() == self.parent:
            return False
        try:
            os.close(os.open(self.flag, os.O_CREAT | os.O_EXCL | os.O_WRONLY))
        except FileExistsError:
            return False
        return True

    def kill(self) -> None:
        os.kill(os.getpid(), signal.SIGKILL)


def _while_reading(monkeypatch, fault: Fault) -> None:
    real = WriterSide.document

    def document(self, path):
        made = real(self, path)
        if self.counts[self.slot] == 20 and fault.now():
            fault.kill()
        return made

    monkeypatch.setattr(WriterSide, "document", document)


def _while_writing_the_segment(monkeypatch, fault: Fault) -> None:
    real = SegmentWriter._close_segment

    def close_segment(self):  # the postings are written, the segment not closed
        if fault.now():
            fault.kill()
        return real(self)

    monkeypatch.setattr(SegmentWriter, "_close_segment", close_segment)


def _holding_the_job_queue(monkeypatch, fault: Fault) -> None:
    """Dies in the middle of taking a job: the other process, waiting for the queue's lock
    to take its own, would wait forever, and a parent joining it with it."""
    real = WriterTask._process_file

    def process_file(self, *job):
        real(self, *job)
        if fault.now():
            self.jobqueue._rlock.acquire()
            fault.kill()

    monkeypatch.setattr(WriterTask, "_process_file", process_file)


def _out_of_disk(monkeypatch, fault: Fault) -> None:
    real = Lexicon.add

    def add(self, fields):
        if fault.now():
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(self.folder))
        return real(self, fields)

    monkeypatch.setattr(Lexicon, "add", add)


def _an_error(monkeypatch, fault: Fault) -> None:
    real = WriterSide.document

    def document(self, path):
        if fault.now():
            raise ValueError("no such thing")
        return real(self, path)

    monkeypatch.setattr(WriterSide, "document", document)


FAULTS = {
    "killed while reading": (_while_reading, "a writer process was killed (SIGKILL)"),
    "killed while writing its segment": (_while_writing_the_segment,
                                         "a writer process was killed (SIGKILL)"),
    "killed holding the job queue's lock": (_holding_the_job_queue,
                                            "a writer process was killed (SIGKILL)"),
    "out of disk": (_out_of_disk, "No space left on device"),
    "an error": (_an_error, "a writer process failed (ValueError: no such thing)"),
}


@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_a_writer_process_that_dies_fails_the_update_and_the_next_one_finishes(
        corpus, tmp_path, monkeypatch, capfd, fault):
    index_dir = tmp_path / "index"
    inject, cause = FAULTS[fault]
    with monkeypatch.context() as patched:
        inject(patched, Fault(tmp_path / "fault-flag"))
        index = CorpusIndex(corpus, index_dir).open()
        with pytest.raises(UpdateFailed) as failed:
            within(30, lambda: index.update(fallback=False))
    assert (tmp_path / "fault-flag").exists()  # (the fault was met)
    assert cause in str(failed.value) and "\n" not in str(failed.value)
    assert failed.value.kept == FIRST
    # The last commit stays whole and searchable, and nothing of the batch is claimed.
    assert len(index_state(corpus, index_dir)["stored"]) == FIRST
    assert not list(index_dir.glob("ix-*/MAIN.tmp/*")), "the failed batch's files are left"
    report = within(60, lambda: CorpusIndex(corpus, index_dir).open().update(fallback=False))
    assert len(report.added) == MORE and not report.skipped
    assert_same_as_fresh(corpus, index_dir, tmp_path)
    assert "Traceback" not in capfd.readouterr().err


def test_a_writer_process_killed_after_handing_in_its_segment_costs_nothing(
        corpus, tmp_path, monkeypatch, capfd):
    """Its segment is whole, and was handed in: the commit can stand on it."""
    index_dir = tmp_path / "index"
    fault = Fault(tmp_path / "fault-flag")
    real = TaskResults.hand_in

    def hand_in(self, slot, result):
        real(self, slot, result)
        if fault.now():
            fault.kill()

    with monkeypatch.context() as patched:
        patched.setattr(TaskResults, "hand_in", hand_in)
        report = within(30, lambda: CorpusIndex(corpus, index_dir).open().update(fallback=False))
    assert fault.flag.exists()
    assert len(report.added) == MORE
    assert_same_as_fresh(corpus, index_dir, tmp_path)
    assert "Traceback" not in capfd.readouterr().err
