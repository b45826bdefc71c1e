"""The engine's promises on every preset: identities, monotone responses, diminishing returns,
lags, batch = one by one, and attainment statuses on a constructed case."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import sim
from sim.files.loaders import preset_ids
from sim.model.catalog import load_catalog
from sim.model.params import Params
from sim.model.projection import run
from sim.model.scenario import Target

PRESETS = preset_ids()
# The one indicator more spending may lower: its denominator (gross R&D) grows with subsidies.
MAY_FALL = {"basic_research_share"}


@pytest.fixture(scope="module", params=PRESETS)
def scenario(request):
    return sim.load_preset(request.param)


def test_projection_frame_is_complete(scenario):
    p = sim.simulate(scenario)
    assert list(p.indicators.index) == [scenario.base_year, *scenario.years]
    assert not p.indicators.isna().any().any()
    cat = load_catalog()
    numeric = {q for q in scenario.shown if cat.indicators[q].kind != "text"}
    assert numeric <= set(p.indicators.columns)
    assert {q for q in scenario.shown if q not in numeric} <= set(scenario.management)
    if scenario.rubric_id:
        assert list(p.scores.columns[:5]) == ["inputs", "actors", "conditions", "outputs", "management"]
        assert p.scores["tier"].isin(["A", "B", "C"]).all()


def test_baseline_reproduces_the_preset_values(scenario):
    from sim.files.loaders import load_preset_doc
    from sim.inputs.resolve import convert_unit

    from sim.scenarios.presets import aggregated

    doc = load_preset_doc(scenario.preset_id)
    doc = aggregated(doc) if "aggregate" in doc else doc  # a city adding up from its counties
    row = sim.simulate(scenario).indicators.loc[scenario.base_year]
    cat = load_catalog()
    for e in doc["values"]:
        if e["year"] == scenario.base_year and e["indicator"] in row and not isinstance(e["value"], str):
            want = convert_unit(float(e["value"]), e.get("unit", ""), cat.indicators[e["indicator"]].unit, "")
            assert row[e["indicator"]] == pytest.approx(want, rel=1e-9), e["indicator"]


def test_every_ratio_is_numerator_over_denominator(scenario):
    """Exact ratios are k x scale x N / D; a logistic share s = r / upper has odds that grow as
    the unbounded share does: s_t / (1 - s_t) = raw_t / (1 - s_0)."""
    frame = sim.simulate(scenario).indicators
    for q, ind in load_catalog().indicators.items():
        if ind.kind == "ratio" and q in frame:
            num, den = ind.inputs
            want = scenario.ratio_k.get(q, 1.0) * ind.scale * frame[num] / frame[den]
            if ind.saturation == "logistic":
                s0 = frame[q].iloc[0] / ind.upper
                raw = want / ind.upper
                want = ind.upper * raw / (1 - s0 + raw)
                want.iloc[0] = frame[q].iloc[0]
            elif ind.upper is not None:
                want = want.clip(upper=ind.upper)
            np.testing.assert_allclose(frame[q], want, rtol=1e-12, err_msg=q)


def _bump(sc, program, year, amount=500.0):
    return sc.with_spend(program, sc.spend[program][sc.years.index(year)] + amount, year)


def test_more_money_never_lowers_a_later_indicator_or_the_score(scenario):
    base = sim.simulate(scenario)
    for program in scenario.programs:
        for year in scenario.years[:3]:
            more = sim.simulate(_bump(scenario, program, year))
            later = base.indicators.index >= year
            diff = more.indicators.loc[later].drop(columns=[c for c in MAY_FALL if c in base.indicators])
            low = diff - base.indicators.loc[later, diff.columns]
            assert (low >= -1e-9 * (1 + base.indicators.loc[later, diff.columns].abs())).all().all(), \
                (program, year, low.min()[low.min() < 0])
            if scenario.rubric_id:
                assert (more.scores["total"] >= base.scores["total"] - 1e-9).all(), (program, year)


def test_each_program_has_diminishing_returns_on_its_direct_target(scenario):
    cat = load_catalog()
    for program in scenario.programs:
        eff = cat.program(program).effects[0]
        if eff.indicator not in scenario.base:
            continue
        levels = np.array([0, 1000, 2000, 3000, 4000]) + 0.0
        spend = np.repeat(scenario.spend_matrix()[None], len(levels), axis=0)
        spend[:, scenario.programs.index(program), :] = levels[:, None]
        X = run(scenario, spend)[eff.indicator][:, -1]
        steps = np.diff(X)
        assert (steps >= -1e-9).all(), program
        assert (np.diff(steps) <= 1e-9 * (1 + abs(X[-1]))).all(), (program, steps)
        assert steps[0] > 0, f"{program} has no effect on {eff.indicator}"


def test_lagged_effects_do_not_appear_before_their_lag(scenario):
    cat = load_catalog()
    year = scenario.years[0]
    for program in scenario.programs:
        p = cat.program(program)
        targets = [t for e in p.effects for t in e.targets if t in scenario.base]
        if not targets:
            continue
        base = sim.simulate(scenario).indicators
        more = sim.simulate(_bump(scenario, program, year, 2000)).indicators
        for t in targets:
            before = base.index < year + p.lag
            np.testing.assert_array_equal(more.loc[before, t], base.loc[before, t], err_msg=(program, t))
            assert (more.loc[year + p.lag:, t] >= base.loc[year + p.lag:, t]).all()


def test_batch_equals_one_by_one(scenario):
    rng = np.random.default_rng(3)
    spend = rng.uniform(0, 3000, (4, len(scenario.programs), len(scenario.years)))
    batch = run(scenario, spend)
    for i in range(4):
        one = run(scenario.with_spend_matrix(spend[i]))
        for q in one:
            np.testing.assert_allclose(batch[q][i], one[q][0], rtol=1e-12, err_msg=q)


def test_attainment_statuses_on_a_constructed_case():
    sc = sim.load_preset(PRESETS[0])
    frame = sim.simulate(sc).indicators
    y = sc.years[1]
    hte = float(frame.loc[y, "high_tech_enterprises"]) if "high_tech_enterprises" in frame else None
    q = "high_tech_enterprises" if hte is not None else frame.columns[0]
    v = float(frame.loc[y, q])
    targets = (Target(q, y, v), Target(q, y, v * 1.04), Target(q, y, v * 1.2), Target(q, sc.horizon + 5, v))
    res = sim.simulate(sc.replace(targets=targets)).attainment
    assert list(res["status"]) == ["met", "within_5pct", "short", "not_assessed"]
    assert res["shortfall"].iloc[2] == pytest.approx(1 - 1 / 1.2)
    base = float(frame.loc[sc.base_year, q])
    n = y - sc.base_year
    assert res["growth_needed"].iloc[2] == pytest.approx((v * 1.2 / base) ** (1 / n) - 1)
    assert res["growth_assumed"].iloc[0] == pytest.approx((v / base) ** (1 / n) - 1)
    idx = res.attrs["index"]
    assert idx["share_met"] == pytest.approx(1 / 3)
    assert idx["weighted_shortfall"] == pytest.approx((0 + (1 - 1 / 1.04) + (1 - 1 / 1.2)) / 3)


def test_scenario_is_immutable_and_validates():
    sc = sim.load_preset(PRESETS[0])
    with pytest.raises(Exception):
        sc.base_year = 1999
    with pytest.raises(sim.InputError):
        sc.with_spend(sc.programs[0], -1)
    with pytest.raises(sim.InputError):
        sc.with_growth(next(iter(sc.growth)), -1.2)
    with pytest.raises(sim.InputError):
        sc.with_horizon(sc.base_year)
    with pytest.raises(sim.InputError):
        sc.with_spend("no_such_program", 1)


def test_a_preset_is_resolved_once_and_nothing_in_it_can_be_changed():
    """load_preset keeps a preset's scenario (sim.scenarios.presets._status_quo): every document of
    the preset starts from the same object, so nothing in it may be writable, the earlier years'
    values (history) included; a region's own data is resolved afresh each time."""
    from sim.files.loaders import load_rubric_example
    from sim.scenarios import overrides

    sc = sim.load_preset("xiangtan")
    assert sim.load_preset("xiangtan") is sc and overrides.apply({"preset": "xiangtan"}) == sc
    moved = overrides.apply({"preset": "xiangtan", "spend": {sc.programs[0]: 1234.0}})
    assert moved.spend[sc.programs[0]][0] == 1234.0 and sim.load_preset("xiangtan").spend == sc.spend
    with pytest.raises(TypeError):
        sc.history[2021]["gdp"] = 0.0
    with pytest.raises(TypeError):
        sc.history[2020] = {}
    with pytest.raises(TypeError):
        sc.base["gdp"] = 0.0
    vals = {r.column: (r.value if r.column == "st_admin_body" else float(r.value))
            for r in load_rubric_example().itertuples() if r.column != "region"}
    own = sim.load_preset("demo", vals, "示例县")
    assert own is not sim.load_preset("demo", vals, "示例县") and own.base != sim.load_preset("demo").base


