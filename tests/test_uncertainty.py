"""Uncertainty: Monte Carlo quantiles and tier probabilities, sensitivity, robust optimization."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import sim
from sim.plan import Options, Robust, optimize
from sim.uncertainty import pace_ranges, monte_carlo, ranges, sensitivity

PRESETS = [p["id"] for p in sim.list_presets()]


@pytest.mark.parametrize("preset", PRESETS)
def test_zero_width_gives_the_deterministic_projection(preset):
    sc = sim.load_preset(preset)
    mc = monte_carlo(sc, n=200, seed=3, width=0)
    det = sim.simulate(sc)
    for col in ("P10", "P50", "P90"):
        np.testing.assert_allclose(mc.score[col], mc.deterministic, equal_nan=True, rtol=1e-12)
    if sc.rubric_id:
        np.testing.assert_allclose(mc.deterministic, det.scores["total"], rtol=1e-12)
    wide = mc.indicators.pivot(index="year", columns="quantity", values="P50")
    for q in det.indicators:
        np.testing.assert_allclose(wide[q], det.indicators[q], rtol=1e-12, err_msg=q)


@pytest.mark.parametrize("preset", PRESETS)
def test_quantiles_are_ordered_and_tier_probabilities_sum_to_one(preset):
    sc = sim.load_preset(preset)
    mc = monte_carlo(sc, n=2000, seed=5)
    s = mc.score.dropna()
    assert (s["P10"] <= s["P50"] + 1e-12).all() and (s["P50"] <= s["P90"] + 1e-12).all()
    assert (mc.indicators["P10"] <= mc.indicators["P50"] + 1e-9).all()
    assert (mc.indicators["P50"] <= mc.indicators["P90"] + 1e-9).all()
    if sc.rubric_id:
        np.testing.assert_allclose(mc.tiers[["A", "B", "C"]].sum(axis=1), 1.0)
    p = mc.targets["probability"].dropna()
    assert ((p >= 0) & (p <= 1)).all()


def test_the_same_seed_gives_the_same_numbers():
    sc = sim.load_preset("demo")
    a, b = monte_carlo(sc, n=1000, seed=9), monte_carlo(sc, n=1000, seed=9)
    pd.testing.assert_frame_equal(a.score, b.score)
    pd.testing.assert_frame_equal(a.tiers, b.tiers)
    pd.testing.assert_frame_equal(a.targets, b.targets)
    c = monte_carlo(sc, n=1000, seed=10)
    assert not a.score.equals(c.score)


def test_widening_one_range_widens_the_band_in_its_direction():
    sc = sim.load_preset("demo")
    only = {r.name: 0.0 for r in ranges(sc)}
    bands = []
    for w in (0.5, 1.0, 2.0):
        widths = {**only, "rate.tech_smes": w}
        mc = monte_carlo(sc, n=3000, seed=1, width=0.0, widths=widths)
        bands.append(mc.score.loc[2025])
    for narrow, wide in zip(bands, bands[1:]):
        assert wide["P90"] >= narrow["P90"] - 1e-9 and wide["P10"] <= narrow["P10"] + 1e-9
    assert bands[2]["P90"] - bands[2]["P10"] > bands[0]["P90"] - bands[0]["P10"]


def test_ranges_come_from_the_data_files_with_reasons():
    rs = ranges(sim.load_preset("demo"))
    kinds = {r.kind for r in rs}
    assert kinds == {"growth", "param", "rate", "award", "additionality", "capacity_rate", "elasticity", "lag", "base",
                     "management"}
    for r in rs:
        assert r.low <= r.mode <= r.high and r.note, r.name
    pace = pace_ranges(sim.load_preset("demo"))  # the fitted factors, for the sensitivity analysis
    assert {r.key for r in pace} == {"pace", "hte", "intensity", "management"}
    assert all(r.low < r.mode < r.high for r in pace)


def test_sensitivity_names_its_method_and_finds_the_only_varying_parameter():
    sc = sim.load_preset("demo")
    s = sensitivity(sc, 2025, n=256)
    assert "Sobol" in s.method and "SALib" in s.method
    assert (np.diff(s.tornado["swing"]) <= 1e-12).all()
    assert (np.diff(s.ranking["ST"]) <= 1e-12).all()
    # a constructed case: only one assumption uncertain -> it explains all the variance
    import sim.uncertainty.importance as U  # the module sensitivity reads its ranges from

    orig, orig_pace = U.ranges, U.pace_ranges
    try:
        U.ranges = lambda sc_, width=1.0, widths=None: tuple(
            r if r.name == "rate.tech_smes" else r.scaled(0.0) for r in orig(sc_, width, widths))
        U.pace_ranges = lambda sc_: []
        one = U.sensitivity(sc, 2025, n=256)
    finally:
        U.ranges, U.pace_ranges = orig, orig_pace
    assert list(one.ranking["parameter"]) == ["rate.tech_smes"]
    assert one.ranking["ST"].iloc[0] == pytest.approx(1.0, abs=0.05)
    m = sensitivity(sc, 2025, n=20, method="morris")
    assert "Morris" in m.method and m.ranking["mu_star"].iloc[0] > 0


def test_robust_optimum_is_no_worse_on_its_own_criterion():
    sc = sim.load_preset("demo")
    res = optimize(sc, 2000, 2025, options=Options(robust=Robust("p10", draws=32, seed=4)))
    cmp = res.robust.set_index("allocation")
    # the criterion: the 10th percentile over the draws of the three rounds' mean score
    assert cmp.loc["robust", "criterion"] >= cmp.loc["nominal", "criterion"] - 1e-9
    assert cmp.loc["nominal", "score_default_parameters"] >= cmp.loc["robust", "score_default_parameters"] - 1e-9
    np.testing.assert_allclose(res.allocation.sum(axis=0), sc.whole_path(2000)[:5])
    assert res.fun == pytest.approx(cmp.loc["robust", "criterion"])


def test_uncertainty_command(tmp_path, capsys):
    from sim.cli import main

    out = tmp_path / "u.xlsx"
    assert main(["uncertainty", "--preset", "demo", "--n", "500", "--year", "2025", "--out", str(out)]) == 0
    sheets = pd.read_excel(out, sheet_name=None)
    assert {"score", "indicators", "targets", "tornado", "ranking", "about"} <= set(sheets)
    assert main(["uncertainty", "--preset", "demo", "--n", "0", "--out", str(tmp_path / "v.xlsx")]) == 2
    assert not (tmp_path / "v.xlsx").exists()
    capsys.readouterr()


@pytest.mark.parametrize("preset", PRESETS)
def test_sensitivity_runs_on_every_preset(preset):
    sc = sim.load_preset(preset)
    year = max(tg.year for tg in sc.targets if tg.year <= sc.horizon) if sc.targets else sc.horizon
    s = sensitivity(sc, year, n=32)
    assert len(s.tornado) == len(s.ranking) > 0
    assert np.isfinite(s.tornado[["at_low", "at_high"]].to_numpy()).all()


@pytest.mark.parametrize("county", [60])  # one where the refined criterion is a little lower (0.354 against 0.365)
def test_the_refining_robust_stage_reaches_the_full_search_s_criterion(county, monkeypatch):
    """The robust stage refines the nominal optimum with probed transfers (sim.plan.search.REFINE);
    on synthetic counties it comes within one draw's worth (1/48) of the full schedule's criterion
    (greedy start, every transfer, steps 1/4 to 1/1024) and never below the nominal plan's."""
    from sim.counties import regions
    from sim.plan import search

    sc = regions.load("hebei-synthetic").scenarios[county]
    budget = float(sc.budget()[0]) + 200.0
    refined = optimize(sc, budget, 2025, options=Options(robust=Robust("prob_a"))).robust.set_index("allocation")
    monkeypatch.setattr(search, "REFINE", search.Steps())
    full = optimize(sc, budget, 2025, options=Options(robust=Robust("prob_a"))).robust.set_index("allocation")
    assert refined.loc["robust", "criterion"] >= refined.loc["nominal", "criterion"] - 1e-9
    assert refined.loc["robust", "criterion"] >= full.loc["robust", "criterion"] - 1 / 48 - 1e-9


