"""ui/datatab.py: the Data page's editor (validation names row and column, valid edits make the
expected document), ratios from their parts, a region's data, the export workbook, and the
Method page's tables."""
from __future__ import annotations

import io
import json

import numpy as np
import pytest
from helpers import plain
from openpyxl import load_workbook

import sim
from sim.files.datadir import load_translations
from sim.files.loaders import load_rubric_example
from sim.inputs.tables import template_bytes
from sim.model.catalog import load_catalog
from sim.model.rubric import load_rubric
from sim.model.simulate import inputs_frame
from sim.scenarios import overrides
from ui import datatab, method_tables

PRESETS = [p["id"] for p in sim.list_presets()]


def frames(preset: str = "demo", doc: dict | None = None, lang: str = "zh"):
    doc = doc or {"preset": preset}
    sc = overrides.apply(doc)
    frame = datatab.editor_frame(sc, doc, lang)
    return sc, doc, frame, frame.copy()


# ---------------------------------------------------------------------- the editor's table
@pytest.mark.parametrize("preset", PRESETS)
def test_editor_rows_are_the_editable_quantities_with_translated_status(preset):
    sc = sim.load_preset(preset)
    for lang in ("zh", "en"):
        frame = datatab.editor_frame(sc, {"preset": preset}, lang)
        assert list(frame.index) == overrides.editable_quantities(sc)
        assert list(frame.columns) == list(datatab.COLUMNS)
        labels = {datatab.status_label(s, lang) for s in datatab.STATUSES}
        assert set(frame["status"]) <= labels
        cat = load_catalog()
        assert list(frame["name"]) == [getattr(cat.indicators[q], lang) for q in frame.index]
        assert frame["value"].tolist() == [sc.base[q] for q in frame.index]
        assert np.allclose(frame["growth"], [sc.growth.get(q, np.nan) * 100 for q in frame.index], equal_nan=True)


def test_assumption_rows_are_marked_in_both_languages():
    sc = sim.load_preset("demo")
    for lang in ("zh", "en"):
        frame = datatab.editor_frame(sc, {"preset": "demo"}, lang)
        assumed = frame[frame["status"] == datatab.status_label("assumption", lang)]
        assert len(assumed) > 0 and all(s.startswith("⚠") for s in assumed["status"])
        assert all(assumed["source"].str.len() > 0)  # every assumption carries its reasoning


def test_edited_entries_show_as_user():
    doc = {"preset": "demo", "base": {"tech_smes": 400.0}, "growth": {"industrial_revenue": 0.03}}
    _, _, frame, _ = frames(doc=doc, lang="en")
    assert frame.at["tech_smes", "status"] == datatab.status_label("user", "en")
    assert frame.at["industrial_revenue", "growth_status"] == datatab.status_label("user", "en")
    assert frame.at["tech_smes", "value"] == 400.0
    assert frame.at["industrial_revenue", "growth"] == pytest.approx(3.0)


def test_calibrated_growth_shows_as_calibrated():
    frame = datatab.editor_frame(sim.load_preset("xiangtan"), {"preset": "xiangtan"}, "en")
    assert (frame["growth_status"] == "calibrated").any()


# ---------------------------------------------------------------------- validation
def _row(frame, q) -> int:
    return list(frame.index).index(q) + 1


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_negative_value_names_row_and_column(lang):
    _, doc, frame, edited = frames(lang=lang)
    edited.at["tech_smes", "value"] = -5.0
    res = datatab.edit_doc(doc, frame, edited, lang)
    assert res.doc is None and len(res.errors) == 1
    msg = plain(res.errors[0])
    name = getattr(load_catalog().indicators["tech_smes"], lang)
    assert name in msg and datatab.column_label("value", lang) in msg
    assert str(_row(frame, "tech_smes")) in msg and "-5" in msg
    assert ("负数" in msg) if lang == "zh" else ("negative" in msg)


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), None, "abc"])
def test_value_must_be_a_finite_number(bad):
    for lang, word in (("zh", "有限的数值"), ("en", "finite number")):
        _, doc, frame, edited = frames(lang=lang)
        edited["value"] = edited["value"].astype(object)
        edited.at["registered_firms", "value"] = bad
        res = datatab.edit_doc(doc, frame, edited, lang)
        assert res.doc is None
        assert word in plain(res.errors[0]) and datatab.column_label("value", lang) in plain(res.errors[0])
        assert getattr(load_catalog().indicators["registered_firms"], lang) in plain(res.errors[0])


