"""End to end in a real browser: `streamlit run` on localhost, driven by Playwright in Debian's
headless Chromium. Load, move a slider, see the score change, run the optimizer, download the
Excel workbook; a screenshot of every page goes to tests/artifacts/ (not committed).

This test must run in CI: test.sh installs chromium and fonts-noto-cjk when they are missing.
"""
from __future__ import annotations

import io
from pathlib import Path

import pytest
from tests.support import CHROMIUM, CHROMIUM_ARGS, IDLE

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "tests" / "artifacts"
ARGS = CHROMIUM_ARGS

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def browser(server):
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@pytest.fixture(scope="module")
def page(browser):
    pg = browser.new_page(viewport={"width": 1280, "height": 720}, accept_downloads=True)
    pg.set_default_timeout(60_000)
    yield pg
    pg.close()


def _score(pg) -> str:
    """The headline's median (the live headline, ui.live)."""
    metric = pg.locator("[data-testid='simLiveMedian']").first
    metric.wait_for()
    return metric.inner_text().strip()


def _settle(pg) -> None:
    pg.wait_for_timeout(400)
    pg.locator(IDLE).wait_for(timeout=60_000)
    pg.wait_for_timeout(300)


def _shot(pg, name: str) -> None:
    pg.set_viewport_size({"width": 1280, "height": 720})
    pg.screenshot(path=str(ARTIFACTS / f"{name}.png"))


def test_browser_walkthrough(server, page):
    pg = page
    pg.goto(f"{server}/?preset=demo&tour=0")
    pg.get_by_text("年评价得分").first.wait_for()
    _settle(pg)
    before = _score(pg)
    _shot(pg, "1_scenario")

    # move the total-budget slider to its maximum with the keyboard
    thumb = pg.get_by_role("slider").first
    thumb.focus()
    pg.keyboard.press("End")
    _settle(pg)
    for _ in range(60):
        if _score(pg) != before:
            break
        pg.wait_for_timeout(500)
    after = _score(pg)
    assert after != before and float(after) > float(before)
    assert "s=" in pg.url  # the scenario is in the URL
    _shot(pg, "2_scenario_after_slider")

    # the optimizer
    pg.get_by_role("link", name="预算优化").click()
    pg.get_by_text("运行优化").first.wait_for()
    pg.get_by_role("button", name="运行优化").click()
    pg.get_by_text("最优分配").first.wait_for()
    _settle(pg)
    _shot(pg, "3_optimizer")

    # the data page through the sidebar, the moved scenario kept: download its workbook (every page's
    # screen and words at the room's sizes: tests/test_room_browser.py)
    pg.get_by_role("link", name="数据").click()
    _settle(pg)
    _shot(pg, "6_data")
    button = pg.locator("[data-testid='stDownloadButton'] button").filter(has_text="Excel").first
    with pg.expect_download() as dl:
        button.click()
    path = dl.value.path()
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(Path(path).read_bytes()), read_only=True)
    assert {"inputs", "projection"} <= set(wb.sheetnames)

    # English
    pg.get_by_text("English").first.click()
    _settle(pg)
    pg.get_by_role("link", name="Scenario").click()
    pg.get_by_text("assessment score").first.wait_for()
    _settle(pg)
    assert _score(pg) == after  # switching language keeps the scenario
    _shot(pg, "9_scenario_en")


def _doc_in_url(pg) -> dict:
    """The scenario document the page put in its URL (``?s=``), or the bare preset."""
    import json
    from urllib.parse import parse_qs, urlparse

    qs = parse_qs(urlparse(pg.url).query)
    return json.loads(qs["s"][0]) if "s" in qs else {"preset": qs.get("preset", ["demo"])[0]}


