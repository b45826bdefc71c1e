"""A city's budget across its counties: the split of a yearly city budget (万元, on top of every
county's own status-quo spending) that maximizes the probability of the city's goal (every
county B or better and at least k in A: seed 003) or the expected number of A counties.

Method (two levels, both on the single-county objective :func:`sim.plan.score_allocations`):

1. **County curves.** For each county, city money is added in equal steps (the first year's
   amount, growing like the county's status quo); each step goes to the program where the
   county's score rises most at the central parameters (one batched call per step: the greedy
   stage of the single-county optimizer). Every level's split is then scored under the same
   ``draws`` parameter sets for every county (common random numbers: the draws of
   ``sim.monte_carlo(county, draws, seed)``), giving scores (counties, levels, draws).
2. **City split.** Levels are chosen per county, summing to the budget: greedy by steps, then
   exchanges of one step between two counties while any improves the objective. The goal's
   probability is a step function, so ties are broken by the expected number of A counties and
   then the mean score (a smooth surrogate, as the robust single-county optimizer does).

The same objective evaluated on one allocation is what :func:`evaluate` returns, and the slow
test compares the search with exhaustive enumeration on a small city (the global optimum on the
grid).
"""
from __future__ import annotations

import itertools
import time
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from sim.files.errors import InputError
from sim.plan import make_problem, outcomes, score_allocations, scored_year
from sim.uncertainty import draw
from .collection import Regions
from .regions import Goal

A_LINE, B_LINE = 80.0, 60.0  # the rubric's tier lines (data/rubrics: A >= 80, B >= 60)


@dataclass(frozen=True)
class Curves:
    """Per county, per level of city money: the split and its scores under the draws.

    ``step``: 万元 a year (first year) per level; ``levels``: (K,) first-year amounts;
    ``splits``: (C, K, P, Y) total spending (status quo + city money), 万元; ``scores``:
    (C, K, D) the scored year's points under each draw; ``central``: (C, K) at central
    parameters; ``data_year``: the statistics year scored."""

    names: tuple[str, ...]
    step: float
    levels: np.ndarray
    splits: np.ndarray
    scores: np.ndarray
    central: np.ndarray
    data_year: int
    draws: int
    seed: int


def _tiers_ok(goal: Goal, s: np.ndarray) -> np.ndarray:
    line = A_LINE if goal.min_tier == "A" else B_LINE if goal.min_tier == "B" else -np.inf
    return (np.round(s, 9) >= line).all(axis=-2)


def goal_probability(goal: Goal, scores: np.ndarray) -> np.ndarray:
    """P(goal) of city outcomes: ``scores`` (..., counties, draws) -> (...)."""
    n_a = (np.round(scores, 9) >= A_LINE).sum(axis=-2)
    return (_tiers_ok(goal, scores) & (n_a >= goal.min_a)).mean(axis=-1)


def expected_a(scores: np.ndarray) -> np.ndarray:
    """Expected number of A counties: (..., counties, draws) -> (...)."""
    return (np.round(scores, 9) >= A_LINE).sum(axis=-2).mean(axis=-1)


def value(goal: Goal, scores: np.ndarray, objective: str) -> np.ndarray:
    """The search's objective with its tie-breakers: P(goal) (or expected A) + 1e-3 x expected
    A (or P(goal)) + 1e-6 x the mean score."""
    p, ea, mean = goal_probability(goal, scores), expected_a(scores), scores.mean(axis=(-2, -1))
    main, second = (p, ea) if objective == "p_goal" else (ea, p)
    return main + 1e-3 * second + 1e-6 * mean


@dataclass(frozen=True)
class CitySearch:
    """How a city's split is searched (:func:`optimize`, :func:`min_city_budget`, :func:`county_curves`).
    ``step``: the grid, 万元 a year (first year) of city money per level; None: the budget / 20
    (at least 1) in :func:`optimize`, 100 in :func:`min_city_budget` (:func:`county_curves`
    needs one). ``draws``: parameter draws per county (common random numbers: the same draws
    for every level); ``seed``: the draws' seed. ``county_bounds``: county name -> (min, max)
    万元 a year of city money (either may be None). ``program_max``: program -> most city money
    per county, 万元 a year (first year). ``curves``: curves already computed (same step, enough
    levels) to reuse instead of computing them."""

    step: float | None = None
    draws: int = 200
    seed: int = 0
    county_bounds: dict | None = None
    program_max: dict[str, float] | None = None
    curves: Curves | None = field(default=None, repr=False, compare=False)


