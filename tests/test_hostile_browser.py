"""Hostile uploads through a real browser (issue 17): a zip bomb, a ten-million-row .ods and a
CSV line of five million commas uploaded on the Score page each end in the user's language
message naming the limit, while a second session on the scenario page still gets its headline
and a slider's new score; the server answers its health check throughout."""
from __future__ import annotations

import time
import urllib.request

import pytest
from tests.support import IDLE, streamlit_server
from tests.test_e2e_browser import ARGS, CHROMIUM, ROOT
from tests.test_hostile_files import CASES


pytestmark = pytest.mark.browser
UPLOADS = {"xlsx_zip_bomb_1GB": "解压后超过", "ods_repeated_rows_bomb": "行数据的上限", "csv_header_of_5M_commas": "列的上限"}
MIME = {".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ".ods": "application/vnd.oasis.opendocument.spreadsheet", ".csv": "text/csv"}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    log = open(tmp_path_factory.mktemp("log") / "streamlit.log", "w")
    with streamlit_server(ROOT / "app.py", tmp_path_factory.mktemp("db") / "s.sqlite", log) as url:
        yield url


def _healthy(url: str) -> bool:
    return urllib.request.urlopen(f"{url}/_stcore/health", timeout=5).read() == b"ok"


def _settle(pg) -> None:
    pg.wait_for_timeout(300)
    pg.locator(IDLE).wait_for(timeout=60_000)


def test_hostile_uploads_are_refused_by_name_and_another_session_keeps_working(server):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        uploader = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
        other = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
        for pg in (uploader, other):
            pg.set_default_timeout(60_000)
        other.goto(f"{server}/?preset=demo&tour=0")
        other.get_by_text("年评价得分").first.wait_for()
        _settle(other)
        uploader.goto(f"{server}/score?tour=0")
        _settle(uploader)
        for case, words_zh in UPLOADS.items():
            name, build, _ = CASES[case]
            data = build()
            t0 = time.perf_counter()
            uploader.locator("input[type=file]").set_input_files(
                files=[{"name": name, "mimeType": MIME[name[name.rindex("."):]], "buffer": data}])
            # meanwhile the other session moves a slider and gets its new headline
            other.get_by_role("slider").nth(1).press("ArrowRight")
            _settle(other)
            assert other.locator("[data-testid='simLiveMedian']").first.inner_text().strip()  # the live headline (ui.live)
            assert _healthy(server)
            alert = uploader.locator("[data-testid='stAlertContentError']").first
            alert.wait_for(timeout=30_000)
            seconds = time.perf_counter() - t0
            words = alert.inner_text()
            assert f"文件“{name}”" in words and words_zh in words, (case, words)  # the limit, in Chinese
            assert seconds < 30, (case, seconds)
            uploader.goto(f"{server}/score?tour=0")  # a fresh page for the next file
            _settle(uploader)
        assert _healthy(server)
        browser.close()
