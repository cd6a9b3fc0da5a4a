"""Which program opens an article's link, and how: $BROWSER first, else the system's opener."""

from __future__ import annotations

import os
import stat

import pytest

from reader.core.links import NoBrowser, browser_command, link_of


@pytest.fixture
def bin_dir(tmp_path):
    """A PATH of its own: programs are found only when the test puts them there."""
    folder = tmp_path / "bin"
    folder.mkdir()

    def put(name: str) -> None:
        program = folder / name
        program.write_text("#!/bin/sh\n")
        program.chmod(program.stat().st_mode | stat.S_IEXEC)

    put.path = str(folder)
    return put


def test_a_link_is_given_as_written_or_not_at_all():
    assert link_of(" https://example.com/a?b=c ") == "https://example.com/a?b=c"
    assert link_of("www.example.com/news") == "https://www.example.com/news"
    assert link_of("gopher://example.org/1") == "gopher://example.org/1"
    for not_a_link in ("", "example.com", "--new-window", "https://a b", "-x:y"):
        assert link_of(not_a_link) is None, not_a_link


def test_browser_runs_in_the_terminal_with_the_url_last_or_for_its_placeholder(bin_dir):
    bin_dir("w3m")
    bin_dir("lynx")
    url = "https://example.com/x"
    env = {"PATH": bin_dir.path, "BROWSER": "w3m -N", "DISPLAY": ":0"}
    command = browser_command(url, env, "linux")
    assert command.argv == ["w3m", "-N", url] and command.in_terminal
    env["BROWSER"] = os.pathsep.join(["missing-browser", "lynx -dump %s"])  # the first found
    assert browser_command(url, env, "linux").argv == ["lynx", "-dump", url]
    env["BROWSER"] = "missing-browser"
    with pytest.raises(NoBrowser, match=r"\$BROWSER \(missing-browser\)"):
        browser_command(url, env, "linux")


def test_the_system_opener_runs_apart_from_the_terminal_on_a_desktop(bin_dir):
    bin_dir("xdg-open")
    url = "https://example.com/x"
    desktop = browser_command(url, {"PATH": bin_dir.path, "WAYLAND_DISPLAY": "w-0"}, "linux")
    assert desktop.argv == ["xdg-open", url] and not desktop.in_terminal
    console = browser_command(url, {"PATH": bin_dir.path}, "linux")  # a terminal browser
    assert console.in_terminal
    with pytest.raises(NoBrowser, match="set \\$BROWSER, or install open"):
        browser_command(url, {"PATH": bin_dir.path}, "darwin")
