"""Hostile files and folders: each file is read or skipped with its reason; the rest loads.

Every case is built in tmp_path and run through the real ``reader index`` / ``reader search``
(and the core, where a race has to be staged at an exact point). No traceback, ever.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest
from hostile_support import (
    Background,
    assert_no_controls,
    generate_corpus,
    plain_env,
    run_reader,
    wait_for,
)

from reader.core.articles import parse_article
from reader.core.corpus import scan
from reader.core.index import CorpusIndex
from reader.core.search import Searcher

ROOT = os.geteuid() == 0
TEXT = "Héllo wörld encmarker\nThe café served naïve crème brûlée.\n"

ENCODED = {
    "utf8.txt": TEXT.encode("utf-8"),
    "utf8-bom.txt": TEXT.encode("utf-8-sig"),
    "utf16-bom.txt": TEXT.encode("utf-16"),
    "utf16le.txt": TEXT.encode("utf-16-le"),
    "utf16be.txt": TEXT.encode("utf-16-be"),
    "utf32-bom.txt": TEXT.encode("utf-32"),
    "utf32le.txt": TEXT.encode("utf-32-le"),
    "utf32be.txt": TEXT.encode("utf-32-be"),
    "latin1.txt": TEXT.encode("latin-1"),
    "cp1252.txt": (TEXT + "“quoted” – dash\n").encode("cp1252"),
}
#: Read, with the bad bytes replaced: the words around them still count.
DAMAGED = {
    "invalid-utf8.txt": b"Broken \xff\xfe\xc3 damagedmarker\nbody \xed\xa0\x80 surrogate \xc0\xaf\n",
    "truncated-utf8.txt": "Cut short damagedmarker café".encode() + b"\xe2\x82",
    "odd-utf16.txt": "Odd damagedmarker length\n".encode("utf-16") + b"\x41",
}
#: Never articles: skipped, each with a reason that says why.
UNREADABLE = {
    "binary.txt": (bytes(range(256)) * 64, "binary"),
    "png.txt": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(4000), "binary"),
    "empty.txt": (b"", "empty"),
    "whitespace.txt": (b" \n\t\n\r\n   \n\x0c\n", "empty"),
    "bom-only.txt": (b"\xef\xbb\xbf", "empty"),
    "huge.txt": (b"Huge hugemarker\n" + b"word " * 1000, "too large"),
}


def _index(corpus: Path, *extra: str, env=None):
    return run_reader("index", "--corpus", str(corpus), "--index-dir",
                      str(corpus.parent / "index"), *extra, env=env)


def _search(corpus: Path, query: str, env=None) -> list[str]:
    result = run_reader("search", query, "--json", "--limit", "0", "--corpus", str(corpus),
                        "--index-dir", str(corpus.parent / "index"), env=env)
    assert result.returncode in (0, 1), result.stderr
    return sorted(json.loads(line)["path"] for line in result.stdout.splitlines())


@pytest.mark.parametrize("name", sorted(ENCODED))
def test_every_encoding_reads_to_the_same_text(name):
    article = parse_article(ENCODED[name], name)
    assert article.title == "Héllo wörld encmarker", article.encoding
    assert article.body.startswith("The café served naïve crème brûlée.")


def test_a_corpus_of_hostile_files_loads_what_it_can(write_corpus, isolated_dirs):
    files = {**ENCODED, **DAMAGED, **{name: data for name, (data, _) in UNREADABLE.items()},
             "fine.txt": b"Fine finemarker\n"}
    corpus = write_corpus(files)
    config = Path(os.environ["XDG_CONFIG_HOME"]) / "reader" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text('max_size = "4KB"\n')

    result = _index(corpus, env=plain_env())
    assert result.returncode == 0, result.stderr
    out = result.stdout.decode()
    assert_no_controls(result.stdout + result.stderr)
    readable = len(ENCODED) + len(DAMAGED) + 1
    assert f"{readable} added," in out
    assert f"{len(UNREADABLE)} skipped" in out
    for name, (_, reason) in UNREADABLE.items():
        lines = [line for line in out.splitlines() if line.startswith(f"skipped  {name}: ")]
        assert len(lines) == 1 and reason in lines[0], (name, out)
    assert _search(corpus, "encmarker") == sorted(ENCODED)
    assert _search(corpus, "damagedmarker") == sorted(DAMAGED)
    assert _search(corpus, "finemarker") == ["fine.txt"]
    # Nothing was read as an article that should not have been, and a second run is quiet.
    again = _index(corpus)
    assert b"0 added, 0 updated, 0 removed" in again.stdout
    assert f"{readable} unchanged".encode() in again.stdout


def test_hostile_names(write_corpus, tmp_path):
    corpus = write_corpus({
        "with spaces in it.txt": "Spaces namemarker\n",
        "new\nline.txt": "Newline namemarker\n",
        "-leading-dash.txt": "Dash namemarker\n",
        "--help.txt": "Help namemarker\n",
        "sub folder/-x.txt": "Sub namemarker\n",
        "ünïcödé/日本語.txt": "Unicode namemarker\n",
        "UPPER.TXT": "Upper namemarker\n",
    })
    bad_name = os.fsencode(corpus) + b"/latin1-\xe9t\xe9.txt"
    with open(bad_name, "wb") as handle:
        handle.write(b"Bytes name namemarker\n")
    os.mkdir(os.fsencode(corpus) + b"/folder-\xff")
    with open(os.fsencode(corpus) + b"/folder-\xff/inside.txt", "wb") as handle:
        handle.write(b"Inside namemarker\n")

    result = _index(corpus)
    assert result.returncode == 0
    assert_no_controls(result.stdout + result.stderr)
    out = result.stdout.decode("utf-8")
    assert "skipped  latin1-\\xe9t\\xe9.txt: file name is not valid UTF-8 text" in out
    assert "skipped  folder-\\xff/inside.txt: file name is not valid UTF-8 text" in out
    assert "7 added" in out
    assert _search(corpus, "namemarker") == sorted([
        "with spaces in it.txt", "new\nline.txt", "-leading-dash.txt", "--help.txt",
        "sub folder/-x.txt", "ünïcödé/日本語.txt", "UPPER.TXT"])


def test_corpus_folder_with_hostile_name(tmp_path):
    corpus = Path(os.fsdecode(os.fsencode(tmp_path) + b"/corpus \xff\n\x1b[2J-name"))
    corpus.mkdir()
    (corpus / "a.txt").write_text("Inside oddrootmarker\n")
    result = run_reader("index", "--corpus", corpus)  # the default index dir, in the cache
    assert result.returncode == 0, result.stderr
    assert_no_controls(result.stdout + result.stderr)
    found = run_reader("search", "oddrootmarker", "--json", "--corpus", corpus)
    assert [json.loads(line)["path"] for line in found.stdout.splitlines()] == ["a.txt"]


def test_symlinks_loops_and_specials(write_corpus, tmp_path):
    corpus = write_corpus({"a/x.txt": "X linkmarker\n", "real.txt": "Real linkmarker\n"})
    outside = tmp_path / "outside.txt"
    outside.write_text("Outside linkmarker\n")
    (corpus / "a" / "loop").symlink_to(corpus / "a")
    (corpus / "up").symlink_to(corpus)
    (corpus / "self.txt").symlink_to(corpus / "self.txt")
    (corpus / "ping.txt").symlink_to(corpus / "pong.txt")
    (corpus / "pong.txt").symlink_to(corpus / "ping.txt")
    (corpus / "broken.txt").symlink_to(tmp_path / "nowhere.txt")
    (corpus / "alias.txt").symlink_to(corpus / "real.txt")
    (corpus / "outside.txt").symlink_to(outside)
    (corpus / "zero.txt").symlink_to("/dev/zero")
    (corpus / "folder.txt").mkdir()
    os.mkfifo(corpus / "fifo.txt")

    result = _index(corpus)
    assert result.returncode == 0
    out = result.stdout.decode()
    for name in ("a/loop", "up", "self.txt", "ping.txt", "pong.txt", "broken.txt"):
        assert f"skipped  {name}: " in out, (name, out)
    assert "skipped  fifo.txt: not a regular file" in out
    assert "skipped  zero.txt: not a regular file" in out
    assert _search(corpus, "linkmarker") == ["a/x.txt", "alias.txt", "outside.txt", "real.txt"]


def test_missing_or_file_corpus_is_one_line_and_status_2(tmp_path):
    (tmp_path / "file.txt").write_text("not a folder\n")
    for corpus, reason in ((tmp_path / "missing", b"no such folder"),
                           (tmp_path / "file.txt", b"not a folder"),
                           (tmp_path / "missing\n\x1b[2J", b"no such folder")):
        for command in (["index"], ["search", "x"]):
            result = run_reader(*command, "--corpus", corpus)
            assert result.returncode == 2, (command, result)
            assert result.stdout == b""
            assert result.stderr.count(b"\n") == 1 and reason in result.stderr, result.stderr
            assert_no_controls(result.stderr)
    result = run_reader(tmp_path / "missing")  # the app's own entry point
    assert result.returncode == 2 and result.stderr.count(b"\n") == 1


@pytest.mark.skipif(ROOT, reason="root reads files whatever their mode")
def test_unreadable_files_and_folders(write_corpus):
    corpus = write_corpus({"open.txt": "Open permmarker\n", "locked.txt": "Locked permmarker\n",
                           "shut/inside.txt": "Inside permmarker\n"})
    (corpus / "locked.txt").chmod(0)
    (corpus / "shut").chmod(0)
    try:
        result = _index(corpus)
        out = result.stdout.decode()
        assert result.returncode == 0
        assert "skipped  locked.txt: permission denied" in out
        assert "skipped  shut: folder cannot be read" in out
        assert _search(corpus, "permmarker") == ["open.txt"]
        (corpus / "locked.txt").chmod(0o644)
        assert b"1 added" in _index(corpus).stdout
    finally:
        (corpus / "shut").chmod(0o755)
        (corpus / "locked.txt").chmod(0o644)


def test_unreadable_corpus_folder(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text("A\n")
    corpus.chmod(0)
    try:
        result = run_reader("index", "--corpus", corpus)
        if ROOT:  # root may read it anyway; the run must simply succeed
            assert result.returncode == 0
        else:
            assert result.returncode == 2 and b"permission denied" in result.stderr
    finally:
        corpus.chmod(0o755)


def test_files_deleted_or_rewritten_while_being_indexed(write_corpus):
    """The race staged exactly: files change between the scan and the read, and after it."""
    files = {f"f{i:04d}.txt": f"Article {i} racemarker\nbody {i}\n" for i in range(300)}
    corpus = write_corpus(files)
    index = CorpusIndex(corpus, corpus.parent / "index").open()
    vanish = ["f0100.txt", "f0200.txt", "f0299.txt"]
    rewrite_ahead = "f0250.txt"  # not read yet: read as rewritten
    rewrite_behind = "f0001.txt"  # already read: the next update must notice
    to_fifo = "f0150.txt"  # replaced by something that is not a file at all
    staged = []

    def progress(done: int, total: int) -> None:
        if done >= 50 and not staged:
            staged.append(done)
            for name in vanish:
                (corpus / name).unlink()
            (corpus / rewrite_ahead).write_text("Rewritten aheadmarker\n" + "new " * 50)
            (corpus / rewrite_behind).write_text("Rewritten behindmarker\n" + "new " * 50)
            (corpus / to_fifo).unlink()
            os.mkfifo(corpus / to_fifo)

    report = index.update(progress=progress)
    assert staged
    for name in vanish:
        assert report.skipped[name] == "vanished while being read"
    assert report.skipped[to_fifo] == "not a regular file"
    assert len(report.added) == 300 - len(vanish) - 1
    searcher = Searcher(index)
    assert [hit.path for hit in searcher.search("aheadmarker").hits] == [rewrite_ahead]

    second = index.update()
    assert second.updated == [rewrite_behind]
    assert [hit.path for hit in searcher.search("behindmarker").hits] == [rewrite_behind]
    assert set(index.known()) == set(scan(corpus).files)
    assert index.doc_count() == len(scan(corpus).files)



def test_pathological_big_files_are_indexed_in_bounded_time(write_corpus):
    words = ("alpha beta gamma delta epsilon " * 40_000).strip()  # 1.2 MB on one line
    corpus = write_corpus({
        "one-line.txt": "One line bigmarker\n" + words,
        "many-lines.txt": "Many lines bigmarker\n" + words.replace(" ", "\n"),
        "escape-soup.txt": "Soup bigmarker\n" + ("\x1b]8;;" + "a" * 3000 + " \x1b[31m word \x9b") * 150,
        "unterminated.txt": "Unterminated bigmarker\n" + ("\x1b[" + "1;" * 2000) * 100,
        "one-word.txt": "Oneword bigmarker\n" + "x" * 1_000_000,
    })
    started = time.monotonic()
    result = _index(corpus)
    assert result.returncode == 0, result.stderr
    assert b"5 added" in result.stdout
    found = _search(corpus, "bigmarker")
    assert time.monotonic() - started < 30
    assert found == sorted(["one-line.txt", "many-lines.txt", "escape-soup.txt",
                            "unterminated.txt", "one-word.txt"])


def test_folders_nested_past_the_path_length_limit(write_corpus):
    corpus = write_corpus({"top.txt": "Top deepmarker\n"})
    fd = os.open(corpus, os.O_RDONLY)
    try:
        for level in range(260):  # 260 x 21 bytes: past PATH_MAX (4096)
            os.mkdir("d" * 20, dir_fd=fd)
            inner = os.open("d" * 20, os.O_RDONLY, dir_fd=fd)
            os.close(fd)
            fd = inner
            if level in (50, 259):
                article = os.open("deep.txt", os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=fd)
                os.write(article, f"Deep {level} deepmarker\n".encode())
                os.close(article)
    finally:
        os.close(fd)
    result = _index(corpus)
    assert result.returncode == 0
    out = result.stdout.decode()
    assert "2 added" in out and "1 skipped" in out
    assert "folder cannot be read" in out or "cannot be read" in out
    assert len(_search(corpus, "deepmarker")) == 2


def test_corpus_changing_under_a_real_index_run(tmp_path):
    corpus, index_dir = tmp_path / "corpus", tmp_path / "index"
    paths = generate_corpus(corpus, 1500, seed=5)
    run = Background("index", "--corpus", corpus, "--index-dir", index_dir, "--progress-json")
    wait_for(lambda: run.progress_at_least(200) or run.proc.poll() is not None, 60, "progress")
    for rel in paths[-400:-200]:  # not read yet: vanish
        (corpus / rel).unlink()
    for rel in paths[-200:]:  # not read yet, or read already: rewritten either way
        (corpus / rel).write_text(f"Rewritten churnmarker {rel}\n\nnew text " * 3)
    for rel in paths[:100]:  # read already: rewritten after
        path = corpus / rel
        path.write_text(f"Changed after churnmarker {rel}\n")
        st = path.stat()
        os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 2_000_000_000))
    generate_corpus(corpus, 100, seed=6, start=5000)  # new, after the scan
    status, _, err = run.finished(60)
    assert status == 0, err
    result = _index(corpus)
    assert result.returncode == 0
    index = CorpusIndex(corpus, index_dir).open()
    assert set(index.known()) == set(scan(corpus).files)
    assert index.known() == scan(corpus).files
    assert index.doc_count() == 1500 - 200 + 100
    assert len(_search(corpus, "churnmarker")) == 300


@pytest.mark.parametrize("config", ["garbage", "folder", "hostile-values"])
def test_hostile_settings_file(sample_corpus, config):
    path = Path(os.environ["XDG_CONFIG_HOME"]) / "reader" / "config.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    if config == "garbage":
        path.write_bytes(bytes(random_bytes(400)))
    elif config == "folder":
        path.mkdir()
    else:
        path.write_text('corpus = "/nonexistent\\u001b[2J\\u0007"\nmax_size = "-5"\n'
                        'text_width = "\\u001b]52;c;eA==\\u0007"\n[keys]\n"x" = 5\n')
    result = run_reader("index", "--corpus", sample_corpus)
    assert result.returncode == 0 and b"3 added" in result.stdout, result.stderr
    assert_no_controls(result.stdout + result.stderr)
    default = run_reader("search", "tiktok")  # the corpus named in the settings, if any
    assert default.returncode in (0, 1, 2)
    assert_no_controls(default.stdout + default.stderr)
    if config == "hostile-values":  # each bad value named on a line, then the one error
        *named, error = default.stderr.splitlines()
        assert default.returncode == 2 and b"no such folder" in error
        assert len(named) == 3 and all(b", line " in line for line in named), named


def random_bytes(count: int) -> bytes:
    import random

    return bytes(random.Random(count).randrange(256) for _ in range(count))
