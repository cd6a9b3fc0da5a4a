"""The state store: marks, stars and views; two writers, a killed writer, damage, moves."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from reader.core.state import StateStore, content_hash


def test_marks_stars_and_views_survive_a_reopen(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    store = StateStore(corpus)
    assert store.read_paths() == set() and not store.is_read("a.txt")
    store.set_read("a.txt")
    assert store.toggle_read("b.txt") is True
    assert store.toggle_read("b.txt") is False
    assert store.toggle_star("c.txt") is True
    store.set_view("view", "unread")
    store.set_view("sort", {"by": "title"})
    store.close()

    again = StateStore(corpus)
    assert again.read_paths() == {"a.txt"}
    assert again.starred_paths() == {"c.txt"}
    assert again.is_starred("c.txt") and not again.is_starred("a.txt")
    assert again.get_view("view") == "unread"
    assert again.get_view("sort") == {"by": "title"}
    assert again.get_view("missing", "all") == "all"
    assert not again.notices


def test_corpora_are_kept_apart(tmp_path):
    one, two = tmp_path / "one", tmp_path / "two"
    one.mkdir()
    two.mkdir()
    StateStore(one).set_read("a.txt")
    assert StateStore(two).read_paths() == set()


WRITER = textwrap.dedent("""
    import sys
    from pathlib import Path
    from reader.core.state import StateStore
    corpus, prefix, count = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
    store = StateStore(corpus)
    for i in range(count):
        store.set_read(f"{prefix}-{i}.txt")
        print(i, flush=True)
""")


def test_two_writers_at_once_keep_every_mark(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    env = dict(os.environ)
    writers = [
        subprocess.Popen([sys.executable, "-c", WRITER, str(corpus), name, "300"],
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
        for name in ("left", "right")
    ]
    for writer in writers:
        _, err = writer.communicate(timeout=120)
        assert writer.returncode == 0, err.decode()
    marks = StateStore(corpus).read_paths()
    assert len(marks) == 600


def test_a_killed_writer_loses_at_most_the_last_mark(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for round_ in range(3):
        writer = subprocess.Popen([sys.executable, "-c", WRITER, str(corpus), f"r{round_}", "100000"],
                                  stdout=subprocess.PIPE, text=True)
        acknowledged = -1
        deadline = time.monotonic() + 30
        while acknowledged < 50 + round_ * 37 and time.monotonic() < deadline:
            acknowledged = int(writer.stdout.readline())
        writer.send_signal(signal.SIGKILL)
        writer.wait()
        marks = {p for p in StateStore(corpus).read_paths() if p.startswith(f"r{round_}-")}
        # Every mark the writer had finished (and said so) is there.
        assert {f"r{round_}-{i}.txt" for i in range(acknowledged + 1)} <= marks


def test_a_damaged_database_is_set_aside_and_started_fresh(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    db = tmp_path / "state.sqlite3"
    StateStore(corpus, db).set_read("a.txt")
    db.write_bytes(b"this is not a database at all" * 100)
    for extra in ("-wal", "-shm"):
        Path(str(db) + extra).unlink(missing_ok=True)
    store = StateStore(corpus, db)
    assert "damaged" in store.notices[0]
    assert store.read_paths() == set()
    store.set_read("b.txt")
    backups = list(tmp_path.glob("state.sqlite3.damaged-*"))
    assert backups and backups[0].read_bytes().startswith(b"this is not a database")


def test_an_unwritable_place_falls_back_to_memory(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    store = StateStore(corpus, blocker / "state.sqlite3")
    assert store.in_memory
    assert "in memory" in store.notices[0]
    store.set_read("a.txt")
    assert store.is_read("a.txt")


def test_marks_follow_a_renamed_file(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    store = StateStore(corpus)
    store.set_read("old.txt", content_hash=content_hash(b"same bytes"))
    store.set_starred("old.txt", content_hash=content_hash(b"same bytes"))
    assert store.needs_reconcile(["new.txt"])
    moved = store.reconcile({"new.txt": content_hash(b"same bytes"),
                             "other.txt": content_hash(b"other")})
    assert moved == 1
    assert store.is_read("new.txt") and store.is_starred("new.txt")
    assert not store.is_read("other.txt")


def test_marks_follow_a_moved_corpus(tmp_path):
    old, new = tmp_path / "old", tmp_path / "new"
    old.mkdir()
    new.mkdir()
    first = StateStore(old)
    first.set_read("a.txt", content_hash="h-a")
    first.set_starred("b.txt", content_hash="h-b")
    second = StateStore(new)
    assert second.needs_reconcile(["a.txt", "b.txt"])
    assert second.reconcile({"a.txt": "h-a", "b.txt": "h-b", "c.txt": "h-c"}) == 2
    assert second.read_paths() == {"a.txt"}
    assert second.starred_paths() == {"b.txt"}
    assert not second.needs_reconcile(["a.txt", "b.txt", "c.txt"])


def test_an_article_still_in_place_keeps_its_own_marks(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    store = StateStore(corpus)
    store.set_read("a.txt", content_hash="same")
    # A copy of a.txt appears: it is a different article and starts unread.
    assert store.reconcile({"a.txt": "same", "copy.txt": "same"}) == 0
    assert not store.is_read("copy.txt")
