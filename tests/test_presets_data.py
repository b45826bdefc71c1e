"""Every preset value against its seed: the source words are verbatim in the seed and hold the
figure, and the figure equals the value. Assumptions carry their reasoning."""
from __future__ import annotations

import csv

import pytest

from sim.files.datadir import DATA_DIR, read_toml

PRESET_FILES = sorted((DATA_DIR / "presets").glob("*.toml"))
CATALOG = {r["id"]: r for r in csv.DictReader(open(DATA_DIR / "indicators.csv", encoding="utf-8"))}


def _entries(doc):
    for section in ("values", "targets", "programs", "growth"):
        for i, e in enumerate(doc.get(section, [])):
            yield f"{section}[{i}]", e


@pytest.mark.parametrize("path", PRESET_FILES, ids=[p.stem for p in PRESET_FILES])
def test_preset_values_are_the_seed_figures(path, seeds, rubric):
    doc = read_toml(path)
    meta = doc["preset"]
    columns = {c.id for c in rubric.columns}
    n_seed = 0
    for where, e in _entries(doc):
        name = e.get("indicator", e.get("id"))
        assert name in CATALOG or name in columns or name == "tier" or where.startswith("programs"), \
            f"{path.name} {where}: unknown indicator {name!r}"
        status = e.get("status", "seed")
        assert status in ("seed", "assumption"), f"{path.name} {where}: status {status!r}"
        if status == "assumption":
            assert e.get("note"), f"{path.name} {where} ({name}): an assumption needs its reasoning"
            continue
        sf = e.get("source_file", meta["source_file"])
        src = e.get("source", "")
        assert src and src in seeds[sf], f"{path.name} {where} ({name}): {src!r} not in {sf}"
        value = e.get("value", e.get("rate", e.get("spend")))
        figure = e.get("figure", value if isinstance(value, str) else f"{value:g}")
        assert figure in src, f"{path.name} {where} ({name}): figure {figure!r} not in {src!r}"
        if not isinstance(value, str):
            assert float(figure.replace(",", "")) == pytest.approx(value * e.get("figure_scale", 1)), \
                f"{path.name} {where}"
        n_seed += 1
    assert n_seed > 0 or meta["id"] == "demo", f"{path.name}: no seed figures at all"


@pytest.mark.parametrize("path", PRESET_FILES, ids=[p.stem for p in PRESET_FILES])
def test_plan_growth_has_its_source_or_reasoning(path, seeds):
    """The status quo's "plan" option: a rate with the seed's words it comes from (verbatim) and
    how it is derived, or an assumption's reasoning."""
    doc = read_toml(path)
    plan = doc.get("plan_growth")
    assert plan is not None, f"{path.name}: no plan_growth"
    assert 0 <= plan["rate"] < 0.5 and plan.get("note"), path.name
    assert plan.get("status") in ("seed", "assumption"), path.name
    if plan.get("source"):
        sf = plan.get("source_file", doc["preset"]["source_file"])
        assert plan["source"] in seeds[sf], f"{path.name}: {plan['source']!r} not in {sf}"
    if plan["status"] == "seed":
        assert plan.get("source") and "%" in plan["note"], path.name


@pytest.mark.parametrize("mode", ["share", "flat", "plan"])
def test_a_status_quo_is_not_a_yearly_plan_but_a_yearly_list_is(mode):
    """Scenario.planned_by_year: a preset's status quo (grown from its unrounded base: it can differ
    from a slider's path by 1万元 in a later year) and a slider's path are not plans set year by
    year; a program given a list of its own is."""
    from sim.scenarios import overrides
    from sim.scenarios.presets import preset_ids

    for pid in preset_ids():
        sc = overrides.apply({"preset": pid, "status_quo": mode})
        assert sc.planned_by_year() == [], pid
        p = sc.programs[0]
        moved = overrides.apply({"preset": pid, "status_quo": mode, "spend": {p: int(sc.spend[p][0]) + 37}})
        assert moved.planned_by_year() == [], pid
        years = [int(v) for v in sc.spend[p]]
        years[-1] += 50
        assert overrides.apply({"preset": pid, "status_quo": mode, "spend": {p: years}}).planned_by_year() == [p], pid
