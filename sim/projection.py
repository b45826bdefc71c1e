"""The projection engine: every quantity year by year, for one scenario or a batch at once.

The organic trends of ``data/indicators.csv`` describe a region that keeps its status-quo
program budget's share of the public budget (the *reference* spending r, :meth:`Scenario.
reference_matrix`). Programs therefore act only through the difference between the scenario's
spending x and that reference, so no unit is counted twice: under the reference every program
effect is zero and the projection is the trend.

For each projected year t (t = 1 is the year after the baseline), in this order:

1. Program units. Each effect of program p (lag L, share s, award A 万元 per paid unit,
   additionality a, capacity rate q, pool P) turns the spending of year t - L into caused units
       C = q * P_{t-1}                              (P_t's trend for a flow pool)
       units(x) = C * (1 - exp(-s * x * a / (A * C)))
       U = units(x_{p, t-L}) - units(r_{p, t-L})    (0 when t - L is the baseline or earlier)
   A / a is the cost per caused unit; returns diminish as units approach the capacity C.
2. Quantities in dependency order (see :mod:`sim.catalog` for each kind's equation): drivers
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
from dataclasses import dataclass, field
from graphlib import TopologicalSorter
from typing import Mapping

import numpy as np

from .catalog import STEPPED, Catalog
from .loaders import load_catalog
from .scenario import Scenario

MAX_ANCHOR = 0.999  # a baseline at its ceiling still leaves the logistic a finite slope


@dataclass(frozen=True)
class Params:
    """Parameters that uncertainty analysis and batches of regions vary (scalar or (n,) each).

    ``growth``: quantity -> organic growth; ``award`` / ``additionality`` / ``capacity_rate``:
    (program, indicator) -> value; ``param``: pipeline attrition, elastic exponent or inflow rate
    by quantity; ``lag``: program -> lag in years (integers); ``base``: independent baseline
    quantity -> value (ratios and sums are recomputed from their parts); ``management``: rubric
    management column -> value (used by scoring, not by the projection); ``reference``: the
    reference spending (n, programs, years), 万元; ``ratio_k``: ratio -> calibration factor (regions
    whose own figures disagree by rounding differ in it). Missing entries take the scenario's and the
    catalog's values.
    """

    growth: Mapping[str, object] = field(default_factory=dict)
    award: Mapping[tuple[str, str], object] = field(default_factory=dict)
    additionality: Mapping[tuple[str, str], object] = field(default_factory=dict)
    capacity_rate: Mapping[tuple[str, str], object] = field(default_factory=dict)
    param: Mapping[str, object] = field(default_factory=dict)
    lag: Mapping[str, object] = field(default_factory=dict)
    base: Mapping[str, object] = field(default_factory=dict)
    management: Mapping[str, object] = field(default_factory=dict)
    reference: np.ndarray | None = None
    ratio_k: Mapping[str, object] = field(default_factory=dict)

    def size(self) -> int:
        """The batch size these parameters imply (1 for scalars)."""
        sizes = [np.size(v) for d in (self.growth, self.award, self.additionality, self.capacity_rate,
                                      self.param, self.lag, self.base, self.management, self.ratio_k)
                 for v in d.values()]
        if self.reference is not None and np.ndim(self.reference) == 3:
            sizes.append(np.shape(self.reference)[0])
        return max(sizes, default=1)

    def tiled(self, k: int) -> "Params":
        """The parameters repeated k times (draw i of copy j at row j * n + i)."""
        tile = lambda d: {key: np.tile(np.asarray(v), k) for key, v in d.items()}  # noqa: E731
        ref = None if self.reference is None else np.tile(np.asarray(self.reference), (k, 1, 1))
        return Params(tile(self.growth), tile(self.award), tile(self.additionality),
                      tile(self.capacity_rate), tile(self.param), tile(self.lag), tile(self.base),
                      tile(self.management), ref, tile(self.ratio_k))


@functools.cache
def _order(quantities: tuple[str, ...]) -> tuple[str, ...]:
    """Quantities in an order where each comes after what it needs in the same year."""
    cat = load_catalog()
    qs = set(quantities)
    graph = {q: {d for d in cat.indicators[q].depends_on if d in qs} for q in quantities}
    return tuple(TopologicalSorter(graph).static_order())


@dataclass(frozen=True)
class _Effect:
    program: int
    lag: int
    share: float
    targets: tuple[str, ...]
    pool: str
    key: tuple[str, str]
    award: float
    additionality: float
    capacity_rate: float


@functools.cache
def _effects(quantities: tuple[str, ...], program_ids: tuple[str, ...]) -> tuple[_Effect, ...]:
    """The effects whose pool and at least one target the scenario models."""
    cat = load_catalog()
    qs = set(quantities)
    out = []
    for i, pid in enumerate(program_ids):
        p = cat.program(pid)
        for e in p.effects:
            targets = tuple(t for t in e.targets if t in qs)
            if targets and e.capacity_of in qs:
                out.append(_Effect(i, p.lag, e.share, targets, e.capacity_of, (pid, e.indicator),
                                   e.award, e.additionality, e.capacity_rate))
    return tuple(out)


def effect_keys(sc: Scenario) -> tuple[tuple[str, str], ...]:
    """(program, indicator) of every effect modelled for this scenario."""
    return tuple(e.key for e in _effects(tuple(sc.base), sc.programs))


def units(x, capacity, share, cost):
    """Caused units of spending x (万元) with capacity C and cost per caused unit ``cost``
    (award / additionality): C (1 - exp(-s x / (cost C))); 0 where C is 0."""
    cap = np.maximum(capacity, 1e-12)
    return np.where(capacity > 0, cap * -np.expm1(-share * x / (cost * cap)), 0.0)


def saturate(raw, ceiling, anchor):
    """Logistic approach to a ceiling (see the module doc): raw value -> value below the ceiling,
    equal to ``anchor`` x ceiling when raw is, with odds that grow as raw / ceiling does."""
    m = np.maximum(ceiling, 1e-300)
    s_raw = np.maximum(raw, 0.0) / m
    s_a = np.clip(anchor, 0.0, MAX_ANCHOR)
    return np.where(ceiling > 0, m * s_raw / (1 - s_a + s_raw), 0.0)


def run(sc: Scenario, spend: np.ndarray | None = None, params: Params | None = None) -> dict[str, np.ndarray]:
    """Project every quantity: a dict quantity -> array (n, years + 1), column 0 the baseline.

    Args:
        sc: the scenario (baseline, growth, spending, reference spending).
        spend: (programs, years) or (n, programs, years) spending in 万元; the scenario's own
            spending when None. Program order: ``sc.programs``; years: ``sc.years``.
        params: parameters to vary (scalars or (n,) arrays); the scenario's otherwise.

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
    qs = tuple(sc.base)
    order = _order(qs)
    effects = _effects(qs, sc.programs)
    base = {q: _col(params.base.get(q, sc.base[q])) for q in qs}
    g = {q: _col(params.growth.get(q, sc.growth.get(q, 0.0))) for q in qs}
    prm = {q: _col(params.param.get(q, sc.param.get(q, cat.indicators[q].param))) for q in qs}
    rk = {q: _col(params.ratio_k.get(q, sc.ratio_k.get(q, 1.0)))[:, 0] for q in qs
          if cat.indicators[q].kind == "ratio"}
    t_axis = np.arange(n_years + 1)
    trend = {q: np.broadcast_to(base[q] * (1 + g[q]) ** t_axis, (n, n_years + 1))
             for q in qs if cat.indicators[q].kind in ("driver", "flow", "elastic")}
    X = {q: np.empty((n, n_years + 1)) for q in order}
    for q in order:
        X[q][:, 0] = base[q][:, 0]
    programs = np.empty((n, n_years + 1))  # program spending by year, the baseline's first
    programs[:, 0] = _col(params.base.get("programs", sum(sc.status_quo.values())))[:, 0]
    programs[:, 1:] = x.sum(axis=1)
    if params.base:  # baseline ratios and sums from the (drawn) parts
        for q in order:
            if cat.indicators[q].kind in ("sum", "ratio"):
                X[q][:, 0] = _derive(cat.indicators[q], rk, X, 0, programs)
    for q in order:
        ind = cat.indicators[q]
        if ind.kind == "driver":
            X[q][:, 1:] = trend[q][:, 1:] if ind.upper is None else _ceiling(ind, trend[q][:, 1:], X, None)
    U = {q: np.zeros((n, n_years + 1)) for q in qs}
    lags = [np.rint(np.asarray(params.lag.get(sc.programs[e.program], e.lag))).astype(int) for e in effects]
    costs = [(_col(params.award.get(e.key, e.award)) / _col(params.additionality.get(e.key, e.additionality)))[:, 0]
             for e in effects]
    rates = [_col(params.capacity_rate.get(e.key, e.capacity_rate))[:, 0] for e in effects]
    flow_pool = [cat.indicators[e.pool].kind == "flow" for e in effects]
    rows = np.arange(n) if x.shape[0] > 1 else np.zeros(n, dtype=int)
    ref_rows = np.arange(n) if ref.shape[0] > 1 else np.zeros(n, dtype=int)
    loop = [q for q in order if cat.indicators[q].kind != "driver"]
    for t in range(1, n_years + 1):
        for e, cost, rate, is_flow, lag in zip(effects, costs, rates, flow_pool, lags):
            s = t - lag
            if lag.ndim == 0 and s < 1:
                continue  # spending up to the baseline is part of the trend
            col = np.clip(s - 1, 0, n_years - 1)
            spent, reference = x[rows, e.program, col], ref[ref_rows, e.program, col]
            pool = trend[e.pool][:, t] if is_flow else X[e.pool][:, t - 1]
            cap = rate * pool
            u = units(spent, cap, e.share, cost) - units(reference, cap, e.share, cost)
            if lag.ndim:
                u = np.where(s >= 1, u, 0.0)
            for tgt in e.targets:
                U[tgt][:, t] += u
        for q in loop:
            X[q][:, t] = _step(cat.indicators[q], rk, t, X, U, trend, g, prm, base, programs)
    return X


