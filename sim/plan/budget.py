"""Budget questions on top of the optimizer: the smallest yearly budget that reaches a score
(:func:`min_budget`) and the best objective over a range of budgets (:func:`budget_frontier`).

Both use the plan's rules (:class:`sim.plan.problem.Rules`): by default no budget below the status
quo's (只增不减), so the smallest budget is never a cut; "the status quo's budget suffices" is an
answer of its own.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from sim.files.errors import InputError, say
from sim.model.rubric import load_rubric
from sim.model.scenario import Scenario
from .objective import outcomes
from .optimizer import Allocation, Options, optimize
from .problem import Rules, make_problem
from .search import TOL


@dataclass(frozen=True)
class BudgetSearch:
    """How :func:`min_budget` searches: the plan's ``rules`` and ``objective``; ``max_budget``
    (万元 in the first year; default 50 times the current program budget, at least 100,000) and
    ``rel_tol`` bound the search; ``draws``, ``seed`` and ``width`` are the uncertainty draws
    of a confidence (common to every budget tried)."""

    rules: Rules = field(default_factory=Rules)
    objective: str | None = None
    max_budget: float | None = None
    rel_tol: float = 0.005
    draws: int = 256
    seed: int = 0
    width: float = 1.0


@dataclass(frozen=True)
class MinBudget:
    """Result of :func:`min_budget`: ``budget`` (万元 in the first projected year, growing like the
    status quo) or ``reachable=False`` with the best reachable at ``budget`` (the largest tried);
    ``score``: the objective at the central parameters; ``probability``: the share of the
    uncertainty draws reaching the target with that plan (NaN without ``confidence``);
    ``at_status_quo``: the status quo's budget already reaches it (with the plan found for it)."""

    reachable: bool
    budget: float
    score: float
    target: float
    allocation: Allocation
    message: str
    probability: float = float("nan")
    confidence: float | None = None
    draws: int = 0
    notes: tuple[tuple[str, dict], ...] = ()
    at_status_quo: bool = False

    def explain(self, lang: str = "en") -> str:
        """The message in ``lang`` (zh or en)."""
        return "; ".join(say(code, lang, **params) for code, params in self.notes)


def _bracket(reaches, lo: float, cap: float) -> tuple[float, float, object]:
    """(lo, hi, hi's (ok, result)): doubling from ``lo`` until a budget reaches (at most
    ``cap``). After two doublings fall
    short the cap is tried once: when even it does not reach, that is the answer (a target out of
    reach costs four optimizations, not the eight of doubling to a cap fifty times today's)."""
    b, short, cap_tried = max(lo, 1.0), 0, None
    while True:
        b = min(2 * b, cap)
        ok, r = (True, cap_tried[1]) if b >= cap and cap_tried else reaches(b)
        if ok or b >= cap:
            return lo, b, (ok, r)
        lo, short = b, short + 1
        if short == 2 and 2 * b < cap:
            cap_tried = reaches(cap)
            if not cap_tried[0]:
                return lo, cap, cap_tried


def _narrow(reaches, margin, lo: float, hi: float, best, rel_tol: float):
    """Smallest whole budget in (lo, hi] for which ``reaches(b)`` gives (True, result), to
    ``max(rel_tol * hi, 1)`` 万元: ``lo`` does not reach (or was not tried), ``hi`` reaches with
    result ``best``.

    A safeguarded secant search (with the bisection guard of the ITP method): ``margin(budget)``
    (how far a budget tried is past the target, negative below it; None if not tried) places a
    guess where the line through the bracket's ends crosses zero, and the two budgets 0.45 of a
    tolerance either side of it are tried, so that a good guess closes the bracket in two
    optimizations; a round that does not halve the bracket makes the next one a bisection, so
    every three tries at least halve it (at worst three times bisection's tries, on a margin
    that jumps; on the presets' 37% fewer than bisection's, the target out of reach included).
    Returns (budget, result)."""
    a, b, rb = lo, hi, best
    halve = False  # the next round bisects (so does any round with an end not tried)
    while b - a > max(rel_tol * b, 1.0):
        w, width = max(rel_tol * b, 1.0), b - a
        ma, mb = margin(a), margin(b)
        if halve or ma is None or not mb > ma:
            tries = [np.floor((a + b) / 2)]
        else:
            guess = a + (b - a) * (-ma) / (mb - ma)
            tries = [np.floor(guess - 0.45 * w), np.floor(guess + 0.45 * w)]
        for c in tries:
            c = float(min(max(c, a + 1.0), b - 1.0))
            if not a < c < b:
                continue
            ok, r = reaches(c)
            if ok:
                b, rb = c, r
                break  # the crossing lies below c: the try above it says nothing new
            a = c
        halve = b - a > width / 2
        if b - a >= width:  # no budget left strictly inside: the bracket is whole 万元 apart
            break
    return b, rb


