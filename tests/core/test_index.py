"""Scanning and the on-disk index: incremental updates, recovery, schema changes, layering."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from reader.core import listing, whoosh_speedups
from reader.core.corpus import CorpusError, FileStat, diff, scan
from reader.core.index import SCHEMA_VERSION, CorpusIndex
from reader.core.paths import cache_dir


def bump(path: Path, text: str | None = None) -> None:
    """Change a file the way an editor does: new content and a later mtime."""
    if text is not None:
        path.write_text(text)
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 5_000_000_000))


def test_scan_finds_articles_and_ignores_the_rest(write_corpus):
    root = write_corpus({
        "a.txt": "A\n", "world/b.txt": "B\n", "world/europe/c.TXT": "C\n",
        "notes.md": "no", ".hidden.txt": "no", ".git/x.txt": "no",
    })
    found = scan(root)
    assert set(found.files) == {"a.txt", "world/b.txt", "world/europe/c.TXT"}
    assert found.files["a.txt"] == FileStat((root / "a.txt").stat().st_mtime_ns, 2)


def test_scan_survives_symlink_loops(write_corpus):
    root = write_corpus({"a/x.txt": "X\n"})
    (root / "a" / "loop").symlink_to(root / "a")
    found = scan(root)
    assert set(found.files) == {"a/x.txt"}
    assert "loop" in " ".join(found.problems)


def test_scan_rejects_missing_or_file_corpus(tmp_path):
    with pytest.raises(CorpusError, match="no such folder"):
        scan(tmp_path / "missing")
    (tmp_path / "file.txt").write_text("x")
    with pytest.raises(CorpusError, match="not a folder"):
        scan(tmp_path / "file.txt")


def test_diff():
    old = {"a": FileStat(1, 1), "b": FileStat(1, 1), "c": FileStat(1, 1)}
    new = {"a": FileStat(1, 1), "b": FileStat(2, 1), "d": FileStat(1, 1)}
    changes = diff(new, old)
    assert (changes.added, changes.changed, changes.removed) == (["d"], ["b"], ["c"])


def test_first_update_adds_everything_and_lives_in_the_cache(sample_corpus):
    index = CorpusIndex(sample_corpus).open()
    report = index.update()
    assert sorted(report.added) == ["madrid.txt", "world/markets.txt", "xi.txt"]
    assert index.doc_count() == 3
    assert index.dir.is_relative_to(cache_dir())
    assert not any(p.name.startswith(("ix-", "meta")) for p in sample_corpus.rglob("*"))
    entries = {e.path: e for e in index.entries()}
    assert entries["world/markets.txt"].section == "world"
    assert entries["world/markets.txt"].title == "Markets rally as trade fears ease"


def test_unchanged_files_cost_a_stat_only(sample_corpus, monkeypatch):
    index = CorpusIndex(sample_corpus).open()
    index.update()
    reads = []
    import reader.core.index as index_module

    real = index_module.read_article
    monkeypatch.setattr(index_module, "read_article", lambda *a, **k: reads.append(a) or real(*a, **k))
    report = CorpusIndex(sample_corpus).open().update()
    assert not report.changed
    assert report.unchanged == 3
    assert reads == []  # nothing was opened


def test_added_changed_and_removed_files(sample_corpus):
    index = CorpusIndex(sample_corpus).open()
    index.update()
    (sample_corpus / "new.txt").write_text("Fresh story\nabout volcanoes\n")
    bump(sample_corpus / "xi.txt", "TikTok deal revised\nnow about glaciers\n")
    (sample_corpus / "madrid.txt").unlink()
    report = index.update()
    assert report.added == ["new.txt"]
    assert report.updated == ["xi.txt"]
    assert report.removed == ["madrid.txt"]
    assert sorted(index.known()) == ["new.txt", "world/markets.txt", "xi.txt"]
    assert index.doc_count() == 3
    titles = {e.path: e.title for e in index.entries()}
    assert titles["xi.txt"] == "TikTok deal revised"


def test_a_file_that_becomes_unreadable_leaves_the_index(sample_corpus):
    index = CorpusIndex(sample_corpus).open()
    index.update()
    (sample_corpus / "xi.txt").write_bytes(bytes(range(256)) * 20)
    bump(sample_corpus / "xi.txt")
    report = index.update()
    assert "binary" in report.skipped["xi.txt"]
    assert "xi.txt" not in index.known()


def test_skipped_files_are_reported_and_the_rest_loads(write_corpus):
    root = write_corpus({"ok.txt": "Fine\nbody\n", "bin.txt": bytes(range(256)) * 10,
                         "empty.txt": "", "big.txt": "Big\n" + "x" * 5000})
    index = CorpusIndex(root, max_bytes=1000).open()
    report = index.update()
    assert report.added == ["ok.txt"]
    assert set(report.skipped) == {"bin.txt", "empty.txt", "big.txt"}
    assert "too large" in report.skipped["big.txt"]


def test_large_update_uses_the_parallel_writer_and_batches(write_corpus, monkeypatch):
    import reader.core.index as index_module

    monkeypatch.setattr(index_module, "PARALLEL_THRESHOLD", 50)
    monkeypatch.setattr(index_module, "BATCH_DOCS", 80)
    monkeypatch.setattr(index_module, "FIRST_BATCH", 30)
    root = write_corpus({f"s{i:03}.txt": f"Story {i}\nword{i} common\n" for i in range(200)})
    index = CorpusIndex(root).open()
    progress, commits = [], []
    report = index.update(progress=lambda done, total: progress.append((done, total)),
                          committed=lambda done, total: commits.append(done))
    assert len(report.added) == 200
    assert index.doc_count() == 200
    assert progress[-1] == (200, 200)
    assert commits == [30, 110, 190, 200]  # a first build's first commit comes early
    assert index._read_listing() is not None
    assert {path: tuple(row) for path, row in index.rows().items()} == stored_rows(index)
    from reader.core.search import Searcher

    assert [h.path for h in Searcher(index).search("word137").hits] == ["s137.txt"]


def test_rebuild_starts_over(sample_corpus):
    index = CorpusIndex(sample_corpus).open()
    index.update()
    first = json.loads((index.dir / "meta.json").read_text())["active"]
    report = index.update(rebuild=True)
    assert report.rebuilt
    assert len(report.added) == 3
    active = json.loads((index.dir / "meta.json").read_text())["active"]
    assert active != first
    assert [p.name for p in index.dir.glob("ix-*")] == [active]


def test_a_rebuild_leaves_the_old_index_to_readers_until_its_first_commit(sample_corpus):
    """The app's search and ``reader search`` go on answering from the old generation while
    a rebuild runs (they used to find its files deleted: "the index is damaged", and no
    results for minutes); a rebuild stopped before its first commit leaves it in place."""
    from reader.core.search import Searcher

    index = CorpusIndex(sample_corpus).open()
    index.update()
    first = json.loads((index.dir / "meta.json").read_text())["active"]
    seen = []

    def while_rebuilding(done: int, total: int) -> None:
        reader = CorpusIndex(sample_corpus).open()  # another process, say
        seen.append((json.loads((index.dir / "meta.json").read_text())["active"],
                     reader.doc_count(), [h.path for h in Searcher(reader).search("Nvidia").hits]))

    report = index.update(rebuild=True, progress=while_rebuilding)
    assert report.rebuilt and len(report.added) == 3
    madrid = [h.path for h in Searcher(index).search("Nvidia").hits]
    assert madrid and seen and all(s == (first, 3, madrid) for s in seen[:-1]), seen
    active = json.loads((index.dir / "meta.json").read_text())["active"]
    assert active != first and seen[-1][0] == active  # the last report comes after the commit
    assert [p.name for p in index.dir.glob("ix-*")] == [active]

    def stop(done: int, total: int) -> None:  # Ctrl+C before anything is written
        raise KeyboardInterrupt

    report = index.update(rebuild=True, progress=stop)
    assert report.interrupted
    assert json.loads((index.dir / "meta.json").read_text())["active"] == active
    assert [p.name for p in index.dir.glob("ix-*")] == [active]
    assert [h.path for h in Searcher(index).search("Nvidia").hits] == madrid
    assert [h.path for h in Searcher(CorpusIndex(sample_corpus).open()).search("Nvidia").hits] \
        == madrid


def test_schema_change_triggers_a_rebuild(sample_corpus):
    index = CorpusIndex(sample_corpus).open()
    index.update()
    meta_path = index.dir / "meta.json"
    meta = json.loads(meta_path.read_text())
    meta["schema"] = SCHEMA_VERSION - 1
    meta_path.write_text(json.dumps(meta))
    again = CorpusIndex(sample_corpus).open()
    assert any("format changed" in n for n in again.notices)
    report = again.update()
    assert len(report.added) == 3


def test_an_index_whose_schema_names_the_old_module_is_rebuilt_once(sample_corpus, tmp_path):
    """tests/core/data/index-schema-4: an index of the sample corpus as the version before
    wrote it, its pickled schema naming ``reader.core.engine.StemmedText`` (a module gone)."""
    import shutil

    from reader.core.search import Searcher

    folder = tmp_path / "ix"
    shutil.copytree(Path(__file__).parent / "data" / "index-schema-4", folder)
    assert b"reader.core.engine" in (folder / "ix-1" / "_MAIN_1.toc").read_bytes()
    index = CorpusIndex(sample_corpus, folder).open()
    assert index.notices == ["Rebuilding the index: the index format changed."]
    assert sorted(index.update().added) == sorted(
        ["madrid.txt", "xi.txt", "world/markets.txt"])
    assert [h.path for h in Searcher(index).search("Nvidia").hits] == ["madrid.txt"]
    tocs = list((folder / index._active).glob("_MAIN_*.toc"))
    assert len(tocs) == 1 and b"reader.core.analysis" in tocs[0].read_bytes()
    assert [p.name for p in folder.glob("ix-*")] == [index._active]  # the old one went
    again = CorpusIndex(sample_corpus, folder).open()
    assert again.notices == []
    assert again.update().unchanged == 3


@pytest.mark.parametrize("damage", ["truncate_segments", "delete_toc", "garbage_toc", "garbage_meta"])
def test_corrupt_index_is_rebuilt_never_fatal(sample_corpus, damage):
    index = CorpusIndex(sample_corpus).open()
    index.update()
    ix_dir = index.dir / json.loads((index.dir / "meta.json").read_text())["active"]
    if damage == "truncate_segments":
        for path in ix_dir.glob("*.seg"):
            path.write_bytes(b"")
        for path in ix_dir.iterdir():
            if path.suffix in (".trm", ".pst", ".fdi", ".dci", ".dcz"):
                path.write_bytes(path.read_bytes()[:10])
    elif damage == "delete_toc":
        for path in ix_dir.glob("*.toc"):
            path.unlink()
    elif damage == "garbage_toc":
        for path in ix_dir.glob("*.toc"):
            path.write_bytes(b"\x00garbage" * 10)
    else:
        (index.dir / "meta.json").write_text("{not json")
    again = CorpusIndex(sample_corpus).open()
    report = again.update()
    assert again.doc_count() == 3
    assert sorted(again.known()) == ["madrid.txt", "world/markets.txt", "xi.txt"]
    assert report.added or report.unchanged == 3


def test_index_dir_option_and_unusable_cache_falls_back_to_memory(sample_corpus, tmp_path):
    chosen = tmp_path / "my-index"
    index = CorpusIndex(sample_corpus, chosen).open()
    index.update()
    assert (chosen / "meta.json").exists()
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    memory = CorpusIndex(sample_corpus, blocker / "index").open()
    assert memory.in_memory
    assert any("in-memory" in n for n in memory.notices)
    memory.update()
    assert memory.doc_count() == 3


def test_second_updater_waits_or_reports_busy(sample_corpus):
    from reader.core.index import IndexBusy

    first = CorpusIndex(sample_corpus).open()
    second = CorpusIndex(sample_corpus).open()
    with first._update_lock():
        with pytest.raises(IndexBusy):
            second.update(lock_timeout=0.2)
    assert len(second.update().added) == 3


def test_importing_reader_under_warnings_as_errors():
    result = subprocess.run(
        [sys.executable, "-W", "error", "-c",
         "import whoosh.index, whoosh.qparser, whoosh.multiproc, reader.core.search, reader.cli"],
        capture_output=True, text=True,
    )
    assert result.returncode == 0, result.stderr


def test_only_one_whoosh_distribution_is_installed():
    from importlib.metadata import distributions

    names = sorted(d.metadata["Name"].lower() for d in distributions()
                   if "whoosh" in (d.metadata["Name"] or "").lower())
    assert names == ["whoosh-reloaded"]


NS = 1_700_000_000_000_000_000  # a fixed mtime, in nanoseconds


def test_mtime_alone_or_size_alone_marks_a_file_changed(write_corpus):
    root = write_corpus({"a.txt": "Alpha\nfirst\n", "b.txt": "Beta\nfirst\n", "c.txt": "Gamma\nsame\n"})
    for name in ("a.txt", "b.txt", "c.txt"):
        os.utime(root / name, ns=(NS, NS))
    index = CorpusIndex(root).open()
    index.update()
    os.utime(root / "a.txt", ns=(NS, NS + 1))  # touched: one nanosecond later, same bytes
    (root / "b.txt").write_text("Beta\nsecond, longer\n")  # new size, mtime put back
    os.utime(root / "b.txt", ns=(NS, NS))
    (root / "c.txt").write_text("Gamma\nsane\n")  # same size, same mtime: not looked at
    os.utime(root / "c.txt", ns=(NS, NS))
    report = index.update()
    assert report.updated == ["a.txt", "b.txt"]
    assert report.added == [] and report.removed == []
    assert report.unchanged == 1
    assert index.known()["a.txt"].mtime_ns == NS + 1
    from reader.core.search import Searcher

    assert [h.path for h in Searcher(index).search("longer").hits] == ["b.txt"]


def test_a_second_update_reads_nothing(sample_corpus, monkeypatch):
    index = CorpusIndex(sample_corpus).open()
    index.update()
    again = CorpusIndex(sample_corpus).open()
    # Nothing changed: the listing's mtimes and sizes say so; its rows are not even made.
    monkeypatch.setattr(listing.Listed, "rows", lambda self: pytest.fail("rows read"))
    monkeypatch.setattr(listing.Listed, "for_update", lambda self: pytest.fail("columns read"))
    monkeypatch.setattr(again, "_stored_rows", lambda: pytest.fail("stored fields read"))
    report = again.update()
    assert (report.added, report.updated, report.removed, report.skipped) == ([], [], [], {})
    assert report.unchanged == 3 and not report.rebuilt
    monkeypatch.undo()
    bump(sample_corpus / "xi.txt")  # one file touched: the rows are read and it is updated
    report = again.update()
    assert report.updated == ["xi.txt"] and report.unchanged == 2


def test_a_listing_with_damaged_rows_falls_back_to_the_stored_fields(sample_corpus,
                                                                     monkeypatch):
    index = CorpusIndex(sample_corpus).open()
    index.update()
    target = index.dir / index._active / listing.LISTING_FILE
    known = listing.read_listed(target, index.ix.latest_generation())
    paths, titles, sections, dates, *checked = known.columns
    assert known.rows() is not None and known.for_update() is not None
    damaged = listing.Listed(known.stats, [paths, titles, sections, ["2025-13-45"] * len(dates),
                                           *checked])
    assert damaged.rows() is None and damaged.for_update() is None
    short = listing.Listed(known.stats, [paths, titles, sections, dates, *checked[:2],
                                         checked[2][:-1]])
    assert short.for_update() is None
    bump(sample_corpus / "xi.txt")
    again = CorpusIndex(sample_corpus).open()
    stored = again._stored_rows
    read_stored = []
    monkeypatch.setattr(again, "_stored_rows", lambda: read_stored.append(1) or stored())
    monkeypatch.setattr(listing.Listed, "for_update", lambda self: None)
    report = again.update()
    assert read_stored and not report.rebuilt
    assert report.updated == ["xi.txt"] and report.unchanged == 2


def test_removed_folder_and_renamed_file(sample_corpus):
    index = CorpusIndex(sample_corpus).open()
    index.update()
    (sample_corpus / "world" / "markets.txt").unlink()
    (sample_corpus / "world").rmdir()
    (sample_corpus / "xi.txt").rename(sample_corpus / "xi-renamed.txt")
    report = index.update()
    assert report.removed == ["world/markets.txt", "xi.txt"]
    assert report.added == ["xi-renamed.txt"]
    assert sorted(index.known()) == ["madrid.txt", "xi-renamed.txt"]
    assert index.hashes()["xi-renamed.txt"]  # the content hash travels with the article


def test_a_file_that_vanishes_before_it_is_read_is_skipped(sample_corpus):
    index = CorpusIndex(sample_corpus).open()

    def progress(done: int, total: int) -> None:
        if done == 0:  # scanned, nothing read yet: the file goes away now
            (sample_corpus / "xi.txt").unlink(missing_ok=True)

    report = index.update(progress=progress)
    assert report.skipped == {"xi.txt": "vanished while being read"}
    assert sorted(report.added) == ["madrid.txt", "world/markets.txt"]
    assert index.update().skipped == {}  # next time it is simply not there


def test_an_unreadable_file_is_skipped_with_its_reason(sample_corpus, monkeypatch):
    """chmod 000 does not stop root, so the refusal is the operating system's answer, simulated."""
    real_open = os.open

    def refusing_open(file, *args, **kwargs):
        if str(file).endswith("xi.txt"):
            raise PermissionError(13, "Permission denied", str(file))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(os, "open", refusing_open)
    index = CorpusIndex(sample_corpus).open()
    report = index.update()
    assert report.skipped == {"xi.txt": "permission denied"}
    assert "xi.txt" not in index.known()


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their mode")
def test_an_unreadable_file_is_skipped_for_real(sample_corpus):
    (sample_corpus / "xi.txt").chmod(0)
    report = CorpusIndex(sample_corpus).open().update()
    assert report.skipped == {"xi.txt": "permission denied"}


