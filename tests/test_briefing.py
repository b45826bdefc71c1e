"""The Word briefing (report.briefing), checked as a reader would: its headings, its numbers
(equal to sim's), its images; Chinese in a chart image is drawn, not boxes; LibreOffice opens it
and its first page is rendered into tests/artifacts/ for a person to look at."""
from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

import sim
from report import briefing
from sim.cli import main
from sim.counties import regions
from sim.uncertainty import monte_carlo

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "tests" / "artifacts"


def _doc(data: bytes):
    from docx import Document

    return Document(io.BytesIO(data))


@pytest.fixture(scope="module")
def scenario():
    return sim.load_preset("demo").with_spend("platform_awards", 200.0)


@pytest.fixture(scope="module")
def zh(scenario):
    return briefing.scenario_briefing(scenario, "zh", name="平台加码", url="http://localhost:8501/?preset=demo")


@pytest.fixture(scope="module")
def en(scenario):
    return briefing.scenario_briefing(scenario, "en", name="Platforms up")


def test_the_zh_briefing_has_its_sections_numbers_and_charts(scenario, zh):
    d = _doc(zh)
    heads = [p.text for p in d.paragraphs if p.style.name.startswith(("Heading", "Title"))]
    assert heads[0] == "示例县(演示)科技创新情景简报"
    assert heads[1:] == ["主要结论", "与现状投入不同的设置", "年度安排(万元)", "规划目标达成情况", "结论依据的主要假设"]
    text = "\n".join(p.text for p in d.paragraphs)
    mc = monte_carlo(scenario, 300, 0, indicators=False, central=False)
    sq = monte_carlo(scenario.with_spend_matrix(scenario.status_quo_matrix()), 300, 0, indicators=False, central=False)
    median, p10, p90 = (mc.score.loc[2024, k] for k in ("P50", "P10", "P90"))
    assert f"得分中位数 {median:.1f} 分" in text and f"{p10:.1f}–{p90:.1f}" in text
    assert f"达到 A 类的概率 {mc.tiers.loc[2024, 'A']:.0%}" in text
    assert f"中位数 {median - sq.score.loc[2024, 'P50']:+.1f} 分" in text
    link = d.tables[0].rows[0].cells[0].text  # the link beside its QR code
    assert "平台加码" in text and "http://localhost:8501/?preset=demo" in link
    assert len(d.inline_shapes) == 3  # the link's QR code, the score path and the group breakdown
    levers = d.tables[1]
    assert [c.text for c in levers.rows[1].cells][0].startswith("创新平台建设奖补") and levers.rows[1].cells[2].text == "200"
    plan = d.tables[2]  # 年度安排: every program and the total, whole 万元, as the scenario page shows them
    assert len(plan.rows) == 2 + len(scenario.programs) and plan.rows[-1].cells[0].text == "合计"
    assert plan.rows[-1].cells[1].text == f"{scenario.spend_matrix()[:, 0].sum():,.0f}"
    targets = d.tables[3]
    assert len(targets.rows) == 1 + len(sim.simulate(scenario).attainment)
    assert len(d.tables[4].rows) == 6  # five assumptions
    # the East Asian font is set for Word and WPS
    rfonts = d.styles["Normal"].element.rPr.rFonts
    assert rfonts.get("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia") == "SimSun"


def test_the_en_briefing_is_in_english(en):
    d = _doc(en)
    heads = [p.text for p in d.paragraphs if p.style.name.startswith(("Heading", "Title"))]
    assert heads == ["Demo county: innovation scenario briefing", "Headline", "Settings that differ from the status quo",
                     "Plan by year (10k yuan)", "The plan's targets", "What this rests on"]
    text = "\n".join(p.text for p in d.paragraphs) + "".join(c.text for t in d.tables for r in t.rows for c in r.cells)
    assert not re.search(r"[\u4e00-\u9fff]{2,}", text.replace("万元", ""))  # no Chinese words but the unit


def test_a_status_quo_briefing_says_nothing_differs():
    d = _doc(briefing.scenario_briefing(sim.load_preset("demo"), "en"))
    assert any("None: this scenario is the status quo." == p.text for p in d.paragraphs)


