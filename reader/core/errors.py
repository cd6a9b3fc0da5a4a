"""Errors the app catches without importing the search machinery (Whoosh's query parser is
loaded after the first frame)."""


class QueryError(ValueError):
    """A query that cannot be run; ``str(exc)`` is one line for the user."""