def test_rapid_key_presses_and_end_keep_every_value(server, browser):
    """Three presses 150 ms apart on a program slider all count and nothing is rescaled; End on
    the total keeps the slider at its end and scales the split to it."""
    import numpy as np

    import sim

    pg = browser.new_page(viewport={"width": 1280, "height": 900})  # a session of its own
    pg.set_default_timeout(60_000)
    pg.goto(f"{server}/?preset=demo&tour=0")
    pg.get_by_text("年评价得分").first.wait_for()
    _settle(pg)
    sc = sim.load_preset("demo")
    first = dict(zip(sc.programs, sc.spend_matrix()[:, 0]))
    prog = pg.get_by_role("slider", name="高新技术企业培育奖补")
    step = 1.0  # whole 万元 (issue 19)
    want = (np.floor(first["high_tech_cultivation"] / step + 0.5) + 3) * step  # snapped to the nearest step, then 3
    prog.focus()
    for _ in range(3):
        pg.keyboard.press("ArrowRight")
        pg.wait_for_timeout(150)
    for _ in range(60):
        _settle(pg)
        doc = _doc_in_url(pg)
        if doc.get("spend", {}).get("high_tech_cultivation", 0) >= want - 1e-6:
            break
        pg.wait_for_timeout(500)
    assert doc["spend"] == {"high_tech_cultivation": pytest.approx(want)}  # all three, nothing rescaled
    # the total slider by its name: while a run redraws the sliders, the first slider of the page
    # can be a program's for a moment
    total = pg.get_by_role("slider", name=f"{sc.years[0]} 年项目预算合计(万元)")
    top = float(np.ceil(max(5 * sum(first.values()), 3000.0)))  # the page's range
    for attempt in range(60):
        if attempt % 4 == 0:  # End again if a redraw took the focus before the key arrived (End is idempotent)
            total.focus()
            pg.keyboard.press("End")
        _settle(pg)
        doc = _doc_in_url(pg)
        if sum(doc.get("spend", {}).values()) > top - 1:
            break
        pg.wait_for_timeout(500)
    assert sum(doc["spend"].values()) == pytest.approx(top, abs=1)
    assert float(total.get_attribute("max")) == top and float(total.evaluate("e => e.value")) == pytest.approx(top)
    _shot(pg, "10_slider_end")
    pg.close()


def test_a_scenario_name_written_as_markdown_is_shown_as_text(server, browser):
    """Saved under a name that is a Markdown image and link, a scenario is listed and compared
    without any element linking to or loading from the outside address."""
    injection = "![p](https://evil.example/p.png)[go](https://evil.example)"
    pg = browser.new_page(viewport={"width": 1280, "height": 1400})
    pg.set_default_timeout(60_000)
    pg.goto(f"{server}/compare?preset=demo&lang=en&tour=0")
    pg.get_by_role("textbox", name="Scenario name").fill(injection)
    pg.get_by_role("button", name="Save", exact=True).click()
    _settle(pg)
    pg.get_by_text("evil.example", exact=False).first.wait_for()
    _settle(pg)
    assert pg.locator("a[href*='evil']").count() == 0
    assert pg.locator("img[src*='evil']").count() == 0
    _shot(pg, "11_compare_injection")
    pg.close()


