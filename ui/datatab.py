"""Pure helpers of the 数据 Data page (no Streamlit here, so they can be unit-tested).

* the baseline editor's table (:func:`editor_frame`), the validation of its edits and the
  scenario document they make (:func:`edit_doc`);
* ratios and sums computed from their parts (:func:`derived_frame`), shown read-only;
* a region's own data from the Excel template or a CSV (:func:`parse_region_file`,
  :func:`region_values`, :func:`with_region`, :func:`without_region`);
* the scenario and its results as one workbook (:func:`export_sheets`, :func:`export_bytes`).

Every user-facing string comes from ``data/translations.toml`` (``[app.<key>]``) in the
language passed as ``lang``.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

import sim
from report import labels
from sim.files.datadir import load_translations
from sim.files.writers import xlsx_bytes
from sim.inputs import document
from sim.inputs.cells import scoring_input
from sim.inputs.tables import table_from_bytes
from sim.model.catalog import load_catalog
from sim.model.catalog import text_in
from sim.model.rubric import load_rubric
from sim.model.simulate import inputs_frame
from sim.scenarios import overrides
from ui.literal import lit

STATUSES = ("seed", "derived", "assumption", "calibrated", "calibrated_edge", "user", "synthetic")
EDITABLE = ("value", "growth")
COLUMNS = ("name", "unit", "value", "growth", "status", "source", "growth_status", "growth_source")
TOL = 1e-9


def _limit(key: str) -> float:
    """A bound of ``data/limits.toml`` [values] (the scenario document's schema uses the same)."""
    return float(document.limits()["values"][key])


def tr(key: str, lang: str, **params) -> str:
    """The string ``[app.<key>]`` in ``lang``, formatted with ``params``."""
    text = load_translations()["app"][key][lang]
    return text.format(**params) if params else text


def column_label(column: str, lang: str) -> str:
    """A column of the editor's table, named in ``lang``."""
    return tr(f"data_col_{column}", lang)


def status_label(status: str, lang: str) -> str:
    """A provenance status in ``lang`` (assumptions carry a warning sign)."""
    if status in STATUSES:
        return tr(f"data_status_{status}", lang)
    return status or "—"


def quantity_name(q: str, lang: str) -> str:
    """The name of a quantity, rubric column or ``program.<id>`` in ``lang``."""
    cat = load_catalog()
    if q in cat.indicators:
        return getattr(cat.indicators[q], lang)
    if q.startswith("program.") and q[len("program."):] in cat.program_ids:
        return getattr(cat.program(q[len("program."):]), lang)
    for c in load_rubric("hebei-county").columns:
        if c.id == q:
            return getattr(c, lang)
    if q == "programs":
        return tr("data_programs_part", lang)
    return q


def _max_value(q: str) -> float | None:
    """The rubric's upper bound of a count column (1 for the 0/1 columns), else None."""
    for c in load_rubric("hebei-county").columns:
        if c.id == q:
            return c.max_value
    return None


# ---------------------------------------------------------------------- the editor
def editor_frame(sc: sim.Scenario, doc: dict, lang: str) -> pd.DataFrame:
    """One row per editable baseline quantity (index: quantity id).

    Columns (see :data:`COLUMNS`): name and unit in ``lang``, the baseline ``value``, the
    organic ``growth`` in % a year, the value's and the growth's status (translated) and the
    source words or reasoning. Values edited in the document are marked ``user``.
    """
    cat = load_catalog()
    base_edits = doc.get("base") or {}
    growth_edits = doc.get("growth") or {}
    rows = []
    qs = overrides.editable_quantities(sc)
    for q in qs:
        ind = cat.indicators[q]
        p = sc.provenance.get(q)
        g = sc.provenance.get(f"growth.{q}")
        if q in base_edits:
            status, source = "user", tr("data_edited_here", lang)
        else:
            status, source = (p.status, p.text(lang)) if p else ("derived", "")
        if q in growth_edits:
            g_status, g_source = "user", tr("data_edited_here", lang)
        elif g is not None:
            g_status, g_source = g.status, g.text(lang)
        else:
            g_status, g_source = ("assumption", text_in(ind, "note", lang)) if q in sc.growth else ("", "")
        growth = sc.growth.get(q)
        rows.append({"name": getattr(ind, lang), "unit": labels.unit(ind.unit, lang, q), "value": float(sc.base[q]),
                     "growth": float(growth) * 100 if growth is not None else float("nan"),
                     "status": status_label(status, lang), "source": labels.readable(source, lang),
                     "growth_status": status_label(g_status, lang), "growth_source": labels.readable(g_source, lang)})
    frame = pd.DataFrame(rows, columns=list(COLUMNS), index=pd.Index(qs, name="quantity"))
    return frame


def _finite(v) -> float | None:
    if v is None or isinstance(v, bool):
        return None
    try:
        x = float(v)
    except (TypeError, ValueError):
        return None
    return x if math.isfinite(x) else None


def _missing(v) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA


def _changed(old, new) -> bool:
    a, b = _finite(old), _finite(new)
    if a is None or b is None:
        return (a is None) != (b is None)
    return not math.isclose(a, b, rel_tol=TOL, abs_tol=1e-12)


def validate_edits(frame: pd.DataFrame, edited: pd.DataFrame, lang: str) -> list[str]:
    """Messages (in ``lang``) for every invalid edited cell, each naming the row and column.

    Baseline values must be finite, >= 0 and at most the rubric's bound for its 0/1 columns (else
    the document's bound); growth must be finite and within the document's growth bounds
    (``data/limits.toml``, -50% to +100% a year).
    """
    errors: list[str] = []
    for i, q in enumerate(frame.index):
        if q not in edited.index:
            continue
        for col in EDITABLE:
            new = edited.at[q, col]
            if not _changed(frame.at[q, col], new):
                continue
            where = dict(row=i + 1, name=quantity_name(q, lang), column=column_label(col, lang),
                         value="—" if _missing(new) else lit(new))  # shown as Markdown: typed text is text
            x = _finite(new)
            if x is None:
                errors.append(tr("data_err_not_number", lang, **where))
            elif col == "value":
                top = _max_value(q)
                top = _limit("base_max") if top is None else top
                if x < 0:
                    errors.append(tr("data_err_negative", lang, **where))
                elif x > top:
                    errors.append(tr("data_err_above_max", lang, max=f"{top:g}", **where))
            elif not 100 * _limit("growth_min") <= x <= 100 * _limit("growth_max"):
                errors.append(tr("data_err_growth", lang, low=f"{100 * _limit('growth_min'):g}",
                                 high=f"{100 * _limit('growth_max'):g}", **where))
    return errors


def edits(frame: pd.DataFrame, edited: pd.DataFrame) -> tuple[dict[str, float], dict[str, float]]:
    """The changed entries: (base quantity -> value, quantity -> growth as a fraction)."""
    base: dict[str, float] = {}
    growth: dict[str, float] = {}
    for q in frame.index:
        if q not in edited.index:
            continue
        if _changed(frame.at[q, "value"], edited.at[q, "value"]):
            base[q] = float(edited.at[q, "value"])
        if _changed(frame.at[q, "growth"], edited.at[q, "growth"]):
            growth[q] = float(edited.at[q, "growth"]) / 100
    return base, growth


@dataclass(frozen=True)
class EditResult:
    """``doc``: the new document (None when nothing changed or an edit is invalid);
    ``errors``: messages naming each bad row and column."""

    doc: dict | None
    errors: list[str] = field(default_factory=list)


def edit_doc(doc: dict, frame: pd.DataFrame, edited: pd.DataFrame, lang: str) -> EditResult:
    """The document with the editor's valid changes (only the changed entries) in
    ``doc["base"]`` / ``doc["growth"]``; nothing at all when any edit is invalid."""
    errors = validate_edits(frame, edited, lang)
    if errors:
        return EditResult(None, errors)
    base, growth = edits(frame, edited)
    if not base and not growth:
        return EditResult(None)
    new = {k: (dict(v) if isinstance(v, dict) else v) for k, v in doc.items()}
    if base:
        new["base"] = {**(doc.get("base") or {}), **base}
    if growth:
        new["growth"] = {**(doc.get("growth") or {}), **growth}
    return EditResult(new)


# ---------------------------------------------------------------------- ratios and sums
def derived_value(sc: sim.Scenario, q: str) -> float:
    """A ratio or sum of the baseline computed from its parts (sums of sums, ratios of sums),
    with the preset's calibration factor ``k`` and upper bound; other quantities as given."""
    ind = load_catalog().indicators[q]
    if ind.kind == "sum":
        return float(sum(sum(sc.status_quo.values()) if p == "programs" else derived_value(sc, p)
                         for p in ind.inputs))
    if ind.kind == "ratio":
        num, den = ind.inputs
        d = derived_value(sc, den)
        v = sc.ratio_k.get(q, 1.0) * ind.scale * derived_value(sc, num) / d if d > 0 else 0.0
        return float(min(v, ind.upper)) if ind.upper is not None else float(v)
    return float(sc.base[q])


def formula_text(q: str, lang: str) -> str:
    ind = load_catalog().indicators[q]
    if ind.kind == "sum":
        return " + ".join(quantity_name(p, lang) for p in ind.inputs)
    num, den = ind.inputs
    scale = f" × {ind.scale:g}" if ind.scale != 1 else ""
    return f"{quantity_name(num, lang)}{scale} ÷ {quantity_name(den, lang)}"


def derived_frame(sc: sim.Scenario, lang: str) -> pd.DataFrame:
    """The baseline's ratios and sums, computed from their (possibly edited) parts."""
    cat = load_catalog()
    rows = []
    for q in sc.base:
        ind = cat.indicators[q]
        if ind.kind not in ("ratio", "sum"):
            continue
        k = sc.ratio_k.get(q)
        formula = formula_text(q, lang) + (f"  (k = {k:.4f})" if k is not None else "")
        rows.append({"quantity": q, "name": getattr(ind, lang), "unit": labels.unit(ind.unit, lang, q),
                     "value": derived_value(sc, q), "formula": formula})
    return pd.DataFrame(rows, columns=["quantity", "name", "unit", "value", "formula"])


# ---------------------------------------------------------------------- a region's data
def parse_region_file(rubric_id: str, data: bytes, name: str) -> tuple[list[str], dict[str, np.ndarray]]:
    """Regions and their rubric columns from an uploaded template or CSV (InputError else)."""
    return scoring_input(load_rubric(rubric_id), table_from_bytes(data, name))


def region_values(rubric_id: str, values: dict[str, np.ndarray], i: int) -> dict[str, object]:
    """Row ``i`` as a document's ``region.values``: every rubric column, floats, the category
    column as its id string."""
    out: dict[str, object] = {}
    for c in load_rubric(rubric_id).columns:
        v = values[c.id][i]
        out[c.id] = str(v) if c.kind == "category" else float(v)
    return out


def with_region(doc: dict, name: str, values: dict[str, object]) -> dict:
    """The document using a region's own base-year data. Earlier baseline and management
    edits are dropped: the region's figures decide the baseline (growth and spending stay)."""
    new = {k: v for k, v in doc.items() if k not in ("region", "base", "management")}
    new["region"] = {"name": name, "values": dict(values)}
    return new


def without_region(doc: dict) -> dict:
    """The document back on the preset's own data."""
    return {k: v for k, v in doc.items() if k != "region"}


# ---------------------------------------------------------------------- export
def export_sheets(proj: sim.Projection, doc_text: str, lang: str) -> dict[str, pd.DataFrame]:
    """The workbook's sheets: inputs, projection, scores (county presets), attainment,
    allocation (programs x years, 万元) and scenario (the JSON document in one cell)."""
    sc = proj.scenario
    cat = load_catalog()
    sheets: dict[str, pd.DataFrame] = {}
    inputs = inputs_frame(sc)
    inputs.insert(1, "name", [quantity_name(q, lang) for q in inputs["quantity"]])
    sheets["inputs"] = inputs
    ind = proj.indicators.T
    ind.columns = [int(y) for y in ind.columns]
    ind.insert(0, "unit", [cat.indicators[q].unit for q in ind.index])
    ind.insert(0, "name", [getattr(cat.indicators[q], lang) for q in ind.index])
    sheets["projection"] = ind.rename_axis("indicator").reset_index()
    if sc.rubric_id and not proj.scores.empty:
        sheets["scores"] = proj.scores.reset_index()
    att = proj.attainment.copy()
    if "indicator" in att:
        att.insert(1, "name", [quantity_name(q, lang) for q in att["indicator"]])
    sheets["attainment"] = att
    alloc = pd.DataFrame(sc.spend_matrix(), columns=list(sc.years))
    alloc.insert(0, "name", [getattr(cat.program(p), lang) for p in sc.programs])
    alloc.insert(0, "program", list(sc.programs))
    sheets["allocation"] = alloc
    sheets["scenario"] = pd.DataFrame({"scenario": [doc_text]})
    return sheets


def export_bytes(proj: sim.Projection, doc_text: str, lang: str) -> bytes:
    """The scenario and its results as one .xlsx workbook."""
    return xlsx_bytes(export_sheets(proj, doc_text, lang))


def export_name(sc: sim.Scenario) -> str:
    return f"{sc.preset_id}_scenario.xlsx"
