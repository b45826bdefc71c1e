"""Budget optimizer: the split of the yearly S&T program budget that most raises the objective.

Decision variables: spending x[p, y] (万元) of each program p in each year y from the first
projected year to the scored year. Constraints: sum_p x[p, y] = B_y (the yearly budget: one
number is the first year's budget, growing like the scenario's status quo) and lo[p] <= x[p, y]
<= hi[p]. The target year of a tier is read by the scenario's ``tier_reading``: under the default
(the assessment held in that year) the score is that of the previous year's statistics.
Objectives (one function, :func:`score_allocations`, serves the optimizer, its tests and the app):

* ``score``: the county score of the scored year's statistics (rubric presets);
* ``attainment``: 100 x (1 - weighted shortfall) over the plan targets up to the target year;
* ``targets_met``: the number of plan targets met up to the target year.

Method. The score is piecewise linear with caps, so gradients vanish on flat pieces and jump
at breakpoints. The optimizer therefore moves finite amounts of money, evaluating every
candidate move at once with the vectorized engine: (1) starts: the current split, an even
split and a greedy fill (budget added in twentieths to whichever program gains most);
(2) pattern search from the best start: transfer a step of money from one program to another
within a year, take the best improving transfer, and halve the step when none improves, down
to 1/1024 of the budget. Because more spending never lowers the score, the frontier over
budgets is made non-decreasing by also starting each budget from the previous optimum.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .errors import InputError, say
from .loaders import load_catalog, load_rubric
from .projection import Params, run
from .scenario import Scenario
from .simulate import score_batch

OBJECTIVES = ("score", "attainment", "targets_met")
MIN_STEP = 1 / 1024
GREEDY_STEPS = 20
MAX_MOVES_PER_STEP = 60
TOL = 1e-9


# ---------------------------------------------------------------------- problem
@dataclass(frozen=True)
class Problem:
    """A validated optimization problem (arrays are programs x decision years, 万元)."""

    scenario: Scenario
    target_year: int
    objective: str
    budget: np.ndarray
    lo: np.ndarray
    hi: np.ndarray
    no_cut: bool = False
    data_year: int = 0

    @property
    def years(self) -> tuple[int, ...]:
        return tuple(range(self.scenario.base_year + 1, self.data_year + 1))

    @property
    def programs(self) -> tuple[str, ...]:
        return self.scenario.programs

    @property
    def shape(self) -> tuple[int, int]:
        return self.lo.shape


def make_problem(sc: Scenario, budget, target_year: int, bounds: dict | None = None,
                 objective: str | None = None, no_cut: bool = False) -> Problem:
    """Validate the inputs of :func:`optimize` (clear errors for infeasible problems)."""
    objective = objective or ("score" if sc.rubric_id else "attainment")
    if objective not in OBJECTIVES:
        raise InputError("unknown_objective", objective=objective, known=", ".join(OBJECTIVES))
    if objective == "score" and not sc.rubric_id:
        raise InputError("no_rubric", preset=sc.preset_id)
    data_year = scored_year(sc, target_year, objective)
    if not (sc.base_year < data_year <= sc.horizon):
        first, last = sc.base_year + 1, sc.horizon
        if objective == "score":
            first, last = sc.assessed_year(first), sc.assessed_year(last)
        raise InputError("target_year_outside", year=target_year, first=first, last=last)
    n_years = data_year - sc.base_year
    if np.ndim(budget) == 0:
        if not np.isfinite(float(budget)) or float(budget) < 0:
            raise InputError("negative_total_budget", value=f"{float(budget):g}")
        b = sc.path(float(budget))[:n_years]
    else:
        b = np.asarray(budget, dtype=float)
    if b.shape != (n_years,):
        raise InputError("budget_years", given=len(b), needed=n_years, first=sc.base_year + 1, last=data_year)
    if not np.isfinite(b).all() or (b < 0).any():
        raise InputError("negative_total_budget", value=f"{b.min():g}")
    progs = sc.programs
    lo = np.zeros((len(progs), n_years))
    hi = np.broadcast_to(b, lo.shape).copy()
    for key, pair in (bounds or {}).items():
        if key not in progs:
            raise InputError("unknown_key", key=key, known=", ".join(progs))
        i = progs.index(key)
        mn, mx = (_bound(v, n_years, key, pair) for v in pair)
        if (mn is not None and (mn < 0).any()) or (mx is not None and ((mx < 0).any() or (
                mn is not None and (mx < mn - 1e-9).any()))):
            raise InputError("bad_bounds", program=key, min=_shown(pair[0]), max=_shown(pair[1]))
        if mn is not None:
            lo[i] = mn
            hi[i] = np.maximum(hi[i], lo[i])
        if mx is not None:
            hi[i] = np.minimum(hi[i], mx)
    for j, y in enumerate(range(sc.base_year + 1, data_year + 1)):
        if lo[:, j].sum() > b[j] + 1e-9:
            raise InputError("minimums_above_budget", year=y, minimums=f"{lo[:, j].sum():g}", budget=f"{b[j]:g}")
        if hi[:, j].sum() < b[j] - 1e-9:
            raise InputError("maximums_below_budget", year=y, maximums=f"{hi[:, j].sum():g}", budget=f"{b[j]:g}")
    if no_cut:
        prev = sum(sc.status_quo.values())
        for y, v in zip(range(sc.base_year + 1, data_year + 1), b):
            if v < prev - 1e-9:
                raise InputError("budget_cut", year=y, value=f"{v:g}", previous=f"{prev:g}")
            prev = v
    return Problem(sc.with_horizon(data_year) if sc.horizon != data_year else sc,
                   target_year, objective, b, lo, hi, no_cut, data_year)


def _bound(v, n_years: int, key: str, pair) -> np.ndarray | None:
    """A bound as one value per decision year (a number holds every year), or None."""
    if v is None:
        return None
    try:
        a = np.broadcast_to(np.asarray(v, dtype=float), (n_years,)).copy()
    except (TypeError, ValueError):
        raise InputError("bad_bounds", program=key, min=_shown(pair[0]), max=_shown(pair[1])) from None
    if not np.isfinite(a).all():
        raise InputError("bad_bounds", program=key, min=_shown(pair[0]), max=_shown(pair[1]))
    return a


def _shown(v) -> str:
    if v is None:
        return "—"
    if np.ndim(v) == 0:
        return f"{float(v):g}" if isinstance(v, (int, float, np.number)) else str(v)
    return " / ".join(f"{float(x):g}" for x in np.ravel(v))


def base_objective(objective: str) -> str:
    """The objective a robust one aggregates over draws ('robust_p10' -> 'score')."""
    return "score" if objective.startswith("robust_") else objective


def scored_year(sc: Scenario, target_year: int, objective: str | None = None) -> int:
    """The statistics year an objective of ``target_year`` is computed on: the tier reading's
    year for the county score, the year itself for plan attainment."""
    objective = objective or ("score" if sc.rubric_id else "attainment")
    return sc.scored_year(target_year) if objective == "score" else target_year


# ---------------------------------------------------------------------- objective
def score_allocations(sc: Scenario, allocations: np.ndarray, data_year: int,
                      objective: str | None = None, params: Params | None = None) -> np.ndarray:
    """The objective for a batch of allocations, vectorized.

    Args:
        sc: the scenario; spending after ``data_year`` does not matter.
        allocations: (n, programs, years) 万元, programs in ``sc.programs`` order, years from
            ``sc.base_year + 1`` to ``data_year``.
        data_year: the year whose statistics are scored (``Allocation.data_year``).
        objective: 'score' (rubric presets, default there), 'attainment' or 'targets_met'.
        params: parameters (e.g. draws of :mod:`sim.uncertainty`), broadcast against the
            allocations.
    Returns:
        (n,) objective values (points, % attainment, or a count).
    """
    objective = objective or ("score" if sc.rubric_id else "attainment")
    short = sc if sc.horizon == data_year else sc.with_horizon(data_year)
    return _objective(short, np.asarray(allocations, dtype=float), objective, params)


def _objective(sc: Scenario, x: np.ndarray, objective: str, params: Params | None = None) -> np.ndarray:
    X = run(sc, x, params)
    if objective == "score":
        last = {q: v[:, -1] for q, v in X.items()}
        return score_batch(sc, last, params).total
    return _attainment_batch(sc, X, objective)


def _attainment_batch(sc: Scenario, X: dict[str, np.ndarray], objective: str,
                      upto: int | None = None) -> np.ndarray:
    """Weighted attainment (%) or targets met over the numeric targets due by ``upto``
    (default: the horizon); NaN where none is due."""
    cat = load_catalog()
    n = next(iter(X.values())).shape[0]
    upto = sc.horizon if upto is None else upto
    num, den, met = np.zeros(n), 0.0, np.zeros(n)
    for tg in sc.targets:
        if tg.kind not in ("level", "growth") or tg.indicator not in X or not sc.base_year < tg.year <= upto:
            continue
        t = tg.year - sc.base_year
        v = X[tg.indicator][:, t]
        want = float(tg.value)
        if tg.kind == "growth":
            base = sc.base[tg.indicator]
            v = ((v / base) ** (1 / t) - 1) * 100 if base > 0 else np.zeros(n)
        lower = cat.indicators[tg.indicator].direction == "lower"
        gap = (v - want) / abs(want) if want else np.zeros(n)
        s = np.maximum(0.0, gap if lower else -gap)
        num += tg.weight * s
        den += tg.weight
        met += (s <= 1e-12)
    if objective == "targets_met":
        return met
    return 100 * (1 - num / den) if den else np.full(n, np.nan if upto < sc.horizon else 100.0)


# ---------------------------------------------------------------------- result
@dataclass(frozen=True)
class Allocation:
    """The optimizer's result, in the manner of ``scipy.optimize.OptimizeResult``.

    ``allocation``: programs x years (万元); ``fun``: the objective at the optimum;
    ``fun_current`` / ``fun_even``: under the scenario's current split (rescaled to the budget)
    and an even split; ``gain`` = fun - fun_current; ``shadow_prices``: objective gained per
    100万 more a year in each program at the optimum; ``binding``: constraints that hold with
    equality; ``idle_years``: years whose spending cannot move the objective (lags);
    ``target_year``: the year asked for; ``data_year``: the statistics year scored (see
    :func:`scored_year`).
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

    def explain(self, lang: str = "en") -> str:
        """The message in ``lang`` (zh or en)."""
        return "; ".join(say(code, lang, **params) for code, params in self.notes)

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
                say(code, lang, program=name(prog), year=_year_span(years[(code, prog)])) for code, prog in out]


