"""A user's table checked against the rubric: headers matched to its columns (Chinese names with
units, English names or column ids), every cell checked column by column (numbers, counts,
categories), the first bad cell named with its column and spreadsheet row."""
from __future__ import annotations

import re

import numpy as np
import pandas as pd

from sim.files.errors import InputError
from sim.files.text import DISALLOWED, bad_char, normal
from sim.files.workbooks import FORMULA
from sim.files.workbooks import cell_text as _cell_text
from sim.model.rubric import InputColumn, Rubric


REGION_HEADERS = ("region", "地区", "县(市、区)", "县（市、区）", "县区", "地区名称")


_UNIT_SUFFIX = re.compile(r"\s*[(（][^()（）]*[)）]\s*$")


# ---------------------------------------------------------------------- headers
def _normal(header: str) -> str:
    """Compare headers without case, spaces and trailing brackets: "国家级众创空间(星创天地)(家)"."""
    h = header.replace("\u3000", " ").strip().lower()
    while (cut := _UNIT_SUFFIX.sub("", h).strip()) and cut != h:
        h = cut
    return h


def header_map(rubric: Rubric) -> dict[str, str]:
    """Accepted header (normalized) -> column id: the id, the Chinese and the English name."""
    names: dict[str, str] = {}
    for c in rubric.columns:
        for alias in (c.id, c.zh, c.en):
            names[_normal(alias)] = c.id
    for alias in REGION_HEADERS:
        names[_normal(alias)] = "region"
    return names


def _column_ids(rubric: Rubric, headers: list[str]) -> dict[str, str]:
    known = header_map(rubric)
    found: dict[str, str] = {}
    for h in headers:
        cid = known.get(_normal(h))
        if cid is None:
            continue
        if cid in found:
            raise InputError("duplicate_column", column=cid, header=h)
        found[cid] = h
    missing = [cid for cid in ["region", *(c.id for c in rubric.columns)] if cid not in found]
    if missing:
        label = {c.id: (f"{c.zh}({c.unit})" if c.unit else c.zh) for c in rubric.columns} | {"region": "地区"}
        raise InputError("missing_column", column=f"{label[missing[0]]} / {missing[0]}",
                         columns=", ".join(label[m] for m in missing))
    return found


# ---------------------------------------------------------------------- cells
def _first(problems: list[tuple[str, np.ndarray]]) -> tuple[int, str] | None:
    """(position, problem) of the first row with a problem; the earlier a problem in the list,
    the more it counts on the same row."""
    best = None
    for code, mask in problems:
        hits = np.flatnonzero(mask)
        if len(hits) and (best is None or hits[0] < best[0]):
            best = (int(hits[0]), code)
    return best


def number_cells(cells: pd.Series, col: InputColumn, header: str) -> np.ndarray:
    """A number column checked in one vectorized pass; InputError names the user's header and
    the first bad spreadsheet row."""
    if pd.api.types.is_numeric_dtype(cells):  # parsed by the CSV reader already
        values = cells.to_numpy(dtype=float)
        raw = None
        formula = np.zeros(len(values), dtype=bool)
        empty = np.isnan(values)
        bad = np.isinf(values)
    else:
        raw = cells.fillna("").astype(str)
        text = raw.str.strip().str.replace(",", "", regex=False).str.replace("，", "", regex=False)
        if col.unit == "%":
            text = text.str.replace(r"%\s*$", "", regex=True).str.strip()
        values = pd.to_numeric(text, errors="coerce").to_numpy(dtype=float)
        formula = raw.str.startswith(FORMULA).to_numpy()
        empty = (text == "").to_numpy() & ~formula
        bad = (np.isnan(values) & ~empty & ~formula) | np.isinf(values)
    ok = ~(formula | empty | bad)
    problems = [("formula_no_value", formula), ("empty_value", empty), ("not_a_number", bad),
                ("negative", ok & (values < 0))]
    if col.kind == "count":
        problems.append(("not_whole", ok & (values >= 0) & (np.floor(values) != values)))
    if col.max_value is not None:
        problems.append(("above_max", ok & (values > col.max_value)))
    hit = _first(problems)
    if hit is not None:
        i, code = hit
        where = dict(column=header, row=int(cells.index[i]))
        shown = _cell_text(float(values[i])) if raw is None else raw.iloc[i].strip()
        if code == "formula_no_value":
            raise InputError(code, formula=shown[len(FORMULA):][:40], **where)
        if code == "empty_value":
            raise InputError(code, **where)
        if code == "above_max":
            raise InputError(code, value=shown, max=f"{col.max_value:g}", **where)
        raise InputError(code, value=shown, **where)
    return values


