"""Where things live: the index in the user cache dir, state and settings beside it.

Nothing here ever points inside the user's corpus folder.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from platformdirs import PlatformDirs

APP_NAME = "reader"

_dirs = PlatformDirs(APP_NAME, appauthor=False)

#: The sample articles that ship with the package (used when no folder is given).
BUNDLED_CORPUS = Path(__file__).resolve().parent.parent / "corpus"


def cache_dir() -> Path:
    return Path(_dirs.user_cache_dir)


def data_dir() -> Path:
    return Path(_dirs.user_data_dir)


def config_dir() -> Path:
    return Path(_dirs.user_config_dir)


def export_dir() -> Path:
    """Where exports go unless the user names a folder: Downloads when there is one."""
    downloads = Path(_dirs.user_downloads_dir)
    return downloads if downloads.is_dir() else Path.home()


def config_file() -> Path:
    return config_dir() / "config.toml"


def state_db() -> Path:
    return data_dir() / "state.sqlite3"


def corpus_key(corpus: Path) -> str:
    """A stable, readable folder name for one corpus: its basename plus a hash of its path."""
    resolved = str(Path(corpus).expanduser().resolve())
    digest = hashlib.sha1(resolved.encode("utf-8", "surrogateescape")).hexdigest()[:12]
    name = re.sub(r"[^A-Za-z0-9._-]+", "_", Path(resolved).name)[:40] or "root"
    return f"{name}-{digest}"


def default_index_dir(corpus: Path) -> Path:
    return cache_dir() / "indexes" / corpus_key(corpus)