# ---------------------------------------------------------------------- helpers
def _year_span(years: list[int]) -> str:
    """Years as written: "2022", "2022, 2024", "2022–2024" (consecutive)."""
    ys = sorted(set(years))
    if len(ys) > 2 and ys[-1] - ys[0] == len(ys) - 1:
        return f"{ys[0]}–{ys[-1]}"
    return ", ".join(map(str, ys))


def project(x: np.ndarray, problem: Problem) -> np.ndarray:
    """The feasible allocation nearest to ``x`` (Euclidean), year by year."""
    out = np.empty_like(problem.lo)
    for j in range(out.shape[1]):
        lo, hi, b = problem.lo[:, j], problem.hi[:, j], problem.budget[j]
        a, c = (lo - x[:, j]).min() - 1, (hi - x[:, j]).max() + 1
        for _ in range(100):  # bisection on the shift tau: sum(clip(x + tau)) = b
            tau = (a + c) / 2
            if np.clip(x[:, j] + tau, lo, hi).sum() < b:
                a = tau
            else:
                c = tau
        col = np.clip(x[:, j] + c, lo, hi)
        col[np.argmax(hi - col)] += b - col.sum()  # absorb rounding in the roomiest program
        out[:, j] = np.clip(col, lo, hi)
    return out


def from_unit(z: np.ndarray, problem: Problem) -> np.ndarray:
    """Map points of the unit cube (n, programs*years) onto feasible allocations (n, P, Y)."""
    P, Y = problem.shape
    w = np.asarray(z, dtype=float).reshape(-1, P, Y) + 1e-12
    free = problem.budget - problem.lo.sum(axis=0)
    x = problem.lo + w / w.sum(axis=1, keepdims=True) * free
    for _ in range(P):  # hand the excess above a maximum to the programs with room
        over = np.maximum(x - problem.hi, 0.0)
        if over.max() <= 1e-9:
            break
        x = np.minimum(x, problem.hi)
        room = problem.hi - x
        share = room / np.maximum(room.sum(axis=1, keepdims=True), 1e-12)
        x = x + share * over.sum(axis=1, keepdims=True)
    return x


