"""The triangles of the uncertain inputs, their spaces and their samples.

Every uncertain input is a row of :func:`ranges`, read from the data files:
* organic growth of each quantity (``data/indicators.csv``: growth_low, the scenario's rate,
  growth_high), triangular in log(1 + g);
* pipeline attrition, elastic exponents and inflow rates (param_low, param, param_high),
  triangular in log;
* each program effect's award where it is an assumption, and its capacity rate, triangular in log;
  its additionality, triangular in logit (``data/programs.toml``: subsidies crowd business R&D in
  or out, so ranges are wide);
* each program's lag: a discrete distribution (``lag_choices`` with ``lag_weights``);
* every baseline value the preset assumes (or derives from an assumption), log-triangular by the
  factor of ``data/uncertainty.toml``; a region's own statistics do not vary;
* the assessor's points of an assumed management item, triangular in logit on [0, max];
* a region's pace (growth-profile presets): one factor on all the profile's pace rates together,
  triangular in log with the standard deviation the province's record gives (``pace_spread``):
  whether the county is a fast or a slow one.
Each range is a triangle (low, mode, high) in the space named by ``space``; the default value is
its mode. ``width`` scales every range about its mode in that space (0: the deterministic
projection; 3: three times as wide), so a positive quantity stays positive and a share stays
between 0 and 1 at any width. ``widths`` scales named ranges only. Draws (:mod:`.draws`) run
through the vectorized engine at once (:mod:`.bands`).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.files.loaders import load_uncertainty
from sim.model.catalog import load_catalog
from sim.model.params import Params
from sim.model.projection import effect_keys
from sim.model.rubric import load_rubric
from sim.model.scenario import Scenario

SPACES = ("linear", "log", "log1p", "logit")
KINDS = ("growth", "param", "award", "additionality", "capacity_rate", "lag", "base", "management", "pace", "rate", "elasticity")


def to_space(x, space: str, bounds: tuple[float, float] = (0.0, 1.0)):
    """A value in the space its range is a triangle in (see the module doc)."""
    x = np.asarray(x, dtype=float)
    if space == "log":
        return np.log(x)
    if space == "log1p":
        return np.log1p(x)
    if space == "logit":
        a, b = bounds
        return np.log((x - a) / (b - x))
    return x


def from_space(y, space: str, bounds: tuple[float, float] = (0.0, 1.0)):
    """The inverse of :func:`to_space`."""
    y = np.asarray(y, dtype=float)
    if space == "log":
        return np.exp(y)
    if space == "log1p":
        return np.expm1(y)
    if space == "logit":
        a, b = bounds
        return a + (b - a) / (1 + np.exp(-y))
    return y


@dataclass(frozen=True)
class Range:
    """One uncertain input: ``kind`` (see :data:`KINDS`), its engine ``key``, the triangle
    (low, mode, high) in natural units, the ``space`` it is a triangle in (``bounds`` for logit);
    for lags ``choices`` and ``weights`` replace the triangle."""

    name: str
    kind: str
    key: object
    low: float
    mode: float
    high: float
    note: str = ""
    space: str = "linear"
    bounds: tuple[float, float] = (0.0, 1.0)
    choices: tuple[int, ...] = ()
    weights: tuple[float, ...] = ()

    def scaled(self, w: float) -> "Range":
        """The range widened (w > 1) or narrowed (w < 1) about its mode, in its space."""
        if self.kind == "lag":
            if w == 0:
                return Range(self.name, self.kind, self.key, self.mode, self.mode, self.mode, self.note,
                             choices=(int(self.mode),), weights=(1.0,))
            return self
        lo, m, hi = (to_space(v, self.space, self.bounds) for v in (self.low, self.mode, self.high))
        return Range(self.name, self.kind, self.key, float(from_space(m - w * (m - lo), self.space, self.bounds)),
                     self.mode, float(from_space(m + w * (hi - m), self.space, self.bounds)), self.note,
                     self.space, self.bounds)

    def position(self) -> float:
        """Where the mode sits in the range, in its space: 0 at the low end, 1 at the high end."""
        lo, m, hi = (float(to_space(v, self.space, self.bounds)) for v in (self.low, self.mode, self.high))
        return (m - lo) / (hi - lo) if hi > lo else 0.5


def _growth_ranges(sc: Scenario, cat) -> list[Range]:
    out = []
    for q, g in sc.growth.items():
        ind = cat.indicators[q]
        lo, hi = sc.growth_range.get(q, (ind.growth_low, ind.growth_high))
        if hi > lo:
            out.append(Range(f"growth.{q}", "growth", q, min(lo, g), g, max(hi, g), ind.note, "log1p"))
    return out


def _rate_ranges(sc: Scenario, cat) -> list[Range]:
    """A growth profile's absolute rates (population entry, pipeline yield), log-triangular."""
    out = []
    for q, v in sc.rates.items():
        lo, hi = sc.rate_range.get(q, (v, v))
        if hi > lo:
            out.append(Range(f"rate.{q}", "rate", q, min(lo, v), v, max(hi, v), cat.indicators[q].note, "log"))
    return out


