"""The Streamlit app through streamlit.testing: every page in both languages for every preset,
and the numbers on screen equal sim's."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from helpers import (board_data, board_event, budget, english_headers, headline, latin_sentences, move, open_app,
                     page_texts)
from streamlit.testing.v1 import AppTest

import sim
from sim.plan import optimize
from sim.scenarios import overrides
from sim.uncertainty import monte_carlo
from ui import board, common
from ui.common import BAND_DRAWS, BAND_SEED

APP = str(Path(__file__).resolve().parent.parent / "app.py")
PAGES = ["scenario", "optimizer", "targets", "compare", "data", "method", "score"]
PRESETS = [p["id"] for p in sim.list_presets()]
COUNTY = [p["id"] for p in sim.list_presets() if p["rubric"]]


def app(preset: str = "demo", lang: str = "zh", page: str = "scenario", doc: dict | None = None) -> AppTest:
    return open_app(preset, lang, page, doc)


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("preset", PRESETS)
@pytest.mark.parametrize("page", PAGES)
def test_every_page_runs_in_both_languages_for_every_preset(page, preset, lang):
    """... with no error shown, and a zh page shows no Latin-script sentence outside names, units,
    file names and quoted sources (every text of every element, table cells and chart labels
    included), and no table a bare English header (a column named by its code, "round"); the Data
    page has its editor (a row per editable quantity), export and (counties) upload, the Method
    page its seven sections."""
    at = app(preset, lang, page)
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    assert at.title or at.header or at.subheader
    if lang == "zh":
        assert not latin_sentences(page_texts(at))
        assert not english_headers(at)
    if page == "data":  # the baseline editor, the export (and the template for counties), the upload
        table = at.data_editor(key="data_editor").value
        assert len(table) == len(overrides.editable_quantities(sim.load_preset(preset)))
        assert any(b.key == "export_xlsx" for b in at.get("download_button"))
        assert (at.file_uploader(key="data_upload") is not None) if preset in COUNTY else not at.file_uploader
    if page == "method":  # rubric, equations, record, programs, indicators, assumptions, limits
        assert len(at.header) == 7


def test_zh_pages_after_their_actions_show_no_latin_sentences():
    at = app("demo", "zh", "optimizer")
    at.button(key="opt_run").click().run()
    assert at.metric and not latin_sentences(page_texts(at))
    assert not english_headers(at)
    at = app("demo", "zh", "uncertainty")
    assert not at.exception and not latin_sentences(page_texts(at))
    assert not english_headers(at)


def test_the_latin_sentence_scan_finds_english_and_spares_names():
    assert latin_sentences(["One city-level commendation.", "None assumed here."]) == [
        "One city-level commendation", "None assumed here"]
    assert latin_sentences(["来源“Hebei county results are here”(002_f2.txt),R&D 经费,Monte Carlo 抽样"]) == []
    spec = json.dumps({"title": "Innovation inputs by year", "data": {"values": [{"a": "some English words"}]}})
    assert latin_sentences([spec]) == ["Innovation inputs by year"]


def _score_metric(at) -> str:
    """The headline's median as the page shows it (the live headline's Python numbers, ui.live)."""
    return headline(at)["median"]


def _median(sc, year: int = 2025) -> str:
    """The page's headline: the median of the band's draws for the year's assessment, 1 decimal."""
    mc = monte_carlo(sc, BAND_DRAWS, BAND_SEED, indicators=False)
    return f"{mc.score.loc[sc.scored_year(year), 'P50']:.1f}"


