"""Faults: killed builds and updates, damaged indexes, stale locks, unwritable or full
cache dirs, two updaters at once. The next start always recovers, and then the index
holds exactly the corpus: every file once, nothing removed still there."""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hostile_support import (
    Background,
    alive,
    assert_no_controls,
    assert_same_as_fresh,
    children,
    generate_corpus,
    plain_env,
    run_reader,
    wait_for,
)

from reader.core.corpus import scan
from reader.core.index import CorpusIndex

ROOT = os.geteuid() == 0
SEED = int(os.environ.get("HOSTILE_SEED") or random.randrange(1 << 30))


def assert_exact(corpus: Path, index_dir: Path) -> CorpusIndex:
    """The index holds every scanned file once, as it is on disk now, and nothing else."""
    index = CorpusIndex(corpus, index_dir).open()
    assert not index.in_memory
    found = scan(corpus).files
    known = index.known()
    assert set(known) == set(found), (
        f"missing {sorted(set(found) - set(known))[:5]}, extra {sorted(set(known) - set(found))[:5]}")
    stale = [p for p in found if known[p] != found[p]]
    assert not stale, stale[:5]
    with index.ix.searcher() as searcher:
        paths = [fields["path"] for fields in searcher.all_stored_fields()]
        assert len(paths) == len(set(paths)) == searcher.doc_count() == len(found)
    return index


def assert_consistent(corpus: Path, index_dir: Path) -> None:
    """What a killed run left: opens, and holds no path twice (it may be behind the corpus)."""
    index = CorpusIndex(corpus, index_dir).open()
    with index.ix.searcher() as searcher:
        paths = [fields["path"] for fields in searcher.all_stored_fields()]
        assert len(paths) == len(set(paths)) == searcher.doc_count()


def wait_gone(pids: list[int], timeout: float = 10) -> None:
    wait_for(lambda: not any(alive(pid) for pid in pids), timeout,
             f"child processes {pids} to exit")


def _kill_points(rng: random.Random, total: int, count: int) -> list[object]:
    """Where to kill: before any progress, at random counts, and during the commit."""
    points: list[object] = ["start", "commit"]
    points += [rng.randrange(1, total) for _ in range(count - len(points))]
    rng.shuffle(points)
    return points


def _run_and_kill(corpus: Path, index_dir: Path, point: object, total: int,
                  *extra: str) -> str:
    run = Background("index", "--corpus", corpus, "--index-dir", index_dir, "--progress-json",
                     *extra)
    try:
        if point == "start":
            wait_for(lambda: (index_dir / "meta.json").exists() or run.proc.poll() is not None,
                     30, "the index folder to appear")
        elif point == "commit":
            wait_for(lambda: run.progress_at_least(total) or run.proc.poll() is not None, 60,
                     "the last document to be added")
        else:
            wait_for(lambda: run.progress_at_least(point) or run.proc.poll() is not None, 60,
                     f"progress {point}")
        kids = children(run.proc.pid)
        run.proc.kill()
        run.proc.wait(10)
        wait_gone(kids)  # the writer's sub-processes die with it, releasing the locks
    finally:
        if run.proc.poll() is None:
            run.proc.kill()
    events = run.events()
    return "finished" if any(e.get("event") == "done" for e in events) else str(point)


def _complete(corpus: Path, index_dir: Path) -> str:
    started = time.monotonic()
    result = run_reader("index", "--corpus", corpus, "--index-dir", index_dir, timeout=60)
    assert result.returncode == 0, result.stderr
    assert time.monotonic() - started < 30  # no waiting on a lock a dead process held
    return result.stdout.decode()


