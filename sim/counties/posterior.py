"""The growth profile's factors fitted to the province's record, with their uncertainty.

The factors (:data:`sim.counties.province.FACTORS`): ``pace``, ``hte``, ``intensity`` and ``management``
scale the profile's prior rates; ``spread`` is how much counties' own paces differ; ``volatility``
scales the year-to-year shocks (``data/uncertainty.toml`` [volatility]). Each has a lognormal
prior (``data/profiles/<profile>.toml`` [prior]).

Likelihood. A draw of the factors is a whole synthetic province projected with fresh shocks
(:func:`sim.counties.province.project_draws`); each published statistic of a round up to ``until`` is
compared with the draw's, normal with a stated scale (:func:`scale`: the model's structural error
plus the sampling variation of a count of 168 counties):

    mean score 1.0 point (the synthetic counties are not the real ones);
    A, B, C counts 3 + 10% of the count (how the counties lay within their tiers in 2017 is not
    published, and it decides when a county crosses a line);
    counties raising their score 8 (a binomial count of 168 varies by about 5, plus structure);
    counties changing tier 2 + the count's square root; high-tech enterprises 2020/2017 0.3.

The same scales are the model's structural error in its predictions: a predicted statistic is a
draw's value plus a normal error of that scale (the posterior predictive of a published figure).
Past the last fitted round each draw's counties also drift together by a pace the model does not
foresee, normal with :data:`DRIFT` points a year (sd), accumulating year by year (the record rose
4.5-4.8 points a year without slowing, while the synthetic counties slow as their items fill up:
the band must hold both); the counts, the counties rising and the tier changes follow from the
drifted scores, so every statistic of a draw stays coherent.

Inference. Population Monte Carlo (adaptive importance sampling): draws from the prior, then from
a normal fitted to the weighted draws (widened by 1.5) in log space, round after round; the draws
of the last two rounds are weighted as a mixture and resampled into equally weighted posterior
draws. Every draw's province has the same year-to-year shocks (common random numbers, scaled by
its volatility), so the likelihood is a smooth function of the factors and the weights do not
degenerate on lucky shocks. The effective sample size is reported. Everything is seeded: the
same record and seed give the same posterior on any machine.

Predictions: :func:`predictive` projects the province under the posterior draws (fresh shocks)
and gives each round's statistics as P10/P50/P90; :func:`compare` sets them beside the record.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
from scipy.special import logsumexp

from sim.files.loaders import load_profile
from .collection import Regions
from .province import FACTORS, Draws, ProjectOptions, load_record, project_draws

STATS = ("mean", "A", "B", "C", "raised", "changed")
SCALES = {"mean": 1.0, "raised": 8.0, "hte": 0.3}  # counts of tiers and of tier changes: sqrt(count) + 2
QUANTILES = (0.1, 0.5, 0.9)
DRIFT = 1.25  # points a year (sd) of a province-wide pace the model does not foresee, past the fit (assumption)


def statistics(draws: Draws, tiers_of) -> dict[str, np.ndarray]:
    """Per draw and statistics year: mean, A/B/C counts, counties raising their score over the
    year before and counties changing tier (K, years + 1; NaN in the first year for the last
    two), and the high-tech enterprises' ratio to the first year (K, years + 1)."""
    tot = draws.total
    tiers = tiers_of(tot)
    out = {"mean": tot.mean(axis=1)}
    for k in ("A", "B", "C"):
        out[k] = (tiers == k).sum(axis=1).astype(float)
    raised = np.full(out["mean"].shape, np.nan)
    changed = np.full(out["mean"].shape, np.nan)
    raised[:, 1:] = (tot[:, :, 1:] > tot[:, :, :-1] + 1e-9).sum(axis=1)
    changed[:, 1:] = (tiers[:, :, 1:] != tiers[:, :, :-1]).sum(axis=1)
    out.update(raised=raised, changed=changed, hte=draws.hte / draws.hte[:, :1])
    return out


def observations(until: int | None = None) -> list[tuple[int, str, float]]:
    """(data year, statistic, published value) of the record's rounds up to data year
    ``until`` (all when None); counts of 167-county rounds scaled to the synthetic 168."""
    rec = load_record()
    out = []
    for r in rec["rounds"][1:]:
        y = int(r["data_year"])
        if until is not None and y > until:
            continue
        for k in ("mean", "A", "B", "C", "raised", "changed"):
            if k in r:
                scale = 168 / 167 if k in ("raised", "changed") and y >= 2020 else 1.0
                out.append((y, k, float(r[k]) * scale))
    h = rec["high_tech_enterprises"]
    if until is None or h["end_year"] <= until:
        out.append((int(h["end_year"]), "hte", float(h["ratio_to_start"])))
    return out


def scale(stat: str, value: float) -> float:
    """The structural error of a statistic of the given size (see the module doc)."""
    if stat in SCALES:
        return SCALES[stat]
    if stat == "changed":
        return 2.0 + np.sqrt(max(value, 1.0))
    return 3.0 + 0.1 * abs(value)


