"""The reading loop: choosing with the mouse, reading reflowed text where it was left,
marking a whole list read, the article's link, export and the panes' split."""

from __future__ import annotations

from app_support import make_app, settle

from reader.tui.app import ReaderApp

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
