"""The indexer's and the fetch's events: what the CLI writes is what the app reads, and
nothing else is."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from reader.cli import main
from reader.core.progress import (
    Committed,
    Done,
    FeedFetched,
    Fetched,
    Progress,
    Reporter,
    decode,
    encode,
)


@pytest.mark.parametrize("event", [
    Progress(0, 3), Committed(2, 3),
    Done(added=2, updated=1, removed=4, skipped={"bad.txt": "binary file"}, interrupted=True,
         notices=["The index was rebuilt."]),
    Done(),
    FeedFetched(0, 3), FeedFetched(2, 3, "The Daily Planet – World", 4, ""),
    FeedFetched(3, 3, "Gone", 0, "HTTP 404 Not Found"),
    Fetched("4 new articles from 3 feeds; 1 failed", 4, ["Gone: HTTP 404 Not Found"]),
    Fetched("0 new articles from 1 feed; interrupted", interrupted=True),
])
def test_every_event_comes_back_as_it_was_sent(event):
    line = encode(event)
    assert line.endswith("\n") and line.count("\n") == 1  # one line, one write
    assert decode(line) == event
    assert decode(line.encode()) == event  # as read from the process's pipe


@pytest.mark.parametrize("line", [
    "", "\n", "not json\n", "[1, 2]\n", '{"done": 1, "total": 2}\n',  # no kind
    '{"event": "bogus", "done": 1}\n', '{"event": "progress", "done": 1}\n',
    '{"event": "progress", "done": 1, "total": 2, "extra": 0}\n',
    '{"event": "progress", "done": "1", "total": 2}\n', '{"event": "commit", "done": -1, '
    '"total": 2}\n', '{"event": "progress", "done": true, "total": 2}\n',
    '{"event": "done", "skipped": ["a.txt"]}\n', '{"event": "done", "notices": "rebuilt"}\n',
    '{"event": "done", "added": 1.5}\n', '{"event": "progress", "do',  # cut short by a kill
    '{"event": "feed", "done": 1, "total": 2, "feed": null}\n',
    '{"event": "feed", "done": 1, "total": 2, "new": -1}\n',
    '{"event": "fetched", "new": 1}\n', '{"event": "fetched", "summary": "x", "failed": "a"}\n',
    '{"event": "fetched", "summary": "x", "failed": [1]}\n',
    b"\xff\xfe\n",
])
def test_a_line_that_is_no_event_is_skipped(line):
    assert decode(line) is None


def test_progress_is_sent_at_most_five_times_a_second_but_always_its_ends():
    sent: list = []
    slow = Reporter(sent.append, interval=3600)
    for done in range(11):
        slow.progress(done, 10)
    assert sent == [Progress(0, 10), Progress(10, 10)]
    sent.clear()
    every = Reporter(sent.append, interval=0)
    for done in range(4):
        every.progress(done, 10)
    every.committed(3, 10)
    assert sent == [*(Progress(n, 10) for n in range(4)), Committed(3, 10)]


def test_done_counts_an_update_report():
    report = SimpleNamespace(added=["a.txt", "b.txt"], updated=[], removed=["c.txt"],
                             skipped={"d.txt": "binary"}, interrupted=False)
    assert Done.of(report, ["a notice"]) == Done(added=2, removed=1, skipped={"d.txt": "binary"},
                                                 notices=["a notice"])


def test_the_command_writes_what_the_app_reads(write_corpus, capsys):
    root = write_corpus({"a.txt": "A\nText.\n", "b.txt": b"\x00\x01binary"})
    assert main(["index", "--corpus", str(root), "--progress-json"]) == 0
    events = [decode(line) for line in capsys.readouterr().out.splitlines()]
    assert None not in events
    assert events[0] == Progress(0, 2)  # the files to read, the binary one too
    assert any(isinstance(event, Committed) for event in events)
    done = events[-1]
    assert isinstance(done, Done) and done.added == 1 and list(done.skipped) == ["b.txt"]
