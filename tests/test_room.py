"""Issue 20 without a browser: short links, the slides and the briefing through LibreOffice with a
QR code a phone's camera reads back to the link, units and whole counts in every table, the words
an official reads (units in English, documents by title, plain uncertainty), every page's tables
without "None" or a raw column id."""
from __future__ import annotations

import io
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pytest
from helpers import TEST_WS, board_data, board_event, open_app
from streamlit.testing.v1 import AppTest

import sim
from report import briefing, citymap, facts, labels, slides
from report import charts
from sim.files.datadir import load_translations
from sim.files.errors import InputError
from sim.model.catalog import load_catalog
from ui import store

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "tests" / "artifacts"
APP = str(ROOT / "app.py")
URL = "http://192.0.2.7:8501/"
PAGES = ["scenario", "optimizer", "targets", "uncertainty", "city", "compare", "data", "method", "score"]
RAW_ID = re.compile(r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)+$")
COUNT = re.compile(r"^\d[\d,]*$")
NAME = {"zh": "平台加码", "en": "Platforms up"}  # a scenario's name as its user wrote it


# ---------------------------------------------------------------------- short links
def test_a_short_link_is_short_stable_and_carries_the_name():
    doc = '{"preset":"demo","spend":{"talent":700.0}}'
    short = store.link(doc, "人才加码")
    assert re.fullmatch(r"[a-z2-7]{8}", short) and store.link(doc, "人才加码") == short
    assert store.link(doc) != short  # another name, another link
    text, name = store.resolve(short)
    assert json.loads(text) == json.loads(doc) and name == "人才加码"
    for bad in ("zzzzzzzz", "x", "../../etc", ""):
        with pytest.raises(InputError) as err:
            store.resolve(bad)
        assert err.value.code == "link_not_found"
    with pytest.raises(InputError):
        store.link('{"preset":"demo","spend":{"talent":-5}}')  # a bad document gets no link


def test_a_short_link_opens_its_scenario_and_name_and_an_unknown_one_says_so():
    short = store.link('{"preset":"demo","spend":{"talent":700.0}}', "人才加码")
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["workspace"] = TEST_WS
    at.query_params["id"] = short
    at.run()
    assert not at.exception
    assert json.loads(at.session_state["scenario_doc"]) == {"preset": "demo", "spend": {"talent": 700.0}}
    assert at.session_state["scenario_name"][0] == "人才加码" and at.query_params["id"] == short  # the URL keeps the short link
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["workspace"] = TEST_WS
    at.query_params["id"] = "zzzzzzzz"
    at.run()
    assert not at.exception and json.loads(at.session_state["scenario_doc"]) == {"preset": "demo"}
    assert any("zzzzzzzz" in w.value and "默认情景" in w.value for w in at.warning)


def test_loading_a_saved_scenario_carries_its_name_into_the_briefing():
    at = open_app("demo", "zh", "compare", doc={"preset": "demo", "spend": {"talent": 900.0}})
    at.text_input(key="cmp_name").set_value("人才加码").run()
    at.button(key="cmp_save").click().run()
    at.session_state["scenario_doc"] = json.dumps({"preset": "demo"})
    at.run()
    at.selectbox(key="cmp_pick").set_value("人才加码").run()
    at.button(key="cmp_load").click().run()
    assert at.session_state["scenario_name"][0] == "人才加码"
    assert at.session_state["scenario_name"][1] == at.session_state["scenario_doc"]


# ---------------------------------------------------------------------- documents rendered as a reader sees them
def _office() -> str:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None or shutil.which("pdftoppm") is None:
        if os.environ.get("SIM_REQUIRE_OFFICE"):
            pytest.fail("LibreOffice (soffice) and pdftoppm are required here (test.sh installs them)")
        pytest.skip("LibreOffice or poppler-utils not installed")
    return soffice


def _render(data: bytes, name: str, tmp_path: Path) -> tuple[str, list[Path]]:
    """The document through LibreOffice: (its text, its pages as PNGs at 60 dpi, the first also
    copied to tests/artifacts/)."""
    soffice = _office()
    src = tmp_path / name
    src.write_bytes(data)
    run = subprocess.run([soffice, "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(src)],
                         capture_output=True, text=True, timeout=240, env={**os.environ, "HOME": str(tmp_path)})
    pdf = src.with_suffix(".pdf")
    assert run.returncode == 0 and pdf.exists(), run.stderr
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True).stdout
    subprocess.run(["pdftoppm", "-png", "-r", "60", str(pdf), str(tmp_path / src.stem)], check=True, timeout=120)
    pngs = sorted(tmp_path.glob(f"{src.stem}-*.png"))
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shutil.copy(pngs[0], ARTIFACTS / f"room_{src.stem}.png")
    return text, pngs


def _read_qr(png: Path, dpi_scale: int = 1) -> list[str]:
    """What a phone's camera reads on a rendered page (zxing-cpp, as phone scanners do)."""
    import zxingcpp
    from PIL import Image

    image = Image.open(png)
    if dpi_scale > 1:
        image = image.resize((image.width * dpi_scale, image.height * dpi_scale))
    return [r.text for r in zxingcpp.read_barcodes(image)]


