"""The reading loop: choosing with the mouse, reading reflowed text where it was left,
marking a whole list read, the article's link, export and the panes' split."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
from app_support import make_app, settle, visible_text
from rich.style import Style
from textual import events
from textual.widgets import OptionList, Static

from reader.core.state import StateStore
from reader.tui.app import ReaderApp
from reader.tui.widgets.search_bar import SEARCH_LIMIT

STORIES = {f"s{n:02}.txt": f"Title: Story {n:02} about the harbour\nDate: 2025-{1 + n // 28:02}-{1 + n % 28:02}\n\n"
           f"The harbour story number {n}.\n" for n in range(60)}


async def click_title(app: ReaderApp, pilot, title: str, *, line: int = 0) -> None:
    """Click where ``title`` is drawn in the list (``line`` 1: the snippet line under it)."""
    listing = app.main.article_list
    shown = listing.render_lines_plain()
    row = next(y for y, text in enumerate(shown) if title in text)
    region = listing.content_region
    await pilot.click(offset=(region.x + 8, region.y + row + line))
    await settle(app, pilot)


async def opened_title(app: ReaderApp) -> str | None:
    shown = app.main.article_view.shown
    return shown.article.title if shown else None


async def test_a_click_opens_the_row_clicked(write_corpus):
    app = make_app(write_corpus(STORIES))
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(app, pilot)
        for title in ("Story 59", "Story 57", "Story 50"):  # newest first
            await click_title(app, pilot, title)
            assert (await opened_title(app)).startswith(title)
        app.set_focus(app.main.article_list)
        await pilot.press("G")  # scrolled to the end
        await settle(app, pilot)
        assert app.main.article_list.scroll_y > 0
        for title in ("Story 00", "Story 03"):
            await click_title(app, pilot, title)
            assert (await opened_title(app)).startswith(title)


async def test_a_click_on_a_search_result_opens_it_by_its_title_or_its_snippet(write_corpus):
    app = make_app(write_corpus(STORIES))
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(app, pilot)
        await pilot.press("slash", *"harbour", "enter")
        await settle(app, pilot)
        rows = app.main.article_list.rows
        assert app.main.article_list.row_height == 2 and len(rows) == 60
        second, third = rows[1].title, rows[2].title
        await click_title(app, pilot, second)
        assert await opened_title(app) == second
        await click_title(app, pilot, third, line=1)  # the snippet under the title
        assert await opened_title(app) == third


async def test_a_click_opens_the_row_clicked_in_the_stacked_layout(write_corpus):
    app = make_app(write_corpus(STORIES))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        for title in ("Story 58", "Story 56"):
            await click_title(app, pilot, title)
            assert (await opened_title(app)).startswith(title)


# A wire story as the agencies sent it: lines broken near 65 columns, each paragraph's first
# line indented, no blank lines.
WIRE = """\
Title: Harbour Freight to buy Delta Marine shipping unit
Date: 1987-03-02
Source: Reuters
URL: https://example.com/news/harbour-freight
Tags: shipping, acquisitions

Harbour Freight Lines Inc said
it has agreed to buy the coastal shipping business of <Delta
Marine Corp> for about 40 mln dlrs in cash and shares, subject
to approval by regulators.
    The company said the purchase would add eleven vessels to its
fleet and give it a route along the northern coast that it has
sought for several years.
    Delta Marine said its board had approved the offer.
    Harbour Freight expects to complete the purchase by the end of
the second quarter.
 Reuter
"""
CURRENT_HIT = Style.parse("bold black on dark_orange").bgcolor.get_truecolor()


def body_lines(app: ReaderApp) -> list[str]:
    """Every line of the article's body as drawn, scrolled into sight or not."""
    body = app.main.article_view.body
    return [body.render_line(y).text.rstrip() for y in range(body.size.height)]


def current_hit(app: ReaderApp) -> tuple[int, str]:
    """The line of the body on which the current hit is drawn, and the hit's text."""
    body = app.main.article_view.body
    for y in range(body.size.height):
        marked = "".join(segment.text for segment in body.render_line(y)
                         if segment.style and segment.style.bgcolor
                         and segment.style.bgcolor.get_truecolor() == CURRENT_HIT)
        if marked:
            return y, marked
    raise AssertionError("no current hit drawn")


