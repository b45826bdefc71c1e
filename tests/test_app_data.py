"""The 数据 Data and 方法 Method pages through streamlit.testing (every preset in both languages:
tests/test_app.py's run of every page, with these pages' own checks); the equations and limits,
edits of the baseline editor (seeded as its edit state), region data in and out, uploads."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers import headline, open_app, plain
from streamlit.testing.v1 import AppTest

import sim
from sim import InputError
from sim.files.loaders import load_rubric_example
from sim.inputs.tables import template_bytes
from sim.model.catalog import load_catalog
from sim.model.rubric import load_rubric
from sim.scenarios import overrides
from ui import datatab

APP = str(Path(__file__).resolve().parent.parent / "app.py")
COUNTY = [p["id"] for p in sim.list_presets() if p["rubric"]]


def app(preset: str = "demo", lang: str = "zh", page: str = "data", doc: dict | None = None) -> AppTest:
    return open_app(preset, lang, page, doc)


def doc_of(at: AppTest) -> dict:
    return json.loads(at.session_state["scenario_doc"])


def edit(at: AppTest, rows: dict[int, dict]) -> AppTest:
    """Seed the editor's cell edits (row position -> {column: value}) and rerun."""
    at.session_state["data_editor"] = {"edited_rows": {str(i): v for i, v in rows.items()},
                                       "added_rows": [], "deleted_rows": []}
    return at.run()


def test_method_page_names_the_equations_and_limits():
    at = app("demo", "en", "method")
    text = "\n".join(m.value for m in at.markdown)
    assert r"U_t = \text{units}(x_{t-L}) - \text{units}(r_{t-L})" in text
    assert r"\text{units}(x) = C_t\left(1 - e^{-\,s\,x\,a/(A\,C_t)}\right)" in text
    assert "No feedback of innovation" in text and "expected values, not integers" in text
    assert "factor of several" in text and "Discretionary points are not modelled" in text
    assert "additionality" in text and "synthetic province" in text
    assert "Post-award programs pay after recognition" in text and r"m(x_s)^{\varepsilon}" in text
    rubric, tiers, posterior, record, modes, programs, lines, indicators, assumed = (d.value for d in at.dataframe[:9])
    assert len(lines) == len(load_catalog().programs) and lines["county_line"].str.len().min() > 40
    assert list(record.index)[:4] == [2018, 2019, 2020, 2021]  # rounds: the record's, then predictions
    assert len(posterior) == 7 and (posterior["P10"] < posterior["P90"]).all()  # the fitted factors, with spread
    assert len(modes.columns) == 8  # the mean and the A count under the four pace assumptions
    assert len(rubric) == len(load_rubric("hebei-county").items)
    assert len(tiers) == 3
    assert len(programs) == sum(len(p.effects) for p in load_catalog().programs)
    assert len(indicators) == len(load_catalog().indicators)
    assert len(assumed) > 0


# ---------------------------------------------------------------------- the editor
def test_a_valid_edit_updates_the_scenario_and_every_number():
    at = app("demo")
    rows = list(datatab.editor_frame(sim.load_preset("demo"), {"preset": "demo"}, "zh").index)
    i, j = rows.index("tech_smes"), rows.index("registered_firms")
    edit(at, {i: {"value": 500.0}, j: {"growth": 2.0}})
    assert not at.exception and not at.error
    doc = doc_of(at)
    assert doc["base"] == {"tech_smes": 500.0}
    assert doc["growth"] == {"registered_firms": pytest.approx(0.02)}
    assert at.success  # "applied"
    table = at.data_editor(key="data_editor").value
    assert table.iloc[i]["status"] == datatab.status_label("user", "zh")
    derived = next(d.value for d in at.dataframe if d.editing_mode == "read_only")
    want = 1000 * 500.0 / sim.load_preset("demo").base["registered_firms"]
    got = derived.loc[derived["name"] == "千家工商注册企业中科技型中小企业数量", "value"].iloc[0]
    assert got == f"{want:,.1f}"  # in its kind's one format (issue 20)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_an_invalid_edit_names_row_and_column_and_keeps_the_last_good_scenario(lang):
    start = {"preset": "demo", "base": {"tech_smes": 400.0}}
    at = app("demo", lang, doc=start)
    rows = list(datatab.editor_frame(overrides.apply(start), start, lang).index)
    i, j = rows.index("population"), rows.index("above_scale_firms")
    edit(at, {i: {"value": -3.0}, j: {"growth": 120.0}})
    assert not at.exception
    assert doc_of(at) == start
    errors = [e.value for e in at.error]
    assert len(errors) == 2
    cat = load_catalog()
    assert getattr(cat.indicators["population"], lang) in errors[0]
    assert datatab.column_label("value", lang) in errors[0] and str(i + 1) in errors[0]
    assert getattr(cat.indicators["above_scale_firms"], lang) in errors[1]
    assert datatab.column_label("growth", lang) in errors[1]


