"""Reading in a real terminal: the link to a browser, the pager's text, the place kept."""

from __future__ import annotations

import shutil
import stat
import textwrap

import pytest

pytestmark = [
    pytest.mark.tmux,
    pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed"),
]

WIRE = """\
Title: Harbour Freight to buy Delta Marine shipping unit
Date: 1987-03-02
URL: https://example.com/news/harbour-freight?id=1&x=2

Harbour Freight Lines Inc said
it has agreed to buy the coastal shipping business of <Delta
Marine Corp> for about 40 mln dlrs in cash and shares, subject
to approval by regulators.
    The company said the purchase would add eleven vessels to its
fleet and give it a route along the northern coast that it has
sought for several years.
 Reuter
"""


def fake_program(tmp_path, name: str):
    """A program that writes its arguments, then its stdin when that is not the terminal,
    to a log; returns (program, log)."""
    log = tmp_path / f"{name}.log"
    program = tmp_path / name
    program.write_text(f"#!/bin/sh\nprintf '%s\\n' \"$@\" >> '{log}'\n"
                       f"[ -t 0 ] || cat >> '{log}'\n")
    program.chmod(program.stat().st_mode | stat.S_IEXEC)
    return program, log


def test_O_runs_the_browser_with_the_link_and_o_the_pager_with_the_text_reflowed(
        terminal, write_corpus, tmp_path):
    corpus = write_corpus({"wire.txt": WIRE}, name="wire")
    browser, opened = fake_program(tmp_path, "browser")
    pager, paged = fake_program(tmp_path, "pager")
    term = terminal(size=(160, 30), corpus=corpus,
                    extra_env={"BROWSER": str(browser), "PAGER": str(pager)})
    # (Indexed first: its "Index up to date" would come over the word O leaves.)
    term.wait_for(lambda s: "● Harbour Freight" in s and "Index up to date" in s, timeout=60)
    term.keys("Enter")
    term.wait_for(lambda s: "URL   https://example.com/news/harbour-freight" in s)
    term.keys("O")
    term.wait_for(lambda s: opened.exists() and "Opened https://example.com/news/harbour" in s)
    assert opened.read_text() == "https://example.com/news/harbour-freight?id=1&x=2\n"
    term.keys("o")
    term.wait_for(lambda s: paged.exists() and "Harbour" in s)
    text = paged.read_text()
    assert "Harbour Freight Lines Inc said it has agreed to buy the" in text  # joined
    assert max(map(len, text.splitlines())) <= 88  # wrapped to the text width, not beyond
    assert "purchase would add eleven" in " ".join(text.split())
    assert "Traceback" not in term.screen()
    term.quit()


def test_an_article_reopens_at_the_line_it_was_left_on_after_a_restart(terminal, write_corpus):
    paragraphs = [textwrap.fill(f"Paragraph {n} starts here and " + " ".join(
        f"word{n}w{i}" for i in range(50)), 70) for n in range(30)]
    corpus = write_corpus({"long.txt": "Title: A long read\n\n" + "\n\n".join(paragraphs)},
                          name="long")
    term = terminal(size=(120, 36), corpus=corpus)
    term.wait_for(lambda s: "A long read" in s)
    term.keys("Enter")
    term.wait_for(lambda s: "Paragraph 0 starts" in s)
    term.keys(*["j"] * 40)
    screen = term.wait_for(lambda s: "Paragraph 0 starts" not in s)
    article_lines = [line.split("▏", 1)[1].strip() for line in screen.splitlines()[3:-3]
                     if "▏" in line]
    top = next(line for line in article_lines if line)
    term.quit()

    again = terminal(size=(120, 36), corpus=corpus)
    screen = again.wait_for(lambda s: top in s)
    article_lines = [line.split("▏", 1)[1].strip() for line in screen.splitlines()[3:-3]
                     if "▏" in line]
    assert next(line for line in article_lines if line) == top
    again.quit()