async def test_a_wire_story_reads_as_paragraphs_and_n_lands_on_the_hits(write_corpus):
    app = make_app(write_corpus({"wire.txt": WIRE}))
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(app, pilot)
        await pilot.press("slash", *"purchase", "enter", "enter")
        await settle(app, pilot)
        view = app.main.article_view
        width = view.body.content_size.width
        lines = body_lines(app)
        paragraphs = [" ".join(p.split()) for p in "\n".join(lines).split("\n\n")]
        assert paragraphs[:2] == [
            "Harbour Freight Lines Inc said it has agreed to buy the coastal shipping business"
            " of <Delta Marine Corp> for about 40 mln dlrs in cash and shares, subject to"
            " approval by regulators.",
            "The company said the purchase would add eleven vessels to its fleet and give it a"
            " route along the northern coast that it has sought for several years."]
        assert all(len(line) <= width for line in lines)
        assert sum(1 for line in lines if line) > 4  # the paragraphs are wrapped, not one line
        first_line, word = current_hit(app)
        assert word == "purchase" and "purchase" in lines[first_line]
        assert lines[first_line].startswith("The company said")
        await pilot.press("n")
        line, word = current_hit(app)
        assert word == "purchase" and line > first_line
        # The second "purchase" (the one after "complete"), wherever the width wraps it.
        assert "purchase by the end" in lines[line] or "complete the purchase" in lines[line]
        assert "complete" in lines[line - 1] + lines[line]


async def test_the_text_is_reflowed_to_a_new_width_keeping_the_same_words_in_sight(write_corpus):
    paragraphs = [textwrap.fill(f"Paragraph {n} begins here. " + " ".join(
        f"word{n}x{i}" for i in range(70)), 68) for n in range(12)]
    corpus = write_corpus({"long.txt": "Title: Long\n\n" + "\n\n".join(paragraphs) + "\n"})
    app = make_app(corpus)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(app, pilot)
        await pilot.press("enter")
        await settle(app, pilot)
        view = app.main.article_view
        await pilot.press(*["j"] * 30)
        await pilot.pause()
        top_word = view_top_line(app).split()[0]
        wide = view.body.content_size.width
        await pilot.resize_terminal(108, 30)
        await settle(app, pilot)
        assert view.body.content_size.width < wide
        assert all(len(line) <= view.body.content_size.width for line in body_lines(app))
        assert top_word in view_top_line(app)


def view_top_line(app: ReaderApp) -> str:
    view = app.main.article_view
    return body_lines(app)[view._top_line()]


SECTIONS = {
    "a.txt": "Title: Alpha\nDate: 2025-01-05\n\nAlpha story about rivers.\n",
    "b.txt": "Title: Beta\nDate: 2025-01-04\n\nBeta story about mountains.\n",
    "world/c.txt": "Title: Gamma\nDate: 2025-01-03\n\nGamma story about rivers.\n",
    "world/d.txt": "Title: Delta\nDate: 2025-01-02\n\nDelta story about deserts.\n",
    "world/e.txt": "Title: Epsilon\nDate: 2025-01-01\n\nEpsilon story about rivers.\n",
}
WORLD = {"world/c.txt", "world/d.txt", "world/e.txt"}


async def test_A_marks_the_section_shown_read_in_one_step_and_z_undoes_it(write_corpus):
    corpus = write_corpus(SECTIONS)
    app = make_app(corpus)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(app, pilot)
        main = app.main
        main.section = "world"
        await settle(app, pilot)
        await pilot.press("A")
        await settle(app, pilot)
        assert main.library.read == WORLD
        assert main.status.message == "Marked 3 read (every article in world). z: undo"
        assert {path for path in SECTIONS if StateStore(corpus).is_read(path)} == WORLD
        # The counts follow: the header, and the sections pane's (2 of 5 left unread).
        assert "3 articles · 0 unread" in main.sub_title
        assert main.library.tallies.section("").unread == 2
        await pilot.press("u")
        assert main.status.message == "No other unread article in this list."
        await pilot.press("z")
        await settle(app, pilot)
        assert main.library.read == set()
        assert not any(StateStore(corpus).is_read(path) for path in SECTIONS)
        assert "3 articles · 3 unread" in main.sub_title
        assert main.library.tallies.section("").unread == 5
        assert main.status.message.startswith("Undone: 3")
        await pilot.press("z")  # once only
        assert main.status.message.startswith("Nothing to undo")