def test_undo_button_drops_the_page_s_edits():
    at = app("demo", doc={"preset": "demo", "base": {"tech_smes": 400.0}, "growth": {"population": 0.01},
                          "spend": {"talent": 300.0}})
    at.button(key="data_reset_edits").click().run()
    assert not at.exception
    assert doc_of(at) == {"preset": "demo", "spend": {"talent": 300.0}}


def test_a_scenario_changed_elsewhere_forgets_the_editor_s_old_edits():
    at = app("demo")
    rows = list(datatab.editor_frame(sim.load_preset("demo"), {"preset": "demo"}, "zh").index)
    edit(at, {rows.index("population"): {"value": -1.0}})
    assert at.error
    at.session_state["scenario_doc"] = json.dumps({"preset": "changan"})  # another page's doing
    at.run()
    assert not at.exception and not at.error
    assert doc_of(at) == {"preset": "changan"}


# ---------------------------------------------------------------------- a region's own data
def _template() -> bytes:
    return template_bytes(load_rubric("hebei-county"), load_rubric_example())


def _two_region_csv() -> bytes:
    regions, values = datatab.parse_region_file("hebei-county", _template(), "t.xlsx")
    cols = load_rubric("hebei-county").columns
    header = ["region"] + [c.id for c in cols]
    row = [str(values[c.id][0]) for c in cols]
    row2 = list(row)
    row2[[c.id for c in cols].index("tech_smes")] = "900"
    lines = [",".join(header), ",".join(["甲县"] + row), ",".join(["乙县"] + row2)]
    return ("\n".join(lines) + "\n").encode("utf-8-sig")


@pytest.mark.parametrize("preset", COUNTY)
def test_upload_pick_and_apply_a_region_then_drop_it(preset):
    at = app(preset, doc={"preset": preset, "base": {"tech_smes": 1.0}, "growth": {"population": 0.01}})
    at.file_uploader(key="data_upload").set_value(("regions.csv", _two_region_csv(), "text/csv")).run()
    assert not at.exception and not at.error
    at.selectbox(key="data_region_pick").set_value(1).run()
    at.button(key="data_region_apply").click().run()
    assert not at.exception and not at.error
    doc = doc_of(at)
    assert doc["region"]["name"] == "乙县" and doc["region"]["values"]["tech_smes"] == 900.0
    assert "base" not in doc and doc["growth"] == {"population": 0.01}
    assert isinstance(doc["region"]["values"]["st_admin_body"], str)
    sc = overrides.apply(doc)
    assert sc.base["tech_smes"] == 900.0
    assert any("乙县" in i.value for i in at.info)
    table = at.data_editor(key="data_editor").value
    status = table.loc[table["name"] == "科技型中小企业数", "status"].iloc[0]
    assert status == datatab.status_label("user", "zh")
    at.button(key="data_region_drop").click().run()
    assert not at.exception
    assert "region" not in doc_of(at)