def test_sigkill_during_build_and_update_then_recover(tmp_path):
    rng = random.Random(SEED)
    corpus, index_dir = tmp_path / "corpus", tmp_path / "index"
    paths = generate_corpus(corpus, 1600, seed=SEED)
    deadline = time.monotonic() + 45
    killed = []

    for point in _kill_points(rng, 1600, 3):  # the first build, killed again and again
        if time.monotonic() > deadline:
            break
        killed.append(_run_and_kill(corpus, index_dir, point, 1600))
        assert_consistent(corpus, index_dir)
    _complete(corpus, index_dir)
    assert_exact(corpus, index_dir)

    # An update of 1,000 changes (parallel writer again), killed at random points too.
    for rel in paths[:100]:
        (corpus / rel).unlink()
    for rel in paths[100:200]:
        path = corpus / rel
        path.write_text(f"Rewritten {rel} quokkamarker\n\n" + "changed words " * 40)
        st = path.stat()
        os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 2_000_000_000))
    generate_corpus(corpus, 800, seed=SEED + 1, start=1600)
    for n, point in enumerate(_kill_points(rng, 1000, 3)):
        if time.monotonic() > deadline:
            break
        extra = ("--rebuild",) if n == 1 else ()  # one of them starting the index over
        killed.append(_run_and_kill(corpus, index_dir, point, 1000, *extra))
        assert_consistent(corpus, index_dir)
    _complete(corpus, index_dir)
    index = assert_exact(corpus, index_dir)
    assert len(scan(corpus).files) == 1600 - 100 + 800
    result = run_reader("search", "quokkamarker", "--json", "--limit", "0", "--corpus", corpus,
                        "--index-dir", index_dir)
    assert len(result.stdout.splitlines()) == 100, f"seed {SEED}"
    assert index.doc_count() == 2300
    assert len([k for k in killed if k != "finished"]) >= 3, (killed, f"seed {SEED}")
    # A killed rebuild leaves a generation folder behind; the next update clears it away.
    assert [p.name for p in index_dir.glob("ix-*")] == [_active(index_dir).name]


# --- damaged indexes ------------------------------------------------------------------------


def _active(index_dir: Path) -> Path:
    return index_dir / json.loads((index_dir / "meta.json").read_text())["active"]


def _segment_files(index_dir: Path, suffix: str) -> list[Path]:
    return sorted(p for p in _active(index_dir).iterdir() if p.name.endswith(suffix))


def _garble(path: Path, keep: float = 0.5) -> None:
    data = path.read_bytes()
    cut = int(len(data) * keep)
    path.write_bytes(data[:cut] + bytes(random.Random(cut).randrange(256) for _ in range(64)))


DAMAGE = {
    "meta-garbage": lambda d: (d / "meta.json").write_bytes(b"\x00{not json"),
    "meta-list": lambda d: (d / "meta.json").write_text("[1, 2]"),
    "meta-missing": lambda d: (d / "meta.json").unlink(),
    "meta-escapes": lambda d: (d / "meta.json").write_text(
        json.dumps({"schema": 1, "active": "../../.."})),
    "meta-old-schema": lambda d: (d / "meta.json").write_text(
        json.dumps({"schema": 0, "active": _active(d).name})),
    "active-missing": lambda d: shutil.rmtree(_active(d)),
    "toc-missing": lambda d: [p.unlink() for p in _segment_files(d, ".toc")],
    "toc-truncated": lambda d: [p.write_bytes(p.read_bytes()[:40]) for p in _segment_files(d, ".toc")],
    "toc-garbage": lambda d: [_garble(p, 0.3) for p in _segment_files(d, ".toc")],
    "terms-truncated": lambda d: [p.write_bytes(p.read_bytes()[:100]) for p in _segment_files(d, ".trm")],
    "postings-garbage": lambda d: [_garble(p, 0.5) for p in _segment_files(d, ".pst")],
    "stored-garbage": lambda d: [_garble(p, 0.2) for p in _segment_files(d, "_stored.col")],
    "lengths-empty": lambda d: [p.write_bytes(b"") for p in _segment_files(d, "_len.col")],
    "all-empty": lambda d: [p.write_bytes(b"") for p in _active(d).iterdir() if p.is_file()],
    "segment-deleted": lambda d: [p.unlink() for p in _segment_files(d, ".trm")[:1]],
}