def county_curves(regions: Regions, target_year: int, n_levels: int, options: CitySearch = CitySearch()) -> Curves:
    """The curves of every county (see the module doc): levels 0, step, ..., (n_levels - 1) x
    step 万元 a year of city money, ``step``, ``draws``, ``seed`` and ``program_max`` (a
    program's most city money in a county) from ``options``."""
    step, draws, seed, program_max = options.step, options.draws, options.seed, options.program_max
    if step is None or not np.isfinite(step) or step <= 0:
        raise InputError("bad_setting", key="step", value=str(step), reason="> 0")
    sc0 = regions.scenarios[0]
    data_year = scored_year(sc0, target_year, "score")
    Y = data_year - sc0.base_year
    if not 0 < Y <= len(sc0.years):
        make_problem(sc0, 0.0, target_year, None, "score")  # raises target_year_outside
    levels = step * np.arange(n_levels)
    splits, scores, central = [], [], []
    for sc in regions.scenarios:
        short = sc.with_horizon(data_year)
        P = len(sc.programs)
        unit = sc.whole_path(step)[:Y]  # one step's yearly amounts (whole 万元)
        cap = np.array([(program_max or {}).get(p, np.inf) for p in sc.programs]) / step
        x = sc.spend_matrix()[:, :Y].copy()
        taken = np.zeros(P)
        path = [x.copy()]
        for _ in range(n_levels - 1):
            cands = np.repeat(x[None], P, axis=0)
            cands[np.arange(P), np.arange(P)] += unit
            vals = score_allocations(sc, cands, data_year, "score")
            vals[taken + 1 > cap + 1e-9] = -np.inf
            if not np.isfinite(vals).any():  # every program at its cap: the money stays unspent
                path.append(x.copy())
                continue
            best = int(np.argmax(vals))
            x[best] += unit
            taken[best] += 1
            path.append(x.copy())
        split = np.stack(path)
        samples = draw(short, draws, seed)
        scores.append(outcomes(short, split, "score", samples))
        central.append(score_allocations(sc, split, data_year, "score"))
        splits.append(split)
    return Curves(regions.names, float(step), levels, np.stack(splits), np.stack(scores), np.stack(central),
                  data_year, draws, seed)


def _outcome(curves: Curves, k: np.ndarray) -> np.ndarray:
    """(C, D) scores of one choice of levels (C,)."""
    return curves.scores[np.arange(len(k)), k]


def evaluate(curves: Curves, goal: Goal, k: np.ndarray) -> tuple[float, float]:
    """(P(goal), expected A) of one allocation given as levels per county."""
    s = _outcome(curves, np.asarray(k))
    return float(goal_probability(goal, s)), float(expected_a(s))


def search(curves: Curves, goal: Goal, units: int, lo: np.ndarray, hi: np.ndarray,
           objective: str = "p_goal") -> tuple[np.ndarray, int]:
    """Levels per county summing to ``units`` within [lo, hi]: greedy, then one-step exchanges
    until none improves. Returns (levels, evaluations)."""
    C = len(curves.names)
    k = lo.copy()
    evals = 0
    rows = np.arange(C)
    for _ in range(units - int(lo.sum())):
        base = _outcome(curves, k)
        cand = np.repeat(base[None], C, axis=0)  # candidate c: county c one step up
        up = np.minimum(k + 1, hi)
        cand[rows, rows] = curves.scores[rows, up]
        v = value(goal, cand, objective)
        v[k >= hi] = -np.inf
        evals += C
        k[int(np.argmax(v))] += 1
    best = value(goal, _outcome(curves, k), objective)
    improved = True
    while improved:
        improved = False
        base = _outcome(curves, k)
        pairs = [(a, b) for a in range(C) for b in range(C) if a != b and k[a] > lo[a] and k[b] < hi[b]]
        if not pairs:
            break
        cand = np.repeat(base[None], len(pairs), axis=0)
        for i, (a, b) in enumerate(pairs):
            cand[i, a] = curves.scores[a, k[a] - 1]
            cand[i, b] = curves.scores[b, k[b] + 1]
        v = value(goal, cand, objective)
        evals += len(pairs)
        i = int(np.argmax(v))
        if v[i] > best + 1e-12:
            a, b = pairs[i]
            k[a] -= 1
            k[b] += 1
            best = v[i]
            improved = True
    return k, evals


def exhaustive(curves: Curves, goal: Goal, units: int, objective: str = "p_goal") -> np.ndarray:
    """The global optimum on the grid by enumerating every way of placing ``units`` steps (small
    cities only: the slow test's reference)."""
    C = len(curves.names)
    best, arg = -np.inf, None
    for bars in itertools.combinations(range(units + C - 1), C - 1):
        k = np.diff(np.concatenate([[-1], bars, [units + C - 1]])) - 1
        if (k >= curves.scores.shape[1]).any():
            continue
        v = float(value(goal, _outcome(curves, k), objective))
        if v > best + 1e-12:
            best, arg = v, k
    return np.asarray(arg)


