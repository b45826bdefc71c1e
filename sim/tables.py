"""Users' tables: read .csv (UTF-8, UTF-8 with BOM, GBK) and .xlsx, validate scoring input,
write results atomically (a temporary file then a rename: never a half-written file).

Limits (``data/limits.toml`` [upload], or ``SIM_MAX_UPLOAD_MB`` / ``SIM_MAX_ROWS``) are checked
before a file is parsed (its size) and while it is read (rows are streamed, a workbook with the
read-only reader), so an oversized or damaged file ends in a clear message, never a traceback or
a server's memory. Text written out (CSV or Excel) never starts a formula: a text cell beginning
with = + - @ or a tab / carriage return gets a leading quote (the OWASP rule); numbers are left
alone.
"""
from __future__ import annotations

import csv
import io
import math
import os
import re
import tempfile
import zipfile
from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd

from .errors import InputError
from .rubric import InputColumn, Rubric

REGION_HEADERS = ("region", "地区", "县(市、区)", "县（市、区）", "县区", "地区名称")
MAX_COLUMNS = 500  # the rubric has 54 input columns; a sheet 10 times as wide is not a template
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class FormulaCell(str):
    """A workbook cell holding a formula that was never calculated (no cached value): its text is
    the formula; reading it as a number says so instead of "empty"."""


def upload_limits() -> tuple[int, int]:
    """(bytes, rows) a user file may have: the environment's SIM_MAX_UPLOAD_MB / SIM_MAX_ROWS,
    else ``data/limits.toml``."""
    from .document import limits

    conf = limits()["upload"]
    try:
        mb = float(os.environ.get("SIM_MAX_UPLOAD_MB") or conf["max_mb"])
        rows = int(os.environ.get("SIM_MAX_ROWS") or conf["max_rows"])
    except ValueError:
        mb, rows = float(conf["max_mb"]), int(conf["max_rows"])
    return int(mb * 1e6), rows  # MB of 10^6 bytes, as the message states them
_UNIT_SUFFIX = re.compile(r"\s*[(（][^()（）]*[)）]\s*$")


# ---------------------------------------------------------------------- reading
def read_table(path: str | os.PathLike) -> pd.DataFrame:
    """Read a user's .csv or .xlsx as text cells (header row + data rows, all ``str``).

    Raises :class:`InputError` for a missing file, a wrong extension, an empty file, an
    undecodable CSV or a damaged workbook.
    """
    p = Path(path)
    ext = p.suffix.lower()
    if ext == ".xls":
        raise InputError("old_excel", path=p.name)
    if ext not in (".csv", ".xlsx"):
        raise InputError("wrong_extension", path=p.name, ext=ext or "-")
    if not p.is_file():
        raise InputError("file_not_found", path=str(p))
    max_bytes, _ = upload_limits()
    if p.stat().st_size > max_bytes:
        raise InputError("file_too_large", path=p.name, size=f"{p.stat().st_size / 1e6:,.1f}",
                         limit=f"{max_bytes / 1e6:g}")
    data = p.read_bytes()
    return table_from_bytes(data, p.name)


def table_from_bytes(data: bytes, name: str) -> pd.DataFrame:
    """Parse an uploaded file's bytes (the app's uploader gives bytes and a name)."""
    ext = Path(name).suffix.lower()
    if ext == ".xls":
        raise InputError("old_excel", path=name)
    if ext not in (".csv", ".xlsx"):
        raise InputError("wrong_extension", path=name, ext=ext or "-")
    max_bytes, max_rows = upload_limits()
    if len(data) > max_bytes:
        raise InputError("file_too_large", path=name, size=f"{len(data) / 1e6:,.1f}",
                         limit=f"{max_bytes / 1e6:g}")
    if not data.strip():
        raise InputError("empty_file", path=name)
    rows = _xlsx_rows(data, name, max_rows) if ext == ".xlsx" else _csv_rows(data, name, max_rows)
    rows = [r for r in rows if any(c.strip() for c in r)]
    if not rows:
        raise InputError("empty_file", path=name)
    header, body = [c.strip() for c in rows[0]], rows[1:]
    if not body:
        raise InputError("no_rows", path=name)
    width = len(header)
    body = [(r + [""] * width)[:width] for r in body]
    return pd.DataFrame(body, columns=header, dtype=object)


def _decode(data: bytes, name: str) -> str:
    for enc in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    raise InputError("bad_encoding", path=name)


def _limited(rows, name: str, max_rows: int) -> list[list[str]]:
    """The rows of a streamed table, refusing more than ``max_rows`` data rows or too wide rows."""
    out = []
    for row in rows:
        if len(out) > max_rows:  # the header plus max_rows rows are allowed
            raise InputError("too_many_rows", path=name, limit=f"{max_rows:,}")
        if len(row) > MAX_COLUMNS:
            raise InputError("too_many_columns", path=name, n=f"{len(row):,}", limit=MAX_COLUMNS)
        out.append(row)
    return out