def random_allocations(problem: Problem, n: int, seed: int = 0) -> np.ndarray:
    """n random feasible allocations (Dirichlet weights), (n, P, Y)."""
    rng = np.random.default_rng(seed)
    return from_unit(rng.dirichlet(np.ones(problem.shape[0]), size=(n, problem.shape[1]))
                     .transpose(0, 2, 1).reshape(n, -1), problem)


class _Counter:
    """The objective of a batch of allocations, counting evaluations. With ``samples`` (m
    parameter draws) each allocation is scored under every draw and ``robust`` aggregates:
    'p10' the 10th percentile, 'prob_a' the share of draws reaching tier A (80), plus 1e-3 x the
    mean score to break ties on its plateaus."""

    def __init__(self, problem: Problem, params: Params | None, samples: Params | None = None,
                 robust: str | None = None):
        self.problem, self.params, self.nfev = problem, params, 0
        self.samples, self.robust = samples, robust

    def raw(self, x: np.ndarray) -> np.ndarray:
        """(k, m) objective of k allocations under the m draws."""
        return outcomes(self.problem.scenario, x, self.problem.objective, self.samples)

    def __call__(self, x: np.ndarray) -> np.ndarray:
        x = np.asarray(x, dtype=float)
        if x.ndim == 2:
            x = x[None]
        self.nfev += x.shape[0]
        if self.samples is None:
            return _objective(self.problem.scenario, x, self.problem.objective, self.params)
        return aggregate(self.raw(x), self.robust)


def outcomes(sc: Scenario, x: np.ndarray, objective: str, samples: Params) -> np.ndarray:
    """(k, m): the objective of k allocations (k, P, Y) under each of m parameter draws, with the
    same draws for every allocation (common random numbers); ``sc.horizon`` is the scored year."""
    k, m = x.shape[0], samples.size()
    return _objective(sc, np.repeat(x, m, axis=0), objective, samples.tiled(k)).reshape(k, m)


