"""SVG snapshots of reading (pytest-textual-snapshot). Update: pytest --snapshot-update."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from app_support import make_app, settle
from test_reading import WIRE

SIZE = (120, 36)


@pytest.fixture
def wire_app(write_corpus, tmp_path):
    corpus = write_corpus({"wire/harbour.txt": WIRE})
    index_dir = Path("/tmp/reader-snapshot-index") / tmp_path.name  # a fixed path: see
    shutil.rmtree(index_dir, ignore_errors=True)  # test_snapshots.py
    yield make_app(corpus, index_dir=index_dir)
    shutil.rmtree(index_dir, ignore_errors=True)


def test_a_wire_story_reads_as_paragraphs_with_its_link_and_tags(snap_compare, wire_app):
    async def open_it(pilot):
        await settle(pilot.app, pilot)
        await pilot.press("enter")
        await settle(pilot.app, pilot)
        pilot.app.main.search_bar.input.cursor_blink = False

    assert snap_compare(wire_app, terminal_size=SIZE, run_before=open_it)