def test_an_oversized_file_that_grows_leaves_the_index(sample_corpus):
    index = CorpusIndex(sample_corpus, max_bytes=1000).open()
    index.update()
    with open(sample_corpus / "xi.txt", "a") as handle:
        handle.write("more words " * 200)
    report = index.update()
    assert report.skipped["xi.txt"].startswith("too large")
    assert "xi.txt" not in index.known()


def test_schema_change_notice_and_rebuild_from_the_command_line(sample_corpus, capsys):
    from reader.cli import main

    assert main(["index", "--corpus", str(sample_corpus)]) == 0
    index = CorpusIndex(sample_corpus)
    meta = json.loads((index.dir / "meta.json").read_text())
    meta["schema"] = 1
    (index.dir / "meta.json").write_text(json.dumps(meta))
    capsys.readouterr()
    assert main(["index", "--corpus", str(sample_corpus)]) == 0
    out, err = capsys.readouterr()
    assert err.strip() == "reader: Rebuilding the index: the index format changed."
    assert out.startswith("3 added, 0 updated, 0 removed, 0 skipped, 0 unchanged")
    assert json.loads((index.dir / "meta.json").read_text())["schema"] == SCHEMA_VERSION


# --- the listing: what the list and the change check read instead of every stored field ----


def stored_rows(index: CorpusIndex) -> dict:
    """What the stored fields say, the slow way the listing stands in for."""
    with index.ix.searcher() as searcher:
        return {f["path"]: (f["title"], f["section_name"], f["date"], f["mtime_ns"], f["size"],
                            f["hash"]) for f in searcher.all_stored_fields()}