def test_program_shares_add_up_and_awards_and_additionality_are_valid():
    for p in load_catalog().programs:
        assert sum(e.share for e in p.effects) == pytest.approx(1.0), p.id
        for e in p.effects:
            assert e.award > 0 and e.award_status in ("seed", "assumption"), (p.id, e.indicator)
            assert 0 < e.additionality_low < e.additionality < e.additionality_high < 1, (p.id, e.indicator)
            if e.post_award:  # 后补助: the lever is the award per unit, through an elasticity, up to a cap
                assert 0 < e.elasticity_low < e.elasticity < e.elasticity_high, (p.id, e.indicator)
                assert e.award_max >= 1 and e.elasticity_note and e.award_max_note, (p.id, e.indicator)
                assert e.elasticity_note_zh and e.award_max_note_zh and not e.capacity_of, (p.id, e.indicator)
            else:
                assert 0 < e.capacity_rate_low < e.capacity_rate < e.capacity_rate_high, (p.id, e.indicator)
                assert e.capacity_note, (p.id, e.indicator)
            assert e.payer in ("city", "county", "province"), (p.id, e.indicator)
            assert e.cost_per_caused_unit == pytest.approx(e.award / e.additionality)
            assert e.note and e.additionality_note, (p.id, e.indicator)
            if e.award_status == "assumption":
                assert 0 < e.award_low < e.award < e.award_high, (p.id, e.indicator)
            else:  # a seed's award is a fact, not a range
                assert e.award_low is None and e.award_high is None, (p.id, e.indicator)
        assert p.county_line and p.county_line_zh, p.id


