"""The live headline in headless Chromium (Debian's chromium through Playwright, as the other
browser tests): the browser's code gives Python's numbers in Chromium's JavaScript engine too,
for every preset; and in the running app the headline follows a budget slider while it is
dragged, before any rerun, and Python's numbers after the release are the ones it showed.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from live_check import MODULE, Case, browser_numbers, case, compare, node_input, python_numbers
from test_e2e_browser import ARGS, ARTIFACTS, CHROMIUM
from tests.support import CHROMIUM_MISSING, IDLE, grab_thumb

import sim
from sim.scenarios import overrides
from sim.uncertainty import monte_carlo

PRESETS = [p["id"] for p in sim.list_presets()]

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    assert Path(CHROMIUM).exists(), CHROMIUM_MISSING
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


def test_chromium_gives_python_s_headline_for_every_preset(browser):
    """The module as the page loads it, in Chromium: the boundary vectors and 200 random ones a
    preset, the same numbers as Python (tests/live_check.compare)."""
    src = MODULE.read_text(encoding="utf-8")
    pg = browser.new_page()
    pg.set_content("<script type='module'>" + src + "\nwindow.live = {decode, spendMatrix, evaluate};</script>")
    pg.wait_for_function("() => window.live !== undefined")
    cases = []
    for preset in PRESETS:
        c = case(preset, n=250)
        cases.append(Case(c.preset, c.bases, c.docs, c.vectors[:250]))
    payload = node_input(cases)
    got = pg.evaluate("""(text) => JSON.parse(text).cases.map((c) => {
        const m = window.live.decode(c.pack), x = [], results = [];
        for (const [b, move] of c.vectors) {
          const s = window.live.spendMatrix(m, c.bases[b], move);
          x.push(Array.from(s));
          results.push(window.live.evaluate(m, s));
        }
        return {x, results};
      })""", json.dumps(payload))
    pg.close()
    bad = []
    for c, o in zip(cases, got):
        bad += compare(c, python_numbers(c), browser_numbers(c, o))
    assert not bad, "\n".join(bad[:20])


# ---------------------------------------------------------------------- the running app (test_e2e_browser.server)
def _settle(pg) -> None:
    pg.wait_for_timeout(400)
    pg.locator(IDLE).wait_for(timeout=120_000)
    pg.wait_for_timeout(600)


HEAD = """() => { const r = document.querySelector('[data-testid=simLiveHeadline]');
  const q = (id) => r.querySelector(`[data-testid=${id}]`).textContent;
  return {live: r.dataset.live, median: q('simLiveMedian'), second: q('simLiveSecond'), budget: q('simLiveBudget'),
          band: r.querySelector('[data-testid=simLiveBand]').textContent, tier: r.querySelector('[data-testid=simLiveTier]').textContent}; }"""


def _slider(pg, key: str):
    """The range input of the board's budget slider ``key`` (ui.board.Keys)."""
    return pg.locator(f".st-key-{key} input[type=range]").first


def test_the_headline_follows_a_dragged_slider_and_python_agrees_on_release(server, browser):
    """Drag the last program's slider (成果转化与知识产权, below the screen's first view): while the
    mouse is down the headline (and the bar at the bottom of the screen, the headline being
    scrolled away) already shows the numbers of the slider's value, with no rerun; released, the
    page reruns and Python's numbers are the same words; they are monte_carlo's for that spending.
    The release leaves the address holding the scenario (written by the board, no history entry):
    the page reloaded shows it again."""
    pg = browser.new_page(viewport={"width": 1440, "height": 640})
    pg.set_default_timeout(120_000)
    pg.goto(f"{server}/?preset=demo&tour=0")
    pg.locator("[data-testid=simLiveMedian]").wait_for()
    _settle(pg)
    before = pg.evaluate(HEAD)
    assert before["live"] == "0"
    assert pg.locator("[data-testid=simLiveOff]").is_hidden()  # its own headline checked equal: it goes live
    x, y = grab_thumb(pg, _slider(pg, "board_sp_demo_tech_transfer_ip"))
    seen = []
    for k in range(1, 6):
        pg.mouse.move(x + 14 * k, y)
        pg.wait_for_timeout(150)
        seen.append((_slider(pg, "board_sp_demo_tech_transfer_ip").input_value(), pg.evaluate(HEAD)))
    assert pg.locator("[data-testid=simLiveBar]").is_visible()  # the headline is above the screen
    assert pg.evaluate("""() => { const b = document.querySelector('[data-testid=simLiveBar]').getBoundingClientRect();
        return !!document.elementFromPoint(b.left + 40, b.top + b.height / 2).closest('[data-testid=simLiveBar]'); }""")
    pg.screenshot(path=str(ARTIFACTS / "live_drag.png"))
    value, during = seen[-1]
    assert during["live"] == "1" and during["budget"] != before["budget"]
    assert len({s[1]["budget"] for s in seen}) == len(seen)  # every movement redrawn
    assert pg.locator(IDLE).count() == 1  # no rerun while the mouse is down
    entries = pg.evaluate("() => history.length")
    pg.mouse.up()
    _settle(pg)
    after = pg.evaluate(HEAD)
    assert pg.evaluate("() => history.length") == entries  # the board rewrote the address: no entry per release
    assert after["live"] == "0" and {k: after[k] for k in after if k != "live"} == {k: during[k] for k in during if k != "live"}
    doc = json.loads(json.loads(json.dumps(pg.evaluate("() => new URLSearchParams(location.search).get('s')"))))
    assert doc["spend"] == {"tech_transfer_ip": int(value)}
    mc = monte_carlo(overrides.apply({"preset": "demo", **doc}), 300, 0, indicators=False, central=False)
    assert after["median"] == f"{mc.score.loc[2024, 'P50']:.1f}"
    assert f"{mc.score.loc[2024, 'P10']:.1f}–{mc.score.loc[2024, 'P90']:.1f}" in after["band"]
    pg.reload()  # the address reproduces the view: a new session reads the scenario from it
    pg.locator("[data-testid=simLiveMedian]").wait_for()
    _settle(pg)
    assert pg.evaluate(HEAD)["median"] == after["median"] and _slider(pg, "board_sp_demo_tech_transfer_ip").input_value() == value
    pg.close()