def _csv_rows(data: bytes, name: str, max_rows: int) -> list[list[str]]:
    try:
        text = io.StringIO(_decode(data, name), newline="")  # a quoted field may hold line breaks
        return _limited((list(r) for r in csv.reader(text)), name, max_rows)
    except csv.Error as exc:
        raise InputError("bad_csv", path=name, reason=str(exc)) from None


XLSX_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, KeyError, OSError, ValueError, TypeError,
               AttributeError, IndexError, EOFError)  # what a damaged workbook raises in openpyxl


def _xlsx_rows(data: bytes, name: str, max_rows: int) -> list[list[str]]:
    """The first sheet's rows as text, streamed; a formula without a cached value becomes a
    :class:`FormulaCell` holding the formula."""
    from xml.etree.ElementTree import ParseError

    from openpyxl import load_workbook

    try:
        values = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        formulas = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
        try:
            pairs = zip(values.worksheets[0].iter_rows(values_only=True),
                        formulas.worksheets[0].iter_rows(values_only=True))
            rows = _limited(([_cell(v, f) for v, f in zip(vr, fr)] for vr, fr in pairs), name, max_rows)
        finally:
            values.close()
            formulas.close()
    except InputError:
        raise
    except (*XLSX_ERRORS, ParseError):
        raise InputError("not_xlsx", path=name) from None
    return rows


def _cell(value: object, formula: object) -> str:
    if value is None:
        if isinstance(formula, str) and formula.startswith("="):
            return FormulaCell(formula)
        return ""
    return _cell_text(value)


def _cell_text(v: object) -> str:
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


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
        raise InputError("missing_column", column=missing[0], columns=", ".join(missing))
    return found


# ---------------------------------------------------------------------- cells
def _number(text: str, col: InputColumn, row: int) -> float:
    if isinstance(text, FormulaCell):
        raise InputError("formula_no_value", column=col.id, row=row, formula=str.__str__(text)[:40])
    t = text.strip().replace(",", "").replace("，", "")
    if col.unit == "%" and t.endswith("%"):
        t = t[:-1].strip()
    if t == "":
        raise InputError("empty_value", column=col.id, row=row)
    try:
        x = float(t)
    except ValueError:
        raise InputError("not_a_number", column=col.id, row=row, value=text.strip()) from None
    if not math.isfinite(x):
        raise InputError("not_a_number", column=col.id, row=row, value=text.strip())
    if x < 0:
        raise InputError("negative", column=col.id, row=row, value=t)
    if col.kind == "count" and not float(x).is_integer():
        raise InputError("not_whole", column=col.id, row=row, value=t)
    if col.max_value is not None and x > col.max_value:
        raise InputError("above_max", column=col.id, row=row, value=t, max=f"{col.max_value:g}")
    return x


def _category(text: str, col: InputColumn, row: int) -> str:
    if isinstance(text, FormulaCell):
        raise InputError("formula_no_value", column=col.id, row=row, formula=str.__str__(text)[:40])
    t = text.strip()
    if t == "":
        raise InputError("empty_value", column=col.id, row=row)
    for c in col.categories:
        if t.lower() == c.id or t == c.zh:
            return c.id
    allowed = " / ".join(f"{c.id} ({c.zh})" for c in col.categories)
    raise InputError("unknown_category", column=col.id, row=row, value=t, allowed=allowed)


def scoring_input(rubric: Rubric, raw: pd.DataFrame) -> tuple[list[str], dict[str, np.ndarray]]:
    """Validate a raw table against the rubric's columns.

    Returns:
        ``(regions, values)``: region names and column id -> array (one entry per row).
    Raises:
        InputError naming the first bad column and spreadsheet row (header = row 1).
    """
    headers = _column_ids(rubric, list(raw.columns))
    regions = []
    for i, v in enumerate(raw[headers["region"]].tolist()):
        if isinstance(v, FormulaCell):
            raise InputError("formula_no_value", column="region", row=i + 2, formula=str.__str__(v)[:40])
        if not str(v).strip():
            raise InputError("empty_value", column="region", row=i + 2)
        regions.append(str(v).strip())
    values: dict[str, np.ndarray] = {}
    for col in rubric.columns:
        cells = raw[headers[col.id]].tolist()
        parse: Callable = _category if col.kind == "category" else _number
        values[col.id] = np.array([parse(v if isinstance(v, FormulaCell) else str(v), col, i + 2)
                                   for i, v in enumerate(cells)],
                                  dtype=object if col.kind == "category" else float)
    return regions, values


