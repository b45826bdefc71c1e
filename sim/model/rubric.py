"""The county score: a rubric read from ``data/rubrics/`` and an exact, vectorized scorer.

Rules (Hebei county rubric, annex of seed ``002_…``; tiers from seed ``003_…``):

* banded item: points interpolate linearly between breakpoints ``(0, 0), (x1, p1), ...,
  (xk, pk)``; at or above ``xk`` the item earns ``pk`` (its maximum);
* counted item: ``min(cap, sum(points_per_unit * count) + category points)``;
* assessed item: the assessor's points, clipped to ``[0, max]``;
* tier: the highest tier whose ``min_points`` the total reaches (A >= 80, B >= 60, else C).

Points are rounded to 1e-9 so that sums of tenths (0.3 * 3) land on exact decimals and
tier boundaries (59.99 / 60 / 79.99 / 80) are decided without floating-point noise.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass
from types import MappingProxyType
from typing import Literal, Mapping

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, model_validator

from sim.files.errors import InputError
from sim.files.loaders import rubric_doc

DECIMALS = 9


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Band(_Frozen):
    """One band: up to ``upto`` (unit of the item) the points rise to ``points``."""

    upto: float = Field(gt=0)
    points: float = Field(ge=0)
    source: str


class Unit(_Frozen):
    """A counted unit: ``points`` per unit (per 家 / 项), at most ``max_count`` units."""

    id: str
    zh: str
    en: str
    unit: str
    points: float = Field(gt=0)
    source: str
    max_count: int | None = None


class Category(_Frozen):
    """One allowed value of a category column and the points it earns."""

    id: str
    zh: str
    en: str
    points: float = Field(ge=0)
    source: str
    assumption: str = ""
    assumption_zh: str = ""


class Column(_Frozen):
    id: str
    zh: str
    en: str


class Item(_Frozen):
    """A scored item of the rubric (``kind``: banded, counted or assessed)."""

    id: str
    kind: Literal["banded", "counted", "assessed"]
    group: str
    zh: str
    en: str
    unit: str
    max_points: float = Field(gt=0)
    source: str
    data_source: str = ""
    note: str = ""
    note_zh: str = ""
    bands: tuple[Band, ...] = ()
    top_source: str = ""
    cap_source: str = ""
    units: tuple[Unit, ...] = ()
    category_column: Column | None = None
    categories: tuple[Category, ...] = ()
    column: Column | None = None

    @model_validator(mode="after")
    def _check_shape(self) -> "Item":
        if self.kind == "banded":
            ups = [b.upto for b in self.bands]
            pts = [b.points for b in self.bands]
            if not self.bands or ups != sorted(set(ups)) or pts != sorted(pts):
                raise ValueError(f"{self.id}: bands must rise in value and points")
            if pts[-1] != self.max_points:
                raise ValueError(f"{self.id}: top band earns {pts[-1]}, max is {self.max_points}")
        elif self.kind == "counted":
            if not self.units:
                raise ValueError(f"{self.id}: a counted item needs units")
        elif self.column is None:
            raise ValueError(f"{self.id}: an assessed item needs its column")
        return self

    @functools.cached_property
    def breakpoints(self) -> tuple[np.ndarray, np.ndarray]:
        """``(values, points)`` including the origin ``(0, 0)`` (built once, read-only)."""
        xs = np.array([0.0] + [b.upto for b in self.bands])
        ps = np.array([0.0] + [b.points for b in self.bands])
        xs.flags.writeable = ps.flags.writeable = False
        return xs, ps


class Group(_Frozen):
    id: str
    zh: str
    en: str
    max_points: float
    source_file: str
    source: str
    name_source_file: str
    name_source: str


class Tier(_Frozen):
    id: str
    min_points: float
    zh: str
    en: str
    source_file: str
    source: str


@dataclass(frozen=True)
class InputColumn:
    """One column of scoring input: its id, names, unit and what values it takes.

    ``kind``: 'number' (a non-negative real), 'count' (a non-negative whole number, at most
    ``max_value`` when set), 'category' (one of ``categories``) or 'points' (0..``max_value``).
    """

    id: str
    zh: str
    en: str
    unit: str
    kind: Literal["number", "count", "category", "points"]
    item: str
    max_value: float | None = None
    categories: tuple[Category, ...] = ()


class Rubric(_Frozen):
    """A whole rubric: meta, tiers, groups and items, validated on construction."""

    id: str
    zh: str
    en: str
    total_points: float
    source_file: str
    source: str
    evaluation_lag_years: int = 0
    evaluation_lag_note: str = ""
    evaluation_lag_note_zh: str = ""
    tiers: tuple[Tier, ...]
    groups: tuple[Group, ...]
    items: tuple[Item, ...]

    @classmethod
    def from_toml(cls, doc: dict) -> "Rubric":
        return cls(**doc["rubric"], tiers=doc["tiers"], groups=doc["groups"], items=doc["items"])

    @model_validator(mode="after")
    def _check_totals(self) -> "Rubric":
        gids = [g.id for g in self.groups]
        for g in self.groups:
            got = sum(i.max_points for i in self.items if i.group == g.id)
            if abs(got - g.max_points) > 1e-9:
                raise ValueError(f"group {g.id}: items sum to {got}, not {g.max_points}")
        if any(i.group not in gids for i in self.items):
            raise ValueError("an item names an unknown group")
        if abs(sum(g.max_points for g in self.groups) - self.total_points) > 1e-9:
            raise ValueError("groups do not sum to the total")
        if [t.min_points for t in self.tiers] != sorted((t.min_points for t in self.tiers), reverse=True):
            raise ValueError("tiers must be listed from the highest")
        return self

    # ------------------------------------------------------------------ columns
    @functools.cached_property
    def columns(self) -> tuple[InputColumn, ...]:
        """Every input column, in the order of the rubric (built once: the scorer asks every call)."""
        cols: list[InputColumn] = []
        for it in self.items:
            if it.kind == "banded":
                cols.append(InputColumn(it.id, it.zh, it.en, it.unit, "number", it.id))
            elif it.kind == "assessed":
                c = it.column
                cols.append(InputColumn(c.id, c.zh, c.en, it.unit, "points", it.id, it.max_points))
            else:
                if it.category_column is not None:
                    c = it.category_column
                    cols.append(InputColumn(c.id, c.zh, c.en, "", "category", it.id,
                                            categories=it.categories))
                cols.extend(InputColumn(u.id, u.zh, u.en, u.unit, "count", it.id, u.max_count)
                            for u in it.units)
        return tuple(cols)

    def item(self, item_id: str) -> Item:
        return next(i for i in self.items if i.id == item_id)

    def tier_of(self, total: np.ndarray | float) -> np.ndarray:
        """Tier letters for totals (any shape), deciding boundaries on 1e-9-rounded points."""
        t = np.round(np.asarray(total, dtype=float), DECIMALS)
        conds = [t >= tier.min_points for tier in self.tiers]
        return np.select(conds, [tier.id for tier in self.tiers], default=self.tiers[-1].id)


# ---------------------------------------------------------------------- scoring
@dataclass(frozen=True)
class Score:
    """Points of one or many regions (arrays of one common shape, e.g. regions or years).

    ``items``/``groups``: points per item / group; ``total``; ``tier`` (letters);
    ``marginal``: for each banded item, points per one more unit of its value (the slope of the
    band the value lies in, 0 at or above the top); ``to_next``: the distance in the item's unit
    to the next breakpoint (NaN at or above the top); ``headroom``: points still to earn per item.
    """

    rubric_id: str
    items: Mapping[str, np.ndarray]
    groups: Mapping[str, np.ndarray]
    total: np.ndarray
    tier: np.ndarray
    marginal: Mapping[str, np.ndarray]
    to_next: Mapping[str, np.ndarray]
    headroom: Mapping[str, np.ndarray]

    def to_frame(self, index=None) -> pd.DataFrame:
        """One row per region: ``pts_<item>``, the group columns, ``total``, ``tier``."""
        cols = {f"pts_{k}": np.ravel(v) for k, v in self.items.items()}
        cols.update({k: np.ravel(v) for k, v in self.groups.items()})
        cols["total"] = np.ravel(self.total)
        cols["tier"] = np.ravel(self.tier)
        return pd.DataFrame(cols, index=index)


def _banded(item: Item, x: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    xs, ps = item.breakpoints
    pts = np.interp(x, xs, ps)
    slopes = np.append(np.diff(ps) / np.diff(xs), 0.0)
    k = np.searchsorted(xs[1:], x, side="right")  # breakpoints at or below x
    nxt = np.append(xs[1:], np.nan)
    return pts, slopes[k], nxt[k] - x


def category_points(item: Item, values, shape) -> np.ndarray:
    """A category item's points (the rubric's points of each value's category, matched by id or
    Chinese name), broadcast to ``shape``; an unknown value raises ``unknown_category_value``."""
    lookup = {}
    for c in item.categories:
        lookup[c.id] = c.points
        lookup[c.zh] = c.points
    uniq, inverse = np.unique(np.asarray(values, dtype=str), return_inverse=True)
    pts = np.array([lookup.get(str(u).strip(), np.nan) for u in uniq])
    if np.isnan(pts).any():
        raise InputError("unknown_category_value", column=item.category_column.id,
                         value=uniq[int(np.flatnonzero(np.isnan(pts))[0])],
                         allowed=" / ".join(f"{c.id} ({c.zh})" for c in item.categories))
    return np.broadcast_to(pts[inverse].reshape(np.shape(values)), shape)


def _shape_of(values: Mapping[str, object], rubric: Rubric) -> tuple[int, ...]:
    shapes = {np.shape(values[c.id]) for c in rubric.columns if c.id in values} - {()}
    if len(shapes) <= 1:  # the columns' one shape, or scalars: what broadcasting gives, without its cost
        return shapes.pop() if shapes else ()
    return np.broadcast_shapes(*shapes)


def score(rubric: Rubric, values: Mapping[str, object], points: Mapping[str, object] | None = None) -> Score:
    """Score regions from their input columns, vectorized over any common array shape.

    Args:
        rubric: a loaded rubric (``sim.load_rubric('hebei-county')``).
        values: column id -> number or array (units of the column: 万元, %, 家, 件/万人, counts);
            the category column takes ids or Chinese labels. Arrays broadcast together, e.g.
            ``(regions,)`` for a table or ``(scenarios, years)`` for projections.
        points: item id -> its points (clipped to [0, max]) instead of scoring its columns: the
            management items a projection moves (:mod:`sim.model.projection`, kind ``points``).

    Returns:
        A :class:`Score` whose arrays have the broadcast shape.

    >>> r = load_rubric()  # doctest: +SKIP
    >>> float(score(r, {**zeros, "fiscal_st_spending": 3000}).items["fiscal_st_spending"])  # doctest: +SKIP
    3.5
    """
    items, marginal, to_next, shape = _points(rubric, values, points, detail=True)
    groups, total = _sums(rubric, items, shape)
    headroom = {i.id: np.round(i.max_points - items[i.id], DECIMALS) for i in rubric.items}
    return Score(rubric.id, MappingProxyType(items), MappingProxyType(groups), total,
                 rubric.tier_of(total), MappingProxyType(marginal), MappingProxyType(to_next),
                 MappingProxyType(headroom))


def totals(rubric: Rubric, values: Mapping[str, object], points: Mapping[str, object] | None = None) -> np.ndarray:
    """The total points of :func:`score` (the same numbers, bit for bit) without the slopes,
    distances, headroom and tiers: what the projection's line push and the optimizer's
    objective ask for every row of every round."""
    items, _, _, shape = _points(rubric, values, points, detail=False)
    return _sums(rubric, items, shape)[1]


def _points(rubric: Rubric, values: Mapping[str, object], points: Mapping[str, object] | None,
            detail: bool) -> tuple[dict, dict, dict, tuple[int, ...]]:
    """Each item's points (rounded to :data:`DECIMALS`), and with ``detail`` each banded item's
    slope and distance to its next breakpoint; the values' broadcast shape."""
    missing = [c.id for c in rubric.columns if c.id not in values]
    if missing:
        raise InputError("missing_column", column=missing[0], columns=", ".join(missing))
    shape = _shape_of(values, rubric)
    num = {c.id: _as_shape(values[c.id], shape) for c in rubric.columns if c.kind != "category"}
    items, marginal, to_next = {}, {}, {}
    points = points or {}
    for it in rubric.items:
        if it.id in points:
            given = np.broadcast_to(np.asarray(points[it.id], dtype=float), shape)
            items[it.id] = np.minimum(np.maximum(given, 0.0), it.max_points).round(DECIMALS)  # np.clip's numbers
            continue
        if it.kind == "banded" and detail:
            items[it.id], marginal[it.id], to_next[it.id] = _banded(it, num[it.id])
        elif it.kind == "banded":
            items[it.id] = np.interp(num[it.id], *it.breakpoints)
        elif it.kind == "assessed":
            items[it.id] = np.clip(num[it.column.id], 0.0, it.max_points)
        else:
            raw = sum((u.points * num[u.id] for u in it.units), np.zeros(shape))
            if it.category_column is not None:
                raw = raw + category_points(it, values[it.category_column.id], shape)
            items[it.id] = np.minimum(raw, it.max_points)
        v = items[it.id]
        items[it.id] = v.round(DECIMALS) if isinstance(v, (np.ndarray, np.generic)) else np.round(v, DECIMALS)
    return items, marginal, to_next, shape


