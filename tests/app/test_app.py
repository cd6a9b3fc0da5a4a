"""The real app under App.run_test(): every binding and flow, waiting on workers, never sleeping."""

from __future__ import annotations

import asyncio
import os
import subprocess
import threading
from datetime import datetime
from pathlib import Path

import pytest
from app_support import (
    HeldIndexer,
    body_text,
    make_app,
    rendered,
    search_status,
    settle,
    until,
    visible_text,
)
from rich.style import Style
from textual.containers import VerticalScroll
from textual.widgets import OptionList, Static

from reader.core.index import CorpusIndex, Entry
from reader.core.progress import Progress
from reader.core.settings import Settings
from reader.core.spawn import INDEXER_SPAWN
from reader.tui.app import ReaderApp
from reader.tui.indexer import InProcessIndexer
from reader.tui.screens.help import HelpScreen
from reader.tui.screens.related import RelatedScreen
from reader.tui.widgets import ArticleList, ArticleView

MADRID = "madrid.txt"
XI = "xi.txt"
MARKETS = "world/markets.txt"


async def test_start_shows_every_article_with_count(sample_corpus):
    app = make_app(sample_corpus)
    async with app.run_test(size=(160, 36)) as pilot:  # a list wide enough for whole titles
        await settle(app, pilot)
        text = visible_text(app)
        assert "US and China Resume Talks" in text
        assert "TikTok deal receives tacit approval" in text
        assert "Markets rally as trade fears" in text
        assert app.main.sub_title.startswith("showing all · 3 articles · 3 unread")
        assert sample_corpus.name in app.title
        assert isinstance(app.focused, ArticleList)


async def test_search_open_highlight_and_back(sample_corpus):
    app = make_app(sample_corpus)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(app, pilot)
        app.main.article_list.action_cursor_last()
        before = app.main.article_list.current_path
        await pilot.press("slash", *"Nvidia")
        await settle(app, pilot)
        assert app.main.searched
        assert [row.path for row in app.main.article_list.rows] == [MADRID]
        assert "1 result" in search_status(app)
        assert app.main.sub_title == "showing search results · 1 result · 1 unread · by relevance"
        assert app.main.article_list.row_height == 2

        await pilot.press("enter")  # to the results
        assert isinstance(app.focused, ArticleList)
        await pilot.press("enter")  # open
        await settle(app, pilot)
        view = app.main.article_view
        assert view.path == MADRID
        assert isinstance(app.focused, ArticleView)
        body = view.shown.article.body
        assert [body[s:e] for s, e in view.hits] == ["Nvidia"]
        assert view.hit_index == 0

        await pilot.press("escape")  # article -> list
        assert isinstance(app.focused, ArticleList)
        await pilot.press("escape")  # results -> the full list, where we were
        await settle(app, pilot)
        assert not app.main.searched
        assert app.main.search_bar.value == ""
        assert app.main.article_list.current_path == before
        assert len(app.main.article_list.rows) == 3


async def test_enter_typed_at_once_waits_for_the_results(sample_corpus, monkeypatch):
    """"/nvidia", enter, enter typed faster than the search-as-you-type delay still opens
    the hit: enter runs the pending search first."""
    import reader.tui.widgets.search_bar as search_bar

    monkeypatch.setattr(search_bar, "SEARCH_DEBOUNCE", 30.0)  # as-you-type never fires here
    app = make_app(sample_corpus)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(app, pilot)
        assert app.main.article_list.current_path != MADRID
        await pilot.press("slash", *"nvidia", "enter", "enter")
        await pilot.pause()
        await app.workers.wait_for_complete([w for w in app.workers if w.group == "open"])
        await pilot.pause()
        assert app.main.searched
        assert app.main.article_view.path == MADRID
        assert [body for body in app.main.article_view.hits]  # with its hit highlighted

        # Two enters that both reach the box before the first one has moved on (a terminal
        # sends typed-ahead keys at once): the second opens the first result.
        await pilot.press("escape", "escape", "slash", *"tiktok")
        assert not app.main.searched
        await app.main.search_bar.input.action_submit()
        await app.main.search_bar.input.action_submit()
        await pilot.pause()
        await app.workers.wait_for_complete([w for w in app.workers if w.group == "open"])
        await pilot.pause()
        assert app.main.searched and app.main.searched == "tiktok"
        assert app.main.article_view.path == app.main.article_list.rows[0].path

        await pilot.press("slash", *["backspace"] * 6, *"title:", "enter")
        await pilot.pause()
        assert app.focused is app.main.search_bar.input  # a query that cannot run: mend it here
        assert "needs a word after it" in search_status(app)


