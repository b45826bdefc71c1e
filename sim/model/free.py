"""What no spending moves, projected once for the many runs of one scenario under the same
parameters (:func:`sim.model.projection.prepare`): the optimizer's candidates, a band's draws
under many budgets, the page's documents that differ from their status quo in spending alone.
Each such run steps only the quantities spending moves (:func:`sim.model.effects.moved_quantities`)
and takes the others from here, row by row the same numbers (every step of the engine is row-wise)."""
from __future__ import annotations

import weakref
from dataclasses import dataclass, field, fields

import numpy as np

from .params import Params
from .scenario import Scenario


@dataclass(frozen=True)
class Free:
    """What no spending moves (:func:`sim.model.effects.moved_quantities`' complement), projected for one
    scenario under the parameters ``owner`` (their r rows): quantity -> (r, years + 1). A run with
    these parameters, or with ``owner.tiled(k)`` (row j r + i is row i), of this scenario or one
    that differs from it in spending alone (:func:`serves`), takes these quantities from here
    instead of stepping them: the same numbers, row by row. The owner holds this in its
    ``free``, so this holds the owner weakly: no reference cycle keeps the rows alive until a
    garbage collection once the owner is gone."""

    sc: Scenario
    owner_ref: weakref.ref = field(repr=False)
    X: dict

    @classmethod
    def of(cls, sc: Scenario, owner: Params, X: dict) -> "Free":
        return cls(sc, weakref.ref(owner), X)

    @property
    def owner(self) -> Params | None:
        """The parameters these rows were projected under (None once they are gone)."""
        return self.owner_ref()

    def owned_by(self, params: Params) -> "Free":
        return Free.of(self.sc, params, self.X)


# what a scenario is besides its spending: what no spending moves follows from these and the parameters
UNMOVED = tuple(f.name for f in fields(Scenario) if f.name != "spend")


def serves(prepared: Scenario, sc: Scenario) -> bool:
    """Whether rows prepared for the scenario ``prepared`` are ``sc``'s too: the same scenario, or one
    that differs from it in spending alone (every other field equal; a document's scenarios share
    their preset's field objects, so identity mostly settles it: ~0.01 ms)."""
    return prepared is sc or all((a := getattr(prepared, f)) is (b := getattr(sc, f)) or a == b for f in UNMOVED)


def free_rows(sc: Scenario, params: Params, n: int) -> dict[str, np.ndarray]:
    """The prepared quantities of ``params`` (:func:`sim.model.projection.prepare`) as n rows, or none when they are
    not these parameters' own or were prepared for a scenario that differs from ``sc`` in more than spending."""
    free = params.free
    if free is None or free.owner is not params or not free.X or not serves(free.sc, sc):
        return {}
    r = next(iter(free.X.values())).shape[0]
    if r == n:
        return dict(free.X)
    if r == 1:
        return {q: np.broadcast_to(v, (n, v.shape[1])) for q, v in free.X.items()}
    return {q: np.tile(v, (n // r, 1)) for q, v in free.X.items()} if n % r == 0 else {}
