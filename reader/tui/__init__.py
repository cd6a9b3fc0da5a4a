"""The Textual app. It imports reader.core; reader.core never imports it."""
