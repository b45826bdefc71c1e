"""A planner's tools around the optimizer: where added money goes (:func:`added_money`), what
bounds cost (:func:`relaxed_bounds`), response curves at the optimum (:func:`response_curves`)
and what 100万 more a year in each program buys, split into the points the rubric pays for the
spending itself and those caused through the program's units (:func:`money_buys`).
"""
from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from sim.files.errors import InputError
from sim.model.params import Params
from sim.model.projection import effect_keys, run
from sim.model.scenario import Scenario
from sim.model.scoring import score_batch, total_batch
from .objective import outcomes, score_allocations
from .optimizer import Allocation, Options, optimize
from .problem import base_objective, bound, default_objective, make_problem, scored_year, shown
from .search import plus_each


@dataclass(frozen=True)
class AddedMoney:
    """Result of :func:`added_money`: ``result`` places ``extra`` 万元 a year on top of the
    current split (today's amounts are minimums); ``current``: today's split (programs x decision
    years, 万元); ``added``: result minus current; ``fun_before``: the objective without the extra
    money; ``result.fun_current``: with the extra money spread like today's split."""

    result: Allocation
    extra: float
    current: pd.DataFrame
    added: pd.DataFrame
    fun_before: float


def added_bounds(sc: Scenario, target_year: int, bounds: dict | None = None, objective: str | None = None,
                 options: Options | None = None) -> tuple[np.ndarray, dict]:
    """The bounds of "only the added money": each program's per-year minimum is today's spending
    (or the user's minimum where higher), its maximum the user's. Returns today's split over the
    decision years (programs x years, 万元) and the bounds (program -> (min, max) per year). A
    maximum below today's spending is an error: today's money is not to be moved."""
    problem = make_problem(sc, sc.budget()[0], target_year, None, objective, (options or Options()).rules)
    Y = problem.shape[1]
    current = problem.scenario.spend_matrix()[:, :Y]
    merged = {}
    for i, p in enumerate(sc.programs):
        mn, mx = (bounds or {}).get(p, (None, None))
        floor = current[i] if mn is None else np.maximum(current[i], bound(mn, Y, p, (mn, mx)))
        cap = bound(mx, Y, p, (mn, mx))
        if cap is not None and (cap < current[i] - 1e-9).any():
            raise InputError("max_below_current", program=p, max=shown(mx), current=shown(current[i].round(0)))
        merged[p] = (floor, cap)
    return current, merged


def added_money(sc: Scenario, extra: float, target_year: int, bounds: dict | None = None,
                objective: str | None = None, options: Options | None = None) -> AddedMoney:
    """The best placement of ``extra`` 万元 in the first year (whole, growing like the status quo)
    on top of the scenario's current spending: each program keeps at least what it has each year,
    the yearly budget is today's plus the extra. User ``bounds`` add to that (see :func:`added_bounds`)."""
    if not np.isfinite(extra) or extra < 0:
        raise InputError("negative_total_budget", value=f"{extra:g}")
    extra = float(np.round(extra))
    current, merged = added_bounds(sc, target_year, bounds, objective, options)
    res = optimize(sc, current.sum(axis=0) + sc.whole_path(extra)[:current.shape[1]], target_year, merged, objective,
                   options)
    cur = pd.DataFrame(current, index=res.allocation.index, columns=res.allocation.columns)
    short = res.scenario.with_horizon(res.allocation.columns[-1])
    rounds = (options or Options()).rules.rounds
    before = float(score_allocations(short.with_spend_matrix(current), current[None], res.data_year, res.objective,
                                     rounds=rounds)[0])
    return AddedMoney(res, extra, cur, res.allocation - cur, before)


@dataclass(frozen=True)
class Relaxed:
    """Result of :func:`relaxed_bounds`: the optimum under the bounds (``strict``) and with every
    bound widened by ``factor`` (``relaxed``); ``gain`` = relaxed.fun - strict.fun; ``widened``:
    program -> (min, max) as used; ``bounded``: whether any bound was given."""

    strict: Allocation
    relaxed: Allocation
    factor: float
    gain: float
    widened: dict
    bounded: bool