def _categories(cells: pd.Series, col: InputColumn, header: str) -> np.ndarray:
    """A category column checked in one pass: ids (any case) or Chinese labels -> ids."""
    raw = cell_texts(cells)
    text = raw.str.strip()
    lookup = {c.id: c.id for c in col.categories} | {c.zh: c.id for c in col.categories}
    ids = text.str.lower().map(lookup)
    ids = ids.where(ids.notna(), text.map(lookup))
    formula = raw.str.startswith(FORMULA).to_numpy()
    empty = (text == "").to_numpy() & ~formula
    unknown = ids.isna().to_numpy() & ~empty & ~formula
    hit = _first([("formula_no_value", formula), ("empty_value", empty), ("unknown_category", unknown)])
    if hit is not None:
        i, code = hit
        where = dict(column=header, row=int(cells.index[i]))
        if code == "formula_no_value":
            raise InputError(code, formula=text.iloc[i][len(FORMULA):][:40], **where)
        if code == "empty_value":
            raise InputError(code, **where)
        allowed = " / ".join(f"{c.id} ({c.zh})" for c in col.categories)
        raise InputError(code, value=text.iloc[i], allowed=allowed, **where)
    return ids.to_numpy(dtype=object)


def scoring_input(rubric: Rubric, raw: pd.DataFrame) -> tuple[list[str], dict[str, np.ndarray]]:
    """Validate a table (from :func:`table_from_bytes`) against the rubric's columns, one
    vectorized pass per column.

    Returns:
        ``(regions, values)``: region names and column id -> array (one entry per row).
    Raises:
        InputError naming the first bad column (as its header is written in the file) and its
        spreadsheet row (header = row 1).
    """
    headers = _column_ids(rubric, list(raw.columns))
    names = cell_texts(raw[headers["region"]])
    formula = names.str.startswith(FORMULA).to_numpy()
    empty = (names.str.strip() == "").to_numpy()
    hit = _first([("formula_no_value", formula), ("empty_value", empty)])
    if hit is not None:
        i, code = hit
        extra = {"formula": names.iloc[i][len(FORMULA):][:40]} if code == "formula_no_value" else {}
        raise InputError(code, column=headers["region"], row=int(raw.index[i]), **extra)
    regions = names.str.strip().tolist()
    bad = np.fromiter((DISALLOWED.search(n) is not None for n in names), bool, len(names))
    if bad.any():  # a name every writer (Word, Excel, charts, the store) accepts: sim.files.text
        i = int(np.flatnonzero(bad)[0])
        raise InputError("bad_text_cell", column=headers["region"], row=int(raw.index[i]),
                         char=bad_char(names.iloc[i]))
    regions = [normal(n) for n in regions]
    values: dict[str, np.ndarray] = {}
    for col in rubric.columns:
        check = _categories if col.kind == "category" else number_cells
        values[col.id] = check(raw[headers[col.id]], col, headers[col.id])
    return regions, values


def cell_texts(cells: pd.Series) -> pd.Series:
    """A column as text: a number column (a CSV of region codes) without ".0", empty as ""."""
    if pd.api.types.is_numeric_dtype(cells):
        return pd.Series([_cell_text(float(v)) if v == v else "" for v in cells], index=cells.index)
    return cells.fillna("").astype(str)