def test_moving_a_budget_slider_changes_the_score_exactly_as_monte_carlo():
    at = app("demo")
    before = _score_metric(at)
    move(at, platform_awards=600.0)
    assert not at.exception
    assert _score_metric(at) == _median(sim.load_preset("demo").with_spend("platform_awards", 600.0)) != before
    doc = json.loads(at.session_state["scenario_doc"])
    assert doc["spend"] == {"platform_awards": 600}  # whole 万元 (issue 19)
    # the chance of tier A is shown beside the median, and the band in plain words (issue 20): the
    # range eight draws in ten fall in, P10–P90 of the same draws
    mc = monte_carlo(sim.load_preset("demo").with_spend("platform_awards", 600.0), BAND_DRAWS, BAND_SEED,
                     indicators=False).score.loc[2024]
    band = f"十次中有八次落在 {mc['P10']:.1f}–{mc['P90']:.1f} 分"
    shown = headline(at)
    assert shown["pa"].endswith("%") and shown["band"] == f"**{band}**"


def test_a_release_parses_its_new_document_once(monkeypatch):
    """The document a slider's release writes is checked and read through one cached parse
    (ui.state.set_doc, scenario_of), not parsed again by the page (~17 ms of the demo's run)."""
    at = app("demo")
    calls = []
    real = overrides.apply
    monkeypatch.setattr(overrides, "apply", lambda doc, *a, **k: calls.append(doc) or real(doc, *a, **k))
    move(at, platform_awards=613.0)  # a spending no other test writes
    assert not at.exception and json.loads(at.session_state["scenario_doc"])["spend"] == {"platform_awards": 613}
    assert [d.get("spend") for d in calls].count({"platform_awards": 613}) == 1


def test_total_budget_slider_keeps_the_split_in_whole_wan_that_add_up_to_it():
    at = app("demo")
    sc = sim.load_preset("demo")
    first = sc.spend_matrix()[:, 0]
    move(at, total=2013.0)
    doc = json.loads(at.session_state["scenario_doc"])
    got = np.array([doc["spend"][p] for p in sc.programs])
    assert got.sum() == 2013 and all(isinstance(v, int) for v in doc["spend"].values())
    np.testing.assert_allclose(got, first / first.sum() * 2013, atol=1.0)  # the split kept, to the 万元
    assert _score_metric(at) == _median(sim.scenarios.overrides.apply(doc))
    assert headline(at)["budget"] == "2,013"  # the budget figure shows the slider's number
    assert budget(at)["total"] == 2013.0 and [budget(at)[p] for p in sc.programs] == list(got)  # the sliders too


def test_growth_and_management_controls_change_the_scenario():
    at = app("demo")
    assert not [s for s in at.slider if s.key.startswith("w_g_")]  # behind the assumptions switch
    at.toggle(key="w_show_assumptions").set_value(True).run()
    at.selectbox(key="w_m_demo_st_admin_body").set_value("independent").run()
    want = sim.scenarios.overrides.apply({"preset": "demo", "management": {"st_admin_body": "independent"}})
    assert _score_metric(at) == _median(want)
    at.run()  # AppTest shows the elements of the last run only: a whole run shows the page
    at.slider(key="w_g_demo_registered_firms").set_value(2.0).run()
    assert json.loads(at.session_state["scenario_doc"])["growth"]["registered_firms"] == pytest.approx(0.02)
    assert not at.exception


def test_reset_returns_to_the_status_quo():
    at = app("demo", doc={"preset": "demo", "spend": {"talent": 900.0}})
    assert json.loads(at.session_state["scenario_doc"]).get("spend")
    board_event(at, "history", "reset")
    assert json.loads(at.session_state["scenario_doc"]) == {"preset": "demo"} and not at.exception
    assert board_data(at)["history"]["reset"] is False  # nothing left to reset


def _plan_tables(at) -> list:
    """The 年度安排 tables of a page as drawn: the optimizer's dataframe, the scenario board's table."""
    out = [d.value for d in at.dataframe if list(d.value.columns)[:2] == ["2022", "2023"]
           or (len(d.value.columns) > 2 and str(d.value.columns[0]).isdigit() and d.value.index[-1] in ("合计", "Total"))]
    try:
        plan = board_data(at)["plan"]
    except StopIteration:  # not the scenario page
        return out
    if plan.get("rows"):
        out.append(pd.DataFrame([r[1:] for r in plan["rows"]], index=[r[0] for r in plan["rows"]], columns=plan["columns"][1:]))
    return out


