"""The optimizer: the plan (programs x years, whole 万元) that most raises the objective under the
plan's rules (:class:`sim.plan.problem.Rules`), and the plan applied to the scenario.

Decision variables are the spending x[p, y] of each program in each year from the first projected
year to the last statistics year scored; sum_p x[p, y] is the year's budget B_y (never below the
status quo's total unless the rules allow cuts) and lo <= x <= hi. The objective is
:mod:`sim.plan.objective`'s, the same function the app's numbers use; the search is
:mod:`sim.plan.search`'s. A plan is stated in whole 万元 and applied as it is stated: the years
after the last one decided keep its split, growing like the status quo (:func:`applied`).
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from sim.files.errors import InputError, say
from sim.model.params import Params
from sim.model.scenario import Scenario
from . import search
from .objective import ROBUST, Counter, aggregate, per_round
from .problem import Problem, Rules, make_problem

ROUNDS_SHOWN = 3  # the target round and the two after it, in every result's by_round


@dataclass(frozen=True)
class Robust:
    """Optimize a criterion over parameter draws instead of the central parameters: ``criterion``
    'prob_a' (the chance of tier A, averaged over the rounds scored) or 'p10' (the 10th percentile
    of the rounds' mean score), over ``draws`` fixed draws of :mod:`sim.uncertainty` (seed
    ``seed``, ranges scaled by ``width``)."""

    criterion: str = "prob_a"
    draws: int = 48
    seed: int = 0
    width: float = 1.0

    def __post_init__(self) -> None:
        if self.criterion not in ROBUST:
            raise InputError("unknown_objective", objective=self.criterion, known=", ".join(ROBUST))


@dataclass(frozen=True)
class Options:
    """How :func:`optimize` searches: the plan's ``rules``; ``robust`` (None: the central
    parameters); ``params`` (parameters of the nominal objective, e.g. one draw); ``starts``
    (extra starting allocations, programs x decision years, e.g. a previous optimum)."""

    rules: Rules = field(default_factory=Rules)
    robust: Robust | None = None
    params: Params | None = None
    starts: tuple = ()
    progress: object = None  # progress(done, total) after each step of a long question (the frontier)


@dataclass(frozen=True)
class Allocation:
    """The optimizer's result, in the manner of ``scipy.optimize.OptimizeResult``.

    ``allocation``: programs x decision years (whole 万元); ``fun``: the objective at the optimum
    (the mean over the rounds scored); ``fun_current`` / ``fun_even``: under the scenario's own
    split (rescaled to the budget) and an even split; ``gain`` = fun - fun_current;
    ``shadow_prices``: objective gained per 100万 more a year in each program; ``binding``:
    constraints holding with equality; ``idle_years``: years whose spending cannot move the
    objective; ``data_year``: the statistics year of the target round; ``by_round``: the score
    of the target round and the two after it (rows 'plan' and 'current', columns the assessment
    years) at the central parameters; ``scenario``: the scenario with the plan applied
    (:func:`applied`); ``raised``: the budget asked for was below the status quo and was raised.
    """

    allocation: pd.DataFrame
    x: np.ndarray
    fun: float
    fun_current: float
    fun_even: float
    gain: float
    shadow_prices: pd.Series
    binding: tuple[str, ...]
    success: bool
    status: int
    message: str
    nfev: int
    nit: int
    seconds: float
    objective: str
    target_year: int
    scenario: Scenario = field(repr=False)
    idle_years: tuple[int, ...] = ()
    data_year: int = 0
    robust: pd.DataFrame | None = field(default=None, repr=False)
    notes: tuple[tuple[str, dict], ...] = ()
    binding_codes: tuple[tuple[str, dict], ...] = ()
    rules: Rules = field(default_factory=Rules)
    by_round: pd.DataFrame | None = field(default=None, repr=False)
    raised: bool = False

    def explain(self, lang: str = "en") -> str:
        """The message in ``lang`` (zh or en)."""
        return "; ".join(say(code, lang, **params) for code, params in self.notes)

    @property
    def fun_at_target(self) -> float:
        """The objective of the target round alone at the central parameters (``fun`` is the
        mean over the rounds scored)."""
        if self.by_round is not None and not self.by_round.empty:
            return float(self.by_round.loc["plan"].iloc[0])
        return self.fun

    def binding_text(self, lang: str = "en", name=str) -> list[str]:
        """The binding constraints in ``lang``, one line per program and kind, its years
        joined ("2022–2024"); ``name`` renders a program id."""
        years: dict[tuple[str, str], list[int]] = {}
        out = []
        for code, p in self.binding_codes:
            if "program" not in p:
                out.append((code, None))
                continue
            if (code, p["program"]) not in years:
                out.append((code, p["program"]))
            years.setdefault((code, p["program"]), []).append(int(p["year"]))
        return [say(code, lang) if prog is None else
                say(code, lang, program=name(prog), year=search.year_span(years[(code, prog)])) for code, prog in out]


def extended(sc: Scenario, x: np.ndarray) -> np.ndarray:
    """A plan over the decision years (P, Y) continued over the scenario's projection: each
    later year keeps the last decided year's amounts grown like the status quo, in whole 万元."""
    P, Y = x.shape
    n = len(sc.years)
    if Y >= n:
        return x[:, :n].copy()
    g = 1 + sc.budget_growth()
    later = np.round(x[:, -1:] * g ** np.arange(1, n - Y + 1))
    return np.concatenate([x, later], axis=1)


