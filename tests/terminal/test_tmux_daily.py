"""Daily use in a real terminal: the restart round trip, live updates, pager and editor."""

from __future__ import annotations

import shutil
import stat

import pytest

pytestmark = [
    pytest.mark.tmux,
    pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed"),
]


def test_read_and_starred_survive_a_restart(terminal):
    term = terminal()
    term.wait_for(lambda s: "2 unread" in s)
    term.keys("Enter")  # open the first article (read after a moment)
    term.wait_for(lambda s: "1 unread" in s, timeout=10)
    term.keys("2", "j", "s", "Enter")  # back to the list (2): star and open the second
    term.wait_for(lambda s: "0 unread" in s, timeout=10)
    term.quit()

    again = terminal()
    screen = again.wait_for(lambda s: "2 articles · 0 unread" in s)
    assert "★" in screen
    again.keys("v")  # the unread view: nothing left
    again.wait_for(lambda s: "Nothing unread here" in s)
    again.quit()


def test_a_file_added_while_running_appears(terminal):
    term = terminal()
    term.wait_for(lambda s: "Index up to date" in s)
    (terminal.corpus / "breaking.txt").write_text("Volcano erupts near the capital\nLava.\n")
    # Functional, not timed (bench/ measures the delay): generous for a loaded CI machine.
    term.wait_for(lambda s: "Volcano erupts near the capital" in s, timeout=30)
    term.quit()


def test_pager_and_editor_round_trips(terminal, tmp_path):
    log = tmp_path / "handed-over.txt"
    fake = tmp_path / "fake-tool"
    # Logs its arguments, and its stdin when that is not the terminal (the pager's input).
    fake.write_text(f"#!/bin/sh\necho \"$@\" >> '{log}'\n[ -t 0 ] || cat >> '{log}'\n")
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    term = terminal(extra_env={"PAGER": str(fake), "EDITOR": f"{fake} --editor"})
    term.wait_for(lambda s: "Index up to date" in s)
    term.keys("o")
    term.wait_for(lambda s: "reader" in s and "Search" in s)  # back in the app
    term.keys("e")
    term.wait_for(lambda s: log.exists() and "--editor" in log.read_text())
    handed = log.read_text()
    assert "China signalled its blessing" in handed or "chipmaker Nvidia" in handed  # on stdin
    assert "--editor" in handed and ".txt" in handed  # the editor got the real file
    screen = term.wait_for(lambda s: "Search" in s and "unread" in s)
    assert "Traceback" not in screen
    term.keys("j")  # still answering keys
    term.quit()
