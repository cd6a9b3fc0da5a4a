"""Settings from a TOML file in the user config dir.

A bad value gets a message naming its line and falls back to the default; a file that is
not TOML at all gets one message and every default. The app always starts, and says what
was wrong in one notice (``Settings.notice``), which also lists what only the app can check
(theme names, binding ids: ``Settings.add_problem`` finds their lines).

    corpus = "~/news"          # the folder opened when none is given
    theme = "textual-dark"
    text_width = 88            # columns of article text (40-200)
    max_size = "10MB"          # files larger than this are skipped when indexing
    scroll_animation = false   # true: g, G, space and b scroll smoothly
    fetch_every = "30m"        # fetch the feeds in the background while the app is open
    [keys]                     # remap a binding id to other keys
    "article.next_hit" = "n,ctrl+n"
"""

from __future__ import annotations

import difflib
import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from .articles import DEFAULT_MAX_BYTES
from .paths import config_file

TEXT_WIDTH_RANGE = (40, 200)
DEFAULT_TEXT_WIDTH = 88
DEFAULT_THEME = "textual-dark"
SETTINGS = ("corpus", "theme", "text_width", "max_size", "scroll_animation", "fetch_every",
            "keys")
_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([KMG]?i?B?)?\s*$", re.IGNORECASE)
_UNITS = {"": 1, "B": 1, "K": 1024, "M": 1024**2, "G": 1024**3}
_TABLE = re.compile(r"""^\s*\[\s*("[^"]*"|'[^']*'|[^\]]*?)\s*\]\s*(?:#.*)?$""")
_ENTRY = re.compile(r"""^\s*("(?:[^"\\]|\\.)*"|'[^']*'|[A-Za-z0-9_.-]+)\s*=""")
_TOML_LINE = re.compile(r"\s*\(at line (\d+), column \d+\)")
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|sec|m|min|h|hr|d)?\s*$", re.IGNORECASE)
_SECONDS = {"s": 1, "sec": 1, "m": 60, "min": 60, "h": 3600, "hr": 3600, "d": 86400}
#: Fetching more often than this asks too much of the feeds' servers.
MIN_FETCH_EVERY = 5 * 60


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong in the settings: where (``line``, None for the whole file), what
    (``message``) and what is done instead (``fallback``: "using 88", "ignored")."""

    line: int | None
    message: str
    fallback: str = ""

    def __str__(self) -> str:
        at = f"line {self.line}: " if self.line else ""
        return f"{at}{self.message}" + (f"; {self.fallback}" if self.fallback else "")


def _shown(path: Path | None) -> str:
    """A path as a person reads it: ~ for the home folder."""
    if path is None:
        return "the settings"
    try:
        return f"~/{path.relative_to(Path.home())}"
    except ValueError:
        return str(path)


@dataclass(slots=True)
class Settings:
    corpus: Path | None = None
    #: The theme the file names; None when it names none (then the last one picked in the
    #: app, or DEFAULT_THEME).
    theme: str | None = None
    text_width: int = DEFAULT_TEXT_WIDTH
    max_bytes: int = DEFAULT_MAX_BYTES
    #: Smooth scrolling for g, G, space and b; a reader wants the page at once.
    scroll_animation: bool = False
    keys: dict[str, str] = field(default_factory=dict)
    #: Seconds between background fetches of the feeds in the app; None: only on request.
    fetch_every: float | None = None
    path: Path | None = None
    issues: list[Problem] = field(default_factory=list)
    #: Where each setting is in the file: its name, or "keys.<binding id>", to its line.
    lines: dict[str, int] = field(default_factory=dict)

    @property
    def problems(self) -> list[str]:
        """Each problem on a line of its own that names the file and line (for stderr)."""
        where = str(self.path) if self.path else "settings"
        return [f"{where}, {problem}" if problem.line else f"{where}: {problem}"
                for problem in self.issues]

    def line_of(self, setting: str) -> int | None:
        """The line of a setting ("theme"), or of a ``[keys]`` entry ("keys.app.search")."""
        return self.lines.get(setting)

    def add_problem(self, message: str, *, setting: str = "", binding: str = "",
                    fallback: str = "") -> Problem:
        """Record a problem only the app can see (a theme it does not have, a binding id it
        does not know), at the line of ``setting`` or of ``binding``'s ``[keys]`` entry."""
        line = self.line_of(f"keys.{binding}" if binding else setting)
        problem = Problem(line, f"[keys] {message}" if binding else message, fallback)
        self.issues.append(problem)
        return problem

    def unknown_bindings(self, known: Iterable[str]) -> list[Problem]:
        """Record (and return) a problem for each ``[keys]`` entry that names no binding id
        of ``known``, with the id it was most likely meant to be."""
        known = sorted(set(known))
        found = []
        for binding in sorted(set(self.keys) - set(known)):
            close = difflib.get_close_matches(binding, known, n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            found.append(self.add_problem(f"'{binding}' is not one of reader's binding ids"
                                          f"{hint}", binding=binding, fallback="ignored"))
        return found

    def notice(self) -> str | None:
        """Every problem in one message, a line each in the file's order; None when there
        is none. The first line names the file."""
        if not self.issues:
            return None
        count = len(self.issues)
        ordered = sorted(self.issues, key=lambda problem: problem.line or 0)
        heading = f"{_shown(self.path)}: {count} problem{'s' if count > 1 else ''}"
        return "\n".join([heading, *(str(problem) for problem in ordered)])


def _key_lines(text: str) -> dict[str, int]:
    """The line of each key in the file: top-level ones by name, a table's as
    "table.key" (TOML's own parser does not say where things are)."""
    lines: dict[str, int] = {}
    table = ""
    for number, line in enumerate(text.splitlines(), 1):
        header = _TABLE.match(line)
        if header:
            table = header.group(1).strip("\"'")
            lines.setdefault(table, number)
            continue
        entry = _ENTRY.match(line)
        if entry:
            key = entry.group(1)
            key = key[1:-1] if key[0] in "\"'" else key
            lines.setdefault(f"{table}.{key}" if table else key, number)
    return lines


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


def _size_text(size: int) -> str:
    for unit in ("G", "M", "K"):
        if size % _UNITS[unit] == 0:
            return f"{size // _UNITS[unit]}{unit}B"
    return f"{size} bytes"


def parse_settings(text: str, path: Path | None = None) -> Settings:
    settings = Settings(path=path, lines=_key_lines(text))

    def problem(setting: str, message: str, fallback: str) -> None:
        settings.add_problem(message, setting=setting, fallback=fallback)

    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        where = _TOML_LINE.search(str(exc))
        reason = _TOML_LINE.sub("", str(exc))
        settings.issues.append(Problem(int(where.group(1)) if where else None,
                                       f"not valid TOML ({reason})", "using all the defaults"))
        return settings
    for key in data:
        if key not in SETTINGS:
            close = difflib.get_close_matches(key, SETTINGS, n=1)
            hint = (f"did you mean '{close[0]}'?" if close
                    else f"the settings: {', '.join(SETTINGS)}")
            problem(key, f"'{key}' is not a setting ({hint})", "ignored")
    if "corpus" in data:
        if isinstance(data["corpus"], str) and data["corpus"].strip():
            settings.corpus = Path(data["corpus"]).expanduser()
        else:
            problem("corpus", "corpus must be a folder path in quotes", "ignored")
    if "theme" in data:
        if isinstance(data["theme"], str) and data["theme"].strip():
            settings.theme = data["theme"].strip()
        else:
            problem("theme", "theme must be a theme name in quotes", "ignored")
    if "text_width" in data:
        low, high = TEXT_WIDTH_RANGE
        value = data["text_width"]
        if isinstance(value, int) and not isinstance(value, bool) and low <= value <= high:
            settings.text_width = value
        else:
            problem("text_width", f"text_width must be a whole number from {low} to {high}",
                    f"using {DEFAULT_TEXT_WIDTH}")
    if "max_size" in data:
        size = parse_size(data["max_size"])
        if size:
            settings.max_bytes = size
        else:
            problem("max_size", 'max_size must be a size such as 10485760 or "10MB"',
                    f"using {_size_text(DEFAULT_MAX_BYTES)}")
    if "scroll_animation" in data:
        if isinstance(data["scroll_animation"], bool):
            settings.scroll_animation = data["scroll_animation"]
        else:
            problem("scroll_animation", "scroll_animation must be true or false (no quotes)",
                    "using false")
    if "fetch_every" in data:
        every = parse_duration(data["fetch_every"])
        if every is not None and every >= MIN_FETCH_EVERY:
            settings.fetch_every = every
        else:
            problem("fetch_every", 'fetch_every must be a time of 5 minutes or more, such as '
                                   '"30m" or "2h"', "only fetching when asked")
    if "keys" in data:
        _parse_keys(settings, data["keys"])
    return settings


def _parse_keys(settings: Settings, keys: object) -> None:
    if not isinstance(keys, dict):
        settings.add_problem('keys must be a table: [keys] then lines like "app.search" = "/"',
                             setting="keys", fallback="ignored")
        return
    for binding, value in keys.items():
        if binding in SETTINGS and binding != "keys":
            settings.add_problem(f"'{binding}' is a setting, not a binding id: settings go "
                                 "above the [keys] line", binding=binding, fallback="ignored")
        elif isinstance(value, str) and value.strip():
            settings.keys[binding] = value.strip()
        else:
            settings.add_problem(f"'{binding}' must be given keys in quotes, such as "
                                 '"n,ctrl+n"', binding=binding, fallback="ignored")


def load_settings(path: Path | None = None) -> Settings:
    """The user's settings; a missing file means defaults, an unreadable one is reported."""
    path = path or config_file()
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return Settings(path=path)
    except OSError as exc:
        return Settings(path=path, issues=[
            Problem(None, f"cannot be read ({exc.strerror})", "using the defaults")])
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return Settings(path=path, issues=[
            Problem(None, "not UTF-8 text", "using the defaults")])
    return parse_settings(text, path)