@pytest.fixture(scope="module")
def built_index(tmp_path_factory):
    """A corpus (180 articles, two commits) and its index, copied by each test."""
    root = tmp_path_factory.mktemp("damage")
    generate_corpus(root / "corpus", 150, seed=7)
    run_reader("index", "--corpus", root / "corpus", "--index-dir", root / "index")
    generate_corpus(root / "corpus", 30, seed=8, start=150)
    run_reader("index", "--corpus", root / "corpus", "--index-dir", root / "index")
    return root


@pytest.mark.parametrize("damage", sorted(DAMAGE))
def test_damaged_index_is_rebuilt_not_fatal(built_index, tmp_path, damage):
    corpus = built_index / "corpus"
    index_dir = tmp_path / "index"
    shutil.copytree(built_index / "index", index_dir)
    DAMAGE[damage](index_dir)

    # Searching first: the search must work (and repair) whatever the damage.
    found = run_reader("search", "article", "--json", "--limit", "0", "--corpus", corpus,
                       "--index-dir", index_dir)
    assert found.returncode == 0, found.stderr
    assert len(found.stdout.splitlines()) == 180, found.stderr
    assert found.stderr.count(b"\n") <= 2, found.stderr  # a notice or two, one line each
    assert_exact(corpus, index_dir)


@pytest.mark.parametrize("damage", ["toc-garbage", "postings-garbage", "terms-truncated"])
def test_damaged_index_is_rebuilt_by_index_first(built_index, tmp_path, damage):
    corpus = built_index / "corpus"
    index_dir = tmp_path / "index"
    shutil.copytree(built_index / "index", index_dir)
    DAMAGE[damage](index_dir)
    indexed = run_reader("index", "--corpus", corpus, "--index-dir", index_dir)
    assert indexed.returncode == 0, indexed.stderr
    assert_exact(corpus, index_dir)


# --- damaged derived files: the word lists and the listing ------------------------------------

#: Words found in one article each: a word list lost loses them for good.
DERIVED_QUERIES = ("zeta*", "omega*", "market", "zeta0042", "omega01*")


def _derived_corpus(root: Path, start: int, count: int) -> None:
    for i in range(start, start + count):
        path = root / f"s{i % 3}" / f"a{i:04d}.txt"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"Report zeta{i:04d} on the market\n\nThe body names omega{i:04d}.\n")


@pytest.fixture(scope="module")
def derived_index(tmp_path_factory):
    """An index of two commits, each with words of its own in its word lists."""
    root = tmp_path_factory.mktemp("derived")
    _derived_corpus(root / "corpus", 0, 90)
    run_reader("index", "--corpus", root / "corpus", "--index-dir", root / "index")
    _derived_corpus(root / "corpus", 90, 60)
    run_reader("index", "--corpus", root / "corpus", "--index-dir", root / "index")
    return root


def _derived_file(index_dir: Path, which: str) -> Path:
    if which == "listing":
        return _active(index_dir) / "listing.pickle"
    words = _active(index_dir) / "words"
    if which == "record":
        return words / "files.json"
    field, number = which.split("-")  # the word list of a field, of the first or last commit
    return sorted(words.glob(f"*.{field}.words"))[int(number)]


def _garble_in_place(path: Path) -> None:
    """Bytes changed in the middle, the size kept."""
    data = bytearray(path.read_bytes())
    middle = len(data) // 2
    data[middle:middle + 8] = b"\x00garble\xff"[: len(data) - middle]
    path.write_bytes(bytes(data))


