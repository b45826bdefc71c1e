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

from sim.files.errors import InputError

MAX_HORIZON_YEARS = 30
STATUS_QUO_MODES = ("share", "flat", "plan")
TIER_READINGS = ("assessment", "data")
PACE_MODES = ("mixed", "continue", "fade", "accelerate")  # the pace after a growth profile's window (sim.model.pace)
BUDGET_DRIVERS = ("public_expenditure", "fiscal_other")  # what the budget's share is kept of


def same_amounts(a, b) -> bool:
    """Whether two rows of yearly amounts (万元) are the same plan: equal to float rounding (what
    a document, a slider and the optimizer write and read back), the one tolerance of
    :meth:`Scenario.on_path`, :meth:`Scenario.planned_by_year` and the link writer
    (:func:`sim.scenarios.overrides.diff`)."""
    return bool(np.allclose(a, b, rtol=1e-12, atol=1e-9))


@dataclass(frozen=True)
class Target:
    """A plan target: ``kind`` level (a value), growth (average annual %, base -> year),
    increase (rises every year up to ``year``: 逐年增加), no_decrease (never falls: 只增不减),
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
    """Where a baseline value comes from: seed, assumption, derived, calibrated or user, and why;
    ``parents``: the quantities a derived value was computed from."""

    status: str
    detail: str = ""
    parents: tuple[str, ...] = ()
    detail_zh: str = ""

    def text(self, lang: str) -> str:
        """The reasoning or source in ``lang`` (the English text where no Chinese one is given)."""
        return self.detail_zh if lang == "zh" and self.detail_zh else self.detail


@dataclass(frozen=True)
class Scenario:
    """Everything :func:`sim.model.simulate` needs, resolved from a preset.

    Attributes:
        base: baseline-year value of every model quantity (catalog units: 万元, 亿元, 家, ...).
        growth: organic growth of each growing quantity (fraction a year).
        spend: program id -> spending per projected year (万元), years ``base_year+1..horizon``.
        status_quo: program id -> baseline-year spending (万元), also used before the baseline.
        ratio_k: ratio id -> calibration factor (1 unless the seed's figures disagree).
        management: rubric management columns (constants over the projection).
        shown: indicators the preset reports (its seed's indicators), in order.
        status_quo_mode: what "status quo" spending means: ``share`` (the programs keep their
            share of the public budget: the reference the organic trends assume), ``flat`` (the
            baseline's 万元 every year) or ``plan`` (growing at ``plan_growth`` a year).
        plan_growth: the plan's yearly increase of S&T spending (fraction), from the preset.
        param: pipeline attrition, elastic exponent or inflow rate by quantity where the preset's
            growth profile sets one (else the catalog's).
        growth_range: (low, high) of a growth rate where the growth profile sets one (else the
            catalog's growth_low, growth_high).
        growth_profile: the growth profile the rates come from (``data/profiles/``), or "".
        pace_groups: rate (``growth.<q>``, ``param.<q>``) -> the profile's pace group whose
            factor (``pace_theta``: its posterior mean, already in the rates) moves it;
            ``pace_spread`` the standard deviation of a county's own pace factor's log (how much
            counties of the profile differ); ``pace_window`` the last statistics year the factors
            were fitted to and ``pace_mode`` what the pace does after it (:mod:`sim.model.pace`:
            continue, fade or accelerate).
        rates: a growth profile's absolute rates: a population's entrants a year per unit of its
            pool, a pipeline's yield a year per unit of its source (the same for every region of
            the profile, whatever its base year; without one they follow from the growth rate),
            and ``rate_range`` their ranges.
        line_effort: points a county adds to its management items the year after it scored
            within ``effort_reach`` points below a tier line (:func:`sim.model.projection.line_push`).
        tier_reading: which year's statistics a tier target of year Y means: ``assessment``
            (the assessment held in Y, on the statistics of Y - 1; the default) or ``data``
            (the statistics of Y).
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
    status_quo_mode: str = "share"
    plan_growth: float = 0.0
    plan_growth_note: str = ""
    plan_growth_note_zh: str = ""
    tier_reading: str = "assessment"
    evaluation_lag: int = 1
    param: Mapping[str, float] = field(default_factory=dict)
    growth_range: Mapping[str, tuple[float, float]] = field(default_factory=dict)
    growth_profile: str = ""
    pace_groups: Mapping[str, str] = field(default_factory=dict)
    pace_theta: Mapping[str, float] = field(default_factory=dict)
    pace_spread: float = 0.0
    pace_window: int = 0
    pace_mode: str = "mixed"
    line_effort: float = 0.0
    effort_reach: float = 0.0
    rates: Mapping[str, float] = field(default_factory=dict)
    rate_range: Mapping[str, tuple[float, float]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.status_quo_mode not in STATUS_QUO_MODES:
            raise InputError("bad_setting", key="status_quo", value=self.status_quo_mode,
                             reason=" / ".join(STATUS_QUO_MODES))
        if self.pace_mode not in PACE_MODES:
            raise InputError("bad_setting", key="pace", value=self.pace_mode, reason=" / ".join(PACE_MODES))
        if self.tier_reading not in TIER_READINGS:
            raise InputError("bad_setting", key="reading", value=self.tier_reading,
                             reason=" / ".join(TIER_READINGS))
        if self.horizon <= self.base_year:
            raise InputError("horizon_before_base", horizon=self.horizon, base_year=self.base_year)
        if self.horizon - self.base_year > MAX_HORIZON_YEARS:
            raise InputError("horizon_too_far", horizon=self.horizon,
                             limit=self.base_year + MAX_HORIZON_YEARS)
        n = self.horizon - self.base_year
        for pid, row in self.spend.items():
            if len(row) != n:
                raise ValueError(f"spend[{pid}] has {len(row)} years, expected {n}")
        if self.spend and not (np.isfinite(amounts := np.array(list(self.spend.values()), dtype=float)).all()
                               and (amounts >= 0).all()):
            for pid, row in self.spend.items():  # the first bad amount, program by program, year by year
                for year, v in zip(self.years, row):
                    if not np.isfinite(v) or v < 0:
                        raise InputError("negative_budget", program=pid, year=year, value=f"{v:g}")
        if self.growth and not (np.isfinite(rates := np.array(list(self.growth.values()), dtype=float)).all()
                                and (rates > -1).all()):
            for ind, g in self.growth.items():
                if not np.isfinite(g) or g <= -1:
                    raise InputError("growth_below_minus_100", indicator=ind, value=f"{g:.4g}")
        for name in ("base", "growth", "spend", "status_quo", "ratio_k", "management", "provenance",
                     "region_values", "param", "growth_range", "pace_groups", "pace_theta", "rates",
                     "rate_range"):
            value = getattr(self, name)
            if type(value) is not MappingProxyType:  # another scenario's stays shared: nobody holds its dict
                object.__setattr__(self, name, MappingProxyType(dict(value)))
        if type(self.history) is not MappingProxyType:  # each year's values read-only too
            object.__setattr__(self, "history", MappingProxyType({y: MappingProxyType(dict(v))
                                                                  for y, v in self.history.items()}))

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

    def budget_growth(self, mode: str | None = None) -> float:
        """Yearly growth (fraction) of the status-quo spending under ``mode`` (default: the
        scenario's): the public budget's organic growth for ``share``, 0 for ``flat``, the plan's
        increase for ``plan``."""
        mode = mode or self.status_quo_mode
        if mode == "flat":
            return 0.0
        if mode == "plan":
            return float(self.plan_growth)
        return float(next((self.growth[q] for q in BUDGET_DRIVERS if q in self.growth), 0.0))

    def path(self, first: float | np.ndarray, mode: str | None = None) -> np.ndarray:
        """Spending over the projected years that starts at ``first`` (万元 in the first projected
        year) and grows like the status quo: first x (1 + g)^(t - 1)."""
        g = self.budget_growth(mode)
        return np.multiply.outer(np.asarray(first, dtype=float), (1 + g) ** np.arange(len(self.years)))

    def whole_path(self, first: float | np.ndarray, mode: str | None = None) -> np.ndarray:
        """:meth:`path` in whole 万元, each year rounded (what a budget states: every total shown is
        the sum of the programs' whole amounts, so a slider, a metric and a table agree)."""
        return np.round(self.path(first, mode))

    def status_quo_matrix(self, mode: str | None = None) -> np.ndarray:
        """Status-quo spending (programs x projected years), 万元: the baseline's spending grown
        by the mode's rate from the baseline year."""
        g = self.budget_growth(mode)
        sq = np.array([self.status_quo[p] for p in self.programs], dtype=float)
        return self.whole_path(sq * (1 + g), mode)

    def on_path(self, row) -> bool:
        """Whether a program's yearly amounts (万元) are what a slider sets: the first year's
        amount grown like the status quo (:meth:`whole_path`). A document then states the first
        year only (:func:`sim.scenarios.overrides.diff`)."""
        return same_amounts(row, self.whole_path(row[0]))

    def planned_by_year(self) -> list[str]:
        """The programs whose yearly amounts are neither on a slider's path (:meth:`on_path`) nor
        the status quo's own path (grown from its unrounded base, it can differ from the former by
        1万元 in a later year): a plan the optimizer or a document set year by year, the programs
        a document states as lists."""
        sq = dict(zip(self.programs, self.status_quo_matrix()))
        return [p for p, row in self.spend.items()
                if not self.on_path(row) and not same_amounts(row, sq[p])]

    def reference_matrix(self) -> np.ndarray:
        """The spending the organic trends assume (programs x projected years), 万元: the
        status-quo budget keeping its share of the public budget. Programs act only through the
        difference between the scenario's spending and this."""
        return self.status_quo_matrix("share")

    def scored_year(self, year: int) -> int:
        """The statistics year a tier target of ``year`` is scored on (see ``tier_reading``)."""
        return year - self.evaluation_lag if self.tier_reading == "assessment" else year

    def assessed_year(self, data_year: int) -> int:
        """The year under the reading in force whose tier the statistics of ``data_year`` decide."""
        return data_year + self.evaluation_lag if self.tier_reading == "assessment" else data_year

    # ------------------------------------------------------------------ variants
    def replace(self, **changes) -> "Scenario":
        """A copy with fields replaced (validated again)."""
        return dataclasses.replace(self, **changes)

    def with_spend(self, program: str, value: float | list[float], year: int | None = None) -> "Scenario":
        """Set a program's spending (万元): one year's, or with ``year`` None either a list (one
        per projected year) or a number, the first year's, growing like the status quo (each year
        in whole 万元: :meth:`whole_path`)."""
        if program not in self.spend:
            raise InputError("unknown_key", key=f"program.{program}",
                             known=", ".join(f"program.{p}" for p in self.spend))
        row = list(self.spend[program])
        if year is None:
            v = np.asarray(value, dtype=float)
            row = list(self.whole_path(float(v)) if v.ndim == 0 else np.broadcast_to(v, (len(row),)))
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
        """Extend or cut the projection; new years continue the last year's spending at the
        status quo's growth rate."""
        if horizon <= self.base_year:
            raise InputError("horizon_before_base", horizon=horizon, base_year=self.base_year)
        n = horizon - self.base_year
        g = 1 + self.budget_growth()
        spend = {p: tuple((list(row) + [float(np.round(row[-1] * g ** k)) for k in range(1, n + 1)])[:n])
                 for p, row in self.spend.items()}
        return self.replace(horizon=horizon, spend=spend)

    def with_status_quo_mode(self, mode: str) -> "Scenario":
        """The same region under another meaning of "status quo", spending at that status quo."""
        return self.replace(status_quo_mode=mode).status_quo_scenario()

    def status_quo_scenario(self) -> "Scenario":
        """The same region with every program at its status-quo spending (see ``status_quo_mode``)."""
        m = self.status_quo_matrix()
        return self.replace(spend={p: tuple(float(v) for v in m[i]) for i, p in enumerate(self.programs)})


def whole_split(total: float, weights) -> np.ndarray:
    """``total`` 万元 (rounded to whole) split in proportion to ``weights`` in whole 万元 that add up
    to it exactly (largest remainders; evenly when every weight is 0): how a total moved on a
    slider becomes the programs' amounts, so that the total shown and their sum agree."""
    total = int(round(float(total)))
    w = np.maximum(np.asarray(weights, dtype=float), 0.0)
    w = w / w.sum() if w.sum() > 0 else np.full(len(w), 1.0 / len(w))
    raw = w * total
    out = np.floor(raw)
    rest = int(total - out.sum())
    out[np.argsort(-(raw - out), kind="stable")[:rest]] += 1
    return out