async def test_n_and_shift_n_cycle_through_hits(write_corpus):
    words = " ".join(f"filler{i}" for i in range(60))
    body = "\n\n".join(f"Paragraph {i} mentions tariffs. {words}" for i in range(30))
    corpus = write_corpus({"long.txt": f"Tariff story\n{body}\n"})
    app = make_app(corpus)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        await pilot.press("slash", *"tariffs", "enter", "enter")
        await settle(app, pilot)
        view = app.main.article_view
        assert len(view.hits) == 30
        assert view.hit_index == 0
        await pilot.press("n", "n")
        assert view.hit_index == 2
        first_scroll = view.scroll_y
        await pilot.press("N")
        assert view.hit_index == 1
        await pilot.press(*["n"] * 12)
        await pilot.pause()
        assert view.hit_index == 13
        assert view.scroll_y > first_scroll  # the pane followed the hit down
        await pilot.press("N")
        assert view.hit_index == 12
        # Scrolled away from the current hit, n and N start from what is on screen.
        await pilot.press("G", "n")
        await pilot.pause()
        assert view.hit_index >= 25 and current_hit_on_screen(view)
        await pilot.press("g", "n")
        assert view.hit_index == 0
        await pilot.press("G", "N")
        assert view.hit_index == 29
        await pilot.pause()
        assert app.main.status.message == "Hit 30 of 30"
        assert {"n", "N"} <= set(app.active_bindings)  # in the footer while there are hits
        await pilot.press("escape", "escape", "enter")  # the same article, not from a search
        await settle(app, pilot)
        assert app.focused is view and not view.hits
        assert not {"n", "N"} & set(app.active_bindings)


def current_hit_on_screen(view: ArticleView) -> bool:
    """Whether the current hit (the one drawn in its own colour) is in the pane's rows."""
    current = Style.parse("bold black on dark_orange").bgcolor.get_truecolor()
    body = view.query_one("#article-body", Static)
    top = int(view.scroll_y) - body.virtual_region.y
    shown = range(max(0, top), top + view.scrollable_content_region.height)
    return any(segment.style and segment.style.bgcolor
               and segment.style.bgcolor.get_truecolor() == current
               for y in shown for segment in body.render_line(y))


async def test_malformed_query_shows_its_error_in_place(sample_corpus):
    app = make_app(sample_corpus)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(app, pilot)
        await pilot.press("slash", *"date:someday")
        await settle(app, pilot)
        bar = app.main.search_bar
        assert bar.has_class("-error")
        assert "is not a date" in search_status(app)
        # The status line has room for the whole message, which the pane may cut short.
        assert app.main.status.message.startswith("Search: 'someday' is not a date")
        await pilot.press(*["backspace"] * 12, *"nvidia")
        await settle(app, pilot)
        assert not bar.has_class("-error")
        assert app.main.status.message == ""
        assert [row.path for row in app.main.article_list.rows] == [MADRID]


async def search_finding_nothing(app, pilot, text: str) -> tuple[str, str]:
    """Search for ``text``, which finds nothing: the search box's status and the screen."""
    await settle(app, pilot)
    await pilot.press("slash", *text)
    await settle(app, pilot)
    assert app.main.article_list.rows == []
    status = search_status(app)
    return status, " ".join(visible_text(app).split())


async def test_a_typo_shows_the_respelled_results_and_exact_search_offers_did_you_mean(
        sample_corpus):
    """"nvidai" finds nothing as typed: its respelling's results show at once, the hits
    highlighted as respelled; ctrl+r searches exactly as typed, where nothing is found and
    the respelling is offered; enter takes it, the focus staying in the box."""
    app = make_app(sample_corpus)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(app, pilot)
        await pilot.press("slash", *"nvidai")
        await settle(app, pilot)
        assert [row.path for row in app.main.article_list.rows] == [MADRID]
        assert search_status(app) == "1 result for nvidia"
        assert app.main.status.message == ("Showing results for \u201cnvidia\u201d; ctrl+r "
                                           "searches for \u201cnvidai\u201d exactly instead.")
        await pilot.press("enter", "enter")  # the first result, its hits as respelled
        await settle(app, pilot)
        view = app.main.article_view
        assert [view.shown.article.body[s:e] for s, e in view.hits] == ["Nvidia"]

        await pilot.press("slash", "ctrl+r")  # exactly as typed
        await settle(app, pilot)
        assert app.main.search_bar.value == "nvidai" and app.main.searched == "nvidai"
        assert app.main.article_list.rows == []
        assert "did you mean: nvidia" in search_status(app)
        # Wrapped to the pane, not cut off.
        assert ("Did you mean: nvidia (enter searches for it)"
                in " ".join(visible_text(app).split()))
        await pilot.press("enter")  # takes the suggestion and shows its results
        await settle(app, pilot)
        assert app.main.search_bar.value == "nvidia" and app.main.searched == "nvidia"
        assert [row.path for row in app.main.article_list.rows] == [MADRID]
        # The box keeps the focus: what is typed next is the query's, never a command's.
        assert app.focused is app.main.search_bar.input
        await pilot.press("enter")  # and enter goes to the results
        assert app.focused is app.main.article_list


async def test_no_results_for_a_section_the_corpus_lacks_says_which_it_has(sample_corpus):
    app = make_app(sample_corpus)
    async with app.run_test(size=(120, 36)) as pilot:
        status, screen = await search_finding_nothing(app, pilot, "section:wrld")
        assert "no section 'wrld'" in status
        assert "No results: no section 'wrld' (there are world)." in screen


