"""How the optimizer moves money: a greedy start, then a pattern search of transfers.

The score is piecewise linear with caps, so gradients vanish on flat pieces and jump at
breakpoints. The search therefore moves finite amounts of money, evaluating every candidate move
of a round at once with the vectorized engine: transfer a step from one program to another within
a year, take the best improving transfer, halve the step when none improves, down to 1/1024 of the
budget.

Under a ``steady`` split the search runs on the first year's amounts (one column): each year's
spending is that split times the year's budget (:class:`Steady`). Under a ``smooth`` split the
search starts from the status quo and from a path phased toward the steady optimum
(:func:`phased`), moves money within a year or from a year on (:func:`onward_moves`), and keeps
a move only where every program's share changes by at most ``smooth`` of itself from one year to
the next, the base year's status quo included (:func:`smooth_excess`).
"""
from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from .problem import Problem

MIN_STEP = 1 / 1024
GREEDY_STEPS = 20
MAX_MOVES_PER_STEP = 60
TOL = 1e-9


def project(x: np.ndarray, problem: Problem) -> np.ndarray:
    """The feasible allocation nearest to ``x`` (Euclidean), year by year: each year's shift tau
    with sum(clip(x + tau, lo, hi)) = budget, by bisection, every year at once (rows of the
    transposed arrays, so that each year's sum is numpy's sum of that year alone). The loop ends
    when no year's ends move any more: the result of the full 100 halvings."""
    lo, hi, b = problem.lo.T, problem.hi.T, problem.budget  # (Y, P)
    x = np.ascontiguousarray(np.asarray(x, dtype=float)[:, :lo.shape[0]].T)
    a, c = (lo - x).min(axis=1) - 1, (hi - x).max(axis=1) + 1
    for _ in range(100):  # ufuncs, not np.clip / np.array_equal: their wrappers cost ~3x the work on arrays this small
        tau = (a + c) / 2
        below = np.add.reduce(np.minimum(np.maximum(x + tau[:, None], lo), hi), axis=1) < b
        na, nc = np.where(below, tau, a), np.where(below, c, tau)
        if not ((na != a).any() or (nc != c).any()):
            break
        a, c = na, nc
    out = np.clip(x + c[:, None], lo, hi)
    for j, row in enumerate(out):  # absorb rounding in the roomiest program
        row[np.argmax(hi[j] - row)] += b[j] - row.sum()
    return np.ascontiguousarray(np.clip(out, lo, hi).T)


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


@dataclass(frozen=True)
class Steady:
    """The steady split as a problem of its own: the first year's amounts z (P, 1); year y's
    spending is z x budget_y / budget_1. ``reduced`` is that one-column problem (its bounds the
    tightest of every year's, scaled to the first year)."""

    full: Problem
    reduced: Problem
    growth: np.ndarray

    @classmethod
    def of(cls, problem: Problem) -> "Steady":
        b = problem.budget
        growth = b / b[0] if b[0] > 0 else np.ones_like(b)
        with np.errstate(divide="ignore", invalid="ignore"):
            lo = np.nanmax(np.where(growth > 0, problem.lo / growth, 0.0), axis=1, keepdims=True)
            hi = np.nanmin(np.where(growth > 0, problem.hi / growth, np.inf), axis=1, keepdims=True)
        hi = np.minimum(np.maximum(hi, lo), b[0])
        reduced = replace(problem, budget=b[:1], lo=lo, hi=hi)
        return cls(problem, reduced, growth)

    def expand(self, z: np.ndarray) -> np.ndarray:
        """(…, P, 1) first-year amounts -> (…, P, Y) every year's."""
        return z * self.growth

    def objective(self, f):
        """``f`` on allocations, as a function of first-year amounts (counting kept in ``f``)."""
        return lambda z: f(self.expand(np.asarray(z, dtype=float)))


def greedy(problem: Problem, f) -> np.ndarray:
    """Budget added in twentieths to whichever program gains most (a start)."""
    x = problem.lo.copy()
    P, Y = problem.shape
    step = (problem.budget - problem.lo.sum(axis=0)) / GREEDY_STEPS
    for _ in range(GREEDY_STEPS):
        cands = np.repeat(x[None], P, axis=0)
        add = np.minimum(step, problem.hi - x)  # (P, Y) what each program can take
        cands[np.arange(P), np.arange(P)] += add
        vals = f(cands)
        best = int(np.argmax(vals))
        x[best] += add[best]
        rest = step - add[best]  # a year where the program is full passes the step on
        for j in np.flatnonzero(rest > 1e-12):
            while rest[j] > 1e-12:
                k = int(np.argmax(problem.hi[:, j] - x[:, j]))
                take = min(rest[j], problem.hi[k, j] - x[k, j])
                x[k, j] += take
                rest[j] -= take
    return project(x, problem)