# ---------------------------------------------------------------------- writing
def write_atomic(path: str | os.PathLike, payload: bytes) -> None:
    """Write ``payload`` to ``path`` via a temporary file and a rename (all or nothing)."""
    p = Path(path)
    try:
        p.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{p.name}.", dir=p.parent)
        with os.fdopen(fd, "wb") as fh:
            fh.write(payload)
        os.replace(tmp, p)
    except OSError as exc:
        if "tmp" in locals() and os.path.exists(tmp):
            os.unlink(tmp)
        raise InputError("write_failed", path=str(p), reason=exc.strerror or str(exc)) from None


def inert(value):
    """A text cell that cannot start a formula in Excel or WPS: a leading quote before = + - @
    or a tab / carriage return (OWASP, CSV injection); numbers and other values unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def _inert_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with every text cell, column name and index label made :func:`inert`."""
    out = frame.copy()
    for c in out.columns:
        if out[c].dtype == object or pd.api.types.is_string_dtype(out[c]):
            out[c] = out[c].map(inert)
    out.columns = [inert(c) for c in out.columns]
    if out.index.dtype == object or pd.api.types.is_string_dtype(out.index):
        out.index = out.index.map(inert)
    return out


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """UTF-8 with BOM (Excel on Chinese Windows opens it with the right characters); text cells
    are made :func:`inert`."""
    return _inert_frame(frame).to_csv(index=False, lineterminator="\r\n").encode("utf-8-sig")


def xlsx_bytes(sheets: dict[str, pd.DataFrame]) -> bytes:
    """A workbook with one sheet per frame (sheet names as given, at most 31 characters); text
    cells are made :func:`inert`."""
    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="openpyxl") as xw:
        for name, frame in sheets.items():
            _inert_frame(frame).to_excel(xw, sheet_name=name[:31], index=not isinstance(frame.index, pd.RangeIndex))
    return buf.getvalue()


def check_out_path(path: str | os.PathLike, allowed: tuple[str, ...]) -> Path:
    """Refuse an output path with an extension not in ``allowed`` before any work is done."""
    p = Path(path)
    if p.suffix.lower() not in allowed:
        raise InputError("out_extension", path=str(p), allowed=" / ".join(allowed))
    return p


def template_bytes(rubric: Rubric, example: pd.DataFrame) -> bytes:
    """The Excel template: sheet 1 has Chinese headers (with units) and one example row;
    sheet 2 explains every column (id, names, unit, allowed values, the item it scores).

    ``example``: the rubric's example frame (``column, value, status, ...``).
    """
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter

    ex = dict(zip(example["column"], example["value"]))
    status = dict(zip(example["column"], example["status"]))
    wb = Workbook()
    ws = wb.active
    ws.title = "数据"
    cols = [("region", "地区", "")] + [(c.id, c.zh, c.unit) for c in rubric.columns]
    ws.append([f"{zh}({unit})" if unit else zh for _, zh, unit in cols])
    ws.append([_typed(ex.get(cid, "")) for cid, _, _ in cols])
    bold, assumed = Font(bold=True), PatternFill("solid", fgColor="FFF2CC")
    for j, (cid, _, _) in enumerate(cols, start=1):
        ws.cell(1, j).font = bold
        if status.get(cid) == "assumption":
            ws.cell(2, j).fill = assumed
        ws.column_dimensions[get_column_letter(j)].width = 18
    ws.freeze_panes = "B2"
    notes = wb.create_sheet("说明 Notes")
    notes.append(["列 id", "中文名", "English", "单位 unit", "取值 values", "计分项 item", "示例值来源 example"])
    for cell in notes[1]:
        cell.font = bold
    notes.append(["region", "地区", "Region", "", "文字 text", "", ""])
    for c in rubric.columns:
        notes.append([c.id, c.zh, c.en, c.unit, _allowed(c), rubric.item(c.item).zh,
                      "假设 assumption" if status.get(c.id) == "assumption" else "种子文件 seed"])
    notes.append([])
    notes.append(["黄色单元格为假设值,请替换为本地数据。Yellow cells are assumed values: replace them with your own data."])
    for j, w in enumerate((34, 40, 52, 10, 40, 30, 18), start=1):
        notes.column_dimensions[get_column_letter(j)].width = w
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _typed(text: str):
    try:
        x = float(text)
    except ValueError:
        return text
    return int(x) if x.is_integer() else x


def _allowed(c: InputColumn) -> str:
    if c.kind == "category":
        return " / ".join(f"{k.id}={k.zh}" for k in c.categories)
    if c.kind == "count":
        return "整数 ≥ 0 whole number" + (f", ≤ {c.max_value:g}" if c.max_value is not None else "")
    if c.kind == "points":
        return f"0 – {c.max_value:g} 分 points"
    return "数值 ≥ 0 number"