def _early_start_corpus(write_corpus, monkeypatch):
    """300 indexed articles, and settings under which 120 changed ones start the parallel
    writer during the scan (the scan reports its files twenty at a time)."""
    import reader.core.corpus as corpus_module
    import reader.core.index as index_module

    monkeypatch.setattr(index_module, "PARALLEL_THRESHOLD", 50)
    monkeypatch.setattr(index_module, "STREAM_FROM", 5)
    monkeypatch.setattr(index_module, "BATCH_DOCS", 80)  # a second batch
    monkeypatch.setattr(corpus_module, "STEP", 20)
    root = write_corpus({f"s{i:03}.txt": f"Story {i}\nword{i} common\n" for i in range(300)})
    index = CorpusIndex(root).open()
    index.update()
    for i in range(0, 300, 5)[:60]:  # every fifth article, and 60 more at the end
        bump(root / f"s{i:03}.txt", f"Story {i} revised\nrevised{i} common\n")
    for i in range(240, 300):
        bump(root / f"s{i:03}.txt", f"Story {i} revised\nrevised{i} common\n")
    (root / "s001.txt").write_bytes(bytes(range(256)) * 8)  # binary now: skipped
    (root / "s002.txt").unlink()
    return root, index


def test_an_update_starts_indexing_the_changed_files_it_finds_during_its_scan(
        write_corpus, monkeypatch):
    import reader.core.index as index_module

    root, index = _early_start_corpus(write_corpus, monkeypatch)
    scanning = []
    real_scan = index_module.scan

    def scan(*args):
        scanning.append(True)
        try:
            return real_scan(*args)
        finally:
            scanning.append(False)

    writers = []
    real_writer = CorpusIndex._writer
    monkeypatch.setattr(index_module, "scan", scan)
    monkeypatch.setattr(CorpusIndex, "_writer",
                        lambda self, count, parallel=None: writers.append(scanning[-1])
                        or real_writer(self, count, parallel))
    report = CorpusIndex(root).open().update()
    assert writers == [True, False]  # the first made while the scan went on
    changed = sorted({f"s{i:03}.txt" for i in [*range(0, 300, 5)[:60], *range(240, 300)]})
    assert report.updated == changed and report.skipped.keys() == {"s001.txt"}
    assert report.removed == ["s002.txt"] and not report.added and report.unchanged == 190
    assert index.doc_count() == 298
    assert {path: tuple(row) for path, row in index.rows().items()} == stored_rows(index)
    from reader.core.search import Searcher

    searcher = Searcher(index)
    assert [h.path for h in searcher.search("revised250").hits] == ["s250.txt"]
    assert searcher.search("word250").hits == []  # the old version went in the same commit
    assert searcher.search("common", limit=None).total == 298  # nothing twice
    assert {"revised5", "revised295"} <= set(index.lexicon.words("body").starting("revised"))


