"""A collection of regions and its batch: counties that share a preset's structure (the same
quantities, programs and years) run through the vectorized engine as one batch: their baselines,
growth, management items, reference and status-quo spending become arrays over the counties
(:func:`stack`)."""
from __future__ import annotations

import copy
from dataclasses import dataclass, field, replace

import numpy as np

from sim.files.loaders import load_preset_doc
from sim.model.catalog import load_catalog
from sim.model.params import MAPPINGS, Params
from sim.model.rubric import load_rubric
from sim.model.scenario import Scenario


STACKED_KINDS = ("driver", "stock", "flow", "pipeline", "elastic", "inflow", "population", "points", "sum",
                 "ratio")  # a base a step reads


@dataclass(frozen=True)
class Regions:
    """A collection of regions: one scenario per region (the same preset structure).

    ``params``: per-region draws of growth and response parameters (how regions differ beyond
    their data), or None; ``policy``: the province's rewards (:class:`sim.counties.province.Rewards`) or
    None; ``synthetic``: every region is made up (labelled so in every view).
    """

    id: str
    zh: str
    en: str
    names: tuple[str, ...]
    scenarios: tuple[Scenario, ...]
    synthetic: bool = False
    note: str = ""
    params: Params | None = field(default=None, repr=False)
    policy: object = field(default=None, repr=False)
    codes: tuple[str, ...] = ()  # administrative codes (6 digits) where known: the map's shapes
    names_en: tuple[str, ...] = ()
    pace_z: tuple[float, ...] = ()  # each region's own pace: factor exp(spread x z) (sim.model.pace), none: typical

    def __len__(self) -> int:
        return len(self.scenarios)

    def __iter__(self):
        return iter(self.scenarios)

    def with_horizon(self, horizon: int) -> "Regions":
        return replace(self, scenarios=tuple(s.with_horizon(horizon) for s in self.scenarios))


def county_doc(template_id: str, base_year: int, horizon: int, region_id: str) -> dict:
    """A preset document with a template preset's structure re-dated to ``base_year``; no
    targets (a synthetic region has no plan)."""
    doc = copy.deepcopy(load_preset_doc(template_id))
    own_year = doc["preset"]["base_year"]
    doc["preset"] = {**doc["preset"], "id": region_id, "base_year": base_year, "horizon": horizon}
    doc["values"] = [{**e, "year": base_year} for e in doc["values"] if e["year"] == own_year]
    doc["targets"] = []
    doc.pop("plan_growth", None)
    return doc


# ---------------------------------------------------------------------- batches
def stack(scenarios: tuple[Scenario, ...]) -> tuple[Scenario, Params, np.ndarray]:
    """Scenarios of one structure as a batch: (template scenario, parameters whose arrays run
    over the scenarios, spending (n, programs, years)). ValueError when they differ in
    structure (quantities, programs, years); ratio calibration factors may differ (a table's
    ratios rounded as yearbooks print them)."""
    t = scenarios[0]
    cat = load_catalog()
    for s in scenarios[1:]:
        if (tuple(s.base), s.programs, s.years) != (tuple(t.base), t.programs, t.years):
            raise ValueError(f"{s.region_name or s.preset_id} differs in structure from {t.region_name or t.preset_id}")
    base = {q: np.array([s.base[q] for s in scenarios]) for q in t.base if cat.indicators[q].kind in STACKED_KINDS}
    base["programs"] = np.array([sum(s.status_quo.values()) for s in scenarios])
    growth = {q: np.array([s.growth[q] for s in scenarios]) for q in t.growth}
    param = {q: np.array([s.param.get(q, cat.indicators[q].param) for s in scenarios]) for q in t.base
             if cat.indicators[q].kind in ("pipeline", "elastic", "inflow", "population", "points")}
    management = {}
    if t.rubric_id:
        for c in load_rubric(t.rubric_id).columns:
            if c.id in t.management:
                management[c.id] = np.array([s.management[c.id] for s in scenarios])
    ratio_k = {q: np.array([s.ratio_k.get(q, 1.0) for s in scenarios]) for q in t.base
               if cat.indicators[q].kind == "ratio"}
    rate = {q: np.array([s.rates[q] for s in scenarios]) for q in t.rates}
    params = Params(growth=growth, param=param, base=base, management=management,
                    reference=np.stack([s.reference_matrix() for s in scenarios]), ratio_k=ratio_k, rate=rate)
    return t, params, np.stack([s.spend_matrix() for s in scenarios])


def merge(a: Params, b: Params | None) -> Params:
    """Parameters ``a`` with the entries of ``b`` on top."""
    if b is None:
        return a
    return Params(**{f: {**getattr(a, f), **getattr(b, f)} for f in MAPPINGS},
                  reference=b.reference if b.reference is not None else a.reference)


@dataclass(frozen=True)
class Batch:
    """A projected batch: the template, the parameters, the spending (n, P, Y) with any rewards,
    every quantity (n, years + 1) and the score (n, years + 1)."""

    template: Scenario
    params: Params
    spend: np.ndarray
    X: dict
    score: object


def own_params(regions: Regions) -> Params:
    """The regions' own parameters as a batch: their data (:func:`stack`), their drawn growth and
    response parameters (``regions.params``) and their own pace (``pace_z``)."""
    t, p, _ = stack(regions.scenarios)
    p = merge(p, regions.params)
    if regions.pace_z:
        p = replace(p, pace={**p.pace, "county": np.exp(t.pace_spread * np.asarray(regions.pace_z, dtype=float))})
    return p
