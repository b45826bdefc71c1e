"""Which assumptions matter most: a one-at-a-time tornado and Sobol indices (SALib, Saltelli
sampling on the same triangles), or Morris screening."""
from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.model.projection import run
from sim.model.scenario import Scenario

from .bands import outcome
from .triangles import Range, from_space, pace_ranges, params_of, ranges, to_space


@dataclass(frozen=True)
class Sensitivity:
    """Result of :func:`sensitivity` for the target year's headline number.

    ``tornado``: one row per assumption: its low and high value, the outcome at each (others at
    their modes) and the swing, largest first. ``ranking``: variance-based indices (first-order
    S1 and total ST with confidence half-widths), largest ST first. ``method`` names the method
    (in English); ``method_id`` ("sobol" or "morris"), ``n`` (base samples or trajectories) and
    ``runs`` let an interface name it in its own language.
    """

    tornado: pd.DataFrame
    ranking: pd.DataFrame
    method: str
    target_year: int
    base: float
    seconds: float
    method_id: str = "sobol"
    n: int = 0
    runs: int = 0


def _outcome_at(sc: Scenario, rs: tuple[Range, ...], draws: dict[str, np.ndarray], year: int) -> np.ndarray:
    params = params_of(rs, draws)
    return outcome(sc, run(sc, params=params), params)[:, year - sc.base_year]


def sensitivity(sc: Scenario, target_year: int | None = None, width: float = 1.0, n: int = 256,
                seed: int = 0, method: str = "sobol") -> Sensitivity:
    """Which assumptions move the target-year score (or attainment) most.

    A one-at-a-time tornado (each range's low and high end, others at their modes) and a global
    variance-based ranking: Sobol indices from Saltelli sampling (SALib, ``n`` base samples,
    n x (2k + 2) runs) or, with ``method="morris"``, Morris elementary effects (mu*, sigma).
    Lags enter as continuous values rounded to whole years.
    """
    from SALib.analyze import morris as morris_analyze
    from SALib.analyze import sobol
    from SALib.sample import morris as morris_sample
    from SALib.sample import sobol as sobol_sample

    t0 = time.perf_counter()
    year = target_year or sc.horizon
    every = (*ranges(sc, width), *(r.scaled(width) for r in pace_ranges(sc)))
    rs = tuple(r for r in every if r.high > r.low)
    mode = {r.name: np.array([r.mode]) for r in every}
    base = float(_outcome_at(sc, every, mode, year)[0])
    # tornado: 2k runs in one batch
    k = len(rs)
    batch = {name: np.repeat(v, 2 * k) for name, v in mode.items()}
    for i, r in enumerate(rs):
        batch[r.name] = batch[r.name].astype(float)
        batch[r.name][2 * i], batch[r.name][2 * i + 1] = r.low, r.high
    ys = _outcome_at(sc, every, batch, year)
    tornado = pd.DataFrame({"parameter": [r.name for r in rs], "kind": [r.kind for r in rs],
                            "low": [r.low for r in rs], "mode": [r.mode for r in rs], "high": [r.high for r in rs],
                            "at_low": ys[0::2], "at_high": ys[1::2]})
    tornado["swing"] = (tornado["at_high"] - tornado["at_low"]).abs()
    tornado = tornado.sort_values("swing", ascending=False, ignore_index=True)
    # the same triangles as the Monte Carlo, in each range's space. SALib wants [start, end, peak
    # fraction] with a non-negative end and a peak below 1, so each triangle is sampled on
    # [0, high - low] (transformed) and shifted by its low end afterwards.
    ends = [(r.low, r.high) if r.kind == "lag" else
            tuple(float(to_space(v, r.space, r.bounds)) for v in (r.low, r.high)) for r in rs]
    peaks = [0.5 if r.kind == "lag" else min(max(r.position(), 0.0), 1 - 1e-9) for r in rs]
    problem = {"num_vars": k, "names": [r.name for r in rs],
               "bounds": [[lo, hi] if r.kind == "lag" else [0.0, hi - lo, pk]
                          for r, (lo, hi), pk in zip(rs, ends, peaks)],
               "dists": ["unif" if r.kind == "lag" else "triang" for r in rs]}
    shift = np.array([0.0 if r.kind == "lag" else lo for r, (lo, _) in zip(rs, ends)])
    if method == "morris":  # Morris works on uniform grids over [low, high] (transformed)
        problem = {"num_vars": k, "names": problem["names"], "bounds": [list(e) for e in ends]}
        X = morris_sample.sample(problem, n, seed=seed)
        shift = np.zeros(k)
    else:
        X = sobol_sample.sample(problem, n, calc_second_order=False, seed=seed)
    X = X + shift
    draws = dict(mode)
    for i, r in enumerate(rs):
        col = X[:, i]
        draws[r.name] = np.rint(col) if r.kind == "lag" else from_space(col, r.space, r.bounds)
    draws = {name: np.broadcast_to(v, (len(X),)) for name, v in draws.items()}
    Y = _outcome_at(sc, every, draws, year)
    if method == "morris":
        res = morris_analyze.analyze(problem, X, Y, seed=seed)
        ranking = pd.DataFrame({"parameter": problem["names"], "mu_star": res["mu_star"],
                                "sigma": res["sigma"], "mu_star_conf": res["mu_star_conf"]})
        ranking = ranking.sort_values("mu_star", ascending=False, ignore_index=True)
        label = f"Morris elementary effects (SALib), {n} trajectories, {len(X)} runs"
    else:
        res = sobol.analyze(problem, Y, calc_second_order=False, seed=seed)
        ranking = pd.DataFrame({"parameter": problem["names"], "S1": res["S1"], "S1_conf": res["S1_conf"],
                                "ST": res["ST"], "ST_conf": res["ST_conf"]})
        ranking = ranking.sort_values("ST", ascending=False, ignore_index=True)
        label = f"Sobol indices (Saltelli sampling, SALib), N={n}, {len(X)} runs"
    return Sensitivity(tornado, ranking, label, year, base, time.perf_counter() - t0,
                       "morris" if method == "morris" else "sobol", n, len(X))
