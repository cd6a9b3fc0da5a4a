"""The sections pane, saved searches, tags, the search box's history and traps, and header
counts of what is shown: the real app under run_test(), driven by keys."""

from __future__ import annotations

import asyncio
import functools
import threading

from app_support import make_app, notices, search_status, settle, titles, visible_text

from reader.core.index import CorpusIndex
from reader.core.progress import Committed, Progress
from reader.core.search import Searcher
from reader.core.state import StateStore
from reader.tui.indexer import InProcessIndexer
from reader.tui.screens.ask import AskScreen

ARTICLES = {
    "a.txt": "Title: Alpha rivers\nDate: 2025-01-06\n\nAlpha story about rivers.\n",
    "world/b.txt": "Title: Beta mountains\nDate: 2025-01-05\n\nBeta story about mountains.\n",
    "world/c.txt": "Title: Gamma rivers\nDate: 2025-01-04\n\nGamma story about rivers.\n",
    "world/europe/d.txt": "Title: Delta rivers\nDate: 2025-01-03\n\nDelta rivers in Europe.\n",
    "sport/e.txt": "Title: Epsilon match\nDate: 2025-01-02\n\nA match by the river.\n",
}


def pane(app) -> list[str]:
    return app.main.sections_pane.lines()


async def counted(app, pilot) -> None:
    """Once the counts worked out off the event loop are in."""
    await settle(app, pilot)


async def answer(app, pilot, text: str) -> None:
    """Type ``text`` into the dialog on screen and press enter."""
    assert isinstance(app.screen, AskScreen)
    await pilot.press(*(["ctrl+u"] + list(text) + ["enter"]))
    await settle(app, pilot)


async def test_the_sections_pane_counts_and_shows_sections(write_corpus):
    app = make_app(write_corpus(ARTICLES))
    async with app.run_test(size=(120, 36)) as pilot:
        await counted(app, pilot)
        assert pane(app) == [
            "▸All articles 5/5", "Sections", " sport 1/1", " world 3/3", "   europe 1/1",
            "Saved searches", "  ctrl+s saves one", "Tags", "  t tags an article",
        ]
        # Reading one counts it at once, in its section and the folders above it.
        app.main.article_list.move_to("world/europe/d.txt")
        await pilot.press("m")
        assert pane(app)[0] == "▸All articles 4/5"
        assert " world 2/3" in pane(app) and "   europe 1" in pane(app)
        assert app.main.sub_title == "showing all · 5 articles · 4 unread · newest first"

        await pilot.press("1", "down", "down", "enter")  # world (past the heading and sport)
        await settle(app, pilot)
        assert app.main.section == "world"
        assert app.focused is app.main.article_list
        assert titles(app) == ["Beta mountains", "Gamma rivers", "Delta rivers"]
        assert " ▸world 2/3" in [f" {line}" for line in pane(app)]
        # Counts of what is shown, in one order whatever the view.
        assert app.main.sub_title == "showing all in world · 3 articles · 2 unread · newest first"
        await pilot.press("v")
        assert app.main.sub_title == ("showing unread in world · 2 articles · 2 unread · "
                                      "newest first")
        await pilot.press("s", "v")  # Beta starred: the starred view
        assert app.main.sub_title == ("showing starred in world · 1 article · 1 unread · "
                                      "newest first")
        await pilot.press("1", "home", "enter")  # All articles
        await settle(app, pilot)
        assert app.main.section is None
        assert app.main.sub_title == "showing starred · 1 article · 1 unread · newest first"


async def test_counts_follow_new_articles_and_are_never_a_walk_per_key(write_corpus, monkeypatch):
    """An article added is counted (off the event loop); marking one read changes the counts
    without counting every article again."""
    import reader.tui.tallies as tallies

    corpus = write_corpus(ARTICLES)
    app = make_app(corpus)
    async with app.run_test(size=(120, 36)) as pilot:
        await counted(app, pilot)
        (corpus / "sport" / "f.txt").write_text("Title: Zeta cup\n\nThe cup final.\n")
        app.main.loader.request()
        await settle(app, pilot)
        await app.main.loader.finished.wait()
        await counted(app, pilot)
        assert " sport 2/2" in pane(app) and pane(app)[0] == "▸All articles 6/6"

        walks = []
        monkeypatch.setattr(tallies, "section_tallies",
                            lambda *args: walks.append(args) or {})
        for _ in range(3):
            await pilot.press("m")
        await pilot.pause()
        assert pane(app)[0] == "▸All articles 5/6"
        assert walks == []


