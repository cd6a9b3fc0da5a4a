"""The command line: output, JSON lines and exit statuses, in-process and as a real command."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from reader.cli import main, printable

READER = Path(sys.executable).with_name("reader")
BUNDLED = Path(__file__).resolve().parents[2] / "corpus"


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(READER), *args], capture_output=True, text=True, timeout=120)


def test_bundled_corpus_search_from_the_real_command():
    result = run("search", "tiktok", "--corpus", str(BUNDLED))
    assert result.returncode == 0, result.stderr
    assert "us-china-resume-talks-on-tiktok.txt" in result.stdout
    assert "tiktok-deal-tacit-approval-from-xi.txt" in result.stdout
    result = run("search", "Nvidia", "--json", "--corpus", str(BUNDLED))
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["path"] for line in lines] == ["us-china-resume-talks-on-tiktok.txt"]
    assert set(lines[0]) == {"path", "title", "score", "snippet", "date", "section", "url",
                             "tags"}
    assert "Nvidia" in lines[0]["snippet"] or "NVIDIA" in lines[0]["snippet"]


def test_search_defaults_to_the_bundled_corpus():
    result = run("search", "Nvidia", "--json")
    assert result.returncode == 0, result.stderr
    assert len(result.stdout.splitlines()) == 1


def test_exit_statuses(sample_corpus, capsys):
    assert main(["search", "nvidia", "--corpus", str(sample_corpus)]) == 0
    assert main(["search", "zzzzunfound", "--corpus", str(sample_corpus)]) == 1
    assert main(["search", "title:", "--corpus", str(sample_corpus)]) == 2
    assert main(["search", "x", "--corpus", str(sample_corpus / "missing")]) == 2
    err = capsys.readouterr().err
    assert "no results for 'zzzzunfound'" in err
    assert main(["search", "section:wrold", "--corpus", str(sample_corpus)]) == 1
    assert "no results for 'section:wrold': no section 'wrold' (there are world)" in (
        capsys.readouterr().err)
    assert "bad query: 'title:' needs a word after it" in err
    assert "no such folder" in err
    with pytest.raises(SystemExit) as usage:
        main(["search"])
    assert usage.value.code == 2
    with pytest.raises(SystemExit) as usage:
        main(["search", "x", "--limit", "-3"])
    assert usage.value.code == 2


def test_an_unquoted_query_of_several_words_and_a_word_left_out(sample_corpus, capsys):
    """``reader search china talks`` is one query, and ``-tiktok`` leaves a word out; it
    is not an option. Search's options still work around them."""
    corpus = ["--corpus", str(sample_corpus)]
    assert main(["search", "china", "talks", "--json", *corpus]) == 0
    both = [json.loads(line)["path"] for line in capsys.readouterr().out.splitlines()]
    assert len(both) == 2
    assert main(["search", "--json", "china", "-tiktok", *corpus]) == 1
    assert "no results for 'china -tiktok'" in capsys.readouterr().err
    for words in (["talks", "-nvidia", "--json"], ["talks", "--json", "-nvidia"],
                  ["--json", "talks", "--limit", "5", "-nvidia"]):
        assert main(["search", *words, *corpus]) == 0, words
        kept = [json.loads(line)["path"] for line in capsys.readouterr().out.splitlines()]
        assert len(kept) == 1 and kept[0] in both
    assert main(["search", "-nvidia", *corpus]) == 2
    assert "need something to leave out from" in capsys.readouterr().err
    with pytest.raises(SystemExit) as help_shown:
        main(["search", "-h"])
    assert help_shown.value.code == 0


def test_a_typo_shows_the_respelled_results_and_exact_searches_as_typed(sample_corpus, capsys):
    assert main(["search", "nvidai", "--corpus", str(sample_corpus), "--json"]) == 0
    out, err = capsys.readouterr()
    assert [json.loads(line)["path"] for line in out.splitlines()] == ["madrid.txt"]
    assert err == ("reader: showing results for 'nvidia'; search for 'nvidai' exactly instead"
                   " with --exact\n")
    assert main(["search", "nvidai", "--exact", "--corpus", str(sample_corpus)]) == 1
    out, err = capsys.readouterr()
    assert out == "" and "no results for 'nvidai'; did you mean 'nvidia'?" in err