def applied(sc: Scenario, x: np.ndarray) -> Scenario:
    """``sc`` with the plan x (P, decision years) in force (see :func:`extended`): what the
    scenario page shows after "apply"."""
    return sc.with_spend_matrix(extended(sc, x))


def optimize(sc: Scenario, budget, target_year: int, bounds: dict | None = None, objective: str | None = None,
             options: Options | None = None) -> Allocation:
    """The plan of a yearly program budget that maximizes the objective for ``target_year``.

    Args:
        sc: the scenario (its current spending is the 'current' split).
        budget: 万元 a year: one number, the first projected year's budget, growing like the
            scenario's status quo; or one per decision year (a shorter list: later years grow like
            the status quo). Whole 万元; raised to the status quo's total unless the rules allow cuts.
        target_year: the year of the target; the county score is that of the statistics of
            ``sc.scored_year(target_year)``, plan attainment that of the year itself.
        bounds: program -> (min, max) 万元 a year, each a number (every year), one per decision
            year, or None.
        objective: 'score' (default for rubric presets), 'attainment' or 'targets_met'.
        options: :class:`Options` (the rules, a robust criterion, parameters, starts).
    Returns:
        An :class:`Allocation`.

    >>> res = optimize(load_preset("demo"), 3000, 2025)  # doctest: +SKIP
    >>> res.fun >= res.fun_current  # doctest: +SKIP
    True
    """
    t0 = time.perf_counter()
    options = options or Options()
    problem = make_problem(sc, budget, target_year, bounds, objective, options.rules)
    if options.robust is not None:
        return _robust(sc, problem, budget, bounds, objective, options, t0)
    f = Counter(problem.scenario, problem.objective, problem.scored, options.params)
    x, fx, nit, idle = _search(problem, f, options.starts)
    return _result(sc, problem, f, (x, idle), nit, t0, notes=_free_notes(sc, problem, budget, bounds, objective, x))


def _search(problem: Problem, f, starts=(), steps: search.Steps = search.Steps()) -> tuple[np.ndarray, float, int, tuple[int, ...]]:
    """The rules' search from its starts (see :mod:`sim.plan.search`; ``steps``: its greedy start
    and step sizes), then the plan in whole 万元 with idle years continuing the year before (the
    status quo's split under ``free``)."""
    split = problem.rules.split
    if split == "steady":
        x, fx, nit = _steady(problem, f, starts, steps)
    elif split == "smooth":
        z, _, nit0 = _steady(problem, f, starts, steps)
        x, fx, nit = _smooth(problem, f, z, starts, steps)
        nit += nit0
    else:
        x, fx, nit = _free(problem, f, starts, steps)
    idle = search.idle_years(problem, x, f)
    current = _current(problem)
    for j, y in enumerate(problem.years):
        if y in idle:
            x[:, j] = current[:, j] if split == "free" or j == 0 else x[:, j - 1] / problem.budget[j - 1] * problem.budget[j]
    x = search.whole(x, problem)
    return x, float(f(x)[0]), nit, idle


