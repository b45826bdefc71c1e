"""Budget optimizer: the split of the yearly S&T program budget that most raises the objective.

Decision variables: spending x[p, y] (万元) of each program p in each year y from the first
projected year to the target year. Constraints: sum_p x[p, y] = B_y (the yearly budget) and
lo[p] <= x[p, y] <= hi[p]. Objectives (one function, :func:`score_allocations`, serves the
optimizer, its tests and the app):

* ``score``: the county score of the target year's statistics (rubric presets);
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
from .simulate import rubric_values

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

    @property
    def years(self) -> tuple[int, ...]:
        return tuple(range(self.scenario.base_year + 1, self.target_year + 1))

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
    if not (sc.base_year < target_year <= sc.horizon):
        raise InputError("target_year_outside", year=target_year, first=sc.base_year + 1, last=sc.horizon)
    n_years = target_year - sc.base_year
    b = np.broadcast_to(np.asarray(budget, dtype=float), (n_years,)).copy() if np.ndim(budget) == 0 \
        else np.asarray(budget, dtype=float)
    if b.shape != (n_years,):
        raise InputError("budget_years", given=len(b), needed=n_years, first=sc.base_year + 1, last=target_year)
    if not np.isfinite(b).all() or (b < 0).any():
        raise InputError("negative_total_budget", value=f"{b.min():g}")
    progs = sc.programs
    lo = np.zeros((len(progs), n_years))
    hi = np.broadcast_to(b, lo.shape).copy()
    for key, pair in (bounds or {}).items():
        if key not in progs:
            raise InputError("unknown_key", key=key, known=", ".join(progs))
        mn, mx = pair
        i = progs.index(key)
        if (mn is not None and (not np.isfinite(mn) or mn < 0)) or \
                (mx is not None and (not np.isfinite(mx) or mx < 0 or (mn is not None and mx < mn))):
            raise InputError("bad_bounds", program=key, min=f"{mn}", max=f"{mx}")
        if mn is not None:
            lo[i] = float(mn)
            hi[i] = np.maximum(hi[i], lo[i])
        if mx is not None:
            hi[i] = np.minimum(hi[i], float(mx))
    for j, y in enumerate(range(sc.base_year + 1, target_year + 1)):
        if lo[:, j].sum() > b[j] + 1e-9:
            raise InputError("minimums_above_budget", year=y, minimums=f"{lo[:, j].sum():g}", budget=f"{b[j]:g}")
        if hi[:, j].sum() < b[j] - 1e-9:
            raise InputError("maximums_below_budget", year=y, maximums=f"{hi[:, j].sum():g}", budget=f"{b[j]:g}")
    if no_cut:
        prev = sum(sc.status_quo.values())
        for y, v in zip(range(sc.base_year + 1, target_year + 1), b):
            if v < prev - 1e-9:
                raise InputError("budget_cut", year=y, value=f"{v:g}", previous=f"{prev:g}")
            prev = v
    return Problem(sc.with_horizon(target_year) if sc.horizon != target_year else sc,
                   target_year, objective, b, lo, hi, no_cut)


# ---------------------------------------------------------------------- objective
def score_allocations(sc: Scenario, allocations: np.ndarray, target_year: int,
                      objective: str | None = None, params: Params | None = None) -> np.ndarray:
    """The objective for a batch of allocations, vectorized.

    Args:
        sc: the scenario; spending after ``target_year`` does not matter.
        allocations: (n, programs, years) 万元, programs in ``sc.programs`` order, years from
            ``sc.base_year + 1`` to ``target_year``.
        target_year: the year whose statistics are scored.
        objective: 'score' (rubric presets, default there), 'attainment' or 'targets_met'.
    Returns:
        (n,) objective values (points, % attainment, or a count).
    """
    objective = objective or ("score" if sc.rubric_id else "attainment")
    short = sc if sc.horizon == target_year else sc.with_horizon(target_year)
    return _objective(short, np.asarray(allocations, dtype=float), objective, params)


def _objective(sc: Scenario, x: np.ndarray, objective: str, params: Params | None = None) -> np.ndarray:
    X = run(sc, x, params)
    if objective == "score":
        from .rubric import score

        last = {q: v[:, -1] for q, v in X.items()}
        return score(load_rubric(sc.rubric_id), rubric_values(sc, last)).total
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
    equality; ``idle_years``: years whose spending cannot move the objective (lags).
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
    robust: pd.DataFrame | None = field(default=None, repr=False)
    notes: tuple[tuple[str, dict], ...] = ()
    binding_codes: tuple[tuple[str, dict], ...] = ()

    def explain(self, lang: str = "en") -> str:
        """The message in ``lang`` (zh or en)."""
        return "; ".join(say(code, lang, **params) for code, params in self.notes)

    def binding_text(self, lang: str = "en", name=str) -> list[str]:
        """The binding constraints in ``lang``; ``name`` renders a program id."""
        return [say(code, lang, **({**p, "program": name(p["program"])} if "program" in p else p))
                for code, p in self.binding_codes]


# ---------------------------------------------------------------------- helpers
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
        k = x.shape[0]
        m = max(np.size(v) for d in (self.samples.growth, self.samples.unit_cost, self.samples.param,
                                     self.samples.lag) for v in d.values())
        tile = lambda d: {key: np.tile(np.asarray(v), k) for key, v in d.items()}  # noqa: E731
        p = Params(growth=tile(self.samples.growth), unit_cost=tile(self.samples.unit_cost),
                   param=tile(self.samples.param), lag=tile(self.samples.lag))
        return _objective(self.problem.scenario, np.repeat(x, m, axis=0), self.problem.objective, p).reshape(k, m)

    def __call__(self, x: np.ndarray) -> np.ndarray:
        x = np.asarray(x, dtype=float)
        if x.ndim == 2:
            x = x[None]
        self.nfev += x.shape[0]
        if self.samples is None:
            return _objective(self.problem.scenario, x, self.problem.objective, self.params)
        return aggregate(self.raw(x), self.robust)


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
                    objective: str | None = None) -> pd.Series:
    """Objective gained in ``target_year`` by ``step`` 万元 more a year in each program, over the
    scenario's own spending (the 'where are the next points' view); program -> gain."""
    x = sc.spend_matrix()[:, : target_year - sc.base_year]
    vals = score_allocations(sc, np.concatenate([x[None], _plus_each(x, step)]), target_year, objective)
    return pd.Series(vals[1:] - vals[0], index=pd.Index(sc.programs, name="program"), name="gain")


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
        budget: 万元 a year, a number or one per year from ``sc.base_year + 1`` to ``target_year``.
        target_year: the year whose statistics are scored.
        bounds: program -> (min, max) 万元 a year (None for no bound); None: only x >= 0.
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
                      applied, idle, notes=tuple(notes), binding_codes=binding)