def test_json_lines_carry_date_section_url_tags_and_a_real_score_in_any_order(write_corpus,
                                                                           capsys):
    root = write_corpus({
        "world/a.txt": "Title: Harbour reopens\nDate: 2025-03-04 10:30\nURL: https://ex.am/a\n"
                       "Tags: port, shipping\n\nThe harbour reopened after the storm.\n",
        "b.txt": "Title: Storm passes\nDate: 2025-03-05\n\nThe storm passed the harbour.\n",
    })
    assert main(["search", "harbour", "--corpus", str(root), "--json", "--sort", "date"]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [line["path"] for line in lines] == ["b.txt", "world/a.txt"]
    assert lines[1] == {
        "path": "world/a.txt", "title": "Harbour reopens", "score": lines[1]["score"],
        "snippet": "The harbour reopened after the storm.", "date": "2025-03-04T10:30:00",
        "section": "world", "url": "https://ex.am/a", "tags": ["port", "shipping"]}
    assert lines[0]["url"] == "" and lines[0]["tags"] == [] and lines[0]["section"] == ""
    main(["search", "harbour", "--corpus", str(root), "--json"])
    by_relevance = {line["path"]: line["score"] for line in map(json.loads,
                                                               capsys.readouterr().out.splitlines())}
    # The same scores whatever the order, and the title match scores higher.
    assert {line["path"]: line["score"] for line in lines} == by_relevance
    assert by_relevance["world/a.txt"] > by_relevance["b.txt"] > 0


def test_related_from_the_command_line(sample_corpus, capsys):
    corpus = ["--corpus", str(sample_corpus)]
    assert main(["related", "xi.txt", "--json", *corpus]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert lines and "xi.txt" not in [line["path"] for line in lines]
    assert set(lines[0]) == {"path", "title", "score", "snippet", "date", "section", "url",
                             "tags"}
    assert lines[0]["snippet"] and lines[0]["score"] > 0
    assert main(["related", str(sample_corpus / "xi.txt"), "--limit", "1", *corpus]) == 0
    out = capsys.readouterr().out
    assert lines[0]["title"] in out and lines[0]["path"] in out
    assert main(["related", "nothing-here.txt", *corpus]) == 2
    assert "no article 'nothing-here.txt' in" in capsys.readouterr().err


def test_related_of_a_file_in_another_folder_says_to_pass_its_corpus(sample_corpus, tmp_path,
                                                                      capsys):
    elsewhere = tmp_path / "news" / "story.txt"
    elsewhere.parent.mkdir()
    elsewhere.write_text("Story\n\nText.\n")
    assert main(["related", str(elsewhere), "--corpus", str(sample_corpus)]) == 2
    err = capsys.readouterr().err
    assert "is not in the corpus" in err and "pass --corpus" in err and err.count("\n") == 1


def test_a_missing_corpus_from_the_settings_file_names_the_file(tmp_path, capsys):
    from reader.core.paths import config_file

    config = config_file()
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(f'corpus = "{tmp_path / "gone"}"\n')
    for command in (["search", "budget"], ["index"], []):  # [] is the app: it never starts
        assert main(command) == 2
        err = capsys.readouterr().err
        assert f"{tmp_path / 'gone'}: no such folder (the corpus in {config})" in err, err
    assert main(["search", "budget", "--corpus", str(tmp_path / "other")]) == 2
    assert "(the corpus in" not in capsys.readouterr().err  # given, not from the file


def test_bad_settings_are_named_by_the_commands_too(sample_corpus, capsys):
    from reader.core.paths import config_file

    config = config_file()
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text('max_size = "lots"\n')
    assert main(["search", "nvidia", "--corpus", str(sample_corpus)]) == 0
    assert f"reader: {config}, line 1: max_size must be a size" in capsys.readouterr().err
    config.write_text("corpus = [unclosed\n")
    assert main(["index", "--corpus", str(sample_corpus)]) == 0
    assert "not valid TOML" in capsys.readouterr().err
    assert main(["index", "--corpus", str(sample_corpus), "--progress-json"]) == 0
    assert "TOML" not in capsys.readouterr().err  # for the app, which says it itself


def test_limit_sort_and_json(sample_corpus, capsys):
    main(["search", "china", "--corpus", str(sample_corpus), "--json", "--limit", "1"])
    assert len(capsys.readouterr().out.splitlines()) == 1
    main(["search", "china", "--corpus", str(sample_corpus), "--json", "--limit", "0",
          "--sort", "title"])
    titles = [json.loads(line)["title"] for line in capsys.readouterr().out.splitlines()]
    assert titles == sorted(titles, key=str.casefold) and len(titles) == 2


def test_every_hit_past_the_first_twenty_gets_its_snippet_too(write_corpus, capsys):
    """The first 20 snippets come with the search; the rest are made as each hit is printed
    (so that ``--limit 0 | head`` prints at once), not left out."""
    root = write_corpus({f"n{i:02}.txt": f"Story {i}\nSome text, then the harbour {i}.\n"
                         for i in range(45)})
    for extra in ([], ["--json"]):
        assert main(["search", "harbour", "--corpus", str(root), "--limit", "0", *extra]) == 0
        out = capsys.readouterr().out
        if extra:
            snippets = [json.loads(line)["snippet"] for line in out.splitlines()]
        else:
            snippets = [line for line in out.splitlines() if "then the harbour" in line]
        assert len(snippets) == 45 and all("then the harbour" in s for s in snippets), out


def test_plain_output_shows_title_path_and_snippet(sample_corpus, capsys):
    main(["search", "nvidia", "--corpus", str(sample_corpus)])
    out = capsys.readouterr().out
    assert "US and China Resume Talks" in out
    assert "madrid.txt" in out
    assert "chipmaker Nvidia" in out


def test_index_reports_added_updated_removed_skipped(write_corpus, capsys):
    root = write_corpus({"a.txt": "A story\nbody\n", "b.txt": "B story\nbody\n",
                         "bad.txt": bytes(range(256)) * 8})
    assert main(["index", "--corpus", str(root)]) == 0
    out = capsys.readouterr().out
    assert "2 added, 0 updated, 0 removed, 1 skipped" in out
    assert "skipped  bad.txt: binary file" in out
    (root / "b.txt").unlink()
    (root / "c.txt").write_text("C story\nbody\n")
    assert main(["index", "--corpus", str(root), "--verbose"]) == 0
    out = capsys.readouterr().out
    assert "added    c.txt" in out and "removed  b.txt" in out
    assert "1 added, 0 updated, 1 removed, 1 skipped, 1 unchanged" in out
    assert main(["index", "--corpus", str(root), "--rebuild"]) == 0
    assert "2 added" in capsys.readouterr().out


def test_index_progress_json_for_the_app(write_corpus, capsys):
    root = write_corpus({f"{i}.txt": f"Story {i}\nbody\n" for i in range(3)})
    assert main(["index", "--corpus", str(root), "--progress-json"]) == 0
    events = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert events[0] == {"event": "progress", "done": 0, "total": 3}
    assert {"event": "commit", "done": 3, "total": 3} in events  # the app reloads its list
    assert events[-1]["event"] == "done" and events[-1]["added"] == 3


def test_index_dir_option(sample_corpus, tmp_path, capsys):
    where = tmp_path / "elsewhere"
    assert main(["index", "--corpus", str(sample_corpus), "--index-dir", str(where)]) == 0
    assert (where / "meta.json").exists()
    assert str(where) in capsys.readouterr().out


def test_printable_escapes_control_characters():
    assert printable("a\x1b[2Jb\nc\u202ed") == "a\\x1b[2Jb\\nc\\u202ed"


def test_app_on_a_bad_folder_is_one_line(tmp_path):
    result = run(str(tmp_path / "nope"))
    assert result.returncode == 2
    assert result.stderr.strip() == f"reader: {tmp_path / 'nope'}: no such folder"


def test_version_and_help():
    assert run("--version").stdout.startswith("reader ")
    assert "reader search" in run("--help").stdout
    assert run("search", "--help").returncode == 0


@pytest.mark.parametrize("output", ["", "--json"])
def test_output_into_a_closed_pipe_is_quiet_and_a_success(write_corpus, output):
    """`reader search x | head -1`: more output than a pipe holds (64 KB), read no further."""
    title = "China " + "long headline words " * 20
    root = write_corpus({f"s{i:03}.txt": f"{title}{i}\nChina body.\n" for i in range(400)})
    result = subprocess.run(
        ["bash", "-c", f"'{READER}' search china --corpus '{root}' --limit 0 {output}"
                       " | head -1; exit ${PIPESTATUS[0]}"],
        capture_output=True, text=True, timeout=120,
    )
    assert result.stdout.startswith("China long headline words") or '"path"' in result.stdout
    assert result.returncode == 0 and result.stderr == "", result.stderr


def test_limit_zero_means_all_and_the_default_is_twenty(write_corpus, capsys):
    root = write_corpus({f"s{i:02}.txt": f"Story {i}\ncommon word\n" for i in range(25)})
    assert main(["search", "common", "--corpus", str(root), "--json"]) == 0
    assert len(capsys.readouterr().out.splitlines()) == 20
    assert main(["search", "common", "--corpus", str(root), "--json", "--limit", "0"]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert sorted(line["path"] for line in lines) == [f"s{i:02}.txt" for i in range(25)]
    assert all(isinstance(line["score"], float) for line in lines)
    assert main(["search", "common", "--corpus", str(root)]) == 0
    assert "20 of 25 results" in capsys.readouterr().out


def test_sort_by_date_and_relevance_in_json(write_corpus, capsys):
    root = write_corpus({
        "old.txt": "Title: Tiktok tiktok tiktok\nDate: 2020-01-01\n\ntiktok tiktok\n",
        "new.txt": "Title: Another story\nDate: 2025-01-01\n\nonce about tiktok\n",
        "mid.txt": "Title: Middle\nDate: 2022-06-01\n\ntiktok here\n",
    })
    main(["search", "tiktok", "--corpus", str(root), "--json", "--sort", "date"])
    assert [json.loads(x)["path"] for x in capsys.readouterr().out.splitlines()] == [
        "new.txt", "mid.txt", "old.txt"]
    main(["search", "tiktok", "--corpus", str(root), "--json"])
    lines = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert lines[0]["path"] == "old.txt"
    assert [x["score"] for x in lines] == sorted((x["score"] for x in lines), reverse=True)
    with pytest.raises(SystemExit) as usage:
        main(["search", "tiktok", "--sort", "size"])
    assert usage.value.code == 2


def test_json_snippet_holds_the_hit_and_no_markup(sample_corpus, capsys):
    assert main(["search", "antitrust", "--corpus", str(sample_corpus), "--json"]) == 0
    (line,) = capsys.readouterr().out.splitlines()
    hit = json.loads(line)
    assert hit["path"] == "madrid.txt"
    assert hit["title"] == "US and China Resume Talks with Focus on TikTok Future"
    assert "antitrust concerns" in hit["snippet"] and "[" not in hit["snippet"]


def test_index_reports_oversized_files_by_the_configured_cap(write_corpus, capsys):
    from reader.core.paths import config_file

    config_file().parent.mkdir(parents=True, exist_ok=True)
    config_file().write_text('max_size = "1KB"\n')
    root = write_corpus({"small.txt": "Small\nbody\n", "big.txt": "Big\n" + "word " * 400})
    assert main(["index", "--corpus", str(root)]) == 0
    out = capsys.readouterr().out
    assert "skipped  big.txt: too large (2,004 bytes; the cap is 1,024)" in out
    assert "1 added, 0 updated, 0 removed, 1 skipped" in out


def test_a_lower_cap_drops_articles_indexed_before_it(write_corpus, capsys):
    """Lowering max_size left the larger articles in the index, unchanged, for good."""
    from reader.core.paths import config_file

    root = write_corpus({"small.txt": "Small\nbody\n", "big.txt": "Big\n" + "word " * 400})
    assert main(["index", "--corpus", str(root)]) == 0
    assert "2 added" in capsys.readouterr().out
    config_file().parent.mkdir(parents=True, exist_ok=True)
    config_file().write_text('max_size = "1KB"\n')
    assert main(["index", "--corpus", str(root)]) == 0
    out = capsys.readouterr().out
    assert "skipped  big.txt: too large (2,004 bytes; the cap is 1,024)" in out
    assert "1 unchanged (1 articles indexed" in out
    assert main(["search", "word", "--corpus", str(root)]) == 1
    capsys.readouterr()
    assert main(["index", "--corpus", str(root)]) == 0  # and from then on as any big file
    assert "0 added, 0 updated, 0 removed, 1 skipped, 1 unchanged" in capsys.readouterr().out


def test_index_reports_unreadable_and_vanished_files(sample_corpus, capsys, monkeypatch):
    real_open = os.open

    def refusing_open(file, *args, **kwargs):
        if str(file).endswith("xi.txt"):
            raise PermissionError(13, "Permission denied", str(file))
        if str(file).endswith("madrid.txt"):
            raise FileNotFoundError(2, "No such file or directory", str(file))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(os, "open", refusing_open)
    assert main(["index", "--corpus", str(sample_corpus)]) == 0
    out = capsys.readouterr().out
    assert "skipped  xi.txt: permission denied" in out
    assert "skipped  madrid.txt: vanished while being read" in out
    assert "1 added, 0 updated, 0 removed, 2 skipped" in out


def test_bad_query_from_the_real_command_is_one_line_on_stderr(sample_corpus):
    result = run("search", "date:[bogus to 2025]", "--corpus", str(sample_corpus))
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("reader: bad query: ")


def test_piped_results_are_not_wrapped_and_date_order_shows_no_score(write_corpus, capsys):
    long_title = "A very long headline " * 8
    root = write_corpus({"a.txt": f"Title: {long_title}\nDate: 2025-01-01\n\n{'tiktok words ' * 40}\n"})
    assert main(["search", "tiktok", "--corpus", str(root)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == long_title.strip()  # one line, as grep wants it
    assert "score" in out[1]
    assert main(["search", "tiktok", "--corpus", str(root), "--sort", "date"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert "2025-01-01" in out[1] and "score" not in out[1]


def test_help_names_the_folder_that_is_really_opened(tmp_path, capsys):
    """The settings file's corpus when it names one, not 'the bundled sample'; --corpus of
    every command says the same."""
    from reader.core.paths import config_file

    for argv in ([], ["search", "x"], ["index"]):
        with pytest.raises(SystemExit):
            main([*argv, "--help"])
        out = " ".join(capsys.readouterr().out.split())
        assert "default: the bundled sample articles; set corpus in" in out, argv
    config = config_file()
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(f'corpus = "{tmp_path / "news"}"\n')
    for argv in ([], ["search", "x"], ["index"]):
        with pytest.raises(SystemExit):
            main([*argv, "--help"])
        out = "".join(capsys.readouterr().out.split())  # argparse breaks paths at hyphens
        assert f"default:{tmp_path / 'news'},thecorpusin{config}" in out, argv
        assert "bundled" not in out
        if argv:
            assert f"--corpusDIRthefolderof.txtarticles(default:{tmp_path}" in out


def test_a_wrong_option_of_a_command_gets_that_commands_usage(capsys):
    with pytest.raises(SystemExit) as stop:
        main(["index", "--json"])
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("usage: reader index ")
    assert "reader index: error: unrecognized arguments: --json" in err


def test_search_tags_finds_the_articles_tagged_in_the_app(write_corpus):
    from reader.core.state import StateStore

    root = write_corpus({"a.txt": "Alpha rises\nbody\n", "b.txt": "Beta falls\nbody\n"})
    StateStore(root).add_tag("b.txt", "keep")
    result = run("search", "tags:keep", "--json", "--corpus", str(root))
    assert result.returncode == 0, result.stderr
    assert [json.loads(line)["path"] for line in result.stdout.splitlines()] == ["b.txt"]