def _current(problem: Problem) -> np.ndarray:
    """The scenario's own split rescaled to the budget (the 'current' of every comparison);
    projected once per problem, a copy each call."""
    if "current" not in problem.memo:
        problem.memo["current"] = search.project(problem.scenario.spend_matrix()[:, :problem.shape[1]], problem)
    return problem.memo["current"].copy()


def _even(problem: Problem) -> np.ndarray:
    """Every program the same share of each year's budget, within the bounds; once per problem."""
    if "even" not in problem.memo:
        P, Y = problem.shape
        problem.memo["even"] = search.project(np.broadcast_to(problem.budget / P, (P, Y)).copy(), problem)
    return problem.memo["even"].copy()


def _best(f, pool: list[np.ndarray]) -> tuple[np.ndarray, float]:
    vals = f(np.array(pool))
    k = int(np.argmax(vals))
    return pool[k].copy(), float(vals[k])


def _free(problem: Problem, f, starts, steps: search.Steps) -> tuple[np.ndarray, float, int]:
    pool = [_current(problem), _even(problem), *([search.greedy(problem, f)] if steps.greedy else []),
            *[search.project(np.asarray(s, float), problem) for s in starts]]
    x, fx = _best(f, pool)
    return search.pattern_search(x, fx, problem, f, steps)


def _steady(problem: Problem, f, starts, steps: search.Steps) -> tuple[np.ndarray, float, int]:
    st = search.Steady.of(problem)
    red, fr = st.reduced, st.objective(f)
    first = [_current(problem)[:, :1], _even(problem)[:, :1], search.start_shares(problem)[:, None] * red.budget,
             *[np.asarray(s, float)[:, :1] for s in starts]]
    pool = [search.project(z, red) for z in first] + ([search.greedy(red, fr)] if steps.greedy else [])
    z, fz = _best(fr, pool)
    z, fz, nit = search.pattern_search(z, fz, red, fr, steps)
    return st.expand(z), fz, nit


def _smooth(problem: Problem, f, steady: np.ndarray, starts, steps: search.Steps) -> tuple[np.ndarray, float, int]:
    status_quo = search.start_shares(problem)[:, None] * problem.budget
    target = steady[:, 0] / max(problem.budget[0], 1e-12)
    pool = [search.project(status_quo, problem), search.project(search.phased(problem, target), problem)]
    ok = search.smooth_ok(problem, pool[0])
    pool += [search.project(np.asarray(s, float), problem) for s in starts]
    pool = [p for p in pool if ok(p[None])[0]] or pool[:1]
    x, fx = _best(f, pool)
    return search.pattern_search(x, fx, problem, f, replace(steps, allowed=search.smooth_ok(problem, x),
                                                            movers=(search.moves, search.onward_moves)))


def _frame(problem: Problem, x: np.ndarray) -> pd.DataFrame:
    return pd.DataFrame(x, index=pd.Index(problem.programs, name="program"),
                        columns=pd.Index(problem.years, name="year"))


def by_round(sc: Scenario, problem: Problem, plans: dict[str, np.ndarray], params: Params | None = None) -> pd.DataFrame:
    """The score of the target round and the two after it (within the projection) for each plan
    (name -> P x decision years, continued by :func:`extended`), at ``params``: rows the plans,
    columns the assessment years (the statistics years under the 'data' reading)."""
    if problem.objective != "score":
        return pd.DataFrame()
    last = min(problem.data_year + ROUNDS_SHOWN - 1, sc.horizon)
    years = tuple(range(problem.data_year, last + 1))
    short = sc.with_horizon(last) if sc.horizon != last else sc
    x = np.array([extended(short, v) for v in plans.values()])
    vals = per_round(short, x, "score", params, years)
    return pd.DataFrame(vals, index=list(plans), columns=[sc.assessed_year(y) for y in years])


