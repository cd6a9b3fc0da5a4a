"""Benchmarks: scripts run as `python bench/run.py`; a package only so that import-linter
can check that they measure the app from outside (they never import reader.tui)."""