def widen(bounds: dict | None, factor: float) -> dict:
    """Every bound widened by ``factor``: a minimum divided by it, a maximum multiplied by it
    (Robyn's "bounded x3" idea)."""
    out = {}
    for p, (mn, mx) in (bounds or {}).items():
        out[p] = (None if mn is None else np.asarray(mn, dtype=float) / factor,
                  None if mx is None else np.asarray(mx, dtype=float) * factor)
    return out


def relaxed_bounds(strict: Allocation, bounds: dict | None, factor: float = 3.0,
                   options: Options | None = None) -> Relaxed:
    """Solve ``strict``'s question again with every bound widened by ``factor`` (>= 1) and report
    what it would add: the potential the bounds cost."""
    if not np.isfinite(factor) or factor < 1:
        raise InputError("bad_setting", key="factor", value=f"{factor:g}", reason=">= 1")
    wide = widen(bounds, factor)
    if not bounds:  # nothing to relax: the same plan
        return Relaxed(strict, strict, float(factor), 0.0, wide, False)
    options = replace(options or Options(rules=strict.rules), starts=(strict.x,))
    sc = strict.scenario
    relaxed = optimize(sc, strict.x.sum(axis=0), strict.target_year, wide, base_objective(strict.objective), options)
    return Relaxed(strict, relaxed, float(factor), relaxed.fun - strict.fun, wide, bool(bounds))


def response_curves(sc: Scenario, res: Allocation, bounds: dict | None = None, points: int = 41,
                    reach: float = 1.5) -> pd.DataFrame:
    """Each program's response curve at the optimum: the optimizer's objective (the rounds' mean
    score) against the program's yearly spending (万元, its average over the decision years), the
    other programs held at the plan (so the total changes along a curve, as in Robyn's and
    Meridian's response curves). The program's per-year pattern is the plan's (the status quo's
    growth where the plan gives it nothing). The axis runs from 0 to ``reach`` times the largest of
    its current, planned and maximum spending. A robust optimum's curves are at the central
    parameters.

    Returns one row per point: ``program``, ``spend`` (万元 a year), ``value``, ``inside``
    (within the program's bounds), plus rows with ``mark`` "current" and "optimal".
    """
    objective = base_objective(res.objective)
    problem = make_problem(sc, res.x.sum(axis=0), res.target_year, bounds, objective, res.rules)
    x = res.x
    P, Y = x.shape
    current = sc.spend_matrix()[:, :Y]
    growth = sc.path(1.0)[:Y]
    rows = []
    for i, p in enumerate(problem.programs):
        shape = x[i] / x[i].mean() if x[i].mean() > 1e-9 else growth / growth.mean()
        lo, hi = float(problem.lo[i].mean()), float(problem.hi[i].mean())
        top = reach * max(current[i].mean(), x[i].mean(), hi if hi < problem.budget.mean() - 1e-9 else x[i].mean(),
                          problem.budget.mean() / P)
        levels = np.unique(np.concatenate([np.linspace(0.0, top, points), [current[i].mean(), x[i].mean()]]))
        trial = np.repeat(x[None], len(levels), axis=0)
        trial[:, i, :] = levels[:, None] * shape
        vals = score_allocations(problem.scenario, trial, res.data_year, objective, rounds=len(problem.scored))
        at = dict(zip(levels.tolist(), vals.tolist()))
        marks = [("", s) for s in levels] + [("current", current[i].mean()), ("optimal", x[i].mean())]
        rows += [{"program": p, "spend": float(s), "value": float(at[s]),
                  "inside": bool(lo - 1e-9 <= s <= hi + 1e-9), "mark": m} for m, s in marks]
    return pd.DataFrame(rows)