async def test_the_pane_hides_and_shows_and_is_remembered(write_corpus):
    corpus = write_corpus(ARTICLES)
    app = make_app(corpus)
    async with app.run_test(size=(120, 36)) as pilot:
        await counted(app, pilot)
        assert app.main.sections_pane.display
        width = app.main.article_view.size.width
        await pilot.press("B")
        await pilot.pause()
        assert not app.main.sections_pane.display
        assert app.main.article_view.size.width > width  # the room goes to the panes
        await pilot.press("tab", "tab")
        assert app.focused is app.main.article_list  # tab goes round without it
    again = make_app(corpus)
    async with again.run_test(size=(120, 36)) as pilot:
        await counted(again, pilot)
        assert not again.main.sections_pane.display
        await pilot.press("1")  # asked for: shown again
        await pilot.pause()
        assert again.main.sections_pane.display
        assert again.focused is again.main.sections_pane
    narrow = make_app(corpus)
    async with narrow.run_test(size=(99, 30)) as pilot:
        await counted(narrow, pilot)
        assert not narrow.main.sections_pane.display
        # The palette still shows a section.
        titles_ = {c.title for c in narrow.get_system_commands(narrow.screen)}
        assert "Show section: world" in titles_


async def test_a_saved_search_shows_in_the_pane_counted_and_runs_as_a_live_view(write_corpus):
    corpus = write_corpus(ARTICLES)
    app = make_app(corpus)
    async with app.run_test(size=(120, 36)) as pilot:
        await counted(app, pilot)
        await pilot.press("slash", *"rivers", "ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, AskScreen)
        assert app.screen.input.value == "rivers"
        await answer(app, pilot, "Rivers")
        assert app.library.state.saved_searches()[0].query == "rivers"
        assert "Saved \u201cRivers\u201d" in app.main.status.message
        await counted(app, pilot)
        assert "▸Rivers 4/4" in pane(app)  # the results shown are the saved search's
        assert app.main.sub_title == "showing saved search Rivers · 4 results · 4 unread · by relevance"

        await pilot.press("escape")  # leave the search: the full list
        await settle(app, pilot)
        app.main.article_list.move_to("world/c.txt")
        await pilot.press("m")
        assert " Rivers 3/4" in pane(app)

        await pilot.press("1", "end", "enter")  # the saved search (the last row but notes)
        await settle(app, pilot)
        assert app.main.searched == "rivers"
        assert app.focused is app.main.article_list
        assert len(app.main.article_list.rows) == 4
        assert "▸Rivers 3/4" in pane(app)
        # A new article that matches is in the view and its count.
        (corpus / "g.txt").write_text("Title: Eta rivers\n\nRivers again.\n")
        app.main.loader.request()
        await settle(app, pilot)
        await counted(app, pilot)
        assert len(app.main.article_list.rows) == 5
        assert "▸Rivers 4/5" in pane(app)

        commands = {c.title: c for c in app.get_system_commands(app.screen)}
        commands["Rename saved search: Rivers"].callback()
        await pilot.pause()
        await answer(app, pilot, "Waters")
        await counted(app, pilot)
        assert [s.name for s in app.library.state.saved_searches()] == ["Waters"]
        assert "▸Waters 4/5" in pane(app)
    again = make_app(corpus)
    async with again.run_test(size=(120, 36)) as pilot:
        await counted(again, pilot)
        assert " Waters 4/5" in pane(again)
        commands = {c.title: c for c in again.get_system_commands(again.screen)}
        commands["Remove saved search: Waters"].callback()
        await counted(again, pilot)
        assert again.library.state.saved_searches() == []
        assert "  ctrl+s saves one" in pane(again)


async def test_a_respelled_search_is_saved_as_respelled(write_corpus):
    app = make_app(write_corpus(ARTICLES))
    async with app.run_test(size=(120, 36)) as pilot:
        await counted(app, pilot)
        await pilot.press("slash", *"mountins")
        await settle(app, pilot)
        assert titles(app) == ["Beta mountains"]
        await pilot.press("enter", "ctrl+s")  # from the results
        await pilot.pause()
        assert app.screen.input.value == "mountains"
        await answer(app, pilot, "")  # no name: not saved
        assert app.library.state.saved_searches() == []
        await pilot.press("ctrl+s")
        await pilot.pause()
        await pilot.press("enter")
        await settle(app, pilot)
        assert [(s.name, s.query) for s in app.library.state.saved_searches()] == [
            ("mountains", "mountains")]


async def test_ctrl_s_without_a_search_says_what_to_do(write_corpus):
    app = make_app(write_corpus(ARTICLES))
    async with app.run_test(size=(120, 36)) as pilot:
        await counted(app, pilot)
        await pilot.press("ctrl+s")
        assert app.screen is app.main
        assert app.main.status.message == "Search for something first; ctrl+s then saves the query."


async def test_tags_of_your_own(write_corpus):
    corpus = write_corpus(ARTICLES)
    app = make_app(corpus)
    async with app.run_test(size=(120, 36)) as pilot:
        await counted(app, pilot)
        await pilot.press("enter")  # Alpha, open
        await settle(app, pilot)
        await pilot.press("t")
        await pilot.pause()
        await answer(app, pilot, "Economy, later")
        assert app.library.state.tags_of("a.txt") == ["economy", "later"]
        assert app.main.status.message == "Tags: economy, later."
        meta = str(app.main.article_view.query_one("#article-meta").render())
        assert "Tags  economy, later" in meta
        assert "#economy +1" in visible_text(app).splitlines()[0]
        await counted(app, pilot)
        assert pane(app)[-2:] == [" economy 1", " later 1"]  # read by now: 1 of 1

        await pilot.press("2", "down", "t")  # Beta, from the list: completion of tags
        await pilot.pause()
        await pilot.press("l", "tab", "enter")
        await settle(app, pilot)
        assert app.library.state.tags_of("world/b.txt") == ["later"]
        await counted(app, pilot)
        assert pane(app)[-1] == " later 1/2"

        await pilot.press("1", "end", "enter")  # the tag: its articles
        await settle(app, pilot)
        assert sorted(titles(app)) == ["Alpha rivers", "Beta mountains"]
        assert app.main.sub_title == "showing tag later · 2 results · 1 unread · by relevance"
        assert "▸later 1/2" in pane(app)

        await pilot.press("slash", "ctrl+u", *"tags:economy")  # tags: finds them
        await settle(app, pilot)
        assert titles(app) == ["Alpha rivers"]

        await pilot.press("escape", "home", "t")
        await pilot.pause()
        await answer(app, pilot, "-later")
        assert app.library.state.tags_of("a.txt") == ["economy"]
        # Never in the file.
        assert "economy" not in (corpus / "a.txt").read_text()


async def test_search_history_walks_back_and_is_kept_across_restarts(write_corpus):
    corpus = write_corpus(ARTICLES)
    app = make_app(corpus)
    async with app.run_test(size=(120, 36)) as pilot:
        await counted(app, pilot)
        await pilot.press("slash", *"rivers", "enter")  # gone on to the results: kept
        await settle(app, pilot)
        await pilot.press("slash", *"mountains")
        await settle(app, pilot)
        await pilot.press("escape")  # left: kept too
        await settle(app, pilot)
        await pilot.press("slash", *"riv")  # typed on the way, never gone on with
        await settle(app, pilot)
        await pilot.press("ctrl+u", *"europe")
        await pilot.press("up")
        assert app.main.search_bar.value == "mountains"
        await pilot.press("up")
        assert app.main.search_bar.value == "rivers"
        await pilot.press("up")  # the oldest: stays
        assert app.main.search_bar.value == "rivers"
        await pilot.press("down", "down")
        assert app.main.search_bar.value == "europe"  # what was typed before walking
        await settle(app, pilot)
        await pilot.press("down")  # then to the results
        assert app.focused is app.main.article_list
        assert titles(app) == ["Delta rivers"]
    again = make_app(corpus)
    async with again.run_test(size=(120, 36)) as pilot:
        await counted(again, pilot)
        await pilot.press("slash", "up")
        assert again.main.search_bar.value == "europe"
        await pilot.press("up")
        assert again.main.search_bar.value == "mountains"
        await settle(again, pilot)
        assert titles(again) == ["Beta mountains"]  # a recalled query is searched


async def test_slash_in_the_box_selects_the_query_unless_it_is_being_typed(write_corpus):
    app = make_app(write_corpus(ARTICLES))
    async with app.run_test(size=(120, 36)) as pilot:
        await counted(app, pilot)
        await pilot.press("slash", *"section:world/europe")  # typing: a character
        assert app.main.search_bar.value == "section:world/europe"
        await settle(app, pilot)
        assert titles(app) == ["Delta rivers"]
        await pilot.press("enter", "slash", "slash")  # back from the results: selected
        box = app.main.search_bar.input
        assert box.value == "section:world/europe" and box.selected_text == box.value
        await pilot.press(*"beta")  # selected: typing replaces it
        assert box.value == "beta"
        await pilot.press("left", "slash")  # the cursor moved: editing, a character
        assert box.value == "bet/a"
        await pilot.press("up")  # a query recalled whole, not being typed: / selects it
        assert box.value == "section:world/europe"
        await pilot.press("slash", "x")
        assert box.value == "x"
        await settle(app, pilot)


async def test_typing_after_taking_a_suggestion_never_runs_a_command(write_corpus, monkeypatch):
    """Taking "did you mean" moved the focus to the list, and the next letters starred (s),
    opened the editor (e) and the pager (o)."""
    monkeypatch.setenv("EDITOR", "false")
    monkeypatch.setenv("PAGER", "false")
    app = make_app(write_corpus(ARTICLES))
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await counted(app, pilot)
        await pilot.press("slash", *"mountins")
        await settle(app, pilot)
        await pilot.press("ctrl+r")  # exactly as typed: nothing, and "did you mean"
        await settle(app, pilot)
        assert "did you mean: mountains" in search_status(app)
        await pilot.press("enter")  # take it
        await settle(app, pilot)
        assert titles(app) == ["Beta mountains"]
        await pilot.press(*" seo")
        await settle(app, pilot)
        assert app.main.search_bar.value == "mountains seo"
        assert app.library.starred == set()
        assert app.main.article_view.path is None
        assert notices(app) == []


async def test_a_search_cut_short_says_so_instead_of_counting_forever(write_corpus, monkeypatch):
    monkeypatch.setattr(Searcher, "search",
                        functools.partialmethod(Searcher.search, budget=-1.0))
    app = make_app(write_corpus(ARTICLES))
    async with app.run_test(size=(120, 36)) as pilot:
        await counted(app, pilot)
        await pilot.press("slash", *"rivers")
        await settle(app, pilot)
        assert search_status(app).endswith("(the search was cut short)")
        assert "counting" not in search_status(app)
        assert app.main.status.message == ("Search: the search took too long: these are the "
                                           "best results found in time.")


class FirstBatchIndexer(InProcessIndexer):
    """A first build: nothing indexed until ``first`` is set, then a first commit (of every
    article here) while the build says it goes on, until ``rest`` is set."""

    def __init__(self, first: threading.Event, rest: threading.Event) -> None:
        super().__init__()
        self.first, self.rest = first, rest

    async def run(self, index, *, rebuild, tell):
        tell(Progress(0, 50))
        await asyncio.to_thread(self.first.wait, 30)
        done = await super().run(index, rebuild=rebuild, tell=lambda event: None)
        tell(Committed(5, 50))
        tell(Progress(5, 50))
        await asyncio.to_thread(self.rest.wait, 30)
        return done


async def test_a_search_before_the_first_batch_says_so_then_answers_from_it(write_corpus):
    first, rest = threading.Event(), threading.Event()
    app = make_app(write_corpus(ARTICLES), indexer=FirstBatchIndexer(first, rest))
    try:
        async with app.run_test(size=(120, 36)) as pilot:
            for _ in range(200):
                await pilot.pause(0.02)
                if app.main.search_bar.indexing:
                    break
            await pilot.press("slash", *"rivers")
            for _ in range(200):
                await pilot.pause(0.02)
                if app.main.searched:
                    break
            assert search_status(app) == "nothing is searchable yet: indexing 0 of 50"
            assert "Nothing is searchable yet: indexing 0 of 50 articles." in " ".join(
                visible_text(app).split())
            first.set()
            for _ in range(300):
                await pilot.pause(0.02)
                if app.main.article_list.rows:
                    break
            assert len(app.main.article_list.rows) == 4
            assert search_status(app) == "4 results (in 5 articles, indexing 5 of 50)"
    finally:
        first.set()
        rest.set()


def test_the_tag_and_saved_search_stores_are_the_searchers(write_corpus):
    """What the pane counts for a tag is what ``tags:`` finds, the files' own Tags: too."""
    corpus = write_corpus({**ARTICLES, "h.txt": "Title: Theta\nTags: later\n\nText.\n"})
    index = CorpusIndex(corpus).open()
    index.update()
    store = StateStore(corpus)
    store.add_tag("a.txt", "later")
    assert Searcher(index, own_tags=store.paths_tagged).paths('tags:"later"') == {
        "a.txt", "h.txt"}