def moves(x: np.ndarray, problem: Problem, step: np.ndarray, allowed=None) -> np.ndarray:
    """Every transfer of up to ``step[y]`` from program i to program j within year y (those
    ``allowed`` keeps, when given)."""
    P, Y = problem.shape
    give = np.minimum(x - problem.lo, step)
    take = np.minimum(problem.hi - x, step)
    src, dst = np.nonzero(~np.eye(P, dtype=bool))
    amt = np.minimum(give[src][:, None, :], take[dst][:, None, :])[:, 0, :]  # (pairs, Y)
    pairs, years = np.nonzero(amt > 1e-9 * (1 + step))
    cands = transfers(x, src[pairs], dst[pairs], years, amt[pairs, years])
    return cands if allowed is None else cands[allowed(cands)]


def transfers(x: np.ndarray, src: np.ndarray, dst: np.ndarray, years: np.ndarray, amount: np.ndarray) -> np.ndarray:
    """(P, Y) -> (n, P, Y): candidate k moves ``amount[k]`` 万元 from program ``src[k]`` to
    ``dst[k]`` in year ``years[k]``."""
    cands = np.repeat(x[None], len(amount), axis=0)
    idx = np.arange(len(amount))
    cands[idx, src, years] -= amount
    cands[idx, dst, years] += amount
    return cands


@dataclass(frozen=True)
class Steps:
    """Which moves a pattern search tries and how large: ``movers`` make the candidates (within a
    year, :func:`moves`; from a year on, :func:`onward_moves`), ``allowed`` keeps those it may
    make (None: all); the step starts at ``first`` of the year's budget and halves down to
    ``last``; ``greedy``: whether the search's pool also holds :func:`greedy`'s start; ``probe``
    > 0: instead of every transfer, the ``probe`` transfers that one-sided probes predict best
    (:func:`probed_moves`; within-year moves only)."""

    movers: tuple = ()
    allowed: object = None
    first: float = 1 / 4
    last: float = MIN_STEP
    greedy: bool = True
    probe: int = 0


# A search refining a good start (the robust stage from the nominal optimum, whose 48 draws make
# each evaluation 48 engine rows): no greedy start; steps from a sixteenth of the budget down to
# 1/64 (the criterion over 48 draws moves in steps of 1/48, so finer moves chase only its
# 1e-3 x mean-score tie-break); each round the 3 transfers one-sided probes predict best instead
# of all P(P-1). On 14 synthetic counties (every 12th, 200万 added; bench/bench_refine.py, re-run
# after the province's recalibration) the robust criterion is the full search's (every transfer,
# 1/4 down to 1/1024: mean 0.380 either way; lower in one county, 0.365 against 0.375, higher in
# another) and P(A) re-checked over 1,000 draws 0.363 either way, at 6.1x fewer engine rows
# (658k -> 108k) and 17 s against 31 s. (Before the recalibration: 0.390, P(A) 0.364 / 0.363, 4.4x
# fewer rows; down to 1/128 the criterion was the same in every county at 25% more rows, down to
# 1/32 it fell, 0.388.)
REFINE = Steps(first=1 / 16, last=1 / 64, greedy=False, probe=3)


def probed_moves(x: np.ndarray, fx: float, problem: Problem, f, step: np.ndarray, k: int) -> np.ndarray:
    """The ``k`` transfers of up to ``step[y]`` (program i to program j within year y) that
    one-sided probes predict best: the objective with each program's spending ``step`` higher and
    lower (2 x programs x years evaluations, off budget), a transfer predicted as the sum of its
    two probes' changes. Costs 2PY + k evaluations a round where :func:`moves` costs P(P-1)Y."""
    P, Y = problem.shape
    give = np.minimum(x - problem.lo, step)
    take = np.minimum(problem.hi - x, step)
    probes = np.concatenate([plus_each_year(x, take), plus_each_year(x, -give)])
    vals = f(probes).reshape(2, P, Y) - fx
    up = np.where(take > 1e-9 * (1 + step), vals[0], -np.inf)
    down = np.where(give > 1e-9 * (1 + step), vals[1], -np.inf)
    pred = down[:, None, :] + up[None, :, :]  # (src, dst, Y)
    pred[np.arange(P), np.arange(P)] = -np.inf
    order = np.argsort(-pred, axis=None, kind="stable")[:k]
    src, dst, years = np.unravel_index(order, pred.shape)
    keep = np.isfinite(pred[src, dst, years])
    src, dst, years = src[keep], dst[keep], years[keep]
    return transfers(x, src, dst, years, np.minimum(give[src, years], take[dst, years]))


