"""The projection engine: every quantity year by year, for one scenario or a batch at once.

For each projected year t (t = 1 is the year after the baseline), in this order:

1. Program units. Each effect of program p (lag L, share s, unit cost c, capacity rate q, pool
   P) turns the spending x = x_{p, t-L} (万元; the status-quo spending for years up to the
   baseline) into units of its indicator:
       C = q * P_{t-1}     (P_t's trend for a flow pool)
       U = C * (1 - exp(-s * x / (c * C)))
   The first 万元 buys 1/c units; returns diminish as U approaches the capacity C.
2. Quantities in dependency order (see :mod:`sim.catalog` for each kind's equation):
   drivers and flows follow their trend (flows plus U), stocks grow and add U, pipelines feed
   from their source L years before, elastic quantities follow their source, sums add their
   parts (fiscal S&T spending = the rest of S&T spending + the year's program spending), ratios
   divide numerator by denominator, and caps bound a value by another.

All parameters broadcast over the batch dimension n: growth rates, unit costs, capacity rates
and pipeline/elastic parameters may be scalars or arrays of shape (n,).
"""
from __future__ import annotations

import functools
from dataclasses import dataclass, field
from graphlib import TopologicalSorter
from typing import Mapping

import numpy as np

from .catalog import Catalog
from .loaders import load_catalog
from .scenario import Scenario


@dataclass(frozen=True)
class Params:
    """Response parameters that uncertainty analysis varies (scalar or (n,) arrays each).

    ``growth``: quantity -> organic growth; ``unit_cost`` / ``capacity_rate``: (program, indicator)
    -> value; ``param``: pipeline attrition or elastic exponent by quantity; ``lag``: program ->
    lag in years (integers). Missing entries take the scenario's and the catalog's values.
    """

    growth: Mapping[str, object] = field(default_factory=dict)
    unit_cost: Mapping[tuple[str, str], object] = field(default_factory=dict)
    capacity_rate: Mapping[tuple[str, str], object] = field(default_factory=dict)
    param: Mapping[str, object] = field(default_factory=dict)
    lag: Mapping[str, object] = field(default_factory=dict)


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
    unit_cost: float
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
                                   e.unit_cost, e.capacity_rate))
    return tuple(out)


def effect_keys(sc: Scenario) -> tuple[tuple[str, str], ...]:
    """(program, indicator) of every effect modelled for this scenario."""
    return tuple(e.key for e in _effects(tuple(sc.base), sc.programs))


def _units(x, capacity, share, unit_cost):
    """Units bought by spending x (万元) with capacity C: C (1 - exp(-s x / (c C)))."""
    cap = np.maximum(capacity, 1e-12)
    return np.where(capacity > 0, cap * -np.expm1(-share * x / (unit_cost * cap)), 0.0)


