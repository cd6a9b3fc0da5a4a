"""The state store: marks, stars, tags, positions, searches and views; two writers, a killed
writer, damage, moves, and a file from the first schema."""

from __future__ import annotations

import contextlib
import signal
import sqlite3
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

from reader.core import state
from reader.core.articles import content_hash, file_hash
from reader.core.state import (
    DEFAULT_SPLIT,
    SCHEMA_VERSION,
    SPLIT_RANGE,
    Position,
    SavedSearch,
    Session,
    StateStore,
    peek_shared,
    peek_split,
)


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


def test_a_setting_for_every_corpus_is_read_before_the_store_opens(tmp_path):
    """The theme is read at start with one read-only query; a missing or damaged file is
    no setting (the store says why once it opens, and sets a damaged file aside)."""
    db = tmp_path / "state.sqlite3"
    assert peek_shared("theme", db) is None
    one, two = tmp_path / "one", tmp_path / "two"
    one.mkdir()
    two.mkdir()
    with StateStore(one, db) as store:
        store.set_view("theme", {"theme": "nord"}, every_corpus=True)
        store.set_view("view", "unread")
    assert peek_shared("theme", db) == {"theme": "nord"}
    assert peek_shared("view", db) is None  # one corpus's view is not for every corpus
    with StateStore(two, db) as store:
        assert store.get_view("view") is None
    db.write_bytes(b"not a database at all" * 100)
    assert peek_shared("theme", db) is None
    assert db.read_bytes() == b"not a database at all" * 100  # read-only: left as it was


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
    assert not store.in_memory, store.notices
    opened = list(store.notices)
    if len(sys.argv) > 4:  # opened: say so, then wait for the word to start
        print("ready", flush=True)
        sys.stdin.readline()
    for i in range(count):
        store.set_read(f"{prefix}-{i}.txt")
        print(i, flush=True)
    assert store.notices == opened, store.notices  # no mark failed
""")


def _writer(corpus: Path, prefix: str, count: int, *gate: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", WRITER, str(corpus), prefix, str(count), *gate],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)


def test_two_writers_at_once_keep_every_mark(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    writers = [_writer(corpus, name, 500, "gate") for name in ("left", "right")]
    for writer in writers:  # both have the database open before either writes
        assert writer.stdout.readline().strip() == "ready"
    for writer in writers:
        writer.stdin.write("go\n")
        writer.stdin.flush()
    for writer in writers:
        _, err = writer.communicate(timeout=120)
        assert writer.returncode == 0, err
    marks = StateStore(corpus).read_paths()
    assert marks == {f"{side}-{i}.txt" for side in ("left", "right") for i in range(500)}


def test_two_stores_in_one_process_see_each_other(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    one, two = StateStore(corpus), StateStore(corpus)
    for i in range(20):
        (one if i % 2 else two).set_read(f"{i}.txt")
    one.set_starred("3.txt")
    two.set_view("sort", "title")
    assert one.read_paths() == two.read_paths() == {f"{i}.txt" for i in range(20)}
    assert two.is_starred("3.txt") and one.get_view("sort") == "title"
    assert two.toggle_read("3.txt") is False and not one.is_read("3.txt")


def test_threads_may_share_one_store(tmp_path):
    """The app marks on its main thread while workers reconcile on the same connection."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    store = StateStore(corpus)
    store.set_read("seed.txt", content_hash="h-seed")
    hashes = {f"{i}.txt": f"h{i}" for i in range(2000)}

    def reconcile():
        for _ in range(20):
            store.reconcile(hashes)

    workers = [threading.Thread(target=reconcile) for _ in range(2)]
    for worker in workers:
        worker.start()
    for i in range(300):
        store.set_read(f"{i}.txt", content_hash=f"h{i}")
    for worker in workers:
        worker.join()
    assert not store.notices
    assert store.read_paths() == {"seed.txt"} | {f"{i}.txt" for i in range(300)}


