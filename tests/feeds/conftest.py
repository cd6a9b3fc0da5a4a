"""The feed suite's server and sample feeds live in feeds_support.py, importable from here."""

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from feeds_support import FeedServer  # noqa: E402


@pytest.fixture
def server(monkeypatch):
    """A real HTTP server on 127.0.0.1 in this process; nothing else is ever asked."""
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy",
                 "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    with FeedServer() as running:
        yield running