def budget_frontier(sc: Scenario, budgets, target_year: int, bounds: dict | None = None,
                    objective: str | None = None, progress=None) -> pd.DataFrame:
    """Best objective for each yearly budget (万元), non-decreasing in the budget.

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
            extra += (b - prev.x.sum(axis=0)) / extra.shape[0]
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


@dataclass(frozen=True)
class MinBudget:
    """Result of :func:`min_budget`: ``budget`` (万元 a year) or ``reachable=False`` with the best
    score reachable at ``budget`` (the largest tried)."""

    reachable: bool
    budget: float
    score: float
    target: float
    allocation: Allocation
    message: str


def min_budget(sc: Scenario, score: float = 80.0, target_year: int | None = None,
               bounds: dict | None = None, objective: str | None = None,
               max_budget: float | None = None, rel_tol: float = 0.005) -> MinBudget:
    """The smallest yearly budget whose optimal split reaches ``score`` in ``target_year``.

    Bisection on the budget; ``max_budget`` (default: 50 times the current program budget, at
    least 100,000万元) bounds the search. The result reaches the score and 99% of it does not.
    """
    target_year = target_year or sc.horizon
    current = float(sum(sc.status_quo.values())) or 1000.0
    cap = max_budget or max(50 * current, 1e5)
    hi_res = optimize(sc, cap, target_year, bounds, objective)
    if hi_res.fun < score - TOL:
        return MinBudget(False, cap, hi_res.fun, score, hi_res,
                         f"not reachable within the bounds: at most {hi_res.fun:.2f} with {cap:g}万元 a year")
    lo, hi, best = 0.0, cap, hi_res
    while True:
        while hi - lo > rel_tol * hi:
            mid = (lo + hi) / 2
            r = optimize(sc, mid, target_year, bounds, objective)
            if r.fun >= score - TOL:
                hi, best = mid, r
            else:
                lo = mid
        check = optimize(sc, 0.99 * hi, target_year, bounds, objective)
        if check.fun < score - TOL:
            break
        hi, best, lo = 0.99 * hi, check, 0.0  # the optimizer was not monotone here: search again below
    return MinBudget(True, hi, best.fun, score, best, f"{hi:.0f}万元 a year reaches {score:g}")


ROBUST = ("p10", "prob_a")


def _robust(sc, problem, budget, bounds, objective, no_cut, robust, draws, seed, width, t0) -> Allocation:
    """Maximize a robust objective over fixed draws, starting from the nominal optimum."""
    from dataclasses import replace

    from .uncertainty import params_of, ranges, sample

    if robust not in ROBUST:
        raise InputError("unknown_objective", objective=robust, known=", ".join(ROBUST))
    if problem.objective != "score":
        raise InputError("no_rubric", preset=sc.preset_id)
    nominal = optimize(sc, budget, problem.target_year, bounds, objective, no_cut)
    rs = ranges(problem.scenario, width)
    samples = params_of(rs, sample(rs, draws, seed))
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
