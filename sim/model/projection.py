"""The projection engine: every quantity year by year, for one scenario or a batch at once.

The organic trends of ``data/indicators.csv`` describe a region that keeps its status-quo
program budget's share of the public budget (the *reference* spending r, :meth:`Scenario.
reference_matrix`). Programs therefore act only through the difference between the scenario's
spending x and that reference, so no unit is counted twice: under the reference every program
effect is zero and the projection is the trend.

For each projected year t (t = 1 is the year after the baseline), in this order:

1. Program units (:mod:`sim.model.effects`). An effect paid before its units exist turns the spending
   of year t - L into caused units with diminishing returns up to a capacity; a post-award effect
   (后补助) turns it into a higher award per recognised unit, which causes units through an
   elasticity, and leaves money above its largest award unspent (not paid, not counted in fiscal
   S&T spending).
2. Quantities in dependency order (see :mod:`sim.model.catalog` for each kind's equation): drivers
   and flows follow their trend (flows plus U), stocks grow and add U, pipelines feed from their
   source L years before, inflows add new units in proportion to their pool, elastic quantities
   follow their source, sums add their parts (fiscal S&T spending = the rest of S&T spending +
   the year's program spending), ratios divide numerator by denominator. Stocks never go below
   zero.
3. Ceilings. A quantity with a ceiling M (another indicator, ``cap``, or a constant, ``upper``)
   stops at it, or with ``saturation = logistic`` approaches it smoothly:
       s = (raw / M) / (1 - s_a + raw / M)
   where s_a is the anchor share: the previous year's for stepped kinds (stock, pipeline,
   inflow), the baseline's for the others. The odds s / (1 - s) then grow exactly as the
   unbounded share does, s equals the anchor when nothing changes, and s < 1 always.

All parameters broadcast over the batch dimension n: growth rates, awards, additionality,
capacity rates, pipeline/elastic/inflow parameters and baseline values may be scalars or (n,)
arrays; the reference spending may be (n, programs, years).
"""
from __future__ import annotations

import functools
from dataclasses import dataclass, replace
from graphlib import TopologicalSorter

import numpy as np

from .catalog import STEPPED, Catalog, load_catalog
from .effects import Effects, effect_keys, levers, moved_quantities, units  # noqa: F401  (effect_keys, units: public here too)
from .free import Free, free_rows
from .params import Params
from .rubric import load_rubric
from .scenario import Scenario
from .scoring import total_batch

MAX_ANCHOR = 0.999  # a baseline at its ceiling still leaves the logistic a finite slope


@functools.cache
def same_year_order(quantities: tuple[str, ...]) -> tuple[str, ...]:
    """Quantities in an order where each comes after what it needs in the same year."""
    cat = load_catalog()
    qs = set(quantities)
    graph = {q: {d for d in cat.indicators[q].depends_on if d in qs} for q in quantities}
    return tuple(TopologicalSorter(graph).static_order())


def saturate(raw, ceiling, anchor):
    """Logistic approach to a ceiling (see the module doc): raw value -> value below the ceiling,
    equal to ``anchor`` x ceiling when raw is, with odds that grow as raw / ceiling does."""
    m = np.maximum(ceiling, 1e-300)
    s_raw = np.maximum(raw, 0.0) / m
    s_a = np.clip(anchor, 0.0, MAX_ANCHOR)
    return np.where(ceiling > 0, m * s_raw / (1 - s_a + s_raw), 0.0)


