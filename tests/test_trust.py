"""Numbers a leader can act on: causal responses, defaults at the centre of their ranges, valid
draws at any width, an honest status quo, no runaways, the tier reading, decisions with odds."""
from __future__ import annotations

import numpy as np
import pytest

import sim
from sim.model.catalog import load_catalog
from sim.model.params import Params
from sim.model.projection import run, saturate
from sim.uncertainty import draw, from_space, monte_carlo, ranges, sample, to_space
from sim.scenarios import overrides

PRESETS = [p["id"] for p in sim.list_presets()]
COUNTY = [p["id"] for p in sim.list_presets() if p["rubric"]]


@pytest.fixture(scope="module", params=PRESETS)
def scenario(request):
    return sim.load_preset(request.param)


# ---------------------------------------------------------------------- causal responses
def test_status_quo_is_the_trend_and_programs_act_on_the_difference(scenario):
    """Under the reference spending every program effect is zero: the projection equals one in
    which no program can cause anything (capacity 0)."""
    sc = scenario.with_status_quo_mode("share")
    keys = [(p.id, e.indicator) for p in load_catalog().programs for e in p.effects]
    inert = run(sc, params=Params(capacity_rate={k: 0.0 for k in keys}))
    X = run(sc)
    for q in X:
        np.testing.assert_allclose(X[q], inert[q], rtol=1e-12, err_msg=q)
    # money above the reference causes units, money below it loses them
    more, less = run(sc, sc.spend_matrix() * 1.5), run(sc, sc.spend_matrix() * 0.5)
    if "tech_smes" in X and sc.status_quo["tech_sme_vouchers"] > 0:
        assert more["tech_smes"][0, -1] > X["tech_smes"][0, -1] > less["tech_smes"][0, -1]


def test_the_first_wan_above_the_reference_buys_additionality_over_award_units():
    """d units / dx at the reference = s a / A exp(-s r a / (A C)): the award is what is paid,
    award / additionality what a caused unit costs."""
    sc = sim.load_preset("demo")
    e = next(e for e in load_catalog().program("tech_sme_vouchers").effects)
    y0 = sc.years.index(sc.years[0])
    base = run(sc)
    x = sc.spend_matrix()
    h = 0.01  # 100 yuan more in the first year (lag 0)
    x[sc.programs.index("tech_sme_vouchers"), y0] += h
    got = (run(sc, x)["tech_smes"][0, 1] - base["tech_smes"][0, 1]) / h
    cap = e.capacity_rate * sc.base[e.capacity_of]
    r = sc.reference_matrix()[sc.programs.index("tech_sme_vouchers"), y0]
    want = e.share / e.cost_per_caused_unit * np.exp(-e.share * r / (e.cost_per_caused_unit * cap))
    # tech SMEs approach their ceiling (a share of registered firms) smoothly: the caused units
    # reach the count through the logistic's slope at the year's unbounded value
    ind = load_catalog().indicators["tech_smes"]
    ceiling = ind.cap_share * base[ind.cap][0, 1]
    anchor = sc.base["tech_smes"] / (ind.cap_share * sc.base[ind.cap])
    raw = sc.rates["tech_smes"] * base["registered_firms"][0, 1] + sc.param.get("tech_smes", ind.param) * sc.base["tech_smes"]
    d = 1e-6
    slope = float((saturate(raw + d, ceiling, anchor) - saturate(raw, ceiling, anchor)) / d)
    assert got == pytest.approx(want * slope, rel=1e-3)  # 100 yuan is a finite step on a curve
    assert e.cost_per_caused_unit == pytest.approx(e.award / e.additionality)


def test_seed_awards_are_paid_after_the_fact_and_cost_more_per_caused_unit():
    """Seed 003's 20万 / 50万 platform awards and 20万 talent reward are what is paid; a caused
    platform or firm costs several times that."""
    cat = load_catalog()
    platform = next(e for e in cat.program("platform_awards").effects if e.indicator.startswith("provincial"))
    talent = next(e for e in cat.program("talent").effects if e.indicator == "high_tech_enterprises")
    assert platform.award == 20 and platform.award_status == "seed"
    assert talent.award == 20 and talent.award_status == "seed"
    assert platform.cost_per_caused_unit >= 3 * platform.award
    assert talent.cost_per_caused_unit >= 3 * talent.award


