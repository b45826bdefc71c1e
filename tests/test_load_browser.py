"""Eight people in one meeting: eight browser sessions move sliders on one local server at once.
No session loses or rescales a value; the median time from a key press to the new number on
screen is written to tests/artifacts/load.txt (a figure for the closing note, not a pass mark).
Bounded: each wait has a timeout, the whole test at most a few minutes."""
from __future__ import annotations

import asyncio
import json
import statistics
import time
from urllib.parse import parse_qs, urlparse

import numpy as np
import pytest
from test_e2e_browser import ARGS, ARTIFACTS, CHROMIUM

import sim
from tests.support import IDLE

pytestmark = pytest.mark.browser
SESSIONS = 8
PRESSES = 3
STEP = 1.0  # the program sliders move in whole 万元 (issue 19)


def _doc(url: str) -> dict:
    qs = parse_qs(urlparse(url).query)
    return json.loads(qs["s"][0]) if "s" in qs else {}


async def _session(browser, url: str, index: int, times: list[float], want: dict) -> dict:
    """One person pressing a program slider's arrow PRESSES times; the document the server holds
    at the end (its link). The live headline answers a press in the browser before the server has
    run, so the end waits until the server's link holds ``want`` or two minutes have passed."""
    ctx = await browser.new_context(viewport={"width": 1280, "height": 900})
    pg = await ctx.new_page()
    pg.set_default_timeout(120_000)
    await pg.goto(f"{url}/?preset=demo&tour=0")
    await pg.get_by_text("年评价得分").first.wait_for()
    await pg.locator(IDLE).wait_for()
    budget = pg.locator("[data-testid='simLiveBudget']")  # the program budget in the first year
    program = sim.load_catalog().programs[index % 7]  # sessions move different programs
    slider = pg.get_by_role("slider", name=program.zh)
    for _ in range(PRESSES):
        before = (await budget.inner_text()).strip()
        await slider.focus()
        t0 = time.perf_counter()
        await pg.keyboard.press("ArrowRight")
        for _ in range(600):
            if (await budget.inner_text()).strip() != before:
                break
            await asyncio.sleep(0.02)
        times.append(time.perf_counter() - t0)
        await asyncio.sleep(1.0)
    for _ in range(240):
        if await pg.locator(IDLE).count() == 1 and _doc(pg.url).get("spend") == want:
            break
        await asyncio.sleep(0.5)
    doc = _doc(pg.url)
    await ctx.close()
    return doc


def test_eight_sessions_moving_sliders_lose_nothing(server):
    from playwright.async_api import async_playwright

    sc = sim.load_preset("demo")
    first = dict(zip(sc.programs, sc.spend_matrix()[:, 0]))
    moved = [sc.programs[i % 7] for i in range(SESSIONS)]
    wants = [{p: (np.floor(first[p] / STEP + 0.5) + PRESSES) * STEP} for p in moved]
    times: list[float] = []

    async def main():
        async with async_playwright() as p:
            browser = await p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            try:
                return await asyncio.wait_for(
                    asyncio.gather(*[_session(browser, server, i, times, wants[i]) for i in range(SESSIONS)]), 420)
            finally:
                await browser.close()

    docs = asyncio.run(main())
    for i, doc in enumerate(docs):  # the browser first snaps to the nearest step, then every press counts
        assert doc.get("spend") == {p: pytest.approx(w) for p, w in wants[i].items()}, (i, doc)  # nothing rescaled
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "load.txt").write_text(
        f"{SESSIONS} sessions x {PRESSES} presses: key press to new number on screen, median "
        f"{statistics.median(times) * 1e3:.0f} ms, max {max(times) * 1e3:.0f} ms\n", encoding="utf-8")