@pytest.fixture(scope="module")
def linked():
    """A named scenario and its short link (as the app makes it)."""
    sc = sim.load_preset("demo").with_spend("platform_awards", 200.0)
    return sc, f"{URL}?id=" + store.link(json.dumps(sim.scenarios.overrides.diff(sc), ensure_ascii=False), "平台加码")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_slides_render_with_the_short_link_and_a_qr_code_that_reads_back(lang, linked, tmp_path):
    sc, url = linked
    data = slides.scenario_slides(sc, lang, name=NAME[lang], url=url)
    from pptx import Presentation
    from pptx.oxml.ns import qn

    deck = Presentation(io.BytesIO(data))
    assert 1 <= len(deck.slides) <= 3
    faces = {ea.get("typeface") for ea in deck.slides[0].shapes._spTree.iter(qn("a:ea"))}
    assert faces == {slides.EAST_ASIAN}  # every run names its East Asian typeface
    text, pages = _render(data, f"slides_{lang}.pptx", tmp_path)
    assert len(pages) == len(deck.slides)
    h = facts.headline(sc, 2025)
    assert f"{h['median']:.1f}" in text and url in text.replace("\n", "")
    assert ("十次中有八次落在" if lang == "zh" else "8 times in 10") in text
    assert _read_qr(pages[0], 3) == [url]  # slide 1's QR code, rendered at 60 dpi, read back to the link
    if lang == "en":
        assert not re.search(r"[\u4e00-\u9fff]", text)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_briefing_renders_with_the_short_link_its_qr_code_and_units_in_every_table(lang, linked, tmp_path):
    from docx import Document

    sc, url = linked
    data = briefing.scenario_briefing(sc, lang, name=NAME[lang], url=url)
    d = Document(io.BytesIO(data))
    link = d.tables[0].rows[0].cells[0].text
    assert url in link and len(url) < 50  # one line, not six of a percent-encoded document
    text, pages = _render(data, f"briefing_{lang}.docx", tmp_path)
    assert url in text.replace("\n", "") and 1 <= len(pages) <= 3
    assert _read_qr(pages[0], 3) == [url]
    targets, rests = d.tables[3], d.tables[4]  # after the link, the settings and the plan by year
    header = [c.text for c in targets.rows[0].cells]
    assert header[2] == ("单位" if lang == "zh" else "Unit")
    for row in targets.rows[1:]:
        cells = [c.text for c in row.cells]
        q = next((q for q in load_catalog().indicators if labels.ind_name(q, lang) == cells[0]), None)
        if q is not None and labels.is_count(q):  # a count: whole where it is a count, ≈ where expected
            assert cells[2] and COUNT.match(cells[3]), cells
            assert COUNT.match(cells[4]) or cells[4].startswith("≈ "), cells
    for row in rests.rows[1:]:
        low, high = (float(x) for x in row.cells[1].text.split(" – "))
        assert low <= high  # ranges low to high
    if lang == "en":
        everything = text + "".join(c.text for t in d.tables for r in t.rows for c in r.cells)
        assert not re.search(r"[\u4e00-\u9fff]", everything)


def test_cli_brief_writes_slides_by_the_extension_and_refuses_a_city_deck(tmp_path, capsys):
    from sim.cli import main

    out = tmp_path / "deck.pptx"
    assert main(["brief", "--preset", "demo", "--lang", "en", "--out", str(out)]) == 0
    from pptx import Presentation

    assert len(Presentation(str(out)).slides) >= 2
    assert main(["brief", "--city", "hengshui", "--out", str(tmp_path / "c.pptx")]) == 2
    assert not (tmp_path / "c.pptx").exists() and ".pptx" in capsys.readouterr().err


# ---------------------------------------------------------------------- words and numbers
def test_units_are_english_on_an_english_page_and_counts_are_whole():
    table = load_translations()["units"]["en"]
    units = {ind.unit for ind in load_catalog().indicators.values()} - {""}
    assert units <= set(table)  # every unit of the catalog has its English
    assert labels.ind_label("high_tech_enterprises", "en") == "High-tech enterprises (firms)"
    assert labels.ind_label("provincial_key_labs", "en") == "Provincial key laboratories (labs)"
    assert labels.ind_label("gdp", "zh") == "地区生产总值(亿元)"
    assert labels.quantity("high_tech_enterprises", 40.0) == "40"
    assert labels.quantity("high_tech_enterprises", 41.63, expected=True) == "≈ 41.6"
    assert labels.quantity("fiscal_st_spending", 2800.4) == "2,800"
    assert labels.with_unit("high_tech_enterprises", "40", "zh") == "40 家"
    assert labels.band(82.0, 83.5) == labels.band(83.5, 82.0) == "82.0 – 83.5"
    assert labels.pp(21, "zh") == "+21 个百分点" and "pp" not in labels.pp(21, "zh")
    assert labels.growth(0.5114, "zh") == "51.1%/年"


