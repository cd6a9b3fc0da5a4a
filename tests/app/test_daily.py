"""Daily use: read marks, stars, views, unread navigation, history, pager/editor/copy,
live updates and remembered settings, in the real app under run_test()."""

from __future__ import annotations

import asyncio

from app_support import make_app, notices, settle, titles

from reader.core.settings import parse_settings
from reader.core.state import StateStore

ARTICLES = {
    "a.txt": "Title: Alpha\nDate: 2025-01-05\n\nAlpha story about rivers.\n",
    "b.txt": "Title: Beta\nDate: 2025-01-04\n\nBeta story about mountains.\n",
    "c.txt": "Title: Gamma\nDate: 2025-01-03\n\nGamma story about rivers.\n",
    "world/d.txt": "Title: Delta\nDate: 2025-01-02\n\nDelta story about deserts.\n",
}


async def test_opening_marks_read_after_a_moment_not_on_passing(write_corpus):
    app = make_app(write_corpus(ARTICLES))
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(app, pilot)
        app.main.article_view.read_after = 60  # passing over articles: none stays open long enough
        await pilot.press("enter", "right_square_bracket", "right_square_bracket")
        await settle(app, pilot)
        assert app.main.article_view.path == "c.txt"
        assert app.main.library.read == set()
        app.main.article_view.read_after = 0  # now stay on one
        await pilot.press("left_square_bracket")
        await settle(app, pilot)
        assert app.main.library.read == {"b.txt"}
        assert "3 unread" in app.main.sub_title


async def test_m_toggles_and_s_stars(write_corpus):
    app = make_app(write_corpus(ARTICLES))
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(app, pilot)
        await pilot.press("m")
        assert app.main.library.read == {"a.txt"}
        assert app.library.state.is_read("a.txt")
        await pilot.press("m")
        assert app.main.library.read == set() and not app.library.state.is_read("a.txt")
        await pilot.press("j", "s")
        assert app.main.library.starred == {"b.txt"} and app.library.state.is_starred("b.txt")
        line = app.main.article_list.render_lines_plain()[1]
        assert "★" in line and "Beta" in line
        await pilot.press("s")
        assert app.main.library.starred == set()


async def test_views_and_sections(write_corpus):
    app = make_app(write_corpus(ARTICLES))
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(app, pilot)
        await pilot.press("m", "j", "s")  # Alpha read, Beta starred
        await pilot.press("v")
        assert app.main.view == "unread"
        assert titles(app) == ["Beta", "Gamma", "Delta"]
        # First, so that a narrow header, cut at its end, still says the list is filtered.
        assert app.main.sub_title.startswith("showing unread · ")
        assert app.main.status.message == "Showing unread articles (v: next view)"
        await pilot.press("v")
        assert titles(app) == ["Beta"]
        assert app.main.status.message.startswith("Showing starred articles")
        await pilot.press("v")
        assert titles(app) == ["Alpha", "Beta", "Gamma", "Delta"]
        app.main.section = "world"
        await settle(app, pilot)
        assert titles(app) == ["Delta"]
        assert app.main.sub_title.startswith("showing all in world · ")
        commands = {c.title for c in app.get_system_commands(app.screen)}
        assert "Show section: world" in commands and "Show unread articles" in commands


async def test_search_results_show_read_and_unread_whatever_the_view(write_corpus):
    app = make_app(write_corpus(ARTICLES))
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(app, pilot)
        await pilot.press("m")  # Alpha read
        app.main.view = "unread"
        await pilot.press("slash", *"rivers")
        await settle(app, pilot)
        assert sorted(titles(app)) == ["Alpha", "Gamma"]


