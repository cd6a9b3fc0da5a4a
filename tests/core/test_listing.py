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


def _entry(path: str, title: str, section: str = "", day: int = 1) -> listing.Entry:
    return listing.Entry(path, title, section, datetime(2025, 1, day))


def test_the_list_sorts_by_date_newest_first_or_by_title_ignoring_case():
    entries = [_entry("b.txt", "beta", day=2), _entry("a.txt", "Alpha", day=2),
               _entry("c.txt", "gamma", day=3)]
    assert [e.path for e in listing.sort_entries(entries, "date")] == ["c.txt", "b.txt", "a.txt"]
    assert [e.path for e in listing.sort_entries(entries, "title")] == ["a.txt", "b.txt", "c.txt"]
    # The index's order already: taken as it is.
    assert listing.sort_entries(entries, "date", newest_first=True) is entries


def test_a_view_shows_a_section_with_its_subsections_then_unread_or_starred():
    entries = [_entry("a.txt", "A"), _entry("w/b.txt", "B", "world"),
               _entry("w/e/c.txt", "C", "world/europe"), _entry("x/d.txt", "D", "worlds")]
    read, starred = {"w/b.txt", "w/e/c.txt"}, {"a.txt", "w/b.txt"}

    def shown(view, section=None, kept=()):
        return [e.path for e in listing.in_view(entries, view, section, read=read,
                                                starred=starred, kept=kept)]

    assert shown("all") == ["a.txt", "w/b.txt", "w/e/c.txt", "x/d.txt"]
    assert shown("all", "world") == ["w/b.txt", "w/e/c.txt"]  # not "worlds"
    assert shown("unread") == ["a.txt", "x/d.txt"]
    assert shown("unread", kept={"w/b.txt"}) == ["a.txt", "w/b.txt", "x/d.txt"]
    assert shown("starred", "world") == ["w/b.txt"]


def test_a_first_run_lists_a_first_screenful_then_every_readable_file(tmp_path):
    for i in range(5):
        (tmp_path / f"n{i}.txt").write_text(f"Headline {i}\nText.\n")
    (tmp_path / "big.txt").write_text("Big\n" + "x" * 200)
    (tmp_path / "bin.txt").write_bytes(b"\x00\x01\x02binary")
    lists = list(listing.quick_entries(tmp_path, max_bytes=100, first=3))
    assert [len(found) for found in lists] == [3, 5]
    assert sorted(e.title for e in lists[-1]) == [f"Headline {i}" for i in range(5)]
