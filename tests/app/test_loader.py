"""The loader: its waits end when the app quits, whatever the moment; runs asked for at
once, or during one that fails."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace

import pytest

from reader.tui.loader import drawn


async def test_a_quit_as_the_first_screen_is_drawn_stops_the_loading():
    """q pressed just as the list's first screen appeared: the loading must stop there, not
    go on to draw on a screen being taken down (an error and exit status 1, 1 in 3 times)."""
    refreshed: list = []
    screen = SimpleNamespace(call_after_refresh=refreshed.append)
    for _ in range(3):
        loading = asyncio.create_task(drawn(screen))
        await asyncio.sleep(0)
        refreshed.pop()()  # the frame is drawn ...
        loading.cancel()  # ... and q comes in the same turn of the loop
        with pytest.raises(asyncio.CancelledError):
            await loading


async def test_the_wait_for_a_frame_gives_up_after_its_timeout():
    screen = SimpleNamespace(call_after_refresh=lambda callback: None)  # never drawn
    await asyncio.wait_for(drawn(screen, timeout=0.01), 5)


async def test_runs_asked_for_at_once_make_one_run_none_cancelled_unstarted(write_corpus):
    """The feeds' fetch asks for a run at each feed and once more at its end: a run about
    to start sees every file written before it, and a second one would cancel it before
    its first step (a coroutine never awaited)."""
    from app_support import make_app, settle

    app = make_app(write_corpus({"a.txt": "Alpha\nA.\n"}))
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(app, pilot)
        loader = app.main.loader
        runs = loader.runs
        loader.request()
        loader.request()
        indexing = [w for w in app.workers if w.group == "indexer" and not w.is_finished]
        assert len(indexing) == 1 and not indexing[0].is_cancelled
        await settle(app, pilot)
        assert loader.runs == runs + 1


async def test_a_run_asked_for_during_one_that_failed_still_runs(write_corpus):
    """A file written while a run fails (the index busy past the wait) is indexed all the
    same; the feeds' fetch waits for that run to show its articles."""
    import threading

    from app_support import make_app, settle, titles, until

    from reader.tui.indexer import IndexerFailed, InProcessIndexer

    class FailsOnce(InProcessIndexer):
        def __init__(self) -> None:
            super().__init__()
            self.go = threading.Event()
            self.calls = 0

        async def run(self, index, *, rebuild, tell):
            self.calls += 1
            if self.calls == 2:
                await asyncio.to_thread(self.go.wait, 30)
                raise IndexerFailed("Indexing failed: the index is busy")
            return await super().run(index, rebuild=rebuild, tell=tell)

    corpus = write_corpus({"a.txt": "Alpha\nA.\n"})
    indexer = FailsOnce()
    app = make_app(corpus, indexer=indexer)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(app, pilot)
        loader = app.main.loader
        loader.request()  # the run that fails
        await until(pilot, lambda: indexer.calls == 2)
        (corpus / "b.txt").write_text("Bravo\nB.\n")
        loader.request()  # asked for while it runs
        indexer.go.set()
        await until(pilot, lambda: loader.ended == 3)
        await settle(app, pilot)
        assert sorted(titles(app)) == ["Alpha", "Bravo"]