def log_likelihood(stats: dict, years: tuple[int, ...], obs) -> np.ndarray:
    """(K,) log-likelihood of each draw's statistics for the observations (see the module doc)."""
    ll = 0.0
    for y, k, v in obs:
        sim = stats[k][:, years.index(y)]
        ll = ll - 0.5 * ((sim - v) / scale(k, v)) ** 2
    return np.asarray(ll, dtype=float)


def prior(profile: str) -> tuple[np.ndarray, np.ndarray]:
    """(medians' logs, standard deviations of the logs) of the factors' priors, in the order of
    :data:`FACTORS`."""
    conf = load_profile(profile)["prior"]
    return np.log([conf[f][0] for f in FACTORS]), np.array([conf[f][1] for f in FACTORS], dtype=float)


@dataclass(frozen=True)
class Posterior:
    """Equally weighted draws of the factors (name -> (M,)), the effective sample size of the
    final weights, the observations fitted and the time taken."""

    draws: dict
    ess: float
    until: int | None
    observations: tuple
    seconds: float

    def mean(self) -> dict[str, float]:
        return {k: float(np.mean(v)) for k, v in self.draws.items()}

    def frame(self) -> pd.DataFrame:
        return pd.DataFrame(self.draws)


def _theta(z: np.ndarray) -> dict[str, np.ndarray]:
    return {f: np.exp(z[:, i]) for i, f in enumerate(FACTORS)}


def _log_normal(z: np.ndarray, mu: np.ndarray, cov: np.ndarray) -> np.ndarray:
    d = z - mu
    inv = np.linalg.inv(cov)
    return -0.5 * np.einsum("ki,ij,kj->k", d, inv, d) - 0.5 * np.linalg.slogdet(2 * np.pi * cov)[1]


@dataclass(frozen=True)
class FitOptions:
    """The calibration's knobs (:func:`fit`): ``draws`` provinces projected a round, ``rounds``
    rounds of population Monte Carlo, ``keep`` equally weighted posterior draws returned, and
    the ``seed`` of the proposals, the shocks and the resampling."""

    draws: int = 384  # a smaller fit (192 x 4) degenerates for some seeds: effective sample size 8-55 over seeds 0-5,
    rounds: int = 8   # against 113-166 for this one (2026-12-04)
    keep: int = 400
    seed: int = 0


def fit(regions: Regions, until: int | None = None, profile: str = "hebei-county",
        options: FitOptions = FitOptions()) -> Posterior:
    """The posterior of ``profile``'s factors given the record's rounds up to data year
    ``until`` (all when None): population Monte Carlo with ``options.draws`` provinces a round
    over ``options.rounds`` rounds (see the module doc), ``options.keep`` equally weighted draws
    returned."""
    t0 = time.perf_counter()
    draws, rounds, keep, seed = options.draws, options.rounds, options.keep, options.seed
    obs = observations(until)
    horizon = max(y for y, _, _ in obs)
    mu0, sd0 = prior(profile)
    cov0 = np.diag(sd0 ** 2)
    rng = np.random.default_rng([seed, 7])
    mu, cov = mu0, cov0
    tiers_of = regions.scenarios[0]
    from sim.model.rubric import load_rubric

    rubric = load_rubric(tiers_of.rubric_id)
    history = []
    for r in range(rounds):
        z = rng.multivariate_normal(mu, cov, size=draws)
        d = project_draws(regions, _theta(z), horizon, ProjectOptions(seed=seed, common=True))
        ll = log_likelihood(statistics(d, rubric.tier_of), d.years, obs)
        history.append((z, ll, mu, cov))
        logw = _log_normal(z, mu0, cov0) + ll - _log_normal(z, mu, cov)
        w = np.exp(logw - logsumexp(logw))
        mu = w @ z
        cov = 1.5 ** 2 * (np.cov(z.T, aweights=w) + 1e-6 * np.eye(len(FACTORS)))
    z, ll, logw = _mixture(history[-2:], mu0, cov0)
    w = np.exp(logw - logsumexp(logw))
    ess = float(1.0 / np.sum(w ** 2))
    idx = _systematic(w, keep, np.random.default_rng([seed, 8]))
    post = {f: v[idx] for f, v in _theta(z).items()}
    return Posterior(post, ess, until, tuple(obs), time.perf_counter() - t0)


def _mixture(history, mu0, cov0):
    """The draws of the last rounds weighted as one mixture proposal (deterministic mixture)."""
    z = np.concatenate([h[0] for h in history])
    ll = np.concatenate([h[1] for h in history])
    q = logsumexp(np.stack([_log_normal(z, h[2], h[3]) for h in history]), axis=0) - np.log(len(history))
    return z, ll, _log_normal(z, mu0, cov0) + ll - q