def marginal_values(sc: Scenario, target_year: int, step: float = 100.0, objective: str | None = None,
                    params: Params | None = None) -> pd.Series | pd.DataFrame:
    """Objective gained for ``target_year`` (read as :func:`scored_year`) by ``step`` 万元 more
    every year in each program, over the scenario's own spending: program -> gain. With
    ``params`` (m draws) the gain under each draw, the same draws for every program: a frame
    programs x draws."""
    objective = objective or default_objective(sc)
    year = scored_year(sc, target_year, objective)
    short = sc if sc.horizon == year else sc.with_horizon(year)
    x = short.spend_matrix()
    cands = np.concatenate([x[None], plus_each(x, step)])
    index = pd.Index(sc.programs, name="program")
    if params is None:
        vals = score_allocations(short, cands, year, objective)
        return pd.Series(vals[1:] - vals[0], index=index, name="gain")
    raw = outcomes(short, cands, objective, params)
    return pd.DataFrame(raw[1:] - raw[0], index=index)


def money_buys(sc: Scenario, target_year: int, step: float = 100.0, params: Params | None = None) -> tuple[
        pd.DataFrame, pd.DataFrame]:
    """What ``step`` 万元 more every year in each program buys in the county score of
    ``target_year`` (its statistics year: :func:`scored_year`), split in two:

    * ``booked``: the points the rubric pays for the spending itself (fiscal S&T spending and its
      share of public spending rise by what is paid, whatever it is spent on): the projection
      with the money the program pays counted but causing no units (``run(booked=…)``); money a
      post-award rule cannot pay (``unspent``, 万元 in the year scored) counts for nothing;
    * ``caused``: the rest, through the units the program causes (firms, platforms, patents…).

    Returns (gains, units). ``gains``: one row per program with P10/P50/P90 of ``total``,
    ``booked`` and ``caused`` (points; a single value in each without ``params``, m draws with
    them, the same draws for every program). ``units``: one row per program and quantity it moves,
    with the expected change of that quantity in the statistics year (P10/P50/P90: counts are
    expected values, shown as ≈).
    """
    year = scored_year(sc, target_year, "score")
    short = sc if sc.horizon == year else sc.with_horizon(year)
    x = short.spend_matrix()
    P, Y = x.shape
    n = 1 if params is None else params.size()
    cands = np.concatenate([x[None], plus_each(x, step)])  # (1 + P, P, Y)
    ledger: dict = {}
    X = run(short, np.repeat(cands, n, axis=0), None if params is None else params.tiled(P + 1), ledger=ledger)
    left = ledger["unspent"].reshape(P + 1, n, Y + 1)
    paid = step - (left[1:] - left[:1])[..., 1:]  # (P, n, Y): of the step, what each program pays
    # the same money paid, counted in fiscal S&T spending, causing no units: one row per program
    Xb = run(short, np.repeat(x[None], P * n, axis=0), None if params is None else params.tiled(P),
             booked=paid.reshape(P * n, Y))
    last = {q: v[:, -1].reshape(P + 1, n) for q, v in X.items()}
    score = score_batch(short, {q: v.reshape(-1) for q, v in last.items()},
                        None if params is None else params.tiled(P + 1)).total.reshape(P + 1, n)
    lastb = {q: v[:, -1] for q, v in Xb.items()}
    scoreb = total_batch(short, lastb, None if params is None else params.tiled(P)).reshape(P, n)
    total = score[1:] - score[0]
    itself = scoreb - score[0]
    gains = []
    for i, p in enumerate(sc.programs):
        row = {"program": p}
        for name, v in (("total", total[i]), ("booked", itself[i]), ("caused", total[i] - itself[i])):
            q = np.quantile(v, [0.1, 0.5, 0.9])
            row.update({f"{name}_P10": q[0], f"{name}_P50": q[1], f"{name}_P90": q[2]})
        row["unspent"] = float(np.median(step - paid[i, :, -1]))  # 万元 of the step left unpaid in the year scored
        gains.append(row)
    moved = {}
    for prog, q in effect_keys(sc):
        moved.setdefault(prog, [])
        if q not in moved[prog]:
            moved[prog].append(q)
    rows = []
    for i, p in enumerate(sc.programs):
        for q in moved.get(p, []):
            d = last[q][1 + i] - last[q][0]
            qs = np.quantile(d, [0.1, 0.5, 0.9])
            rows.append({"program": p, "quantity": q, "P10": qs[0], "P50": qs[1], "P90": qs[2]})
    return pd.DataFrame(gains), pd.DataFrame(rows, columns=["program", "quantity", "P10", "P50", "P90"])
