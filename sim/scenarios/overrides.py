"""A scenario as a small JSON document: the preset plus what the user changed.

The app keeps this in the session and in the URL (so a link reproduces a scenario), saves it
in its scenario store and exports/imports it as a file. Format::

    {"format": "innovation-sim-scenario/1", "preset": "demo", "horizon": 2030,
     "status_quo": "share" | "flat" | "plan", "reading": "assessment" | "data",
     "pace": "mixed" | "continue" | "fade" | "accelerate",
     "spend": {"platform_awards": 300 or [per year, ...]}, "growth": {"gdp": 0.05},
     "management": {"st_admin_body": "independent"}, "base": {"registered_firms": 13000}}

Every key but ``preset`` is optional. A number in ``spend`` is the first projected year's 万元,
growing like the status quo afterwards (with the public budget by default); a list gives every
year. :func:`apply` validates everything and raises
:class:`InputError` (zh/en) naming the bad key, so a broken document never half-applies.
"""
from __future__ import annotations

import json
import math

from sim.files.errors import InputError
from sim.inputs import document
from sim.inputs.resolve import rederive
from sim.model.catalog import EDITABLE_KINDS, load_catalog
from sim.model.rubric import load_rubric
from sim.model.scenario import Scenario, same_amounts
from .presets import check_preset_id, load_preset

FORMAT = document.FORMAT
MANAGEMENT_COUNTS = ("st_leading_group",)


def parse(text: str | bytes) -> dict:
    """Parse a JSON scenario document (InputError when it is not one): size, nesting depth and
    every field's type and bounds are checked by :mod:`sim.inputs.document` before anything is built."""
    return document.parse(text)


def _number(key: str, v, minimum: float | None = None) -> float:
    if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
        raise InputError("bad_setting", key=key, value=v, reason="not a number / 不是数字")
    if minimum is not None and v < minimum:
        raise InputError("bad_setting", key=key, value=v, reason=f"below {minimum:g} / 小于 {minimum:g}")
    return float(v)


def apply(doc: dict) -> Scenario:
    """The scenario a document describes: its preset with the changes applied and validated
    (the schema of :mod:`sim.inputs.document` first, then what only the preset can tell: known
    programs, quantities and years)."""
    doc = document.validate(doc)
    check_preset_id(str(doc.get("preset")))
    region = doc.get("region") or {}
    sc = load_preset(doc["preset"], _region_values(region.get("values") or {}), str(region.get("name", "")))
    if doc.get("horizon") is not None:
        sc = sc.with_horizon(doc["horizon"])
    base = dict(doc.get("base") or {})
    if base:
        cat = load_catalog()
        for q, v in base.items():
            if q not in sc.base or cat.indicators[q].kind not in EDITABLE_KINDS:
                raise InputError("unknown_key", key=f"base.{q}", known=", ".join(editable_quantities(sc)))
            base[q] = _number(f"base.{q}", v, 0.0)
        sc = rederive(sc.replace(base={**sc.base, **base}))
    for q, g in (doc.get("growth") or {}).items():
        sc = sc.with_growth(q, _number(f"growth.{q}", g))
    if doc.get("reading") is not None:
        sc = sc.replace(tier_reading=str(doc["reading"]))
    if doc.get("pace") is not None and sc.growth_profile:  # what the pace does after the fitted years
        sc = sc.replace(pace_mode=str(doc["pace"]))
    # the status quo follows the growth and mode in force; explicit spending comes after it
    sc = sc.with_status_quo_mode(str(doc.get("status_quo") or sc.status_quo_mode))
    for pid, v in (doc.get("spend") or {}).items():
        if isinstance(v, list):
            if len(v) != len(sc.years):
                raise InputError("bad_setting", key=f"spend.{pid}", value=len(v),
                                 reason=f"{len(sc.years)} years {sc.years[0]}-{sc.years[-1]}")
            v = [_number(f"spend.{pid}", x, 0.0) for x in v]
        else:
            v = _number(f"spend.{pid}", v, 0.0)
        sc = sc.with_spend(pid, v)
    mgmt = doc.get("management") or {}
    if mgmt:
        values = _management(sc, mgmt)
        counts = {k: v for k, v in values.items() if k in sc.base}  # e.g. st_leading_group (0/1)
        texts = {k: v for k, v in values.items() if k not in sc.base}
        sc = rederive(sc.replace(management={**sc.management, **texts}, base={**sc.base, **counts}))
    return sc


