"""A whole city: Hengshui's 11 counties (illustrative values matching the published 2021 round)
and the goal of seed 003."""
from __future__ import annotations

import pandas as pd
import pytest

from sim.counties import regions
from sim.files.datadir import DATA_DIR, read_toml


@pytest.fixture(scope="module")
def hengshui():
    return regions.load("hengshui")


@pytest.fixture(scope="module")
def frame(hengshui):
    return regions.simulate(hengshui)


def test_hengshui_has_its_eleven_counties_by_name_and_is_labelled_illustrative(hengshui):
    spec = read_toml(DATA_DIR / "regions/hengshui.toml")
    assert hengshui.names == tuple(c["zh"] for c in spec["counties"])
    assert set(hengshui.names) == {"桃城区", "冀州区", "枣强县", "武邑县", "深州市", "武强县", "饶阳县", "安平县",
                                   "故城县", "景县", "阜城县"}
    assert "示意" in hengshui.zh and "illustrative" in hengshui.en and hengshui.synthetic
    assert all(c["code"].startswith("1311") and len(c["code"]) == 6 for c in spec["counties"])


def test_the_2021_round_matches_the_published_city(hengshui, frame):
    """4 A / 5 B / 2 C and mean 70.39 after the 2021 round (statistics of 2020), each county in
    the tier its file lists (published for 景县, 冀州区, 枣强县, 武强县, 故城县)."""
    spec = read_toml(DATA_DIR / "regions/hengshui.toml")
    base = frame.xs(2020, level="year")
    assert base["tier"].value_counts().to_dict() == {"A": 4, "B": 5, "C": 2}
    assert base["total"].mean() == pytest.approx(70.39, abs=0.5)
    for c in spec["counties"]:
        assert base.loc[c["zh"], "tier"] == c["tier"], c["zh"]


def test_the_goal_of_seed_003_is_read_and_checked_per_round(frame):
    goal = regions.goal_of("hengshui")
    assert (goal.min_tier, goal.min_a, goal.year) == ("B", 5, 2025) and "A类不少于5个" in goal.source
    out = regions.goal_summary(frame, goal)
    assert list(out["round"]) == [y + 1 for y in out.index]
    assert not out.loc[2020, "goal_met"]  # two C counties in the 2021 round
    for y, row in out.iterrows():
        assert row["goal_met"] == (row["C"] == 0 and row["A"] >= 5)


@pytest.mark.parametrize("tiers,met", [(["A"] * 5 + ["B"] * 6, True), (["A"] * 4 + ["B"] * 7, False),
                                       (["A"] * 10 + ["C"], False), (["A"] * 11, True)])
def test_goal_met(tiers, met):
    assert regions.Goal("B", 5, 2025).met(pd.Series(tiers)) is met


# ---------------------------------------------------------------------- the city's allocation
from dataclasses import replace  # noqa: E402

import numpy as np  # noqa: E402

from sim.counties import city  # noqa: E402
from sim.model.projection import run  # noqa: E402
from sim.uncertainty import draw, monte_carlo, outcome  # noqa: E402


def _joint_scores(scenarios, data_year: int, draws: int, seed: int) -> np.ndarray:
    """(counties, draws) scores of the statistics year, each county under sim's own draws."""
    out = []
    for sc in scenarios:
        p = draw(sc, draws, seed)
        out.append(outcome(sc, run(sc, params=p), p)[:, data_year - sc.base_year])
    return np.stack(out)


@pytest.fixture(scope="module")
def plan(hengshui):
    return city.optimize(hengshui, 1000.0, 2023, regions.goal_of("hengshui"), options=city.CitySearch(step=100.0, draws=200, seed=3))


def test_the_city_plan_keeps_its_constraints(hengshui, plan):
    assert plan.money.sum() == pytest.approx(1000.0)
    assert (plan.money >= 0).all() and set(plan.money.index) == set(hengshui.names)
    for sc, name in zip(hengshui.scenarios, hengshui.names):
        x = plan.splits[name].to_numpy()
        sq = sc.spend_matrix()[:, :x.shape[1]]
        assert (x >= sq - 1e-9).all()  # every county keeps its own status quo
        assert (x - sq).sum(axis=0)[0] == pytest.approx(plan.money[name])  # the county's city money
    bounded = city.optimize(hengshui, 1000.0, 2023, regions.goal_of("hengshui"), options=city.CitySearch(
        step=100.0, draws=200, seed=3, county_bounds={"阜城县": (300.0, 400.0), "武邑县": (None, 0.0)}))
    assert 300.0 <= bounded.money["阜城县"] <= 400.0 and bounded.money["武邑县"] == 0.0
    capped = city.optimize(hengshui, 1000.0, 2023, regions.goal_of("hengshui"), options=city.CitySearch(
        step=100.0, draws=50, program_max={"tech_sme_vouchers": 100.0}))
    for name in hengshui.names:
        sc = hengshui.scenarios[hengshui.names.index(name)]
        extra = capped.splits[name].to_numpy()[list(sc.programs).index("tech_sme_vouchers"), 0] - \
            sc.spend_matrix()[list(sc.programs).index("tech_sme_vouchers"), 0]
        assert extra <= 100.0 + 1e-6


