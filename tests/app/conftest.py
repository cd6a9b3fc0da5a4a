"""The app suite's helpers live in app_support.py, importable from every test here."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