def aggregate(values: np.ndarray, robust: str) -> np.ndarray:
    """Robust objective of (k, m) outcomes: 'p10' or 'prob_a' (see :class:`_Counter`)."""
    if robust == "p10":
        return np.quantile(values, 0.1, axis=1)
    return (np.round(values, 9) >= 80).mean(axis=1) + 1e-3 * values.mean(axis=1)


def _greedy(problem: Problem, f: _Counter) -> np.ndarray:
    x = problem.lo.copy()
    P, Y = problem.shape
    step = (problem.budget - problem.lo.sum(axis=0)) / GREEDY_STEPS
    for _ in range(GREEDY_STEPS):
        cands = np.repeat(x[None], P, axis=0)
        add = np.minimum(step, problem.hi - x)  # (P, Y) what each program can take
        cands[np.arange(P), np.arange(P)] += add
        vals = f(cands)
        best = int(np.argmax(vals))
        # fill the chosen program; a year where it is full passes the step to the roomiest other
        x[best] += add[best]
        rest = step - add[best]
        for j in np.flatnonzero(rest > 1e-12):
            while rest[j] > 1e-12:
                k = int(np.argmax(problem.hi[:, j] - x[:, j]))
                take = min(rest[j], problem.hi[k, j] - x[k, j])
                x[k, j] += take
                rest[j] -= take
    return project(x, problem)


def _moves(x: np.ndarray, problem: Problem, step: np.ndarray):
    """Every transfer of up to ``step[y]`` from program i to program j within year y."""
    P, Y = problem.shape
    give = np.minimum(x - problem.lo, step)  # (P, Y)
    take = np.minimum(problem.hi - x, step)
    src, dst = np.nonzero(~np.eye(P, dtype=bool))
    amt = np.minimum(give[src][:, None, :], take[dst][:, None, :])[:, 0, :]  # (pairs, Y)
    pairs, years = np.nonzero(amt > 1e-9 * (1 + step))
    a = amt[pairs, years]
    cands = np.repeat(x[None], len(a), axis=0)
    idx = np.arange(len(a))
    cands[idx, src[pairs], years] -= a
    cands[idx, dst[pairs], years] += a
    return cands


def _pattern_search(x: np.ndarray, fx: float, problem: Problem, f: _Counter) -> tuple[np.ndarray, float, int]:
    nit = 0
    scale = problem.budget / 4
    while (scale >= problem.budget * MIN_STEP).any() and scale.max() > 0:
        for _ in range(MAX_MOVES_PER_STEP):
            cands = _moves(x, problem, scale)
            if len(cands) == 0:
                break
            vals = f(cands)
            nit += 1
            best = int(np.argmax(vals))
            if vals[best] <= fx + TOL:
                break
            x, fx = cands[best], float(vals[best])
        scale = scale / 2
    return x, fx, nit


def _idle_years(problem: Problem, x: np.ndarray, f: _Counter) -> tuple[int, ...]:
    """Years in which no program's spending moves the objective (e.g. beyond every lag)."""
    P, Y = problem.shape
    probes = []
    for j in range(Y):
        for i in range(P):
            c = x.copy()
            c[i, j] += max(problem.budget[j], 1000.0)
            probes.append(c)
    vals = f(np.array(probes)).reshape(Y, P)
    return tuple(y for y, row in zip(problem.years, vals) if np.all(row <= f(x)[0] + TOL))


def _plus_each(x: np.ndarray, step: float) -> np.ndarray:
    """(P, Y) -> (P, P, Y): candidate i has ``step`` 万元 more in program i every year."""
    P = x.shape[0]
    cands = np.repeat(x[None], P, axis=0)
    cands[np.arange(P), np.arange(P)] += step
    return cands


def _shadow_prices(problem: Problem, x: np.ndarray, fx: float, f: _Counter) -> pd.Series:
    return pd.Series(f(_plus_each(x, 100.0)) - fx, index=pd.Index(problem.programs, name="program"),
                     name="per_100万")


def marginal_values(sc: Scenario, target_year: int, step: float = 100.0,
                    objective: str | None = None, params: Params | None = None) -> pd.Series | pd.DataFrame:
    """Objective gained for ``target_year`` (read as :func:`scored_year`) by ``step`` 万元 more
    every year in each program, over the scenario's own spending (the 'where are the next
    points' view): program -> gain. With ``params`` (m draws) the gain under each draw, with the
    same draws for every program: a frame programs x draws."""
    year = scored_year(sc, target_year, objective)
    x = sc.spend_matrix()[:, : year - sc.base_year]
    cands = np.concatenate([x[None], _plus_each(x, step)])
    index = pd.Index(sc.programs, name="program")
    if params is None:
        vals = score_allocations(sc, cands, year, objective)
        return pd.Series(vals[1:] - vals[0], index=index, name="gain")
    short = sc if sc.horizon == year else sc.with_horizon(year)
    raw = outcomes(short, cands, objective or ("score" if sc.rubric_id else "attainment"), params)
    return pd.DataFrame(raw[1:] - raw[0], index=index)