def _as_shape(v, shape) -> np.ndarray:
    """A column's values as floats of ``shape`` (itself when it has the shape already)."""
    if type(v) is np.ndarray and v.dtype == np.float64 and v.shape == shape:
        return v
    a = np.asarray(v, dtype=float)
    return a if a.shape == shape else np.broadcast_to(a, shape)


def _sums(rubric: Rubric, items: Mapping[str, np.ndarray], shape) -> tuple[dict, np.ndarray]:
    """Group points and the total from item points, each sum rounded to :data:`DECIMALS`."""
    groups = {g: np.round(sum((items[i] for i in ids), np.zeros(shape)), DECIMALS)
              for g, ids in _group_items(rubric.id).items()}
    return groups, np.round(sum(groups.values(), np.zeros(shape)), DECIMALS)


@functools.cache
def _group_items(rubric_id: str) -> dict[str, tuple[str, ...]]:
    """Group id -> its items' ids, in the rubric's order."""
    rubric = load_rubric(rubric_id)
    return {g.id: tuple(i.id for i in rubric.items if i.group == g.id) for g in rubric.groups}


@functools.cache
def load_rubric(rubric_id: str = "hebei-county") -> Rubric:
    """The rubric ``rubric_id`` as a validated, frozen :class:`Rubric` (the document read by :func:`sim.files.loaders.rubric_doc`)."""
    return Rubric.from_toml(rubric_doc(rubric_id))
