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
import csv
import io
import os
from pathlib import Path
from typing import BinaryIO, Callable, Iterator

import numpy as np
import pandas as pd

from sim.files.errors import InputError
from sim.files.workbooks import Limits, ods_grid, xls_grid, xlsx_grid
from sim.model.rubric import InputColumn, Rubric

MAX_COLUMNS = 500  # the rubric has 54 input columns; a sheet 10 times as wide is not a template


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