def run(sc: Scenario, spend: np.ndarray | None = None, params: Params | None = None,
        policy=None, booked: np.ndarray | None = None, ledger: dict | None = None) -> dict[str, np.ndarray]:
    """Project every quantity: a dict quantity -> array (n, years + 1), column 0 the baseline.

    Args:
        sc: the scenario (baseline, growth, spending, reference spending).
        spend: (programs, years) or (n, programs, years) spending in 万元; the scenario's own
            spending when None. Program order: ``sc.programs``; years: ``sc.years``.
        params: parameters to vary (scalars or (n,) arrays); the scenario's otherwise.
        policy: ``policy(t, X, x)`` called after each projected year t but the last, may raise
            the spending of later years in ``x`` (n, programs, years: ``spend`` itself when it has
            a row per region and is writable, so the caller sees what was paid; else a copy), e.g.
            the province's rewards after an assessment round (:mod:`sim.counties.province`).
        booked: (years,) or (n, years) 万元 counted in the program spending (and so in fiscal S&T
            spending and its share) that cause no units: what the rubric pays for spending itself
            (:func:`sim.plan.tools.money_buys`).
        ledger: a dict that receives ``unspent``, (n, years + 1) 万元 of program spending a
            post-award rule could not pay (:mod:`sim.model.effects`), column 0 the baseline's (0).

    >>> X = run(load_preset("demo"))  # doctest: +SKIP
    >>> X["high_tech_enterprises"].shape  # doctest: +SKIP
    (1, 10)
    """
    cat: Catalog = load_catalog()
    params = params or Params()
    x = np.asarray(sc.spend_matrix() if spend is None else spend, dtype=float)
    if x.ndim == 2:
        x = x[None]
    ref = np.asarray(sc.reference_matrix() if params.reference is None else params.reference, dtype=float)
    if ref.ndim == 2:
        ref = ref[None]
    n_years = len(sc.years)
    n = max(x.shape[0], params.size())
    if policy is not None and (x.shape[0] != n or not x.flags.writeable):
        x = np.array(np.broadcast_to(x, (n, *x.shape[1:])))  # one row per region, for the policy to raise
    free = free_rows(sc, params, n)
    st = start_state(sc, params, n, n_years, x, free)
    extra = np.zeros((1, n_years)) if booked is None else np.atleast_2d(np.asarray(booked, dtype=float))
    X, U = st.X, st.U
    push = line_push(sc, params, n)
    effects = Effects(sc, params, n, x, ref)
    flow_pool = {q for q in st.qs if cat.indicators[q].kind == "flow"}

    def pool_of(e, t):
        return st.trend[e.pool][:, t] if e.pool in flow_pool else X[e.pool][:, t - 1]

    loop = [q for q in st.order if cat.indicators[q].kind != "driver" and q not in free]
    left = np.zeros((n, n_years + 1), order="F")
    for t in range(1, n_years + 1):
        unspent = left[:, t] = effects.year(t, U, pool_of, lambda q, t: organic(cat.indicators[q], st, t))
        st.programs[:, t] = x[:, :, t - 1].sum(axis=1) + extra[:, t - 1] - unspent  # what is paid
        for q in loop:
            X[q][:, t] = _step(cat.indicators[q], st, t)
        if t < n_years:
            if push is not None:
                for q, v in push(t, X).items():
                    st.push[q][:, t + 1] += v
            if policy is not None:
                policy(t, X, x)
    if ledger is not None:
        ledger["unspent"] = left
    return X


def prepare(sc: Scenario, params: Params | None = None) -> Params:
    """``params`` (a new object) with what no spending moves projected once (:class:`Free`) for runs
    of ``sc`` or of scenarios differing from it in spending alone: each steps only what that moves."""
    params = params or Params()
    X = run(sc, None, params)
    out = replace(params)
    moved = moved_quantities(tuple(sc.base), sc.programs, bool(sc.rubric_id))
    free = {q: v for q, v in X.items() if q not in moved}
    for v in free.values():
        v.flags.writeable = False  # shared by every run of these parameters
    object.__setattr__(out, "free", Free.of(sc, out, free))
    return out


@dataclass
class ProjectionState:
    """One projection's arrays (what :func:`start_state` sets up and :func:`run` steps through):
    quantities X and program units U by quantity, (n, years + 1) in the catalog's units; trends of
    the trend kinds; growth rates ``g`` (a year, fraction), parameters ``prm`` and baselines
    ``base`` as columns (n or 1, 1); pace multipliers and shocks by quantity (n, years + 1);
    ``programs``: program spending (n, years + 1), 万元; ``rate``: given yearly rates (n,)."""

    qs: tuple
    order: tuple
    X: dict
    U: dict
    trend: dict
    g: dict
    prm: dict
    base: dict
    rk: dict
    programs: np.ndarray
    growth_mult: dict
    param_mult: dict
    shock: dict
    push: dict
    rate: dict