def test_the_headline_keeps_its_model_across_pages_and_follows_the_keyboard(server, browser):
    """After another page and back (the same session: the model is not sent again) an arrow key
    on the total moves the headline at once; the page's run then gives the same words."""
    pg = browser.new_page(viewport={"width": 1440, "height": 1000})
    pg.set_default_timeout(120_000)
    pg.goto(f"{server}/?preset=hebi&tour=0")
    pg.locator("[data-testid=simLiveMedian]").wait_for()
    _settle(pg)
    pg.get_by_role("link", name="目标达成").click()
    _settle(pg)
    pg.get_by_role("link", name="情景模拟").click()
    pg.locator("[data-testid=simLiveMedian]").wait_for()
    _settle(pg)
    short = HEAD.replace("band: r.querySelector('[data-testid=simLiveBand]').textContent, "
                         "tier: r.querySelector('[data-testid=simLiveTier]').textContent", "")
    before = pg.evaluate(short)
    # the headline as it is drawn live, recorded in the page when it goes live (the page's rerun
    # replaces it a few hundred milliseconds later: a poll from here could miss it)
    pg.evaluate("(head) => { window.__live = null; const read = eval(head);"
                " new MutationObserver(() => { const h = read(); if (h.live === '1' && !window.__live) window.__live = h; })"
                ".observe(document.querySelector('.stMain'), {subtree: true, attributes: true, childList: true,"
                " characterData: true}); }", short)
    total = _slider(pg, "board_total_hebi")
    total.focus()
    pg.keyboard.press("End")
    pg.wait_for_function("() => window.__live !== null", timeout=5_000)
    live = pg.evaluate("() => window.__live")
    assert live["budget"] != before["budget"]
    _settle(pg)
    after = pg.evaluate(short)
    assert after["live"] == "0" and {k: after[k] for k in ("median", "second", "budget")} == \
        {k: live[k] for k in ("median", "second", "budget")}
    pg.close()


def test_a_key_s_release_goes_out_before_a_new_spending_s_headline(server, browser):
    """A key on a slider moves it and releases it at once. At a spending the browser has not yet
    computed (the 300 draws take 2-9 ms) the release is sent first and the headline follows (the
    page's run starts that much sooner); at one it knows (back where the page's run left it, which
    it computed when idle) the headline is drawn at once, before the release goes out."""
    pg = browser.new_page(viewport={"width": 1440, "height": 1000})
    pg.set_default_timeout(120_000)
    pg.goto(f"{server}/?preset=demo&tour=0")
    pg.locator("[data-testid=simLiveMedian]").wait_for()
    _settle(pg)
    pg.evaluate("""() => { const send = WebSocket.prototype.send;
        WebSocket.prototype.send = function (d) { window.__sent.push(performance.now()); return send.call(this, d); };
        new MutationObserver(() => { const r = document.querySelector('[data-testid=simLiveHeadline]');
          if (r && r.dataset.live === '1' && !window.__liveAt) window.__liveAt = performance.now(); })
          .observe(document.querySelector('.stMain'), {subtree: true, attributes: true, childList: true}); }""")
    reset = "() => { window.__sent = []; window.__liveAt = 0; }"
    slider = _slider(pg, "board_sp_demo_talent")
    for key, headline_first in (("ArrowRight", False), ("ArrowLeft", True)):
        pg.evaluate(reset)
        slider.focus()
        pg.keyboard.press(key)
        pg.wait_for_function("() => window.__liveAt > 0 && window.__sent.length > 0", timeout=5_000)
        live_at, sent = pg.evaluate("() => [window.__liveAt, window.__sent[0]]")
        assert (live_at < sent) == headline_first, (key, live_at, sent)
        _settle(pg)
    pg.close()


