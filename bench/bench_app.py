"""Responsiveness in a real browser (prints figures; not a test): Playwright drives Debian's
headless Chromium against two Streamlit servers started here, the app and a trivial one-slider
page (bench/trivial_app.py), measured in the same run.

* Load: from navigation to the headline number on screen (the app's first metric: the score or
  attainment; the trivial page's metric), after one warm-up load (caches warm: what the second
  person in a meeting sees); the median of 5.
* Slider to screen: focus a program slider (the app) or the slider (trivial page), press the
  right or the left arrow (alternately: one step of the slider, as a hand moves it), and time
  until the text of the metrics on screen changes (the app's include the program budget, so
  every step shows), and until the whole rerun is drawn (no element still marked stale: the
  charts and the table included); the median of 10 moves. The same for the demo county and Handan (a city:
  attainment).

Run: .venv/bin/python bench/bench_app.py   (needs /usr/bin/chromium, as the browser tests)
"""
from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from tests.support import streamlit_server  # noqa: E402
CHROMIUM = os.environ.get("SIM_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync", "--disable-background-networking"]
METRIC = "[data-testid='stMetricValue']"


@contextmanager
def server(script: Path):
    with streamlit_server(script, Path(tempfile.mkdtemp()) / "bench.sqlite") as url:
        yield url


HEADLINE = f"() => Array.from(document.querySelectorAll(\"{METRIC}\")).map(e => e.innerText).join('|')"


def headline(page) -> str:
    """The text of the page's metrics (score or attainment, chance of A, budget)."""
    return page.evaluate(HEADLINE)


def load(browser, url: str) -> float:
    page = browser.new_page(viewport={"width": 1440, "height": 900})
    t0 = time.perf_counter()
    page.goto(url)
    page.locator(METRIC).first.wait_for(state="visible", timeout=120_000)
    seconds = time.perf_counter() - t0
    page.close()
    return seconds


SETTLED = "() => document.querySelectorAll(\"[data-stale='true']\").length === 0"


def moves(browser, url: str, slider_index: int, n: int = 10) -> tuple[list[float], list[float]]:
    """Seconds from key press to the new headline, and to the whole rerun drawn (no element of
    the page still marked stale: charts and tables included), per move."""
    page = browser.new_page(viewport={"width": 1440, "height": 900})
    page.goto(url)
    page.locator(METRIC).first.wait_for(state="visible", timeout=120_000)
    page.wait_for_timeout(1500)
    out, settled = [], []
    for k in range(n + 1):
        thumb = page.get_by_role("slider").nth(slider_index)
        thumb.focus()
        before = headline(page)
        t0 = time.perf_counter()
        page.keyboard.press("ArrowRight" if k % 2 == 0 else "ArrowLeft")
        page.wait_for_function(f"(old) => ({HEADLINE})() !== old", arg=before, timeout=60_000)
        head = time.perf_counter() - t0
        page.wait_for_function(SETTLED, timeout=60_000, polling="raf")
        if k:  # the first move warms the caches of both positions
            out.append(head)
            settled.append(time.perf_counter() - t0)
        page.wait_for_timeout(300)
    page.close()
    return out, settled


def main() -> None:
    from playwright.sync_api import sync_playwright

    with server(ROOT / "bench" / "trivial_app.py") as trivial, server(ROOT / "app.py") as app, \
            sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        cases = {"demo": f"{app}/?preset=demo&lang=zh&tour=0", "handan": f"{app}/?preset=handan&lang=zh&tour=0"}
        load(browser, trivial)
        for url in cases.values():
            load(browser, url)  # warm-up: imports, caches
        loads = {"trivial": [load(browser, trivial) for _ in range(5)]}
        for name, url in cases.items():
            loads[name] = [load(browser, url) for _ in range(5)]
        move, settle = {}, {}
        move["trivial"], settle["trivial"] = moves(browser, trivial, 0)
        for name, url in cases.items():
            move[name], settle[name] = moves(browser, url, 1)  # the first program's slider (0 is the total)
        browser.close()
    lt, mt = statistics.median(loads["trivial"]), statistics.median(move["trivial"])
    st_ = statistics.median(settle["trivial"])
    print(f"trivial one-slider page: load {lt:.2f} s, slider to screen {mt * 1e3:.0f} ms, "
          f"whole page redrawn {st_ * 1e3:.0f} ms (medians)")
    for name in cases:
        lm, mm = statistics.median(loads[name]), statistics.median(move[name])
        print(f"{name:7s} scenario page: load {lm:.2f} s ({lm - lt:+.2f} s vs trivial; target <= +1 s), "
              f"slider to screen {mm * 1e3:.0f} ms ({mm / mt:.2f}x trivial; target <= 1.3x); "
              f"moves {min(move[name]) * 1e3:.0f}-{max(move[name]) * 1e3:.0f} ms; whole page with its charts "
              f"redrawn {statistics.median(settle[name]) * 1e3:.0f} ms "
              f"({statistics.median(settle[name]) / st_:.2f}x)")


if __name__ == "__main__":
    main()