def start_state(sc: Scenario, params: Params, n: int, n_years: int, x: np.ndarray,
                given: dict | None = None) -> ProjectionState:
    """The arrays a projection starts from, for ``n`` parameter sets (rows) over ``n_years``
    years after the base year: baselines (drawn in ``params`` or the scenario's), growth and
    parameters, the pace path's multipliers (:mod:`sim.model.pace`), shocks, and the trends.
    ``x``: program spending (n or 1, programs, n_years), 万元 a year; ``given``: quantities
    already projected (n rows: :func:`sim.model.free.free_rows`), taken as they are (no trend
    of their own but a flow's, which a program's capacity may read). Public because
    :mod:`sim.uncertainty.pack` exports the same set-up to the browser's engine."""
    from .pace import multipliers

    cat = load_catalog()
    given = given or {}
    qs = tuple(sc.base)
    order = same_year_order(qs)
    base = {q: _col(params.base.get(q, sc.base[q])) for q in qs}
    g = {q: _col(params.growth.get(q, sc.growth.get(q, 0.0))) for q in qs}
    prm = {q: _col(params.param.get(q, sc.param.get(q, cat.indicators[q].param))) for q in qs}
    rk = {q: _col(params.ratio_k.get(q, sc.ratio_k.get(q, 1.0)))[:, 0] for q in qs
          if cat.indicators[q].kind == "ratio"}
    mult = multipliers(sc, params, n)
    growth_mult = {q: mult[f"growth.{q}"] for q in qs if f"growth.{q}" in mult}
    growth_mult.update({q: mult[f"rate.{q}"] for q in qs if f"rate.{q}" in mult})
    param_mult = {q: mult[f"param.{q}"] for q in qs if f"param.{q}" in mult}
    rate = {q: _col(params.rate.get(q, sc.rates[q]))[:, 0] for q in qs if q in sc.rates}
    shock = {q: np.broadcast_to(np.asarray(v, dtype=float).reshape(-1, n_years + 1), (n, n_years + 1))
             for q, v in params.shocks.items() if q in base}
    trend = {}
    for q in qs:
        kind = cat.indicators[q].kind
        if kind == "flow" or kind in ("driver", "elastic") and q not in given:
            step = 1 + g[q] * growth_mult.get(q, np.ones((1, n_years + 1)))
            step = np.broadcast_to(step, (n, n_years + 1)).copy()
            step[:, 0] = 1.0
            trend[q] = base[q] * np.cumprod(step, axis=1)
    X = {q: given[q] if q in given else np.empty((n, n_years + 1), order="F") for q in order}
    for q in order:
        if q not in given:
            X[q][:, 0] = base[q][:, 0]
    programs = np.empty((n, n_years + 1), order="F")  # program spending by year, the baseline's first
    programs[:, 0] = _col(params.base.get("programs", sum(sc.status_quo.values())))[:, 0]
    programs[:, 1:] = x.sum(axis=1)
    if params.base:  # baseline ratios and sums from the (drawn) parts
        for q in order:
            if cat.indicators[q].kind in ("sum", "ratio") and q not in given:
                X[q][:, 0] = _derive(cat.indicators[q], rk, X, 0, programs)
    for q in order:
        ind = cat.indicators[q]
        if ind.kind == "driver" and q not in given:
            v = trend[q][:, 1:] * (np.exp(shock[q][:, 1:]) if q in shock else 1.0)
            X[q][:, 1:] = v if ind.upper is None else _ceiling(ind, v, X, None)
    # program units where a program effect adds them; the others share one read-only zero array
    # (their steps add its zeros as before, without an allocation a quantity)
    moved = {q for e in levers(qs, sc.programs) for q in e.targets}
    none = np.zeros((n, n_years + 1), order="F")
    none.flags.writeable = False
    U = {q: np.zeros((n, n_years + 1), order="F") if q in moved else none for q in qs}
    push = {q: np.zeros((n, n_years + 1), order="F") for q in qs if cat.indicators[q].kind == "points"}
    return ProjectionState(qs, order, X, U, trend, g, prm, base, rk, programs, growth_mult, param_mult, shock, push,
                           rate)


def line_push(sc: Scenario, params: Params, n: int):
    """The push of counties that come within sight of a tier line, or None. For each line (60,
    80) a county's push rises from 0 at ``sc.effort_reach`` points below it to 1 at the line and
    stays 1 above it (it works to cross the line, then to stay above it); the year after, it
    adds ``effort`` points (the profile's fitted factor, ``params.pace['effort']`` in a draw)
    times the mean of its lines' pushes to the management items it can move at once (the
    support and awards it seeks, the assessor's points: half each). The province rewards
    counties that move up (跃升奖励, ../shared/reference). The push never falls as the score
    rises, so more money never lowers a later score through it. ``push(t, X)`` gives the points
    to add in year t + 1 by quantity."""
    effort = np.asarray(params.pace.get("effort", sc.line_effort), dtype=float)
    if not sc.rubric_id or not np.any(effort > 0):
        return None
    lines = [tier.min_points for tier in load_rubric(sc.rubric_id).tiers if tier.min_points > 0]
    targets = [q for q in ("mgmt_support_points", "mgmt_innovation_points") if q in sc.base]

    def push(t: int, X: dict) -> dict[str, np.ndarray]:
        total = total_batch(sc, {q: v[:, t] for q, v in X.items()}, params)
        sight = sum(np.clip((total - line + sc.effort_reach) / sc.effort_reach, 0.0, 1.0) for line in lines) / len(lines)
        return {q: np.broadcast_to(effort * sight / len(targets), (n,)) for q in targets}

    return push


