"""Settings from a TOML file in the user config dir.

A bad value gets a message naming its line and falls back to the default; a file that is
not TOML at all gets one message and every default. The app always starts.

    corpus = "~/news"          # the folder opened when none is given
    theme = "textual-dark"
    text_width = 88            # columns of article text (40-200)
    max_size = "10MB"          # files larger than this are skipped when indexing
    fetch_every = "30m"        # fetch the feeds in the background while the app is open
    [keys]                     # remap a binding id to other keys
    "article.next_hit" = "n,ctrl+n"
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from .articles import DEFAULT_MAX_BYTES
from .paths import config_file

TEXT_WIDTH_RANGE = (40, 200)
_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([KMG]?i?B?)?\s*$", re.IGNORECASE)
_UNITS = {"": 1, "B": 1, "K": 1024, "M": 1024**2, "G": 1024**3}
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|sec|m|min|h|hr|d)?\s*$", re.IGNORECASE)
_SECONDS = {"s": 1, "sec": 1, "m": 60, "min": 60, "h": 3600, "hr": 3600, "d": 86400}
#: Fetching more often than this asks too much of the feeds' servers.
MIN_FETCH_EVERY = 5 * 60


DEFAULT_THEME = "textual-dark"


@dataclass(slots=True)
class Settings:
    corpus: Path | None = None
    #: The theme the file names; None when it names none (then the last one picked in the
    #: app, or DEFAULT_THEME).
    theme: str | None = None
    text_width: int = 88
    max_bytes: int = DEFAULT_MAX_BYTES
    keys: dict[str, str] = field(default_factory=dict)
    #: Seconds between background fetches of the feeds in the app; None: only on request.
    fetch_every: float | None = None
    path: Path | None = None
    #: One line per problem found, each naming the file and line.
    problems: list[str] = field(default_factory=list)


def _line_of(text: str, key: str) -> int | None:
    pattern = re.compile(rf'^\s*"?{re.escape(key)}"?\s*=', re.MULTILINE)
    match = pattern.search(text)
    return text.count("\n", 0, match.start()) + 1 if match else None


def parse_size(value: object) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return value if value > 0 else None
    if isinstance(value, str):
        match = _SIZE.match(value)
        if match:
            unit = (match.group(2) or "").upper().replace("I", "").replace("B", "") or ""
            return int(float(match.group(1)) * _UNITS[unit]) or None
    return None


def parse_duration(value: object) -> float | None:
    """"30m", "1h", "90s", "1d" or a number of minutes, in seconds; None if it is none."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value) * 60 if value > 0 else None
    if isinstance(value, str):
        match = _DURATION.match(value)
        if match:
            seconds = float(match.group(1)) * _SECONDS[(match.group(2) or "m").lower()]
            return seconds or None
    return None


def parse_settings(text: str, path: Path | None = None) -> Settings:
    settings = Settings(path=path)
    where = str(path) if path else "settings"

    def problem(key: str, message: str) -> None:
        line = _line_of(text, key)
        at = f"{where}, line {line}" if line else where
        settings.problems.append(f"{at}: {message}; using the default")

    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        settings.problems.append(f"{where}: not valid TOML ({exc}); using all defaults")
        return settings
    known = {"corpus", "theme", "text_width", "max_size", "fetch_every", "keys"}
    for key in data:
        if key not in known:
            problem(key, f"unknown setting '{key}' (known: {', '.join(sorted(known))})")
    if "corpus" in data:
        if isinstance(data["corpus"], str) and data["corpus"].strip():
            settings.corpus = Path(data["corpus"]).expanduser()
        else:
            problem("corpus", "corpus must be a folder path in quotes")
    if "theme" in data:
        if isinstance(data["theme"], str) and data["theme"].strip():
            settings.theme = data["theme"].strip()
        else:
            problem("theme", "theme must be a theme name in quotes")
    if "text_width" in data:
        low, high = TEXT_WIDTH_RANGE
        value = data["text_width"]
        if isinstance(value, int) and not isinstance(value, bool) and low <= value <= high:
            settings.text_width = value
        else:
            problem("text_width", f"text_width must be a whole number from {low} to {high}")
    if "max_size" in data:
        size = parse_size(data["max_size"])
        if size:
            settings.max_bytes = size
        else:
            problem("max_size", 'max_size must be a size such as 10485760 or "10MB"')
    if "fetch_every" in data:
        every = parse_duration(data["fetch_every"])
        if every is not None and every >= MIN_FETCH_EVERY:
            settings.fetch_every = every
        else:
            problem("fetch_every", 'fetch_every must be a time of 5 minutes or more, such as '
                                   '"30m" or "2h"')
    if "keys" in data:
        keys = data["keys"]
        if not isinstance(keys, dict):
            problem("keys", "keys must be a table: [keys] then lines like \"app.search\" = \"/\"")
        else:
            for binding_id, value in keys.items():
                if isinstance(value, str) and value.strip():
                    settings.keys[binding_id] = value.strip()
                else:
                    problem(binding_id, f"key for '{binding_id}' must be keys in quotes,"
                                        ' e.g. "n,ctrl+n"')
    return settings


def load_settings(path: Path | None = None) -> Settings:
    """The user's settings; a missing file means defaults, an unreadable one is reported."""
    path = path or config_file()
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return Settings(path=path)
    except OSError as exc:
        return Settings(path=path, problems=[
            f"{path}: cannot be read ({exc.strerror}); using the defaults"])
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return Settings(path=path, problems=[f"{path}: not UTF-8 text; using the defaults"])
    return parse_settings(text, path)
