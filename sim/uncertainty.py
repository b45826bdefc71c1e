"""How sure are we: Monte Carlo ranges, tier probabilities and which assumptions matter most.

Every uncertain assumption is a row of :func:`ranges`, read from the data files:
* organic growth of each quantity: triangular(growth_low, the scenario's rate, growth_high)
  (``data/indicators.csv``);
* pipeline attrition and elastic exponents: triangular(param_low, param, param_high);
* each program effect's unit cost: triangular(unit_cost_low, unit_cost, unit_cost_high)
  (``data/programs.toml``; subsidies crowd business R&D in or out, so ranges are wide);
* each program's lag: a discrete distribution (``lag_choices`` with ``lag_weights``).
``width`` scales every range about its mode (0: the deterministic projection; 2: twice as
wide); ``widths`` scales named parameters only. Draws run through the vectorized engine at once.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .loaders import load_catalog, load_rubric
from .projection import Params, run
from .scenario import Scenario
from .simulate import score_batch

QUANTILES = (0.1, 0.5, 0.9)


@dataclass(frozen=True)
class Range:
    """One uncertain assumption: ``kind`` growth | param | unit_cost | lag; for lags ``choices``
    and ``weights`` replace the triangle (low, mode, high)."""

    name: str
    kind: str
    key: object
    low: float
    mode: float
    high: float
    note: str = ""
    choices: tuple[int, ...] = ()
    weights: tuple[float, ...] = ()

    def scaled(self, w: float) -> "Range":
        """The range widened (w > 1) or narrowed (w < 1) about its mode."""
        if self.kind == "lag":
            if w == 0:
                return Range(self.name, self.kind, self.key, self.mode, self.mode, self.mode, self.note,
                             (int(self.mode),), (1.0,))
            return self
        return Range(self.name, self.kind, self.key, self.mode - w * (self.mode - self.low), self.mode,
                     self.mode + w * (self.high - self.mode), self.note)


def ranges(sc: Scenario, width: float = 1.0, widths: dict[str, float] | None = None) -> tuple[Range, ...]:
    """The scenario's uncertain assumptions with their ranges (see the module doc)."""
    cat = load_catalog()
    out: list[Range] = []
    for q, g in sc.growth.items():
        ind = cat.indicators[q]
        if ind.growth_high > ind.growth_low:
            out.append(Range(f"growth.{q}", "growth", q, min(ind.growth_low, g), g,
                             max(ind.growth_high, g), ind.note))
    for q in sc.base:
        ind = cat.indicators[q]
        if ind.kind in ("pipeline", "elastic") and ind.param_low is not None and ind.param_high is not None:
            out.append(Range(f"param.{q}", "param", q, ind.param_low, ind.param, ind.param_high, ind.note))
    from .projection import effect_keys

    modelled = set(effect_keys(sc))
    for p in cat.programs:
        for e in p.effects:
            if (p.id, e.indicator) in modelled and e.unit_cost_high > e.unit_cost_low:
                out.append(Range(f"unit_cost.{p.id}.{e.indicator}", "unit_cost", (p.id, e.indicator),
                                 e.unit_cost_low, e.unit_cost, e.unit_cost_high, e.note))
        if len(p.lag_choices) > 1 and any(k[0] == p.id for k in modelled):
            out.append(Range(f"lag.{p.id}", "lag", p.id, min(p.lag_choices), p.lag, max(p.lag_choices),
                             p.lag_choices_note, p.lag_choices, p.lag_weights))
    widths = widths or {}
    return tuple(r.scaled(widths.get(r.name, width)) for r in out)


def sample(rs: tuple[Range, ...], n: int, seed: int = 0) -> dict[str, np.ndarray]:
    """n draws of every range (reproducible for a seed): name -> (n,) array."""
    rng = np.random.default_rng(seed)
    draws = {}
    for r in rs:
        if r.kind == "lag":
            w = np.asarray(r.weights, dtype=float)
            draws[r.name] = rng.choice(np.asarray(r.choices), size=n, p=w / w.sum())
        elif r.high > r.low:
            draws[r.name] = rng.triangular(r.low, r.mode, r.high, size=n)
        else:
            draws[r.name] = np.full(n, r.mode)
    return draws


def params_of(rs: tuple[Range, ...], draws: dict[str, np.ndarray]) -> Params:
    """Engine parameters from draws (name -> array)."""
    growth, cost, prm, lag = {}, {}, {}, {}
    for r in rs:
        target = {"growth": growth, "unit_cost": cost, "param": prm, "lag": lag}[r.kind]
        target[r.key] = draws[r.name]
    return Params(growth=growth, unit_cost=cost, param=prm, lag=lag)


def outcome(sc: Scenario, X: dict[str, np.ndarray]) -> np.ndarray:
    """The headline number per draw and year, shape (n, years + 1): the county score (rubric
    presets) or, for city presets, the weighted attainment (%) of the targets due by that year
    (NaN before the first one)."""
    if sc.rubric_id:
        return score_batch(sc, X).total
    from .optimize import _attainment_batch

    n, T = next(iter(X.values())).shape
    out = np.full((n, T), np.nan)
    for t in range(1, T):
        out[:, t] = _attainment_batch(sc, X, "attainment", upto=sc.base_year + t)
    return out


