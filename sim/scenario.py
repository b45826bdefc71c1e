"""A scenario: a region's resolved baseline, growth and spending assumptions (immutable).

Variants are made with :meth:`Scenario.replace`, :meth:`Scenario.with_spend`,
:meth:`Scenario.with_growth` and :meth:`Scenario.with_horizon`; each validates its input.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Mapping

import numpy as np

from .errors import InputError

MAX_HORIZON_YEARS = 30


@dataclass(frozen=True)
class Target:
    """A plan target: ``kind`` level (a value), growth (average annual %, base -> year),
    text (有) or tier (A/B)."""

    indicator: str
    year: int
    value: float | str
    kind: str = "level"
    weight: float = 1.0
    source: str = ""
    source_file: str = ""
    note: str = ""


@dataclass(frozen=True)
class Provenance:
    """Where a baseline value comes from: seed, assumption, derived or calibrated, and why."""

    status: str
    detail: str = ""


@dataclass(frozen=True)
class Scenario:
    """Everything :func:`sim.simulate` needs, resolved from a preset.

    Attributes:
        base: baseline-year value of every model quantity (catalog units: 万元, 亿元, 家, ...).
        growth: organic growth of each growing quantity (fraction a year).
        spend: program id -> spending per projected year (万元), years ``base_year+1..horizon``.
        status_quo: program id -> baseline-year spending (万元), also used before the baseline.
        ratio_k: ratio id -> calibration factor (1 unless the seed's figures disagree).
        management: rubric management columns (constants over the projection).
        shown: indicators the preset reports (its seed's indicators), in order.
    """

    preset_id: str
    zh: str
    en: str
    level: str
    rubric_id: str
    base_year: int
    horizon: int
    base: Mapping[str, float]
    growth: Mapping[str, float]
    spend: Mapping[str, tuple[float, ...]]
    status_quo: Mapping[str, float]
    ratio_k: Mapping[str, float] = field(default_factory=dict)
    management: Mapping[str, object] = field(default_factory=dict)
    targets: tuple[Target, ...] = ()
    shown: tuple[str, ...] = ()
    provenance: Mapping[str, Provenance] = field(default_factory=dict)
    history: Mapping[int, Mapping[str, float]] = field(default_factory=dict)
    region_name: str = ""
    region_values: Mapping[str, object] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.horizon <= self.base_year:
            raise InputError("horizon_before_base", horizon=self.horizon, base_year=self.base_year)
        if self.horizon - self.base_year > MAX_HORIZON_YEARS:
            raise InputError("horizon_too_far", horizon=self.horizon,
                             limit=self.base_year + MAX_HORIZON_YEARS)
        n = self.horizon - self.base_year
        for pid, row in self.spend.items():
            if len(row) != n:
                raise ValueError(f"spend[{pid}] has {len(row)} years, expected {n}")
            for year, v in zip(self.years, row):
                if not np.isfinite(v) or v < 0:
                    raise InputError("negative_budget", program=pid, year=year, value=f"{v:g}")
        for ind, g in self.growth.items():
            if not np.isfinite(g) or g <= -1:
                raise InputError("growth_below_minus_100", indicator=ind, value=f"{g:.4g}")
        for name in ("base", "growth", "spend", "status_quo", "ratio_k", "management", "provenance",
                     "region_values"):
            object.__setattr__(self, name, MappingProxyType(dict(getattr(self, name))))

    # ------------------------------------------------------------------ views
    @property
    def years(self) -> tuple[int, ...]:
        """Projected years (base_year excluded)."""
        return tuple(range(self.base_year + 1, self.horizon + 1))

    @property
    def programs(self) -> tuple[str, ...]:
        return tuple(self.spend)

    def spend_matrix(self) -> np.ndarray:
        """Spending as an array (programs x projected years), 万元."""
        return np.array([self.spend[p] for p in self.programs], dtype=float)

    def budget(self) -> np.ndarray:
        """Total program spending per projected year, 万元."""
        return self.spend_matrix().sum(axis=0)

    # ------------------------------------------------------------------ variants
    def replace(self, **changes) -> "Scenario":
        """A copy with fields replaced (validated again)."""
        return dataclasses.replace(self, **changes)

    def with_spend(self, program: str, value: float | list[float], year: int | None = None) -> "Scenario":
        """Set a program's spending (万元) in one year, or every year when ``year`` is None."""
        if program not in self.spend:
            raise InputError("unknown_key", key=f"program.{program}",
                             known=", ".join(f"program.{p}" for p in self.spend))
        row = list(self.spend[program])
        if year is None:
            row = list(np.broadcast_to(np.asarray(value, dtype=float), (len(row),)))
        else:
            row[self.years.index(year)] = float(value)
        return self.replace(spend={**self.spend, program: tuple(float(v) for v in row)})

    def with_spend_matrix(self, matrix: np.ndarray) -> "Scenario":
        """Set all spending at once from an array (programs x projected years), 万元."""
        m = np.asarray(matrix, dtype=float)
        return self.replace(spend={p: tuple(m[i]) for i, p in enumerate(self.programs)})

    def with_growth(self, indicator: str, rate: float) -> "Scenario":
        """Set the organic growth (fraction a year) of a growing quantity."""
        if indicator not in self.growth:
            raise InputError("unknown_key", key=f"growth.{indicator}",
                             known=", ".join(f"growth.{g}" for g in self.growth))
        return self.replace(growth={**self.growth, indicator: float(rate)})

    def with_horizon(self, horizon: int) -> "Scenario":
        """Extend or cut the projection; new years repeat the last year's spending."""
        if horizon <= self.base_year:
            raise InputError("horizon_before_base", horizon=horizon, base_year=self.base_year)
        n = horizon - self.base_year
        spend = {p: tuple((list(row) + [row[-1]] * n)[:n]) for p, row in self.spend.items()}
        return self.replace(horizon=horizon, spend=spend)

    def status_quo_scenario(self) -> "Scenario":
        """The same region with every program at its baseline spending in every year."""
        n = len(self.years)
        return self.replace(spend={p: (self.status_quo[p],) * n for p in self.spend})