DERIVED_DAMAGE = {
    "deleted": lambda p: p.unlink(),
    "truncated": lambda p: p.write_bytes(p.read_bytes()[: len(p.read_bytes()) // 3]),
    "garbled": _garble_in_place,
}


@pytest.mark.parametrize(("which", "how"), [
    ("body-0", "deleted"), ("body-0", "truncated"), ("body-0", "garbled"),
    ("body-1", "truncated"), ("title-0", "garbled"), ("title-1", "deleted"),
    ("record", "garbled"), ("listing", "truncated"),
])  # every file and every damage; bench/faults.py damages every file every way
def test_a_damaged_word_list_or_listing_is_found_and_rebuilt(derived_index, tmp_path, which,
                                                             how):
    corpus, index_dir = derived_index / "corpus", tmp_path / "index"
    shutil.copytree(derived_index / "index", index_dir)
    assert len(list((_active(index_dir) / "words").glob("*.words"))) == 4  # two a commit
    DERIVED_DAMAGE[how](_derived_file(index_dir, which))
    result = run_reader("index", "--corpus", corpus, "--index-dir", index_dir)
    assert result.returncode == 0, result.stderr
    notice = "Rewriting the article listing" if which == "listing" else \
        "Rebuilding the word lists"
    assert result.stderr.count(b"\n") == 1 and notice.encode() in result.stderr, result.stderr
    assert b"150 unchanged" in result.stdout
    assert_same_as_fresh(corpus, index_dir, tmp_path, DERIVED_QUERIES)
    again = CorpusIndex(corpus, index_dir).open()
    assert again.update().unchanged == 150 and not again.notices  # mended for good


# --- locks ----------------------------------------------------------------------------------

HOLD_LOCKS = """
import fcntl, sys, pathlib
handles = []
for name in sys.argv[1:]:
    handle = open(name, "a+b")
    fcntl.flock(handle, fcntl.LOCK_EX)
    handles.append(handle)
print("locked", flush=True)
sys.stdin.read()
"""


def _hold(*paths: Path) -> subprocess.Popen:
    holder = subprocess.Popen([sys.executable, "-c", HOLD_LOCKS, *map(str, paths)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    assert holder.stdout.readline() == b"locked\n"
    return holder


def test_stale_locks_of_a_dead_process(built_index, tmp_path):
    corpus = built_index / "corpus"
    index_dir = tmp_path / "index"
    shutil.copytree(built_index / "index", index_dir)
    active = _active(index_dir)
    # Lock files left with junk in them by a process that was then killed.
    (index_dir / "update.lock").write_bytes(b"pid 999999\n\x00\xff")
    (active / "MAIN_WRITELOCK").write_bytes(b"stale")
    holder = _hold(index_dir / "update.lock", active / "MAIN_WRITELOCK")
    holder.kill()
    holder.wait()
    (corpus / "s0" / "new.txt").write_text("New after the crash lockmarker\n")
    try:
        out = _complete(corpus, index_dir)
        assert "1 added" in out
        assert_exact(corpus, index_dir)
    finally:
        (corpus / "s0" / "new.txt").unlink()


def test_index_waits_for_a_live_updater_then_finishes(built_index, tmp_path):
    corpus = built_index / "corpus"
    index_dir = tmp_path / "index"
    shutil.copytree(built_index / "index", index_dir)
    holder = _hold(index_dir / "update.lock")
    try:
        run = Background("index", "--corpus", corpus, "--index-dir", index_dir)
        wait_for(lambda: b"waiting" in run.stderr or run.proc.poll() is not None, 20,
                 "reader index to say it waits for the lock")
        assert run.proc.poll() is None  # it waits, it does not fail or corrupt
        # A search meanwhile answers from what is there.
        found = run_reader("search", "article", "--limit", "1", "--corpus", corpus,
                           "--index-dir", index_dir)
        assert found.returncode == 0, found.stderr
    finally:
        holder.kill()
        holder.wait()
    status, out, _ = run.finished(60)
    assert status == 0
    assert_exact(corpus, index_dir)


def test_a_search_during_a_first_build_says_nothing_is_indexed_yet(tmp_path):
    """Not "no results" (a script would take that for a real answer) while another reader
    builds the index and nothing of it is committed yet."""
    corpus, index_dir = tmp_path / "corpus", tmp_path / "index"
    corpus.mkdir()
    (corpus / "a.txt").write_text("Budget talks\nThe budget talks went on.\n")
    CorpusIndex(corpus, index_dir).open()  # an empty index, as a first build begins
    holder = _hold(index_dir / "update.lock")
    try:
        found = run_reader("search", "budget", "--corpus", corpus, "--index-dir", index_dir)
    finally:
        holder.kill()
        holder.wait()
    assert found.returncode == 1
    assert b"holds no articles yet: another reader is building it" in found.stderr
    assert b"no results" not in found.stderr
    found = run_reader("search", "budget", "--corpus", corpus, "--index-dir", index_dir)
    assert found.returncode == 0 and b"Budget talks" in found.stdout


def test_two_index_runs_at_once(tmp_path):
    corpus, index_dir = tmp_path / "corpus", tmp_path / "index"
    generate_corpus(corpus, 3000, seed=SEED)
    first = Background("index", "--corpus", corpus, "--index-dir", index_dir)
    second = Background("index", "--corpus", corpus, "--index-dir", index_dir)
    third = Background("search", "article", "--limit", "1", "--corpus", corpus,
                       "--index-dir", index_dir)
    for run in (first, second):
        status, out, err = run.finished(90)
        assert status == 0, err
    status, _, err = third.finished(90)
    assert status in (0, 1), err
    assert_exact(corpus, index_dir)


# --- unwritable and full cache dirs ---------------------------------------------------------


def test_index_dir_that_cannot_exist_fails_the_index_and_searches_from_memory(sample_corpus,
                                                                               tmp_path):
    """``reader index`` cannot keep an index there: it says so and exits 1 (an index made in
    memory would be gone as it ends); ``reader search`` answers from one made in memory."""
    blocker = tmp_path / "a-file \x1b]0;title\x07"
    blocker.write_text("not a folder\n")
    index_dir = blocker / "index"
    result = run_reader("index", "--corpus", sample_corpus, "--index-dir", index_dir)
    assert result.returncode == 1, result.stderr
    assert result.stderr.startswith(b"reader: cannot update the index: the index folder")
    assert b"is unusable" in result.stderr and result.stderr.count(b"\n") == 1
    assert result.stdout == b""
    assert_no_controls(result.stdout + result.stderr)  # the folder's name is shown escaped
    found = run_reader("search", "tiktok", "--json", "--corpus", sample_corpus,
                       "--index-dir", index_dir)
    assert found.returncode == 0 and len(found.stdout.splitlines()) == 2
    assert blocker.read_text() == "not a folder\n"


@pytest.mark.skipif(ROOT, reason="root writes into read-only folders")
def test_read_only_cache_dir_fails_the_index(sample_corpus, tmp_path):
    cache = tmp_path / "cache"
    cache.mkdir()
    cache.chmod(0o555)
    try:
        result = run_reader("index", "--corpus", sample_corpus, "--index-dir", cache / "ix")
        assert result.returncode == 1 and result.stderr.count(b"\n") == 1
        assert result.stderr.startswith(b"reader: cannot update the index:")
    finally:
        cache.chmod(0o755)


@pytest.fixture
def small_filesystem(tmp_path):
    """``mount(size)``: a tmpfs of ``size`` (root with mount rights only), a cache dir that
    fills up or is made read-only (``mount.remount("ro")``), whoever the user is."""
    if not ROOT or not shutil.which("mount"):
        pytest.skip("needs root to mount a small tmpfs")
    mounted: list[Path] = []

    def mount(size: str) -> Path:
        point = tmp_path / f"fs-{len(mounted)}"
        point.mkdir()
        made = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs",
                               str(point)], capture_output=True)
        if made.returncode:
            pytest.skip(f"cannot mount a tmpfs here: {made.stderr.decode().strip()}")
        mounted.append(point)
        return point

    def remount(point: Path, mode: str) -> None:
        subprocess.run(["mount", "-o", f"remount,{mode}", str(point)], check=True)

    mount.remount = remount
    try:
        yield mount
    finally:
        for point in mounted:
            subprocess.run(["umount", "-l", str(point)], check=False)


def _fill(folder: Path, leave: int) -> Path:
    """A file that leaves ``leave`` bytes free on ``folder``'s file system."""
    filler = folder / "filler"
    with open(filler, "wb") as handle:
        handle.truncate(0)
        free = shutil.disk_usage(folder).free
        handle.write(b"\0" * max(0, free - leave))
    return filler


def _one_line(stderr: bytes) -> str:
    text = stderr.decode()
    assert text.count("\n") == 1, text
    assert "Traceback" not in text and "in-memory" not in text, text
    return text


def test_a_first_build_on_a_full_disk_fails_with_one_line(tmp_path, small_filesystem):
    corpus = tmp_path / "corpus"
    generate_corpus(corpus, 600, seed=3)
    disk = small_filesystem("256k")
    index_dir = disk / "index"
    result = run_reader("index", "--corpus", corpus, "--index-dir", index_dir)
    assert result.returncode == 1
    line = _one_line(result.stderr)
    assert "cannot update the index: No space left on device" in line, line
    assert "it holds 0 articles" in line
    assert b"added" not in result.stdout
    # What the failed write left is cleared away: the next run can at least try again.
    assert shutil.disk_usage(disk).free > 128 * 1024
    # A search has nothing on disk to answer from: it indexes in memory, and says so.
    found = run_reader("search", "article", "--json", "--limit", "0", "--corpus", corpus,
                       "--index-dir", index_dir)
    assert found.returncode == 0 and len(found.stdout.splitlines()) == 600
    assert b"in-memory index" in found.stderr and b"No space left" in found.stderr


@pytest.mark.parametrize("new", [50, 1100])  # written here, and by the writer processes
def test_a_full_disk_during_an_update_keeps_the_last_commit(tmp_path, small_filesystem, new):
    corpus = tmp_path / "corpus"
    generate_corpus(corpus, 150, seed=4)
    disk = small_filesystem("8m")
    index_dir = disk / "index"
    assert run_reader("index", "--corpus", corpus, "--index-dir", index_dir).returncode == 0
    generate_corpus(corpus, new, seed=5, start=150)
    filler = _fill(disk, 8192)
    free = shutil.disk_usage(disk).free
    result = run_reader("index", "--corpus", corpus, "--index-dir", index_dir)
    assert result.returncode == 1, result
    line = _one_line(result.stderr)
    assert "No space left on device" in line and "it holds 150 articles" in line, line
    assert shutil.disk_usage(disk).free >= free  # what it wrote is gone again
    found = run_reader("search", "article", "--json", "--limit", "0", "--corpus", corpus,
                       "--index-dir", index_dir)
    assert found.returncode == 0 and len(found.stdout.splitlines()) == 150
    assert "(searching it as it is)" in _one_line(found.stderr)
    filler.unlink()  # room again: the next run does the rest
    result = run_reader("index", "--corpus", corpus, "--index-dir", index_dir)
    assert result.returncode == 0, result.stderr
    assert f"{new:,} added".encode() in result.stdout and result.stderr == b""
    assert_same_as_fresh(corpus, index_dir, tmp_path)


def test_a_read_only_cache_with_a_good_index_is_searched_as_it_is(tmp_path, small_filesystem):
    corpus = tmp_path / "corpus"
    generate_corpus(corpus, 300, seed=6)
    disk = small_filesystem("8m")
    index_dir = disk / "index"
    assert run_reader("index", "--corpus", corpus, "--index-dir", index_dir).returncode == 0
    generate_corpus(corpus, 20, seed=7, start=300)  # not in the index: it cannot be written
    small_filesystem.remount(disk, "ro")
    found = run_reader("search", "article", "--json", "--limit", "0", "--corpus", corpus,
                       "--index-dir", index_dir)
    assert found.returncode == 0 and len(found.stdout.splitlines()) == 300  # not rebuilt
    line = _one_line(found.stderr)
    assert "cannot be written (Read-only file system); it holds 300 articles" in line, line
    result = run_reader("index", "--corpus", corpus, "--index-dir", index_dir)
    assert result.returncode == 1 and "Read-only file system" in _one_line(result.stderr)
    small_filesystem.remount(disk, "rw")
    result = run_reader("index", "--corpus", corpus, "--index-dir", index_dir)
    assert result.returncode == 0 and b"20 added" in result.stdout
    assert_same_as_fresh(corpus, index_dir, tmp_path)


def test_generation_folders_a_killed_rebuild_left_are_cleared(built_index, tmp_path):
    corpus = built_index / "corpus"
    index_dir = tmp_path / "index"
    shutil.copytree(built_index / "index", index_dir)
    active = _active(index_dir)
    shutil.copytree(active, index_dir / "ix-99")  # killed after making it, before meta.json
    (index_dir / "ix-0").mkdir()  # killed while deleting the old one
    (index_dir / "ix-0" / "_MAIN_1.toc").write_bytes(b"half")
    result = run_reader("index", "--corpus", corpus, "--index-dir", index_dir)
    assert result.returncode == 0, result.stderr
    assert [p.name for p in index_dir.glob("ix-*")] == [active.name]
    assert_exact(corpus, index_dir)


def test_an_update_follows_a_rebuild_another_process_made_meanwhile(built_index, tmp_path):
    """Opened before another instance's --rebuild, updated after it: no second rebuild."""
    corpus = built_index / "corpus"
    index_dir = tmp_path / "index"
    shutil.copytree(built_index / "index", index_dir)
    waiting = CorpusIndex(corpus, index_dir).open()
    rebuilt = run_reader("index", "--rebuild", "--corpus", corpus, "--index-dir", index_dir)
    assert rebuilt.returncode == 0, rebuilt.stderr
    report = waiting.update()
    assert not report.rebuilt and not report.added and not waiting.notices
    assert waiting._active == _active(index_dir).name
    assert waiting.doc_count() == 180
    assert_exact(corpus, index_dir)


def test_cache_home_that_is_a_file(sample_corpus, tmp_path):
    cache = tmp_path / "cache-file"
    cache.write_text("not a folder\n")
    env = plain_env(XDG_CACHE_HOME=str(cache))
    result = run_reader("index", "--corpus", sample_corpus, env=env)
    assert result.returncode == 1 and result.stderr.count(b"\n") == 1
    assert result.stderr.startswith(b"reader: cannot update the index:")
    assert cache.read_text() == "not a folder\n"
    found = run_reader("search", "nvidia", "--json", "--corpus", sample_corpus, env=env)
    assert found.returncode == 0 and len(found.stdout.splitlines()) == 1


# --- a build's processes killed, its lock file removed, its reader gone ---------------------

BUILD = 1200  # a first commit of FIRST_BATCH, then the rest, both by writer processes


@pytest.fixture(scope="module")
def build_corpus(tmp_path_factory) -> Path:
    corpus = tmp_path_factory.mktemp("build") / "corpus"
    generate_corpus(corpus, BUILD, seed=12)
    return corpus


def _writer_processes(pid: int) -> list[int]:
    """The writer processes of ``reader index`` (forked from it: the same command line)."""
    def cmdline(p: int) -> bytes:
        try:
            return Path(f"/proc/{p}/cmdline").read_bytes()
        except OSError:
            return b""

    return [kid for kid in children(pid) if cmdline(kid) == cmdline(pid)]


def test_a_writer_process_killed_mid_build_fails_the_run_in_one_line(build_corpus, tmp_path):
    """The OOM killer's way: the run says so and exits 1 at once (not 0, "1,200 added"), and
    the next run indexes what the dead process had been given."""
    index_dir = tmp_path / "index"
    run = Background("index", "--corpus", build_corpus, "--index-dir", index_dir,
                     "--progress-json")
    # Into the second batch (the first commit holds 500), its writer processes at work.
    writers = wait_for(lambda: run.proc.poll() is not None or (
        run.progress_at_least(BUILD * 3 // 5) and _writer_processes(run.proc.pid)), 60,
        "60% of the build")
    assert run.proc.poll() is None, "the build ended before a writer process could be killed"
    os.kill(writers[0], signal.SIGKILL)
    status, out, err = run.finished(30)  # noticed within seconds, not a hang
    assert status == 1, (out[-300:], err)
    assert "a writer process was killed (SIGKILL)" in _one_line(err.encode())
    assert not any(e.get("event") == "done" for e in run.events())
    assert_consistent(build_corpus, index_dir)
    _complete(build_corpus, index_dir)
    assert_same_as_fresh(build_corpus, index_dir, tmp_path)


def test_update_lock_removed_mid_run(build_corpus, tmp_path):
    """Deleted under a running update, the lock file still keeps a second one out."""
    index_dir = tmp_path / "index"
    first = Background("index", "--corpus", build_corpus, "--index-dir", index_dir,
                       "--progress-json")
    wait_for(lambda: run_started(first, index_dir), 60, "the build to begin")
    (index_dir / "update.lock").unlink()
    second = Background("index", "--corpus", build_corpus, "--index-dir", index_dir)
    first_status, _, first_err = first.finished(90)
    second_status, second_out, second_err = second.finished(90)
    assert (first_status, second_status) == (0, 0), (first_err, second_err)
    assert first_err == "" and second_err.count("\n") <= 1  # "…waiting for it…" at most
    assert f"{BUILD:,} unchanged" in second_out or f"{BUILD:,} added" in second_out
    assert_same_as_fresh(build_corpus, index_dir, tmp_path)


def run_started(run: Background, index_dir: Path) -> bool:
    return run.proc.poll() is not None or (
        (index_dir / "update.lock").exists() and run.progress_at_least(1))


def test_killed_just_after_a_commit_the_next_run_clears_what_it_left(build_corpus, tmp_path):
    index_dir = tmp_path / "index"
    run = Background("index", "--corpus", build_corpus, "--index-dir", index_dir,
                     "--progress-json")
    try:
        wait_for(lambda: list(index_dir.glob("ix-*/_MAIN_1.toc")) or run.proc.poll() is not None,
                 60, "the first commit")
        run.proc.kill()  # as the first commit's table of contents appears
        run.proc.wait(10)
    finally:
        if run.proc.poll() is None:
            run.proc.kill()
    active = _active(index_dir)
    # What a write cut short leaves, whenever the kill lands: named by a dead process.
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True).stdout.strip()
    for leftover in (active / f"listing.pickle.{gone}.tmp", index_dir / f"meta.json.{gone}.tmp",
                     active / "words" / f"1-{gone}.body.words.{gone}.tmp"):
        leftover.parent.mkdir(exist_ok=True)
        leftover.write_bytes(b"half")
    _complete(build_corpus, index_dir)
    assert not [p.name for p in index_dir.rglob("*") if p.name.endswith(".tmp")]
    assert_same_as_fresh(build_corpus, index_dir, tmp_path)


def test_the_apps_indexer_whose_reader_went_away_stops_without_an_index_in_memory(
        build_corpus, tmp_path):
    """The app killed: its indexer's next progress line meets a broken pipe. That is no
    reason to index into memory (where nobody could search it) over the index on disk."""
    index_dir = tmp_path / "index"
    proc = subprocess.Popen([str(Path(sys.executable).with_name("reader")), "index", "--corpus",
                             str(build_corpus), "--index-dir", str(index_dir), "--progress-json"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=plain_env())
    try:
        assert b'"progress"' in proc.stdout.readline()
        proc.stdout.close()  # the app is gone
        _, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert b"in-memory" not in err and b"Traceback" not in err, err
    assert_consistent(build_corpus, index_dir)
    _complete(build_corpus, index_dir)
    assert_same_as_fresh(build_corpus, index_dir, tmp_path)