def _plan_table(at):
    """The 年度安排 table of a page: years as columns, the programs and the total as rows. The
    scenario page sends it only while it is open: opened here if it is closed."""
    if not _plan_tables(at) and board_data(at)["plan"]["open"] is False:
        board_event(at, "open", {"table": board_data(at)["plan"]["name"], "open": True})
    return _plan_tables(at)[0]


def test_the_plan_table_is_sent_only_when_open_and_opens_itself_when_the_split_varies():
    """A closed 年度安排 is not sent (every slider move would lay it out again); it opens by itself,
    drawn, when the plan's split differs by year, and a reader's opening draws it."""
    varies_caption = "当前分配逐年不同"
    for preset in PRESETS:  # a preset's status quo is not a yearly plan (its rounding differs by 1万元)
        at = app(preset)
        plan = board_data(at)["plan"]
        assert not _plan_tables(at) and plan["open"] is False and "rows" not in plan, preset
        assert board_data(at)["controls"]["varies"] == "", preset
    board_event(at, "open", {"table": "plan_0", "open": True})
    assert len(_plan_tables(at)) == 1 and not at.exception
    move(at, total=budget(at)["total"] + 7)  # it stays open after a move (the session remembers it)
    assert len(_plan_tables(at)) == 1 and _plan_tables(at)[0].iloc[-1, 0] == f"{budget(at)['total']:,.0f}"
    varies = app("demo", doc={"preset": "demo", "spend": {"talent": [400, 900, 900, 950, 1000, 1000, 1000, 1000, 1000]}})
    assert len(_plan_tables(varies)) == 1 and board_data(varies)["plan"]["name"] == "plan_1"
    assert varies_caption in board_data(varies)["controls"]["varies"]
    assert sim.load_preset("demo").planned_by_year() == []


def test_what_100_wan_more_buys_is_computed_only_when_its_expander_is_open(monkeypatch):
    """下一笔钱投向哪里 is closed on a page's first run and not computed (~0.1 s of each release at
    a new spending); a reader's opening draws the table with ui.common.next_points's numbers, and
    it stays open after a slider moves (the session remembers it)."""
    calls = []
    real = common.next_points
    monkeypatch.setattr(board, "next_points", lambda *a, **k: calls.append(a) or real(*a, **k))
    at = app("demo", doc={"preset": "demo", "spend": {"talent": 417}})  # a document no other test draws
    shown = board_data(at)["next"]
    assert shown["open"] is False and "rows" not in shown and not calls and not at.exception
    board_event(at, "open", {"table": "next", "open": True})
    assert calls and not at.exception
    gains, _ = real(at.session_state["scenario_doc"], 2025)
    shown = board_data(at)["next"]
    assert [r[1] for r in shown["rows"]] == [f"{m:.2f}" for m in gains["total_P50"]]
    move(at, platform_awards=601.0)
    shown = board_data(at)["next"]
    assert shown["open"] is True and len(shown["rows"]) == len(gains) and not at.exception


