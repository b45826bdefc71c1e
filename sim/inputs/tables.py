"""Users' tables: read .csv (UTF-8, UTF-8 with BOM, GBK), .xlsx, .xls (Excel 97-2003) and .ods
(LibreOffice, WPS), validate scoring input column by column (vectorized),
write results atomically (a temporary file then a rename: never a half-written file).

Limits (``data/limits.toml`` [upload], or ``SIM_MAX_UPLOAD_MB`` / ``SIM_MAX_ROWS``) are checked
before a file is parsed (its size, a CSV's width) and while it is read (a CSV's rows are streamed;
a workbook's rows, cells, XML elements and inflated bytes are counted as :mod:`sim.files.workbooks`
streams them, never expanded first), so an oversized, hostile or damaged file ends in a clear
message within seconds, never a traceback or a server's memory. Text written out (CSV or Excel)
never starts a formula: a text cell beginning with = + - @ or a tab / carriage return gets a
leading quote (the OWASP rule); numbers are left alone.
"""
from __future__ import annotations

import codecs
import contextlib
import csv
import io
import os
import re
import tempfile
from pathlib import Path
from typing import BinaryIO, Callable, Iterator

import numpy as np
import pandas as pd

from sim.files.errors import InputError
from sim.files.text import DISALLOWED, bad_char, normal
from sim.files.workbooks import FORMULA, Limits, ods_grid, xls_grid, xlsx_grid
from sim.files.workbooks import cell_text as _cell_text
from sim.model.rubric import InputColumn, Rubric

REGION_HEADERS = ("region", "地区", "县(市、区)", "县（市、区）", "县区", "地区名称")
MAX_COLUMNS = 500  # the rubric has 54 input columns; a sheet 10 times as wide is not a template
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def upload_limits() -> Limits:
    """What a user file may hold (:class:`sim.files.workbooks.Limits`): bytes and data rows from the
    environment's SIM_MAX_UPLOAD_MB / SIM_MAX_ROWS, else ``data/limits.toml`` [upload], which
    also gives a workbook's cells, inflated bytes (max_unzipped_mb), XML elements, characters per
    cell and per sheet; columns are :data:`MAX_COLUMNS`."""
    from .document import limits

    conf = limits()["upload"]
    try:
        mb = float(os.environ.get("SIM_MAX_UPLOAD_MB") or conf["max_mb"])
        rows = int(os.environ.get("SIM_MAX_ROWS") or conf["max_rows"])
    except ValueError:
        mb, rows = float(conf["max_mb"]), int(conf["max_rows"])
    # MB of 10^6 bytes, as the messages state them
    return Limits(bytes=int(mb * 1e6), rows=rows, columns=MAX_COLUMNS, cells=int(conf["max_cells"]),
                  unzipped=int(float(conf["max_unzipped_mb"]) * 1e6), elements=int(conf["max_xml_elements"]),
                  cell_chars=int(conf["max_cell_chars"]), text=int(conf["max_sheet_chars"]))


_UNIT_SUFFIX = re.compile(r"\s*[(（][^()（）]*[)）]\s*$")


# ---------------------------------------------------------------------- reading
READERS = (".csv", ".xlsx", ".xls", ".ods")


CHUNK_ROWS = 50_000  # rows of a large CSV validated and scored at a time (about 25 MB each)
HEAD_ROWS = 200      # records of a CSV in which its header row is looked for


def read_table(path: str | os.PathLike) -> pd.DataFrame:
    """Read a user's .csv, .xlsx, .xls or .ods whole (see :func:`iter_table`)."""
    return pd.concat(list(iter_table(path)))


