"""The one objective the optimizer, its tests and the app's numbers share.

* ``score``: the county score, the mean over the rounds scored (the target round and the ones
  after it: :class:`sim.plan.problem.Rules`);
* ``attainment``: 100 x (1 - weighted shortfall) over the plan targets up to the target year;
* ``targets_met``: the number of plan targets met up to the target year.

Under parameter draws a robust criterion aggregates: ``p10`` the 10th percentile over the draws of
the rounds' mean score, ``prob_a`` the chance of tier A (80 points) averaged over the rounds plus
1e-3 x the mean score, which breaks ties on its plateaus.
"""
from __future__ import annotations

import threading

import numpy as np

from sim.model.attainment import attainment_batch
from sim.model.params import Params
from sim.model.projection import prepare, run
from sim.model.scenario import Scenario
from sim.model.scoring import total_batch
from .problem import default_objective

ROBUST = ("p10", "prob_a")
A_LINE = 80.0  # the rubric's tier A (data/rubrics: A >= 80)
BATCH = threading.local()  # BATCH.ask, where set (sim.counties.stacked, in a county's thread), answers per_round in a batch of counties


def score_allocations(sc: Scenario, allocations: np.ndarray, data_year: int, objective: str | None = None,
                      params: Params | None = None, rounds: int = 1) -> np.ndarray:
    """The objective for a batch of allocations, vectorized.

    Args:
        sc: the scenario; spending after the last year scored does not matter.
        allocations: (n, programs, years) 万元, programs in ``sc.programs`` order, years from
            ``sc.base_year + 1`` to the last year scored.
        data_year: the statistics year of the target round.
        objective: 'score' (rubric presets, default there), 'attainment' or 'targets_met'.
        params: parameters (e.g. draws of :mod:`sim.uncertainty`), broadcast against the
            allocations.
        rounds: the target round and the ``rounds - 1`` after it, equally weighted (score only).
    Returns:
        (n,) objective values (points, % attainment, or a count).
    """
    objective = objective or default_objective(sc)
    years = scored_years(sc, data_year, objective, rounds)
    short = sc if sc.horizon == years[-1] else sc.with_horizon(years[-1])
    return objective_values(short, np.asarray(allocations, dtype=float), objective, params, years)


def scored_years(sc: Scenario, data_year: int, objective: str, rounds: int) -> tuple[int, ...]:
    """The statistics years an objective scores (within the projection)."""
    last = min(data_year + (rounds if objective == "score" else 1) - 1, sc.horizon)
    return tuple(range(data_year, last + 1))


def objective_values(sc: Scenario, x: np.ndarray, objective: str, params: Params | None,
                     years: tuple[int, ...]) -> np.ndarray:
    """(n,) objective of allocations x (n, P, Y) on a scenario whose horizon is the last year
    scored (see :func:`per_round` for the values of each round)."""
    return per_round(sc, x, objective, params, years).mean(axis=1)


def per_round(sc: Scenario, x: np.ndarray, objective: str, params: Params | None,
              years: tuple[int, ...]) -> np.ndarray:
    """(n, rounds): the score of each statistics year in ``years``, or the plan attainment of
    the last year (one column)."""
    ask = getattr(BATCH, "ask", None)
    if ask is not None:
        return ask(sc, x, objective, params, years)
    X = run(sc, x, params)
    if objective == "score":
        cols = [y - sc.base_year for y in years]
        at = slice(cols[0], cols[-1] + 1) if cols == list(range(cols[0], cols[-1] + 1)) else cols  # a view, not a copy
        return np.asarray(total_batch(sc, {q: v[:, at] for q, v in X.items()}, params)).reshape(-1, len(cols))
    return attainment_batch(sc, X, objective)[:, None]


def outcomes(sc: Scenario, x: np.ndarray, objective: str, samples: Params, years: tuple[int, ...] | None = None,
             rounds: bool = False) -> np.ndarray:
    """The objective of k allocations (k, P, Y) under each of m parameter draws, with the same
    draws for every allocation (common random numbers): (k, m), the rounds' mean; with
    ``rounds`` (k, m, rounds). ``sc.horizon`` is the last year scored (default: the only one)."""
    years = years or (sc.horizon,)
    k, m = x.shape[0], samples.size()
    vals = per_round(sc, np.repeat(x, m, axis=0), objective, samples.tiled(k), years).reshape(k, m, -1)
    return vals if rounds else vals.mean(axis=2)


def aggregate(values: np.ndarray, robust: str) -> np.ndarray:
    """Robust objective of outcomes (k, m, rounds): 'p10' or 'prob_a' (see the module doc)."""
    if values.ndim == 2:
        values = values[:, :, None]
    if robust == "p10":
        return np.quantile(values.mean(axis=2), 0.1, axis=1)
    return (np.round(values, 9) >= A_LINE).mean(axis=(1, 2)) + 1e-3 * values.mean(axis=(1, 2))


class Counter:
    """The objective of a batch of allocations, counting evaluations: nominal (at ``params``)
    or, with ``samples`` (m draws), the ``robust`` aggregate (:func:`aggregate`). From its second
    call on, what no spending moves is projected once under its parameters or draws
    (:func:`sim.model.projection.prepare`: the same numbers, less work a call); in a batch of
    counties, whose calls are answered together, the batch prepares them (:mod:`sim.counties.stacked`)."""

    def __init__(self, sc: Scenario, objective: str, years: tuple[int, ...], params: Params | None = None,
                 samples: Params | None = None, robust: str | None = None):
        self.sc, self.objective, self.years = sc, objective, years
        self.params, self.samples, self.robust = params, samples, robust
        self.nfev = 0
        self.calls = 0

    def raw(self, x: np.ndarray) -> np.ndarray:
        """(k, m, rounds) outcomes of k allocations under the m draws."""
        return outcomes(self.sc, x, self.objective, self.samples, self.years, rounds=True)

    def __call__(self, x: np.ndarray) -> np.ndarray:
        x = np.asarray(x, dtype=float)
        if x.ndim == 2:
            x = x[None]
        self.nfev += x.shape[0]
        self.calls += 1
        if self.calls == 2 and getattr(BATCH, "ask", None) is None:
            if self.samples is None:
                self.params = prepare(self.sc, self.params)
            else:
                self.samples = prepare(self.sc, self.samples)
        if self.samples is None:
            return objective_values(self.sc, x, self.objective, self.params, self.years)
        return aggregate(self.raw(x), self.robust)