def test_an_update_stopped_during_its_scan_after_indexing_began_changes_nothing(
        write_corpus, monkeypatch):
    import multiprocessing

    from reader.core.writer import EarlyStart

    root, index = _early_start_corpus(write_corpus, monkeypatch)
    before = stored_rows(index)
    real_call = EarlyStart.__call__

    def call(self, files):
        real_call(self, files)
        if self.batch is not None and len(self.batch.fed) >= 10:
            raise KeyboardInterrupt

    monkeypatch.setattr(EarlyStart, "__call__", call)
    report = CorpusIndex(root).open().update()
    assert report.interrupted and not report.updated
    assert stored_rows(index) == before
    assert not multiprocessing.active_children()  # the writer processes went
    monkeypatch.setattr(EarlyStart, "__call__", real_call)
    report = CorpusIndex(root).open().update()
    assert len(report.updated) == 108 and index.doc_count() == 298  # 120, twelve twice


def test_the_listing_matches_the_stored_fields_after_every_kind_of_change(sample_corpus):
    index = CorpusIndex(sample_corpus).open()
    index.update()
    listing = index.dir / index._active / "listing.pickle"
    assert listing.exists()
    bump(sample_corpus / "xi.txt", "TikTok deal, revised\nNew body.\n")
    (sample_corpus / "madrid.txt").unlink()
    (sample_corpus / "new.txt").write_text("Fresh story\nBody.\n")
    index.update()
    assert index._read_listing() is not None  # the reads below come from it
    assert {path: tuple(row) for path, row in index.rows().items()} == stored_rows(index)
    assert index.rows()["xi.txt"].title == "TikTok deal, revised"
    entries = index.entries()
    assert [e.path for e in entries] == sorted(
        (e.path for e in entries), key=lambda p: (index.rows()[p].date, p), reverse=True)