WIRE = """window.__wire = []; window.__head = null;
const Socket = window.WebSocket;
window.WebSocket = function (...a) { const s = new Socket(...a);
  s.addEventListener('message', (e) => window.__wire.push([performance.now(), e.data.byteLength || e.data.size || e.data.length || 0]));
  return s; };
window.WebSocket.prototype = Socket.prototype; Object.assign(window.WebSocket, Socket);
new MutationObserver(() => { if (!window.__head && document.querySelector('[data-testid=simLiveMedian]')) {
  window.__head = performance.now();
  window.__sliders_at_head = document.querySelectorAll('[data-testid=simBoard] input[type=range]').length; } })
  .observe(document, {subtree: true, childList: true});"""


def test_a_link_s_headline_comes_before_its_model_and_then_goes_live(server, browser):
    """A page opened from a link: its first run sends Python's headline alone, without the model
    pack (no message of more than 100 kB reaches the page before the headline is drawn) and
    without the controls (no slider in the page when the headline appears: ui.live.charts_wait);
    the pack (~1.6 MB) follows with the run that draws the controls and the charts, after which a
    key press moves the headline in the browser before the page's own run."""
    ctx = browser.new_context(viewport={"width": 1440, "height": 1000})
    ctx.add_init_script(WIRE)
    pg = ctx.new_page()
    pg.set_default_timeout(120_000)
    pg.goto(f"{server}/?preset=demo&tour=0")
    pg.locator("[data-testid=simLiveMedian]").wait_for()
    _settle(pg)
    wire, head, sliders = pg.evaluate("() => [window.__wire, window.__head, window.__sliders_at_head]")
    assert head is not None
    assert sliders == 0  # none when the headline appeared
    # the controls come with the run the headline asks for (waited for: under load the page can
    # look idle for a moment between the first run's end and that run's start)
    pg.locator("[data-testid=simBoard] input[type=range]").nth(7).wait_for(timeout=60_000)
    _settle(pg)
    assert all(size < 100_000 for t, size in wire if t <= head)
    assert any(size > 1_000_000 for t, size in wire if t > head)  # the pack, with the charts
    assert pg.locator("[data-testid=boardPath] svg").count() > 0
    pg.evaluate("(head) => { window.__live = null; const read = eval(head);"
                " new MutationObserver(() => { const h = read(); if (h.live === '1' && !window.__live) window.__live = h; })"
                ".observe(document.querySelector('.stMain'), {subtree: true, attributes: true, childList: true,"
                " characterData: true}); }", HEAD)
    _slider(pg, "board_sp_demo_platform_awards").focus()
    pg.keyboard.press("ArrowRight")
    pg.wait_for_function("() => window.__live !== null", timeout=5_000)
    _settle(pg)
    ctx.close()


COUNT_LISTENERS = """() => { window.__moveListeners = 0;
  const add = EventTarget.prototype.addEventListener, remove = EventTarget.prototype.removeEventListener;
  EventTarget.prototype.addEventListener = function (type, f, o) {
    if (type === 'sim-board-move' && this === document) window.__moveListeners += 1; return add.call(this, type, f, o); };
  EventTarget.prototype.removeEventListener = function (type, f, o) {
    if (type === 'sim-board-move' && this === document) window.__moveListeners -= 1; return remove.call(this, type, f, o); }; }"""