@dataclass(frozen=True)
class MonteCarlo:
    """Result of :func:`monte_carlo`.

    ``score``: year x P10/P50/P90 of the county score (or plan attainment %, city presets);
    ``indicators``: long frame (year, quantity, P10, P50, P90); ``tiers``: year x P(A), P(B), P(C);
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
                widths: dict[str, float] | None = None) -> MonteCarlo:
    """Draw ``n`` parameter sets and project them all at once (vectorized; no loop per draw).

    >>> mc = monte_carlo(load_preset("demo"), n=1000, seed=1)  # doctest: +SKIP
    >>> mc.tiers.loc[2025].sum()  # doctest: +SKIP
    1.0
    """
    t0 = time.perf_counter()
    rs = ranges(sc, width, widths)
    X = run(sc, params=params_of(rs, sample(rs, n, seed)))
    years = pd.Index([sc.base_year, *sc.years], name="year")
    det = run(sc)
    y = outcome(sc, X)
    score = pd.DataFrame(_quantiles(y), index=years, columns=["P10", "P50", "P90"])
    rows = []
    for q, v in X.items():
        qs = _quantiles(v)
        rows.append(pd.DataFrame({"year": years, "quantity": q, "P10": qs[:, 0], "P50": qs[:, 1], "P90": qs[:, 2]}))
    indicators = pd.concat(rows, ignore_index=True)
    tiers = pd.DataFrame(index=years)
    if sc.rubric_id:
        tier = load_rubric(sc.rubric_id).tier_of(y)
        for k in ("A", "B", "C"):
            tiers[k] = (tier == k).mean(axis=0)
    targets = _target_probabilities(sc, X, y)
    return MonteCarlo(score, indicators, tiers, targets, pd.Series(outcome(sc, det)[0], index=years),
                      n, seed, width, time.perf_counter() - t0, rs)


def _target_probabilities(sc: Scenario, X: dict[str, np.ndarray], y: np.ndarray) -> pd.DataFrame:
    cat = load_catalog()
    rows = []
    for tg in sc.targets:
        p = np.nan
        if sc.base_year < tg.year <= sc.horizon:
            t = tg.year - sc.base_year
            if tg.kind == "tier" and sc.rubric_id:
                rank = {"A": 80.0, "B": 60.0}.get(str(tg.value), 0.0)
                p = float((np.round(y[:, t], 9) >= rank).mean())
            elif tg.kind in ("level", "growth") and tg.indicator in X:
                v = X[tg.indicator][:, t]
                if tg.kind == "growth":
                    v = ((v / sc.base[tg.indicator]) ** (1 / t) - 1) * 100
                lower = cat.indicators[tg.indicator].direction == "lower"
                want = float(tg.value)
                p = float((v <= want + 1e-9).mean() if lower else (v >= want - 1e-9).mean())
        rows.append({"indicator": tg.indicator, "year": tg.year, "kind": tg.kind, "target": tg.value,
                     "probability": p})
    return pd.DataFrame(rows, columns=["indicator", "year", "kind", "target", "probability"])


@dataclass(frozen=True)
class Sensitivity:
    """Result of :func:`sensitivity` for the target year's headline number.

    ``tornado``: one row per assumption: its low and high value, the outcome at each (others at
    their modes) and the swing, largest first. ``ranking``: variance-based indices (first-order
    S1 and total ST with confidence half-widths), largest ST first. ``method`` names the method.
    """

    tornado: pd.DataFrame
    ranking: pd.DataFrame
    method: str
    target_year: int
    base: float
    seconds: float


def _outcome_at(sc: Scenario, rs: tuple[Range, ...], draws: dict[str, np.ndarray], year: int) -> np.ndarray:
    X = run(sc, params=params_of(rs, draws))
    return outcome(sc, X)[:, year - sc.base_year]


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
    every = ranges(sc, width)
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
    # the same triangles as the Monte Carlo. SALib wants [start, end, peak fraction] with a
    # non-negative end and a peak below 1, so each triangle is sampled on [0, high - low] and
    # shifted by its low end afterwards.
    problem = {"num_vars": k, "names": [r.name for r in rs],
               "bounds": [[r.low, r.high] if r.kind == "lag" else
                          [0.0, r.high - r.low, min((r.mode - r.low) / (r.high - r.low), 1 - 1e-9)]
                          for r in rs],
               "dists": ["unif" if r.kind == "lag" else "triang" for r in rs]}
    shift = np.array([0.0 if r.kind == "lag" else r.low for r in rs])
    if method == "morris":  # Morris works on uniform grids over [low, high]
        problem = {"num_vars": k, "names": problem["names"], "bounds": [[r.low, r.high] for r in rs]}
        X = morris_sample.sample(problem, n, seed=seed)
        shift = np.zeros(k)
    else:
        X = sobol_sample.sample(problem, n, calc_second_order=False, seed=seed)
    X = X + shift
    draws = dict(mode)
    for i, r in enumerate(rs):
        col = X[:, i]
        draws[r.name] = np.rint(col) if r.kind == "lag" else col
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
    return Sensitivity(tornado, ranking, label, year, base, time.perf_counter() - t0)