def _binding(problem: Problem, x: np.ndarray) -> tuple[tuple[str, dict], ...]:
    """Constraints holding with equality, as (message code, parameters)."""
    out: list[tuple[str, dict]] = [("binding_budget", {})]
    for i, p in enumerate(problem.programs):
        for j, y in enumerate(problem.years):
            if problem.lo[i, j] > 0 and x[i, j] <= problem.lo[i, j] + 1e-6:
                out.append(("binding_min", {"program": p, "year": y}))
            if problem.hi[i, j] < problem.budget[j] and x[i, j] >= problem.hi[i, j] - 1e-6:
                out.append(("binding_max", {"program": p, "year": y}))
    return tuple(out)


# ---------------------------------------------------------------------- API
def optimize(sc: Scenario, budget, target_year: int, bounds: dict | None = None,
             objective: str | None = None, no_cut: bool = False, params: Params | None = None,
             starts: tuple[np.ndarray, ...] = (), robust: str | None = None, draws: int = 48,
             seed: int = 0, width: float = 1.0) -> Allocation:
    """The allocation of a yearly program budget that maximizes the objective in ``target_year``.

    Args:
        sc: the scenario (its current spending is the 'current' split).
        budget: 万元 a year: one number, the first projected year's budget, growing like the
            scenario's status quo (with the public budget by default); or one per year from
            ``sc.base_year + 1`` to the scored year.
        target_year: the year of the target; the county score is that of the statistics of
            ``sc.scored_year(target_year)`` (the previous year under the default assessment
            reading), plan attainment that of the year itself.
        bounds: program -> (min, max) 万元 a year, each a number (every year), one number per
            decision year, or None (no bound); None: only x >= 0.
        objective: 'score' (default for rubric presets), 'attainment' (default otherwise) or
            'targets_met'.
        no_cut: refuse a yearly budget below the previous year's (the seeds' 只增不减).
        params: response parameters (the uncertainty analysis passes samples here).
        starts: extra starting allocations (P, Y), e.g. a previous optimum.
        robust: None (the default-parameter objective), 'p10' (the 10th percentile of the score
            over ``draws`` fixed parameter draws of :mod:`sim.uncertainty`, seed ``seed``, ranges
            scaled by ``width``) or 'prob_a' (the probability of tier A); the result's ``robust``
            frame compares the robust optimum with the nominal one on the same draws.
    Returns:
        An :class:`Allocation`.

    >>> res = optimize(load_preset("demo"), 3000, 2025)  # doctest: +SKIP
    >>> res.fun >= res.fun_current  # doctest: +SKIP
    True
    """
    t0 = time.perf_counter()
    problem = make_problem(sc, budget, target_year, bounds, objective, no_cut)
    if robust is not None:
        return _robust(sc, problem, budget, bounds, objective, no_cut, robust, draws, seed, width, t0)
    f = _Counter(problem, params)
    P, Y = problem.shape
    current = project(problem.scenario.spend_matrix()[:, :Y], problem)
    even = project(np.broadcast_to(problem.budget / P, (P, Y)).copy(), problem)
    pool = [current, even, _greedy(problem, f), *[project(np.asarray(s, float), problem) for s in starts]]
    vals = f(np.array(pool))
    best = int(np.argmax(vals))
    x, fx, nit = _pattern_search(pool[best].copy(), float(vals[best]), problem, f)
    idle = _idle_years(problem, x, f)
    for j, y in enumerate(problem.years):  # money that cannot matter keeps the current split
        if y in idle:
            x[:, j] = current[:, j]
    fx = float(f(x)[0])
    alloc = pd.DataFrame(x, index=pd.Index(problem.programs, name="program"),
                         columns=pd.Index(problem.years, name="year"))
    applied = sc.with_spend_matrix(np.concatenate([x, sc.spend_matrix()[:, Y:]], axis=1))
    notes = [("opt_already_optimal", {}) if fx <= vals[0] + TOL else ("opt_found", {})]
    if idle:
        notes.append(("opt_idle_years", {"years": ", ".join(map(str, idle)), "year": target_year}))
    binding = _binding(problem, x)
    return Allocation(alloc, x, fx, float(vals[0]), float(vals[1]), fx - float(vals[0]),
                      _shadow_prices(problem, x, fx, f), tuple(say(c, "en", **p) for c, p in binding),
                      True, 0, "; ".join(say(c, "en", **p) for c, p in notes),
                      f.nfev, nit, time.perf_counter() - t0, problem.objective, target_year,
                      applied, idle, notes=tuple(notes), binding_codes=binding, data_year=problem.data_year)