def test_documents_are_named_by_title_and_their_title_is_the_seed_s_own(seeds):
    docs = load_translations()["documents"]
    for name, entry in docs.items():
        if name in seeds:
            assert entry["line"] in seeds[name], name
    assert labels.titled("见 002_f20328e13a7a958d.txt", "zh") == "见 " + docs["002_f20328e13a7a958d.txt"]["zh"]
    ref = "003: 到2025年,县域创新能力全部达到B类以上,其中A类不少于5个"
    assert "by 2025" in labels.source(ref, "en") and not re.search(r"[\u4e00-\u9fff]", labels.source(ref, "en"))


def test_english_notes_hold_no_chinese_and_amounts_are_in_english():
    assert labels.readable("A 35亿元 budget of 40万 residents", "en") == "A 3.5bn yuan budget of 400k residents"
    assert labels.readable("Ratio (亿元 / 万人 = 万元/人).", "en") == "Ratio (100m yuan / 10k people = 10k yuan per person)."
    assert labels.readable("Two maker spaces or Xingchuang Tiandi (星创天地).", "en") == "Two maker spaces or Xingchuang Tiandi."
    assert labels.readable("it derives firms_with_rd", "en") == "it derives " + labels.ind_name("firms_with_rd", "en")
    cat = load_catalog()
    for ind in cat.indicators.values():
        assert not re.search(r"[\u4e00-\u9fff]", labels.readable(ind.note, "en")), ind.id


def test_a_chart_title_wraps_and_never_cuts_a_unit():
    for text, width in (("规上工业企业研发经费支出占营业收入比重(亿元)", 12), ("Gross R&D expenditure (100m yuan)", 12)):
        lines = charts.wrap(text, width).split("\n")
        assert "".join(lines).replace(" ", "") == text.replace(" ", "")  # nothing cut
        assert all(line.count("(") == line.count(")") for line in lines)  # no line break inside the unit


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("page", PAGES)
def test_no_table_shows_none_or_a_raw_column_id(page, lang):
    """Every table of every page (the canvas tables a browser scan cannot read): no cell "None"
    or "nan", and no column shown under its raw id (a column without a label of its own). The
    scenario page's tables drawn only while their expanders are open are opened."""
    at = open_app("demo", lang, page, timeout=120)
    boards = []
    if page == "scenario":  # its tables are the board's, sent while open: opened here
        for name in ("plan_0", "next"):
            at = board_event(at, "open", {"table": name, "open": True})
        data = board_data(at)
        boards = [pd.DataFrame(t["rows"], columns=t["columns"]) for t in (data["plan"], data["next"])]
        assert all(len(b) for b in boards)
    assert not at.exception
    for df in [*at.dataframe, *at.table, *boards]:
        frame = df if isinstance(df, pd.DataFrame) else df.value if isinstance(df.value, pd.DataFrame) else pd.DataFrame(df.value)
        config = {} if isinstance(df, pd.DataFrame) else json.loads(getattr(df.proto, "columns", "") or "{}")
        for col in frame.columns:
            label = (config.get(str(col)) or config.get(f"col:{col}") or {}).get("label")
            hidden = (config.get(str(col)) or {}).get("hidden")
            assert hidden or label or not RAW_ID.match(str(col)), (page, col)
            cells = frame[col].astype(str).str.strip()
            assert not cells.isin(["None", "nan", "NaN", "<NA>"]).any(), (page, col)


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("scale", [1.0, 1.4])
def test_hengshui_s_map_labels_every_county_and_no_two_labels_overlap(lang, scale):
    """The labels' boxes as the map draws them (the projection fitted to the map's width): none
    overlaps another (Anping and Raoyang were drawn over each other) and each is on the map."""
    from sim.counties import regions

    from report.citymap import frame_of as _frame, label_box as _label_box, mercator as _mercator

    hs = regions.load("hengshui")
    the_map, _, on_map, left_off = citymap.city_charts(hs, regions.simulate(hs), 2025, lang, scale)
    spec = the_map.to_dict()
    features = spec["data"]["values"]
    font = spec["layer"][2]["mark"]["fontSize"]
    k, x0, y0, width, height = _frame(features, spec["width"])
    boxes = []
    for f in features:
        pr = f["properties"]
        x, y = _mercator(pr["lon"], pr["lat"])
        w, h = _label_box(pr["short"], font)
        cx, cy = k * (x - x0) + pr["dx"], k * (y - y0) + pr["dy"]
        boxes.append((cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2))
    assert on_map == 11 and not left_off and all(f["properties"]["short"] for f in features)
    for i, a in enumerate(boxes):
        assert 0 <= a[0] and 0 <= a[1] and a[2] <= width and a[3] <= height
        for b in boxes[i + 1:]:
            assert not (a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]), (a, b)
    assert spec["width"] >= (960 if scale > 1 else 520)  # a projector's map: half a 1920-pixel screen