def test_a_listing_from_another_commit_is_not_believed(sample_corpus):
    """A writer killed between its commit and the listing leaves an old listing behind."""
    index = CorpusIndex(sample_corpus).open()
    index.update()
    writer = index.ix.writer()  # a commit that no listing follows
    writer.delete_by_term("path", "xi.txt")
    writer.commit()
    assert index._read_listing() is None
    assert "xi.txt" not in index.known()  # from the stored fields: the truth
    assert "xi.txt" not in {e.path for e in index.entries()}
    report = index.update()  # puts xi.txt back, and the listing level with it
    assert report.added == ["xi.txt"]
    assert index._read_listing() is not None
    assert set(index.known()) == set(stored_rows(index))


def test_a_listing_that_claims_more_than_its_commit_holds_is_not_believed(sample_corpus):
    """What the index holds is what is committed, whatever the listing of that commit says
    (one written for articles a dead writer never wrote into it)."""
    index = CorpusIndex(sample_corpus).open()
    index.update()
    (sample_corpus / "new.txt").write_text("New arrival\nwith a quokka in it\n")
    rows = index.rows()
    rows["new.txt"] = index._article_reader()("new.txt")[1]  # claimed, never written
    target = index._listing_file()
    listing.write(target, index.ix.latest_generation(), rows)
    assert listing.read_rows(target, index.ix.latest_generation()) is not None
    assert "new.txt" not in index.known() and len(index.entries()) == 3
    again = CorpusIndex(sample_corpus).open()
    report = again.update()
    assert report.added == ["new.txt"]
    assert again.notices == ["Rewriting the article listing: it does not match the index."]
    from reader.core.search import Searcher

    assert [h.path for h in Searcher(again).search("quokka").hits] == ["new.txt"]