def plus_each_year(x: np.ndarray, amount: np.ndarray) -> np.ndarray:
    """(P, Y) -> (P * Y, P, Y): candidate (i, y) has ``amount[i, y]`` 万元 more in program i in year y."""
    P, Y = x.shape
    cands = np.repeat(x[None], P * Y, axis=0)
    i, y = np.divmod(np.arange(P * Y), Y)
    cands[np.arange(P * Y), i, y] += amount[i, y]
    return cands


def pattern_search(x: np.ndarray, fx: float, problem: Problem, f, steps: Steps = Steps()) -> tuple[np.ndarray, float, int]:
    """The best move each round while one improves, halving the step (see the module doc and
    :class:`Steps`)."""
    nit = 0
    movers = steps.movers or (moves,)
    probing = steps.probe > 0 and movers == (moves,) and steps.allowed is None
    scale = problem.budget * steps.first
    while (scale >= problem.budget * steps.last).any() and scale.max() > 0:
        for _ in range(MAX_MOVES_PER_STEP):
            cands = probed_moves(x, fx, problem, f, scale, steps.probe) if probing else \
                np.concatenate([m(x, problem, scale, steps.allowed) for m in movers])
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


def start_shares(problem: Problem) -> np.ndarray:
    """(P,) each program's share of the status quo's spending in the base year (the year before the
    plan's first: a smooth plan starts from what the bureau spends now); even without any."""
    sq = np.array([problem.scenario.status_quo[p] for p in problem.programs], dtype=float)
    return sq / sq.sum() if sq.sum() > 0 else np.full(len(sq), 1.0 / len(sq))