def test_releases_leave_one_listener_and_one_bar(server, browser):
    """Streamlit calls a component's returned function only when it leaves the page: each run's
    mount ends the last one's listener itself (ui/live/headline.mjs h.endRun). After six releases
    the headline listens to the sliders once, the page holds one headline and one bar; another
    page holds none."""
    pg = browser.new_page(viewport={"width": 1440, "height": 900})
    pg.set_default_timeout(120_000)
    pg.add_init_script(f"({COUNT_LISTENERS})()")
    pg.goto(f"{server}/?preset=demo&tour=0")
    pg.locator("[data-testid=simLiveMedian]").wait_for()
    _settle(pg)
    first = pg.evaluate("() => window.__moveListeners")
    for k in range(6):
        _slider(pg, "board_total_demo").focus()
        pg.keyboard.press("ArrowRight" if k % 2 == 0 else "ArrowLeft")
        _settle(pg)
    assert first == 1 and pg.evaluate("() => window.__moveListeners") == 1
    assert pg.locator("[data-testid=simLiveHeadline]").count() == 1 and pg.locator("body > .simlive-bar").count() == 1
    pg.get_by_role("link", name="预算优化").click()
    pg.wait_for_url("**/optimizer**")
    _settle(pg)
    assert pg.evaluate("() => window.__moveListeners") == 0 and pg.locator("body > .simlive-bar").count() == 0
    pg.close()


def test_a_release_changes_only_what_moved(server, browser):
    """A release's run redraws what its spending changed and leaves the rest of the board as it
    stands (ui/live/board.mjs placeParts, ui/live/headline.mjs render): the headline, drawn live
    at the key, is not written again when Python's words are the same (only its data-live turns
    to 0); the tables left closed and the sliders' captions keep their very nodes (a reader's
    focus on a table's heading stays); the score path, which the spending moves, is drawn anew.
    The address bar holds the new scenario once the run is drawn."""
    pg = browser.new_page(viewport={"width": 1440, "height": 900})
    pg.set_default_timeout(120_000)
    pg.goto(f"{server}/?preset=demo&tour=0")
    pg.locator("[data-testid=simLiveMedian]").wait_for()
    _settle(pg)
    pg.evaluate("""() => {
        const b = document.querySelector('[data-testid=simBoard]');
        window.__kept = ['boardNextTable', 'boardPlanTable', 'boardHistory'].map((id) => b.querySelector(`[data-testid=${id}]`));
        window.__path = b.querySelector('[data-testid=boardPath]').firstChild;
        window.__headWrites = [];
        const head = document.querySelector('[data-testid=simLiveHeadline]');
        new MutationObserver((ms) => { for (const m of ms) window.__headWrites.push([head.dataset.live, m.type, m.attributeName || '']); })
          .observe(head, {subtree: true, attributes: true, childList: true, characterData: true}); }""")
    url = pg.evaluate("() => location.search")
    _slider(pg, "board_sp_demo_talent").focus()
    pg.keyboard.press("ArrowRight")
    _settle(pg)
    writes = pg.evaluate("() => window.__headWrites")
    assert writes and all(live == "1" for live, _, _ in writes[:-1]), writes  # drawn live at the key
    assert writes[-1] == ["0", "attributes", "data-live"], writes  # Python's truth: the same words, no node written
    assert pg.evaluate("""() => { const b = document.querySelector('[data-testid=simBoard]');
        return window.__kept.every((n, i) => n.isConnected && n === b.querySelector(`[data-testid=${['boardNextTable', 'boardPlanTable', 'boardHistory'][i]}]`)); }""")
    assert pg.evaluate("() => !window.__path.isConnected")  # the path's chart was drawn again
    assert pg.evaluate("() => location.search") != url and "talent" in pg.evaluate("() => decodeURIComponent(location.search)")
    pg.close()


def test_a_table_opened_stays_open_across_releases_and_its_rows_follow(server, browser):
    """年度安排 opened by its heading: Python sends its rows (a run), and a release (a part of the
    board kept or built again, ui/live/board.mjs placeParts) leaves it open with the new spending's
    row; closed again, its rows go."""
    pg = browser.new_page(viewport={"width": 1440, "height": 900})
    pg.set_default_timeout(120_000)
    pg.goto(f"{server}/?preset=demo&tour=0")
    pg.locator("[data-testid=simLiveMedian]").wait_for()
    _settle(pg)
    table = "[data-testid=boardPlanTable]"
    assert pg.locator(f"{table} table").count() == 0
    pg.locator(f"{table} > summary").click()
    _settle(pg)
    rows = lambda: pg.locator(f"{table} tbody tr").all_inner_texts()  # noqa: E731
    before = rows()
    assert pg.locator(table).evaluate("(d) => d.open") and len(before) >= 2
    _slider(pg, "board_sp_demo_talent").focus()
    pg.keyboard.press("ArrowRight")
    _settle(pg)
    after = rows()
    assert pg.locator(table).evaluate("(d) => d.open") and len(after) == len(before) and after != before
    pg.locator(f"{table} > summary").click()
    _settle(pg)
    assert not pg.locator(table).evaluate("(d) => d.open") and pg.locator(f"{table} table").count() == 0
    pg.close()
