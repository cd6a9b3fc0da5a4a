"""Shared fixtures: every test gets its own cache/data/config dirs and writes its own corpus."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

# The feeds' test server (feeds_support.py): the feed suite, the app's F and the tmux test
# of F all serve their feeds from it.
sys.path.insert(0, str(Path(__file__).resolve().parent / "feeds"))


@pytest.fixture(autouse=True)
def isolated_dirs(tmp_path_factory, monkeypatch) -> Path:
    """The index, state and settings of a test live in its own folders, never the user's."""
    home = tmp_path_factory.mktemp("home")
    for name in ("XDG_CACHE_HOME", "XDG_DATA_HOME", "XDG_CONFIG_HOME"):
        folder = home / name.lower()
        folder.mkdir()
        monkeypatch.setenv(name, str(folder))
    return home


@pytest.fixture
def server(monkeypatch):
    """A real HTTP server on 127.0.0.1 in this process; nothing else is ever asked."""
    from feeds_support import FeedServer

    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy",
                 "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    with FeedServer() as running:
        yield running


WriteCorpus = Callable[[dict[str, str | bytes]], Path]


@pytest.fixture
def write_corpus(tmp_path) -> WriteCorpus:
    """Write ``{relative path: text or bytes}`` as a corpus folder and return the folder."""

    def write(files: dict[str, str | bytes], name: str = "corpus") -> Path:
        root = tmp_path / name
        root.mkdir(exist_ok=True)
        for rel, content in files.items():
            path = root / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(content, encoding="utf-8")
        return root

    return write


SAMPLE = {
    "madrid.txt": (
        "US and China Resume Talks with Focus on TikTok Future\n"
        "MADRID - The United States and China resumed economic negotiations in Madrid.\n\n"
        "Regulators opened an examination into US chipmaker Nvidia over antitrust concerns.\n"
    ),
    "xi.txt": (
        "TikTok deal receives tacit approval from Xi\n"
        "China's leader signalled his blessing for the TikTok plan, within limits.\n\n"
        "The recommendation algorithm remains the key sticking point in the talks.\n"
    ),
    "world/markets.txt": (
        "Title: Markets rally as trade fears ease\n"
        "Date: 2025-09-15\n"
        "Source: Wire\n"
        "\n"
        "Stocks rose on Monday as investors welcomed progress in trade negotiations.\n"
    ),
}


@pytest.fixture
def sample_corpus(write_corpus) -> Path:
    return write_corpus(SAMPLE)


os.environ.setdefault("TEXTUAL_ANIMATIONS", "none")
