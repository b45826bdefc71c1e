"""Undo and redo of scenario changes: a history of (before, after) document texts and the name
of each change ("平台奖补 60 → 200 万元"). Pure functions over a plain dict kept in the session
(``ui.state`` records every change); nothing here reads the session.
"""
from __future__ import annotations

import json

import numpy as np

import sim
from report.labels import quantity
from sim.files.datadir import load_translations
from sim.model.catalog import load_catalog
from sim.model.rubric import load_rubric
from sim.scenarios import overrides

LIMIT = 100  # changes kept


def empty() -> dict:
    """A new history: ``past`` (undoable changes, oldest first) and ``future`` (redoable)."""
    return {"past": [], "future": []}


def record(hist: dict, before: str, after: str, what: str = "") -> dict:
    """The history with one more change (``what``: a code naming a change made as a whole, e.g.
    "optimizer"; empty to name it from the difference). A change to the same text is none."""
    if before == after:
        return hist
    past = [*hist["past"], {"before": before, "after": after, "what": what}][-LIMIT:]
    return {"past": past, "future": []}


def undo(hist: dict) -> tuple[dict, str | None]:
    """(history, the text to go back to), or the history unchanged and None."""
    if not hist["past"]:
        return hist, None
    entry = hist["past"][-1]
    return {"past": hist["past"][:-1], "future": [*hist["future"], entry]}, entry["before"]


def redo(hist: dict) -> tuple[dict, str | None]:
    """(history, the text to go forward to), or the history unchanged and None."""
    if not hist["future"]:
        return hist, None
    entry = hist["future"][-1]
    return {"past": [*hist["past"], entry], "future": hist["future"][:-1]}, entry["after"]


# ---------------------------------------------------------------------- naming a change
def _tr(key: str, lang: str, **params) -> str:
    return load_translations()["app"][key][lang].format(**params)


def _money(v: float) -> str:
    return f"{v:,.0f}"


def describe(entry: dict, lang: str, scenario_of=None) -> str:
    """A change in words, in ``lang``: what moved, from what to what. ``scenario_of`` turns a
    document text into its scenario (the app passes its cache)."""
    if entry.get("what"):
        return _tr(f"hist_{entry['what']}", lang)
    scenario_of = scenario_of or (lambda text: overrides.apply(json.loads(text)))
    try:
        a, b = scenario_of(entry["before"]), scenario_of(entry["after"])
    except (sim.InputError, ValueError):
        return _tr("hist_other", lang)
    parts = _preset(a, b, lang) or [*_spend(a, b, lang), *_growth(a, b, lang), *_values(a, b, lang),
                                     *_modes(a, b, lang)]
    if a.region_name != b.region_name:
        parts.append(_tr("hist_region", lang, name=b.region_name or "—"))
    if not parts:
        return _tr("hist_other", lang)
    return "; ".join(parts[:2]) + (" …" if len(parts) > 2 else "")


def _preset(a, b, lang: str) -> list[str]:
    if a.preset_id == b.preset_id:
        return []
    return [_tr("hist_preset", lang, old=getattr(a, lang), new=getattr(b, lang))]


def _spend(a, b, lang: str) -> list[str]:
    cat = load_catalog()
    old = {p: float(a.spend[p][0]) for p in a.programs}
    new = {p: float(b.spend[p][0]) for p in b.programs}
    moved = [p for p in new if not np.isclose(old.get(p, 0.0), new[p], rtol=0, atol=0.5)]
    if len(moved) == 1:
        p = moved[0]
        return [_tr("hist_spend_one", lang, program=getattr(cat.program(p), lang),
                    old=_money(old.get(p, 0.0)), new=_money(new[p]))]
    if moved:
        return [_tr("hist_spend_total", lang, old=_money(sum(old.values())), new=_money(sum(new.values())))]
    return []


def _growth(a, b, lang: str) -> list[str]:
    cat = load_catalog()
    return [_tr("hist_growth", lang, name=getattr(cat.indicators[q], lang), old=f"{a.growth[q]:.1%}",
                new=f"{g:.1%}")
            for q, g in b.growth.items() if q in a.growth and not np.isclose(a.growth[q], g, atol=5e-5)]


def _values(a, b, lang: str) -> list[str]:
    """Baseline values and management items that changed (the rubric's labels for categories)."""
    cat = load_catalog()
    labels = {}
    if b.rubric_id:
        for c in load_rubric(b.rubric_id).columns:
            labels[c.id] = getattr(c, lang)
            for k in c.categories:
                labels[f"{c.id}={k.id}"] = getattr(k, lang)
    out = []
    for q in sorted(set(a.base) | set(a.management)):
        va = a.management.get(q, a.base.get(q))
        vb = b.management.get(q, b.base.get(q))
        if va == vb or (isinstance(va, float) and isinstance(vb, float) and np.isclose(va, vb)):
            continue
        name = getattr(cat.indicators[q], lang) if q in cat.indicators else labels.get(q, q)
        shown = [labels.get(f"{q}={v}", quantity(q, v) if isinstance(v, float) else str(v)) for v in (va, vb)]
        out.append(_tr("hist_value", lang, name=name, old=shown[0], new=shown[1]))
    return out


def _modes(a, b, lang: str) -> list[str]:
    out = []
    if a.status_quo_mode != b.status_quo_mode:
        out.append(_tr("hist_mode", lang, name=_tr("status_quo_label", lang),
                       old=_tr(f"status_quo_{a.status_quo_mode}", lang),
                       new=_tr(f"status_quo_{b.status_quo_mode}", lang)))
    if a.tier_reading != b.tier_reading:
        out.append(_tr("hist_mode", lang, name=_tr("reading_label", lang),
                       old=_tr(f"reading_{a.tier_reading}", lang), new=_tr(f"reading_{b.tier_reading}", lang)))
    return out