@dataclass(frozen=True)
class CityPlan:
    """Result of :func:`optimize`. ``money``: city money per county (万元 a year, first year);
    ``splits``: county -> (programs x decision years) total spending; ``counties``: per county
    the median score, P(A), P(B or better) under the draws and the central score, with and
    without the city money; ``p_goal``/``expected_a`` and the status quo's."""

    budget: float
    target_year: int
    data_year: int
    goal: Goal
    objective: str
    money: pd.Series
    splits: dict
    counties: pd.DataFrame
    p_goal: float
    expected_a: float
    p_goal_status_quo: float
    expected_a_status_quo: float
    evaluations: int
    seconds: float
    draws: int
    seed: int
    levels: np.ndarray = field(repr=False)
    curves: Curves = field(repr=False)

    def scenarios(self, regions: Regions) -> tuple:
        """Every county's scenario with its spending under the plan (decision years set, later
        years growing like the status quo from the last one)."""
        out = []
        for sc, name in zip(regions.scenarios, regions.names):
            m = sc.spend_matrix().copy()
            x = self.splits[name].to_numpy()
            Y = x.shape[1]
            m[:, :Y] = x
            if Y < m.shape[1]:
                g = sc.path(1.0)
                m[:, Y:] = x[:, -1:] * (g[Y:] / g[Y - 1])[None]
            out.append(sc.with_spend_matrix(m))
        return tuple(out)


def _bounds(regions: Regions, county_bounds: dict | None, step: float, n_levels: int) -> tuple[np.ndarray, np.ndarray]:
    lo, hi = np.zeros(len(regions), dtype=int), np.full(len(regions), n_levels - 1)
    for name, (mn, mx) in (county_bounds or {}).items():
        if name not in regions.names:
            raise InputError("unknown_key", key=f"county {name}", known=", ".join(regions.names))
        i = regions.names.index(name)
        if mn is not None:
            lo[i] = int(np.ceil(mn / step - 1e-9))
        if mx is not None:
            hi[i] = min(hi[i], int(np.floor(mx / step + 1e-9)))
        if lo[i] > hi[i]:
            raise InputError("bad_bounds", program=name, min=f"{mn:g}", max=f"{mx:g}")
    return lo, hi


def optimize(regions: Regions, city_budget: float, target_year: int, goal: Goal | None = None,
             objective: str = "p_goal", options: CitySearch = CitySearch()) -> CityPlan:
    """The split of ``city_budget`` 万元 a year (first year; growing like each county's status quo)
    across the counties and their programs that maximizes P(goal) (``objective="p_goal"``) or
    the expected number of A counties (``"expected_a"``) in ``target_year``'s assessment.

    ``options`` (:class:`CitySearch`): the grid's ``step`` (default budget / 20), the draws and
    seed, ``county_bounds`` (county -> (min, max) 万元 a year of city money), ``program_max``
    (program -> most city money per county) and ``curves`` already computed (same step, enough
    levels). Every county keeps its own status-quo spending."""
    t0 = time.perf_counter()
    goal = goal or Goal()
    if objective not in ("p_goal", "expected_a"):
        raise InputError("bad_setting", key="objective", value=objective, reason="p_goal | expected_a")
    if not np.isfinite(city_budget) or city_budget < 0:
        raise InputError("negative_total_budget", value=f"{city_budget:g}")
    step = float(options.step or max(city_budget / 20, 1.0))
    units = int(round(city_budget / step))
    curves = options.curves
    if curves is None or curves.step != step or curves.scores.shape[1] <= units:
        curves = county_curves(regions, target_year, units + 1, replace(options, step=step))
    lo, hi = _bounds(regions, options.county_bounds, step, curves.scores.shape[1])
    if lo.sum() > units:
        raise InputError("city_minimums_exceed", total=f"{lo.sum() * step:,.0f}", budget=f"{city_budget:,.0f}")
    if hi.sum() < units:
        raise InputError("city_maximums_below", total=f"{hi.sum() * step:,.0f}", budget=f"{city_budget:,.0f}")
    k, evals = search(curves, goal, units, lo, hi, objective)
    return _plan(regions, curves, goal, objective, k, city_budget, target_year, evals, time.perf_counter() - t0)