# ---------------------------------------------------------------------- defaults and ranges
def test_every_default_sits_at_the_centre_of_its_range(scenario):
    """No default at or near a range's edge (in the range's own space), unless the data file
    says why (a calibrated rate flagged at its edge)."""
    for r in ranges(scenario):
        if r.kind == "lag" or r.high <= r.low:
            continue
        reason = scenario.provenance.get(r.name)
        if reason is not None and reason.status == "calibrated_edge":
            continue
        assert 0.1 <= r.position() <= 0.9, (r.name, r.low, r.mode, r.high, r.position())


@pytest.mark.parametrize("width", [1.0, 3.0, 5.0])
def test_draws_at_any_width_are_possible_values(scenario, width):
    rs = ranges(scenario, width)
    draws = sample(rs, 2000, seed=7)
    for r in rs:
        v = draws[r.name]
        assert np.isfinite(v).all(), r.name
        if r.space == "log":
            assert (v > 0).all(), r.name
        elif r.space == "logit":
            assert ((v > r.bounds[0]) & (v < r.bounds[1])).all(), r.name
        elif r.space == "log1p":
            assert (v > -1).all(), r.name
    mc = monte_carlo(scenario, n=500, seed=3, width=width, indicators=False)
    assert np.isfinite(mc.score.dropna().to_numpy()).all()


def test_transforms_round_trip():
    x = np.array([0.01, 0.3, 0.99])
    for space, bounds in (("log", (0, 1)), ("logit", (0.0, 1.0)), ("log1p", (0, 1)), ("logit", (0.0, 5.0))):
        np.testing.assert_allclose(from_space(to_space(x, space, bounds), space, bounds), x)


def test_every_uncertain_input_varies_for_the_demo():
    """Every demo input is an assumption: its baseline values, capacity rates, additionality and
    assessed points all vary, so the band is not a false precision."""
    sc = sim.load_preset("demo")
    kinds = {r.kind for r in ranges(sc)}
    assert {"base", "capacity_rate", "additionality", "award", "management", "growth", "rate"} <= kinds
    pace = draw(sc, 50, seed=0).pace  # the fitted factors' own uncertainty and the county's pace
    assert {"pace", "hte", "intensity", "management", "county", "effort"} <= set(pace)
    assert all(np.ptp(np.asarray(v)) > 0 for v in pace.values())
    mc = monte_carlo(sc, n=2000, seed=0)
    y = sc.scored_year(2025)
    band = mc.score.loc[y, "P90"] - mc.score.loc[y, "P10"]
    assert band > 3.0, band
    assert mc.score.loc[sc.base_year, "P90"] > mc.score.loc[sc.base_year, "P10"]  # the baseline is assumed too


def test_a_region_s_own_statistics_do_not_vary():
    from sim.files.loaders import load_rubric_example

    ex = load_rubric_example()
    vals = {r.column: (r.value if r.column == "st_admin_body" else float(r.value))
            for r in ex.itertuples() if r.column != "region"}
    sc = sim.load_preset("demo", vals, "示例县")
    varied = {r.key for r in ranges(sc) if r.kind == "base"}
    assert not (varied & set(vals)), varied & set(vals)


# ---------------------------------------------------------------------- status quo, runaways
def test_status_quo_keeps_the_program_budget_s_share_of_the_public_budget():
    sc = sim.load_preset("demo")
    m = sc.status_quo_matrix()
    pe = sim.simulate(sc).indicators["public_expenditure"]
    share = m.sum(axis=0) / pe.loc[list(sc.years)].to_numpy()
    # every program's amount is whole 万元: the share holds to within that rounding
    np.testing.assert_allclose(m.sum(axis=0), sc.path(sum(sc.status_quo.values()) * (1 + sc.budget_growth())),
                               atol=len(sc.programs) / 2)
    np.testing.assert_allclose(share, sum(sc.status_quo.values()) / pe.loc[sc.base_year], rtol=len(sc.programs) / 2 / m.sum(axis=0).min())
    flat = sc.with_status_quo_mode("flat")
    assert np.allclose(flat.spend_matrix().sum(axis=0), sum(sc.status_quo.values()))
    plan = sc.with_status_quo_mode("plan")
    assert plan.spend_matrix().sum(axis=0)[-1] > m.sum(axis=0)[-1]


