"""What counties like yours did: the reference class from the calibrated synthetic province.

Forecasters call it the outside view: before trusting one county's projection, look at what
happened to counties that stood where it stands. The synthetic Hebei province (168 counties,
:mod:`sim.counties.province`) is projected under draws of the growth profile's fitted factors (the stored
posterior, :mod:`sim.counties.posterior`) with every county's year-to-year shocks; the peers of a county
are the synthetic counties whose score in the county's base statistics year lay within
``width`` points of its own. For each draw the share of peers that reached tier A by the target
year and the share that fell a tier are counted; the result gives their median and P10-P90 over
the draws, and the peers' median gain a year.
"""
from __future__ import annotations

import functools
import threading
from dataclasses import dataclass

import numpy as np

HORIZON = 2030  # the province is projected to this statistics year for the reference class
DRAWS = 100     # posterior draws (whole provinces) behind it: about 2 s, once per process
WIDTH = 3.0     # points either side of the county's own score
_ONCE = threading.Lock()  # the app's sessions are threads: the first computes, the others wait for it


@dataclass(frozen=True)
class Peers:
    """The reference class of a score in a statistics year: ``n`` peers a draw (mean), the
    shares reaching A and falling a tier by the target year (P10, P50, P90 over the draws) and
    their median gain a year, points (P10, P50, P90)."""

    score: float
    data_year: int
    target_year: int
    n: float
    reach_a: tuple[float, float, float]
    fall: tuple[float, float, float]
    gain: tuple[float, float, float]


def province_totals(profile: str = "hebei-county") -> tuple[np.ndarray, tuple[int, ...]] | None:
    """Every synthetic county's score under :data:`DRAWS` posterior draws: (draws, counties,
    years) and the statistics years; None without a stored posterior. Computed once per process:
    sessions asking at the same time (eight people opening a link in a meeting) wait for the first
    instead of each computing it (measured: tests/test_load_browser.py's eight sessions opening at once
    cost the server 34 CPU-s with each computing it, 15 with one)."""
    with _ONCE:
        return _province_totals(profile)


@functools.cache
def _province_totals(profile: str) -> tuple[np.ndarray, tuple[int, ...]] | None:
    from sim.uncertainty import load_posterior
    from .province import ProjectOptions, project_draws
    from .regions import load

    post = load_posterior(profile)
    if post is None:
        return None
    draws = {k: v[:DRAWS] for k, v in post.items()}
    d = project_draws(load("hebei-synthetic"), draws, HORIZON, ProjectOptions(seed=[2018, 5]))
    return d.total, d.years


@functools.lru_cache(maxsize=256)
def reference_class(score: float, data_year: int, target_year: int, width: float = WIDTH) -> Peers | None:
    """The peers of a county scoring ``score`` in statistics year ``data_year``, followed to
    statistics year ``target_year`` (see the module doc); None when the years lie outside the
    synthetic province's projection or no synthetic county stood there. Kept for the last 256
    questions (a frozen answer): the scenario page asks it again on every release of a slider
    with the same base-year score (~9 ms of the server's run each time, measured)."""
    got = province_totals()
    if got is None:
        return None
    total, years = got
    if data_year not in years or target_year not in years or target_year <= data_year:
        return None
    from sim.model.rubric import load_rubric

    rubric = load_rubric("hebei-county")
    rank = {"A": 3, "B": 2, "C": 1}
    start, end = total[:, :, years.index(data_year)], total[:, :, years.index(target_year)]
    peers = np.abs(start - score) <= width
    counts = peers.sum(axis=1)
    if counts.sum() == 0:
        return None
    fell = np.vectorize(rank.get)(rubric.tier_of(end)) < np.vectorize(rank.get)(rubric.tier_of(start))
    reached = np.round(end, 9) >= 80
    ok = counts > 0
    share_a = (reached & peers).sum(axis=1)[ok] / counts[ok]
    share_fall = (fell & peers).sum(axis=1)[ok] / counts[ok]
    gains = ((end - start) / (target_year - data_year))[peers]

    def q(v):
        return tuple(float(x) for x in np.quantile(v, [0.1, 0.5, 0.9]))

    return Peers(float(score), int(data_year), int(target_year), float(counts.mean()), q(share_a), q(share_fall),
                 q(gains))
