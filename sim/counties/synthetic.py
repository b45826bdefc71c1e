"""Synthetic counties: inputs drawn from documented distributions, selected to match a published
tier distribution (``data/regions/hebei_synthetic.toml``, :func:`sim.counties.regions.load`).

1. Draw a pool of candidate counties: a latent development level z ~ N(0, sd) each, every input
   from its distribution given z (lognormal, Poisson count, 0/1, category, assessor's points).
2. Score the pool with the rubric (the inputs are the rubric's columns, computed consistently from
   the county's size: fiscal S&T spending = share x public budget, ...).
3. Draw the published number of counties of each tier from the pool's candidates of that tier.
Every draw comes from one seeded generator, so the province is the same on every machine.
"""
from __future__ import annotations

import numpy as np

from sim.model.rubric import load_rubric
from sim.model.rubric import score

STRATA = ("A", "B", "C")


def _lognormal(spec: dict, z: np.ndarray, rng: np.random.Generator, vals: dict) -> np.ndarray:
    x = np.exp(np.log(spec["median"]) + spec.get("loading", 0.0) * z + spec.get("spread", 0.0)
               * rng.standard_normal(len(z)))
    if "per" in spec:
        x = x * vals[spec["per"]]
    return np.minimum(x, spec["max"]) if "max" in spec else x


def _count(spec: dict, z: np.ndarray, rng: np.random.Generator, vals: dict) -> np.ndarray:
    lam = spec["mean"] * np.exp(spec.get("loading", 0.0) * z)
    if "per" in spec:
        lam = lam * vals[spec["per"]]
    return rng.poisson(lam).astype(float)


def _binary(spec: dict, z: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    logit = np.log(spec["p"] / (1 - spec["p"])) + spec.get("loading", 0.0) * z
    return (rng.random(len(z)) < 1 / (1 + np.exp(-logit))).astype(float)


def _category(spec: dict, z: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """One of ``values``; z shifts the weights toward the first values (a softmax with scores
    decreasing along the list)."""
    k = len(spec["values"])
    logits = np.log(np.asarray(spec["weights"], dtype=float))[None] - spec.get("loading", 0.0) * \
        np.outer(z, np.arange(k) - (k - 1) / 2)
    p = np.exp(logits - logits.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    idx = (rng.random(len(z))[:, None] > np.cumsum(p, axis=1)).sum(axis=1).clip(0, k - 1)
    return np.asarray(spec["values"])[idx]


def _points(spec: dict, z: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    top = float(spec["max"])
    m = np.log(spec["median"] / (top - spec["median"]))
    y = m + spec.get("loading", 0.0) * z + spec.get("spread", 0.0) * rng.standard_normal(len(z))
    return np.round(top / (1 + np.exp(-y)) * 2) / 2  # assessors give half points


def draw_pool(spec: dict, n: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """n candidate counties: input id -> array (n,), every rubric column included (see module)."""
    z = float(spec["regions"].get("latent_sd", 1.0)) * rng.standard_normal(n)
    vals: dict[str, np.ndarray] = {"z": z}
    for s in spec.get("inputs", []):
        vals[s["quantity"]] = _lognormal(s, z, rng, vals)
    for s in spec.get("counts", []):
        vals[s["quantity"]] = _count(s, z, rng, vals)
    for s in spec.get("binary", []):
        vals[s["quantity"]] = _binary(s, z, rng)
    cat = spec["categories"]
    vals[cat["quantity"]] = _category(cat, z, rng)
    pts = spec["points"]
    vals[pts["quantity"]] = _points(pts, z, rng)
    # rubric columns computed from the county's size
    vals["fiscal_st_spending"] = vals["public_expenditure"] * vals["fiscal_st_share"] / 100
    vals["high_tech_per_1000_firms"] = 1000 * vals["high_tech_enterprises"] / vals["registered_firms"]
    vals["tech_smes_per_1000_firms"] = 1000 * vals["tech_smes"] / vals["registered_firms"]
    return vals


def pool_scores(pool: dict[str, np.ndarray]) -> np.ndarray:
    """The rubric's total of every candidate (zeros for columns the spec does not draw)."""
    rubric = load_rubric("hebei-county")
    n = len(pool["z"])
    values = {c.id: pool.get(c.id, np.zeros(n)) for c in rubric.columns}
    return score(rubric, values).total


def select(totals: np.ndarray, counts: dict[str, int], u: np.ndarray, tilts: dict[str, float]) -> np.ndarray:
    """Indices of ``counts[tier]`` candidates of each tier, in the order A, B, C, drawn with
    probability proportional to exp(tilt x score / 10) (the tier's tilt; 0: at random) by
    weighted sampling without replacement (Efraimidis-Spirakis keys u^(1/w), u the candidates'
    uniform numbers: the same at every tilt). ValueError when the pool has too few of a tier."""
    tiers = load_rubric("hebei-county").tier_of(totals)
    out = []
    for t in STRATA:
        idx = np.flatnonzero(tiers == t)
        if len(idx) < counts[t]:
            raise ValueError(f"the pool has {len(idx)} candidates of tier {t}, {counts[t]} needed: "
                             "enlarge the pool")
        w = np.exp(tilts.get(t, 0.0) * (totals[idx] - totals[idx].max()) / 10)
        keys = np.log(u[idx]) / w
        out.append(np.sort(idx[np.argsort(-keys, kind="stable")[: counts[t]]]))
    return np.concatenate(out)


def generate(spec: dict, counts: dict[str, int]) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """The selected counties' inputs (input id -> (counties,)) and their baseline totals.

    The A and B counties are drawn with the spec's tilts (``tilt_A``, ``tilt_B``); the C
    counties' tilt is solved (bisection) so that the mean of all counties is ``initial_mean``
    (the first round's mean, not published: an assumption)."""
    meta = spec["regions"]
    rng = np.random.default_rng(int(meta["seed"]))
    pool = draw_pool(spec, int(meta["pool"]), rng)
    totals = pool_scores(pool)
    u = rng.random(len(totals))
    tilts = {"A": float(meta.get("tilt_A", 0.0)), "B": float(meta.get("tilt_B", 0.0))}

    def mean_at(c: float) -> tuple[float, np.ndarray]:
        chosen = select(totals, counts, u, {**tilts, "C": c})
        return float(totals[chosen].mean()), chosen

    lo, hi = -3.0, 3.0
    for _ in range(40):
        mid = (lo + hi) / 2
        m, chosen = mean_at(mid)
        lo, hi = (mid, hi) if m < float(meta["initial_mean"]) else (lo, mid)
    chosen = mean_at(hi)[1]
    return {k: v[chosen] for k, v in pool.items()}, totals[chosen]
