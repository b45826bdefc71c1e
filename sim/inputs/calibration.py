"""Calibration: fit organic growth rates to actual years before the baseline (scipy).

Where a preset has actual values for years before its baseline (Xiangtan: 2021 and 2022), the
growth rates of the quantities its observed indicators are computed from are fitted by maximum a
posteriori (``data/uncertainty.toml`` [calibration]):

* prior: z = log(1 + g) is normal around the centre of the rate's plausible range
  (growth_low..growth_high of the catalog), the range being +-2 standard deviations;
* likelihood: r = log(projected / actual) / s for every observed indicator after one projected
  step from the earlier year, with Cauchy tails (-log density log(1 + r^2)), s = ``obs_scale``;
* minimize sum log(1 + r^2) + 1/2 sum ((z - z_centre) / sd)^2 within the range
  (``scipy.optimize.minimize``, L-BFGS-B, gradients by finite differences in one batched run).

With one pair of years a rate is shrunk toward its range's centre; a rate that still ends within
``edge_share`` of the range's width from an end is flagged (``Provenance.status`` =
``calibrated_edge``), and the Data page shows the flag.
"""
from __future__ import annotations

import numpy as np
from scipy.optimize import minimize

from sim.files.loaders import load_uncertainty
from sim.model.catalog import load_catalog
from sim.model.catalog import GROWING, closure
from sim.model.params import Params
from sim.model.projection import run
from sim.model.scenario import Provenance, Scenario

STEP = 1e-6


def prior(q: str) -> tuple[float, float, float, float]:
    """(centre, sd, low, high) of the prior of quantity q's growth, in z = log(1 + g)."""
    ind = load_catalog().indicators[q]
    lo, hi = np.log1p(ind.growth_low), np.log1p(ind.growth_high)
    return (lo + hi) / 2, (hi - lo) / 4, lo, hi


def calibrate(sc: Scenario, observed: tuple[str, ...]) -> Scenario:
    """The scenario with growth rates fitted to its history (the latest earlier actual year).

    ``observed``: the indicators with seed figures in both years; only the growth of the
    quantities they are computed from is fitted.
    """
    cat = load_catalog()
    conf = load_uncertainty()["calibration"]
    year = max(sc.history)
    hist = sc.history[year]
    steps = sc.base_year - year
    observed = [q for q in observed if q in sc.base and q in hist and sc.base[q] > 0 and hist[q] > 0]
    reach = set(closure(cat, observed))
    free = [q for q in sc.growth if q in reach and cat.indicators[q].kind in GROWING
            and cat.indicators[q].growth_high > cat.indicators[q].growth_low]
    if not free or not observed:
        return sc
    centre, sd, lo, hi = (np.array(v) for v in zip(*(prior(q) for q in free)))
    start = sc.replace(base_year=year, horizon=year + steps, base={**sc.base, **hist},
                       spend={p: (sc.status_quo[p],) * steps for p in sc.spend}, history={},
                       status_quo_mode="share")
    start = start.status_quo_scenario()
    actual = np.log([sc.base[q] for q in observed])
    scale = float(conf["obs_scale"])
    k = len(free)

    def cost_and_grad(z: np.ndarray) -> tuple[float, np.ndarray]:
        zs = z + np.vstack([np.zeros(k), STEP * np.eye(k)])  # the point and k forward steps
        X = run(start, params=Params(growth={q: np.expm1(zs[:, i]) for i, q in enumerate(free)}))
        r = (np.log(np.column_stack([X[q][:, -1] for q in observed])) - actual) / scale
        c = np.log1p(r ** 2).sum(axis=1) + 0.5 * (((zs - centre) / sd) ** 2).sum(axis=1)
        return float(c[0]), (c[1:] - c[0]) / STEP

    res = minimize(cost_and_grad, centre, jac=True, method="L-BFGS-B", bounds=list(zip(lo, hi)))
    edge = float(conf["edge_share"]) * (hi - lo)
    prov = dict(sc.provenance)
    growth = dict(sc.growth)
    for i, q in enumerate(free):
        growth[q] = float(np.expm1(res.x[i]))
        at_edge = res.x[i] - lo[i] <= edge[i] or hi[i] - res.x[i] <= edge[i]
        prov[f"growth.{q}"] = Provenance(
            "calibrated_edge" if at_edge else "calibrated",
            f"fitted to {year}→{sc.base_year} actuals (MAP, prior at the range's centre {np.expm1(centre[i]):.1%})"
            + (f"; at the edge of its range: {conf['edge_note']}" if at_edge else ""), (),
            f"按 {year}→{sc.base_year} 年实际值拟合(最大后验估计,先验中心为区间中点 {np.expm1(centre[i]):.1%})"
            + (f";位于区间边缘:{conf.get('edge_note_zh', conf['edge_note'])}" if at_edge else ""))
    return sc.replace(growth=growth, provenance=prov)