def _result(sc: Scenario, problem: Problem, f, found: tuple, nit: int, t0: float, notes=(),
            robust: pd.DataFrame | None = None, exact: tuple[float, float, float] | None = None) -> Allocation:
    """The :class:`Allocation` of the plan found for ``problem``: ``found`` = (x, idle years)."""
    x, idle = found
    current, even = _current(problem), _even(problem)
    vals = f(np.array([x, current, even, *search.plus_each(x, 100.0)]))
    fun, fun_current, fun_even = exact or (float(vals[0]), float(vals[1]), float(vals[2]))
    head = [("opt_already_optimal", {}) if vals[0] <= vals[1] + search.TOL else ("opt_found", {})]
    if problem.raised:
        head.append(("opt_budget_raised", {"budget": f"{problem.budget[0]:,.0f}"}))
    if idle:
        head.append(("opt_idle_years", {"years": ", ".join(map(str, idle)), "year": problem.target_year}))
    notes = tuple(head) + tuple(notes)
    binding = search.binding(problem, x)
    shadow = pd.Series(vals[3:] - vals[0], index=pd.Index(problem.programs, name="program"),
                       name="per_100万")
    rounds = by_round(sc, problem, {"plan": x, "current": current})
    return Allocation(_frame(problem, x), x, fun, fun_current, fun_even, fun - fun_current, shadow,
                      tuple(say(c, "en", **p) for c, p in binding), True, 0,
                      "; ".join(say(c, "en", **p) for c, p in notes), f.nfev, nit, time.perf_counter() - t0,
                      problem.objective, problem.target_year, applied(sc, x), idle, problem.data_year, robust,
                      notes, binding, problem.rules, rounds, problem.raised)


def _free_notes(sc: Scenario, problem: Problem, budget, bounds, objective, x: np.ndarray) -> tuple:
    """What the free single-round optimum gives up against the default rules' plan: the target
    round's points it adds and the next round's it loses."""
    if problem.rules.split != "free" or problem.objective != "score" or problem.data_year >= sc.horizon:
        return ()
    default = optimize(sc, budget, problem.target_year, bounds, objective)
    rounds = by_round(sc, problem, {"free": x, "default": default.x})
    if rounds.shape[1] < 2:
        return ()
    first, second = rounds.columns[:2]
    return (("opt_free_tradeoff", {"year": first, "gain": f"{rounds.loc['free', first] - rounds.loc['default', first]:+.1f}",
                                   "next": second,
                                   "loss": f"{rounds.loc['free', second] - rounds.loc['default', second]:+.1f}"}),)


def _robust(sc: Scenario, problem: Problem, budget, bounds, objective, options: Options, t0: float) -> Allocation:
    """Maximize a robust criterion over fixed draws: a refining search (:data:`sim.plan.search.REFINE`)
    from the nominal optimum."""
    from ..uncertainty import draw

    rb = options.robust
    if problem.objective != "score":
        raise InputError("no_rubric", preset=sc.preset_id)
    nominal = optimize(sc, budget, problem.target_year, bounds, objective, replace(options, robust=None))
    samples = draw(problem.scenario, rb.draws, rb.seed, rb.width)
    f = Counter(problem.scenario, "score", problem.scored, samples=samples, robust=rb.criterion)
    x, fx, nit, idle = _search(problem, f, (nominal.x, *options.starts), search.REFINE)
    if fx < f(nominal.x[None])[0]:  # the search's rounding may cost more than it found
        x, idle = nominal.x.copy(), nominal.idle_years
    raw = f.raw(np.array([nominal.x, x, _current(problem), _even(problem)]))  # (4, m, rounds)
    exact = aggregate(raw, rb.criterion) if rb.criterion == "p10" else (np.round(raw, 9) >= 80).mean(axis=(1, 2))
    first = raw[:2, :, 0]  # the target round
    nominal_fun = Counter(problem.scenario, "score", problem.scored)(np.array([nominal.x, x]))
    compare = pd.DataFrame({
        "allocation": ["nominal", "robust"], "criterion": exact[:2], "score_default_parameters": nominal_fun,
        "P10": np.quantile(first, 0.1, axis=1), "P50": np.quantile(first, 0.5, axis=1),
        "P_tier_A": (np.round(first, 9) >= 80).mean(axis=1)})
    notes = ((f"opt_robust_{rb.criterion}", {"draws": rb.draws, "seed": rb.seed}),)
    res = _result(sc, problem, f, (x, idle), nominal.nit + nit, t0, notes, compare,
                  (float(exact[1]), float(exact[2]), float(exact[3])))
    return replace(res, objective=f"robust_{rb.criterion}", nfev=nominal.nfev + f.nfev * rb.draws)