async def test_A_in_the_unread_view_empties_it_and_z_brings_the_articles_back(write_corpus):
    app = make_app(write_corpus(SECTIONS))
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(app, pilot)
        await pilot.press("v", "A")
        await settle(app, pilot)
        assert app.main.article_list.rows == []
        assert "Nothing unread here" in visible_text(app)
        await pilot.press("z")
        await settle(app, pilot)
        assert len(app.main.article_list.rows) == 5


async def test_A_marks_every_result_of_a_search_not_only_those_shown(write_corpus):
    corpus = write_corpus({f"r{n:03}.txt": f"Title: River report {n}\n\nThe river rose {n} cm.\n"
                           for n in range(SEARCH_LIMIT + 20)} | {"other.txt": "Dry\n\nDesert.\n"})
    app = make_app(corpus)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(app, pilot)
        await pilot.press("slash", *"river", "enter")
        await settle(app, pilot)
        assert len(app.main.article_list.rows) == SEARCH_LIMIT
        await pilot.press("A")
        await settle(app, pilot)
        assert len(app.main.library.read) == SEARCH_LIMIT + 20
        assert "other.txt" not in app.main.library.read
        assert app.main.status.message.startswith("Marked 120 read (the results of 'river')")


async def test_a_remark_on_a_key_goes_at_the_next_key(write_corpus):
    app = make_app(write_corpus(SECTIONS))
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(app, pilot)
        await pilot.press("s")
        assert app.main.status.message == "Starred."
        await pilot.press("j")
        assert app.main.status.message == ""
        await pilot.press("m")  # a key's own remark is not ended by the key itself
        assert app.main.status.message == "Marked read."


def long_story(title: str, date: str) -> str:
    paragraphs = [textwrap.fill(f"{title} paragraph {n} begins. " + " ".join(
        f"w{n}x{i}" for i in range(60)), 68) for n in range(20)]
    return f"Title: {title}\nDate: {date}\n\n" + "\n\n".join(paragraphs) + "\n"


LONG = {"long.txt": long_story("Long", "2025-02-02"), "other.txt": long_story("Other", "2025-02-01")}


async def test_an_article_reopens_where_it_was_left_and_the_app_where_it_was_quit(write_corpus):
    corpus = write_corpus(LONG)
    app = make_app(corpus)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(app, pilot)
        await pilot.press("enter", *["j"] * 25)
        await settle(app, pilot)
        left_at = view_top_line(app)
        assert left_at.startswith("w")  # inside the body
        await pilot.press("right_square_bracket")  # the other article opens at its top
        await settle(app, pilot)
        assert app.main.article_view.path == "other.txt" and app.main.article_view.scroll_y == 0
        await pilot.press("left_square_bracket")
        await settle(app, pilot)
        assert view_top_line(app) == left_at
        await pilot.press("q")
    again = make_app(corpus)
    async with again.run_test(size=(120, 36)) as pilot:
        await settle(again, pilot)
        assert again.main.article_view.path == "long.txt"
        assert again.main.article_list.current_path == "long.txt"
        assert again.focused is again.main.article_view
        assert view_top_line(again) == left_at
        await pilot.press("G", "q")  # read to the end: next time it opens at its top
    third = make_app(corpus)
    async with third.run_test(size=(120, 36)) as pilot:
        await settle(third, pilot)
        assert third.main.article_view.path == "long.txt"
        assert third.main.article_view.scroll_y == 0


async def test_quit_on_search_results_starts_on_them_again(write_corpus):
    corpus = write_corpus(SECTIONS)
    app = make_app(corpus)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(app, pilot)
        await pilot.press("slash", *"rivers", "enter", "j", "enter")
        await settle(app, pilot)
        opened = app.main.article_view.path
        assert opened == app.main.article_list.current_path and opened != "a.txt"
        await pilot.press("q")
    again = make_app(corpus)
    async with again.run_test(size=(120, 36)) as pilot:
        await settle(again, pilot)
        assert again.main.searched == "rivers"
        assert sorted(row.path for row in again.main.article_list.rows) == [
            "a.txt", "world/c.txt", "world/e.txt"]
        assert again.main.article_list.current_path == opened
        assert again.main.article_view.path == opened
        await pilot.press("escape", "escape")  # back to the full list, as after any search
        await settle(again, pilot)
        assert not again.main.searched and len(again.main.article_list.rows) == 5