def min_budget(sc: Scenario, score: float = 80.0, target_year: int | None = None, bounds: dict | None = None,
               confidence: float | None = None, how: BudgetSearch | None = None) -> MinBudget:
    """The smallest yearly budget whose optimal plan reaches ``score`` for ``target_year``.

    Without ``confidence``: at the central parameters (the optimizer's objective). With
    ``confidence`` c: the smallest budget whose optimized plan reaches ``score`` in the target
    round in at least a share c of the draws (:mod:`sim.uncertainty`), common to every budget
    tried; the plan at each budget is the optimizer's, so a plan chosen for the probability
    itself could need a little less. The first-year budget (whole 万元, growing like the status
    quo) doubles from the status quo's total (unless the rules allow cuts) until it reaches (at
    most ``how.max_budget``), then a safeguarded secant search to ``how.rel_tol`` (:func:`_narrow`).

    >>> mb = min_budget(load_preset("demo"), 80, 2025, confidence=0.8)  # doctest: +SKIP
    >>> mb.probability >= 0.8  # doctest: +SKIP
    True
    """
    how = how or BudgetSearch()
    target_year = target_year or sc.assessed_year(sc.horizon)
    if confidence is not None and not 0 < confidence < 1:
        raise InputError("bad_setting", key="confidence", value=confidence, reason="0 < c < 1")
    current = float(sc.budget()[0]) or 1000.0
    cap = float(np.ceil(how.max_budget or max(50 * current, 1e5)))
    floor = 0.0 if how.rules.cuts else float(sc.status_quo_matrix()[:, 0].sum())
    problem = make_problem(sc, cap, target_year, bounds, how.objective, how.rules)
    samples = None
    if confidence is not None:
        from ..uncertainty import draw

        samples = draw(problem.scenario, how.draws, how.seed, how.width)
    options = Options(rules=how.rules)

    margins: dict[float, float] = {}  # budget -> how far past the target (points)

    def reaches(b: float):
        res = optimize(sc, b, target_year, bounds, how.objective, options)
        if samples is None:
            margins[b] = res.fun_at_target - score
            return res.fun_at_target >= score - TOL, (res, float("nan"))
        vals = np.round(outcomes(problem.scenario, res.x[None], res.objective, samples, (res.data_year,))[0], 9)
        p = float((vals >= score).mean())
        # the k-th best draw's value, k the fewest draws the confidence asks for: past the score
        # exactly when p is past the confidence, and it moves with the budget where p steps
        k = max(int(np.ceil((confidence - TOL) * vals.size)), 1)
        margins[b] = float(np.sort(vals)[vals.size - k]) - score
        return p >= confidence - TOL, (res, p)

    what = {"score": f"{score:g}", "year": target_year}
    conf = {"confidence": f"{confidence or 0:.0%}", "growth": f"{sc.budget_growth():.1%}"}
    if floor > 0:
        ok, (res, p) = reaches(floor)
        if ok:
            code = "min_budget_status_quo" if confidence is None else "min_budget_status_quo_conf"
            notes = ((code, {**what, **conf, "budget": f"{floor:,.0f}", "probability": f"{p:.0%}"}),)
            return MinBudget(True, floor, res.fun_at_target, score, res, say(code, "en", **notes[0][1]), p,
                             confidence, how.draws if samples else 0, notes, True)
    lo, hi, (ok, (top, p_top)) = _bracket(reaches, floor, cap)
    if not ok:
        code = "min_budget_unreachable" if confidence is None else "min_budget_unreachable_conf"
        notes = ((code, {**what, **conf, "best": f"{top.fun_at_target:.1f}", "budget": f"{hi:,.0f}",
                         "probability": f"{p_top:.0%}"}),)
        return MinBudget(False, hi, top.fun_at_target, score, top, say(code, "en", **notes[0][1]), p_top,
                         confidence, how.draws if samples else 0, notes)
    budget, (best, p) = _narrow(reaches, margins.get, lo, hi, (top, p_top), how.rel_tol)
    code = "min_budget_found" if confidence is None else "min_budget_found_conf"
    notes = ((code, {**what, **conf, "budget": f"{budget:,.0f}", "probability": f"{p:.0%}"}),)
    return MinBudget(True, budget, best.fun_at_target, score, best, say(code, "en", **notes[0][1]), p,
                     confidence, how.draws if samples else 0, notes)


def budget_frontier(sc: Scenario, budgets, target_year: int, bounds: dict | None = None,
                    objective: str | None = None, options: Options | None = None) -> pd.DataFrame:
    """Best objective for each yearly budget (万元 in the first year, growing like the status
    quo), non-decreasing in the budget: each budget also starts from the previous budget's plan
    plus the extra money, and a budget whose search ends lower keeps the previous plan's value
    (more money never lowers the objective). ``options.progress(done, total)`` is called after
    each budget (the app's progress bar). Budgets below the status quo's are analysed only when
    the rules allow cuts (else they are raised to it: one row at the status quo)."""
    options = options or Options()
    rows, prev = [], None
    ordered = sorted({float(np.round(v)) for v in budgets})
    for k, b in enumerate(ordered):
        starts = options.starts
        if prev is not None:
            extra = prev.x.copy()
            extra += (sc.whole_path(b)[: extra.shape[1]] - prev.x.sum(axis=0)) / extra.shape[0]
            starts = (*starts, extra)
        res = optimize(sc, b, target_year, bounds, objective, replace(options, starts=starts))
        if prev is not None and res.fun < prev.fun:  # keep the curve honest: the previous plan plus the extra
            res = prev
        rows.append({"budget": float(res.x[:, 0].sum()), "asked": b, "best": res.fun,
                     "current_split": res.fun_current,
                     "tier": str(load_rubric(sc.rubric_id).tier_of(res.fun)) if res.objective == "score" else "",
                     "seconds": res.seconds})
        prev = res
        if options.progress is not None:
            options.progress(k + 1, len(ordered))
    return pd.DataFrame(rows)