def test_program_sources_are_verbatim_in_the_seeds(seeds):
    for p in load_catalog().programs:
        for e in p.effects:
            if e.source:
                assert e.source in seeds[e.source_file], (p.id, e.indicator)
            if e.payer_source:  # whose money: the seed's words
                assert e.payer_source in seeds[e.payer_file], (p.id, e.indicator)
            if e.award_status == "seed":
                assert e.source and (e.award_figure or f"{e.award:g}万元") in e.source, (p.id, e.indicator)


def test_catalog_growth_ranges_hold_their_defaults():
    for q, ind in load_catalog().indicators.items():
        assert ind.growth_low <= ind.growth <= ind.growth_high, q
        assert ind.note, q


def test_xiangtan_growth_is_calibrated_to_its_two_actual_years():
    """MAP fit: a driver's fitted rate lies between its prior centre (the range's centre) and the
    jump its two actual years show, i.e. the data pull it, the prior shrinks it."""
    from sim.inputs.calibration import prior

    sc = sim.load_preset("xiangtan")
    assert sc.base_year == 2022 and 2021 in sc.history
    calibrated = [k for k, p in sc.provenance.items() if k.startswith("growth.") and p.status.startswith("calibrated")]
    assert len(calibrated) >= 5
    cat = load_catalog()
    for key in calibrated:
        q = key.removeprefix("growth.")
        assert cat.indicators[q].growth_low - 1e-12 <= sc.growth[q] <= cat.indicators[q].growth_high + 1e-12
    from sim.files.loaders import load_preset_doc
    from sim.inputs.resolve import observed_indicators

    checked = 0
    for q in observed_indicators(load_preset_doc("xiangtan"), 2022):
        ind = cat.indicators[q]
        if ind.kind != "driver" or f"growth.{q}" not in sc.provenance:
            continue
        jump = sc.base[q] / sc.history[2021][q] - 1
        centre = float(np.expm1(prior(q)[0]))
        lo, hi = sorted((centre, jump))
        assert lo - 1e-6 <= sc.growth[q] <= hi + 1e-6, (q, centre, jump, sc.growth[q])
        checked += 1
    assert checked >= 2