async def test_a_position_is_dropped_when_the_article_changed(write_corpus):
    corpus = write_corpus(LONG)
    app = make_app(corpus)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(app, pilot)
        await pilot.press("enter", *["j"] * 25, "q")
    assert StateStore(corpus).position("long.txt") is not None
    (corpus / "long.txt").write_text(long_story("Long", "2025-02-02").replace("begins", "starts"))
    again = make_app(corpus)
    async with again.run_test(size=(120, 36)) as pilot:
        await settle(again, pilot)
        assert again.main.article_view.path == "long.txt"
        assert "starts" in again.main.article_view.shown.article.body
        assert again.main.article_view.scroll_y == 0


async def test_the_split_moves_with_keys_and_a_drag_and_is_kept(write_corpus):
    corpus = write_corpus(SECTIONS)
    app = make_app(corpus)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(app, pilot)
        left = app.main.query_one("#left")
        sections = app.main.query_one("#sections").outer_size.width
        assert sections > 0  # the sections pane shows at 120 columns
        space = 120 - sections  # the list and the article share what the pane leaves

        def share(percent: int) -> int:
            return round(space * percent / 100)

        assert abs(left.size.width - share(50)) <= 1  # half by default
        await pilot.press("less_than_sign", "less_than_sign")
        await pilot.pause()
        assert abs(left.size.width - share(40)) <= 1
        assert app.main.status.message.startswith("The list takes 40% of the width")
        border = app.main.article_view.region.x
        assert border == sections + left.size.width
        await pilot.mouse_down(offset=(border, 10))
        await pilot.hover(offset=(72, 12))
        await pilot.mouse_up(offset=(72, 12))
        await pilot.pause()
        assert abs(app.main.article_view.region.x - 72) <= 1  # the border where it was let go
        await pilot.press(*["greater_than_sign"] * 6)
        await pilot.pause()
        assert abs(left.size.width - share(80)) <= 1  # 80% at most
        await pilot.press("B")  # the pane hidden: the same share of the whole width
        await pilot.pause()
        assert abs(left.size.width - 96) <= 1
    again = make_app(corpus)
    async with again.run_test(size=(120, 36)) as pilot:
        await settle(again, pilot)
        assert abs(again.main.query_one("#left").size.width - 96) <= 1  # kept
        await pilot.resize_terminal(80, 24)  # stacked: the split is for side by side
        await pilot.pause()
        assert again.main.query_one("#left").size.width == 80
        await pilot.press("less_than_sign")
        assert "stacked" in again.main.status.message


@pytest.fixture
def downloads(tmp_path, monkeypatch) -> Path:
    """A home of the test's own, with a Downloads folder: where exports go."""
    home = tmp_path / "home"
    (home / "Downloads").mkdir(parents=True)
    monkeypatch.setenv("HOME", str(home))
    return home / "Downloads"


async def choose_export(pilot, option: str) -> None:
    """x, then the menu's option whose text starts with ``option``."""
    await pilot.press("x")
    await pilot.pause()
    options = pilot.app.screen.query_one(OptionList)
    index = next(n for n in range(options.option_count)
                 if str(options.get_option_at_index(n).prompt).startswith(option))
    options.highlighted = index
    await pilot.press("enter")
    await settle(pilot.app, pilot)


async def test_x_exports_the_article_and_the_list_to_new_files_and_says_where(write_corpus,
                                                                           downloads):
    app = make_app(write_corpus({"wire/harbour.txt": WIRE, **SECTIONS}))
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(app, pilot)
        app.main.section = "world"
        await settle(app, pilot)
        await choose_export(pilot, "The list (every article in world) as JSON")
        [listed] = downloads.glob("*.jsonl")
        assert app.main.status.message == f"Exported 3 articles to ~/Downloads/{listed.name}"
        lines = [json.loads(line) for line in listed.read_text().splitlines()]
        assert [line["title"] for line in lines] == ["Gamma", "Delta", "Epsilon"]
        app.main.section = None
        await settle(app, pilot)
        await pilot.press("G")  # the wire story, the oldest
        await choose_export(pilot, "This article as Markdown")
        [article] = downloads.glob("*.md")
        text = article.read_text()
        assert text.startswith("# Harbour Freight to buy Delta Marine shipping unit\n")
        assert "- URL: <https://example.com/news/harbour-freight>" in text
        assert "The company said the purchase would add eleven vessels to its fleet" in text
        await choose_export(pilot, "This article as Markdown")  # again: a new file
        assert len(list(downloads.glob("*.md"))) == 2
        assert article.read_text() == text
        assert app.main.status.message.endswith("-2.md")
        commands = {c.title for c in app.get_system_commands(app.screen)}
        assert {"Export article as Markdown", "Export list as JSON"} <= commands


