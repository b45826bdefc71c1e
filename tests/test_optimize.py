"""The budget optimizer: feasible, never worse than simple splits or random search, close to
differential evolution, reproducible by the simulator, and clear about bad problems."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import sim
from sim.optimize import (added_money, budget_frontier, make_problem, min_budget, optimize, relaxed_bounds,
                          random_allocations, response_curves, score_allocations)

RUBRIC_PRESETS = [p["id"] for p in sim.list_presets() if p["rubric"]]
CASES = [(pid, b) for pid in RUBRIC_PRESETS for b in (500, 1500, 4000)]


@pytest.fixture(scope="module")
def results():
    out = {}
    for pid, b in CASES:
        sc = sim.load_preset(pid)
        out[(pid, b)] = (sc, optimize(sc, b, 2025))
    return out


@pytest.mark.parametrize("pid,budget", CASES)
def test_optimum_is_feasible_and_reproduced_by_the_simulator(results, pid, budget):
    sc, res = results[(pid, budget)]
    x = res.allocation.to_numpy()
    # a tier target of 2025 means the assessment held in 2025, on the statistics of 2024
    assert res.data_year == 2024 and res.target_year == 2025
    assert res.success and list(res.allocation.columns) == list(range(sc.base_year + 1, 2025))
    # one number is the first year's budget, growing with the public budget like the status quo
    np.testing.assert_allclose(x.sum(axis=0), sc.path(budget)[: x.shape[1]], rtol=1e-9)
    assert x.sum(axis=0)[-1] > budget
    assert (x >= -1e-9).all()
    sim_total = sim.simulate(res.scenario).scores.loc[res.data_year, "total"]
    assert sim_total == pytest.approx(res.fun, abs=1e-9)
    one = score_allocations(sc, x[None], res.data_year)[0]
    assert one == pytest.approx(res.fun, abs=1e-12)


@pytest.mark.parametrize("pid,budget", CASES)
def test_optimum_beats_current_even_and_1000_random_splits(results, pid, budget):
    sc, res = results[(pid, budget)]
    problem = make_problem(sc, budget, 2025)
    rnd = score_allocations(sc, random_allocations(problem, 1000, seed=11), problem.data_year)
    assert res.fun >= res.fun_current - 1e-9
    assert res.fun >= res.fun_even - 1e-9
    assert res.fun >= rnd.max() - 1e-9
    assert res.gain == pytest.approx(res.fun - res.fun_current)


# The global method's optima are computed once (bench/reference_optima.py, about 3 minutes) and
# stored with the model's fingerprint: 16 random allocations per case and their scores.
REFERENCE = json.loads((Path(__file__).parent / "reference" / "optima.json").read_text(encoding="utf-8"))
REFRESH = "the model changed since tests/reference/optima.json was made: run bench/reference_optima.py"


def _case(pid, budget) -> dict:
    return next(c for c in REFERENCE["cases"] if (c["preset"], c["budget"]) == (pid, budget))


def test_reference_optima_cover_every_case_and_come_from_this_model():
    assert sorted((c["preset"], c["budget"]) for c in REFERENCE["cases"]) == sorted(CASES)
    from bench.reference_optima import model_version

    scores = []
    for c in REFERENCE["cases"]:
        sc = sim.load_preset(c["preset"])
        assert list(sc.programs) == c["programs"], REFRESH
        now = score_allocations(sc, np.array(c["fingerprint_x"]), c["data_year"])
        np.testing.assert_allclose(now, c["fingerprint_scores"], atol=1e-9, err_msg=REFRESH)
        de = score_allocations(sc, np.array(c["de_x"])[None], c["data_year"])[0]
        assert de == pytest.approx(c["de_fun"], abs=1e-9), REFRESH
        scores.append(now.tolist())
    assert model_version(scores) == REFERENCE["model_version"], REFRESH


@pytest.mark.parametrize("pid,budget", CASES)
def test_within_005_points_of_differential_evolution(results, pid, budget):
    """The optimizer reaches the stored differential-evolution optimum within 0.05 points."""
    sc, res = results[(pid, budget)]
    ref = _case(pid, budget)
    assert res.data_year == ref["data_year"]
    assert res.fun >= ref["de_fun"] - 0.05, (res.fun, ref["de_fun"])


def test_bounds_are_honoured_and_reported_binding():
    sc = sim.load_preset("demo")
    res = optimize(sc, 2000, 2025, bounds={"incubators": (150, None), "rd_post_subsidy": (None, 300)})
    a = res.allocation
    assert (a.loc["incubators"] >= 150 - 1e-9).all() and (a.loc["rd_post_subsidy"] <= 300 + 1e-9).all()
    np.testing.assert_allclose(a.sum(axis=0), sc.path(2000)[: a.shape[1]])
    assert any(b.startswith("incubators >= min") for b in res.binding)


def test_when_the_optimum_cannot_move_the_message_says_why():
    sc = sim.load_preset("demo").with_status_quo_mode("flat")  # constant yearly amounts
    fixed = {p: (v, v) for p, v in sc.status_quo.items()}
    res = optimize(sc, sum(sc.status_quo.values()), 2025, bounds=fixed)
    assert res.gain == pytest.approx(0, abs=1e-12)
    assert "already optimal" in res.message


def test_shadow_prices_are_the_gain_of_100_wan_more():
    sc = sim.load_preset("demo")
    res = optimize(sc, 1500, 2025)
    x = res.allocation.to_numpy()
    i = sc.programs.index("tech_sme_vouchers")
    more = x.copy()
    more[i] += 100
    want = score_allocations(sc, more[None], res.data_year)[0] - res.fun
    assert res.shadow_prices["tech_sme_vouchers"] == pytest.approx(want)
    assert (res.shadow_prices >= -1e-12).all()


def test_city_preset_optimizes_plan_attainment():
    sc = sim.load_preset("handan")
    res = optimize(sc, 30000, 2023)
    assert res.objective == "attainment"
    assert res.fun >= res.fun_current - 1e-9 and res.fun >= res.fun_even - 1e-9
    assert 0 <= res.fun <= 100
    met = optimize(sc, 30000, 2023, objective="targets_met")
    assert met.fun == int(met.fun) and met.fun >= met.fun_current


def test_frontier_is_non_decreasing():
    sc = sim.load_preset("demo")
    fr = budget_frontier(sc, [0, 250, 500, 1000, 2000, 4000], 2025)
    assert (np.diff(fr["best"]) >= -1e-9).all()
    assert set(fr["tier"]) <= {"A", "B", "C"}


def test_min_budget_reaches_and_99_percent_does_not():
    sc = sim.load_preset("demo")
    mb = min_budget(sc, score=80, target_year=2025)
    assert mb.reachable
    assert optimize(sc, mb.budget, 2025).fun >= 80 - 1e-9
    assert optimize(sc, 0.99 * mb.budget, 2025).fun < 80


def test_unreachable_score_says_so_with_the_best_reachable():
    sc = sim.load_preset("demo")
    mb = min_budget(sc, score=99.5, target_year=2023, max_budget=20000)
    assert not mb.reachable and mb.score < 99.5 and "not reachable" in mb.message


@pytest.mark.parametrize("kwargs,code", [
    (dict(budget=-5, target_year=2025), "negative_total_budget"),
    (dict(budget=1000, target_year=2040), "target_year_outside"),
    (dict(budget=1000, target_year=2021), "target_year_outside"),
    (dict(budget=1000, target_year=2025, bounds={"talent": (600, None), "incubators": (600, None)}),
     "minimums_above_budget"),
    (dict(budget=1000, target_year=2025, bounds={p: (None, 100) for p in sim.load_preset("demo").programs}),
     "maximums_below_budget"),
    (dict(budget=1000, target_year=2025, bounds={"magic": (0, 1)}), "unknown_key"),
    (dict(budget=[1000, 900, 1000], target_year=2025, no_cut=True), "budget_cut"),
    (dict(budget=1000, target_year=2022), "target_year_outside"),  # assessed in 2022 on 2021 statistics
    (dict(budget=[1000, 900], target_year=2025), "budget_years"),
    (dict(budget=1000, target_year=2025, objective="fun"), "unknown_objective"),
])
def test_bad_problems_raise_clear_errors(kwargs, code):
    sc = sim.load_preset("demo")
    with pytest.raises(sim.InputError) as e:
        optimize(sc, **kwargs)
    assert e.value.code == code
    assert e.value.message("zh") and e.value.message("en")


def test_score_objective_needs_a_rubric():
    with pytest.raises(sim.InputError) as e:
        optimize(sim.load_preset("handan"), 1000, 2023, objective="score")
    assert e.value.code == "no_rubric"


def test_optimize_and_frontier_commands(tmp_path, capsys):
    from sim.cli import main
    import pandas as pd

    out = tmp_path / "o.csv"
    assert main(["optimize", "--preset", "demo", "--budget", "2000", "--year", "2025",
                 "--min", "incubators=100", "--out", str(out)]) == 0
    table = pd.read_csv(out, encoding="utf-8-sig").set_index("program")
    want = optimize(sim.load_preset("demo"), 2000, 2025, bounds={"incubators": (100, None)})
    np.testing.assert_allclose(table[["2022", "2023", "2024"]].to_numpy(), want.allocation.to_numpy())
    fr = tmp_path / "f.csv"
    assert main(["frontier", "--preset", "demo", "--year", "2025", "--budgets", "0:3000:4", "--out", str(fr)]) == 0
    assert len(pd.read_csv(fr, encoding="utf-8-sig")) == 4
    capsys.readouterr()


@pytest.mark.parametrize("argv,words", [
    (["--budget", "500", "--min", "incubators=600"], "600"),
    (["--budget", "-1"], "-1"),
    (["--budget", "500", "--year", "2035"], "2035"),
    (["--budget", "500", "--max", "talent=abc"], "abc"),
    (["--budget", "500", "--min", "talent=50", "--max", "talent=10"], "talent"),
])
def test_optimize_command_bad_input(tmp_path, capsys, argv, words):
    from sim.cli import main

    out = tmp_path / "o.csv"
    args = ["optimize", "--preset", "demo", "--year", "2025", "--out", str(out), *argv]
    code = main(args)
    err = capsys.readouterr().err
    assert code == 2 and words in err and not out.exists() and "Traceback" not in err


def test_marginal_values_are_the_gain_of_100_wan_more_over_the_scenario():
    from sim.optimize import marginal_values

    sc = sim.load_preset("demo")
    gains = marginal_values(sc, 2025)  # the 2025 assessment: 2024 statistics
    x = sc.spend_matrix()[:, :3]
    more = x.copy()
    more[sc.programs.index("talent")] += 100
    want = score_allocations(sc, np.array([more, x]), 2024)
    assert gains["talent"] == pytest.approx(want[0] - want[1])
    assert list(gains.index) == list(sc.programs)


# ---------------------------------------------------------------------- planner tools
def test_per_year_bounds_are_honoured():
    sc = sim.load_preset("demo")
    res = optimize(sc, 2000, 2025, bounds={"incubators": ([100, 150, 200], None), "talent": (None, [50, 60, 70])})
    a = res.allocation
    assert (a.loc["incubators"].to_numpy() >= np.array([100, 150, 200]) - 1e-9).all()
    assert (a.loc["talent"].to_numpy() <= np.array([50, 60, 70]) + 1e-9).all()
    with pytest.raises(sim.InputError) as e:
        optimize(sc, 2000, 2025, bounds={"talent": ([1, 2], None)})  # three decision years
    assert e.value.code == "bad_bounds"


def test_added_money_keeps_today_s_split_and_places_only_the_extra():
    sc = sim.load_preset("demo")
    am = added_money(sc, 500, 2025)
    res, cur = am.result, am.current.to_numpy()
    x = res.allocation.to_numpy()
    assert (x >= cur - 1e-9).all()  # nobody loses money
    np.testing.assert_allclose(x.sum(axis=0), cur.sum(axis=0) + 500, rtol=1e-9)
    np.testing.assert_allclose(am.added.to_numpy().sum(axis=0), 500, rtol=1e-9)
    assert am.fun_before < res.fun_current <= res.fun + 1e-9  # more money helps; placed well, more
    assert am.fun_before == pytest.approx(score_allocations(sc, cur[None], res.data_year)[0])
    assert sim.simulate(res.scenario).scores.loc[res.data_year, "total"] == pytest.approx(res.fun, abs=1e-9)
    with pytest.raises(sim.InputError) as e:
        added_money(sc, 500, 2025, bounds={"talent": (None, 1.0)})
    assert e.value.code == "max_below_current"
    zero = added_money(sc, 0, 2025)
    np.testing.assert_allclose(zero.result.allocation.to_numpy(), cur, atol=1e-6)


def test_relaxed_bounds_never_lose_and_say_when_nothing_was_bounded():
    sc = sim.load_preset("demo")
    b = {"tech_sme_vouchers": (None, 150), "rd_post_subsidy": (300, None)}
    r = relaxed_bounds(sc, 1500, 2025, b, factor=3)
    assert r.bounded and r.gain >= -1e-9 and r.relaxed.fun >= r.strict.fun - 1e-9
    x = r.relaxed.allocation
    assert (x.loc["tech_sme_vouchers"] <= 450 + 1e-9).all() and (x.loc["rd_post_subsidy"] >= 100 - 1e-9).all()
    assert r.gain > 0.01  # the voucher cap binds at 150, so tripling it is worth something here
    free = relaxed_bounds(sc, 1500, 2025, None)
    assert not free.bounded and free.gain == pytest.approx(0, abs=1e-9)
    with pytest.raises(sim.InputError):
        relaxed_bounds(sc, 1500, 2025, b, factor=0.5)


def test_response_curves_pass_through_the_optimum_and_mark_the_bounds():
    sc = sim.load_preset("demo")
    b = {"incubators": (100, 300)}
    res = optimize(sc, 1500, 2025, bounds=b)
    rc = response_curves(sc, res, b)
    assert set(rc["program"]) == set(sc.programs)
    opt = rc[rc["mark"] == "optimal"]
    np.testing.assert_allclose(opt["value"], res.fun, atol=1e-9)  # every curve crosses the optimum
    np.testing.assert_allclose(opt.set_index("program")["spend"], res.allocation.mean(axis=1), rtol=1e-9)
    cur = rc[rc["mark"] == "current"].set_index("program")["spend"]
    n = res.allocation.shape[1]
    np.testing.assert_allclose(cur, sc.spend_matrix()[:, :n].mean(axis=1), rtol=1e-9)
    inc = rc[(rc["program"] == "incubators") & (rc["mark"] == "")]
    assert not inc.loc[inc["spend"] < 100 - 1e-6, "inside"].any()
    assert inc.loc[(inc["spend"] >= 100) & (inc["spend"] <= 300), "inside"].all()
    assert not inc.loc[inc["spend"] > 300 + 1e-6, "inside"].any()
    for _, curve in rc[rc["mark"] == ""].groupby("program"):
        assert curve["spend"].min() == 0 and curve["spend"].is_monotonic_increasing