def test_a_killed_writer_loses_at_most_the_last_mark(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for round_ in range(4):
        writer = _writer(corpus, f"r{round_}", 100000)
        acknowledged = -1
        while acknowledged < 50 + round_ * 37:
            acknowledged = int(writer.stdout.readline())
        writer.send_signal(signal.SIGKILL)  # while it is still writing marks
        writer.wait()
        store = StateStore(corpus)
        marks = {p for p in store.read_paths() if p.startswith(f"r{round_}-")}
        # Every mark the writer had finished (and said so) is there, and nothing is damaged.
        assert {f"r{round_}-{i}.txt" for i in range(acknowledged + 1)} <= marks
        assert not store.notices
        store.close()


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
    backups = list(tmp_path.glob("state.sqlite3.corrupt-*"))
    assert backups and backups[0].read_bytes().startswith(b"this is not a database")


def test_damage_inside_the_file_is_found_at_open(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    db = tmp_path / "state.sqlite3"
    with StateStore(corpus, db) as store:
        for i in range(2000):
            store.set_read(f"article-{i}.txt", content_hash=f"h{i}")
    data = bytearray(db.read_bytes())
    assert not Path(f"{db}-wal").exists() or Path(f"{db}-wal").stat().st_size == 0
    page = int.from_bytes(data[16:18], "big")
    data[page * 2 : page * 6] = b"\xa5" * (page * 4)  # garbage pages, header intact
    db.write_bytes(bytes(data))
    store = StateStore(corpus, db)
    assert "damaged" in store.notices[0] and not store.in_memory
    assert store.read_paths() == set()
    assert len(list(tmp_path.glob("state.sqlite3.corrupt-*"))) == 1


def test_two_instances_meeting_a_damaged_file_set_it_aside_once(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    with StateStore(corpus) as store:
        db = store.path
    db.write_bytes(b"garbage " * 1000)
    writers = [_writer(corpus, name, 50) for name in ("left", "right")]
    for writer in writers:
        _, err = writer.communicate(timeout=120)
        assert writer.returncode == 0, err
    # Neither renamed away the fresh database the other had made and was writing to.
    assert len(list(db.parent.glob("state.sqlite3.corrupt-*"))) == 1
    marks = StateStore(corpus).read_paths()
    assert marks == {f"{side}-{i}.txt" for side in ("left", "right") for i in range(50)}


def test_a_database_from_a_newer_reader_is_left_alone(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    db = tmp_path / "state.sqlite3"
    StateStore(corpus, db).set_read("a.txt")
    with sqlite3.connect(db) as raw:
        raw.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    raw.close()
    store = StateStore(corpus, db)
    assert store.in_memory and "newer version" in store.notices[0]
    assert not list(tmp_path.glob("*.corrupt-*"))
    store.close()
    with sqlite3.connect(db) as raw:
        assert raw.execute("SELECT path FROM marks").fetchall() == [("a.txt",)]
    raw.close()


def _nearly_full(tmp_path: Path, room: int = 0) -> StateStore:
    """A store holding one mark, on what is as good as a disk with ``room`` pages left."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    store = StateStore(corpus, tmp_path / "state.sqlite3")
    store.set_read("kept.txt")
    pages = store.db.execute("PRAGMA page_count").fetchone()[0]
    store.db.execute(f"PRAGMA max_page_count = {pages + room}")
    return store


def test_a_full_disk_mid_session_is_a_notice_not_a_crash(tmp_path):
    store = _nearly_full(tmp_path)
    for i in range(200):
        store.set_read(f"{'long-name-' * 20}{i}.txt")
    store.set_view("view", "unread")
    assert len(store.notices) == 1 and "full" in store.notices[0]
    assert "kept.txt" in store.read_paths()


def test_an_unwritable_place_falls_back_to_memory(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    store = StateStore(corpus, blocker / "state.sqlite3")
    assert store.in_memory
    assert "in memory" in store.notices[0]
    store.set_read("a.txt")
    store.set_view("view", "starred")
    assert store.is_read("a.txt") and store.get_view("view") == "starred"


def test_content_hash_is_the_files_bytes(tmp_path):
    article = tmp_path / "a.txt"
    article.write_bytes(b"Title\n\nBody\n")
    assert file_hash(article) == content_hash(b"Title\n\nBody\n") != content_hash(b"Title\n")
    assert len(content_hash(b"")) == 16
    assert file_hash(tmp_path / "missing.txt") is None


def test_marks_follow_a_renamed_file(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    store = StateStore(corpus)
    store.set_read("old.txt", content_hash=content_hash(b"same bytes"))
    store.set_starred("old.txt", content_hash=content_hash(b"same bytes"))
    store.set_read("kept.txt", content_hash="h-kept")
    current = {"new.txt": content_hash(b"same bytes"), "other.txt": content_hash(b"other"),
               "kept.txt": "h-kept"}
    assert store.needs_reconcile(current)
    assert store.reconcile(current) == 1
    assert store.read_paths() == {"new.txt", "kept.txt"}
    assert store.starred_paths() == {"new.txt"}
    # Moved, not copied: nothing is left under the old name, so there is no more work.
    assert not store.needs_reconcile(current)
    assert store.reconcile(current) == 0
    store.close()
    assert StateStore(corpus).read_paths() == {"new.txt", "kept.txt"}


def test_a_mark_saved_without_a_hash_gets_one_and_can_follow_later(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    store = StateStore(corpus)
    store.set_starred("a.txt")  # no hash known when it was starred
    assert store.needs_reconcile(["a.txt"])
    assert store.reconcile({"a.txt": "h-a"}) == 0
    assert not store.needs_reconcile(["a.txt"])
    assert store.reconcile({"b.txt": "h-a"}) == 1
    assert store.starred_paths() == {"b.txt"}


def test_an_edited_article_is_followed_by_its_new_content(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    store = StateStore(corpus)
    store.set_read("a.txt", content_hash="before")
    store.reconcile({"a.txt": "after"})  # edited in place: still read, hash brought up to date
    assert store.reconcile({"renamed.txt": "after"}) == 1
    assert store.read_paths() == {"renamed.txt"}


def test_marks_follow_a_moved_corpus(tmp_path):
    old, new = tmp_path / "old", tmp_path / "new"
    old.mkdir()
    new.mkdir()
    first = StateStore(old)
    first.set_read("a.txt", content_hash="h-a")
    first.set_starred("b.txt", content_hash="h-b")
    first.set_read("sub/d.txt", content_hash="h-d")
    second = StateStore(new)
    assert second.needs_reconcile(["a.txt", "b.txt"])
    hashes = {"a.txt": "h-a", "b.txt": "h-b", "c.txt": "h-c", "renamed/d.txt": "h-d"}
    assert second.reconcile(hashes) == 3
    assert second.read_paths() == {"a.txt", "renamed/d.txt"}
    assert second.starred_paths() == {"b.txt"}
    assert not second.needs_reconcile(hashes)
    # Copied, not taken: the old folder (if it is still there) keeps its marks.
    assert first.read_paths() == {"a.txt", "sub/d.txt"}


def test_a_corpus_with_marks_of_its_own_takes_none_from_others(tmp_path):
    one, two = tmp_path / "one", tmp_path / "two"
    one.mkdir()
    two.mkdir()
    StateStore(one).set_read("shared.txt", content_hash="same")
    mine = StateStore(two)
    mine.set_read("gone.txt", content_hash="h-gone")  # a reason for the app to reconcile
    assert mine.reconcile({"shared.txt": "same"}) == 0
    assert mine.read_paths() == {"gone.txt"}


def test_a_new_corpus_without_shared_content_adopts_nothing(tmp_path):
    one, two = tmp_path / "one", tmp_path / "two"
    one.mkdir()
    two.mkdir()
    StateStore(one).set_read("a.txt", content_hash="h-a")
    fresh = StateStore(two)
    assert fresh.needs_reconcile(["x.txt"])
    assert fresh.reconcile({"x.txt": "h-x"}) == 0
    assert fresh.read_paths() == set()


def test_an_article_still_in_place_keeps_its_own_marks(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    store = StateStore(corpus)
    store.set_read("a.txt", content_hash="same")
    # A copy of a.txt appears: it is a different article and starts unread.
    assert store.reconcile({"a.txt": "same", "copy.txt": "same"}) == 0
    assert not store.is_read("copy.txt")


# --- schema 2: what daily reading needs ----------------------------------------------------

# The schema reader 0.1 wrote (user_version 1), as it was: a file made by it must open with
# every mark and setting kept.
VERSION_1 = """
CREATE TABLE marks (
    corpus TEXT NOT NULL, path TEXT NOT NULL, hash TEXT,
    read INTEGER NOT NULL DEFAULT 0, starred INTEGER NOT NULL DEFAULT 0,
    changed REAL NOT NULL, PRIMARY KEY (corpus, path)
);
CREATE INDEX marks_hash ON marks (hash);
CREATE TABLE views (
    corpus TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (corpus, key)
);
PRAGMA user_version = 1;
"""


def _version_1_file(db: Path, corpus: Path) -> None:
    with contextlib.closing(sqlite3.connect(db)) as raw:
        raw.executescript(VERSION_1)
        raw.execute("PRAGMA journal_mode = WAL")
        with raw:
            raw.executemany(
                "INSERT INTO marks (corpus, path, hash, read, starred, changed) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                [(str(corpus.resolve()), "a.txt", "h-a", 1, 0, 1.0),
                 (str(corpus.resolve()), "b.txt", "h-b", 1, 1, 2.0),
                 (str(corpus.resolve()), "c.txt", None, 0, 1, 3.0),
                 ("/elsewhere", "d.txt", "h-d", 1, 0, 4.0)])
            raw.executemany("INSERT INTO views (corpus, key, value) VALUES (?, ?, ?)",
                            [(str(corpus.resolve()), "view", '"unread"'),
                             ("*", "theme", '{"theme": "nord", "settings": null}')])


def test_a_version_1_file_is_brought_up_to_date_with_every_mark_kept(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    db = tmp_path / "state.sqlite3"
    _version_1_file(db, corpus)
    with StateStore(corpus, db) as store:
        assert not store.notices and not store.in_memory
        assert store.read_paths() == {"a.txt", "b.txt"}
        assert store.starred_paths() == {"b.txt", "c.txt"}
        assert store.get_view("view") == "unread"
        store.add_tag("a.txt", "Energy", content_hash="h-a")  # the new tables are there
        store.add_search("opec")
    assert peek_shared("theme", db) == {"theme": "nord", "settings": None}
    with contextlib.closing(sqlite3.connect(db)) as raw:
        assert raw.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 2
        assert raw.execute("SELECT count(*) FROM marks").fetchone()[0] == 4  # others' too
        assert raw.execute("SELECT hash FROM marks WHERE path = 'a.txt'").fetchone() == ("h-a",)
    with StateStore(corpus, db) as again:  # opened again: nothing is migrated twice
        assert again.tags_of("a.txt") == ["energy"] and again.search_history() == ["opec"]
        assert again.read_paths() == {"a.txt", "b.txt"}


def test_mark_many_read_in_one_go_and_undo_it(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    store = StateStore(corpus)
    store.set_read("was-read.txt")
    store.set_starred("starred.txt")
    articles = {"was-read.txt": "h1", "starred.txt": "h2", "new.txt": "h3", "other.txt": None}
    before = store.set_read_many(articles)
    assert before == {"starred.txt": False, "new.txt": False, "other.txt": False}
    assert store.read_paths() == set(articles)
    assert store.starred_paths() == {"starred.txt"}
    store.restore_read(before)
    assert store.read_paths() == {"was-read.txt"}
    assert store.starred_paths() == {"starred.txt"}
    # The hashes given came with the marks: a renamed article keeps its read mark.
    store.set_read_many(["x.txt"])
    assert store.set_read_many({"new.txt": "h3"}) == {"new.txt": False}
    assert store.reconcile({"renamed.txt": "h3", "x.txt": "hx"}) == 1
    assert store.read_paths() == {"was-read.txt", "renamed.txt", "x.txt"}
    # Unread many, too.
    assert store.set_read_many(["x.txt", "nothing.txt"], read=False) == {"x.txt": True}


def test_mark_many_read_is_all_or_nothing(tmp_path):
    store = _nearly_full(tmp_path, room=2)  # room for a few rows only
    many = [f"{'a-long-folder-name/' * 8}{i}.txt" for i in range(2000)]
    assert store.set_read_many(many) == {}  # nothing changed: nothing for undo to do
    assert store.read_paths() == {"kept.txt"}
    assert len(store.notices) == 1 and "full" in store.notices[0]


def test_an_article_reopens_where_it_was_left_until_it_changes(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    db = tmp_path / "state.sqlite3"
    with StateStore(corpus, db) as store:
        assert store.position("a.txt", "h1") is None
        store.set_position("a.txt", 1234, 0.4, content_hash="h1")
        store.set_position("b.txt", 50, 1.7, content_hash="h2")  # kept within 0..1
    store = StateStore(corpus, db)
    assert store.position("a.txt", "h1") == Position(1234, 0.4)
    assert store.position("b.txt") == Position(50, 1.0)
    assert store.position("renamed.txt", "h2") == Position(50, 1.0)  # found by its content
    assert store.position("a.txt", "edited") is None  # the article changed: dropped
    assert store.position("a.txt", "h1") is None
    store.forget_position("b.txt")
    assert store.position("b.txt", "h2") is None


def test_reading_positions_are_capped(tmp_path, monkeypatch):
    monkeypatch.setattr(state, "POSITIONS_KEPT", 3)
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    store = StateStore(corpus)
    for i in range(6):
        store.set_position(f"{i}.txt", i, 0.5)
    assert [store.position(f"{i}.txt") is not None for i in range(6)] == [False] * 3 + [True] * 3


def test_the_session_at_quit_comes_back(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    db = tmp_path / "state.sqlite3"
    with StateStore(corpus, db) as store:
        assert store.session() is None
        store.save_session(Session(article="world/a.txt", selected="world/b.txt", row=41))
    with StateStore(corpus, db) as store:
        assert store.session() == Session("world/a.txt", "world/b.txt", 41)
        store.set_view("session", {"article": 3, "row": -2})  # damaged: what can be used
        assert store.session() == Session(None, None, 0)


def test_search_history_is_most_recent_first_without_repeats_and_capped(tmp_path, monkeypatch):
    monkeypatch.setattr(state, "HISTORY_KEPT", 4)
    one, two = tmp_path / "one", tmp_path / "two"
    one.mkdir()
    two.mkdir()
    store = StateStore(one)
    for query in ("china", "opec  prices", "  ", "trade", "china", "opec prices"):
        store.add_search(query)
    assert store.search_history() == ["opec prices", "china", "trade"]
    for query in ("a", "b", "c"):
        store.add_search(query)
    assert store.search_history() == ["c", "b", "a", "opec prices"]
    assert store.search_history(limit=2) == ["c", "b"]
    store.forget_search("b")
    assert store.search_history() == ["c", "a", "opec prices"]
    assert StateStore(two).search_history() == []


def test_saved_searches_keep_their_order_and_names(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    db = tmp_path / "state.sqlite3"
    with StateStore(corpus, db) as store:
        assert store.save_search("Oil", "opec OR crude")
        assert store.save_search("Deals", "merger OR acquire")
        assert store.save_search("China", "china -tiktok")
        assert not store.save_search(" ", "x") and not store.save_search("Empty", "  ")
        assert store.save_search("Oil", "opec")  # a new query, the same place
        assert store.move_saved_search("China", 0)
        assert not store.rename_saved_search("Deals", "Oil")  # taken
        assert store.rename_saved_search("Deals", "M&A")
    with StateStore(corpus, db) as store:
        assert store.saved_searches() == [SavedSearch("China", "china -tiktok"),
                                          SavedSearch("Oil", "opec"),
                                          SavedSearch("M&A", "merger OR acquire")]
        assert store.remove_saved_search("Oil") and not store.remove_saved_search("Oil")
        assert not store.move_saved_search("Oil", 1)
        assert [saved.name for saved in store.saved_searches()] == ["China", "M&A"]


def test_tags_of_your_own(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    store = StateStore(corpus)
    assert store.add_tag("a.txt", "  Oil  Prices ", content_hash="h-a") == "oil prices"
    assert store.add_tag("a.txt", "to-read") == "to-read"
    assert store.add_tag("b.txt", "OIL prices", content_hash="h-b") == "oil prices"
    assert store.add_tag("b.txt", " , ") is None
    assert store.tags_of("a.txt") == ["oil prices", "to-read"]
    assert store.paths_tagged("Oil Prices") == {"a.txt", "b.txt"}
    assert store.paths_tagged("nothing") == set()
    assert store.tag_counts() == {"oil prices": 2, "to-read": 1}
    assert store.tags_by_path() == {"a.txt": ["oil prices", "to-read"], "b.txt": ["oil prices"]}
    assert store.remove_tag("a.txt", "TO-READ") and not store.remove_tag("a.txt", "to-read")
    assert store.tags_of("a.txt") == ["oil prices"]


def test_tags_follow_a_renamed_file_and_a_moved_corpus(tmp_path):
    old, new = tmp_path / "old", tmp_path / "new"
    old.mkdir()
    new.mkdir()
    store = StateStore(old)
    store.add_tag("a.txt", "energy", content_hash="h-a")
    store.add_tag("a.txt", "later")
    store.add_tag("b.txt", "deals")  # no hash yet: given one by the next reconcile
    current = {"renamed.txt": "h-a", "b.txt": "h-b"}
    assert store.needs_reconcile(current)
    assert store.reconcile(current) == 1
    assert store.tags_by_path() == {"renamed.txt": ["energy", "later"], "b.txt": ["deals"]}
    assert not store.needs_reconcile(current)
    moved = StateStore(new)  # the folder moved: no marks, no tags of its own yet
    assert moved.needs_reconcile(["renamed.txt", "b.txt"])
    assert moved.reconcile(current) == 2
    assert moved.paths_tagged("energy") == {"renamed.txt"}
    assert moved.paths_tagged("deals") == {"b.txt"}
    moved.forget(["b.txt"])
    assert moved.tags_by_path() == {"renamed.txt": ["energy", "later"]}


def test_the_split_is_kept_for_every_corpus_and_read_before_the_store_opens(tmp_path):
    db = tmp_path / "state.sqlite3"
    one, two = tmp_path / "one", tmp_path / "two"
    one.mkdir()
    two.mkdir()
    assert peek_split(db) == DEFAULT_SPLIT
    with StateStore(one, db) as store:
        assert store.split() == DEFAULT_SPLIT
        assert store.set_split(95) == SPLIT_RANGE[1]
        assert store.set_split(33.4) == 33
    assert peek_split(db) == 33
    with StateStore(two, db) as store:
        assert store.split() == 33
        store.set_view("split", "wide", every_corpus=True)
        assert store.split() == DEFAULT_SPLIT


def test_new_records_on_a_full_disk_are_a_notice_not_a_crash(tmp_path):
    store = _nearly_full(tmp_path)
    for i in range(300):
        name = f"{'long-name-' * 20}{i}"
        store.add_tag(f"{name}.txt", name)
        store.add_search(name)
        store.save_search(name, name)
        store.set_position(f"{name}.txt", i, 0.5)
    assert len(store.notices) == 1 and "full" in store.notices[0]
