"""Responsiveness in a real browser (prints figures; not a test): Playwright drives Debian's
headless Chromium against two Streamlit servers started here, the app and a trivial one-slider
page (bench/trivial_app.py), measured in the same run.

Timed in the page itself (an event's own timestamp, the page's clock):

* Input event to new headline: from a key press on a program slider (the app) or the slider
  (trivial page) to the headline's text changing in the page, and to the next frame after it
  (the browser draws it). The app's headline is recomputed in the browser (ui/live); the
  trivial page's number comes back from the server. The app's includes the program budget, so
  every step shows. Median of 12 presses (right and left alternately): three rounds of four, each
  after a warm-up press, the pages interleaved round by round (:func:`interleaved`).
* During a drag: the mouse held on a program slider's thumb and moved 2 px every 20 ms (about
  50 movements a second, as a hand does), 40 movements: from each pointer movement to the
  headline redrawn for it (median, 90th percentile, the longest).
* Whole page after release: from the key press to the page's run finished and drawn (Streamlit's
  script state back to not running, or the last change the run made in the main area, the later:
  Python's headline, the charts and the tables), against the trivial page's run. Median of the
  same 12 presses, interleaved with the trivial page's and the floor's. Pressed right and left alternately, a slider returns to two values whose
  numbers the server keeps (the bands' caches): that measures what Streamlit and the browser cost.
  A leader's release lands on a value not seen before, which Python must compute too: the same
  measure over 10 presses to the right (each a new spending) is printed beside it.
* The floor: the same presses on bench/floor_app (in the same rounds), one component in a fragment of a multipage app
  with a sidebar like this app's: what Streamlit itself costs a release in such an app.
* Load: from navigation to the headline on screen (the app's median, the trivial page's number),
  after one warm-up load (caches warm: what the second person in a meeting sees); median of 7.
  The three pages' loads are interleaved (trivial, demo, Handan, then the next round in another
  order), so that the host's drift between minutes falls on all three alike, and each load starts
  on an idle server: the page is closed only once its runs have finished (the scenario page's
  charts come in a second run the headline asks for), as a second person opens the link after
  the first has seen it. (Measured back to back, five of one page then five of the next, a load
  also paid for the run its predecessor left behind, and the trivial page's five fell in another
  minute than the app's: +1.1 to +1.7 s on the same code.)

The demo county (300 draws) and Handan (a city: attainment of the central projection).

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
from tests.support import IDLE, grab_thumb, streamlit_server  # noqa: E402
CHROMIUM = os.environ.get("SIM_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync", "--disable-background-networking"]
HEADLINE = {"app": "[data-testid='simLiveMedian']", "trivial": "[data-testid='stMetricValue']"}
WATCHED = {"app": "[data-testid='simLiveHeadline']", "trivial": "[data-testid='stMetric']"}

# In the page: input events' timestamps, the times the headline's text changed (and the frame
# after), the times a run of the script ended, and the time of every change in the page's main
# area (the run's elements drawn). A fast run may start and end within one frame, so that the
# root's script state never shows "running": the last change in the main area then marks its end.
PROBE = """(watched) => {
  const b = window.__bench = {events: [], changes: [], frames: [], runs: [], drawn: []};
  for (const type of ['keydown', 'pointermove'])
    document.addEventListener(type, (e) => b.events.push(e.timeStamp), true);
  new MutationObserver((ms) => {
    const t = performance.now();
    b.drawn.push(t);
    if (!ms.some((m) => { const n = m.target.nodeType === 3 ? m.target.parentElement : m.target;
                          return n && n.closest && n.closest(watched); })) return;
    b.changes.push(t);
    requestAnimationFrame(() => b.frames.push(performance.now()));
  }).observe(document.querySelector('.stMain') || document.body,
             {subtree: true, childList: true, characterData: true, attributes: true});
  const app = document.querySelector("[data-testid='stApp']");
  new MutationObserver((ms) => {
    if (ms.some((m) => m.oldValue === 'running') || app.dataset.testScriptState === 'notRunning')
      b.runs.push(performance.now());
  }).observe(app, {attributes: true, attributeOldValue: true, attributeFilter: ['data-test-script-state']});
}"""


@contextmanager
def server(script: Path):
    with streamlit_server(script, Path(tempfile.mkdtemp()) / "bench.sqlite") as url:
        yield url


def _idle(page) -> None:
    page.wait_for_timeout(300)
    page.locator(IDLE).wait_for(timeout=120_000)
    page.wait_for_timeout(300)


PHONE_NETWORK = {"offline": False, "latency": 40, "downloadThroughput": 12e6 / 8, "uploadThroughput": 4e6 / 8}
# a phone on a 4G network as Chromium's DevTools emulate one: 12 Mbit/s down, 4 up, 40 ms (an assumption)


def load(browser, url: str, kind: str, network: dict | None = None) -> float:
    """Seconds from navigation to the headline visible (``network``: Chromium's emulated network
    conditions, e.g. :data:`PHONE_NETWORK`); the page is closed once its runs have finished, so
    that the next load starts on an idle server."""
    page = browser.new_page(viewport={"width": 1440, "height": 900})
    if network:
        cdp = page.context.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.send("Network.emulateNetworkConditions", network)
    t0 = time.perf_counter()
    page.goto(url)
    page.locator(HEADLINE[kind]).first.wait_for(state="visible", timeout=120_000)
    seconds = time.perf_counter() - t0
    _idle(page)
    page.close()
    return seconds


def loads(browser, urls: dict[str, tuple[str, str]], rounds: int = 7, network: dict | None = None) -> dict[str, list[float]]:
    """``rounds`` loads of each page ({name: (url, kind)}), interleaved: each round visits every
    page once, the order rotating from round to round."""
    names = list(urls)
    out: dict[str, list[float]] = {name: [] for name in names}
    for k in range(rounds):
        for name in names[k % len(names):] + names[:k % len(names)]:
            out[name].append(load(browser, *urls[name], network=network))
    return out


def _open(browser, url: str, kind: str, init: str | None = None):
    """A page at ``url``, settled, with the probe in place (``init``: a script run in the page
    before its own, e.g. bench_release.py's WebSocket log)."""
    page = browser.new_page(viewport={"width": 1440, "height": 900})
    if init:
        page.add_init_script(init)
    page.goto(url)
    page.locator(HEADLINE[kind]).first.wait_for(state="visible", timeout=120_000)
    page.get_by_role("slider").first.wait_for(timeout=120_000)  # Streamlit's or the board's (a range input)
    _idle(page)
    page.wait_for_timeout(1000)
    page.evaluate(PROBE, WATCHED[kind])
    return page


def press(page, slider_index: int, key: str) -> dict:
    """One key press on the page's ``slider_index``-th slider, waited for until the page is idle
    again: the probe's record of it (:data:`PROBE`: its lists emptied before the press; ``sock``
    is bench_release.py's WebSocket log, kept there when the page has one)."""
    page.get_by_role("slider").nth(slider_index).focus()
    page.evaluate("() => { const b = window.__bench; b.events = []; b.changes = []; b.frames = []; b.runs = []; "
                  "b.drawn = []; b.sock = []; }")
    page.keyboard.press(key)
    page.wait_for_function("() => { const b = window.__bench; "
                           "return b.events.length > 0 && b.frames.some((f) => f >= b.events[0]); }", timeout=120_000)
    _idle(page)
    return page.evaluate("() => window.__bench")


def whole_page(b: dict) -> float:
    """ms from a press to the whole page after its release: the run's end or the last change it
    drew in the main area, the later."""
    return max(b["runs"][-1:] + b["drawn"][-1:]) - b["events"][0]


def presses(browser, url: str, kind: str, slider_index: int, n: int = 10, fresh: bool = False) -> tuple[list, list, list]:
    """Per key press: ms to the headline's change, to the frame after it, to the whole page after
    the release (:func:`whole_page`). Right and left alternately, or (``fresh``) right every
    time: each press a spending not seen before."""
    page = _open(browser, url, kind)
    head, frame, whole = [], [], []
    for k in range(n + 1):
        b = press(page, slider_index, "ArrowRight" if fresh or k % 2 == 0 else "ArrowLeft")
        t0 = b["events"][0]
        if k:  # the first press warms the caches of both positions
            # the first change after the press (the last run's own redraw may still be arriving)
            head.append(next(c for c in b["changes"] if c >= t0) - t0)
            frame.append(next(f for f in b["frames"] if f >= head[-1] + t0) - t0)
            whole.append(whole_page(b))
    page.close()
    return head, frame, whole


def interleaved(browser, pages: dict[str, tuple[str, str, int]], rounds: int = 3, n: int = 4) -> dict[str, tuple]:
    """:func:`presses` of each page ({name: (url, kind, slider index)}), right and left alternately,
    in ``rounds`` rounds of ``n`` presses (each after its own warm-up press), every round visiting
    every page, the order rotating: so that the host's drift between minutes, which moved the
    trivial page's own figure by a fifth within an hour, falls on all pages alike. Per page, the
    rounds' (head, frame, whole) lists joined."""
    names = list(pages)
    out = {name: ([], [], []) for name in names}
    for k in range(rounds):
        for name in names[k % len(names):] + names[:k % len(names)]:
            for joined, got in zip(out[name], presses(browser, *pages[name], n=n)):
                joined.extend(got)
    return out


def drag(browser, url: str, slider_index: int, moves: int = 40) -> list[float]:
    """Per pointer movement while the mouse is held: ms to the headline redrawn for it."""
    page = _open(browser, url, "app")
    x, y = grab_thumb(page, page.get_by_role("slider").nth(slider_index))
    page.wait_for_timeout(300)
    page.evaluate("() => { const b = window.__bench; b.events = []; b.changes = []; b.frames = []; }")
    for k in range(moves):
        page.mouse.move(x + 2 * (k + 1), y)
        page.wait_for_timeout(20)
    page.wait_for_timeout(300)
    b = page.evaluate("() => window.__bench")
    page.mouse.up()
    page.close()
    # each change answers the last movement before it
    out, events = [], b["events"]
    for t in b["changes"]:
        before = [e for e in events if e <= t]
        if before:
            out.append(t - before[-1])
    return out


def _q(values: list[float], q: float) -> float:
    return sorted(values)[min(len(values) - 1, int(q * len(values)))]


def main() -> None:
    from playwright.sync_api import sync_playwright

    with server(ROOT / "bench" / "trivial_app.py") as trivial, server(ROOT / "app.py") as app, \
            server(ROOT / "bench" / "floor_app" / "app.py") as one, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        cases = {"demo": f"{app}/?preset=demo&lang=zh&tour=0", "handan": f"{app}/?preset=handan&lang=zh&tour=0"}
        load(browser, trivial, "trivial")
        for url in cases.values():
            load(browser, url, "app")  # warm-up: imports, caches
        loaded = loads(browser, {"trivial": (trivial, "trivial"), **{name: (url, "app") for name, url in cases.items()}})
        phone = loads(browser, {"trivial": (trivial, "trivial"), "demo": (cases["demo"], "app")}, rounds=5,
                      network=PHONE_NETWORK)
        # the first program's slider on the app (0 is the total)
        moves = interleaved(browser, {"trivial": (trivial, "trivial", 0), "floor": (one, "trivial", 0),
                                      **{name: (url, "app", 1) for name, url in cases.items()}})
        floor = moves.pop("floor")
        fresh = {"trivial": presses(browser, trivial, "trivial", 0, fresh=True)}
        for name, url in cases.items():
            fresh[name] = presses(browser, url, "app", 1, fresh=True)
        drags = {name: drag(browser, url, 4) for name, url in cases.items()}  # the platform awards' slider
        browser.close()
    med = statistics.median
    lt = med(loaded["trivial"])
    h, f, w = (med(v) for v in moves["trivial"])
    wf = med(fresh["trivial"][2])
    print(f"trivial one-slider page: load {lt:.2f} s; key press to new number {h:.0f} ms (frame {f:.0f} ms, "
          f"from the server); whole page after release {w:.0f} ms, at a new value each press {wf:.0f} ms (medians)")
    fl = med(floor[2])
    print(f"one component in a fragment of a multipage app with a sidebar like this one's (bench/floor_app): "
          f"whole page after release {fl:.0f} ms ({fl / w:.2f}x trivial): Streamlit's own floor for such a page")
    print(f"over a phone's 4G network (emulated: 12 Mbit/s, 40 ms): trivial page {med(phone['trivial']):.2f} s, "
          f"demo scenario page {med(phone['demo']):.2f} s to the headline ({med(phone['demo']) - med(phone['trivial']):+.2f} s; "
          f"medians of 5)")
    for name in cases:
        lm = med(loaded[name])
        hm, fm, wm = (med(v) for v in moves[name])
        d = drags[name]
        paired = [a - b for a, b in zip(loaded[name], loaded["trivial"])]  # the same round's trivial load
        print(f"{name:7s} scenario page: load {lm:.2f} s ({lm - lt:+.2f} s vs trivial; target <= +1 s; round by round "
              f"{min(paired):+.2f} to {max(paired):+.2f} s); "
              f"key press to new headline {hm:.1f} ms, next frame {fm:.1f} ms (in the browser; target < 50 ms; "
              f"presses {min(moves[name][1]):.0f}-{max(moves[name][1]):.0f} ms); during a drag ({len(d)} redraws) "
              f"{med(d):.1f} ms median, {_q(d, 0.9):.1f} ms P90, {max(d):.1f} ms longest; whole page after release "
              f"{wm:.0f} ms ({wm / w:.2f}x trivial; target <= 1.3x), at a new value each press "
              f"{med(fresh[name][2]):.0f} ms ({med(fresh[name][2]) / wf:.2f}x)")


if __name__ == "__main__":
    main()
