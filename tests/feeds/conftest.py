"""The feed suite's server and sample feeds live in feeds_support.py, importable from here
(and from every suite: the ``server`` fixture is in tests/conftest.py)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