def smooth_room(problem: Problem, prev: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """How far each share may move from ``prev`` in a year under the smooth rule: down by at most
    ``rules.smooth`` of itself (a program is never cut by more than that in a year, so none is
    phased out within a plan), up by at most ``rules.smooth`` of itself or of 1/programs, whichever
    is larger (so a small program can grow). Returns (down, up) in shares of the year's budget."""
    limit = problem.rules.smooth
    return limit * prev, limit * np.maximum(prev, 1.0 / problem.shape[0])


def smooth_excess(problem: Problem, x: np.ndarray) -> np.ndarray:
    """How far allocations (…, P, Y) break the smooth rule (:func:`smooth_room`), summed in shares of
    the year's budget (0 for a smooth plan); the base year's status quo is the year before the first."""
    b = np.maximum(problem.budget, 1e-12)
    s = np.concatenate([np.broadcast_to(start_shares(problem)[:, None], (*x.shape[:-1], 1)), x / b], axis=-1)
    prev, nxt = s[..., :-1], s[..., 1:]
    down, up = smooth_room(problem, prev)
    over = np.maximum(nxt - prev - up, 0.0) + np.maximum(prev - nxt - down, 0.0)
    return over.sum(axis=(-2, -1))


def smooth_ok(problem: Problem, x0: np.ndarray):
    """The predicate of the moves a smooth search may make from ``x0``: none that breaks the rule
    more than ``x0`` does (a start the user's bounds force off the rule stays as close as it can)."""
    base = float(smooth_excess(problem, x0)) + 1e-9

    def ok(cands: np.ndarray) -> np.ndarray:
        return smooth_excess(problem, cands) <= base

    return ok


def phased(problem: Problem, target: np.ndarray) -> np.ndarray:
    """A smooth path (P, Y) from the status quo's shares toward ``target`` shares (P,): each year
    every share moves as far toward its target as the smooth rule lets it, the moves up and down
    scaled to balance."""
    s = start_shares(problem)
    cols = []
    for _ in range(problem.shape[1]):
        down, up = smooth_room(problem, s)
        d = np.clip(target - s, -down, up)
        up, down = d[d > 0].sum(), -d[d < 0].sum()
        if up > down:
            d[d > 0] *= down / up
        elif down > up:
            d[d < 0] *= up / down
        s = np.clip(s + d, 0.0, None)
        cols.append(s / s.sum())
    return np.column_stack(cols) * problem.budget


def onward_moves(x: np.ndarray, problem: Problem, step: np.ndarray, allowed=None) -> np.ndarray:
    """Every transfer of a share of the budget from program i to program j from year y on (the
    share ``step[y] / budget[y]`` at most, the same share every later year): how a smooth plan
    shifts money for good."""
    P, Y = problem.shape
    b = np.maximum(problem.budget, 1e-12)
    give = np.minimum.accumulate(((x - problem.lo) / b)[:, ::-1], axis=1)[:, ::-1]  # room from y on
    take = np.minimum.accumulate(((problem.hi - x) / b)[:, ::-1], axis=1)[:, ::-1]
    src, dst = np.nonzero(~np.eye(P, dtype=bool))
    amt = np.minimum(np.minimum(give[src], take[dst]), step / b)  # (pairs, Y) shares
    pairs, years = np.nonzero(amt > 1e-12)
    d = amt[pairs, years]
    later = (np.arange(Y)[None, :] >= years[:, None]) * b  # (n, Y) 万元 per unit share from y on
    cands = np.repeat(x[None], len(d), axis=0)
    idx = np.arange(len(d))
    cands[idx, src[pairs]] -= d[:, None] * later
    cands[idx, dst[pairs]] += d[:, None] * later
    cands = np.clip(cands, problem.lo, problem.hi)
    return cands if allowed is None else cands[allowed(cands)]


def whole(x: np.ndarray, problem: Problem) -> np.ndarray:
    """The allocation in whole 万元 (what a plan and a link state), each year's total kept:
    largest remainders round up, within the bounds."""
    out = np.maximum(np.floor(x + 1e-9), np.ceil(problem.lo - 1e-9))
    for j in range(x.shape[1]):
        missing = int(round(problem.budget[j] - out[:, j].sum()))
        frac = x[:, j] - out[:, j]
        if missing > 0:  # round up the largest remainders that have room
            for i in np.argsort(-frac, kind="stable"):
                if missing == 0:
                    break
                if out[i, j] + 1 <= problem.hi[i, j] + 1e-9:
                    out[i, j] += 1
                    missing -= 1
        while missing < 0:  # a minimum rounded up: take it back where there is room above one
            room = (out[:, j] - 1 >= problem.lo[:, j] - 1e-9)
            if not room.any():
                break
            i = int(np.argmin(np.where(room, frac, np.inf)))
            out[i, j] -= 1
            frac[i] += 1
            missing += 1
    return out


def idle_years(problem: Problem, x: np.ndarray, f) -> tuple[int, ...]:
    """Years in which no program's spending moves the objective (e.g. beyond every lag): a
    year is idle when none of its probes (one program given max(budget, 1000) 万元 more) raises
    the objective. First each year's largest program is probed, then the other programs of the
    years that probe left undecided only: the years of probing every program of every year (a
    row's value does not depend on the rows evaluated with it), at (Y + 1) + (P - 1) x undecided
    evaluations instead of P Y + 1."""
    P, Y = problem.shape

    def probe(i: int, j: int) -> np.ndarray:
        c = x.copy()
        c[i, j] += max(problem.budget[j], 1000.0)
        return c

    first = [int(np.argmax(x[:, j])) for j in range(Y)]
    vals = f(np.array([x, *(probe(i, j) for j, i in enumerate(first))]))
    fx = vals[0]
    open_years = [j for j in range(Y) if vals[1 + j] <= fx + TOL]
    rest = [(i, j) for j in open_years for i in range(P) if i != first[j]]
    moved = set()
    if rest:
        for (_, j), v in zip(rest, f(np.array([probe(i, j) for i, j in rest]))):
            if v > fx + TOL:
                moved.add(j)
    return tuple(problem.years[j] for j in open_years if j not in moved)


def plus_each(x: np.ndarray, step: float) -> np.ndarray:
    """(P, Y) -> (P, P, Y): candidate i has ``step`` 万元 more in program i every year."""
    P = x.shape[0]
    cands = np.repeat(x[None], P, axis=0)
    cands[np.arange(P), np.arange(P)] += step
    return cands


def binding(problem: Problem, x: np.ndarray) -> tuple[tuple[str, dict], ...]:
    """Constraints holding with equality, as (message code, parameters)."""
    out: list[tuple[str, dict]] = [("binding_budget", {})]
    for i, p in enumerate(problem.programs):
        for j, y in enumerate(problem.years):
            if problem.lo[i, j] > 0 and x[i, j] <= problem.lo[i, j] + 1e-6:
                out.append(("binding_min", {"program": p, "year": y}))
            if problem.hi[i, j] < problem.budget[j] and x[i, j] >= problem.hi[i, j] - 1e-6:
                out.append(("binding_max", {"program": p, "year": y}))
    return tuple(out)


def year_span(years: list[int]) -> str:
    """Years as written: "2022", "2022, 2024", "2022–2024" (consecutive)."""
    ys = sorted(set(years))
    if len(ys) > 2 and ys[-1] - ys[0] == len(ys) - 1:
        return f"{ys[0]}–{ys[-1]}"
    return ", ".join(map(str, ys))