@pytest.mark.parametrize("damage", [b"", b"garbage", b"\x80\x05K\x01."])
def test_a_damaged_or_missing_listing_is_rewritten_by_the_next_update(sample_corpus, damage):
    index = CorpusIndex(sample_corpus).open()
    index.update()
    before = {path: tuple(row) for path, row in index.rows().items()}
    listing = index.dir / index._active / "listing.pickle"
    listing.write_bytes(damage)
    assert {path: tuple(row) for path, row in index.rows().items()} == before
    report = CorpusIndex(sample_corpus).open().update()  # nothing changed ...
    assert not report.changed
    assert index._read_listing() is not None  # ... but the listing is whole again
    listing.unlink()
    assert {path: tuple(row) for path, row in index.rows().items()} == before


def test_small_updates_fold_into_each_other(write_corpus):
    root = write_corpus({f"a{i}.txt": f"Story {i}\nbody word{i}\n" for i in range(10)})
    index = CorpusIndex(root).open()
    index.update()
    for round_ in range(7):  # seven small updates, a segment each
        for i in range(3):
            (root / f"r{round_}-{i}.txt").write_text(f"Round {round_}\nround{round_}x{i}\n")
        index.update()
    sizes = sorted(s.doc_count_all() for s in index.ix._segments())
    assert sizes == [10, 21], sizes  # the seventh commit took the six before it in
    assert index.doc_count() == 31
    from reader.core.search import Searcher

    assert [h.path for h in Searcher(index).search("round2x1").hits] == ["r2-1.txt"]