def _col(v) -> np.ndarray:
    """A scalar or (n,) parameter as a column (n or 1, 1) that broadcasts over years."""
    return np.asarray(v, dtype=float).reshape(-1, 1)


def _div(a, b, default: float) -> np.ndarray:
    """a / b where b > 0, else ``default`` (broadcast)."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    shape = a.shape if a.shape == b.shape else np.broadcast_shapes(a.shape, b.shape)
    return np.divide(a, b, out=np.full(shape, default), where=b > 0)


def _derive(ind, rk, X, t, programs) -> np.ndarray:
    """A sum or ratio in year t from its parts (ratios with their calibration factor ``rk[id]``,
    scalar or (n,), and ceiling); ``programs``: program spending (n, years + 1), 万元."""
    if ind.kind == "sum":
        return sum(programs[:, t] if p == "programs" else X[p][:, t] for p in ind.inputs)
    num, den = ind.inputs
    v = rk[ind.id] * ind.scale * _div(X[num][:, t], X[den][:, t], 0.0)
    if ind.upper is not None and t > 0:
        return _ceiling(ind, v, X, t)
    return np.minimum(v, ind.upper) if ind.upper is not None else v


def _ceiling(ind, v, X, t) -> np.ndarray:
    """Bound a value by its ceiling (cap indicator or constant upper): hard, or logistic with the
    anchor share of the previous year (stepped kinds) or of the baseline (the others)."""
    if ind.cap:
        share = ceiling_share(ind, X)
        ceiling = share * X[ind.cap][:, t]
        prev = share * (X[ind.cap][:, t - 1] if ind.kind in STEPPED else X[ind.cap][:, 0])
    else:
        ceiling = prev = ind.upper
    if ind.saturation != "logistic":
        return np.minimum(v, ceiling)
    q = ind.id
    if ind.kind in STEPPED:
        anchor = X[q][:, t - 1] / np.maximum(prev, 1e-300)
    elif ind.cap:
        anchor = X[q][:, 0] / np.maximum(prev, 1e-300)
    else:
        anchor = X[q][:, :1] / np.maximum(prev, 1e-300)
        if np.ndim(v) == 2 and np.ndim(ceiling) == 0:  # a driver's whole trend at once
            return saturate(v, ceiling, anchor)
        anchor = anchor[:, 0]
    return saturate(v, ceiling, anchor)


HEADROOM = 1.25  # a region already near or above a ceiling share keeps this much room above its own share


def ceiling_share(ind, X) -> np.ndarray:
    """The ceiling's share of its cap indicator (a fraction, (n,)): ``ind.cap_share``, or
    :data:`HEADROOM` times the region's own baseline share where that is higher (a city already
    denser than the ceiling keeps room). ``X``: quantities by id, (n, years + 1)."""
    if ind.cap_share == 1.0:
        return np.ones(X[ind.id].shape[0])
    own = _div(X[ind.id][:, 0], X[ind.cap][:, 0], 0.0)
    return np.maximum(ind.cap_share, HEADROOM * own)


def rate_at(st: ProjectionState, q: str, t: int, mult: dict, values: dict) -> np.ndarray:
    """A growth rate or parameter of quantity q in year t (a fraction a year, (n,)): the value in
    ``values`` (``st.g`` or ``st.prm``) times its pace multiplier in ``mult`` (``st.growth_mult``
    or ``st.param_mult``), if any."""
    v = values[q][:, 0]
    return v * mult[q][:, t] if q in mult else v


def pipeline_yield(ind, st: ProjectionState, t: int) -> np.ndarray:
    """A pipeline's yield in year t, (n,): new units a year per unit of its source (the given
    rate, or the one that keeps the baseline growing at its trend; never below ``ind.floor``),
    its pace multiplier applied."""
    q, a = ind.id, st.prm[ind.id][:, 0]
    y = st.rate[q] if q in st.rate else \
        np.maximum(_div((st.g[q][:, 0] + a) * st.base[q][:, 0], st.base[ind.inputs[0]][:, 0], 0.0), ind.floor)
    return y * st.growth_mult[q][:, t] if q in st.growth_mult else y


def entry_rate(ind, st: ProjectionState, t: int) -> np.ndarray:
    """A population's new entrants in year t, (n,), per unit of its pool (the given rate, or the
    one that keeps the baseline on its trend after renewal; never below ``ind.floor``), its pace
    multiplier applied."""
    q, renew = ind.id, st.prm[ind.id][:, 0]
    e = st.rate[q] if q in st.rate else \
        np.maximum(_div(st.base[q][:, 0] * (1 + st.g[q][:, 0] - renew), st.base[ind.inputs[0]][:, 0], 0.0), ind.floor)
    return e * st.growth_mult[q][:, t] if q in st.growth_mult else e


def organic(ind, st: ProjectionState, t: int) -> np.ndarray:
    """The organic new units of a quantity in year t, from the years before (what a post-award
    rule pays for, :mod:`sim.model.effects`): a stock's growth, a flow's trend, a pipeline's yield, an
    inflow's new units, a population's entrants (pools of the year before)."""
    q, k, X = ind.id, ind.kind, st.X
    if k == "stock":
        return np.maximum(X[q][:, t - 1] * rate_at(st, q, t, st.growth_mult, st.g), 0.0)
    if k in ("flow", "elastic"):
        return st.trend[q][:, t]
    if k == "pipeline":
        return pipeline_yield(ind, st, t) * X[ind.inputs[0]][:, max(t - ind.lag, 0)]
    if k == "inflow":
        return rate_at(st, q, t, st.param_mult, st.prm) * X[ind.inputs[0]][:, t - 1]
    if k == "population":
        return entry_rate(ind, st, t) * X[ind.inputs[0]][:, t - 1]
    return np.zeros(X[q].shape[0])


def _step(ind, st: ProjectionState, t: int) -> np.ndarray:
    """Quantity ``ind`` in year t from the years before (see :mod:`sim.model.catalog`), with its shock
    (a log factor; points: added) and its ceiling."""
    q, k, X, U = ind.id, ind.kind, st.X, st.U
    if k == "stock":
        v = X[q][:, t - 1] * (1 + rate_at(st, q, t, st.growth_mult, st.g)) + U[q][:, t]
    elif k == "flow":
        v = st.trend[q][:, t] + U[q][:, t]
    elif k == "pipeline":
        v = X[q][:, t - 1] * (1 - st.prm[q][:, 0]) \
            + pipeline_yield(ind, st, t) * X[ind.inputs[0]][:, max(t - ind.lag, 0)] + U[q][:, t]
    elif k == "population":
        v = st.prm[q][:, 0] * X[q][:, t - 1] + entry_rate(ind, st, t) * X[ind.inputs[0]][:, t] + U[q][:, t]
    elif k == "inflow":
        v = X[q][:, t - 1] + rate_at(st, q, t, st.param_mult, st.prm) * X[ind.inputs[0]][:, t - 1] + U[q][:, t]
    elif k == "points":
        h = np.minimum(rate_at(st, q, t, st.param_mult, st.prm), 1.0)
        v = X[q][:, t - 1] + h * (ind.upper - X[q][:, t - 1]) + st.push[q][:, t]
        v = v + st.shock[q][:, t] if q in st.shock else v
        return np.clip(v, 0.0, ind.upper)
    elif k == "elastic":
        src = ind.inputs[0]
        rel = _div(X[src][:, t], st.base[src][:, 0], 1.0)
        v = st.trend[q][:, t] * rel ** st.prm[q][:, 0] + U[q][:, : t + 1].sum(axis=1)
    elif k in ("sum", "ratio"):
        return _derive(ind, st.rk, X, t, st.programs)
    else:  # text quantities have no numbers
        return X[q][:, t - 1]
    if q in st.shock:
        v = v * np.exp(st.shock[q][:, t])
    if k in STEPPED:
        v = np.maximum(v, 0.0)
    if ind.cap or ind.upper is not None:
        v = _ceiling(ind, v, X, t)
    return v