def test_presets_without_history_are_not_calibrated():
    sc = sim.load_preset("handan")
    assert not sc.history
    assert not any(p.status == "calibrated" for p in sc.provenance.values())


def test_a_region_s_own_template_row_reproduces_its_score_and_round_trips():
    from sim.files.loaders import load_rubric_example
    from sim.scenarios import overrides

    ex = load_rubric_example()
    vals = {r.column: (r.value if r.column == "st_admin_body" else float(r.value))
            for r in ex.itertuples() if r.column != "region"}
    sc = sim.load_preset("demo", vals, "示例县")
    assert float(sim.simulate(sc).scores.loc[sc.base_year, "total"]) == pytest.approx(77.738095238, abs=1e-9)
    again = overrides.apply(overrides.parse(overrides.dumps(sc.with_spend("talent", 250))))
    assert again.base == sc.base and again.region_name == "示例县"


def test_editing_a_baseline_part_updates_its_ratios_in_the_baseline_year():
    from sim.scenarios import overrides

    sc = overrides.apply({"preset": "demo", "base": {"registered_firms": 20000}})
    frame = sim.simulate(sc).indicators
    assert frame.loc[2021, "tech_smes_per_1000_firms"] == pytest.approx(100 / 20000 * 1000)
    assert sc.base["tech_smes_per_1000_firms"] == pytest.approx(5.0)
    untouched = sim.load_preset("demo")
    from sim.inputs.resolve import rederive

    assert rederive(untouched).base == pytest.approx(dict(untouched.base))


def test_a_prepared_run_gives_the_plain_run_s_numbers(scenario):
    """What no spending moves, projected once (sim.model.projection.prepare), gives every quantity
    of every row exactly as the plain run does: central parameters under twelve budgets, and 20
    draws tiled under five budgets (the robust optimizer's layout). It is used only with its own
    scenario (or one that differs from it in spending alone: the test below) and its own
    parameters: a copy with other growth, a scenario with another driver, runs plain."""
    from dataclasses import replace

    from sim.model.effects import moved_quantities
    from sim.model.projection import prepare
    from sim.uncertainty import draw

    sc = scenario
    rng = np.random.default_rng(3)
    x = sc.spend_matrix()[None] * rng.uniform(0, 3, (12, *sc.spend_matrix().shape))
    central = prepare(sc)
    assert set(central.free.X) == set(run(sc)) - moved_quantities(tuple(sc.base), sc.programs, bool(sc.rubric_id))
    assert central.free.X  # every preset has quantities no spending moves
    for params, plain, spend in ((central, None, x),
                                 (prepare(sc, draw(sc, 20, 0)).tiled(5), draw(sc, 20, 0).tiled(5), np.repeat(x[:5], 20, axis=0))):
        a, b = run(sc, spend, plain), run(sc, spend, params)
        assert all(np.array_equal(a[q], b[q], equal_nan=True) for q in a), [q for q in a if not np.array_equal(a[q], b[q])]
    q = next(q for q in central.free.X if load_catalog().indicators[q].kind == "driver")
    faster = replace(central, growth={q: 0.5})
    assert np.array_equal(run(sc, x, faster)[q], run(sc, x, Params(growth={q: 0.5}))[q])
    assert not np.array_equal(run(sc, x, faster)[q], run(sc, x, central)[q])
    other = replace(sc, growth={**sc.growth, q: 0.5})  # another scenario object, another driver
    assert np.array_equal(run(other, x, central)[q], run(other, x)[q])


