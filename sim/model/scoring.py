"""The county score of projected quantities (arrays n x years, or n): the rubric's input columns
from a projection and its management items, scored in one call."""
from __future__ import annotations

import functools

import numpy as np

from .catalog import load_catalog
from .params import Params
from .rubric import Score, load_rubric, score, totals
from .scenario import Scenario


def rubric_values(sc: Scenario, X: dict[str, np.ndarray], params: Params | None = None) -> dict[str, object]:
    """The rubric's input columns from projected quantities (arrays n x years, or n) and the
    management columns (constants over the years; ``params.management`` may give one per row)."""
    rubric = load_rubric(sc.rubric_id)
    mgmt = params.management if params is not None else {}
    vals: dict[str, object] = {}
    for c in rubric.columns:
        if c.id in X:
            vals[c.id] = X[c.id]
        elif c.id in mgmt:
            v = np.asarray(mgmt[c.id])
            vals[c.id] = v.reshape(-1, *([1] * (np.ndim(next(iter(X.values()))) - 1))) if v.ndim else v
        else:
            vals[c.id] = sc.management[c.id]
    return vals


def item_points(X: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Rubric item -> its points where the projection moves them (the management items, kind
    ``points``)."""
    return {item: X[q] for q, item in _points_items() if q in X}


@functools.cache
def _points_items() -> tuple[tuple[str, str], ...]:
    """(quantity, rubric item) of every quantity of kind ``points`` in the catalog."""
    return tuple((q, ind.item) for q, ind in load_catalog().indicators.items() if ind.kind == "points")


def score_batch(sc: Scenario, X: dict[str, np.ndarray], params: Params | None = None) -> Score:
    """County scores of projected quantities, shape (n, years + 1) (or (n,) for one year)."""
    return score(load_rubric(sc.rubric_id), rubric_values(sc, X, params), item_points(X))


def total_batch(sc: Scenario, X: dict[str, np.ndarray], params: Params | None = None) -> np.ndarray:
    """``score_batch(sc, X, params).total`` (points, bit for bit) without the score's detail
    (:func:`sim.model.rubric.totals`): for the rows of the projection's push and the optimizer."""
    return totals(load_rubric(sc.rubric_id), rubric_values(sc, X, params), item_points(X))