def _param_ranges(sc: Scenario, cat) -> list[Range]:
    out = []
    for q in sc.base:
        ind = cat.indicators[q]
        if ind.kind in ("pipeline", "elastic", "inflow", "population", "points") and ind.param_low is not None \
                and ind.param_high is not None:
            f = sc.param.get(q, ind.param) / ind.param if ind.param else 1.0  # a profile scales the range
            space = "logit" if ind.kind in ("population", "points") else "log"  # a renewal or catch-up share
            top = 0.999 if space == "logit" else np.inf
            lo, mid, hi = (min(f * v, top) for v in (ind.param_low, ind.param, ind.param_high))
            out.append(Range(f"param.{q}", "param", q, lo, mid, hi, ind.note, space))
    return out


def _program_ranges(sc: Scenario, cat) -> list[Range]:
    out = []
    modelled = set(effect_keys(sc))
    for p in cat.programs:
        for e in p.effects:
            if (p.id, e.indicator) not in modelled:
                continue
            key, tag = (p.id, e.indicator), f"{p.id}.{e.indicator}"
            if e.award_low is not None and e.award_high is not None and e.award_high > e.award_low:
                out.append(Range(f"award.{tag}", "award", key, e.award_low, e.award, e.award_high, e.note, "log"))
            out.append(Range(f"additionality.{tag}", "additionality", key, e.additionality_low, e.additionality,
                             e.additionality_high, e.additionality_note, "logit"))
            if e.post_award:
                out.append(Range(f"elasticity.{tag}", "elasticity", key, e.elasticity_low, e.elasticity,
                                 e.elasticity_high, e.elasticity_note, "log"))
            else:
                out.append(Range(f"capacity_rate.{tag}", "capacity_rate", key, e.capacity_rate_low, e.capacity_rate,
                                 e.capacity_rate_high, e.capacity_note, "log"))
        if len(p.lag_choices) > 1 and any(k[0] == p.id for k in modelled):
            out.append(Range(f"lag.{p.id}", "lag", p.id, min(p.lag_choices), p.lag, max(p.lag_choices),
                             p.lag_choices_note, choices=p.lag_choices, weights=p.lag_weights))
    return out


def assumed_quantities(sc: Scenario) -> tuple[str, ...]:
    """Independent baseline quantities that are assumptions or derive from one (not the region's
    own statistics, not seed figures, not 0/1 facts)."""
    from sim.model.catalog import EDITABLE_KINDS

    cat = load_catalog()
    binary = {c.id for c in load_rubric("hebei-county").columns if c.max_value == 1}

    def assumed(q: str, seen: frozenset = frozenset()) -> bool:
        p = sc.provenance.get(q)
        if p is None or q in seen:
            return False
        if p.status == "assumption":
            return True
        return p.status == "derived" and any(assumed(r, seen | {q}) for r in p.parents)

    return tuple(q for q in sc.base if cat.indicators[q].kind in EDITABLE_KINDS and q not in binary
                 and sc.base[q] > 0 and assumed(q))


