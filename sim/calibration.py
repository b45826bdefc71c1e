"""Calibration: fit organic growth rates to actual years before the baseline (scipy).

Where a preset has actual values for years before its baseline (Xiangtan: 2021 and 2022), the
growth rate of every growing quantity is fitted so that one projected step from the earlier
year reproduces the later year's actuals (``scipy.optimize.least_squares`` on log ratios), within
each rate's plausible range (``growth_low``..``growth_high`` of the catalog), with a weak pull
(weight 0.1) toward the default so that rates the data do not determine keep their defaults.
"""
from __future__ import annotations

import numpy as np
from scipy.optimize import least_squares

from .catalog import GROWING
from .loaders import load_catalog
from .projection import Params, run
from .scenario import Provenance, Scenario

PRIOR_WEIGHT = 0.1


def calibrate(sc: Scenario, observed: tuple[str, ...]) -> Scenario:
    """The scenario with growth rates fitted to its history (the latest earlier actual year).

    ``observed``: the indicators with seed figures in both years; only their growth and the
    growth of the quantities they are computed from are fitted.
    """
    from .presets import _closure

    cat = load_catalog()
    year = max(sc.history)
    hist = sc.history[year]
    steps = sc.base_year - year
    observed = [q for q in observed if q in sc.base and q in hist and sc.base[q] > 0 and hist[q] > 0]
    reach = set(_closure(cat, observed))
    free = [q for q in sc.growth if q in reach and cat.indicators[q].kind in GROWING
            and cat.indicators[q].growth_high > cat.indicators[q].growth_low]
    lo = np.array([min(cat.indicators[q].growth_low, sc.growth[q]) for q in free])
    hi = np.array([max(cat.indicators[q].growth_high, sc.growth[q]) for q in free])
    start = sc.replace(base_year=year, horizon=year + steps, base={**sc.base, **hist},
                       spend={p: (sc.status_quo[p],) * steps for p in sc.spend}, history={})
    g0 = np.array([sc.growth[q] for q in free])

    def residuals(g):
        X = run(start, params=Params(growth=dict(zip(free, g))))
        fit = [np.log(X[q][0, -1] / sc.base[q]) for q in observed]
        return np.concatenate([fit, PRIOR_WEIGHT * (g - g0)])

    if not free or not observed:
        return sc
    res = least_squares(residuals, np.clip(g0, lo, hi), bounds=(lo, hi), loss="cauchy", f_scale=0.01)
    prov = dict(sc.provenance)
    growth = dict(sc.growth)
    for q, g, a, b in zip(free, res.x, lo, hi):
        growth[q] = float(g)
        edge = " (at the edge of its plausible range)" if np.isclose(g, a) or np.isclose(g, b) else ""
        prov[f"growth.{q}"] = Provenance("calibrated", f"fitted to {year}→{sc.base_year} actuals{edge}")
    return sc.replace(growth=growth, provenance=prov)