async def test_list_keys_move_the_cursor(sample_corpus):
    app = make_app(sample_corpus)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(app, pilot)
        listing = app.main.article_list
        assert listing.cursor == 0
        await pilot.press("j")
        assert listing.cursor == 1
        await pilot.press("down")
        assert listing.cursor == 2
        await pilot.press("j")  # stays on the last row
        assert listing.cursor == 2
        await pilot.press("k", "up")
        assert listing.cursor == 0
        await pilot.press("G")
        assert listing.cursor == 2
        await pilot.press("g")
        assert listing.cursor == 0
        await pilot.press("end")
        assert listing.cursor == 2
        await pilot.press("home")
        assert listing.cursor == 0


async def test_article_keys_scroll_and_step_between_articles(write_corpus):
    long_body = "\n\n".join(f"Paragraph {i}: " + "words " * 40 for i in range(40))
    corpus = write_corpus({
        "a.txt": f"Title: Alpha\nDate: 2025-01-03\n\nAlpha story.\n\n{long_body}",
        "b.txt": "Title: Beta\nDate: 2025-01-02\n\nBeta story.",
        "c.txt": "Title: Gamma\nDate: 2025-01-01\n\nGamma story.",
    })
    app = make_app(corpus)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        assert [row.title for row in app.main.article_list.rows] == ["Alpha", "Beta", "Gamma"]
        await pilot.press("enter")
        await settle(app, pilot)
        view = app.main.article_view
        assert view.path == "a.txt" and app.focused is view
        await pilot.press("j", "j", "j")
        assert view.scroll_y == 3
        await pilot.press("k")
        assert view.scroll_y == 2
        await pilot.press("space")
        paged = view.scroll_y
        assert paged > 10
        await pilot.press("b")
        assert view.scroll_y < paged
        await pilot.press("G")
        assert view.scroll_y == view.max_scroll_y > 0
        await pilot.press("g")
        assert view.scroll_y == 0
        await pilot.press("right_square_bracket")
        await settle(app, pilot)
        assert view.path == "b.txt"
        assert app.focused is view  # still reading
        assert app.main.article_list.current_path == "b.txt"
        await pilot.press("right_square_bracket")
        await settle(app, pilot)
        assert view.path == "c.txt"
        await pilot.press("right_square_bracket")  # no more: stays, says so
        await settle(app, pilot)
        assert view.path == "c.txt"
        assert "No more articles" in app.main.status.message
        await pilot.press("left_square_bracket", "left_square_bracket")
        await settle(app, pilot)
        assert view.path == "a.txt"


async def test_a_passing_remark_goes_after_a_moment_unless_something_newer_was_said(
        sample_corpus, monkeypatch):
    """"Starred." is a remark on the last key, not news: it goes after a few seconds,
    unless something else was said since (which stays)."""
    from reader.tui.widgets.status_line import StatusLine

    monkeypatch.setattr(StatusLine, "FLASH_SECONDS", 0.05)
    app = make_app(sample_corpus)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(app, pilot)
        status = app.main.status
        status.say("Index up to date.")
        await pilot.press("s")
        assert status.message in ("Starred.", "")  # said, and maybe gone already
        await until(pilot, lambda: status.message == "")
        await pilot.press("s")
        status.say("Indexing: 1 of 2 articles")
        await pilot.pause(StatusLine.FLASH_SECONDS * 4)
        assert status.message == "Indexing: 1 of 2 articles"


async def test_tab_switches_panes(sample_corpus):
    """Round the panes: the sections pane, the list, the article (no sections pane under 100
    columns, where the panes stack); 1 2 3 go to each."""
    app = make_app(sample_corpus)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(app, pilot)
        main = app.main
        assert app.focused is main.article_list
        await pilot.press("tab")
        assert app.focused is main.article_view
        await pilot.press("tab")
        assert app.focused is main.sections_pane
        await pilot.press("tab")
        assert app.focused is main.article_list
        await pilot.press("3")
        assert app.focused is main.article_view
        await pilot.press("1")
        assert app.focused is main.sections_pane
        await pilot.press("2")
        assert app.focused is main.article_list
        await pilot.press("slash", "tab")  # from the search box: the list
        assert app.focused is main.article_list
    narrow = make_app(sample_corpus)
    async with narrow.run_test(size=(80, 24)) as pilot:
        await settle(narrow, pilot)
        await pilot.press("tab", "tab")
        assert narrow.focused is narrow.main.article_list
        await pilot.press("1")
        assert narrow.focused is narrow.main.article_list
        assert "100 columns" in narrow.main.status.message
        await pilot.press("B")  # nothing to hide here: the choice for wide screens stays
        assert "100 columns" in narrow.main.status.message
        assert narrow.main.sections_wanted
        await pilot.resize_terminal(120, 36)
        await pilot.pause()
        assert narrow.main.sections_visible()