def _same_params(a, b) -> bool:
    """Two Params hold the same numbers (every mapping of sim.model.params.MAPPINGS and the
    reference spending, every array exactly)."""
    from collections.abc import Mapping

    from sim.model.params import MAPPINGS

    def same(x, y) -> bool:
        if isinstance(x, Mapping) or isinstance(y, Mapping):
            return isinstance(x, Mapping) and isinstance(y, Mapping) and x.keys() == y.keys() and all(same(x[k], y[k]) for k in x)
        x, y = np.asarray(x), np.asarray(y)
        if x.dtype.kind in "fc":
            return np.array_equal(x, y, equal_nan=True)
        return x.shape == y.shape and bool(np.all(x == y))
    return all(same(getattr(a, f), getattr(b, f)) for f in (*MAPPINGS, "reference"))


@pytest.mark.parametrize("preset", PRESETS)
def test_the_draws_do_not_depend_on_the_spending_and_a_kept_draw_serves_every_spending(preset):
    """The band's draws of one set of assumptions are the same whatever the spending (the page keeps
    them: ui.common.band_draws), and monte_carlo given them gives its own numbers exactly, spending
    after spending (the kept draws are not changed by a run)."""
    from sim.uncertainty import draw

    sc = sim.load_preset(preset)
    moved = sc.with_spend(sc.programs[0], 0.0).with_spend(sc.programs[-1], 5000.0)
    kept = draw(sc, 60, 0)
    assert _same_params(kept, draw(moved, 60, 0))
    for s in (moved, sc, moved):
        got = monte_carlo(s, 60, 0, indicators=False, central=False, params=kept)
        want = monte_carlo(s, 60, 0, indicators=False, central=False)
        pd.testing.assert_frame_equal(got.score, want.score)
        pd.testing.assert_frame_equal(got.tiers, want.tiers)
        pd.testing.assert_frame_equal(got.targets, want.targets)
    assert _same_params(kept, draw(sc, 60, 0))