@pytest.mark.parametrize("growth", [100.5, 150.0, -50.5, -100.0, -250.0])
def test_growth_must_lie_within_the_document_bounds(growth):
    for lang in ("zh", "en"):
        _, doc, frame, edited = frames(lang=lang)
        edited.at["industrial_revenue", "growth"] = growth
        res = datatab.edit_doc(doc, frame, edited, lang)
        assert res.doc is None and len(res.errors) == 1
        assert datatab.column_label("growth", lang) in plain(res.errors[0])
        assert getattr(load_catalog().indicators["industrial_revenue"], lang) in plain(res.errors[0])
        assert "-50%" in plain(res.errors[0]) and "100%" in plain(res.errors[0])


def test_growth_just_inside_the_bounds_is_accepted():
    _, doc, frame, edited = frames()
    edited.at["industrial_revenue", "growth"] = 100.0
    edited.at["population", "growth"] = -50.0
    res = datatab.edit_doc(doc, frame, edited, "en")
    assert not res.errors
    assert res.doc["growth"] == {"industrial_revenue": pytest.approx(1.0), "population": pytest.approx(-0.5)}


def test_a_zero_one_column_cannot_exceed_one():
    _, doc, frame, edited = frames()
    edited.at["st_leading_group", "value"] = 2.0
    res = datatab.edit_doc(doc, frame, edited, "zh")
    assert res.doc is None and "不能大于 1" in plain(res.errors[0])


def test_one_bad_cell_blocks_every_edit_and_all_bad_cells_are_named():
    _, doc, frame, edited = frames(lang="en")
    edited.at["tech_smes", "value"] = 500.0  # valid
    edited.at["registered_firms", "value"] = -1.0
    edited.at["industrial_revenue", "growth"] = 200.0
    res = datatab.edit_doc(doc, frame, edited, "en")
    assert res.doc is None and len(res.errors) == 2
    assert "Registered firms" in plain(res.errors[0]) and "Revenue of above-scale industrial firms" in res.errors[1]


# ---------------------------------------------------------------------- valid edits
def test_valid_edit_produces_the_expected_document():
    sc, doc, frame, edited = frames()
    edited.at["tech_smes", "value"] = 500.0
    edited.at["registered_firms", "growth"] = 2.0
    res = datatab.edit_doc(doc, frame, edited, "zh")
    assert not res.errors
    assert res.doc == {"preset": "demo", "base": {"tech_smes": 500.0},
                       "growth": {"registered_firms": pytest.approx(0.02)}}
    new = overrides.apply(res.doc)
    assert new.base["tech_smes"] == 500.0 and new.growth["registered_firms"] == pytest.approx(0.02)
    assert new.base["registered_firms"] == sc.base["registered_firms"]


def test_only_changed_entries_are_written_and_earlier_ones_kept():
    doc = {"preset": "demo", "base": {"tech_smes": 400.0}, "spend": {"platform_awards": 600.0},
           "horizon": 2028}
    _, doc, frame, edited = frames(doc=doc)
    edited.at["population", "value"] = 45.0
    res = datatab.edit_doc(doc, frame, edited, "en")
    assert res.doc == {**doc, "base": {"tech_smes": 400.0, "population": 45.0}}
    assert doc["base"] == {"tech_smes": 400.0}  # the input document is not mutated


def test_unchanged_table_and_float_round_trips_change_nothing():
    _, doc, frame, edited = frames(doc={"preset": "demo", "growth": {"industrial_revenue": 0.07}})
    assert datatab.edit_doc(doc, frame, edited, "en") == datatab.EditResult(None, [])
    edited.at["industrial_revenue", "growth"] = 7.0  # 0.07 * 100 is 7.000000000000001
    assert datatab.edit_doc(doc, frame, edited, "en").doc is None