def test_guided_start_undo_redo_projector_and_planner_tools(server, browser):
    """A first visit: the guide's four steps clicked through; a slider move named and undone with
    the button, redone with Ctrl+Shift+Z and undone with Ctrl+Z; projector mode from the sidebar
    enlarges the headline; /scenario opens the page; the optimizer's added-money mode, relaxed
    bounds and response curves in English."""
    pg = browser.new_page(viewport={"width": 1280, "height": 900})
    pg.set_default_timeout(60_000)
    pg.goto(f"{server}/?preset=demo")
    pg.get_by_text("四步上手").first.wait_for()
    _settle(pg)
    _shot(pg, "12_guided_start")
    for _ in range(3):
        pg.get_by_role("button", name="下一步").click()
        _settle(pg)
    pg.get_by_role("button", name="开始使用").click()
    _settle(pg)
    assert pg.get_by_text("四步上手").count() == 0 and "tour=0" in pg.url

    prog = pg.get_by_role("slider", name="创新平台建设奖补")
    prog.focus()
    pg.keyboard.press("ArrowRight")
    pg.get_by_text("上一步:创新平台建设奖补").first.wait_for()
    _settle(pg)
    moved = _doc_in_url(pg)
    assert "platform_awards" in moved.get("spend", {})
    pg.get_by_role("button", name="撤销").click()
    pg.get_by_text("尚未改动").first.wait_for()
    _settle(pg)
    assert _doc_in_url(pg) == {"preset": "demo"}
    pg.locator("h1").first.click()  # the shortcuts act when no input has the focus
    pg.keyboard.press("Control+Shift+Z")
    pg.get_by_text("上一步:创新平台建设奖补").first.wait_for()
    _settle(pg)
    assert _doc_in_url(pg) == moved
    pg.keyboard.press("Control+Z")
    pg.get_by_text("尚未改动").first.wait_for()
    _settle(pg)

    size = "e => parseFloat(getComputedStyle(e).fontSize)"
    normal = pg.locator("[data-testid='simLiveMedian']").first.evaluate(size)
    pg.get_by_text("投影模式").click()
    _settle(pg)
    assert "projector=1" in pg.url
    assert pg.locator("[data-testid='simLiveMedian']").first.evaluate(size) > 1.3 * normal
    assert pg.get_by_text("假设与增长设置").count() == 0  # the advanced switch is hidden
    _shot(pg, "13_projector")

    pg.goto(f"{server}/scenario?preset=demo&lang=en&tour=0")
    pg.get_by_text("assessment score").first.wait_for()
    _settle(pg)
    assert pg.get_by_text("Page not found").count() == 0

    pg.goto(f"{server}/optimizer?preset=demo&lang=en&tour=0")
    pg.get_by_text("Only the added money").first.click()
    _settle(pg)
    pg.get_by_role("button", name="Run the optimizer").click()
    pg.get_by_text("added, best placed").first.wait_for()
    pg.get_by_role("button", name="Solve with relaxed bounds").click()
    pg.get_by_text("Best with bounds widened").first.wait_for()
    _settle(pg)
    assert pg.get_by_text("Response curve per program").count() == 1
    assert pg.locator("[data-testid='stVegaLiteChart']").count() >= 2
    pg.set_viewport_size({"width": 1280, "height": 2400})
    pg.screenshot(path=str(ARTIFACTS / "14_optimizer_tools_en.png"), full_page=True)
    pg.close()


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_city_page_draws_hengshui_s_map_and_splits_the_money(server, browser, lang):
    """The map of Hengshui's counties by tier, the ladder, the city optimizer; screenshots
    15_city_<lang>.png (the README's map comes from the zh one)."""
    pg = browser.new_page(viewport={"width": 1280, "height": 1500})
    pg.set_default_timeout(90_000)
    pg.goto(f"{server}/city?lang={lang}&tour=0")
    pg.get_by_text("冀州区" if lang == "zh" else "Jizhou").first.wait_for()
    _settle(pg)
    assert pg.locator("[data-testid='stVegaLiteChart']").count() >= 2
    canvas = pg.locator("[data-testid='stVegaLiteChart']").first
    assert canvas.bounding_box()["height"] > 300  # the map is drawn, not an empty frame
    pg.get_by_role("button", name="计算全市分配" if lang == "zh" else "Split the city's money").click()
    pg.get_by_text("已分配" if lang == "zh" else "Placed").first.wait_for()
    _settle(pg)
    pg.screenshot(path=str(ARTIFACTS / f"15_city_{lang}.png"), full_page=True)
    if lang == "zh":  # every county, on the server's two warm workers (ui.workers; tests/conftest.py)
        pg.get_by_role("button", name="计算全部县").click()
        pg.get_by_text("用时").last.wait_for()
        _settle(pg)
        said = pg.get_by_text("年评价;").last.inner_text()
        assert said.startswith("2025 年评价;并行计算(2 个进程),用时") and "不可用" not in pg.content(), said
        assert pg.locator("[data-testid='stTable']").last.locator("tbody tr").count() == 11  # every county
    pg.close()


def test_the_briefing_downloads_from_the_scenario_page(server, browser):
    """The scenario page's "download briefing" gives a Word file whose headline is the page's, also
    after the sliders moved since the button was drawn (it is outside the part a move reruns: the
    file is written from the scenario on screen when clicked)."""
    from docx import Document

    pg = browser.new_page(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    pg.set_default_timeout(90_000)
    pg.goto(f"{server}/?preset=demo&tour=0")
    pg.get_by_text("年评价得分").first.wait_for()
    _settle(pg)
    before = _score(pg)
    pg.get_by_role("slider").first.focus()
    pg.keyboard.press("End")  # the total budget to its top: another score
    for _ in range(60):
        if _score(pg) != before and pg.locator("[data-testid='simLiveHeadline']").get_attribute("data-live") == "0":
            break
        pg.wait_for_timeout(500)
    _settle(pg)
    score = _score(pg)
    assert score != before
    with pg.expect_download() as dl:
        pg.get_by_role("button", name="下载汇报材料(Word)").click()
    assert dl.value.suggested_filename.endswith(".docx")
    d = Document(dl.value.path())
    assert d.paragraphs[0].text.startswith("示例县")
    assert any(f"得分中位数 {score} 分" in p.text for p in d.paragraphs)  # the page's number now
    pg.close()