def test_a_bad_upload_shows_the_error_and_changes_nothing():
    at = app("demo", "en")
    at.file_uploader(key="data_upload").set_value(("bad.csv", b"region,x\nA,1\n", "text/csv")).run()
    assert not at.exception
    assert at.error and "fiscal_st_spending" in plain(at.error[0].value)
    assert doc_of(at) == {"preset": "demo"}
    assert not at.button or all(b.key != "data_region_apply" for b in at.button)


# ---------------------------------------------------------------------- uploads: the helper path
def test_helper_reads_the_template_and_a_csv_alike():
    regions, values = datatab.parse_region_file("hebei-county", _template(), "模板.xlsx")
    assert len(regions) == 1
    regions2, values2 = datatab.parse_region_file("hebei-county", _two_region_csv(), "r.csv")
    assert regions2 == ["甲县", "乙县"]
    assert datatab.region_values("hebei-county", values2, 0) == datatab.region_values("hebei-county", values, 0)


def _bad_csv(column: str, value: str) -> bytes:
    text = _two_region_csv().decode("utf-8-sig").splitlines()
    header = text[0].split(",")
    row = text[1].split(",")
    row[header.index(column)] = value
    return ("\n".join([text[0], ",".join(row)]) + "\n").encode("utf-8")


@pytest.mark.parametrize("data, name, words_zh, words_en", [
    (b"region,x\nA,1\n", "a.csv", ["fiscal_st_spending"], ["fiscal_st_spending"]),
    (_bad_csv("tech_smes", "-5"), "a.csv", ["tech_smes", "第2行", "-5"], ["tech_smes", "Row 2", "-5"]),
    (_bad_csv("tech_smes", "many"), "a.csv", ["tech_smes", "many"], ["tech_smes", "many"]),
    (_bad_csv("st_admin_body", "科技处"), "a.csv", ["st_admin_body", "科技处"],
     ["st_admin_body", "科技处"]),
    (b"", "empty.csv", ["empty.csv"], ["empty.csv"]),
    (b"not a workbook", "fake.xlsx", ["fake.xlsx"], ["fake.xlsx", ".xlsx"]),
    (b"x", "data.json", ["data.json", ".json"], ["data.json", ".json"]),
    (b"x", "old.xls", ["old.xls"], ["old.xls", ".xls"]),
])
def test_a_bad_file_gives_an_input_error_naming_the_problem(data, name, words_zh, words_en):
    with pytest.raises(InputError) as err:
        datatab.parse_region_file("hebei-county", data, name)
    zh, en = err.value.message("zh"), err.value.message("en")
    assert zh != en
    for w in words_zh:
        assert w in zh
    for w in words_en:
        assert w in en


def _county_csv(fiscal: float, share: float) -> bytes:
    """One county of the template's example row with its fiscal S&T spending and share set."""
    regions, values = datatab.parse_region_file("hebei-county", _template(), "t.xlsx")
    cols = load_rubric("hebei-county").columns
    row = {c.id: str(values[c.id][0]) for c in cols}
    row.update(fiscal_st_spending=f"{fiscal:g}", fiscal_st_share=f"{share:g}")
    lines = [",".join(["region"] + [c.id for c in cols]), ",".join(["小县"] + [row[c.id] for c in cols])]
    return ("\n".join(lines) + "\n").encode("utf-8-sig")


@pytest.mark.parametrize("fiscal", [100, 400, 900, 3000, 50000])
def test_a_county_of_any_realistic_size_loads_from_the_data_page_and_projects(fiscal):
    """Fiscal S&T spending from 100万 to 5亿: the county's own program budget (34% of it), no
    traceback, and the scenario page shows its headline."""
    at = app("demo")
    data = _county_csv(fiscal, max(0.05, fiscal / 5000))
    at.file_uploader(key="data_upload").set_value(("county.csv", data, "text/csv")).run()
    at.button(key="data_region_apply").click().run()
    assert not at.exception and not at.error
    sc = overrides.apply(doc_of(at))
    assert sum(sc.status_quo.values()) == pytest.approx(0.34 * fiscal)
    at.switch_page("app_pages/scenario.py").run()
    assert not at.exception and headline(at)["median"] not in ("", "—")
