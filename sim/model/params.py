"""The parameters a run uses beyond its scenario: what uncertainty draws and batches of regions
vary (:class:`Params`)."""
from __future__ import annotations

import weakref
from dataclasses import dataclass, field
from typing import Mapping

import numpy as np


MAPPINGS = ("growth", "award", "additionality", "capacity_rate", "param", "lag", "base", "management", "ratio_k",
            "pace", "shocks", "rate", "elasticity")
"""Every field of :class:`Params` that maps a key to a value or to a value per row (all but
``reference`` and ``free``): what sizing, tiling, merging, stacking and picking one row of a
batch go over."""

TILES_KEPT = 4  # tiled copies kept per Params object (the robust search's probes and transfers: two counts)


@dataclass(frozen=True)
class Params:
    """Parameters that uncertainty analysis and batches of regions vary (scalar or (n,) each).

    ``growth``: quantity -> organic growth; ``award`` / ``additionality`` / ``capacity_rate``:
    (program, indicator) -> value; ``param``: pipeline attrition, elastic exponent or inflow rate
    by quantity; ``lag``: program -> lag in years (integers); ``base``: independent baseline
    quantity -> value (ratios and sums are recomputed from their parts); ``management``: rubric
    management column -> value (used by scoring, not by the projection); ``reference``: the
    reference spending (n, programs, years), 万元; ``ratio_k``: ratio -> calibration factor (regions
    whose own figures disagree by rounding differ in it); ``pace``: a growth profile's group ->
    draws of its pace factor theta, and ``county`` -> a county's own pace factor (:mod:`sim.model.pace`);
    ``shocks``: quantity -> (n, years + 1) year-to-year shocks (log factors; added to points): how a
    county's reported figures vary around their path; ``rate``: a growth profile's absolute rate
    (population entry, pipeline yield) by quantity; ``elasticity``: (program, indicator) -> the
    response of a post-award effect's caused units to its award (:mod:`sim.model.effects`). Missing
    entries take the scenario's and the catalog's values. ``free``: what no spending moves, already
    projected under these parameters (:func:`sim.model.projection.prepare`; kept by :meth:`tiled`,
    not by ``dataclasses.replace``, whose copy is another object).
    """

    growth: Mapping[str, object] = field(default_factory=dict)
    award: Mapping[tuple[str, str], object] = field(default_factory=dict)
    additionality: Mapping[tuple[str, str], object] = field(default_factory=dict)
    capacity_rate: Mapping[tuple[str, str], object] = field(default_factory=dict)
    param: Mapping[str, object] = field(default_factory=dict)
    lag: Mapping[str, object] = field(default_factory=dict)
    base: Mapping[str, object] = field(default_factory=dict)
    management: Mapping[str, object] = field(default_factory=dict)
    reference: np.ndarray | None = None
    ratio_k: Mapping[str, object] = field(default_factory=dict)
    pace: Mapping[str, object] = field(default_factory=dict)
    shocks: Mapping[str, object] = field(default_factory=dict)
    rate: Mapping[str, object] = field(default_factory=dict)
    elasticity: Mapping[tuple[str, str], object] = field(default_factory=dict)
    free: object = field(default=None, compare=False, repr=False)

    def size(self) -> int:
        """The batch size these parameters imply (1 for scalars)."""
        sizes = [np.size(v) for f in MAPPINGS if f != "shocks" for v in getattr(self, f).values()]
        sizes += [np.shape(v)[0] for v in self.shocks.values() if np.ndim(v) == 2]
        if self.reference is not None and np.ndim(self.reference) == 3:
            sizes.append(np.shape(self.reference)[0])
        return max(sizes, default=1)

    def tiled(self, k: int) -> "Params":
        """The parameters repeated k times (draw i of copy j at row j * n + i). The last few
        results are kept on this object (an optimizer's rounds tile the same draws by the same few
        counts, round after round): arrays a run only reads."""
        kept = self.__dict__.get("_tiles", {})  # not a field: dataclasses.replace's copy starts without
        if k in kept:
            return kept[k]
        out = self._tile(k)
        # a new dict, never one changed in place: threads sharing these parameters read a whole one
        self.__dict__["_tiles"] = {**dict(list(kept.items())[1 - TILES_KEPT:]), k: out}
        return out

    def _tile(self, k: int) -> "Params":
        tile = lambda d: {key: np.tile(np.asarray(v), k) for key, v in d.items()}  # noqa: E731
        ref = None if self.reference is None else np.tile(np.asarray(self.reference), (k, 1, 1))
        shocks = {q: np.tile(np.asarray(v), (k, 1)) if np.ndim(v) == 2 else v for q, v in self.shocks.items()}
        out = Params(**{f: tile(getattr(self, f)) for f in MAPPINGS if f != "shocks"}, shocks=shocks, reference=ref)
        if self.free is not None and self.free.owner is self:  # row j * n + i is draw i: the same rows
            object.__setattr__(out, "free", self.free.owned_by(out))
        # what a batch of counties prepares once (sim.counties.stacked); weakly: self keeps out, out must not keep self
        out.__dict__["tiled_from"] = (weakref.ref(self), k)
        return out