def test_zero_is_a_valid_baseline():
    _, doc, frame, edited = frames()
    edited.at["national_key_labs", "value"] = 0.0
    edited.at["provincial_key_labs", "value"] = 0.0
    res = datatab.edit_doc(doc, frame, edited, "en")
    assert res.doc["base"] == {"provincial_key_labs": 0.0}  # national was 0 already


# ---------------------------------------------------------------------- ratios and sums
@pytest.mark.parametrize("preset", PRESETS)
def test_ratios_and_sums_from_their_parts_equal_the_presets_baseline(preset):
    sc = sim.load_preset(preset)
    frame = datatab.derived_frame(sc, "en")
    cat = load_catalog()
    assert set(frame["quantity"]) == {q for q in sc.base if cat.indicators[q].kind in ("ratio", "sum")}
    for q, v in zip(frame["quantity"], frame["value"]):
        assert v == pytest.approx(sc.base[q], rel=1e-9), q


def test_ratios_follow_edited_parts():
    sc = overrides.apply({"preset": "demo", "base": {"registered_firms": 20000.0, "fiscal_other": 3000.0}})
    frame = datatab.derived_frame(sc, "zh").set_index("quantity")
    assert frame.at["tech_smes_per_1000_firms", "value"] == pytest.approx(1000 * 100 / 20000)
    fiscal = 3000.0 + sum(sc.status_quo.values())
    assert frame.at["fiscal_st_spending", "value"] == pytest.approx(fiscal)
    assert frame.at["fiscal_st_share", "value"] == pytest.approx(100 * fiscal / sc.base["public_expenditure"])
    assert "工商注册企业数" in frame.at["tech_smes_per_1000_firms", "formula"]


# ---------------------------------------------------------------------- a region's data
def test_template_row_becomes_the_region_of_the_document():
    rubric = load_rubric("hebei-county")
    data = template_bytes(rubric, load_rubric_example())
    regions, values = datatab.parse_region_file("hebei-county", data, "模板.xlsx")
    vals = datatab.region_values("hebei-county", values, 0)
    assert set(vals) == {c.id for c in rubric.columns}
    assert vals["st_admin_body"] in {c.id for c in rubric.columns[
        [c.id for c in rubric.columns].index("st_admin_body")].categories}
    assert all(isinstance(v, float) for k, v in vals.items() if k != "st_admin_body")
    doc = {"preset": "demo", "base": {"tech_smes": 1.0}, "management": {"st_admin_body": "none"},
           "growth": {"industrial_revenue": 0.03}, "spend": {"talent": 200.0}}
    new = datatab.with_region(doc, regions[0], vals)
    assert new == {"preset": "demo", "growth": {"industrial_revenue": 0.03}, "spend": {"talent": 200.0},
                   "region": {"name": regions[0], "values": vals}}
    json.dumps(new)  # a document is JSON
    sc = overrides.apply(new)
    assert sc.region_name == regions[0]
    assert sim.simulate(sc).scores.loc[sc.base_year, "total"] == pytest.approx(77.738095238)
    assert datatab.without_region(new) == {k: v for k, v in new.items() if k != "region"}


def test_region_values_show_as_user_in_the_editor():
    rubric = load_rubric("hebei-county")
    data = template_bytes(rubric, load_rubric_example())
    _, values = datatab.parse_region_file("hebei-county", data, "t.xlsx")
    vals = datatab.region_values("hebei-county", values, 0)
    doc = datatab.with_region({"preset": "changan"}, "示例县", vals)
    frame = datatab.editor_frame(overrides.apply(doc), doc, "en")
    assert frame.at["tech_smes", "status"] == "user data"


