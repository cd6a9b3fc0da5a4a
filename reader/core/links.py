"""Opening an article's link: which program to run, and whether it needs the terminal.

``$BROWSER`` comes first, as Python's ``webbrowser`` reads it (commands separated by
``os.pathsep``, ``%s`` standing for the URL, else the URL last); it may be a terminal
browser (w3m, lynx), so it is given the terminal, as newsboat does. Without it, the
system's opener (``open`` on macOS, ``xdg-open`` elsewhere) starts the desktop's browser and
returns; with no desktop to show one (no ``$DISPLAY`` or ``$WAYLAND_DISPLAY``), xdg-open runs
a terminal browser, so it is given the terminal too.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import sys
from collections.abc import Mapping
from dataclasses import dataclass

#: A URL a browser is given: a scheme, then no spaces (and never an option such as "-x").
_LINK = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:\S+$")


class NoBrowser(Exception):
    """No program to open a link with; the message says what to do, in a line."""


@dataclass(frozen=True, slots=True)
class BrowserCommand:
    argv: list[str]
    #: Whether it needs the terminal (it runs while the app is suspended).
    in_terminal: bool


def link_of(url: str) -> str | None:
    """``url`` as a browser is given it ("www.x.org" gets "https://"), or None when it is
    not a link that can be opened (no scheme, spaces, a leading "-")."""
    url = url.strip()
    if url.lower().startswith("www."):
        url = "https://" + url
    return url if _LINK.match(url) else None


def browser_command(url: str, environ: Mapping[str, str] | None = None,
                    platform: str | None = None) -> BrowserCommand:
    """The command that opens ``url``; NoBrowser when there is none."""
    environ = os.environ if environ is None else environ
    platform = platform or sys.platform
    named = environ.get("BROWSER", "").strip()
    if named:
        for entry in named.split(os.pathsep):
            try:
                argv = shlex.split(entry)
            except ValueError:
                continue
            if argv and shutil.which(argv[0], path=environ.get("PATH")):
                if any("%s" in arg for arg in argv):
                    return BrowserCommand([arg.replace("%s", url) for arg in argv], True)
                return BrowserCommand([*argv, url], True)
        raise NoBrowser(f"Cannot open the link: $BROWSER ({named}) names no program found here.")
    opener = "open" if platform == "darwin" else "xdg-open"
    if shutil.which(opener, path=environ.get("PATH")):
        desktop = platform == "darwin" or bool(environ.get("DISPLAY")
                                               or environ.get("WAYLAND_DISPLAY"))
        return BrowserCommand([opener, url], in_terminal=not desktop)
    raise NoBrowser(f"Cannot open the link: no browser found (set $BROWSER, or install {opener}).")
