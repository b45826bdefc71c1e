"""The budget planner (sim.plan): plans a bureau can fund (no budget below the status quo, one split
held across the years or a smooth path, the rounds after the target counted), reproduced by the
simulator in whole 万元, never worse than simple splits or random search, close to differential
evolution, and clear about bad problems."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import sim
from sim.plan import (FREE, BudgetSearch, Options, Rules, added_money, budget_frontier, make_problem, min_budget,
                      money_buys, optimize, relaxed_bounds, response_curves, score_allocations)
from sim.plan.search import Steady, random_allocations, smooth_excess

RUBRIC_PRESETS = [p["id"] for p in sim.list_presets() if p["rubric"]]
ALL_PRESETS = [p["id"] for p in sim.list_presets()]
CASES = [(pid, b) for pid in RUBRIC_PRESETS for b in (500, 1500, 4000)]
NEXT_ROUND_TOLERANCE = 0.5  # points the default plan may give up in the round after the target (stated in the README)


@pytest.fixture(scope="module")
def results():
    out = {}
    for pid, b in CASES:
        sc = sim.load_preset(pid)
        out[(pid, b)] = (sc, optimize(sc, b, 2025))
    return out


def _target_year(sc) -> int:
    """A target round with two rounds after it inside the projection (the last tier target
    that allows it, else the horizon's third-last)."""
    if not sc.rubric_id:
        return sc.horizon - 2
    last = sc.assessed_year(sc.horizon - 2)
    tiers = [tg.year for tg in sc.targets if tg.kind == "tier" and tg.year <= last]
    return max(tiers or [last])


@pytest.fixture(scope="module")
def multiples():
    """The default plan of every preset at 0.5, 1, 2 and 4 times the status quo's budget."""
    out = {}
    for pid in ALL_PRESETS:
        sc = sim.load_preset(pid)
        sq = float(sc.status_quo_matrix()[:, 0].sum())
        for m in (0.5, 1, 2, 4):
            out[(pid, m)] = (sc, optimize(sc, m * sq, _target_year(sc)))
    return out


@pytest.mark.parametrize("pid", ALL_PRESETS)
@pytest.mark.parametrize("m", [0.5, 1, 2, 4])
def test_the_default_plan_is_one_a_bureau_can_fund(multiples, pid, m):
    sc, res = multiples[(pid, m)]
    x = res.x
    floor = sc.status_quo_matrix()[:, : x.shape[1]].sum(axis=0)
    assert (x.sum(axis=0) >= floor - 1e-9).all()  # 只增不减: never below the status quo's total
    assert res.raised == (m < 1)  # a budget below it is raised, and the result says so
    if m < 1:
        assert "status quo" in res.explain("en") and "只增不减" in res.explain("zh")
    assert np.array_equal(x, np.round(x)) and (x >= 0).all()  # whole 万元
    shares = x / x.sum(axis=0)
    # one split held across the years: shares move by no more than the whole-万元 rounding
    assert np.abs(shares - shares[:, :1]).max() <= 2.0 / x.sum(axis=0).min() + 1e-12
    if not res.by_round.empty:  # nothing given up just after the target round
        plan, current = res.by_round.loc["plan"], res.by_round.loc["current"]
        assert (plan >= current - NEXT_ROUND_TOLERANCE).all(), res.by_round
        assert len(plan) == 3


@pytest.mark.parametrize("pid", ["demo", "changan", "hebi"])
def test_a_smooth_plan_moves_each_share_at_most_30_percent_a_year_from_today(pid):
    sc = sim.load_preset(pid)
    sq = float(sc.status_quo_matrix()[:, 0].sum())
    rules = Rules(split="smooth")
    for m in (1, 3):
        res = optimize(sc, m * sq, _target_year(sc), options=Options(rules=rules))
        problem = make_problem(sc, m * sq, _target_year(sc), rules=rules)
        # within the whole-万元 rounding of each program in each year
        assert smooth_excess(problem, res.x) <= res.x.shape[0] * res.x.shape[1] / problem.budget.min() + 1e-9
        assert res.fun >= res.fun_current - 1e-9


def test_free_phasing_stays_available_and_says_what_it_gives_up():
    sc = sim.load_preset("demo")
    free = optimize(sc, 3000, 2025, options=Options(rules=FREE))
    default = optimize(sc, 3000, 2025)
    assert list(free.allocation.columns) == [2022, 2023, 2024]  # one round: decisions up to its statistics
    assert free.fun_at_target >= default.fun_at_target - 1e-9  # the free plan buys the target round ...
    note = dict(free.notes)["opt_free_tradeoff"]
    assert float(note["loss"]) < 0  # ... and pays for it in the next round
    assert "2026" in free.explain("en") and "2026" in free.explain("zh")


@pytest.mark.parametrize("pid,budget", CASES)
def test_the_plan_is_reproduced_by_the_simulator(results, pid, budget):
    sc, res = results[(pid, budget)]
    x = res.allocation.to_numpy()
    # a tier target of 2025 means the assessment held in 2025, on the statistics of 2024; the
    # rounds scored are 2025, 2026 and 2027 (statistics 2024-2026)
    assert res.data_year == 2024 and res.target_year == 2025
    scored = [y for y in (2024, 2025, 2026) if y <= sc.horizon]
    assert res.success and list(res.allocation.columns) == list(range(sc.base_year + 1, scored[-1] + 1))
    floor = sc.status_quo_matrix()[:, : x.shape[1]].sum(axis=0)
    np.testing.assert_array_equal(x.sum(axis=0), np.maximum(sc.whole_path(budget)[: x.shape[1]], floor))
    scores = sim.simulate(res.scenario).scores["total"]
    assert scores.loc[scored].mean() == pytest.approx(res.fun, abs=1e-9)
    assert scores.loc[2024] == pytest.approx(res.fun_at_target, abs=1e-9)
    one = score_allocations(sc, x[None], res.data_year, rounds=3)[0]
    assert one == pytest.approx(res.fun, abs=1e-12)
    # the years after the plan keep its split, growing like the status quo, in whole 万元
    later = res.scenario.spend_matrix()[:, x.shape[1]:]
    assert np.array_equal(later, np.round(later))


@pytest.mark.parametrize("pid,budget", CASES)
def test_the_plan_beats_current_even_and_1000_random_steady_splits(results, pid, budget):
    sc, res = results[(pid, budget)]
    problem = make_problem(sc, budget, 2025)
    st = Steady.of(problem)
    rnd = score_allocations(sc, st.expand(random_allocations(st.reduced, 1000, seed=11)), problem.data_year, rounds=3)
    assert res.fun >= res.fun_current - 1e-9
    assert res.fun >= res.fun_even - 1e-9
    assert res.fun >= rnd.max() - 0.01  # 0.01: the whole-万元 rounding of the plan
    assert res.gain == pytest.approx(res.fun - res.fun_current)


# The global method's optima are computed once (bench/reference_optima.py, about 15 minutes) and
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
        for name, rules in (("steady", Rules()), ("free", FREE)):
            ref = c[name]
            de = score_allocations(sc, np.array(ref["de_x"])[None], ref["data_year"], rounds=len(ref["scored"]))[0]
            assert de == pytest.approx(ref["de_fun"], abs=1e-9), REFRESH
        scores.append(now.tolist())
    assert model_version(scores) == REFERENCE["model_version"], REFRESH


@pytest.mark.parametrize("pid,budget", CASES)
def test_within_005_points_of_differential_evolution(results, pid, budget):
    """The default plan and the free one reach the stored differential-evolution optima within
    0.05 points (the plan in whole 万元)."""
    sc, res = results[(pid, budget)]
    ref = _case(pid, budget)
    assert res.data_year == ref["steady"]["data_year"]
    assert res.fun >= ref["steady"]["de_fun"] - 0.05, (res.fun, ref["steady"]["de_fun"])
    free = optimize(sc, budget, 2025, options=Options(rules=FREE))
    assert free.fun >= ref["free"]["de_fun"] - 0.05, (free.fun, ref["free"]["de_fun"])


def test_bounds_are_honoured_and_reported_binding():
    sc = sim.load_preset("demo")
    res = optimize(sc, 2000, 2025, bounds={"incubators": (150, None), "rd_post_subsidy": (None, 300)})
    a = res.allocation
    assert (a.loc["incubators"] >= 150 - 1e-9).all() and (a.loc["rd_post_subsidy"] <= 300 + 1e-9).all()
    np.testing.assert_array_equal(a.sum(axis=0), sc.whole_path(2000)[: a.shape[1]])
    assert any(b.startswith("rd_post_subsidy <= max") or b.startswith("incubators >= min") for b in res.binding)


def test_when_the_plan_cannot_move_the_message_says_why():
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
    want = score_allocations(sc, more[None], res.data_year, rounds=3)[0] - res.fun
    assert res.shadow_prices["tech_sme_vouchers"] == pytest.approx(want)


def test_city_preset_optimizes_plan_attainment():
    sc = sim.load_preset("handan")
    res = optimize(sc, 30000, 2023)
    assert res.objective == "attainment" and res.by_round.empty
    assert res.fun >= res.fun_current - 1e-9 and res.fun >= res.fun_even - 1e-9
    assert 0 <= res.fun <= 100
    met = optimize(sc, 30000, 2023, objective="targets_met")
    assert met.fun == int(met.fun) and met.fun >= met.fun_current


def test_frontier_is_non_decreasing_and_starts_at_the_status_quo():
    sc = sim.load_preset("demo")
    fr = budget_frontier(sc, [0, 500, 1000, 2000, 4000], 2025)
    assert (np.diff(fr["best"]) >= -1e-9).all()
    assert set(fr["tier"]) <= {"A", "B", "C"}
    sq = sc.status_quo_matrix()[:, 0].sum()
    assert fr["budget"].min() == sq  # below the status quo: raised to it unless cuts are analysed
    cuts = budget_frontier(sc, [0, 500], 2025, options=Options(rules=Rules(cuts=True)))
    assert list(cuts["budget"]) == [0, 500]


@pytest.fixture
def tried(monkeypatch) -> list[float]:
    """The budgets min_budget optimizes at, in order."""
    import sim.plan.budget as budget

    out: list[float] = []
    monkeypatch.setattr(budget, "optimize", lambda sc, b, *a, **k: out.append(b) or optimize(sc, b, *a, **k))
    return out


def test_min_budget_reaches_in_the_target_round_and_a_little_less_does_not(tried):
    """... in 6 optimizations (the status quo, two doublings and three of the secant search;
    bisection took 11)."""
    sc = sim.load_preset("demo")
    mb = min_budget(sc, score=80, target_year=2025)
    assert len(tried) <= 6, tried
    assert mb.reachable and not mb.at_status_quo and mb.budget > sc.status_quo_matrix()[:, 0].sum()
    assert optimize(sc, mb.budget, 2025).fun_at_target >= 80 - 1e-9
    assert optimize(sc, 0.99 * mb.budget, 2025).fun_at_target < 80


def test_min_budget_never_answers_with_a_cut():
    sc = sim.load_preset("changan")  # its status quo already reaches 80 in 2025
    mb = min_budget(sc, score=70, target_year=2025)
    sq = sc.status_quo_matrix()[:, 0].sum()
    assert mb.at_status_quo and mb.budget == sq and "no increase" in mb.explain("en") and "无需增加" in mb.explain("zh")
    cut = min_budget(sc, score=70, target_year=2025, how=BudgetSearch(rules=Rules(cuts=True)))
    assert cut.budget < sq


def test_unreachable_score_says_so_with_the_best_reachable(tried):
    """... after four optimizations: the status quo, two doublings, then the cap itself."""
    sc = sim.load_preset("demo")
    mb = min_budget(sc, score=99.5, target_year=2023, how=BudgetSearch(max_budget=20000))
    assert not mb.reachable and mb.score < 99.5 and "not reachable" in mb.message
    assert mb.budget == 20000 and tried == [1007, 2014, 4028, 20000]


@pytest.mark.parametrize("shape", ["linear", "concave", "steps", "flat_then_jump"])
def test_the_budget_search_finds_the_smallest_budget_within_its_tolerance(shape):
    """The bracket and the secant search over a margin of any shape, rising with the budget (the
    optimizer's own is bent and noisy, a confidence's steps): the answer reaches, a budget one
    tolerance below it was tried and fell short, and no search takes more than three times
    bisection's tries (every three tries at least halve the bracket)."""
    from sim.plan.budget import _bracket, _narrow

    root = 3187.0
    f = {"linear": lambda b: (b - root) / 1000, "concave": lambda b: np.log(b / root),
         "steps": lambda b: np.floor((b - root) / 150) + 1 if b >= root else np.floor((b - root) / 150),
         "flat_then_jump": lambda b: 1.0 if b >= root else -1e-3}[shape]
    tried, margins = [], {}

    def reaches(b):
        tried.append(b)
        margins[b] = float(f(b))
        return margins[b] >= 0, b

    lo, hi, (ok, hi_r) = _bracket(reaches, 1000.0, 1e5)
    assert ok and (lo, hi) == (2000.0, 4000.0)
    found, r = _narrow(reaches, margins.get, lo, hi, hi_r, 0.005)
    assert found == r and f(found) >= 0 and found >= root
    assert max(b for b in tried if b < found) >= found - max(0.005 * found, 1.0)
    bisection = int(np.ceil(np.log2((hi - lo) / (0.005 * root))))
    assert len(tried) - 2 <= 3 * bisection, tried


@pytest.mark.parametrize("kwargs,code", [
    (dict(budget=-5, target_year=2025), "negative_total_budget"),
    (dict(budget=1000, target_year=2040), "target_year_outside"),
    (dict(budget=1000, target_year=2021), "target_year_outside"),
    (dict(budget=1200, target_year=2025, bounds={"talent": (700, None), "incubators": (700, None)}),
     "minimums_above_budget"),
    (dict(budget=1200, target_year=2025, bounds={p: (None, 100) for p in sim.load_preset("demo").programs}),
     "maximums_below_budget"),
    (dict(budget=1200, target_year=2025, bounds={"magic": (0, 1)}), "unknown_key"),
    (dict(budget=1200, target_year=2022), "target_year_outside"),  # assessed in 2022 on 2021 statistics
    (dict(budget=[1200, 1300, 1400, 1500, 1600, 1700], target_year=2025), "budget_years"),
    (dict(budget=1200, target_year=2025, objective="fun"), "unknown_objective"),
])
def test_bad_problems_raise_clear_errors(kwargs, code):
    sc = sim.load_preset("demo")
    with pytest.raises(sim.InputError) as e:
        optimize(sc, **kwargs)
    assert e.value.code == code
    assert e.value.message("zh") and e.value.message("en")


@pytest.mark.parametrize("rules", [dict(split="wild"), dict(smooth=1.5), dict(rounds=0)])
def test_bad_rules_raise_clear_errors(rules):
    with pytest.raises(sim.InputError) as e:
        Rules(**rules)
    assert e.value.code == "bad_setting"


def test_score_objective_needs_a_rubric():
    with pytest.raises(sim.InputError) as e:
        optimize(sim.load_preset("handan"), 1000, 2023, objective="score")
    assert e.value.code == "no_rubric"


def test_optimize_and_frontier_commands(tmp_path, capsys):
    from sim.cli import main

    out = tmp_path / "o.csv"
    assert main(["optimize", "--preset", "demo", "--budget", "2000", "--year", "2025",
                 "--min", "incubators=100", "--out", str(out)]) == 0
    table = pd.read_csv(out, encoding="utf-8-sig").set_index("program")
    want = optimize(sim.load_preset("demo"), 2000, 2025, bounds={"incubators": (100, None)})
    np.testing.assert_array_equal(table[[str(y) for y in range(2022, 2027)]].to_numpy(), want.allocation.to_numpy())
    free = tmp_path / "free.csv"
    assert main(["optimize", "--preset", "demo", "--budget", "2000", "--year", "2025", "--split", "free",
                 "--out", str(free)]) == 0
    assert list(pd.read_csv(free, encoding="utf-8-sig").columns[2:5]) == ["2022", "2023", "2024"]
    fr = tmp_path / "f.csv"
    assert main(["frontier", "--preset", "demo", "--year", "2025", "--budgets", "1000:3000:3", "--out", str(fr)]) == 0
    assert len(pd.read_csv(fr, encoding="utf-8-sig")) == 3
    capsys.readouterr()


@pytest.mark.parametrize("argv,words", [
    (["--budget", "1200", "--min", "incubators=1300"], "1300"),
    (["--budget", "-1"], "-1"),
    (["--budget", "500", "--year", "2035"], "2035"),
    (["--budget", "500", "--max", "talent=abc"], "abc"),
    (["--budget", "500", "--min", "talent=50", "--max", "talent=10"], "talent"),
    (["--budget", "500", "--smooth", "2"], "smooth"),
])
def test_optimize_command_bad_input(tmp_path, capsys, argv, words):
    from sim.cli import main

    out = tmp_path / "o.csv"
    args = ["optimize", "--preset", "demo", "--year", "2025", "--out", str(out), *argv]
    code = main(args)
    err = capsys.readouterr().err
    assert code == 2 and words in err and not out.exists() and "Traceback" not in err


def test_marginal_values_are_the_gain_of_100_wan_more_over_the_scenario():
    from sim.plan import marginal_values

    sc = sim.load_preset("demo")
    gains = marginal_values(sc, 2025)  # the 2025 assessment: 2024 statistics
    x = sc.spend_matrix()[:, :3]
    more = x.copy()
    more[sc.programs.index("talent")] += 100
    want = score_allocations(sc, np.array([more, x]), 2024)
    assert gains["talent"] == pytest.approx(want[0] - want[1])
    assert list(gains.index) == list(sc.programs)


def test_what_money_buys_splits_the_spending_itself_from_what_the_program_causes():
    sc = sim.load_preset("demo")
    gains, units = money_buys(sc, 2025)
    g = gains.set_index("program")
    total = sim.plan.marginal_values(sc, 2025)
    np.testing.assert_allclose(g["total_P50"], total.loc[g.index], atol=1e-9)
    np.testing.assert_allclose(g["booked_P50"] + g["caused_P50"], g["total_P50"], atol=1e-12)
    paid_in_full = g["unspent"] == 0
    assert g.loc[paid_in_full, "booked_P50"].nunique() == 1 and (g["booked_P50"] > 0).all()  # the same for all
    # platform awards are paid after recognition: 100万 more than three times today's award is unspent
    assert g.loc["platform_awards", "unspent"] > 0 and g.loc["platform_awards", "booked_P50"] < g["booked_P50"].max()
    assert set(units["program"]) <= set(sc.programs) and (units.loc[units["program"] == "tech_sme_vouchers", "P50"] > 0).all()


# ---------------------------------------------------------------------- planner tools
def test_per_year_bounds_are_honoured():
    sc = sim.load_preset("demo")
    res = optimize(sc, 2000, 2025, bounds={"incubators": ([100, 150, 200], None), "talent": (None, [50, 60, 70])})
    a = res.allocation
    assert (a.loc["incubators"].to_numpy()[:3] >= np.array([100, 150, 200]) - 1e-9).all()
    assert (a.loc["talent"].to_numpy()[:3] <= np.array([50, 60, 70]) + 1e-9).all()
    with pytest.raises(sim.InputError) as e:
        optimize(sc, 2000, 2025, bounds={"talent": ([1, 2, 3, 4, 5, 6, 7], None)})  # five decision years
    assert e.value.code == "bad_bounds"


def test_added_money_keeps_today_s_split_and_places_only_the_extra():
    sc = sim.load_preset("demo")
    am = added_money(sc, 500, 2025)
    res, cur = am.result, am.current.to_numpy()
    x = res.allocation.to_numpy()
    assert (x >= cur - 1e-9).all()  # nobody loses money
    np.testing.assert_array_equal(x.sum(axis=0), cur.sum(axis=0) + sc.whole_path(500)[: x.shape[1]])
    assert am.fun_before < res.fun + 1e-9
    assert sim.simulate(res.scenario).scores.loc[[2024, 2025, 2026], "total"].mean() == pytest.approx(res.fun, abs=1e-9)
    with pytest.raises(sim.InputError) as e:
        added_money(sc, 500, 2025, bounds={"talent": (None, 1.0)})
    assert e.value.code == "max_below_current"


def test_relaxed_bounds_never_lose_and_say_when_nothing_was_bounded():
    sc = sim.load_preset("demo")
    b = {"tech_sme_vouchers": (None, 150), "rd_post_subsidy": (300, None)}
    strict = optimize(sc, 1500, 2025, b)
    r = relaxed_bounds(strict, b, factor=3)
    assert r.bounded and r.gain >= -1e-9 and r.relaxed.fun >= r.strict.fun - 1e-9
    x = r.relaxed.allocation
    assert (x.loc["tech_sme_vouchers"] <= 450 + 1e-9).all() and (x.loc["rd_post_subsidy"] >= 100 - 1e-9).all()
    assert r.gain > 0.01  # the voucher cap binds at 150, so tripling it is worth something here
    free = relaxed_bounds(optimize(sc, 1500, 2025), None)
    assert not free.bounded and free.gain == pytest.approx(0, abs=1e-9)
    with pytest.raises(sim.InputError):
        relaxed_bounds(strict, b, factor=0.5)


def test_response_curves_pass_through_the_plan_and_mark_the_bounds():
    sc = sim.load_preset("demo")
    b = {"incubators": (100, 300)}
    res = optimize(sc, 1500, 2025, bounds=b)
    rc = response_curves(sc, res, b)
    assert set(rc["program"]) == set(sc.programs)
    opt = rc[rc["mark"] == "optimal"]
    np.testing.assert_allclose(opt["value"], res.fun, atol=1e-9)  # every curve crosses the plan's objective
    np.testing.assert_allclose(opt.set_index("program")["spend"], res.allocation.mean(axis=1), rtol=1e-9)
    inc = rc[(rc["program"] == "incubators") & (rc["mark"] == "")]
    assert not inc.loc[inc["spend"] < 100 - 1e-6, "inside"].any()
    assert inc.loc[(inc["spend"] >= 100) & (inc["spend"] <= 300), "inside"].all()
    assert not inc.loc[inc["spend"] > 300 + 1e-6, "inside"].any()
    for _, curve in rc[rc["mark"] == ""].groupby("program"):
        assert curve["spend"].min() == 0 and curve["spend"].is_monotonic_increasing


@pytest.mark.parametrize("pid", ["demo", "changan"])
def test_project_gives_the_nearest_feasible_split_of_each_year(pid):
    """sim.plan.search.project (the bisection of every year at once): within the bounds, the
    year's budget to 1e-9, and nearest: the programs strictly inside their bounds moved by one
    common shift, those at a bound pushed there by it (the KKT conditions of the projection)."""
    from sim.plan.search import project

    sc = sim.load_preset(pid)
    rng = np.random.default_rng(3)
    for budget in (0.5 * sc.budget()[0], sc.budget()[0], 3 * sc.budget()[0]):
        pr = make_problem(sc, budget, sc.years[-1])
        for _ in range(30):
            x = rng.normal(pr.lo.mean(), 2 * (pr.hi - pr.lo).mean() + 1, pr.lo.shape)
            out = project(x, pr)
            assert (out >= pr.lo - 1e-9).all() and (out <= pr.hi + 1e-9).all()
            np.testing.assert_allclose(out.sum(axis=0), pr.budget, rtol=1e-12, atol=1e-9)
            shift = out - x
            inside = (out > pr.lo + 1e-6) & (out < pr.hi - 1e-6)
            at_lo, at_hi = out <= pr.lo + 1e-6, out >= pr.hi - 1e-6
            for j in range(out.shape[1]):
                if not inside[:, j].any():
                    continue
                tau = np.median(shift[inside[:, j], j])
                np.testing.assert_allclose(shift[inside[:, j], j], tau, atol=1e-6)
                lo, hi = at_lo[:, j], at_hi[:, j]
                assert (x[lo, j] + tau <= pr.lo[lo, j] + 1e-6).all() and (x[hi, j] + tau >= pr.hi[hi, j] - 1e-6).all()


def test_idle_years_are_those_no_program_s_probe_moves():
    """sim.plan.search.idle_years (each year's largest program probed first, the others only where
    needed) names exactly the years in which no program's probe of max(budget, 1000)万 more raises
    the objective, probing every program of every year; cases with and without idle years."""
    from sim.plan.objective import Counter
    from sim.plan.search import TOL, idle_years, project

    rng = np.random.default_rng(5)
    seen = set()
    for pid, objective in (("hebi", "attainment"), ("xiangtan", "targets_met"), ("demo", "score")):
        sc = sim.load_preset(pid)
        for year in sc.years[1:4]:
            pr = make_problem(sc, 1.5 * sc.budget()[0], year, objective=objective)
            f = Counter(pr.scenario, pr.objective, pr.scored)
            x = project(pr.lo + rng.random(pr.lo.shape) * pr.budget, pr)
            P, Y = pr.shape
            fx = f(x[None])[0]
            every = []
            for j in range(Y):
                probes = np.repeat(x[None], P, axis=0)
                for i in range(P):
                    probes[i, i, j] += max(pr.budget[j], 1000.0)
                if np.all(f(probes) <= fx + TOL):
                    every.append(pr.years[j])
            assert idle_years(pr, x, f) == tuple(every), (pid, year)
            seen.add(bool(every))
    assert seen == {True, False}