def budget_frontier(sc: Scenario, budgets, target_year: int, bounds: dict | None = None,
                    objective: str | None = None, progress=None) -> pd.DataFrame:
    """Best objective for each yearly budget (万元 in the first year, growing like the status
    quo), non-decreasing in the budget.

    Each budget also starts from the previous budget's optimum plus the extra money, so the
    curve never falls (more money never lowers the objective). ``progress(done, total)`` is
    called after each budget (the app's progress bar).
    """
    rows, prev = [], None
    ordered = sorted(float(v) for v in budgets)
    for k, b in enumerate(ordered):
        starts = ()
        if prev is not None:
            extra = prev.x.copy()
            extra += (sc.path(b)[: extra.shape[1]] - prev.x.sum(axis=0)) / extra.shape[0]
            starts = (extra,)
        res = optimize(sc, b, target_year, bounds, objective, starts=starts)
        if prev is not None and res.fun < prev.fun:  # keep the curve honest: prev split + extra
            res = prev
        rows.append({"budget": b, "best": res.fun, "current_split": res.fun_current,
                     "tier": str(load_rubric(sc.rubric_id).tier_of(res.fun)) if res.objective == "score" else "",
                     "seconds": res.seconds})
        prev = res
        if progress is not None:
            progress(k + 1, len(ordered))
    return pd.DataFrame(rows)


# ---------------------------------------------------------------------- planner tools
@dataclass(frozen=True)
class AddedMoney:
    """Result of :func:`added_money`: ``result`` places ``extra`` 万元 a year on top of the
    current split (today's amounts are minimums); ``current``: today's split (programs x decision
    years, 万元); ``added``: result minus current; ``fun_before``: the objective without the extra
    money; ``result.fun_current``: with the extra money spread evenly on top."""

    result: Allocation
    extra: float
    current: pd.DataFrame
    added: pd.DataFrame
    fun_before: float


def added_bounds(sc: Scenario, target_year: int, bounds: dict | None = None,
                 objective: str | None = None) -> tuple[np.ndarray, dict]:
    """The bounds of "only the added money": each program's per-year minimum is today's
    spending (or the user's minimum where higher), its maximum the user's. Returns today's split
    over the decision years (programs x years, 万元) and the bounds (program -> (min, max) per
    year). A maximum below today's spending is an error: today's money is not to be moved."""
    Y = scored_year(sc, target_year, objective) - sc.base_year
    if not 0 < Y <= len(sc.years):
        make_problem(sc, 0.0, target_year, None, objective)  # raises target_year_outside
    current = sc.spend_matrix()[:, :Y]
    merged = {}
    for i, p in enumerate(sc.programs):
        mn, mx = (bounds or {}).get(p, (None, None))
        floor = current[i] if mn is None else np.maximum(current[i], _bound(mn, Y, p, (mn, mx)))
        cap = _bound(mx, Y, p, (mn, mx))
        if cap is not None and (cap < current[i] - 1e-9).any():
            raise InputError("max_below_current", program=p, max=_shown(mx), current=_shown(current[i].round(0)))
        merged[p] = (floor, cap)
    return current, merged


def added_money(sc: Scenario, extra: float, target_year: int, bounds: dict | None = None,
                objective: str | None = None) -> AddedMoney:
    """The best placement of ``extra`` 万元 a year on top of the scenario's current spending: each
    program keeps at least what it has each year (its per-year minimum), the yearly budget is
    today's plus ``extra``. User ``bounds`` add to that (see :func:`added_bounds`)."""
    if not np.isfinite(extra) or extra < 0:
        raise InputError("negative_total_budget", value=f"{extra:g}")
    current, merged = added_bounds(sc, target_year, bounds, objective)
    res = optimize(sc, current.sum(axis=0) + extra, target_year, merged, objective)
    years = res.allocation.columns
    cur = pd.DataFrame(current, index=res.allocation.index, columns=years)
    before = float(score_allocations(sc, current[None], res.data_year, res.objective)[0])
    return AddedMoney(res, float(extra), cur, res.allocation - cur, before)


@dataclass(frozen=True)
class Relaxed:
    """Result of :func:`relaxed_bounds`: the optimum under the bounds (``strict``) and with every
    bound widened by ``factor`` (``relaxed``); ``gain`` = relaxed.fun - strict.fun; ``widened``:
    program -> (min, max) as used (per-year arrays or None); ``bounded``: whether any bound was
    given (without bounds nothing can be relaxed and the two are the same)."""

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


