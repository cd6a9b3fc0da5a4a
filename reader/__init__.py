"""reader: a terminal news reader for a folder of plain-text articles."""

__version__ = "0.1.0"
