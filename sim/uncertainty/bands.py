"""The Monte Carlo bands: every draw through the vectorized engine at once; per year the P10, P50
and P90 of the score and of every indicator, the chance of each tier and of each plan target."""
from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from sim.model.attainment import TIER_RANK, attainment_batch
from sim.model.catalog import load_catalog
from sim.model.params import Params
from sim.model.projection import run
from sim.model.rubric import load_rubric
from sim.model.scenario import Scenario
from sim.model.scoring import total_batch

from .draws import draw
from .triangles import Range, ranges

BAND_DRAWS, BAND_SEED = 300, 0  # the app's bands and the briefings': draws behind every band and chance, and their seed


QUANTILES = (0.1, 0.5, 0.9)


def outcome(sc: Scenario, X: dict[str, np.ndarray], params: Params | None = None) -> np.ndarray:
    """The headline number per draw and year, shape (n, years + 1): the county score (rubric
    presets) or, for city presets, the weighted attainment (%) of the targets due by that year
    (NaN before the first one)."""
    if sc.rubric_id:
        return total_batch(sc, X, params)

    n, T = next(iter(X.values())).shape
    out = np.full((n, T), np.nan)
    for t in range(1, T):
        out[:, t] = attainment_batch(sc, X, "attainment", upto=sc.base_year + t)
    return out


@dataclass(frozen=True)
class MonteCarlo:
    """Result of :func:`monte_carlo`.

    ``score``: year x P10/P50/P90 of the county score (or plan attainment %, city presets);
    ``indicators``: long frame (year, quantity, P10, P50, P90); ``tiers``: year x P(A), P(B), P(C)
    and ``fall``, the chance of a lower tier than the county's in its base year;
    ``targets``: each target with the probability of meeting it; ``deterministic``: the
    projection at the modes.
    """

    score: pd.DataFrame
    indicators: pd.DataFrame
    tiers: pd.DataFrame
    targets: pd.DataFrame
    deterministic: pd.Series
    n: int
    seed: int
    width: float
    seconds: float
    ranges: tuple[Range, ...] = field(repr=False, default=())


def quantiles(a: np.ndarray) -> np.ndarray:
    """Draws (n, T) -> (T, 3): P10/P50/P90 of each column (:data:`QUANTILES`; the draws' units,
    points for scores; a column with a NaN gives NaN)."""
    out = np.full((a.shape[1], len(QUANTILES)), np.nan)
    ok = ~np.isnan(a).any(axis=0)
    if ok.any():
        out[ok] = np.quantile(a[:, ok], QUANTILES, axis=0).T
    return out


def monte_carlo(sc: Scenario, n: int = 10_000, seed: int = 0, width: float = 1.0,
                widths: dict[str, float] | None = None, indicators: bool = True,
                central: bool = True, params: Params | None = None) -> MonteCarlo:
    """Draw ``n`` parameter sets and project them all at once (vectorized; no loop per draw).

    The same ``seed`` gives the same random numbers to the same inputs (common random numbers),
    so two scenarios of one region compared with one seed differ only by what they change.
    ``indicators=False`` skips the per-indicator quantiles and ``central=False`` the projection
    at the central parameters (the scenario page's quick band: it has that projection already;
    ``MonteCarlo.deterministic`` is then empty). ``params``: the draws, when the caller keeps them
    (``draw(sc, n, seed, width, widths)`` of any spending of these assumptions: the draws do not
    depend on it); else drawn here.

    >>> mc = monte_carlo(load_preset("demo"), n=1000, seed=1)  # doctest: +SKIP
    >>> mc.tiers.loc[2025].sum()  # doctest: +SKIP
    1.0
    """
    t0 = time.perf_counter()
    rs = ranges(sc, width, widths)
    params = draw(sc, n, seed, width, widths, rs) if params is None else params
    X = run(sc, params=params)
    years = pd.Index([sc.base_year, *sc.years], name="year")
    y = outcome(sc, X, params)
    score = pd.DataFrame(quantiles(y), index=years, columns=["P10", "P50", "P90"])
    frames = []
    if indicators:
        for q, v in X.items():
            qs = quantiles(v)
            frames.append(pd.DataFrame({"year": years, "quantity": q, "P10": qs[:, 0], "P50": qs[:, 1],
                                        "P90": qs[:, 2]}))
    ind = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(
        columns=["year", "quantity", "P10", "P50", "P90"])
    tiers = pd.DataFrame(index=years)
    if sc.rubric_id:
        tier = load_rubric(sc.rubric_id).tier_of(y)
        for k in ("A", "B", "C"):
            tiers[k] = (tier == k).mean(axis=0)
        rank = np.vectorize(TIER_RANK.get)(tier)
        tiers["fall"] = (rank < rank[:, :1]).mean(axis=0)  # below the tier the county has in its base year
    targets = _target_probabilities(sc, X, y)
    mid = pd.Series(outcome(sc, run(sc))[0], index=years) if central else pd.Series(dtype=float)
    return MonteCarlo(score, ind, tiers, targets, mid, n, seed, width, time.perf_counter() - t0, rs)


def _target_probabilities(sc: Scenario, X: dict[str, np.ndarray], y: np.ndarray) -> pd.DataFrame:
    from sim.model.attainment import TREND_KINDS

    cat = load_catalog()
    rows = []
    for tg in sc.targets:
        p = np.nan
        year = sc.scored_year(tg.year) if tg.kind == "tier" else tg.year
        if sc.base_year <= year <= sc.horizon:
            t = year - sc.base_year
            if tg.kind == "tier" and sc.rubric_id:
                rank = {"A": 80.0, "B": 60.0}.get(str(tg.value), 0.0)
                p = float((np.round(y[:, t], 9) >= rank).mean())
            elif tg.kind in TREND_KINDS and tg.indicator in X and t > 0:
                step = np.diff(X[tg.indicator][:, : t + 1], axis=1)
                tol = 1e-9 * (1 + np.abs(X[tg.indicator][:, :t]))
                ok = (step > tol).all(axis=1) if tg.kind == "increase" else (step >= -tol).all(axis=1)
                p = float(ok.mean())
            elif tg.kind in ("level", "growth") and tg.indicator in X and t > 0:
                v = X[tg.indicator][:, t]
                if tg.kind == "growth":
                    v = ((v / X[tg.indicator][:, 0]) ** (1 / t) - 1) * 100
                lower = cat.indicators[tg.indicator].direction == "lower"
                want = float(tg.value)
                p = float((v <= want + 1e-9).mean() if lower else (v >= want - 1e-9).mean())
        rows.append({"indicator": tg.indicator, "year": tg.year, "kind": tg.kind, "target": tg.value,
                     "probability": p, "scored_year": year})
    return pd.DataFrame(rows, columns=["indicator", "year", "kind", "target", "probability", "scored_year"])