# ---------------------------------------------------------------------- export
@pytest.mark.parametrize("preset", ["demo", "xiangtan"])
def test_export_workbook_has_every_sheet(preset):
    doc_text = json.dumps({"preset": preset, "spend": {"talent": 300.0}})
    proj = sim.simulate(overrides.apply(json.loads(doc_text)))
    data = datatab.export_bytes(proj, doc_text, "zh")
    wb = load_workbook(io.BytesIO(data), read_only=True)
    want = ["inputs", "projection", "attainment", "allocation", "scenario"]
    if proj.scenario.rubric_id:
        want.insert(2, "scores")
    assert wb.sheetnames == want
    rows = list(wb["scenario"].iter_rows(values_only=True))
    assert rows[1][-1] == doc_text
    alloc = list(wb["allocation"].iter_rows(values_only=True))
    assert alloc[0][:2] == ("program", "name") and list(alloc[0][2:]) == list(proj.scenario.years)
    talent = next(r for r in alloc if r[0] == "talent")
    assert list(talent[2:]) == list(proj.scenario.whole_path(300.0))  # 300 first, then growing, whole 万元
    proj_rows = list(wb["projection"].iter_rows(values_only=True))
    assert len(proj_rows) == len(proj.indicators.columns) + 1
    assert datatab.export_name(proj.scenario) == f"{preset}_scenario.xlsx"


# ---------------------------------------------------------------------- method tables
def test_rubric_table_covers_every_item_and_100_points():
    for lang in ("zh", "en"):
        frame = method_tables.rubric_frame("hebei-county", lang)
        assert len(frame) == len(load_rubric("hebei-county").items)
        assert frame["max_points"].sum() == pytest.approx(100)
        words = method_tables.rubric_words_frame("hebei-county", lang)  # the document's own words, for analysts
        assert frame["rule"].str.len().min() > 0 and words["words"].str.len().min() > 0
        assert list(words["item"]) == list(frame["item"])
    zh = method_tables.rubric_frame("hebei-county", "zh").set_index("item")
    rule = zh.at["地方财政科技支出", "rule"]
    assert "1,000→3" in rule and "10,000" in rule
    assert "8" in zh.at["省级以上科技创新平台建设情况", "rule"]


def test_program_table_lists_every_effect_with_source_or_reasoning():
    cat = load_catalog()
    frame = method_tables.programs_frame("en")
    assert len(frame) == sum(len(p.effects) for p in cat.programs)
    assert frame["basis"].str.len().min() > 0
    seed = frame[frame["award_status"] == "plan document"]
    words = method_tables.program_words_frame("en")  # the documents' words, for analysts
    assert len(seed) > 0 and len(words) >= len(seed) and words["words"].str.len().min() > 0
    assert not frame["basis"].str.contains(r"\d{3}_[0-9a-f]{16}").any()  # documents by title, not file
    assert frame["additionality_note"].str.len().min() > 0
    # what is paid and what it costs to cause a unit are shown apart
    effects = [e for p in cat.programs for e in p.effects]  # the table's rows, in order
    row = method_tables.programs_frame("zh").iloc[next(i for i, e in enumerate(effects) if "省级平台给予20万元" in e.source)]
    assert row["award"].startswith("20 万元") and row["cost"].startswith("100 万元")


def test_indicator_table_and_assumptions():
    assert len(method_tables.indicators_frame("zh")) == len(load_catalog().indicators)
    for preset in PRESETS:
        sc = sim.load_preset(preset)
        n = int((inputs_frame(sc)["status"] == "assumption").sum())
        frame = method_tables.assumptions_frame(sc, "en")
        assert len(frame) == n
    demo = method_tables.assumptions_frame(sim.load_preset("demo"), "zh").set_index("name")
    assert demo.at["科技管理机构设置", "value"] == "合署办公"  # category shown by its name


def test_every_translation_key_used_exists_in_both_languages():
    app = load_translations()["app"]
    keys = [f"data_col_{c}" for c in datatab.COLUMNS] + [f"data_status_{s}" for s in datatab.STATUSES]
    keys += [f"method_kind_{k}" for k in ("driver", "stock", "flow", "pipeline", "elastic", "inflow",
                                           "sum", "ratio", "text")]
    keys += ["data_err_not_number", "data_err_negative", "data_err_above_max", "data_err_growth",
             "data_edited_here", "data_programs_part", "method_rule_banded", "method_per_unit",
             "method_rule_cap", "method_rule_assessed", "method_also"]
    for k in keys:
        assert app[k]["zh"] and app[k]["en"], k