def test_what_a_status_quo_prepared_serves_every_spending_of_it(scenario, monkeypatch):
    """The page prepares a set of assumptions once (its status quo: ui.common.band_draws,
    ui.state.unmoved) and every document of them that differs in spending alone takes those rows
    (sim.model.free.serves): every quantity of every draw exactly as the plain run, both for the
    band's draws and for the central projection. A scenario that differs in anything else runs
    plain; and were it served, its numbers would be wrong (so the check is what keeps them right)."""
    from sim.model import free
    from sim.model.projection import prepare
    from sim.scenarios import overrides
    from sim.uncertainty import draw

    sc = scenario
    moved = overrides.apply({"preset": sc.preset_id, "spend": {sc.programs[0]: 0.0, sc.programs[3]: 2000.0}})
    assert moved is not sc and free.serves(sc, moved)
    draws = draw(sc, 40, 0)
    for plain, prepared in ((draws, prepare(sc, draws)), (Params(), prepare(sc))):
        assert free.free_rows(moved, prepared, plain.size()), "the prepared rows are taken"
        a, b = run(moved, None, plain), run(moved, None, prepared)
        assert all(np.array_equal(a[q], b[q], equal_nan=True) for q in a), [q for q in a if not np.array_equal(a[q], b[q])]
    q = next(q for q in prepared.free.X if load_catalog().indicators[q].kind == "driver")
    other = moved.with_growth(q, sc.growth.get(q, 0.0) + 0.2)
    assert not free.serves(sc, other) and not free.free_rows(other, prepared, 1)
    assert np.array_equal(run(other, None, prepared)[q], run(other)[q])
    monkeypatch.setattr(free, "serves", lambda a, b: True)
    assert not np.array_equal(run(other, None, prepared)[q], run(other)[q])


def test_tiled_parameters_are_kept_per_count_and_not_by_a_copy():
    """Params.tiled(k) gives draw i of copy j at row j n + i; the same object again for a count
    asked before (the robust search tiles its draws by the same counts round after round), a new
    one for another count or after the last TILES_KEPT counts, and a dataclasses.replace copy
    (other values) tiles its own."""
    from dataclasses import replace

    from sim.model import params as params_module
    from sim.uncertainty import draw

    sc = sim.load_preset("demo")
    p = draw(sc, 6, 2)
    t3 = p.tiled(3)
    assert t3 is p.tiled(3) and p.tiled(4) is not t3
    for f in params_module.MAPPINGS:
        for key, v in getattr(p, f).items():
            want = np.tile(np.asarray(v), (3, 1)) if f == "shocks" and np.ndim(v) == 2 else np.tile(np.asarray(v), 3)
            assert np.array_equal(getattr(t3, f)[key], want), (f, key)
    for k in range(5, 5 + params_module.TILES_KEPT):
        p.tiled(k)
    assert p.tiled(3) is not t3  # dropped, tiled anew: the same numbers
    q = next(iter(p.growth))
    other = replace(p, growth={**p.growth, q: np.asarray(p.growth[q]) + 1.0})
    assert np.array_equal(other.tiled(3).growth[q], np.tile(np.asarray(p.growth[q]) + 1.0, 3))


def test_the_tuned_allocator_keeps_the_engine_s_freed_arrays_instead_of_refaulting_them():
    """sim.allocator.tune (glibc): twenty 2 MB arrays made and freed thirty times, as a projection's
    quantities are round after round, fault their pages in once instead of every round (a plain
    process trims its heap above 4 MB and pays ~300 thousand page faults)."""
    import subprocess
    import sys

    code = """if 1:
        import resource, sys
        import numpy as np
        if sys.argv[1] == "tuned":
            from sim.allocator import tune
            assert tune()
        before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
        for _ in range(30):
            blocks = [np.ones(2**18) for _ in range(20)]
            del blocks
        print(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)"""
    from sim.allocator import tune

    if not tune():
        pytest.skip("not glibc: nothing to tune")
    faults = {how: int(subprocess.run([sys.executable, "-c", code, how], capture_output=True, text=True, check=True,
                                      cwd=str(Path(sim.__file__).parents[1])).stdout) for how in ("plain", "tuned")}
    assert faults["tuned"] * 5 < faults["plain"], faults