def iter_table(path: str | os.PathLike, chunk_rows: int | None = None) -> Iterator[pd.DataFrame]:
    """A user's .csv, .xlsx, .xls or .ods in frames of at most ``chunk_rows`` (default
    :data:`CHUNK_ROWS`) data rows: a CSV is streamed, so a large one never sits in memory whole;
    a workbook comes in one frame.
    Each frame's columns are the header row's words, its index the spreadsheet row numbers.

    Raises :class:`InputError` for a missing file, a wrong extension, an empty file, an
    undecodable CSV or a damaged workbook, and for more rows than the limit.
    """
    p = Path(path)
    ext = p.suffix.lower()
    if ext not in READERS:
        raise InputError("wrong_extension", path=p.name, ext=ext or "-")
    if not p.is_file():
        raise InputError("file_not_found", path=str(p))
    lim = upload_limits()
    if p.stat().st_size > lim.bytes:
        raise InputError("file_too_large", path=p.name, size=f"{p.stat().st_size / 1e6:,.1f}",
                         limit=f"{lim.bytes / 1e6:g}")
    if ext == ".csv":
        yield from _csv_chunks(lambda: open(p, "rb"), p.name, lim.rows, chunk_rows or CHUNK_ROWS)
    else:
        yield table_from_bytes(p.read_bytes(), p.name)


def table_from_bytes(data: bytes, name: str) -> pd.DataFrame:
    """Parse an uploaded file's bytes (the app's uploader gives bytes and a name): a frame whose
    columns are the header row's words (the first row with any text) and whose index is the
    spreadsheet row (from 1). A CSV's all-number columns come as numbers (pandas' C parser), every
    other cell as text; blank rows are left out, their numbers kept. A workbook's first sheet is
    read by :mod:`sim.files.workbooks` under :func:`upload_limits`."""
    ext = Path(name).suffix.lower()
    if ext not in READERS:
        raise InputError("wrong_extension", path=name, ext=ext or "-")
    lim = upload_limits()
    if len(data) > lim.bytes:
        raise InputError("file_too_large", path=name, size=f"{len(data) / 1e6:,.1f}",
                         limit=f"{lim.bytes / 1e6:g}")
    if ext == ".csv":
        return pd.concat(list(_csv_chunks(lambda: io.BytesIO(data), name, lim.rows, None)))
    if not data.strip():
        raise InputError("empty_file", path=name)
    grid = {".xlsx": xlsx_grid, ".xls": xls_grid, ".ods": ods_grid}[ext](data, name, lim)
    grid = _filled(grid.fillna("").astype(str))
    if grid.empty:
        raise InputError("empty_file", path=name)
    header, body = list(grid.iloc[0]), grid.iloc[1:]
    _check_width(len(header), name)
    if len(body) > lim.rows:
        raise InputError("too_many_rows", path=name, limit=f"{lim.rows:,}")
    if body.empty:
        raise InputError("no_rows", path=name)
    body.columns = [h.strip() for h in header]
    return body


def _check_width(n: int, name: str) -> None:
    if n > MAX_COLUMNS:
        raise InputError("too_many_columns", path=name, n=f"{n:,}", limit=MAX_COLUMNS)


def _filled(frame: pd.DataFrame) -> pd.DataFrame:
    """The rows with any text or number (one vectorized pass per column)."""
    filled = np.zeros(len(frame), dtype=bool)
    for c in frame.columns:
        col = frame[c]
        if pd.api.types.is_numeric_dtype(col):
            filled |= col.notna().to_numpy()
        else:
            filled |= (col.fillna("").astype(str).str.strip() != "").to_numpy()
    return frame[filled]


def _encoding(opener: Callable[[], BinaryIO], name: str) -> str:
    """UTF-8 (with or without BOM), else GB18030, as the first megabyte decodes (a later
    undecodable byte is reported as the file's encoding problem when it is read)."""
    with opener() as fh:
        head = fh.read(1 << 20)
    for enc in ("utf-8-sig", "gb18030"):
        try:
            codecs.getincrementaldecoder(enc)().decode(head)  # not final: a cut character is fine
            return enc
        except UnicodeDecodeError:
            continue
    raise InputError("bad_encoding", path=name)