def _plan(regions: Regions, curves: Curves, goal: Goal, objective: str, k: np.ndarray, budget: float,
          target_year: int, evals: int, seconds: float) -> CityPlan:
    C = len(k)
    zero = np.zeros(C, dtype=int)
    s, s0 = _outcome(curves, k), _outcome(curves, zero)
    sc = regions.scenarios[0]
    years = list(range(sc.base_year + 1, curves.data_year + 1))
    splits = {n: pd.DataFrame(curves.splits[i, k[i]], index=list(sc.programs), columns=years)
              for i, n in enumerate(regions.names)}
    rows = np.round(s, 9)
    counties = pd.DataFrame({
        "money": curves.levels[k], "median": np.median(s, axis=1), "P_A": (rows >= A_LINE).mean(axis=1),
        "P_B_or_better": (rows >= B_LINE).mean(axis=1), "central": curves.central[np.arange(C), k],
        "median_status_quo": np.median(s0, axis=1), "P_A_status_quo": (np.round(s0, 9) >= A_LINE).mean(axis=1)},
        index=pd.Index(regions.names, name="county"))
    return CityPlan(float(budget), target_year, curves.data_year, goal, objective,
                    pd.Series(curves.levels[k], index=regions.names, name="money"), splits, counties,
                    float(goal_probability(goal, s)), float(expected_a(s)), float(goal_probability(goal, s0)),
                    float(expected_a(s0)), evals, seconds, curves.draws, curves.seed, k, curves)


REASON_MOVE = 0.05  # a change of probability worth naming (5 percentage points)


def reasons(plan: CityPlan) -> list[tuple[str, dict]]:
    """Why each county gets its money or none, as (message code, parameters) from its curve:
    money that moves it toward A ("city_reason_to_a": P(A) before -> after), toward B, or only
    raises its score; none because it is already A, because no level of money on the grid brings
    it to A (its best chance given), or because others move the goal more per 万元."""
    out = []
    scores = np.round(plan.curves.scores, 9)
    for i, k in enumerate(plan.levels):
        pa = (scores[i] >= A_LINE).mean(axis=1)  # (levels,)
        pb = (scores[i] >= B_LINE).mean(axis=1)
        pct = lambda v: f"{v:.0%}"  # noqa: E731
        if k > 0:
            if pa[k] - pa[0] >= REASON_MOVE:
                out.append(("city_reason_to_a", {"before": pct(pa[0]), "after": pct(pa[k])}))
            elif pb[k] - pb[0] >= REASON_MOVE:
                out.append(("city_reason_to_b", {"before": pct(pb[0]), "after": pct(pb[k])}))
            else:
                med = np.median(scores[i], axis=1)
                out.append(("city_reason_points", {"before": f"{med[0]:.1f}", "after": f"{med[k]:.1f}"}))
        elif pa[0] >= 0.9:
            out.append(("city_reason_already_a", {"p": pct(pa[0])}))
        elif pa.max() < REASON_MOVE:
            out.append(("city_reason_no_a", {"p": pct(pa.max()), "money": f"{plan.curves.levels[-1]:,.0f}"}))
        else:
            best = int(np.argmax(pa))
            out.append(("city_reason_others", {"p": pct(pa[best]), "money": f"{plan.curves.levels[best]:,.0f}"}))
    return out


@dataclass(frozen=True)
class MinCityBudget:
    """Result of :func:`min_city_budget`: the smallest budget on the grid whose optimized split
    reaches the goal with at least ``confidence``; when none up to ``top`` does, ``reachable``
    is False and ``plan`` is the best at ``top``."""

    reachable: bool
    budget: float
    probability: float
    confidence: float
    plan: CityPlan


def min_city_budget(regions: Regions, target_year: int, goal: Goal | None = None, confidence: float = 0.8,
                    top: float = 5000.0, options: CitySearch = CitySearch()) -> MinCityBudget:
    """What the goal costs: the smallest city budget (a multiple of ``options.step`` 万元 a year,
    default 100, at most ``top`` 万元 a year) whose best split reaches the goal with probability
    >= ``confidence`` (bisection on the grid; the curves are computed once, under
    ``options``' draws and seed, and every split keeps ``options.county_bounds``)."""
    goal = goal or Goal()
    if not 0 < confidence < 1:
        raise InputError("bad_setting", key="confidence", value=f"{confidence:g}", reason="0 < c < 1")
    step = float(options.step or 100.0)
    n = int(round(top / step))
    grid = replace(options, step=step, curves=None)
    grid = replace(grid, curves=county_curves(regions, target_year, n + 1, grid))

    def plan(units: int) -> CityPlan:
        return optimize(regions, units * step, target_year, goal, "p_goal", grid)

    best = plan(n)
    if best.p_goal < confidence:
        return MinCityBudget(False, n * step, best.p_goal, confidence, best)
    lo, hi = -1, n  # plan(hi) reaches the confidence
    first = plan(0)
    if first.p_goal >= confidence:
        return MinCityBudget(True, 0.0, first.p_goal, confidence, first)
    lo = 0
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if plan(mid).p_goal >= confidence:
            hi = mid
        else:
            lo = mid
    res = plan(hi)
    return MinCityBudget(True, hi * step, res.p_goal, confidence, res)
