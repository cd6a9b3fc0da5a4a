"""The arrow points one way: reader/core never imports Textual or the app, in any form."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import reader.core

CORE = Path(reader.core.__file__).parent
FORBIDDEN = ("textual", "reader.tui")


def _imports(path: Path) -> list[str]:
    """Every module a file imports, relative imports made absolute, plus import_module("...")."""
    package = "reader.core"
    names = []
    for node in ast.walk(ast.parse(path.read_text("utf-8"), str(path))):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.rsplit(".", node.level - 1)[0]
                module = f"{base}.{node.module}" if node.module else base
            else:
                module = node.module or ""
            names.append(module)
            names += [f"{module}.{alias.name}" for alias in node.names]
        elif isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
            func = node.func
            called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if called in ("import_module", "__import__") and isinstance(node.args[0].value, str):
                names.append(node.args[0].value)
    return names


def _forbidden(name: str) -> bool:
    return any(name == bad or name.startswith(bad + ".") for bad in FORBIDDEN)


def test_no_core_source_imports_textual_or_the_app():
    sources = sorted(CORE.rglob("*.py"))
    assert len(sources) >= 6  # articles, corpus, index, search, paths, settings, ...
    offenders = {
        str(path.relative_to(CORE)): bad
        for path in sources
        if (bad := [name for name in _imports(path) if _forbidden(name)])
    }
    assert offenders == {}


def test_the_checker_sees_every_way_of_importing(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text(
        "import textual.app\nfrom textual import on\nfrom ..tui import app\n"
        "importlib.import_module('textual.widgets')\n"
    )
    assert [n for n in _imports(sample) if _forbidden(n)] == [
        "textual.app", "textual", "textual.on", "reader.tui", "reader.tui.app", "textual.widgets"]


def test_importing_all_of_core_and_the_cli_loads_no_textual():
    code = (
        "import sys, pkgutil, importlib, reader.core\n"
        "for m in pkgutil.walk_packages(reader.core.__path__, 'reader.core.'):\n"
        "    importlib.import_module(m.name)\n"
        "import reader.cli\n"
        "from reader.cli import build_parsers; build_parsers()\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] == 'textual' or m.startswith('reader.tui'))\n"
        "print(bad); sys.exit(1 if bad else 0)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
