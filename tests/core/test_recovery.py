"""A damaged index is rebuilt with a notice, whichever file is damaged and however.

Some damage shows when the index is opened, some only when a search or a merge reads the
broken file: each path must end in a working index and a one-line notice, never a traceback.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from reader.cli import main
from reader.core.index import CorpusIndex
from reader.core.search import IndexDamaged, QueryError, Searcher

EVERY = ["madrid.txt", "world/markets.txt", "xi.txt"]


def active_dir(index: CorpusIndex) -> Path:
    return index.dir / json.loads((index.dir / "meta.json").read_text())["active"]


def damage(path: Path, how: str) -> None:
    data = path.read_bytes()
    if how == "zero":
        path.write_bytes(b"")
    elif how == "half":
        path.write_bytes(data[: len(data) // 2])
    elif how == "garbage":
        path.write_bytes(b"\xff" * len(data))
    else:
        path.unlink()


def built(corpus: Path) -> CorpusIndex:
    index = CorpusIndex(corpus).open()
    index.update()
    return index


# Postings, the term table, field lengths, stored fields, the segment list.
FILES = [".pst", ".trm", "._body_len.col", "._stored.col", ".toc"]


@pytest.mark.parametrize("how", ["zero", "half", "garbage", "delete"])
@pytest.mark.parametrize("suffix", FILES)
def test_damaged_file_is_rebuilt_by_the_next_search(sample_corpus, capsys, suffix, how):
    index = built(sample_corpus)
    target = next(p for p in active_dir(index).iterdir() if p.name.endswith(suffix))
    damage(target, how)
    status = main(["search", "tiktok", "--json", "--limit", "0", "--corpus", str(sample_corpus)])
    out, err = capsys.readouterr()
    assert status == 0, err
    assert sorted(json.loads(line)["path"] for line in out.splitlines()) == ["madrid.txt", "xi.txt"]
    assert "Traceback" not in err
    # Either the damage was seen (and said) or it did not matter to this search.
    again = CorpusIndex(sample_corpus).open()
    assert again.verify() is None
    assert sorted(again.known()) == EVERY


def test_damage_found_by_a_search_says_so_and_marks_a_rebuild(sample_corpus):
    index = built(sample_corpus)
    damage(next(active_dir(index).glob("*.pst")), "half")
    with pytest.raises(IndexDamaged) as info:
        Searcher(index).search("tiktok")
    assert "index is damaged" in str(info.value) and "\n" not in str(info.value)
    assert isinstance(info.value, QueryError)  # callers showing QueryError show this too
    assert json.loads((index.dir / "meta.json").read_text())["damaged"]
    again = CorpusIndex(sample_corpus).open()
    assert any("damaged" in notice for notice in again.notices)
    report = again.update()
    assert sorted(report.added) == EVERY
    assert [h.path for h in Searcher(again).search("nvidia").hits] == ["madrid.txt"]
    assert "damaged" not in json.loads((again.dir / "meta.json").read_text())


def test_damage_found_while_updating_rebuilds_then_and_there(sample_corpus):
    index = built(sample_corpus)
    damage(next(active_dir(index).glob("*.pst")), "zero")
    xi = sample_corpus / "xi.txt"
    xi.write_text("TikTok deal revised\nnow about glaciers\n")
    os.utime(xi, ns=(1_800_000_000_000_000_000, 1_800_000_000_000_000_000))
    again = CorpusIndex(sample_corpus).open()
    report = again.update()  # deleting the old xi.txt reads the broken postings
    assert report.rebuilt
    assert any("damaged" in notice for notice in again.notices)
    assert sorted(report.added) == EVERY and report.updated == []
    assert [h.path for h in Searcher(again).search("glaciers").hits] == ["xi.txt"]


def test_index_command_survives_damage(sample_corpus, capsys):
    index = built(sample_corpus)
    damage(next(active_dir(index).glob("*.trm")), "garbage")
    assert main(["index", "--corpus", str(sample_corpus)]) == 0
    out, err = capsys.readouterr()
    assert "Rebuilding the index" in err and "Traceback" not in err
    assert "3 added" in out


def test_a_healthy_index_verifies_clean(write_corpus):
    # Empty bodies, fields no article has, several commits: none of it is damage.
    root = write_corpus({"a.txt": "Only a title\n", "b.txt": "Title: B\nSource: Wire\n\nbody\n"})
    index = built(root)
    (root / "c.txt").write_text("Another\nwith a body\n")
    index.update()
    assert index.verify() is None


def test_a_bad_query_does_not_mark_the_index_damaged(sample_corpus):
    index = built(sample_corpus)
    with pytest.raises(QueryError):
        Searcher(index).search("date:[bogus to 2025]")
    assert "damaged" not in json.loads((index.dir / "meta.json").read_text())
    assert CorpusIndex(sample_corpus).open().notices == []


@pytest.mark.parametrize(("suffix", "how"), [(".pst", "zero"), (".pst", "garbage"),
                                             ("._body_len.col", "zero"), (".trm", "half")])
def test_damage_under_an_open_index_gives_query_errors_not_tracebacks(sample_corpus, suffix, how):
    """The files break while the app has the index open: every reading call stays polite."""
    index = built(sample_corpus)
    searcher = Searcher(index)
    damage(next(p for p in active_dir(index).iterdir() if p.name.endswith(suffix)), how)
    assert searcher.related("xi.txt") == []
    for call in (lambda: searcher.search("tiktok"), lambda: searcher.search("tiktk"),
                 lambda: searcher.highlights("tiktok", "TikTok deal", "the TikTok plan")):
        try:
            call()
        except IndexDamaged as exc:
            assert "damaged" in str(exc)
    assert json.loads((index.dir / "meta.json").read_text()).get("damaged")
    again = CorpusIndex(sample_corpus).open()
    again.update()
    assert [h.path for h in Searcher(again).related("xi.txt")] == ["madrid.txt"]
