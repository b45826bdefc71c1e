"""Backtests: fit the dynamics on the record's rounds up to a statistics year, predict the later
rounds, and see whether the prediction's 80% band covers what was published (rolling origin, as
forecasters check a model: sktime's ``evaluate``, Prophet's ``cross_validation``).

The synthetic province is built on the 2018 round (statistics of 2017), so the origins are the
data years 2018 and 2019 (their later rounds published in ``../shared/reference``) and 2020 (the
stored calibration: its predictions are for rounds not in the reference, to be checked when they
are published). Each origin refits the growth profile's factors (:func:`sim.counties.posterior.fit`) on
its rounds only and predicts every later round to ``horizon`` (:func:`sim.counties.posterior.predictive`:
the posterior draws, fresh year-to-year shocks and the structural error of each statistic).
"""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from . import posterior
from .collection import Regions
from .province import load_record
from .regions import load

ORIGINS = (2018, 2019, 2020)


@dataclass(frozen=True)
class Backtest:
    """One origin: the fit (``posterior``), the predictions by statistic (``bands``: statistic ->
    data years x P10/P50/P90) and the comparison with the published rounds (``table``: one row per
    published statistic after the origin, with ``covered``)."""

    until: int
    posterior: posterior.Posterior
    bands: dict
    table: pd.DataFrame


def run(until: int, regions: Regions | None = None, horizon: int = 2025, draws: int = posterior.FitOptions.draws,
        rounds: int = posterior.FitOptions.rounds, seed: int = 0) -> Backtest:
    """Fit on the rounds up to data year ``until``, predict to ``horizon`` (see the module doc)."""
    regions = regions or load("hebei-synthetic")
    post = posterior.fit(regions, until, options=posterior.FitOptions(draws=draws, rounds=rounds, seed=seed))
    pred = posterior.predictive(regions, post.draws, horizon, seed=seed + 1, until=until)
    table = posterior.compare(pred, until)
    return Backtest(until, post, pred.bands, table[~table["fitted"]].drop(columns="fitted").reset_index(drop=True))


def rolling(regions: Regions | None = None, horizon: int = 2025, **kw) -> pd.DataFrame:
    """Every origin's predictions of the published rounds after it, one table (origin, data
    year, round, statistic, published, P10, P50, P90, covered)."""
    regions = regions or load("hebei-synthetic")
    last = max(int(r["data_year"]) for r in load_record()["rounds"])
    frames = []
    for until in ORIGINS:
        if until >= last:
            continue
        bt = run(until, regions, horizon, **kw)
        frames.append(bt.table.assign(origin=until))
    out = pd.concat(frames, ignore_index=True)
    return out[["origin", *[c for c in out.columns if c != "origin"]]]


def coverage(table: pd.DataFrame) -> float:
    """The share of published statistics inside their 80% band (about 0.8 when the bands are
    honest: far below, the model is overconfident; at 1.0 on many figures, too vague)."""
    return float(table["covered"].mean())