def test_the_plan_re_simulated_meets_its_stated_probability(hengshui, plan):
    """The same draws give exactly the stated P(goal) and each county's P(A) (sim.monte_carlo);
    4,000 fresh draws agree within sampling error; sim.counties.regions.simulate gives the central scores."""
    scen = plan.scenarios(hengshui)
    s = _joint_scores(scen, plan.data_year, 200, 3)
    assert city.goal_probability(plan.goal, s) == pytest.approx(plan.p_goal)
    for sc, name in zip(scen, hengshui.names):
        mc = monte_carlo(sc, 200, 3, indicators=False, central=False)
        assert mc.tiers.loc[plan.data_year, "A"] == pytest.approx(plan.counties.loc[name, "P_A"])
    fresh = _joint_scores(scen, plan.data_year, 4000, 11)
    p = float(city.goal_probability(plan.goal, fresh))
    assert abs(p - plan.p_goal) < 4 * np.sqrt(max(p * (1 - p), 0.01) / 200) + 0.01
    central = regions.simulate(replace(hengshui, scenarios=scen)).xs(plan.data_year, level="year")["total"]
    np.testing.assert_allclose(central.loc[list(hengshui.names)].to_numpy(), plan.counties["central"].to_numpy())
    assert plan.p_goal >= plan.p_goal_status_quo


def test_no_money_is_the_status_quo_and_bad_bounds_are_refused(hengshui, plan):
    zero = city.optimize(hengshui, 0.0, 2023, plan.goal, options=city.CitySearch(step=100.0, draws=200, seed=3))
    assert zero.p_goal == zero.p_goal_status_quo and (zero.money == 0).all()
    from sim.files.errors import InputError

    with pytest.raises(InputError) as e:
        city.optimize(hengshui, 500.0, 2023, plan.goal, options=city.CitySearch(
            step=100.0, draws=20, county_bounds={"景县": (300.0, None), "冀州区": (300.0, None)}))
    assert e.value.code == "city_minimums_exceed" and "超过全市预算" in e.value.message("zh")
    with pytest.raises(InputError):
        city.optimize(hengshui, 500.0, 2023, plan.goal,
                      options=city.CitySearch(step=100.0, draws=20, county_bounds={"nowhere": (0, 1)}))


def test_min_city_budget_states_its_confidence_or_the_best_reachable(hengshui):
    goal = regions.Goal("B", 6, 2023)
    res = city.min_city_budget(hengshui, 2023, goal, confidence=0.8, top=3000.0,
                               options=city.CitySearch(step=100.0, draws=100))
    if res.reachable:
        assert res.probability >= 0.8
        below = city.optimize(hengshui, res.budget - 100.0, 2023, goal, options=city.CitySearch(step=100.0, draws=100)) \
            if res.budget >= 100 else None
        assert below is None or below.p_goal < 0.8
    hard = city.min_city_budget(hengshui, 2022, regions.Goal("B", 11, 2022), confidence=0.8, top=500.0,
                                options=city.CitySearch(step=100.0, draws=50))
    assert not hard.reachable and hard.probability < 0.8  # 11 A counties in 2022: out of reach


@pytest.mark.slow
@pytest.mark.parametrize("objective", ["p_goal", "expected_a"])
def test_the_search_finds_the_global_optimum_of_a_small_city(hengshui, objective):
    """Four counties near the B line, 8 steps of 100万: the search equals exhaustive enumeration
    (the goal: every county B or better, which money moves from about half to four in five)."""
    names = ("故城县", "饶阳县", "武邑县", "阜城县")
    small = replace(hengshui, names=names, scenarios=tuple(hengshui.scenarios[hengshui.names.index(n)] for n in names))
    goal = regions.Goal("B", 0, 2023)
    cv = city.county_curves(small, 2023, 9, city.CitySearch(step=100.0, draws=200, seed=5))
    k, _ = city.search(cv, goal, 8, np.zeros(4, dtype=int), np.full(4, 8), objective)
    best = city.exhaustive(cv, goal, 8, objective)
    assert float(city.value(goal, cv.scores[np.arange(4), k], objective)) == pytest.approx(
        float(city.value(goal, cv.scores[np.arange(4), best], objective)), abs=1e-9)