def relaxed_bounds(sc: Scenario, budget, target_year: int, bounds: dict | None, factor: float = 3.0,
                   objective: str | None = None, strict: Allocation | None = None) -> Relaxed:
    """Solve again with every bound widened by ``factor`` (>= 1) and report what it would add:
    the potential the bounds cost. ``strict`` may pass the optimum already found under
    ``bounds`` (it is computed otherwise)."""
    if not np.isfinite(factor) or factor < 1:
        raise InputError("bad_setting", key="factor", value=f"{factor:g}", reason=">= 1")
    strict = strict or optimize(sc, budget, target_year, bounds, objective)
    wide = widen(bounds, factor)
    relaxed = optimize(sc, budget, target_year, wide, objective, starts=(strict.x,))
    return Relaxed(strict, relaxed, float(factor), relaxed.fun - strict.fun, wide, bool(bounds))


def response_curves(sc: Scenario, res: Allocation, bounds: dict | None = None, points: int = 41,
                    reach: float = 1.5) -> pd.DataFrame:
    """Each program's response curve at the optimum: the objective in the target year against
    the program's yearly spending (万元, its average over the decision years; ``sc`` gives the
    current split, ``res`` the optimum found for it under ``bounds``), the other
    programs held at the optimal split (so the total changes along a curve, as in Robyn's and
    Meridian's response curves). The program's per-year pattern is the optimum's (the status
    quo's growth where the optimum gives it nothing). The axis runs from 0 to ``reach`` times the
    largest of its current, optimal and maximum spending.

    A robust optimum's curves show the score at the central parameters (the robust objectives
    are probabilities or percentiles over draws: one curve per draw would not read).

    Returns one row per point: ``program``, ``spend`` (万元 a year), ``value`` (the objective),
    ``inside`` (within the program's bounds: [mean minimum, mean maximum], the whole budget as
    the maximum when none is given), plus rows with ``mark`` "current" and "optimal".
    """
    objective = base_objective(res.objective)
    problem = make_problem(sc, res.x.sum(axis=0), res.target_year, bounds, objective)
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
        vals = score_allocations(sc, trial, res.data_year, objective)
        at = dict(zip(levels.tolist(), vals.tolist()))
        marks = [("", s) for s in levels] + [("current", current[i].mean()), ("optimal", x[i].mean())]
        rows += [{"program": p, "spend": float(s), "value": float(at[s]),
                  "inside": bool(lo - 1e-9 <= s <= hi + 1e-9), "mark": m} for m, s in marks]
    return pd.DataFrame(rows)


@dataclass(frozen=True)
class MinBudget:
    """Result of :func:`min_budget`: ``budget`` (万元 in the first projected year, growing like the
    status quo) or ``reachable=False`` with the best reachable at ``budget`` (the largest tried);
    ``score``: the objective at the central parameters; ``probability``: the share of the
    uncertainty draws reaching the target with that split (NaN without ``confidence``);
    ``confidence``: the probability asked for (None: the central parameters only)."""

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

    def explain(self, lang: str = "en") -> str:
        """The message in ``lang`` (zh or en)."""
        return "; ".join(say(code, lang, **params) for code, params in self.notes)


def _bisect(reaches, lo: float, hi: float, rel_tol: float):
    """Smallest budget in (lo, hi] for which ``reaches(b)`` gives (True, result), by bisection;
    ``hi`` must reach. Returns (budget, result)."""
    ok, best = reaches(hi)
    while hi - lo > rel_tol * hi:
        mid = (lo + hi) / 2
        ok, r = reaches(mid)
        if ok:
            hi, best = mid, r
        else:
            lo = mid
    return hi, best