def _region_values(values: dict) -> dict:
    out = {}
    for k, v in values.items():
        out[k] = v if isinstance(v, str) else _number(f"region.{k}", v, 0.0)
    return out


def _management(sc: Scenario, mgmt: dict) -> dict:
    if not sc.rubric_id:
        raise InputError("unknown_key", key="management", known="-")
    cols = {c.id: c for c in load_rubric(sc.rubric_id).columns if c.kind in ("category", "points", "count")
            and c.item in ("st_admin", "st_management_innovation")}
    out = {}
    for k, v in mgmt.items():
        c = cols.get(k)
        if c is None:
            raise InputError("unknown_key", key=f"management.{k}", known=", ".join(cols))
        if c.kind == "category":
            if v not in [x.id for x in c.categories]:
                raise InputError("unknown_category_value", column=k, value=v,
                                 allowed=" / ".join(x.id for x in c.categories))
            out[k] = v
        else:
            out[k] = _number(f"management.{k}", v, 0.0)
            if c.max_value is not None and out[k] > c.max_value:
                raise InputError("bad_setting", key=f"management.{k}", value=v, reason=f"> {c.max_value:g}")
    return out


def editable_quantities(sc: Scenario) -> list[str]:
    """Baseline quantities a user may edit (ratios and sums are computed from them)."""
    cat = load_catalog()
    return [q for q in sc.base if cat.indicators[q].kind in EDITABLE_KINDS]


def diff(sc: Scenario) -> dict:
    """The document of a scenario: what differs from its preset (compact: constant spending
    as one number)."""
    ref = load_preset(sc.preset_id, dict(sc.region_values) or None, sc.region_name)
    doc: dict = {"format": FORMAT, "preset": sc.preset_id}
    if sc.region_values:
        doc["region"] = {"name": sc.region_name, "values": dict(sc.region_values)}
    if sc.horizon != ref.horizon:
        doc["horizon"] = sc.horizon
        ref = ref.with_horizon(sc.horizon)
    if sc.status_quo_mode != ref.status_quo_mode:
        doc["status_quo"] = sc.status_quo_mode
    if sc.tier_reading != ref.tier_reading:
        doc["reading"] = sc.tier_reading
    if sc.pace_mode != ref.pace_mode:
        doc["pace"] = sc.pace_mode
    editable = set(editable_quantities(sc))
    base = {q: v for q, v in sc.base.items() if q in ref.base and v != ref.base[q] and (q in editable or
                                                                                        q in MANAGEMENT_COUNTS)}
    growth = {q: g for q, g in sc.growth.items() if g != ref.growth.get(q)}
    ref = overrides_base(ref, base, growth).with_status_quo_mode(sc.status_quo_mode)
    spend = {}
    for p, row in sc.spend.items():
        if not same_amounts(row, ref.spend[p]):
            spend[p] = _amount(row[0]) if sc.on_path(row) else [_amount(v) for v in row]
    mgmt = {k: v for k, v in sc.management.items() if v != ref.management.get(k)}
    for k in MANAGEMENT_COUNTS:
        if k in sc.base and sc.base[k] != ref.base.get(k):
            mgmt[k] = sc.base[k]
            base.pop(k, None)
    for key, val in (("base", base), ("growth", growth), ("spend", spend), ("management", mgmt)):
        if val:
            doc[key] = val
    return doc


def _amount(v: float) -> int | float:
    """万元 as a link states it: a whole number without ".0" (the app's amounts are whole)."""
    return int(round(v)) if abs(v - round(v)) < 1e-9 else float(v)


def overrides_base(sc: Scenario, base: dict, growth: dict) -> Scenario:
    """``sc`` with edited baseline values (sums and ratios rederived) and growth rates."""
    if base:
        sc = rederive(sc.replace(base={**sc.base, **base}))
    for q, g in growth.items():
        sc = sc.with_growth(q, g)
    return sc


def dumps(sc: Scenario, name: str | None = None) -> str:
    """The scenario's document as JSON text (UTF-8, Chinese kept readable)."""
    doc = diff(sc)
    if name:
        doc["name"] = name
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":"))
