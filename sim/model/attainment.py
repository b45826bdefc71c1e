"""Plan attainment: each target's projected value, status and needed versus assumed growth.

Status: ``met`` (projected at or beyond the target in the indicator's good direction),
``within_5pct`` (short by at most 5% of the target), ``short`` (more), ``not_assessed`` (the target
year lies outside the projection). A tier target of year Y is checked on the statistics of
``sc.scored_year(Y)`` (Y - 1 under the default assessment reading: the assessment held in Y scores
the previous year's statistics). An ``increase`` target (逐年增加) is met when the indicator rises
in every year from the baseline to its year, a ``no_decrease`` target (只增不减) when it never
falls. Growth needed = (target / baseline)^(1/years) - 1; growth
assumed = (projected / baseline)^(1/years) - 1. Attainment index: share of assessed targets
met, and the weighted mean shortfall (0 when every target is met).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from .catalog import load_catalog
from .scenario import Scenario

TIER_RANK = {"A": 3, "B": 2, "C": 1}
COLUMNS = ["indicator", "year", "kind", "baseline", "projected", "target", "status", "shortfall",
           "growth_needed", "growth_assumed", "weight", "scored_year"]
TREND_KINDS = ("increase", "no_decrease")
BINARY_KINDS = ("tier", "text", *TREND_KINDS)


def _cagr(end, start, years):
    if years <= 0 or start is None or not np.isfinite(start) or start <= 0 or end <= 0:
        return np.nan
    return (end / start) ** (1 / years) - 1


def _row(sc, frame, scores, tg, cat) -> dict:
    """``frame``/``scores``: column -> numpy array over years; ``pos``: year -> row."""
    scored = sc.scored_year(tg.year) if tg.kind == "tier" else tg.year
    row = dict(indicator=tg.indicator, year=tg.year, kind=tg.kind, target=tg.value, weight=tg.weight,
               baseline=np.nan, projected=np.nan, shortfall=np.nan, growth_needed=np.nan,
               growth_assumed=np.nan, status="not_assessed", scored_year=scored)
    pos = frame["__pos__"]
    if scored not in pos:
        return row
    i, i0 = pos[scored], pos[sc.base_year]
    n = tg.year - sc.base_year
    if tg.kind in TREND_KINDS:
        if tg.indicator not in frame:
            return row
        path = np.asarray(frame[tg.indicator][i0:i + 1], dtype=float)
        step = np.diff(path)
        tol = 1e-9 * (1 + np.abs(path[:-1]))
        ok = bool((step > tol).all() if tg.kind == "increase" else (step >= -tol).all())
        row.update(baseline=float(path[0]), projected=float(path[-1]), status="met" if ok else "short")
        return row
    if tg.kind == "tier":
        if "tier" not in scores:
            return row
        got = scores["tier"][i]
        row.update(baseline=scores["tier"][i0], projected=got,
                   status="met" if TIER_RANK[got] >= TIER_RANK[str(tg.value)] else "short")
        return row
    if tg.kind == "text":
        got = sc.management.get(tg.indicator, "")
        row.update(baseline=got, projected=got, status="met" if got == tg.value else "short")
        return row
    if tg.indicator not in frame:
        return row
    base, proj = float(frame[tg.indicator][i0]), float(frame[tg.indicator][i])
    lower = cat.indicators[tg.indicator].direction == "lower" if tg.indicator in cat.indicators else False
    if tg.kind == "growth":
        got = _cagr(proj, base, n) * 100
        want = float(tg.value)
        short = max(0.0, (want - got) / abs(want)) if want else 0.0
        row.update(baseline=base, projected=got, shortfall=short, growth_needed=want / 100,
                   growth_assumed=got / 100, status="met" if got >= want - 1e-9 else
                   ("within_5pct" if short <= 0.05 else "short"))
        return row
    want = float(tg.value)
    gap = (proj - want) / abs(want) if want else 0.0
    short = max(0.0, gap if lower else -gap)
    met = proj <= want + 1e-9 if lower else proj >= want - 1e-9
    row.update(baseline=base, projected=proj, shortfall=short,
               growth_needed=_cagr(want, base, n), growth_assumed=_cagr(proj, base, n),
               status="met" if met else ("within_5pct" if short <= 0.05 else "short"))
    return row


def attainment(sc: Scenario, frame: dict[str, np.ndarray], scores: dict[str, np.ndarray]) -> pd.DataFrame:
    """One row per target (see module doc); ``attrs['index']`` holds the attainment index.

    ``frame``: quantity -> values over ``[base_year, *years]``; ``scores``: ``{"tier": ...}``
    over the same years for rubric presets (else empty).
    """
    rows = attainment_rows(sc, frame, scores)
    out = pd.DataFrame(rows, columns=COLUMNS)
    out.attrs["index"] = attainment_index(rows)
    return out


def attainment_rows(sc: Scenario, frame: dict[str, np.ndarray], scores: dict[str, np.ndarray]) -> list[dict]:
    """The rows of :func:`attainment` as dicts (for :func:`attainment_index` without a table)."""
    cat = load_catalog()
    cols = dict(frame)
    cols["__pos__"] = {y: i for i, y in enumerate([sc.base_year, *sc.years])}
    return [_row(sc, cols, scores, tg, cat) for tg in sc.targets]


def attainment_index(rows: list[dict]) -> dict[str, float]:
    """Share of assessed targets met and the weighted mean shortfall (fractions); a tier target
    that is not met counts as a full shortfall."""
    assessed = [r for r in rows if r["status"] != "not_assessed"]
    if not assessed:
        return {"share_met": float("nan"), "weighted_shortfall": float("nan"), "assessed": 0}
    def short(r):
        if r["kind"] in BINARY_KINDS:
            return 0.0 if r["status"] == "met" else 1.0
        return 0.0 if np.isnan(r["shortfall"]) else float(r["shortfall"])
    w = [float(r["weight"]) for r in assessed]
    return {"share_met": sum(r["status"] == "met" for r in assessed) / len(assessed),
            "weighted_shortfall": sum(wi * short(r) for wi, r in zip(w, assessed)) / sum(w),
            "assessed": len(assessed)}


def attainment_batch(sc: Scenario, X: dict[str, np.ndarray], objective: str, upto: int | None = None) -> np.ndarray:
    """Weighted attainment (%) or targets met over the numeric targets due by ``upto``
    (default: the horizon); NaN where none is due."""
    cat = load_catalog()
    n = next(iter(X.values())).shape[0]
    upto = sc.horizon if upto is None else upto
    num, den, met = np.zeros(n), 0.0, np.zeros(n)
    for tg in sc.targets:
        if tg.kind not in ("level", "growth") or tg.indicator not in X or not sc.base_year < tg.year <= upto:
            continue
        t = tg.year - sc.base_year
        v = X[tg.indicator][:, t]
        want = float(tg.value)
        if tg.kind == "growth":
            base = sc.base[tg.indicator]
            v = ((v / base) ** (1 / t) - 1) * 100 if base > 0 else np.zeros(n)
        lower = cat.indicators[tg.indicator].direction == "lower"
        gap = (v - want) / abs(want) if want else np.zeros(n)
        s = np.maximum(0.0, gap if lower else -gap)
        num += tg.weight * s
        den += tg.weight
        met += (s <= 1e-12)
    if objective == "targets_met":
        return met
    return 100 * (1 - num / den) if den else np.full(n, np.nan if upto < sc.horizon else 100.0)