async def test_u_next_unread_and_backspace_goes_back(write_corpus):
    app = make_app(write_corpus(ARTICLES))
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(app, pilot)
        app.main.library.read.update({"b.txt"})
        await pilot.press("enter")
        await settle(app, pilot)
        assert app.main.article_view.path == "a.txt"
        await pilot.press("u")
        await settle(app, pilot)
        assert app.main.article_view.path == "c.txt"  # Beta is read: skipped
        await pilot.press("u")
        await settle(app, pilot)
        assert app.main.article_view.path == "world/d.txt"
        app.main.library.read.discard("a.txt")  # whether the first look counted as reading it or not
        await pilot.press("u")  # nothing further down: round to the top, and say so
        await settle(app, pilot)
        assert app.main.article_view.path == "a.txt"
        assert app.main.status.message.startswith("No more unread below: back to the first")
        await pilot.press("U")  # and back round the other way
        await settle(app, pilot)
        assert app.main.article_view.path == "world/d.txt"
        assert app.main.status.message.startswith("No more unread above")
        await pilot.press("U")
        await settle(app, pilot)
        assert app.main.article_view.path == "c.txt"
        await pilot.press("backspace")
        await settle(app, pilot)
        assert app.main.article_view.path == "world/d.txt"
        await pilot.press("backspace")
        await settle(app, pilot)
        assert app.main.article_view.path == "a.txt"
        app.main.library.read.update({"a.txt", "c.txt", "world/d.txt"})  # the one open is all that is left
        await pilot.press("u")
        await settle(app, pilot)
        assert app.main.article_view.path == "a.txt"
        assert app.main.status.message == "No other unread article in this list."


async def test_marks_stars_and_view_survive_a_restart(write_corpus):
    corpus = write_corpus(ARTICLES)
    app = make_app(corpus)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(app, pilot)
        await pilot.press("m", "j", "m", "s")
        app.main.sort_by("title")
        app.main.view = "unread"
        await settle(app, pilot)
    again = make_app(corpus)
    async with again.run_test(size=(120, 36)) as pilot:
        await settle(again, pilot)
        assert again.library.read == {"a.txt", "b.txt"}
        assert again.library.starred == {"b.txt"}
        assert again.main.view == "unread" and again.main.sort == "title"
        assert titles(again) == ["Delta", "Gamma"]


async def test_marks_follow_a_renamed_file(write_corpus):
    corpus = write_corpus(ARTICLES)
    app = make_app(corpus)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(app, pilot)
        await pilot.press("s")
        app.main.article_view.read_after = 0
        await pilot.press("enter")
        await settle(app, pilot)
        await settle(app, pilot)
    assert StateStore(corpus).is_read("a.txt")
    (corpus / "a.txt").rename(corpus / "alpha-renamed.txt")
    again = make_app(corpus)
    async with again.run_test(size=(120, 36)) as pilot:
        await settle(again, pilot)
        assert "alpha-renamed.txt" in again.library.read
        assert "alpha-renamed.txt" in again.library.starred


async def test_pager_editor_and_copy_without_a_terminal(write_corpus):
    """Each says at once that it cannot run here (asserted then, not after waiting: a
    notice lasts 5 s), and an editor that never ran starts no indexing."""
    app = make_app(write_corpus(ARTICLES))
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await settle(app, pilot)
        runs = app.main.loader.runs
        for key in ("o", "e"):
            app.clear_notifications()
            await pilot.press(key)
            await pilot.pause()
            assert any("Cannot hand over the terminal" in m for m in notices(app)), key
        await settle(app, pilot)
        assert app.main.loader.runs == runs
        await pilot.press("y")
        assert app.clipboard.startswith("Alpha\n\nAlpha story about rivers.")
        assert "Copied" in app.main.status.message
        assert app.is_running