def test_large_segments_are_not_merged_in_the_middle_of_an_update(write_corpus, monkeypatch):
    import reader.core.index as index_module

    monkeypatch.setattr(index_module, "MAX_MERGE_DOCS", 5)  # every tier is "large" here
    root = write_corpus({f"a{i}.txt": f"Story {i}\nbody\n" for i in range(3)})
    index = CorpusIndex(root).open()
    index.update()
    for round_ in range(7):
        for i in range(3):
            (root / f"r{round_}-{i}.txt").write_text(f"Round {round_}\nbody\n")
        index.update()
    assert sorted(s.doc_count_all() for s in index.ix._segments()) == [3] * 8


@pytest.mark.skipif(whoosh_speedups.stock_requested(), reason="READER_STOCK_WHOOSH=1: Whoosh's way")
def test_writing_a_segment_does_not_stat_a_file_per_posting(write_corpus, monkeypatch):
    """Whoosh looked for a missing length column again for every posting (whoosh_speedups)."""
    from whoosh.filedb.filestore import FileStorage

    root = write_corpus({f"a{i}.txt": f"Story {i}\n" + " ".join(f"w{i}x{j}" for j in range(40))
                         for i in range(30)})
    index = CorpusIndex(root).open()
    calls = []
    original = FileStorage.file_exists
    monkeypatch.setattr(FileStorage, "file_exists",
                        lambda self, name: calls.append(name) or original(self, name))
    index.update()
    assert index.doc_count() == 30
    assert len(calls) < 100, len(calls)  # 30 articles x 40 spelling words: 1,200 before


