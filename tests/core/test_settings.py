"""Settings: values, defaults, and one notice that names every problem with its line."""

from __future__ import annotations

from pathlib import Path

from reader.core.articles import DEFAULT_MAX_BYTES
from reader.core.settings import Problem, Settings, load_settings, parse_settings

FILE = """\
# reader's settings
corpus = "~/news"
text_width = 300
colour = "blue"
scroll_animation = "yes"
max_size = "lots"
[keys]
"app.related" = "R"
"app.bakc" = "x"
'article.next_hit' = 5
text_width = 70
"""


def test_good_values_are_used():
    settings = parse_settings('corpus = "~/news"\ntheme = "nord"\ntext_width = 72\n'
                              'max_size = "2MB"\nscroll_animation = true\n'
                              '[keys]\n"app.related" = " R "\n')
    assert settings.corpus == Path("~/news").expanduser()
    assert (settings.theme, settings.text_width, settings.max_bytes) == ("nord", 72, 2 * 1024**2)
    assert settings.scroll_animation is True and settings.keys == {"app.related": "R"}
    assert settings.issues == [] and settings.notice() is None


def test_defaults_without_a_file(tmp_path):
    settings = load_settings(tmp_path / "config.toml")
    assert settings.scroll_animation is False  # a reader wants g, G and space at once
    assert (settings.text_width, settings.max_bytes, settings.keys) == (88, DEFAULT_MAX_BYTES, {})
    assert settings.notice() is None


def test_every_problem_has_its_line_and_one_notice_lists_them(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text(FILE)
    settings = load_settings(path)
    assert (settings.text_width, settings.max_bytes, settings.scroll_animation) == (
        88, DEFAULT_MAX_BYTES, False)
    assert settings.keys == {"app.related": "R", "app.bakc": "x"}
    # What only the app knows: its binding ids and themes.
    settings.unknown_bindings(["app.related", "app.back", "article.next_hit"])
    settings.add_problem("'drakula' is not a theme (ctrl+p, Theme, lists them)",
                         setting="theme", fallback="using textual-dark")
    assert settings.notice() == "\n".join([
        f"{path}: 8 problems",
        "'drakula' is not a theme (ctrl+p, Theme, lists them); using textual-dark",
        "line 3: text_width must be a whole number from 40 to 200; using 88",
        "line 4: 'colour' is not a setting (the settings: corpus, theme, text_width, max_size,"
        " scroll_animation, fetch_every, keys); ignored",
        "line 5: scroll_animation must be true or false (no quotes); using false",
        "line 6: max_size must be a size such as 10485760 or \"10MB\"; using 10MB",
        "line 9: [keys] 'app.bakc' is not one of reader's binding ids (did you mean"
        " 'app.back'?); ignored",
        "line 10: [keys] 'article.next_hit' must be given keys in quotes, such as \"n,ctrl+n\";"
        " ignored",
        "line 11: [keys] 'text_width' is a setting, not a binding id: settings go above the"
        " [keys] line; ignored",
    ])
    # For the command line: one line each, naming the file.
    assert f"{path}, line 3: text_width must be a whole number from 40 to 200; using 88" in \
        settings.problems
    assert settings.line_of("keys.app.related") == 8 and settings.line_of("corpus") == 2


def test_a_misspelt_setting_gets_a_suggestion():
    settings = parse_settings("text_widht = 70\n")
    assert [str(p) for p in settings.issues] == [
        "line 1: 'text_widht' is not a setting (did you mean 'text_width'?); ignored"]


def test_a_file_that_is_not_toml_names_the_line_and_uses_every_default(tmp_path):
    settings = parse_settings('text_width = 70\ntheme = "nord\n', tmp_path / "config.toml")
    assert settings.text_width == 88 and settings.theme is None
    assert len(settings.issues) == 1
    problem = settings.issues[0]
    assert problem.line == 2 and problem.message.startswith("not valid TOML (")
    assert "(at line" not in problem.message and problem.fallback == "using all the defaults"


def test_a_file_that_cannot_be_read_is_one_problem(tmp_path):
    path = tmp_path / "config.toml"
    path.write_bytes(b"theme = \"caf\xe9\"\n")
    assert load_settings(path).issues == [Problem(None, "not UTF-8 text", "using the defaults")]
    path.unlink()
    path.mkdir()
    settings = load_settings(path)
    assert settings.issues[0].line is None and "cannot be read" in settings.issues[0].message
    assert settings.notice() == f"{path}: 1 problem\n{settings.issues[0]}"


def test_the_notice_shows_the_home_folder_as_a_tilde(monkeypatch, tmp_path):
    monkeypatch.setenv("HOME", str(tmp_path))
    settings = Settings(path=tmp_path / ".config" / "reader" / "config.toml",
                        issues=[Problem(1, "x", "ignored")])
    assert settings.notice() == "~/.config/reader/config.toml: 1 problem\nline 1: x; ignored"
