"""The Compare page through streamlit.testing: save the current scenario, see it listed, compare
it with the session's changed scenario (numbers equal sim's), load and delete it, export and import
files (a broken one changes nothing and is told in the page's language), in Chinese and English."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

import sim
from sim.files.datadir import load_translations
from sim.scenarios import overrides
from sim.uncertainty import monte_carlo
from ui import store
from helpers import TEST_WS, plain
from ui.common import BAND_DRAWS, BAND_SEED

APP = str(Path(__file__).resolve().parent.parent / "app.py")
TR = load_translations()
DOUBLED = {"preset": "demo", "spend": {"platform_awards": 600.0}}


def text(key: str, lang: str, section: str = "app", **params) -> str:
    s = TR[section][key][lang]
    return s.format(**params) if params else s


def compare_page(lang: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=30)
    at.session_state["lang"] = lang
    at.session_state["workspace"] = TEST_WS
    at.switch_page("app_pages/compare.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def ok(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [plain(e.value) for e in at.error]


def set_doc(at: AppTest, doc: dict) -> None:
    at.session_state["scenario_doc"] = json.dumps(doc, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def score(doc: dict, year: int = 2025) -> str:
    """The median over the band's draws of the year's assessment (its previous year's statistics)."""
    sc = overrides.apply(doc)
    return f"{monte_carlo(sc, BAND_DRAWS, BAND_SEED, indicators=False).score.loc[sc.scored_year(year), 'P50']:.1f}"


def mean_budget(doc: dict, year: int = 2025) -> float:
    sc = overrides.apply(doc)
    return float(round(sc.spend_matrix()[:, : sc.scored_year(year) - sc.base_year].sum(axis=0).mean()))


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_save_list_compare_load_delete(lang):
    at = compare_page(lang)
    assert at.title[0].value == text("page_compare", lang)
    assert text("cmp_none_saved", lang) in [plain(i.value) for i in at.info]

    # save the current scenario (the demo preset as it is)
    at.text_input(key="cmp_name").set_value("  现状 status quo  ")
    at.button(key="cmp_save").click().run()
    ok(at)
    assert text("cmp_saved", lang, name="现状 status quo") in [plain(s.value) for s in at.success]
    assert [r["name"] for r in store.list_saved(TEST_WS)] == ["现状 status quo"]
    assert list(at.dataframe[0].value.iloc[:, 0]) == ["现状 status quo"]  # the saved table
    assert at.text_input(key="cmp_name").value == ""
    assert "现状 status quo" in at.selectbox(key="cmp_pick").options

    # change the session's scenario elsewhere, then compare it (unsaved) with the saved one
    set_doc(at, DOUBLED)
    at.run()
    at.multiselect(key="cmp_sel").set_value(["", "现状 status quo"]).run()
    ok(at)
    current = text("cmp_current", lang)
    assert [plain(m.label) for m in at.metric] == [current, "现状 status quo"]
    assert [m.value for m in at.metric] == [score(DOUBLED), score({"preset": "demo"})]
    summary = at.dataframe[1].value
    assert list(summary.columns) == [current, "现状 status quo"]
    assert summary.loc[text("score", lang)].tolist() == [score(DOUBLED), score({"preset": "demo"})]
    alloc = at.dataframe[2].value
    assert alloc.loc[text("cmp_total", lang)].tolist() == pytest.approx([mean_budget(DOUBLED),
                                                                        mean_budget({"preset": "demo"})], abs=1)
    assert len(at.get("vega_lite_chart")) == 4  # group points, total (its own axis), attainment, allocation

    # load the saved one back into the simulator: the session's document becomes it
    at.selectbox(key="cmp_pick").set_value("现状 status quo")
    at.button(key="cmp_load").click().run()
    ok(at)
    assert json.loads(at.session_state["scenario_doc"]) == {"format": overrides.FORMAT, "preset": "demo"}
    assert at.title[0].value.startswith(text("page_scenario", lang))  # switched to the simulator

    # and delete it (a fresh session: AppTest cannot re-send the scenario page's language-dependent
    # selectbox labels from outside a script run)
    at = compare_page(lang)
    at.selectbox(key="cmp_pick").set_value("现状 status quo")
    at.button(key="cmp_delete").click().run()
    ok(at)
    assert text("cmp_deleted", lang, name="现状 status quo") in [plain(s.value) for s in at.success]
    assert store.list_saved(TEST_WS) == []
    assert at.multiselect(key="cmp_sel").value == [""]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_compare_two_saved_scenarios_of_different_presets(lang):
    store.save(TEST_WS, "县 A", json.dumps(DOUBLED))
    store.save(TEST_WS, "城市 B", json.dumps({"preset": "handan", "spend": {"talent": 1500.0}}))
    at = compare_page(lang)
    at.multiselect(key="cmp_sel").set_value(["县 A", "城市 B"]).run()
    ok(at)
    assert [plain(m.label) for m in at.metric] == ["县 A", "城市 B"]
    assert at.metric[0].value == score(DOUBLED)
    proj = sim.simulate(overrides.apply({"preset": "handan", "spend": {"talent": 1500.0}}))
    idx = proj.attainment.attrs["index"]
    assert at.metric[1].value == f"{(1 - idx['weighted_shortfall']) * 100:.1f}%"
    assert text("cmp_years_differ", lang) in [plain(c.value) for c in at.caption]


def test_an_invalid_name_shows_the_error_in_the_page_language():
    at = compare_page("en")
    at.text_input(key="cmp_name").set_value("   ")
    at.button(key="cmp_save").click().run()
    assert not at.exception
    assert [plain(e.value) for e in at.error] == [text("scenario_name_empty", "en", "errors")]
    assert store.list_saved(TEST_WS) == []


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_import_a_file_and_a_broken_file_changes_nothing(lang, db):
    store.save(TEST_WS, "A", json.dumps(DOUBLED))
    good = store.export_json(TEST_WS, ["A"]).replace(b'"A"', b'"B"')
    at = compare_page(lang)
    at.file_uploader(key="cmp_upload").set_value(("scenarios.json", good, "application/json")).run()
    ok(at)
    assert text("cmp_imported", lang, n=1, names="B") in [plain(s.value) for s in at.success]
    assert sorted(r["name"] for r in store.list_saved(TEST_WS)) == ["A", "B"]
    assert "B" in at.multiselect(key="cmp_sel").options

    before = [(r["name"], store.load(TEST_WS, r["name"])) for r in store.list_saved(TEST_WS)]
    broken = json.dumps([{"preset": "demo", "name": "C"}, {"preset": "atlantis", "name": "D"}]).encode()
    at.file_uploader(key="cmp_upload").set_value(("broken.json", broken, "application/json")).run()
    assert not at.exception
    errors = [plain(e.value) for e in at.error]
    assert len(errors) == 1 and errors[0].startswith(text("cmp_import_failed", lang, msg="").rstrip())
    assert "atlantis" in errors[0] and "D" in errors[0]
    assert [(r["name"], store.load(TEST_WS, r["name"])) for r in store.list_saved(TEST_WS)] == before  # store unchanged
    assert json.loads(at.session_state["scenario_doc"])["preset"] == "demo"  # session scenario kept

    # the message follows a change of language
    other = "en" if lang == "zh" else "zh"
    at.session_state["lang"] = other
    at.run()
    assert [plain(e.value) for e in at.error][0].startswith(text("cmp_import_failed", other, msg="").rstrip())


def test_two_workspaces_see_only_their_own_scenarios():
    at = compare_page("en")
    at.text_input(key="cmp_name").set_value("mine")
    at.button(key="cmp_save").click().run()
    ok(at)
    other = AppTest.from_file(APP, default_timeout=30)
    other.session_state["lang"] = "en"
    other.session_state["workspace"] = "someone-else"
    other.switch_page("app_pages/compare.py")
    other.run()
    ok(other)
    assert text("cmp_none_saved", "en") in [plain(i.value) for i in other.info]
    assert store.names("someone-else") == [] and store.names(TEST_WS) == ["mine"]
    assert any(TEST_WS in c.value for c in at.code)  # the share link carries the workspace


def test_a_link_s_workspace_is_used_and_a_bad_one_replaced_with_a_warning():
    store.save(TEST_WS, "linked", json.dumps(DOUBLED))
    at = AppTest.from_file(APP, default_timeout=30)
    at.query_params["ws"] = TEST_WS
    at.switch_page("app_pages/compare.py")
    at.run()
    ok(at)
    assert "linked" in at.selectbox(key="cmp_pick").options
    bad = AppTest.from_file(APP, default_timeout=30)
    bad.query_params["ws"] = "../../etc"
    bad.run()
    assert not bad.exception and bad.warning
    assert bad.session_state["workspace"] != "../../etc"