async def test_live_updates_keep_the_cursor_and_the_open_article(write_corpus):
    corpus = write_corpus(ARTICLES)
    app = make_app(corpus, watch=True)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(app, pilot)
        await pilot.press("j", "enter")
        await settle(app, pilot)
        assert app.main.article_view.path == "b.txt"
        runs = app.main.loader.runs
        (corpus / "new.txt").write_text("Title: Epsilon\nDate: 2025-02-01\n\nFresh story.\n")
        (corpus / "c.txt").unlink()
        (corpus / "b.txt").write_text("Title: Beta\nDate: 2025-01-04\n\nBeta now about lakes.\n")

        def updated() -> bool:
            paths = {e.path for e in app.main.library.entries}
            shown = app.main.article_view.shown
            return ("new.txt" in paths and "c.txt" not in paths and app.main.loader.runs > runs
                    and shown is not None and "lakes" in shown.article.body)

        # The watcher notices, the indexer runs, the list reloads: poll for it.
        deadline = asyncio.get_running_loop().time() + 30
        while not updated():
            assert asyncio.get_running_loop().time() < deadline, "the change never appeared"
            await pilot.pause(0.05)
        assert titles(app)[0] == "Epsilon"
        assert app.main.article_list.current_path == "b.txt"  # the cursor stayed
        assert app.main.article_view.path == "b.txt"
        assert "lakes" in app.main.article_view.shown.article.body


async def test_bad_settings_are_reported_and_defaults_used(write_corpus):
    """Six bad settings made six notices over the header, binding ids without a line: one
    notice lists every problem with its line, and the help screen lists them again."""
    settings = parse_settings('theme = "no-such-theme"\ntext_width = 5\nmax_size = "big"\n'
                              'colour = 1\n[keys]\n"app.relatd" = "R"\n"app.star" = "S"\n'
                              '"app.related" = "j"\n', None)
    app = make_app(write_corpus(ARTICLES), settings=settings)
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await settle(app, pilot)
        messages = notices(app)
        assert len(messages) == 1, messages
        lines = messages[0].splitlines()
        assert lines[:2] == ["Settings", "the settings: 6 problems"]
        assert lines[2:] == [
            "line 1: theme 'no-such-theme' is not one of the themes (ctrl+p, Theme, lists them)"
            "; using textual-dark",
            "line 2: text_width must be a whole number from 40 to 200; using 88",
            "line 3: max_size must be a size such as 10485760 or \"10MB\"; using 10MB",
            "line 4: 'colour' is not a setting (the settings: corpus, theme, text_width, "
            "max_size, scroll_animation, fetch_every, keys); ignored",
            "line 6: [keys] 'app.relatd' is not one of reader's binding ids (did you mean "
            "'app.related'?); ignored",
            "line 8: [keys] 'j' for 'app.related' does nothing in the article or the list or "
            "the sections pane: 'list.down' and 'article.down' and 'sections.down' have it "
            "first",
        ]
        assert app.theme == "textual-dark"
        await pilot.press("S")  # a good remapping works
        assert app.main.status.message == "Starred."
        await pilot.press("question_mark")
        await pilot.pause()
        shown = " ".join(str(s.render()) for s in app.screen.query(".help-problems"))
        assert "line 6: [keys] 'app.relatd'" in shown and "line 1: theme" in shown


async def test_a_remapped_key_another_binding_takes_first_is_named(write_corpus):
    """Textual lets the focused pane's j win over the app's: related on j did nothing, and
    said nothing. A swap of two keys is fine and draws no warning."""
    settings = parse_settings('[keys]\n"app.related" = "j"\n"app.star" = "r"\n'
                              '"app.toggle_read" = "s"\n', None)
    app = make_app(write_corpus(ARTICLES), settings=settings)
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await settle(app, pilot)
        messages = notices(app)
        clashes = [m for m in messages if "[keys]" in m]
        assert len(clashes) == 1, messages
        assert ("'j' for 'app.related' does nothing in the article or the list or the sections "
                "pane: 'list.down' and 'article.down' and 'sections.down' have it first"
                ) in clashes[0]
        before = app.main.article_list.current_path
        await pilot.press("j")  # as it says: the list moves
        assert app.main.article_list.current_path != before


async def test_settings_theme_and_width_apply(write_corpus):
    app = make_app(write_corpus(ARTICLES), theme="gruvbox", text_width=60)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(app, pilot)
        await pilot.press("enter")
        await settle(app, pilot)
        assert app.theme == "gruvbox"
        body = app.main.article_view.query_one("#article-body")
        assert body.size.width <= 60