def _csv_chunks(opener: Callable[[], BinaryIO], name: str, max_rows: int,
                chunk_rows: int | None) -> Iterator[pd.DataFrame]:
    """A CSV's data rows under its header (the first row with text), ``chunk_rows`` at a time:
    pandas' C parser, number columns as numbers; only an empty cell counts as missing ("NA" or
    "nan" stay text and are refused as numbers). The records pandas' first pass reads, which size
    its frames, are counted before pandas reads them (:func:`_widest`)."""
    enc = _encoding(opener, name)
    _check_width(_widest(opener, name, enc, HEAD_ROWS + 1), name)
    with opener() as fh:
        top = _filled(_read_csv(fh, name, enc, dtype=str, nrows=HEAD_ROWS))
    if top.empty:
        raise InputError("empty_file", path=name)
    first = int(top.index[0])  # 0-based line of the header
    header = ["" if isinstance(h, float) else str(h).strip() for h in top.iloc[0]]
    _check_width(len(header), name)
    rows = 0
    with opener() as fh:
        reader = _read_csv(fh, name, enc, empty="no_rows", skiprows=first + 1,
                           chunksize=chunk_rows or max_rows + 1)
        offset = first + 2  # spreadsheet row of the first record
        while (chunk := _next(reader, name)) is not None:
            chunk.index = np.arange(offset, offset + len(chunk))
            offset += len(chunk)
            width = max(len(header), chunk.shape[1])
            _check_width(width, name)
            chunk = _filled(chunk.reindex(columns=range(width)))
            rows += len(chunk)
            if rows > max_rows:
                raise InputError("too_many_rows", path=name, limit=f"{max_rows:,}")
            if len(chunk):
                chunk.columns = header + [""] * (width - len(header))
                yield chunk
    if rows == 0:
        raise InputError("no_rows", path=name)


def _widest(opener: Callable[[], BinaryIO], name: str, encoding: str, records: int) -> int:
    """The most fields in one of the CSV's first ``records`` records, counted by Python's csv
    module (pandas' quoting rules) without building a frame: pandas sizes a frame by the first
    record it parses (the header, then the first record under it), so a line of five million
    commas would make a frame of five million columns before its width could be checked. A wider
    record further down is pandas' own error ("Expected n fields")."""
    with opener() as raw, io.TextIOWrapper(raw, encoding=encoding, newline="") as text:
        try:
            return max((len(r) for _, r in zip(range(records), csv.reader(text))), default=0)
        except UnicodeDecodeError:
            raise InputError("bad_encoding", path=name) from None
        except csv.Error as exc:
            raise InputError("bad_csv", path=name, reason=str(exc).strip()[:160]) from None


def _read_csv(fh: BinaryIO, name: str, encoding: str, empty: str = "empty_file", **kw):
    try:
        return pd.read_csv(fh, header=None, encoding=encoding, keep_default_na=False, na_values=[""],
                           skip_blank_lines=False, engine="c", **kw)
    except pd.errors.EmptyDataError:
        raise InputError(empty, path=name) from None
    except UnicodeDecodeError:
        raise InputError("bad_encoding", path=name) from None
    except (pd.errors.ParserError, ValueError, csv.Error) as exc:
        raise InputError("bad_csv", path=name, reason=str(exc).strip()[:160]) from None


def _next(reader, name: str) -> pd.DataFrame | None:
    """The reader's next chunk (None at the end); a malformed line is an InputError."""
    try:
        return next(reader)
    except StopIteration:
        return None
    except UnicodeDecodeError:
        raise InputError("bad_encoding", path=name) from None
    except (pd.errors.ParserError, ValueError, csv.Error) as exc:
        raise InputError("bad_csv", path=name, reason=str(exc).strip()[:160]) from None


def _texts(cells: pd.Series) -> pd.Series:
    """A column as text: a number column (a CSV of region codes) without ".0", empty as ""."""
    if pd.api.types.is_numeric_dtype(cells):
        return pd.Series([_cell_text(float(v)) if v == v else "" for v in cells], index=cells.index)
    return cells.fillna("").astype(str)


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


def _numbers(cells: pd.Series, col: InputColumn, header: str) -> np.ndarray:
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
    raw = _texts(cells)
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
    names = _texts(raw[headers["region"]])
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
        check = _categories if col.kind == "category" else _numbers
        values[col.id] = check(raw[headers[col.id]], col, headers[col.id])
    return regions, values