def _col(v) -> np.ndarray:
    """A scalar or (n,) parameter as a column (n or 1, 1) that broadcasts over years."""
    return np.asarray(v, dtype=float).reshape(-1, 1)


def _div(a, b, default: float) -> np.ndarray:
    """a / b where b > 0, else ``default`` (broadcast)."""
    a, b = np.broadcast_arrays(np.asarray(a, dtype=float), np.asarray(b, dtype=float))
    return np.divide(a, b, out=np.full(a.shape, default), where=b > 0)


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
        ceiling = X[ind.cap][:, t]
        prev = X[ind.cap][:, t - 1] if ind.kind in STEPPED else X[ind.cap][:, :1]
    else:
        ceiling = prev = ind.upper
    if ind.saturation != "logistic":
        return np.minimum(v, ceiling)
    q = ind.id
    if ind.kind in STEPPED:
        anchor = X[q][:, t - 1] / np.maximum(prev, 1e-300)
    else:
        anchor = X[q][:, :1] / np.maximum(prev, 1e-300)
        if np.ndim(v) == 2 and np.ndim(ceiling) == 0:  # a driver's whole trend at once
            return saturate(v, ceiling, anchor)
        anchor = anchor[:, 0]
    return saturate(v, ceiling, anchor)


def _step(ind, rk, t, X, U, trend, g, prm, base, programs) -> np.ndarray:
    q, k = ind.id, ind.kind
    if k == "stock":
        v = X[q][:, t - 1] * (1 + g[q][:, 0]) + U[q][:, t]
    elif k == "flow":
        v = trend[q][:, t] + U[q][:, t]
    elif k == "pipeline":
        src = ind.inputs[0]
        a = prm[q][:, 0]
        rate = _div((g[q][:, 0] + a) * base[q][:, 0], base[src][:, 0], 0.0)
        v = X[q][:, t - 1] * (1 - a) + rate * X[src][:, max(t - ind.lag, 0)] + U[q][:, t]
    elif k == "inflow":
        v = X[q][:, t - 1] + prm[q][:, 0] * X[ind.inputs[0]][:, t - 1] + U[q][:, t]
    elif k == "elastic":
        src = ind.inputs[0]
        rel = _div(X[src][:, t], base[src][:, 0], 1.0)
        v = trend[q][:, t] * rel ** prm[q][:, 0] + U[q][:, : t + 1].sum(axis=1)
    elif k in ("sum", "ratio"):
        return _derive(ind, rk, X, t, programs)
    else:  # text quantities have no numbers
        return X[q][:, t - 1]
    if k in STEPPED:
        v = np.maximum(v, 0.0)
    if ind.cap or ind.upper is not None:
        v = _ceiling(ind, v, X, t)
    return v