async def test_x_exports_every_search_result_with_its_snippet(write_corpus, downloads):
    app = make_app(write_corpus(SECTIONS))
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(app, pilot)
        await pilot.press("slash", *"rivers", "enter")
        await settle(app, pilot)
        await choose_export(pilot, "The list (the results of 'rivers') as Markdown")
        [listed] = downloads.glob("*.md")
        assert "search-rivers" in listed.name
        text = listed.read_text()
        assert text.startswith("# The results of 'rivers'\n")
        assert text.count("**") == 6 and "**rivers**" not in text
        assert "story about rivers" in text


async def test_the_article_scrolls_at_once_and_keys_typed_faster_than_frames_add_up(
        write_corpus):
    app = make_app(write_corpus(LONG))
    async with app.run_test(size=(120, 36)) as pilot:
        app.animation_level = "full"  # as in a terminal (the tests turn animations off)
        await settle(app, pilot)
        await pilot.press("enter")
        await settle(app, pilot)
        view = app.main.article_view
        for _ in range(10):  # as a held key sends them: all before the next frame
            app.post_message(events.Key("j", "j"))
        await pilot.pause()
        assert view.scroll_y == 10
        await pilot.press("G")
        assert view.scroll_y == view.max_scroll_y  # there, not on its way
        await pilot.press("g", "space", "space", "b")
        assert view.scroll_y == view.scrollable_content_region.height


async def test_related_articles_show_which_are_unread_and_starred(write_corpus):
    body = "Ministers met in Madrid to talk about trade, chips and tariffs on chipmakers.\n"
    app = make_app(write_corpus({f"a{i}.txt": f"Title: Madrid talks {i}\nDate: 2025-09-1{i}"
                                 f"\n\n{body}" for i in range(4)}))
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(app, pilot)
        app.main.library.set_read("a1.txt", True)
        app.main.library.set_starred("a2.txt", True)
        await pilot.press("r")
        await settle(app, pilot)
        options = app.screen.query_one(OptionList)
        rows = {line.split()[-2]: line.split()[0]
                for line in (options.render_line(y).text for y in range(options.size.height))
                if "Madrid" in line}
        assert rows == {"0": "●", "1": "Madrid", "2": "★"}  # a1 read: no mark


async def test_titles_end_at_one_column_and_a_section_view_leaves_out_its_name(write_corpus):
    title = "A headline long enough to be cut short in any list pane at all, surely"
    corpus = write_corpus({
        f"{section}/{n}.txt": f"Title: {title} {n}\nDate: 2025-03-0{n}\n\nText.\n"
        for n, section in enumerate(["world", "business/markets", "business", "x"], 1)})
    app = make_app(corpus)
    async with app.run_test(size=(160, 36)) as pilot:  # a list wide enough for sections
        await settle(app, pilot)
        rows = [line for line in app.main.article_list.render_lines_plain() if "headline" in line]
        assert len(rows) == 4
        assert len({row.index("…") for row in rows}) == 1  # every title cut at one place
        assert len({row.index("Mar 0") for row in rows}) == 1  # one year: "Mar 04"
        assert any("business/ma…" in row for row in rows)  # cut at 12
        app.main.section = "business"
        await settle(app, pilot)
        rows = [line for line in app.main.article_list.render_lines_plain() if "headline" in line]
        assert len(rows) == 2 and not any("business" in row for row in rows)
        assert any("markets" in row for row in rows)
        await pilot.resize_terminal(120, 36)
        await settle(app, pilot)
        rows = [line for line in app.main.article_list.render_lines_plain() if "headline" in line]
        # No section column in a list this narrow: the title has the room.
        assert rows and not any("markets" in row for row in rows)


async def test_help_names_every_field_a_query_can_ask_and_the_new_keys(write_corpus):
    app = make_app(write_corpus(SECTIONS))
    async with app.run_test(size=(120, 60)) as pilot:
        await settle(app, pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        shown = "\n".join(static.render_line(y).text for static in app.screen.query(Static)
                          for y in range(static.size.height))
        for field in ("title:", "source:", "author:", "tags:", "section:", "date:"):
            assert field in shown, field
        for description in ("Mark all read", "Undo mark all read", "Open the link in a browser",
                            "Export to Markdown or JSON", "Narrower list", "Wider list"):
            assert description in shown, description