def _baseline_ranges(sc: Scenario, cat) -> list[Range]:
    conf = load_uncertainty()
    f = float(conf["assumed_baseline"]["factor"])
    out = [Range(f"base.{q}", "base", q, sc.base[q] / f, sc.base[q], sc.base[q] * f,
                 conf["assumed_baseline"]["note"], "log") for q in assumed_quantities(sc)]
    if sc.rubric_id:
        d = float(conf["assessed_points"]["points"])
        for c in load_rubric(sc.rubric_id).columns:
            p = sc.provenance.get(c.id)
            v = sc.management.get(c.id)
            if c.kind == "points" and p is not None and p.status == "assumption" and isinstance(v, (int, float)):
                top = float(c.max_value)
                m = min(max(float(v), 0.05 * top), 0.95 * top)
                out.append(Range(f"management.{c.id}", "management", c.id, max(m - d, 0.01 * top), m,
                                 min(m + d, 0.99 * top), conf["assessed_points"]["note"], "logit", (0.0, top)))
    return out


def pace_ranges(sc: Scenario) -> list[Range]:
    """The growth profile's pace factors as ranges (P5, median, P95 of the fitted posterior, a
    county's own pace included) for the sensitivity analysis; the Monte Carlo draws them jointly
    (:func:`draw_pace`)."""
    post = load_posterior(sc.growth_profile) if sc.growth_profile else None
    if post is None:
        return []
    out = []
    groups = sorted(set(sc.pace_groups.values()))
    rng = np.random.default_rng(0)
    for g in groups:
        f = post[g] * np.exp(post["spread"] * rng.standard_normal(len(post[g]))) if g != "management" else post[g]
        lo, mid, hi = np.quantile(f, [0.05, 0.5, 0.95])
        out.append(Range(f"pace.{g}", "pace", g, float(lo), float(mid), float(hi),
                         "The growth profile's pace factor as fitted to the province's record (P5-P95 of the "
                         "posterior, a county's own pace included).", "log"))
    return out


def ranges(sc: Scenario, width: float = 1.0, widths: dict[str, float] | None = None) -> tuple[Range, ...]:
    """The scenario's uncertain inputs with their ranges (see the module doc)."""
    cat = load_catalog()
    out = [*_growth_ranges(sc, cat), *_param_ranges(sc, cat), *_rate_ranges(sc, cat), *_program_ranges(sc, cat),
           *_baseline_ranges(sc, cat)]
    widths = widths or {}
    return tuple(r.scaled(widths.get(r.name, width)) for r in out)


def sample(rs: tuple[Range, ...], n: int, seed: int = 0) -> dict[str, np.ndarray]:
    """n draws of every range (reproducible for a seed; common random numbers: the same seed
    gives the same uniform numbers to the same ranges): name -> (n,) array."""
    rng = np.random.default_rng(seed)
    draws = {}
    for r in rs:
        u = rng.random(n)
        if r.kind == "lag":
            w = np.cumsum(np.asarray(r.weights, dtype=float))
            draws[r.name] = np.asarray(r.choices)[np.searchsorted(w / w[-1], u, side="right").clip(0, len(w) - 1)]
        elif r.high > r.low:
            lo, m, hi = (float(to_space(v, r.space, r.bounds)) for v in (r.low, r.mode, r.high))
            draws[r.name] = from_space(_triangular(u, lo, m, hi), r.space, r.bounds)
        else:
            draws[r.name] = np.full(n, r.mode)
    return draws


def _triangular(u: np.ndarray, lo: float, m: float, hi: float) -> np.ndarray:
    """Inverse CDF of the triangle (lo, m, hi) at uniform numbers u."""
    c = (m - lo) / (hi - lo)
    return np.where(u < c, lo + np.sqrt(u * (hi - lo) * (m - lo)),
                    hi - np.sqrt((1 - u) * (hi - lo) * (hi - m)))


def params_of(rs: tuple[Range, ...], draws: dict[str, np.ndarray]) -> Params:
    """Engine parameters from draws (name -> array); a ``pace`` range's draws are its group's
    factor (``Params.pace``)."""
    groups: dict[str, dict] = {k: {} for k in KINDS}
    for r in rs:
        groups[r.kind][r.key] = draws[r.name]
    return Params(**groups)


def load_posterior(profile: str) -> dict[str, np.ndarray] | None:
    """The posterior draws of a growth profile's factors (``data/profiles/*_posterior.csv``,
    written by ``python -m sim calibrate-province --write``): name -> (draws,), or None."""
    from sim.files.loaders import load_profile_posterior

    return load_profile_posterior(profile)