async def test_a_theme_picked_in_the_palette_is_kept_for_the_next_start(write_corpus):
    """In every corpus; but a theme the settings file names since (an edit made after the
    pick) is the newer choice, and wins."""
    corpus = write_corpus(ARTICLES)
    app = make_app(corpus)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(app, pilot)
        for keys in (["ctrl+p"], list("theme"), ["enter"], list("nord"), ["enter"]):
            await pilot.press(*keys)
            await settle(app, pilot)
        assert app.theme == "nord"
    other = write_corpus({"x.txt": "Elsewhere\n\nAnother folder.\n"}, name="other")
    for folder in (corpus, other):
        app = make_app(folder)
        async with app.run_test(size=(120, 36)) as pilot:
            await settle(app, pilot)
            assert app.theme == "nord", folder
    app = make_app(corpus, theme="gruvbox")
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(app, pilot)
        assert app.theme == "gruvbox"
    # The file naming the default theme is a choice too, not the same as naming none.
    app = make_app(corpus, theme="textual-dark")
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(app, pilot)
        assert app.theme == "textual-dark"


async def test_the_cursor_is_on_screen_after_each_view(write_corpus):
    """Back to all from the starred view, the list showed its top with the cursor 40 rows
    down, off screen: s or m then acted on an article not in sight."""
    corpus = write_corpus({f"n{i:02}.txt": f"Title: Story {i}\nDate: 2025-01-{1 + i % 28:02}"
                           f"\n\nText {i}.\n" for i in range(60)})
    app = make_app(corpus)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        listing = app.main.article_list
        await pilot.press(*["j"] * 40, "s")
        starred = listing.current_path
        for _ in range(3):  # unread, starred, all
            await pilot.press("v")
            await settle(app, pilot)
            assert listing.current_path == starred, app.main.view
            top = listing.cursor * listing.row_height
            assert listing.scroll_y <= top < listing.scroll_y + listing.scrollable_content_region.height, (
                app.main.view, listing.cursor, listing.scroll_y)


async def test_an_article_read_in_the_unread_view_stays_until_the_view_changes(write_corpus):
    """A list refresh (a new file, the editor, a rebuild) dropped the open article from the
    unread view, and ] then skipped the article after it."""
    corpus = write_corpus(ARTICLES)
    app = make_app(corpus, watch=True)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(app, pilot)
        app.main.article_view.read_after = 0
        await pilot.press("v", "j", "enter")  # unread view; Beta
        await settle(app, pilot)
        assert app.main.view == "unread" and app.main.library.read == {"b.txt"}
        runs = app.main.loader.runs
        (corpus / "new.txt").write_text("Title: Epsilon\nDate: 2025-02-01\n\nFresh story.\n")
        deadline = asyncio.get_running_loop().time() + 30
        while not ("new.txt" in {e.path for e in app.main.library.entries} and app.main.loader.runs > runs):
            assert asyncio.get_running_loop().time() < deadline, "the new file never appeared"
            await pilot.pause(0.05)
        await pilot.pause()
        assert titles(app) == ["Epsilon", "Alpha", "Beta", "Gamma", "Delta"]
        assert app.main.article_list.current_path == "b.txt"
        await pilot.press("right_square_bracket")
        await settle(app, pilot)
        assert app.main.article_view.path == "c.txt"  # Gamma, the next one
        await pilot.press("v", "v", "v")  # round to the unread view again: now it has gone
        await settle(app, pilot)
        assert app.main.view == "unread" and "Beta" not in titles(app)


def test_the_readme_lists_every_binding_id_for_the_keys_table():
    import re
    from pathlib import Path

    from reader.tui.keys import binding_ids

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text("utf-8")
    listed = readme.split("The binding ids for `[keys]`:", 1)[1].split("\n\n", 1)[0]
    ids = set(binding_ids())
    assert set(re.findall(r"`([a-z_]+\.[a-z_]+)`", listed)) == ids