# ---------------------------------------------------------------------- writing
def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@contextlib.contextmanager
def atomic_file(path: str | os.PathLike) -> Iterator[BinaryIO]:
    """A binary file handle whose content appears at ``path`` only when the block ends without
    an error (a temporary file in the same folder, then a rename: all or nothing), with the
    permissions the umask gives a new file; a missing folder is an error, not created."""
    p = Path(path)
    if not p.parent.is_dir():
        raise InputError("out_folder_missing", path=str(p), folder=str(p.parent))
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{p.name}.", dir=p.parent)
    except OSError as exc:
        raise InputError("write_failed", path=str(p), reason=exc.strerror or str(exc)) from None
    try:
        with os.fdopen(fd, "wb") as fh:
            yield fh
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, p)
    except OSError as exc:
        raise InputError("write_failed", path=str(p), reason=exc.strerror or str(exc)) from None
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def write_atomic(path: str | os.PathLike, payload: bytes) -> None:
    """Write ``payload`` to ``path`` all or nothing (:func:`atomic_file`)."""
    with atomic_file(path) as fh:
        fh.write(payload)


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


def csv_bytes(frame: pd.DataFrame, header: bool = True, bom: bool = True, eol: str = "\r\n") -> bytes:
    """The frame (without its index) as CSV: UTF-8 with BOM by default (Excel on Chinese Windows
    opens it with the right characters), text cells made :func:`inert` and quoted, numbers as
    their shortest exact decimal (5.0 as 5), missing values empty. Written by Arrow's CSV writer
    (pyarrow): 361,565 rows of scores take about 1 s, pandas' ``to_csv`` about 6 s."""
    import pyarrow as pa
    from pyarrow import csv as pa_csv

    table = pa.Table.from_pandas(_arrow_ready(frame), preserve_index=False)
    sink = io.BytesIO()
    if bom:
        sink.write(codecs.BOM_UTF8)
    pa_csv.write_csv(table, sink, pa_csv.WriteOptions(include_header=header, eol=eol))
    return sink.getvalue()


def _arrow_ready(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with text cells and column names made inert and a column mixing text and
    numbers as text (Arrow needs one type per column)."""
    out = {}
    for j, name in enumerate(frame.columns):
        col = frame.iloc[:, j]
        if not (pd.api.types.is_numeric_dtype(col) or pd.api.types.is_bool_dtype(col)):
            texts = col.astype(object).where(col.notna(), None)
            if pd.api.types.infer_dtype(texts, skipna=True) not in ("string", "empty"):
                texts = texts.map(lambda v: v if v is None else str(v))
            col = texts.map(inert) if _FORMULA_CELL.search("\x00".join(texts.dropna())) else texts
        out[j] = col
    ready = pd.DataFrame(out, index=range(len(frame)))
    ready.columns = [str(inert(str(c))) for c in frame.columns]
    return ready


_FORMULA_CELL = re.compile(r"(?:^|\x00)[=+\-@\t\r]")  # in texts joined by NUL: some cell needs inert()


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


OPTIONAL_CODE = "行政区划代码(可选)"
OPTIONAL_SPEND = "(万元/年,可选)"


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
    cats = {c.id: {k.id: k.zh for k in c.categories} for c in rubric.columns if c.kind == "category"}
    ws.append([cats[cid].get(ex.get(cid, ""), ex.get(cid, "")) if cid in cats else _typed(ex.get(cid, ""))
               for cid, _, _ in cols])  # a category as the words the README asks for
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
    # optional columns, used when a city's counties are loaded (python -m sim batch, the City page)
    from sim.model.catalog import load_catalog

    optional = [("code", OPTIONAL_CODE, "Administrative code (optional): draws the county on the map")]
    optional += [(f"spend_{p.id}", f"{p.zh}{OPTIONAL_SPEND}",
                  f"{p.en}: status-quo spending, 万元 a year (optional; empty: the template county's split "
                  "of 34% of fiscal S&T spending, an assumption)") for p in load_catalog().programs]
    first = len(cols) + 1
    for j, (cid, header, en) in enumerate(optional, start=first):
        ws.cell(1, j, header).font = Font(bold=True, italic=True)
        ws.column_dimensions[get_column_letter(j)].width = 22
        notes.append([cid, header, en, "万元/年" if cid != "code" else "", "数字 number, 可留空 optional", "", ""])
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
