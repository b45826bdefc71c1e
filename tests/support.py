"""Test data and a Streamlit server, shared by the tests and the benchmark scripts (light: no
Streamlit or Playwright import here)."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
# The page is idle when Streamlit's root says its script is not running and the scenario page's
# charts are not awaited (its first run in a session draws the headline, which then asks for them:
# ui.live.charts_wait). (The toolbar's status widget is not shown: .streamlit/config.toml sets
# client.toolbarMode = "minimal".)
IDLE = "[data-testid='stApp'][data-test-script-state='notRunning']:not(:has(.st-key-scenario_pending))"
# The browser tests' Chromium: Debian's chromium-headless-shell (the same Blink and V8 as the
# chromium package, without the desktop browser's shell; what Playwright itself runs for headless
# tests). Measured on this app: ~1 s less CPU a page load (4.8 against 6.0 s of the machine's,
# server included), 13% less for the room's browser tests. SIM_CHROMIUM picks another build.
CHROMIUM = os.environ.get("SIM_CHROMIUM", "/usr/bin/chromium-headless-shell")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-sync",
                 "--disable-background-networking", "--disable-component-update"]
CHROMIUM_MISSING = f"{CHROMIUM} is missing: run `bash test.sh`, which installs Debian's chromium-headless-shell"


# A page has settled when its script is not running, no element waits for its code (Streamlit's
# skeletons) and nothing in the document has changed for ``quiet`` ms (a chart drawn, a widget's
# code arrived). WATCH starts the clock (and, once a document, the observer that restarts it).
WATCH = """() => {
  window.__simQuiet = performance.now();
  if (!window.__simWatching) {
    window.__simWatching = new MutationObserver(() => { window.__simQuiet = performance.now(); });
    window.__simWatching.observe(document, {subtree: true, childList: true, attributes: true, characterData: true});
  }
}"""
SETTLED = """([idle, quiet]) => !!document.querySelector(idle)
  && !document.querySelector("[data-testid='stSkeleton'], [data-testid='stSkeletonElement']")
  && performance.now() - window.__simQuiet > quiet"""


def settle(page, after: int = 300, quiet: int = 400) -> None:
    """Wait ``after`` ms (the action's run under way), then until the page has settled: its
    script done, every element drawn, nothing in it changed for ``quiet`` ms."""
    page.wait_for_timeout(after)
    page.evaluate(WATCH)
    page.wait_for_function(SETTLED, arg=[IDLE, quiet], polling=100, timeout=120_000)


def grab_thumb(page, slider) -> tuple[float, float]:
    """Press the mouse on the thumb of ``slider`` (a Playwright locator of a slider: the board's
    range input, or a Streamlit slider's thumb), scrolled into view, and keep it down; the thumb's
    centre (x, y) in CSS pixels, from where a drag moves the mouse."""
    native = slider.evaluate("(e) => e.tagName === 'INPUT' && e.type === 'range'")
    thumb = slider if native else slider.locator("xpath=../..")
    thumb.scroll_into_view_if_needed()
    page.wait_for_timeout(500)
    box = thumb.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    if native:  # the thumb (16 px wide in Chromium) where the value puts it along the track
        frac = slider.evaluate("(e) => (Number(e.value) - Number(e.min)) / ((Number(e.max) - Number(e.min)) || 1)")
        x = box["x"] + 8 + (box["width"] - 16) * frac
    page.mouse.move(x, y)
    page.mouse.down()
    return x, y


def random_table(rubric, n: int = 500, seed: int = 7, headers: str = "zh", names: str = "县{i:03d}区") -> pd.DataFrame:
    """n regions with valid random values; headers are the template's Chinese names (with
    units) or the column ids; ``names`` formats each region's name from its index."""
    rng = np.random.default_rng(seed)
    cols = {"地区" if headers == "zh" else "region": [names.format(i=i) for i in range(n)]}
    for c in rubric.columns:
        name = (f"{c.zh}({c.unit})" if c.unit else c.zh) if headers == "zh" else c.id
        if c.kind == "category":
            cols[name] = rng.choice([k.zh for k in c.categories], n)
        elif c.kind == "count":
            cols[name] = rng.integers(0, 2 if c.max_value == 1 else 6, n)
        elif c.kind == "points":
            cols[name] = rng.integers(0, 11, n) / 2
        else:
            cols[name] = np.round(rng.gamma(2.0, 30.0, n), 2)
    return pd.DataFrame(cols)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ServerDidNotStart(RuntimeError):
    pass


@contextmanager
def streamlit_server(script: Path, db: Path, log=subprocess.DEVNULL, env: dict | None = None):
    """``streamlit run script`` on a free local port with its own scenario database (and ``env``
    over this process's environment); yields the URL once the server answers its health check
    (ServerDidNotStart after 60 s)."""
    import os

    port = free_port()
    env = {**os.environ, **(env or {}), "SIM_SCENARIO_DB": str(db)}
    proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", str(script), "--server.headless", "true",
                             "--server.port", str(port), "--browser.gatherUsageStats", "false"],
                            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            try:
                if urllib.request.urlopen(f"{url}/_stcore/health", timeout=1).read() == b"ok":
                    break
            except OSError:
                time.sleep(0.5)
        else:
            raise ServerDidNotStart(f"streamlit did not start: {script}")
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=20)