async def test_related_rows_are_one_line_each_with_section_and_date_at_the_right(
        write_corpus):
    body = "Ministers met in Madrid to talk about trade, chips and tariffs on chipmakers.\n"
    long = "Ministers meet in Madrid to talk trade and chips, and what comes after the talks"
    files = {f"world/a{i}.txt": f"Title: {long} ({i})\nDate: 2025-09-1{i}\n\n{body}"
             for i in range(4)}
    app = make_app(write_corpus(files))
    async with app.run_test(size=(80, 30)) as pilot:
        await settle(app, pilot)
        await pilot.press("enter")
        await settle(app, pilot)
        await pilot.press("r")
        await settle(app, pilot)
        assert isinstance(app.screen, RelatedScreen) and len(app.screen.related) == 3
        options = app.screen.query_one(OptionList)
        lines = [options.render_line(y).text.rstrip() for y in range(options.size.height)]
        rows = [line for line in lines if line.strip()]
        assert len(rows) == 3, lines  # one line each: no title wraps
        for row in rows:
            assert row[2:].startswith("Ministers meet in Madrid") and "…" in row
            assert row.endswith("world  2025-09-1" + row[-1]) and row[-1] in "0123"


async def test_related_articles_open_from_the_list(sample_corpus):
    app = make_app(sample_corpus)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(app, pilot)
        app.main.article_list.move_to(MADRID)
        await pilot.press("enter")
        await settle(app, pilot)
        await pilot.press("r")
        await settle(app, pilot)
        assert isinstance(app.screen, RelatedScreen)
        assert [hit.path for hit in app.screen.related][0] == XI
        await pilot.press("enter")
        for _ in range(100):  # the dismissal is a few messages away
            if not isinstance(app.screen, RelatedScreen):
                break
            await pilot.pause()
        await settle(app, pilot)
        assert not isinstance(app.screen, RelatedScreen)
        assert app.main.article_view.path == XI
        assert app.main.article_list.current_path == XI