def test_apply_shows_exactly_what_the_optimizer_stated():
    """The optimizer states the plan's median, band and P(A) as the scenario page will; after
    "apply" the scenario page shows exactly those numbers and holds the plan year by year."""
    at = app("demo", page="optimizer")
    at.number_input(key="opt_budget_demo").set_value(3000.0).run()
    at.button(key="opt_run").click().run()
    assert not at.exception
    res = optimize(sim.load_preset("demo"), 3000.0, 2025)
    stated_median, stated_pa = at.metric[0].value, at.metric[1].value
    mc = monte_carlo(res.scenario, BAND_DRAWS, BAND_SEED, indicators=False).score.loc[2024]
    assert stated_median == f"{mc['P50']:.1f}"
    band = f"十次中有八次落在 {mc['P10']:.1f}–{mc['P90']:.1f} 分"
    assert band in "\n".join(m.value for m in at.markdown)
    plan = _plan_table(at)
    np.testing.assert_array_equal(plan.iloc[:-1, :5].map(lambda v: float(v.replace(",", ""))).to_numpy(),
                                  res.allocation.to_numpy())
    at.button(key="opt_apply").click().run()
    assert not at.exception
    shown = headline(at)  # the scenario page
    assert shown["median"] == stated_median and shown["pa"] == stated_pa
    assert shown["band"] == f"**{band}**"
    doc = json.loads(at.session_state["scenario_doc"])
    applied = sim.scenarios.overrides.apply(doc)
    np.testing.assert_array_equal(applied.spend_matrix()[:, :5], res.allocation.to_numpy())
    assert all(isinstance(v, int) for row in doc["spend"].values() for v in (row if isinstance(row, list) else [row]))
    assert len(json.dumps(doc)) < 700  # whole 万元: the link stays short


@pytest.mark.parametrize("preset", PRESETS)
def test_one_budget_number_on_the_slider_the_metric_the_table_and_the_briefing(preset):
    from report.facts import levers_all

    at = app(preset)
    sc = sim.load_preset(preset)
    total = budget(at)["total"]
    assert total == float(sc.spend_matrix()[:, 0].sum()) and total == round(total)
    assert headline(at)["budget"] == f"{total:,.0f}"
    programs = [budget(at)[p] for p in sc.programs]
    assert sum(programs) == total  # the program sliders add up to the total
    plan = _plan_table(at)
    assert plan.iloc[-1, 0] == f"{total:,.0f}"
    brief = levers_all(sc, "zh")
    assert brief.iloc[-1, 2] == f"{total:,.0f}" and list(brief.iloc[:-1, 2]) == [f"{v:,.0f}" for v in programs]


def test_the_scenario_and_uncertainty_pages_give_one_median_band_and_chance():
    at = app("demo", doc={"preset": "demo", "spend": {"talent": 400}})
    median, pa = headline(at)["median"], headline(at)["pa"]
    at.switch_page("app_pages/uncertainty.py").run()
    assert not at.exception
    assert at.metric[0].value == median and at.metric[2].value == pa
    at.switch_page("app_pages/targets.py").run()
    table = next(d.value for d in at.dataframe if "达成的概率" in getattr(d.value, "columns", []))
    tier = table[table["指标"].str.startswith("县域") & (table["目标年"] == "2025") & table["目标值"].str.startswith("A")]
    assert len(tier) and (tier["达成的概率"] == pa).all()  # the tier target's chance is the headline's P(A)


def test_a_zero_budget_optimizes_without_error():
    at = app("demo", "en", page="optimizer")
    at.number_input(key="opt_budget_demo").set_value(0.0).run()
    at.button(key="opt_run").click().run()
    assert not at.exception and not at.error


def test_language_switch_keeps_the_scenario():
    at = app("demo", doc={"preset": "demo", "spend": {"talent": 700.0}})
    zh_value = _score_metric(at)
    at.radio(key="lang").set_value("en").run()
    assert not at.exception
    assert json.loads(at.session_state["scenario_doc"])["spend"] == {"talent": 700.0}
    assert _score_metric(at) == zh_value
    from helpers import live_data

    assert "assessment score" in live_data(at)["text"]["score_label"]


def test_bad_upload_on_the_score_page_shows_the_error():
    at = app("demo", page="score")
    at.file_uploader(key="score_upload").set_value(("bad.csv", "region,x\nA,1\n".encode(), "text/csv")).run()
    assert not at.exception
    assert at.error and "缺少列" in at.error[0].value


def test_a_broken_link_opens_the_default_preset_with_a_warning():
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["s"] = '{"preset": "demo", "spend": {"talent": -5}}'
    at.run()
    assert not at.exception
    assert json.loads(at.session_state["scenario_doc"]) == {"preset": "demo"}
    assert at.warning