def _systematic(w: np.ndarray, m: int, rng: np.random.Generator) -> np.ndarray:
    """Indices of m draws resampled systematically in proportion to the weights w."""
    positions = (rng.random() + np.arange(m)) / m
    return np.minimum(np.searchsorted(np.cumsum(w), positions), len(w) - 1)


@dataclass(frozen=True)
class Predictive:
    """The province under posterior draws: per statistic a frame of statistics years x P10, P50,
    P90 of the published figure (a draw's value plus the structural error, :func:`scale`; the
    first year is the synthetic province's construction, as it stands), the draws themselves
    (K x years + 1) and every county's score in every draw (``totals``: K x counties x years + 1)."""

    bands: dict
    draws: dict
    years: tuple
    totals: np.ndarray


def predictive(regions: Regions, posterior: dict, horizon: int, seed: int = 1, mode: str | None = None,
               until: int | None = None) -> Predictive:
    """Project the province under the posterior draws (name -> (K,)) with fresh shocks to data
    year ``horizon``; ``mode`` the pace after the window (:mod:`sim.model.pace`; default the profile's);
    ``until`` the last fitted data year (default: the record's last), after which the structural
    error grows."""
    from sim.model.rubric import load_rubric

    if mode is not None:
        regions = replace(regions, scenarios=tuple(s.replace(pace_mode=mode) for s in regions.scenarios))
    d = project_draws(regions, posterior, horizon, ProjectOptions(seed=[seed, 99]))
    rubric = load_rubric(regions.scenarios[0].rubric_id)
    rng = np.random.default_rng([seed, 100])
    last = until if until is not None else max(int(r["data_year"]) for r in load_record()["rounds"])
    ahead = np.maximum(np.asarray(d.years) - last, 0)
    drift = rng.standard_normal((d.total.shape[0], 1, 1)) * DRIFT * ahead[None, None, :]
    d = replace(d, total=np.clip(d.total + drift, 0.0, 100.0))
    stats = statistics(d, rubric.tier_of)
    for k, v in stats.items():  # a published figure = the model's + its structural error
        stats[k] = v + rng.standard_normal(v.shape) * np.vectorize(lambda m: scale(k, m))(np.nan_to_num(v))
        stats[k][:, 0] = v[:, 0] if k in ("mean", "A", "B", "C", "hte") else np.nan
    bands = {}
    for k, v in stats.items():
        stats[k] = np.clip(v, 0.0, 100.0 if k == "mean" else (len(regions) if k != "hte" else np.inf))
        v = stats[k]
        q = np.full((v.shape[1], 3), np.nan)
        ok = ~np.isnan(v).any(axis=0)
        q[ok] = np.quantile(v[:, ok], QUANTILES, axis=0).T
        bands[k] = pd.DataFrame(q, index=pd.Index(d.years, name="data_year"), columns=["P10", "P50", "P90"])
    return Predictive(bands, stats, d.years, d.total)


def compare(pred: Predictive, until: int | None = None) -> pd.DataFrame:
    """One row per published statistic: data year, round, statistic, published value, the
    prediction's P10/P50/P90, whether the 80% band covers it, and whether the statistic was
    fitted (data year <= ``until``) or predicted."""
    rows = []
    for y, k, v in observations(None):
        if y not in pred.years:
            continue
        b = pred.bands[k].loc[y]
        rows.append({"data_year": y, "round": y + 1, "statistic": k, "published": v, "P10": b["P10"], "P50": b["P50"],
                     "P90": b["P90"], "covered": bool(b["P10"] - 1e-9 <= v <= b["P90"] + 1e-9),
                     "fitted": until is None or y <= until})
    return pd.DataFrame(rows)


def stored_bands(mode: str | None = None, horizon: int = 2026, draws: int = 100,
                 profile: str = "hebei-county") -> pd.DataFrame:
    """The stored calibration's predictions beside the record, long: one row per statistic and
    statistics year with the round, P10/P50/P90, the published value (NaN where none) and
    whether that round was fitted (the stored posterior uses every published round) — the Method
    page's chart and the README's. ``mode``: the pace after the window (default the profile's);
    ``draws``: the first posterior draws used."""
    from sim.uncertainty import load_posterior
    from .regions import load

    post = load_posterior(profile)
    if post is None:
        return pd.DataFrame(columns=["statistic", "data_year", "round", "P10", "P50", "P90", "published", "fitted"])
    pred = predictive(load("hebei-synthetic"), {k: v[:draws] for k, v in post.items()}, horizon, mode=mode)
    published = {(y, k): v for y, k, v in observations(None)}
    rows = []
    for k in ("mean", "A", "B", "C", "raised", "changed"):
        for y, b in pred.bands[k].dropna().iterrows():
            rows.append({"statistic": k, "data_year": int(y), "round": int(y) + 1, "P10": b["P10"], "P50": b["P50"],
                         "P90": b["P90"], "published": published.get((int(y), k), np.nan),
                         "fitted": (int(y), k) in published})
    return pd.DataFrame(rows)
