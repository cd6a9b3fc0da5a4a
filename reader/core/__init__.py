"""The Textual-free core: reading articles, scanning, indexing, searching, state.

Nothing under this package may import ``textual``; scripts and the CLI use it directly.
"""