def run(sc: Scenario, spend: np.ndarray | None = None, params: Params | None = None) -> dict[str, np.ndarray]:
    """Project every quantity: a dict quantity -> array (n, years + 1), column 0 the baseline.

    Args:
        sc: the scenario (baseline, growth, status-quo spending).
        spend: (programs, years) or (n, programs, years) spending in 万元; the scenario's own
            spending when None. Program order: ``sc.programs``; years: ``sc.years``.
        params: response parameters to vary (scalars or (n,) arrays); defaults otherwise.

    >>> X = run(load_preset("demo"))  # doctest: +SKIP
    >>> X["high_tech_enterprises"].shape  # doctest: +SKIP
    (1, 10)
    """
    cat: Catalog = load_catalog()
    params = params or Params()
    x = np.asarray(sc.spend_matrix() if spend is None else spend, dtype=float)
    if x.ndim == 2:
        x = x[None]
    n_years = len(sc.years)
    n = max([x.shape[0]] + [np.size(v) for d in (params.growth, params.unit_cost, params.capacity_rate,
                                                  params.param, params.lag) for v in d.values()])
    qs = tuple(sc.base)
    order = _order(qs)
    effects = _effects(qs, sc.programs)
    status_quo = np.array([sc.status_quo[p] for p in sc.programs])
    g = {q: _col(params.growth.get(q, sc.growth.get(q, 0.0))) for q in qs}
    prm = {q: _col(params.param.get(q, cat.indicators[q].param)) for q in qs}
    t_axis = np.arange(n_years + 1)
    trend = {q: np.broadcast_to(sc.base[q] * (1 + g[q]) ** t_axis, (n, n_years + 1))
             for q in qs if cat.indicators[q].kind in ("driver", "flow", "elastic")}
    X = {}
    for q in order:
        X[q] = trend[q].copy() if cat.indicators[q].kind == "driver" else np.empty((n, n_years + 1))
        X[q][:, 0] = sc.base[q]
    U = {q: np.zeros((n, n_years + 1)) for q in qs}
    costs = [_col(params.unit_cost.get(e.key, e.unit_cost))[:, 0] for e in effects]
    rates = [_col(params.capacity_rate.get(e.key, e.capacity_rate))[:, 0] for e in effects]
    flow_pool = [cat.indicators[e.pool].kind == "flow" for e in effects]
    lags = [np.rint(np.asarray(params.lag.get(sc.programs[e.program], e.lag))).astype(int) for e in effects]
    rows = np.arange(n) if x.shape[0] > 1 else np.zeros(n, dtype=int)
    programs_total = np.broadcast_to(x.sum(axis=1), (n, n_years))
    loop = [q for q in order if cat.indicators[q].kind != "driver"]
    for t in range(1, n_years + 1):
        for e, cost, rate, is_flow, lag in zip(effects, costs, rates, flow_pool, lags):
            s = t - lag
            if lag.ndim == 0:
                spent = x[:, e.program, s - 1] if s >= 1 else status_quo[e.program]
            else:  # a lag per draw
                spent = np.where(s >= 1, x[rows, e.program, np.clip(s - 1, 0, n_years - 1)],
                                 status_quo[e.program])
            pool = trend[e.pool][:, t] if is_flow else X[e.pool][:, t - 1]
            u = _units(spent, rate * pool, e.share, cost)
            for tgt in e.targets:
                U[tgt][:, t] += u
        for q in loop:
            X[q][:, t] = _step(cat.indicators[q], sc, t, X, U, trend, g, prm, programs_total)
    return X


def _col(v) -> np.ndarray:
    """A scalar or (n,) parameter as a column (n or 1, 1) that broadcasts over years."""
    return np.asarray(v, dtype=float).reshape(-1, 1)


def _step(ind, sc, t, X, U, trend, g, prm, programs_total) -> np.ndarray:
    q, k = ind.id, ind.kind
    if k == "stock":
        v = X[q][:, t - 1] * (1 + g[q][:, 0]) + U[q][:, t]
    elif k == "flow":
        v = trend[q][:, t] + U[q][:, t]
    elif k == "pipeline":
        src = ind.inputs[0]
        a = prm[q][:, 0]
        rate = (g[q][:, 0] + a) * sc.base[q] / sc.base[src] if sc.base[src] > 0 else 0.0
        v = X[q][:, t - 1] * (1 - a) + rate * X[src][:, max(t - ind.lag, 0)] + U[q][:, t]
    elif k == "elastic":
        src = ind.inputs[0]
        rel = X[src][:, t] / sc.base[src] if sc.base[src] > 0 else 1.0
        v = trend[q][:, t] * rel ** prm[q][:, 0] + U[q][:, : t + 1].sum(axis=1)
    elif k == "sum":
        v = sum(programs_total[:, t - 1] if p == "programs" else X[p][:, t] for p in ind.inputs)
    elif k == "ratio":
        num, den = ind.inputs
        d = X[den][:, t]
        v = sc.ratio_k.get(q, 1.0) * ind.scale * np.divide(X[num][:, t], d, out=np.zeros_like(d),
                                                            where=d > 0)
    else:  # text quantities have no numbers
        v = X[q][:, t - 1]
    if ind.cap:
        v = np.minimum(v, X[ind.cap][:, t])
    if ind.upper is not None:
        v = np.minimum(v, ind.upper)
    return v
