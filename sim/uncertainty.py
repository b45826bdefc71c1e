"""How sure are we: Monte Carlo ranges, tier probabilities and which assumptions matter most.

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
between 0 and 1 at any width. ``widths`` scales named ranges only. Draws run through the
vectorized engine at once.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .files.loaders import load_uncertainty
from .model.attainment import TIER_RANK, attainment_batch
from .model.catalog import load_catalog
from .model.params import Params
from .model.projection import effect_keys, run
from .model.rubric import load_rubric
from .model.scenario import Scenario
from .model.scoring import score_batch

QUANTILES = (0.1, 0.5, 0.9)
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
    from .model.catalog import EDITABLE_KINDS

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
    from .files.loaders import load_profile_posterior

    return load_profile_posterior(profile)


def draw_pace(sc: Scenario, n: int, seed, width: float = 1.0) -> dict[str, np.ndarray]:
    """``Params.pace`` for n draws: each draw takes one posterior row of the profile's factors
    (the fit's own uncertainty) and a county pace exp(spread x z), z standard normal (whether
    this county is a fast or a slow one); ``width`` scales both in log space about the means
    (0: the central rates). Empty without a growth profile."""
    post = load_posterior(sc.growth_profile) if sc.growth_profile else None
    if post is None or not sc.pace_groups:
        return {}
    rng = np.random.default_rng(_stream(seed, 1))
    rows = rng.integers(0, len(post["pace"]), n)
    out = {}
    for g in sorted(set(sc.pace_groups.values())):
        bar = float(sc.pace_theta.get(g, 1.0))
        out[g] = bar * (post[g][rows] / bar) ** width
    out["county"] = np.exp(width * post["spread"][rows] * rng.standard_normal(n))
    if "effort" in post and sc.line_effort > 0:
        out["effort"] = sc.line_effort * (post["effort"][rows] / sc.line_effort) ** width
    if sc.pace_mode == "mixed" and width > 0:
        out["mode"] = rng.integers(0, 3, n)  # which of continue, fade, accelerate holds (sim.model.pace.MIXED)
    return out


def draw_shocks(sc: Scenario, n: int, seed, volatility=1.0) -> dict[str, np.ndarray]:
    """``Params.shocks`` for n draws: each year a normal shock of every quantity that has a
    volatility (``data/uncertainty.toml`` [volatility]), times ``volatility`` (scalar or (n,):
    the profile's fitted factor); (n, years + 1), zero in the baseline year."""
    conf = load_uncertainty()["volatility"]
    names = sorted(k for k in conf if not k.endswith(("_note", "_note_zh")))
    vol = np.asarray(volatility, dtype=float).reshape(-1)
    T = len(sc.years) + 1
    e = np.zeros((len(names), n, T))
    for j in range(1, T):  # one stream per projected year: a shorter horizon draws the same years alike
        e[:, :, j] = np.random.default_rng(_stream(seed, 2) + [j]).standard_normal((n, len(names))).T
    return {q: e[i] * float(conf[q]) * vol[:, None] for i, q in enumerate(names) if q in sc.base}


def _stream(seed, k: int):
    """A random stream of its own for each kind of draw (ranges 0, pace 1, shocks 2), so that
    adding a range never moves the others: common random numbers."""
    def flat(v) -> list[int]:
        if isinstance(v, (list, tuple, np.ndarray)):
            return [i for x in v for i in flat(x)]
        return [int(v)]

    return [*flat(seed), k]


def draw(sc: Scenario, n: int, seed: int = 0, width: float = 1.0, widths: dict[str, float] | None = None) -> Params:
    """n draws of everything uncertain about a scenario, as engine parameters: the ranges
    (:func:`ranges`, :func:`sample`), the growth profile's pace (:func:`draw_pace`) and the
    year-to-year shocks (:func:`draw_shocks`, scaled by each draw's fitted volatility). The same
    seed gives the same numbers to the same inputs (common random numbers)."""
    from dataclasses import replace

    rs = ranges(sc, width, widths)
    params = params_of(rs, sample(rs, n, seed))
    pace = draw_pace(sc, n, seed, width)
    vol = width * _volatility(sc, n, seed)
    return replace(params, pace=pace, shocks=draw_shocks(sc, n, seed, vol) if width > 0 else {})


def _volatility(sc: Scenario, n: int, seed) -> np.ndarray:
    """Each draw's volatility factor: the posterior row :func:`draw_pace` took (1 without a
    profile's posterior)."""
    post = load_posterior(sc.growth_profile) if sc.growth_profile else None
    if post is None:
        return np.ones(n)
    rows = np.random.default_rng(_stream(seed, 1)).integers(0, len(post["pace"]), n)
    return post["volatility"][rows]


def outcome(sc: Scenario, X: dict[str, np.ndarray], params: Params | None = None) -> np.ndarray:
    """The headline number per draw and year, shape (n, years + 1): the county score (rubric
    presets) or, for city presets, the weighted attainment (%) of the targets due by that year
    (NaN before the first one)."""
    if sc.rubric_id:
        return score_batch(sc, X, params).total

    n, T = next(iter(X.values())).shape
    out = np.full((n, T), np.nan)
    for t in range(1, T):
        out[:, t] = attainment_batch(sc, X, "attainment", upto=sc.base_year + t)
    return out


@dataclass(frozen=True)
class MonteCarlo:
    """Result of :func:`monte_carlo`.

    ``score``: year x P10/P50/P90 of the county score (or plan attainment %, city presets);
    ``indicators``: long frame (year, quantity, P10, P50, P90); ``tiers``: year x P(A), P(B), P(C)
    and ``fall``, the chance of a lower tier than the county's in its base year;
    ``targets``: each target with the probability of meeting it; ``deterministic``: the
    projection at the modes.
    """

    score: pd.DataFrame
    indicators: pd.DataFrame
    tiers: pd.DataFrame
    targets: pd.DataFrame
    deterministic: pd.Series
    n: int
    seed: int
    width: float
    seconds: float
    ranges: tuple[Range, ...] = field(repr=False, default=())


def _quantiles(a: np.ndarray) -> np.ndarray:
    """(n, T) -> (T, 3) P10/P50/P90 (NaN columns stay NaN)."""
    out = np.full((a.shape[1], len(QUANTILES)), np.nan)
    ok = ~np.isnan(a).any(axis=0)
    if ok.any():
        out[ok] = np.quantile(a[:, ok], QUANTILES, axis=0).T
    return out


def monte_carlo(sc: Scenario, n: int = 10_000, seed: int = 0, width: float = 1.0,
                widths: dict[str, float] | None = None, indicators: bool = True,
                central: bool = True) -> MonteCarlo:
    """Draw ``n`` parameter sets and project them all at once (vectorized; no loop per draw).

    The same ``seed`` gives the same random numbers to the same inputs (common random numbers),
    so two scenarios of one region compared with one seed differ only by what they change.
    ``indicators=False`` skips the per-indicator quantiles and ``central=False`` the projection
    at the central parameters (the scenario page's quick band: it has that projection already;
    ``MonteCarlo.deterministic`` is then empty).

    >>> mc = monte_carlo(load_preset("demo"), n=1000, seed=1)  # doctest: +SKIP
    >>> mc.tiers.loc[2025].sum()  # doctest: +SKIP
    1.0
    """
    t0 = time.perf_counter()
    params = draw(sc, n, seed, width, widths)
    rs = ranges(sc, width, widths)
    X = run(sc, params=params)
    years = pd.Index([sc.base_year, *sc.years], name="year")
    y = outcome(sc, X, params)
    score = pd.DataFrame(_quantiles(y), index=years, columns=["P10", "P50", "P90"])
    frames = []
    if indicators:
        for q, v in X.items():
            qs = _quantiles(v)
            frames.append(pd.DataFrame({"year": years, "quantity": q, "P10": qs[:, 0], "P50": qs[:, 1],
                                        "P90": qs[:, 2]}))
    ind = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(
        columns=["year", "quantity", "P10", "P50", "P90"])
    tiers = pd.DataFrame(index=years)
    if sc.rubric_id:
        tier = load_rubric(sc.rubric_id).tier_of(y)
        for k in ("A", "B", "C"):
            tiers[k] = (tier == k).mean(axis=0)
        rank = np.vectorize(TIER_RANK.get)(tier)
        tiers["fall"] = (rank < rank[:, :1]).mean(axis=0)  # below the tier the county has in its base year
    targets = _target_probabilities(sc, X, y)
    mid = pd.Series(outcome(sc, run(sc))[0], index=years) if central else pd.Series(dtype=float)
    return MonteCarlo(score, ind, tiers, targets, mid, n, seed, width, time.perf_counter() - t0, rs)


def _target_probabilities(sc: Scenario, X: dict[str, np.ndarray], y: np.ndarray) -> pd.DataFrame:
    from .model.attainment import TREND_KINDS

    cat = load_catalog()
    rows = []
    for tg in sc.targets:
        p = np.nan
        year = sc.scored_year(tg.year) if tg.kind == "tier" else tg.year
        if sc.base_year <= year <= sc.horizon:
            t = year - sc.base_year
            if tg.kind == "tier" and sc.rubric_id:
                rank = {"A": 80.0, "B": 60.0}.get(str(tg.value), 0.0)
                p = float((np.round(y[:, t], 9) >= rank).mean())
            elif tg.kind in TREND_KINDS and tg.indicator in X and t > 0:
                step = np.diff(X[tg.indicator][:, : t + 1], axis=1)
                tol = 1e-9 * (1 + np.abs(X[tg.indicator][:, :t]))
                ok = (step > tol).all(axis=1) if tg.kind == "increase" else (step >= -tol).all(axis=1)
                p = float(ok.mean())
            elif tg.kind in ("level", "growth") and tg.indicator in X and t > 0:
                v = X[tg.indicator][:, t]
                if tg.kind == "growth":
                    v = ((v / X[tg.indicator][:, 0]) ** (1 / t) - 1) * 100
                lower = cat.indicators[tg.indicator].direction == "lower"
                want = float(tg.value)
                p = float((v <= want + 1e-9).mean() if lower else (v >= want - 1e-9).mean())
        rows.append({"indicator": tg.indicator, "year": tg.year, "kind": tg.kind, "target": tg.value,
                     "probability": p, "scored_year": year})
    return pd.DataFrame(rows, columns=["indicator", "year", "kind", "target", "probability", "scored_year"])


@dataclass(frozen=True)
class Sensitivity:
    """Result of :func:`sensitivity` for the target year's headline number.

    ``tornado``: one row per assumption: its low and high value, the outcome at each (others at
    their modes) and the swing, largest first. ``ranking``: variance-based indices (first-order
    S1 and total ST with confidence half-widths), largest ST first. ``method`` names the method
    (in English); ``method_id`` ("sobol" or "morris"), ``n`` (base samples or trajectories) and
    ``runs`` let an interface name it in its own language.
    """

    tornado: pd.DataFrame
    ranking: pd.DataFrame
    method: str
    target_year: int
    base: float
    seconds: float
    method_id: str = "sobol"
    n: int = 0
    runs: int = 0


def _outcome_at(sc: Scenario, rs: tuple[Range, ...], draws: dict[str, np.ndarray], year: int) -> np.ndarray:
    params = params_of(rs, draws)
    return outcome(sc, run(sc, params=params), params)[:, year - sc.base_year]


def sensitivity(sc: Scenario, target_year: int | None = None, width: float = 1.0, n: int = 256,
                seed: int = 0, method: str = "sobol") -> Sensitivity:
    """Which assumptions move the target-year score (or attainment) most.

    A one-at-a-time tornado (each range's low and high end, others at their modes) and a global
    variance-based ranking: Sobol indices from Saltelli sampling (SALib, ``n`` base samples,
    n x (2k + 2) runs) or, with ``method="morris"``, Morris elementary effects (mu*, sigma).
    Lags enter as continuous values rounded to whole years.
    """
    from SALib.analyze import morris as morris_analyze
    from SALib.analyze import sobol
    from SALib.sample import morris as morris_sample
    from SALib.sample import sobol as sobol_sample

    t0 = time.perf_counter()
    year = target_year or sc.horizon
    every = (*ranges(sc, width), *(r.scaled(width) for r in pace_ranges(sc)))
    rs = tuple(r for r in every if r.high > r.low)
    mode = {r.name: np.array([r.mode]) for r in every}
    base = float(_outcome_at(sc, every, mode, year)[0])
    # tornado: 2k runs in one batch
    k = len(rs)
    batch = {name: np.repeat(v, 2 * k) for name, v in mode.items()}
    for i, r in enumerate(rs):
        batch[r.name] = batch[r.name].astype(float)
        batch[r.name][2 * i], batch[r.name][2 * i + 1] = r.low, r.high
    ys = _outcome_at(sc, every, batch, year)
    tornado = pd.DataFrame({"parameter": [r.name for r in rs], "kind": [r.kind for r in rs],
                            "low": [r.low for r in rs], "mode": [r.mode for r in rs], "high": [r.high for r in rs],
                            "at_low": ys[0::2], "at_high": ys[1::2]})
    tornado["swing"] = (tornado["at_high"] - tornado["at_low"]).abs()
    tornado = tornado.sort_values("swing", ascending=False, ignore_index=True)
    # the same triangles as the Monte Carlo, in each range's space. SALib wants [start, end, peak
    # fraction] with a non-negative end and a peak below 1, so each triangle is sampled on
    # [0, high - low] (transformed) and shifted by its low end afterwards.
    ends = [(r.low, r.high) if r.kind == "lag" else
            tuple(float(to_space(v, r.space, r.bounds)) for v in (r.low, r.high)) for r in rs]
    peaks = [0.5 if r.kind == "lag" else min(max(r.position(), 0.0), 1 - 1e-9) for r in rs]
    problem = {"num_vars": k, "names": [r.name for r in rs],
               "bounds": [[lo, hi] if r.kind == "lag" else [0.0, hi - lo, pk]
                          for r, (lo, hi), pk in zip(rs, ends, peaks)],
               "dists": ["unif" if r.kind == "lag" else "triang" for r in rs]}
    shift = np.array([0.0 if r.kind == "lag" else lo for r, (lo, _) in zip(rs, ends)])
    if method == "morris":  # Morris works on uniform grids over [low, high] (transformed)
        problem = {"num_vars": k, "names": problem["names"], "bounds": [list(e) for e in ends]}
        X = morris_sample.sample(problem, n, seed=seed)
        shift = np.zeros(k)
    else:
        X = sobol_sample.sample(problem, n, calc_second_order=False, seed=seed)
    X = X + shift
    draws = dict(mode)
    for i, r in enumerate(rs):
        col = X[:, i]
        draws[r.name] = np.rint(col) if r.kind == "lag" else from_space(col, r.space, r.bounds)
    draws = {name: np.broadcast_to(v, (len(X),)) for name, v in draws.items()}
    Y = _outcome_at(sc, every, draws, year)
    if method == "morris":
        res = morris_analyze.analyze(problem, X, Y, seed=seed)
        ranking = pd.DataFrame({"parameter": problem["names"], "mu_star": res["mu_star"],
                                "sigma": res["sigma"], "mu_star_conf": res["mu_star_conf"]})
        ranking = ranking.sort_values("mu_star", ascending=False, ignore_index=True)
        label = f"Morris elementary effects (SALib), {n} trajectories, {len(X)} runs"
    else:
        res = sobol.analyze(problem, Y, calc_second_order=False, seed=seed)
        ranking = pd.DataFrame({"parameter": problem["names"], "S1": res["S1"], "S1_conf": res["S1_conf"],
                                "ST": res["ST"], "ST_conf": res["ST_conf"]})
        ranking = ranking.sort_values("ST", ascending=False, ignore_index=True)
        label = f"Sobol indices (Saltelli sampling, SALib), N={n}, {len(X)} runs"
    return Sensitivity(tornado, ranking, label, year, base, time.perf_counter() - t0,
                       "morris" if method == "morris" else "sobol", n, len(X))