def test_the_listing_head_and_whole_list_are_read_without_opening_the_index(write_corpus,
                                                                            monkeypatch):
    import reader.core.listing as listing

    monkeypatch.setattr(listing, "HEAD", 4)
    monkeypatch.setattr(listing, "CHUNK", 3)  # the list spans several chunks
    titles = ["delta", "Alpha", "charlie", "bravo", "echo", "foxtrot", "golf"]
    root = write_corpus({f"a{i}.txt": f"{title}\ndate: 2024-01-0{i + 1}\n\nBody {i}.\n"
                         for i, title in enumerate(titles)})
    index = CorpusIndex(root).open()
    assert listing.peek(index.dir) is None and listing.peek_head(index.dir) is None  # empty
    index.update()
    generation, count, heads = listing.peek_head(index.dir)
    assert generation == index.generation() and count == 7
    entries = index.entries()
    assert heads["date"] == entries[:4]
    assert [e.title for e in heads["title"]] == ["Alpha", "bravo", "charlie", "delta"]
    assert listing.peek(index.dir) == (generation, entries)
    assert [e.path for e in entries] == [f"a{i}.txt" for i in reversed(range(7))]
    assert {path: tuple(row) for path, row in index.rows().items()} == stored_rows(index)


def test_peeking_believes_no_listing_of_another_commit_or_a_damaged_one(sample_corpus):
    import reader.core.listing as listing

    index = CorpusIndex(sample_corpus).open()
    index.update()
    assert listing.peek(index.dir) is not None
    writer = index.ix.writer()  # a commit that no listing follows
    writer.delete_by_term("path", "xi.txt")
    writer.commit()
    assert listing.peek(index.dir) is None and listing.peek_head(index.dir) is None
    index.update()
    target = index.dir / index._active / "listing.pickle"
    whole = target.read_bytes()
    target.write_bytes(whole[: len(whole) // 2])  # the head is there, the list cut short
    assert listing.peek_head(index.dir) is not None
    assert listing.peek(index.dir) is None
    assert {e.path for e in index.entries()} == set(stored_rows(index))  # the slow way
    meta = json.loads((index.dir / "meta.json").read_text())
    (index.dir / "meta.json").write_text(json.dumps({**meta, "active": "../elsewhere"}))
    assert listing.peek_head(index.dir) is None


def test_small_writes_store_postings_uncompressed_and_large_ones_compressed(
        sample_corpus, monkeypatch):
    from reader.core import index as index_module

    index = CorpusIndex(sample_corpus).open()
    index.update()
    writer = index._writer(10)
    assert writer.codec._compression == 0
    writer.cancel()
    monkeypatch.setattr(index_module, "UNCOMPRESSED_UP_TO", 0)
    writer = index._writer(1)
    assert writer.codec._compression == 3
    writer.cancel()
    # The first segment was written uncompressed, this one compressed: read as one.
    bump(sample_corpus / "xi.txt", (sample_corpus / "xi.txt").read_text() + "\nCompressed.\n")
    assert index.update().updated == ["xi.txt"]
    from reader.core.search import Searcher

    assert [h.path for h in Searcher(index).search("compressed").hits] == ["xi.txt"]
    assert Searcher(index).search("nvidia").total >= 1


@pytest.mark.parametrize("first", ["link", "real"])
def test_a_folder_is_indexed_under_its_own_name_not_a_link_to_it(write_corpus, first):
    """A link to a folder of the corpus (absolute or not) is reported, whichever the scan
    meets first; the folder is indexed as itself, never reported as a loop."""
    root = write_corpus({"sub/a.txt": "A\n", "sub/deeper/b.txt": "B\n"})
    link = root / ("aaa" if first == "link" else "zzz")
    link.symlink_to(root / "sub")  # an absolute link
    (root / "sub" / "rel").symlink_to("deeper")  # and a relative one, to a folder below
    found = scan(root)
    assert set(found.files) == {"sub/a.txt", "sub/deeper/b.txt"}
    assert found.problems == {link.name: "symlink to a folder scanned as sub",
                              "sub/rel": "symlink to a folder scanned as sub/deeper"}


def test_a_link_to_a_folder_outside_the_corpus_is_followed(write_corpus, tmp_path):
    root = write_corpus({"a.txt": "A\n"})
    outside = tmp_path / "elsewhere"
    (outside / "deep").mkdir(parents=True)
    (outside / "deep" / "c.txt").write_text("C\n")
    (root / "linked").symlink_to(outside)
    (root / "again").symlink_to(outside / "deep")  # the same folder, by a second link
    found = scan(root)
    assert set(found.files) == {"a.txt", "again/c.txt"}  # the links in order of their names
    assert found.problems == {"linked/deep": "symlink to a folder scanned as again"}
