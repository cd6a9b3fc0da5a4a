"""The loader's waits end when the app quits, whatever the moment."""

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