def min_budget(sc: Scenario, score: float = 80.0, target_year: int | None = None,
               bounds: dict | None = None, objective: str | None = None,
               max_budget: float | None = None, rel_tol: float = 0.005,
               confidence: float | None = None, draws: int = 256, seed: int = 0,
               width: float = 1.0) -> MinBudget:
    """The smallest yearly budget whose optimal split reaches ``score`` for ``target_year``.

    Without ``confidence``: at the central parameters (the optimizer's objective). With
    ``confidence`` c: the smallest budget whose optimized split reaches ``score`` in at least a
    share c of ``draws`` uncertainty draws (:mod:`sim.uncertainty`, seed ``seed``, common to every
    budget tried); the split at each budget is the optimizer's, so a split chosen for the
    probability itself could need a little less. Bisection on the first-year budget (growing
    like the status quo); ``max_budget`` (default: 50 times the current program budget, at least
    100,000万元) bounds the search. The result reaches the target and 99.5% of it does not.

    >>> mb = min_budget(load_preset("demo"), 80, 2025, confidence=0.8)  # doctest: +SKIP
    >>> mb.probability >= 0.8  # doctest: +SKIP
    True
    """
    target_year = target_year or sc.assessed_year(sc.horizon)
    if confidence is not None and not 0 < confidence < 1:
        raise InputError("bad_setting", key="confidence", value=confidence, reason="0 < c < 1")
    current = float(sc.budget()[0]) or 1000.0
    cap = max_budget or max(50 * current, 1e5)
    samples = None
    if confidence is not None:
        from .uncertainty import draw

        problem = make_problem(sc, cap, target_year, bounds, objective)
        samples = draw(problem.scenario, draws, seed, width)

    def reaches(b: float):
        res = optimize(sc, b, target_year, bounds, objective)
        if samples is None:
            return res.fun >= score - TOL, (res, float("nan"))
        short = res.scenario if res.scenario.horizon == res.data_year else res.scenario.with_horizon(res.data_year)
        vals = outcomes(short, res.x[None], res.objective, samples)[0]
        p = float((np.round(vals, 9) >= score).mean())
        return p >= confidence - TOL, (res, p)

    ok, (top, p_top) = reaches(cap)
    what = {"score": f"{score:g}", "year": target_year}
    if not ok:
        code = "min_budget_unreachable" if confidence is None else "min_budget_unreachable_conf"
        notes = ((code, {**what, "best": f"{top.fun:.1f}", "budget": f"{cap:,.0f}",
                         "probability": f"{p_top:.0%}", "confidence": f"{confidence or 0:.0%}"}),)
        return MinBudget(False, cap, top.fun, score, top, say(notes[0][0], "en", **notes[0][1]), p_top,
                         confidence, draws if samples else 0, notes)
    budget, (best, p) = _bisect(reaches, 0.0, cap, rel_tol)
    while True:  # the optimizer is not exactly monotone in the budget: check just below
        ok, (r, q) = reaches(0.995 * budget)
        if not ok:
            break
        budget, (best, p) = _bisect(reaches, 0.0, 0.995 * budget, rel_tol)
    code = "min_budget_found" if confidence is None else "min_budget_found_conf"
    notes = ((code, {**what, "budget": f"{budget:,.0f}", "probability": f"{p:.0%}",
                     "confidence": f"{confidence or 0:.0%}", "growth": f"{sc.budget_growth():.1%}"}),)
    return MinBudget(True, budget, best.fun, score, best, say(notes[0][0], "en", **notes[0][1]), p,
                     confidence, draws if samples else 0, notes)


ROBUST = ("p10", "prob_a")


def _robust(sc, problem, budget, bounds, objective, no_cut, robust, draws, seed, width, t0) -> Allocation:
    """Maximize a robust objective over fixed draws, starting from the nominal optimum."""
    from dataclasses import replace

    from .uncertainty import draw

    if robust not in ROBUST:
        raise InputError("unknown_objective", objective=robust, known=", ".join(ROBUST))
    if problem.objective != "score":
        raise InputError("no_rubric", preset=sc.preset_id)
    nominal = optimize(sc, budget, problem.target_year, bounds, objective, no_cut)
    samples = draw(problem.scenario, draws, seed, width)
    f = _Counter(problem, None, samples, robust)
    P, Y = problem.shape
    current = project(problem.scenario.spend_matrix()[:, :Y], problem)
    pool = [nominal.x, current, project(np.broadcast_to(problem.budget / P, (P, Y)).copy(), problem)]
    vals = f(np.array(pool))
    best = int(np.argmax(vals))
    x, fx, nit = _pattern_search(pool[best].copy(), float(vals[best]), problem, f)
    raw = f.raw(np.array([nominal.x, x, pool[1], pool[2]]))
    exact = np.quantile(raw, 0.1, axis=1) if robust == "p10" else (np.round(raw, 9) >= 80).mean(axis=1)
    raw = raw[:2]
    nominal_fun = _Counter(problem, None)(np.array([nominal.x, x]))
    compare = pd.DataFrame({
        "allocation": ["nominal", "robust"], "score_default_parameters": nominal_fun,
        "P10": np.quantile(raw, 0.1, axis=1), "P50": np.quantile(raw, 0.5, axis=1),
        "P_tier_A": (np.round(raw, 9) >= 80).mean(axis=1)})
    alloc = pd.DataFrame(x, index=pd.Index(problem.programs, name="program"),
                         columns=pd.Index(problem.years, name="year"))
    applied = sc.with_spend_matrix(np.concatenate([x, sc.spend_matrix()[:, Y:]], axis=1))
    notes = ((f"opt_robust_{robust}", {"draws": draws, "seed": seed}),)
    binding = _binding(problem, x)
    return replace(nominal, allocation=alloc, x=x, fun=float(exact[1]), fun_current=float(exact[2]),
                   fun_even=float(exact[3]), gain=float(exact[1] - exact[2]),
                   shadow_prices=_shadow_prices(problem, x, fx, f),
                   binding=tuple(say(c, "en", **p) for c, p in binding), binding_codes=binding,
                   notes=notes, message=say(notes[0][0], "en", **notes[0][1]), nfev=nominal.nfev + f.nfev * draws, nit=nominal.nit + nit,
                   seconds=time.perf_counter() - t0, objective=f"robust_{robust}", scenario=applied,
                   robust=compare)