def test_the_demo_gains_like_the_counties_that_stood_where_it_stands():
    """One model from a county to the province: the demo's status-quo gain a year to the 2025
    assessment (its median over the uncertainty) lies within the P10-P90 of the gains of the
    synthetic counties that scored within 3 points of it in its base year (sim.counties.peers)."""
    from sim.counties.peers import reference_class

    sc = sim.load_preset("demo")
    year = sc.scored_year(2025)
    mc = monte_carlo(sc, n=1000, seed=0, indicators=False)
    gain = (mc.score.loc[year, "P50"] - mc.score.loc[sc.base_year, "P50"]) / (year - sc.base_year)
    peers = reference_class(float(mc.score.loc[sc.base_year, "P50"]), sc.base_year, year)
    assert peers is not None and peers.n >= 10
    assert peers.gain[0] <= gain <= peers.gain[2], (gain, peers.gain)


def test_sessions_asking_for_the_province_at_once_compute_it_once(monkeypatch):
    """The reference class's province is computed by the first of many threads asking at once
    (the app's sessions); the others wait for it and get the same object."""
    import threading
    import time

    import sim.uncertainty
    from sim.counties import peers

    calls = []

    def slow_posterior(profile):
        calls.append(profile)
        time.sleep(0.3)
        return None  # no stored posterior: the province's totals are None

    monkeypatch.setattr(sim.uncertainty, "load_posterior", slow_posterior)
    got = []
    threads = [threading.Thread(target=lambda: got.append(peers.province_totals("test-stampede"))) for _ in range(6)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert calls == ["test-stampede"] and got == [None] * 6


def test_a_tier_target_is_read_as_the_assessment_year_by_default():
    sc = sim.load_preset("demo")
    att = sim.simulate(sc).attainment
    tier = att[att["kind"] == "tier"].iloc[0]
    assert tier["year"] == 2025 and tier["scored_year"] == 2024
    data = overrides.apply({"preset": "demo", "reading": "data"})
    tier = sim.simulate(data).attainment.query("kind == 'tier'").iloc[0]
    assert tier["scored_year"] == 2025
    assert sim.optimize(sc, 1000, 2025).data_year == 2024
    assert sim.optimize(data, 1000, 2025).data_year == 2025


# ---------------------------------------------------------------------- decisions with odds
@pytest.mark.slow
def test_min_budget_for_tier_a_at_80_percent_holds_under_monte_carlo():
    sc = sim.load_preset("demo")
    mb = sim.min_budget(sc, 80, 2025, confidence=0.5)
    assert mb.reachable and mb.probability >= 0.5 and mb.confidence == 0.5
    mc = monte_carlo(mb.allocation.scenario, n=2000, seed=123, indicators=False)
    p = mc.tiers.loc[mb.allocation.data_year, "A"]
    se = np.sqrt(0.5 * 0.5 / mb.draws)  # the optimizer saw mb.draws draws
    assert p >= 0.5 - 3 * se, (p, mb.budget)
    assert "50%" in mb.explain("zh") and "50%" in mb.explain("en")
    # no budget buys 80% confidence for this county in 2025: counties like it move too little and
    # vary too much from year to year; the message says so, with the best chance money buys
    sure = sim.min_budget(sc, 80, 2025, confidence=0.8)
    assert not sure.reachable and sure.probability < 0.8 and "80%" in sure.explain("en")


def test_the_public_api_the_readme_documents_exists():
    import re
    from pathlib import Path

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    names = set(re.findall(r"\bsim\.([a-z_]+)\(", readme))
    assert {"optimize", "monte_carlo", "min_budget", "sensitivity", "score_allocations", "budget_frontier"} <= names
    for n in names:
        assert callable(getattr(sim, n, None)), n
    assert callable(sim.counties.regions.load) and callable(sim.counties.regions.simulate)