def test_the_city_briefing_has_the_map_the_ladder_and_every_county():
    city = regions.load("hengshui")
    d = _doc(briefing.city_briefing(city, lang="zh"))
    assert len(d.inline_shapes) == 2
    rows = d.tables[0].rows
    assert len(rows) == 12 and {r.cells[0].text for r in rows[1:]} == set(city.names)
    assert any("示意" in p.text for p in d.paragraphs)
    assert d.paragraphs[1].text.startswith("日期:") and "情景" not in d.paragraphs[1].text


def test_chinese_in_a_chart_image_is_drawn_not_boxes():
    """Two different Chinese words: boxes (missing glyphs) would give two identical images."""
    import altair as alt
    import pandas as pd

    from report import charts, word as docx

    def word(w: str) -> bytes:
        c = alt.Chart(pd.DataFrame({"x": [0]})).mark_text(fontSize=40).encode(text=alt.value(w))
        return docx.png(charts.style(c, 80), width=200)

    a, b = word("得分"), word("年份")
    assert a != b and len(a) > 500


def test_cli_brief_writes_a_docx_and_refuses_other_names(tmp_path, capsys):
    out = tmp_path / "brief.docx"
    assert main(["brief", "--preset", "demo", "--set", "program.platform_awards=200", "--lang", "en",
                 "--out", str(out)]) == 0
    assert _doc(out.read_bytes()).paragraphs[0].text.startswith("Demo county")
    assert main(["brief", "--preset", "demo", "--out", str(tmp_path / "b.pdf")]) == 2
    assert ".docx" in capsys.readouterr().err and not (tmp_path / "b.pdf").exists()
    assert main(["brief", "--out", str(out)]) == 2  # neither --preset nor --city


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_libreoffice_opens_it_and_the_first_page_is_rendered(lang, zh, en, tmp_path):
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None or shutil.which("pdftoppm") is None:
        if os.environ.get("SIM_REQUIRE_OFFICE"):
            pytest.fail("LibreOffice (soffice) and pdftoppm are required here (test.sh installs them)")
        pytest.skip("LibreOffice or poppler-utils not installed")
    src = tmp_path / f"brief_{lang}.docx"
    src.write_bytes(zh if lang == "zh" else en)
    env = {**os.environ, "HOME": str(tmp_path)}
    run = subprocess.run([soffice, "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(src)],
                         capture_output=True, text=True, timeout=180, env=env)
    pdf = tmp_path / f"brief_{lang}.pdf"
    assert run.returncode == 0 and pdf.exists(), run.stderr
    assert "error" not in (run.stdout + run.stderr).lower()
    text = subprocess.run(["pdftotext", "-f", "1", "-l", "1", str(pdf), "-"], capture_output=True, text=True).stdout
    assert ("主要结论" if lang == "zh" else "Headline") in text
    pages = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
    assert 1 <= int(re.search(r"Pages:\s+(\d+)", pages).group(1)) <= 3
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    subprocess.run(["pdftoppm", "-png", "-r", "70", "-f", "1", "-l", "1", "-singlefile", str(pdf),
                    str(ARTIFACTS / f"16_briefing_{lang}")], check=True, timeout=60)
    assert (ARTIFACTS / f"16_briefing_{lang}.png").stat().st_size > 10_000


def test_the_comparison_briefing_lists_each_scenario_with_sim_s_numbers():
    a = sim.load_preset("demo")
    b = a.with_spend("tech_sme_vouchers", 600.0)
    d = _doc(briefing.comparison_briefing([("现状", a), ("创新券加码", b)], "zh"))
    assert d.paragraphs[0].text == "示例县(演示)科技创新情景对比简报"
    rows = d.tables[0].rows
    assert [r.cells[0].text for r in rows[1:]] == ["现状", "创新券加码"]
    mc = monte_carlo(b, 300, 0, indicators=False, central=False)
    assert rows[2].cells[2].text == f"{mc.score.loc[2024, 'P50']:.1f}"
    assert len(d.inline_shapes) == 2
