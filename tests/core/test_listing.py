"""The listing an update changes in place is the listing written whole, byte for byte."""

from __future__ import annotations

from datetime import datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from reader.core import listing
from reader.core.listing import Columns, Row

# Few dates, so that many rows share one (the order is then by path); one with microseconds.
dates = st.sampled_from([datetime(2025, 1, 1), datetime(2025, 1, 1, 0, 0, 0, 5),
                         datetime(2024, 12, 31, 23, 59), datetime(1970, 1, 1),
                         datetime(2025, 6, 1, 12)])
paths = st.text(alphabet="abcé/_.", min_size=1, max_size=6)
rows = st.builds(Row, title=st.text(max_size=8), section=st.sampled_from(["", "world", "a/b"]),
                 date=dates, mtime_ns=st.integers(0, 10**18), size=st.integers(-1, 10**9),
                 hash=st.text(alphabet="0123456789abcdef", max_size=4))
tables = st.dictionaries(paths, rows, max_size=40)


def written(tmp_path, name: str, columns: Columns) -> bytes:
    target = tmp_path / name
    columns.write(target, 7)
    return target.read_bytes()


@settings(max_examples=300, deadline=None)
@given(tables, st.data())
def test_rows_removed_and_added_in_place_give_the_listing_written_whole(tmp_path_factory,
                                                                       before, data):
    tmp_path = tmp_path_factory.mktemp("listing")
    gone = data.draw(st.lists(st.sampled_from(sorted(before)) if before else paths, max_size=12))
    new = data.draw(st.dictionaries(st.one_of(paths, st.sampled_from(sorted(before) or ["x"])),
                                    rows, max_size=12))
    after = {path: row for path, row in before.items() if path not in gone} | new

    changed = Columns.of_rows(before)
    changed.remove(gone)
    changed.add(new)
    assert changed.rows() == after
    assert written(tmp_path, "in-place", changed) == written(tmp_path, "whole",
                                                            Columns.of_rows(after))


def test_columns_read_back_from_a_listing_are_the_rows_written(tmp_path):
    before = {f"p{i}": Row(f"T{i}", "s", datetime(2025, 1, 1 + i % 3, 0, 0, 0, i), i, i, "h")
              for i in range(25)}
    target = tmp_path / listing.LISTING_FILE
    listing.write(target, 3, before)
    listed = listing.read_listed(target, 3)
    columns = listed.for_update()
    assert columns.rows() == before == listed.rows()
    columns.remove(["p3", "nope"])
    columns.add({"p30": Row("Newest", "", datetime(2026, 1, 1), 1, 1, "h")})
    columns.write(target, 4)
    assert [entry.path for entry in listing.read_entries(target, 4)][:2] == ["p30", "p23"]
    assert "p3" not in listing.read_rows(target, 4)