async def test_help_is_generated_from_the_bindings(sample_corpus):
    app = make_app(sample_corpus, keys={"app.related": "R"})
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(app, pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        text = rendered(*(static.content for static in app.screen.query(Static)))
        assert "Related" in text and "Next hit" in text and "Open" in text
        assert "title:nvidia" in text  # query syntax
        assert "config.toml" in text  # where the settings live
        await pilot.press("escape")
        assert not isinstance(app.screen, HelpScreen)
        await pilot.press("f1")
        assert isinstance(app.screen, HelpScreen)
        table_lines = rendered(app.screen.keys).splitlines()
        related = [line.split() for line in table_lines if "Related" in line]
        assert related == [["R", "Related"]]  # the remapped key, not the default r
        # The article pane's paging keys scroll the help too.
        scroller = app.screen.query_one(VerticalScroll)
        await pilot.pause()
        assert scroller.max_scroll_y > 0
        for key, expected in [("j", 1), ("space", None), ("g", 0), ("G", scroller.max_scroll_y),
                              ("b", None), ("k", None)]:
            before = scroller.scroll_y
            await pilot.press(key)
            await pilot.pause()
            if expected is None:
                assert scroller.scroll_y != before, key
            else:
                assert scroller.scroll_y == expected, key
        await pilot.press("escape")


async def test_remapped_key_works(sample_corpus):
    app = make_app(sample_corpus, keys={"app.related": "R"})
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(app, pilot)
        await pilot.press("r")
        await settle(app, pilot)
        assert not isinstance(app.screen, RelatedScreen)
        await pilot.press("R")
        await settle(app, pilot)
        assert isinstance(app.screen, RelatedScreen)


async def test_palette_offers_sorting_and_rebuild(sample_corpus):
    app = make_app(sample_corpus)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(app, pilot)
        titles = {command.title for command in app.get_system_commands(app.screen)}
        assert {"Sort by date", "Sort by title", "Sort by relevance", "Rebuild index"} <= titles
        assert "Theme" in titles and "Help" in titles
        assert "Keys" not in titles  # Textual's key panel: our Help shows every key
        app.main.sort_by("title")
        await settle(app, pilot)
        assert [row.title for row in app.main.article_list.rows] == sorted(
            (row.title for row in app.main.article_list.rows), key=str.casefold
        )
        assert "by title" in app.main.sub_title
        app.main.sort_by("date")
        await settle(app, pilot)
        dates = [row.date for row in app.main.article_list.rows]
        assert dates == sorted(dates, reverse=True)
        app.main.sort_by("relevance")  # outside a search: said, not silently nothing
        await settle(app, pilot)
        assert [row.date for row in app.main.article_list.rows] == dates
        assert "sorted by relevance" in app.main.status.message


async def test_article_text_is_never_markup(write_corpus):
    corpus = write_corpus({"m.txt": "Title [bold red]x[/]\nBody [link=http://x]y[/link] [/] z\n"})
    app = make_app(corpus)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(app, pilot)
        assert "Title [bold red]x[/]" in visible_text(app)
        await pilot.press("enter")
        await settle(app, pilot)
        assert "Body [link=http://x]y[/link] [/] z" in body_text(app)
        title = app.main.article_view.query_one("#article-title", Static).render()
        assert "[bold red]x[/]" in str(title)


@pytest.mark.parametrize("size", [(40, 12), (60, 20), (99, 30)])
async def test_narrow_terminals_stack_the_panes(sample_corpus, size):
    app = make_app(sample_corpus)
    async with app.run_test(size=size) as pilot:
        await settle(app, pilot)
        assert app.screen.has_class("-narrow")
        listing, view = app.main.article_list.region, app.main.article_view.region
        assert listing.bottom <= view.y  # list above, article below, no overlap
        assert listing.width > 0 and view.height > 0
        await pilot.press("slash", *"tiktok", "enter", "enter")
        await settle(app, pilot)
        assert app.main.article_view.path in (MADRID, XI)
        await pilot.press("question_mark")
        await pilot.pause()
        await pilot.press("escape", "q")


async def test_wide_terminal_puts_panes_side_by_side(sample_corpus):
    app = make_app(sample_corpus)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(app, pilot)
        assert app.screen.has_class("-wide")
        assert app.main.article_list.region.right <= app.main.article_view.region.x


async def test_a_hundred_thousand_rows(sample_corpus):
    entries = [
        Entry(f"a/{i:06}.txt", f"Article number {i}", "a", datetime(2020, 1, 1))
        for i in range(100_000)
    ]
    app = make_app(sample_corpus)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(app, pilot)
        app.main.article_list.set_rows(entries)
        await pilot.press("G")
        await pilot.pause()
        assert app.main.article_list.cursor == 99_999
        assert "Article number 99999" in visible_text(app)
        await pilot.press("g", "pagedown")
        assert app.main.article_list.cursor > 10


async def test_q_quits_with_status_zero(sample_corpus):
    app = make_app(sample_corpus)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(app, pilot)
        await pilot.press("q")
    assert app.return_code == 0


async def test_ctrl_c_quits_with_status_zero_from_a_pane_and_from_the_search_box(
        sample_corpus):
    for keys in (["tab"], ["slash", *"china"]):
        app = make_app(sample_corpus)
        async with app.run_test(size=(120, 36)) as pilot:
            await settle(app, pilot)
            await pilot.press(*keys)
            await settle(app, pilot)
            assert app.is_running
            await pilot.press("ctrl+c")
            await pilot.pause()
            assert not app.is_running, keys
        assert app.return_code == 0


def _autogroup(pid: int | str) -> str:
    return Path(f"/proc/{pid}/autogroup").read_text().strip()


@pytest.mark.skipif(not hasattr(os, "SCHED_BATCH"), reason="no SCHED_BATCH on this system")
def test_the_indexer_gives_way_to_keys_but_keeps_its_share_against_other_programs():
    """The indexer runs as SCHED_BATCH (the app's wake-ups preempt it) in a session of its
    own, which on Linux is a scheduling group (autogroup) at the usual weight, as a
    ``reader index`` typed in another terminal: not SCHED_IDLE in a group at nice 19, which
    starved it whenever anything else on the machine was busy. The caller's group is left
    alone."""
    ours = _autogroup("self") if Path("/proc/self/autogroup").exists() else None
    process = subprocess.Popen(["sleep", "30"], **INDEXER_SPAWN)
    try:
        assert os.sched_getscheduler(process.pid) == os.SCHED_BATCH
        assert os.getpriority(os.PRIO_PROCESS, process.pid) == os.getpriority(
            os.PRIO_PROCESS, 0)
        if ours is None:
            return  # a kernel without autogroups: the policy is all there is
        group = _autogroup(process.pid)
        assert group.endswith(" nice 0") and group != ours
        assert _autogroup("self") == ours
    finally:
        process.kill()
        process.wait()


async def test_unreadable_article_says_why(sample_corpus):
    app = make_app(sample_corpus)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(app, pilot)
        path = app.main.article_list.current_path
        (sample_corpus / path).unlink()
        await pilot.press("enter")
        await settle(app, pilot)
        assert "vanished" in body_text(app)
        assert app.main.article_view.path is None


async def test_results_below_the_first_screenful_get_their_snippets_too(write_corpus):
    from reader.tui.widgets.search_bar import FIRST_SNIPPETS

    count = FIRST_SNIPPETS + 6
    corpus = write_corpus({f"s{i:02}.txt": f"Story {i}\nIntro.\n\nThe harbour reopened {i}.\n"
                           for i in range(count)})
    app = make_app(corpus)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(app, pilot)
        await pilot.press("slash", *"harbour")
        await settle(app, pilot)
        hits = app.main.article_list.rows
        assert len(hits) == count
        assert all("harbour" in hit.snippet for hit in hits)
        await pilot.press("enter", "G")  # the last result shows its snippet
        await pilot.pause()
        assert "The harbour reopened" in visible_text(app)


async def test_a_first_run_lists_the_files_before_the_index_is_built(write_corpus, monkeypatch):
    """A first screenful of titles after peeking at a few files, then all of them, while the
    index is still being built; then the index has the last word."""
    import reader.core.listing as listing
    import reader.tui.loader as loader

    monkeypatch.setattr(listing, "QUICK_FIRST", 5)
    corpus = write_corpus({f"n{i:02}.txt": f"Headline {i}\nText.\n" for i in range(12)})
    seen_first, build = threading.Event(), threading.Event()
    peek_at = loader.quick_entries

    def quick_entries(root, max_bytes):
        found = peek_at(root, max_bytes)
        yield next(found)
        seen_first.wait(30)
        yield from found

    monkeypatch.setattr(loader, "quick_entries", quick_entries)
    app = make_app(corpus, indexer=HeldIndexer(build))
    try:
        async with app.run_test(size=(120, 36)) as pilot:
            main = app.main
            await until(pilot, lambda: len(main.article_list.rows) == 5)
            seen_first.set()
            await until(pilot, lambda: len(main.article_list.rows) == 12)
            assert main.loader.quick_list and main.loader.runs == 0  # not from the index
            build.set()
            await settle(app, pilot)
            assert main.loader.runs == 1 and not main.loader.quick_list
            assert len(main.article_list.rows) == 12
    finally:
        seen_first.set()
        build.set()


async def test_the_indexer_process_is_this_reader_and_fills_the_list(write_corpus, tmp_path,
                                                                       monkeypatch):
    """In daily use the index is updated by `reader index` in a process of its own. Started
    in a folder holding another `reader` (a checkout of another version), the app's indexer
    process ran that one: an empty list, or the two rebuilding each other's index."""
    decoy = tmp_path / "checkout" / "reader"
    decoy.mkdir(parents=True)
    (decoy / "__init__.py").write_text("")
    (decoy / "__main__.py").write_text("raise SystemExit('the decoy reader ran')\n")
    monkeypatch.chdir(decoy.parent)
    corpus = write_corpus({f"n{i}.txt": f"Story {i}\nText about topic{i}.\n" for i in range(30)})
    app = ReaderApp(corpus, settings=Settings(), index_dir=tmp_path / "ix")
    async with app.run_test(size=(120, 36)) as pilot:
        # The quick title scan shows the list at once; the indexer process then finishes.
        await asyncio.wait_for(app.main.loader.finished.wait(), timeout=120)
        await pilot.pause()
        assert len(app.main.library.entries) == 30
        assert app.main.status.message == "Index up to date: 30 added"
        assert app.library.index.doc_count() == 30
        await pilot.press("slash", *"topic7")
        await settle(app, pilot)
        assert [row.path for row in app.main.article_list.rows] == ["n7.txt"]


async def test_q_while_the_list_is_read_quits_at_once_and_draws_nothing_after(sample_corpus,
                                                                              monkeypatch):
    """A thread still reading the list when q is pressed: the app ends at once, and what
    the thread read is not shown (waiting for each other, the closing app and a thread with
    something to show once kept a large folder's start-up from ever exiting)."""
    import reader.tui.loader as loader

    reading, release, read = threading.Event(), threading.Event(), threading.Event()
    whole = loader.peek

    def slow_peek(index_dir):
        reading.set()
        release.wait(30)
        try:
            return whole(index_dir)
        finally:
            read.set()

    monkeypatch.setattr(loader, "peek", slow_peek)
    CorpusIndex(sample_corpus).open().update()
    app = make_app(sample_corpus)
    try:
        async with app.run_test(size=(120, 36)) as pilot:
            main = app.main
            await asyncio.to_thread(reading.wait, 30)
            await pilot.press("q")
        assert app.return_code == 0
        release.set()
        await asyncio.to_thread(read.wait, 30)
        await asyncio.sleep(0.1)
        assert not main.library.opened.is_set()  # the loading went no further
    finally:
        release.set()


async def test_the_first_screen_shows_before_the_whole_list_is_read(write_corpus, monkeypatch):
    """At 100,000 articles the whole list takes a tenth of a second to read; the listing's
    head (the first screen, and the count) is on screen before it, then the rest follows."""
    import reader.core.listing as listing
    import reader.tui.loader as loader

    monkeypatch.setattr(listing, "HEAD", 5)
    corpus = write_corpus({f"n{i:02}.txt": f"Headline {i:02}\ndate: 2024-03-{i + 1:02}\n\nText.\n"
                           for i in range(20)})
    CorpusIndex(corpus).open().update()
    release = threading.Event()
    whole = loader.peek

    def slow_peek(index_dir):
        release.wait(30)
        return whole(index_dir)

    monkeypatch.setattr(loader, "peek", slow_peek)
    app = make_app(corpus)
    async with app.run_test(size=(120, 36)) as pilot:
        await until(pilot, lambda: app.main.library.entries)
        await pilot.pause()
        assert [e.title for e in app.main.article_list.rows] == [f"Headline {i}" for i in
                                                            (19, 18, 17, 16, 15)]
        assert app.main.sub_title == "20 articles · reading the list…"
        assert "Headline 19" in visible_text(app)
        release.set()
        await settle(app, pilot)
        assert len(app.main.article_list.rows) == 20
        assert app.main.sub_title.startswith("showing all · 20 articles · 20 unread")


async def test_a_large_result_set_is_shown_first_and_counted_after(write_corpus, monkeypatch):
    import reader.tui.widgets.search_bar as search_bar
    from reader.core.search import Searcher

    monkeypatch.setattr(search_bar, "SEARCH_LIMIT", 5)
    counting = threading.Event()
    count = Searcher.count
    monkeypatch.setattr(Searcher, "count",
                        lambda self, results: (counting.wait(30), count(self, results))[1])
    corpus = write_corpus({f"s{i:02}.txt": f"Story {i}\nThe harbour {'harbour ' * (i % 4)}"
                           f"reopened.\n" for i in range(40)})
    app = make_app(corpus)
    try:
        async with app.run_test(size=(120, 36)) as pilot:
            await settle(app, pilot)
            await pilot.press("slash", *"harbour")
            await until(pilot, lambda: len(app.main.article_list.rows) == 5)
            assert search_status(app) == "top 5 results, counting…"  # shown, not yet counted
            counting.set()
            await settle(app, pilot)
            assert search_status(app) == "top 5 of 40 results"
    finally:
        counting.set()


def _contrast(fg, bg) -> float:
    """WCAG contrast ratio of two rich ColorTriplets."""

    def luminance(color) -> float:
        def channel(c: int) -> float:
            c = c / 255
            return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

        return 0.2126 * channel(color.red) + 0.7152 * channel(color.green) + 0.0722 * channel(color.blue)

    high, low = sorted((luminance(fg), luminance(bg)), reverse=True)
    return (high + 0.05) / (low + 0.05)


async def test_list_words_are_readable_on_dark_and_light_themes(sample_corpus):
    """Read titles and dates are muted text: blended with the background, not drawn white
    (which vanished on a light theme). The focused cursor's row takes its own colour."""
    app = make_app(sample_corpus)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(app, pilot)
        lst = app.main.article_list
        app.main.library.read.add(lst.rows[1].path)
        lst.refresh()
        for theme in ("textual-dark", "textual-light", "solarized-light"):
            app.theme = theme
            await pilot.pause()
            checked = 0
            for y in range(len(lst.rows) * lst.row_height):
                for seg in lst.render_line(y):
                    if any(ch.isalnum() for ch in seg.text) and seg.style.color:
                        fg = seg.style.color.get_truecolor()
                        bg = seg.style.bgcolor.get_truecolor()
                        assert _contrast(fg, bg) >= 3, (theme, y, seg.text, fg, bg)
                        checked += 1
            assert checked >= 6, theme


async def test_the_cursor_row_follows_focus_and_theme_though_styles_are_kept(sample_corpus):
    """The list keeps the styles it draws with between key presses; a change of focus or of
    theme still draws the cursor's row in the new colours."""
    app = make_app(sample_corpus)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(app, pilot)
        lst = app.main.article_list

        def cursor_background():
            return list(lst.render_line(lst.cursor * lst.row_height))[0].style.bgcolor

        def wanted():
            return lst.get_component_rich_style("article-list--cursor").bgcolor

        focused = cursor_background()
        assert app.focused is lst and focused == wanted()
        await pilot.press("tab")
        await pilot.pause()
        assert app.focused is not lst
        assert cursor_background() == wanted() != focused
        await pilot.press("2")  # back to the list
        await pilot.pause()
        assert cursor_background() == focused
        app.theme = "textual-light"
        await pilot.pause()
        assert cursor_background() == wanted() != focused


async def test_skipped_files_are_named_or_listed_in_the_app(write_corpus):
    """The status line after indexing names a lone skipped file and why; for more, says
    where the app lists them (the palette's Skipped files), each with why."""
    corpus = write_corpus({"good.txt": "Good story\nText.\n", "bad.txt": b"\x00\x01\x02binary\xff"})
    app = make_app(corpus)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(app, pilot)
        assert app.main.status.message.startswith("Index up to date: 1 added, 1 skipped: bad.txt (")
    (corpus / "worse.txt").write_bytes(b"\x00\x00more binary")
    again = make_app(corpus, max_bytes=1024)
    (corpus / "big.txt").write_text("Big\n\n" + "word " * 400)
    async with again.run_test(size=(120, 36)) as pilot:
        await settle(again, pilot)
        assert again.main.status.message.endswith(
            "3 skipped (ctrl+p → Skipped files lists them)")
        for keys in (["ctrl+p"], list("skipped files"), ["enter"]):
            await pilot.press(*keys)
            await settle(again, pilot)
        listed = "\n".join(static.render_line(y).text for static in again.screen.query(Static)
                            for y in range(static.size.height))
        assert "3 files left out of the index" in listed
        assert all(name in listed for name in ("bad.txt", "worse.txt", "big.txt", "binary")), listed
        await pilot.press("escape")
        assert again.screen is again.main


async def test_slash_selects_the_last_query_so_typing_starts_a_new_one(sample_corpus):
    app = make_app(sample_corpus)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(app, pilot)
        await pilot.press("slash", *"nvidia", "enter", "enter")
        await settle(app, pilot)
        await pilot.press("slash", *"tiktok")
        assert app.main.search_bar.value == "tiktok"
        await pilot.press("enter")
        await settle(app, pilot)
        await pilot.press("slash", "end", *" deal")  # an arrow or end key edits it instead
        assert app.main.search_bar.value == "tiktok deal"


async def test_an_empty_list_says_why_in_full_even_at_40_columns(write_corpus):
    corpus = write_corpus({"notes.md": "not an article"})
    app = make_app(corpus)
    async with app.run_test(size=(40, 12)) as pilot:
        await settle(app, pilot)
        assert app.main.article_list.rows == []
        text = " ".join(visible_text(app).split())
        assert "No articles in this folder (add .txt files; they appear here)." in text


async def test_the_hidden_progress_bar_does_not_animate(sample_corpus):
    """An indeterminate bar redraws itself 15 times a second, shown or not: it is one only
    while indexing runs with no total yet."""
    from textual.widgets._progress_bar import Bar

    app = make_app(sample_corpus)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(app, pilot)
        bar = app.main.status.query_one(Bar)
        assert bar.auto_refresh is None
        app.main.status.indexing(0, 0)
        await pilot.pause()
        assert bar.auto_refresh is not None  # the check can fail: it animates while shown
        app.main.status.indexing_finished("Index up to date")
        await pilot.pause()
        assert bar.auto_refresh is None


class PausedIndexer(InProcessIndexer):
    """Says it has read 5 of 10 articles, then waits for ``go`` before it updates."""

    def __init__(self, go: threading.Event) -> None:
        super().__init__()
        self.go = go

    async def run(self, index, *, rebuild, tell):
        tell(Progress(5, 10))
        await asyncio.to_thread(self.go.wait, 30)
        tell(Progress(10, 10))
        return await super().run(index, rebuild=rebuild, tell=tell)


@pytest.mark.parametrize("first_build", [True, False])
async def test_a_search_while_indexing_says_what_it_searched(sample_corpus, first_build):
    """A first build's search had 'no results (indexing: 16,850 of 20,000 done)' though the
    index held nothing yet; a search during an update answers from the index as it was."""
    if not first_build:
        CorpusIndex(sample_corpus).open().update()
    go = threading.Event()
    app = make_app(sample_corpus, indexer=PausedIndexer(go))
    try:
        async with app.run_test(size=(120, 36)) as pilot:
            await until(pilot, lambda: app.main.status.message == "Indexing: 5 of 10 articles")
            await pilot.press("slash", *"Nvidia")
            await until(pilot, lambda: search_status(app))
            assert search_status(app) == ("nothing is searchable yet: indexing 5 of 10"
                                          if first_build else
                                          "1 result (in 3 articles, indexing 5 of 10)")
            go.set()
            await until(pilot, lambda: "writing the index" in app.main.status.message
                        or app.main.loader.runs)
            await settle(app, pilot)
            assert search_status(app) == "1 result"  # searched again once the index is whole
    finally:
        go.set()


async def test_a_short_narrow_terminal_gives_the_pane_in_use_the_room(write_corpus):
    """40x12: the stacked list showed 2 rows while the empty article pane below took 5."""
    corpus = write_corpus({f"s{i}.txt": f"Story {i}\nText {i}.\n" for i in range(8)})
    app = make_app(corpus)
    async with app.run_test(size=(40, 12)) as pilot:
        await settle(app, pilot)
        assert app.focused is app.main.article_list
        choosing = app.main.article_list.scrollable_content_region.height
        await pilot.press("enter")
        await settle(app, pilot)
        assert app.focused is app.main.article_view
        await pilot.pause()
        reading = app.main.article_view.region.height
        assert choosing >= 3 and reading >= 6, (choosing, reading)
        assert app.main.article_view.path  # an article is open in the larger pane
        # A search result is two lines; with one line of list left while reading, that line
        # is its title (it was the snippet: no telling which article was open).
        await pilot.press("slash", *"story", "enter", "j", "j", "enter")
        await settle(app, pilot)
        await pilot.pause()
        assert app.focused is app.main.article_view
        shown = visible_text(app).strip().splitlines()
        height = app.main.article_list.scrollable_content_region.height
        assert height < 2 and shown and shown[0].lstrip("● ").startswith("Story"), shown


async def test_a_narrow_list_shows_a_snippet_from_a_word_before_its_hit(sample_corpus):
    from types import SimpleNamespace

    snippet = "Some roads are closed because of the thick haze caused by bushfire smoke today."
    hit = snippet.index("bushfire")
    row = SimpleNamespace(path="a.txt", title="Haze", section="", date=datetime(2025, 1, 1),
                          title_spans=[], snippet=snippet, snippet_spans=[(hit, hit + 8)])
    app = make_app(sample_corpus)
    async with app.run_test(size=(40, 12)) as pilot:
        await settle(app, pilot)
        app.main.article_list.set_rows([row], row_height=2)
        await pilot.pause()
        line = app.main.article_list.render_line(1).text
        assert "bushfire" in line and line.startswith("   …"), line
        first = line[4:].split()[0]
        assert first in snippet.split(), line  # a whole word, not "…s caused"


async def test_a_search_that_ends_as_the_app_closes_is_dropped(sample_corpus, monkeypatch):
    """The search runs in a thread; when it comes back after q, the widgets are gone, and
    it is dropped: no error, and the app ends with status 0."""
    from reader.core.search import Searcher

    searching, release = threading.Event(), threading.Event()
    search = Searcher.search

    def slow_search(self, *args, **kwargs):
        searching.set()
        release.wait(30)
        return search(self, *args, **kwargs)

    monkeypatch.setattr(Searcher, "search", slow_search)
    app = make_app(sample_corpus)
    try:
        async with app.run_test(size=(120, 36)) as pilot:
            await settle(app, pilot)
            await pilot.press("slash", *"china")
            await asyncio.to_thread(searching.wait, 30)
            await pilot.press("ctrl+c")
        assert app.return_code == 0
    finally:
        release.set()


