"""Hostile uploads: small files that declare or inflate to huge sheets. Each file is built here
(no binary fixture; a big one as a repeated deflate block, so the test stays small) and read
by ``table_from_bytes`` in a child process (tests/hostile_reader.py, forked from a server that
has imported the reader, so a case pays no imports), whose reading time and peak resident memory
are measured (VmHWM, C allocations of expat, zlib and xlrd too; counted as a program that has
only imported the reader, ~150 MB, plus the reading's own growth): every case ends in its answer
(a frame, or an InputError's code) within TIME_LIMIT seconds of CPU and MEMORY_LIMIT_MB.
bench/bench_hostile.py runs the same cases with the readers before and after.

Then, in process: files of every feature read as the earlier readers (openpyxl, pandas' odf
reader, xlrd) read them, and the new limits' messages in both languages."""
from __future__ import annotations

import functools
import io
import json
import struct
import subprocess
import sys
import tempfile
import time
import zlib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.files.errors import InputError
from sim.files.workbooks import FORMULA
from sim.files.writers import xlsx_bytes
from sim.inputs.cells import scoring_input
from sim.inputs.tables import table_from_bytes, template_bytes, upload_limits

ROOT = Path(__file__).resolve().parent.parent
TIME_LIMIT = 10.0       # seconds of CPU to read one hostile file (and three times that on the clock, for a
                        # machine busy with other work: the heaviest cases take 3 s alone, 7 s beside others)
MEMORY_LIMIT_MB = 500   # peak resident memory of the child that reads it, its imports included (~150 MB)


# ---------------------------------------------------------------------- zip members
def deflated(data: bytes) -> tuple[bytes, int, int]:
    """(raw deflate stream, CRC-32, size) of ``data``."""
    c = zlib.compressobj(6, zlib.DEFLATED, -15)
    return c.compress(data) + c.flush(), zlib.crc32(data), len(data)


def repeated(unit: bytes, times: int, head: bytes = b"", tail: bytes = b"") -> tuple[bytes, int, int]:
    """``head + unit * times + tail`` deflated without building it: a unit compressed after a
    full flush gives the same bytes each time, so the stream is those bytes repeated."""
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    first = c.compress(head) + c.flush(zlib.Z_FULL_FLUSH)
    block = c.compress(unit) + c.flush(zlib.Z_FULL_FLUSH)
    last = c.compress(tail) + c.flush()
    crc = zlib.crc32(head)
    for _ in range(times):
        crc = zlib.crc32(unit, crc)
    return first + block * times + last, zlib.crc32(tail, crc), len(head) + len(unit) * times + len(tail)


def zip_of(members: dict) -> bytes:
    """A zip of name -> bytes, or (deflated, crc, size) as given, or (deflated, crc, size,
    declared size) for a member whose headers lie about its size."""
    out, central = bytearray(), bytearray()
    for name, m in members.items():
        data, crc, size, *declared = m if isinstance(m, tuple) else deflated(m)
        size = declared[0] if declared else size
        n = name.encode()
        fields = (20, 0, 8, 0, 0x21, crc, len(data), size, len(n))
        head = struct.pack("<IHHHHHIIIHH", 0x04034B50, *fields, 0)
        central += struct.pack("<IH", 0x02014B50, 20) + struct.pack("<HHHHHIIIH", *fields) + struct.pack(
            "<HHHHII", 0, 0, 0, 0, 0, len(out)) + n
        out += head + n + data
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(members), len(members), len(central), len(out), 0)
    return bytes(out + central + end)


# ---------------------------------------------------------------------- .xlsx
NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
CT = "application/vnd.openxmlformats-officedocument.spreadsheetml"
SHEET_HEAD = f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{NS}"><sheetData>'.encode()
SHEET_TAIL = b"</sheetData></worksheet>"
STRINGS_HEAD = f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{NS}">'.encode()


def xlsx(sheet, strings=None, styles: str | None = None, date1904: bool = False) -> bytes:
    """A minimal workbook openpyxl reads too: ``sheet`` is the <sheetData> content (str) or the
    sheet part as (deflated, crc, size[, declared]); ``strings`` the <sst> content or its part."""
    types = [("/xl/workbook.xml", "sheet.main"), ("/xl/worksheets/sheet1.xml", "worksheet")]
    rels = [("rId1", "worksheet", "worksheets/sheet1.xml")]
    parts = {"xl/worksheets/sheet1.xml": sheet if isinstance(sheet, tuple) else
             SHEET_HEAD + sheet.encode() + SHEET_TAIL}
    if strings is not None:
        types.append(("/xl/sharedStrings.xml", "sharedStrings"))
        rels.append(("rId2", "sharedStrings", "sharedStrings.xml"))
        parts["xl/sharedStrings.xml"] = strings if isinstance(strings, tuple) else (
            STRINGS_HEAD + strings.encode() + b"</sst>")
    if styles is not None:
        types.append(("/xl/styles.xml", "styles"))
        rels.append(("rId3", "styles", "styles.xml"))
        parts["xl/styles.xml"] = styles.encode()
    content_types = "".join(f'<Override PartName="{p}" ContentType="{CT}.{t}+xml"/>' for p, t in types)
    book_rels = "".join(f'<Relationship Id="{i}" Type="{R}/{t}" Target="{p}"/>' for i, t, p in rels)
    pr = '<workbookPr date1904="1"/>' if date1904 else ""
    return zip_of({
        "[Content_Types].xml": (
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            f'<Default Extension="xml" ContentType="application/xml"/>{content_types}</Types>').encode(),
        "_rels/.rels": (f'<Relationships xmlns="{PKG}"><Relationship Id="rId1" Type="{R}/officeDocument" '
                        'Target="xl/workbook.xml"/></Relationships>').encode(),
        "xl/workbook.xml": (f'<workbook xmlns="{NS}" xmlns:r="{R}">{pr}<sheets>'
                            '<sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>').encode(),
        "xl/_rels/workbook.xml.rels": f'<Relationships xmlns="{PKG}">{book_rels}</Relationships>'.encode(),
        **parts})


def cells_row(r: int, *values: str) -> str:
    """An .xlsx row of inline texts from column A."""
    return f'<row r="{r}">' + "".join(f'<c r="{chr(65 + j)}{r}" t="inlineStr"><is><t>{v}</t></is></c>'
                                      for j, v in enumerate(values)) + "</row>"


# ---------------------------------------------------------------------- .ods
OFFICE = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
          'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
          'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"')
ODS_HEAD = (f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {OFFICE} office:version="1.2">'
            '<office:body><office:spreadsheet><table:table table:name="S">').encode()
ODS_TAIL = b"</table:table></office:spreadsheet></office:body></office:document-content>"
EMPTY_CELLS = '<table:table-cell table:number-columns-repeated="1022"/>'  # the rest of a row
EMPTY_REST = ('<table:table-row table:number-rows-repeated="1048553">'
              '<table:table-cell table:number-columns-repeated="1024"/></table:table-row>')  # LibreOffice's


def ods(rows) -> bytes:
    """An .ods whose first table holds ``rows`` (their XML), or whose content.xml is given as
    (deflated, crc, size)."""
    manifest = ('<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0">'
                '<manifest:file-entry manifest:full-path="/" '
                'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
                '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
                '</manifest:manifest>')
    return zip_of({"mimetype": b"application/vnd.oasis.opendocument.spreadsheet",
                   "content.xml": rows if isinstance(rows, tuple) else ODS_HEAD + rows.encode() + ODS_TAIL,
                   "META-INF/manifest.xml": manifest.encode()})


def _repeat(attr: str, n: int) -> str:
    return f' table:number-{attr}-repeated="{n}"' if n else ""


def text(s: str, repeat: int = 0) -> str:
    return (f'<table:table-cell office:value-type="string"{_repeat("columns", repeat)}>'
            f'<text:p>{s}</text:p></table:table-cell>')


def num(x, repeat: int = 0) -> str:
    return (f'<table:table-cell office:value-type="float" office:value="{x}"{_repeat("columns", repeat)}>'
            f'<text:p>{x}</text:p></table:table-cell>')


def row(cells: str, repeat: int = 0) -> str:
    return f"<table:table-row{_repeat('rows', repeat)}>{cells}</table:table-row>"


# ---------------------------------------------------------------------- .xls (BIFF8 in a compound file)
def _record(code: int, body: bytes) -> bytes:
    return struct.pack("<HH", code, len(body)) + body


def biff8(cells=(), numbers: int = 0) -> bytes:
    """A workbook stream of one sheet of LABEL cells, (row, column from 0, ASCII text), then
    ``numbers`` rows of 256 whole numbers in MULRK records (six bytes a cell, the densest)."""
    bof = lambda kind: _record(0x0809, struct.pack("<HHHHII", 0x0600, kind, 0x0DBB, 1997, 0, 6))  # noqa: E731
    sheet_at = len(bof(5)) + 4 + 9 + 4  # BOF, BOUNDSHEET (9 bytes), EOF
    glob = bof(5) + _record(0x0085, struct.pack("<IBBBB", sheet_at, 0, 0, 1, 0) + b"S") + _record(0x0A, b"")
    body = b"".join(_record(0x0204, struct.pack("<HHHHB", r, c, 0, len(t), 0) + t.encode()) for r, c, t in cells)
    body += b"".join(_record(0x00BD, struct.pack("<HH", r, 0) + struct.pack("<HI", 0, r << 2 | 2) * 256
                             + struct.pack("<H", 255)) for r in range(numbers))
    return glob + bof(0x10) + body + _record(0x0A, b"")


def ole(stream: bytes, shift: int = 9) -> bytes:
    """A compound file holding ``stream`` as "Workbook": version 3 (512-byte sectors, up to 7 MB)
    or, with ``shift=12``, 4,096-byte sectors after the 512-byte header, as xlrd reads them."""
    size = 1 << shift
    stream = stream.ljust(max(4096, -(-len(stream) // size) * size), b"\0")
    n, fats, per = len(stream) // size, 1, size // 4
    while n + 1 + fats > fats * per:
        fats += 1
    end, free = 0xFFFFFFFE, 0xFFFFFFFF
    fat = list(range(1, n)) + [end, end] + [0xFFFFFFFD] * fats
    fat += [free] * (fats * per - len(fat))
    header = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(16)
              + struct.pack("<HHHHH6sIIIIIIIII", 0x3E, 3 if shift == 9 else 4, 0xFFFE, shift, 6, bytes(6),
                            0 if shift == 9 else 1, fats, n, 0, 4096, end, 0, end, 0)
              + struct.pack("<109I", *(list(range(n + 1, n + 1 + fats)) + [free] * (109 - fats))))

    def entry(label: str, kind: int, child: int, start: int, size: int) -> bytes:
        raw = label.encode("utf-16-le") + b"\0\0" if label else b""
        return struct.pack("<64sHBBIII16sIQQIQ", raw, len(raw), kind, 1, free, free, child, bytes(16), 0, 0, 0,
                           start, size)

    directory = (entry("Root Entry", 5, 1, end, 0) + entry("Workbook", 2, free, 0, len(stream))).ljust(size, b"\0")
    return header + stream + directory + struct.pack(f"<{fats * per}I", *fat)


# ---------------------------------------------------------------------- the cases
STYLES = f"""<styleSheet xmlns="{NS}">
<numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy-mm-dd"/></numFmts>
<fonts count="1"><font><sz val="11"/></font></fonts>
<fills count="1"><fill><patternFill patternType="none"/></fill></fills>
<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>
<cellStyleXfs count="1"><xf numFmtId="14" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>
<cellXfs count="4"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>
<xf numFmtId="14" fontId="0" fillId="0" borderId="0" xfId="0"/>
<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0"/>
<xf numFmtId="46" fontId="0" fillId="0" borderId="0" xfId="0"/></cellXfs>
<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>"""
MB = 1 << 20
HEADER_ODS = row(text("地区") + text("x"))


def _xlsx_cells(rows: int, per_row: int) -> bytes:
    """``rows`` rows of ``per_row`` one-digit cells without references (15 bytes a cell)."""
    unit = b"<row>" + b"<c><v>1</v></c>" * per_row + b"</row>"
    return xlsx(repeated(unit * 20, rows // 20, SHEET_HEAD, SHEET_TAIL))


LAUGHS = ('<?xml version="1.0"?><!DOCTYPE worksheet [<!ENTITY a "aaaaaaaaaa">'
          + "".join(f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">' for i in range(8))
          + f']><worksheet xmlns="{NS}"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&i;</t></is></c>'
          '</row></sheetData></worksheet>').encode()  # a billion laughs: ten to the ninth "a"


def _formats() -> str:
    """styles.xml with number formats that take openpyxl's date check minutes: 3,000 distinct
    codes of 255 characters and one of 900 kB, each used by a cell format."""
    codes = ["[" * 250 + f"{i:05d}" for i in range(3000)] + ["[" * 900_000]
    fmts = "".join(f'<numFmt numFmtId="{164 + i}" formatCode="{c}"/>' for i, c in enumerate(codes))
    xfs = "".join(f'<xf numFmtId="{164 + i}" fontId="0" fillId="0" borderId="0" xfId="0"/>' for i in range(len(codes)))
    return (f'<styleSheet xmlns="{NS}"><numFmts count="{len(codes)}">{fmts}</numFmts>'
            f'<cellXfs count="{len(codes) + 1}"><xf numFmtId="0"/>{xfs}</cellXfs></styleSheet>')


def _copies() -> tuple[bytes, int, int]:
    """A sheet whose formula of 23,000 characters is shared by 100,000 cells without a cached
    value: openpyxl translated it for each (50 ms a copy)."""
    formula = "+".join(f"C{i}" for i in range(1, 4000))
    rows = [cells_row(1, "地区", "x"),
            f'<row r="2"><c r="A2" t="inlineStr"><is><t>r</t></is></c><c r="B2"><f t="shared" ref="B2:B100001" '
            f'si="0">{formula}</f><v>1</v></c></row>']
    rows += [f'<row r="{r}"><c r="A{r}" t="inlineStr"><is><t>r</t></is></c><c r="B{r}"><f t="shared" si="0"/></c>'
             f"</row>" for r in range(3, 100_002)]
    return deflated(SHEET_HEAD + "".join(rows).encode() + SHEET_TAIL)


def _members() -> bytes:
    """A zip of 19.5 MB listing 220,000 empty files (zipfile reads every entry before a part)."""
    local, central = bytearray(), bytearray()
    for i in range(220_000):
        n = b"%06d" % i
        fields = struct.pack("<HHHHHIIIH", 20, 0, 0, 0, 0x21, 0, 0, 0, len(n))
        central += struct.pack("<IH", 0x02014B50, 20) + fields + struct.pack("<HHHHII", 0, 0, 0, 0, 0, len(local)) + n
        local += struct.pack("<I", 0x04034B50) + fields + b"\0\0" + n
    return bytes(local + central + struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, 0xFFFF, 0xFFFF, len(central),
                                               len(local), 0))


def _csv_wide(head: bytes) -> bytes:
    return head + b"," * 5_000_000 + b"\n"


CASES = {  # name: (file name, builder, expected: "ok" or the InputError's code)
    "ods_repeated_rows_bomb": ("rows.ods", lambda: ods(HEADER_ODS + row(text("甲县") + num(1), 10_000_000)),
                               "too_many_rows"),
    "ods_repeated_columns_bomb": ("columns.ods", lambda: ods(row(text("x", 10_000_000)) + row(text("甲县"))),
                                  "too_many_columns"),
    "ods_300000_rows_declared": ("declared.ods", lambda: ods(HEADER_ODS + row(text("甲县") + num(2), 300_000)),
                                 "too_many_rows"),
    "ods_libreoffice_trailing_empties": ("trailing.ods", lambda: ods(
        row(text("地区") + text("x") + EMPTY_CELLS) + row(text("甲县") + num(5) + EMPTY_CELLS, 3) + EMPTY_REST),
        "ok"),
    "ods_50MB_text_cell": ("text.ods", lambda: ods(repeated(
        b"x" * MB, 50, ODS_HEAD + HEADER_ODS.encode() + b"<table:table-row><table:table-cell><text:p>",
        b"</text:p></table:table-cell></table:table-row>" + ODS_TAIL)), "cell_too_long"),
    "ods_spaces_bomb": ("spaces.ods", lambda: ods(HEADER_ODS + row(text('<text:s text:c="1000000000"/>'))),
                        "cell_too_long"),
    "ods_zip_bomb_1GB": ("bomb.ods", lambda: ods(repeated(b" " * MB, 1024, ODS_HEAD, ODS_TAIL)), "unzipped_too_large"),
    "xlsx_sparse_rows_1_and_1048576": ("sparse.xlsx", lambda: xlsx(
        cells_row(1, "地区") + cells_row(1_048_576, "甲县")), "ok"),
    "xlsx_cells_at_column_XFD": ("xfd.xlsx", lambda: xlsx(
        cells_row(1, "地区") + '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'), "too_many_columns"),
    "xlsx_60M_tiny_cells": ("tiny.xlsx", lambda: _xlsx_cells(120_000, 500), "unzipped_too_large"),
    "xlsx_cells_above_the_limit": ("cells.xlsx", lambda: _xlsx_cells(2_100, 500), "too_many_cells"),
    "xlsx_5M_empty_cells": ("empty.xlsx", lambda: xlsx(repeated(b"<c/>" * 5000, 1000, SHEET_HEAD + b"<row>",
                                                                b"</row>" + SHEET_TAIL)), "too_many_elements"),
    "xlsx_junk_markup": ("junk.xlsx", lambda: xlsx(repeated(
        b"<x/>" * 5000, 4000, SHEET_HEAD.replace(b"<sheetData>", b"<sheetPr>"),
        b"</sheetPr><sheetData>" + cells_row(1, "地区").encode() + SHEET_TAIL)), "too_many_elements"),
    "xlsx_zip_bomb_1GB": ("bomb.xlsx", lambda: xlsx(repeated(b" " * MB, 1024, SHEET_HEAD, SHEET_TAIL)),
                          "unzipped_too_large"),
    "xlsx_zip_bomb_declaring_1MB": ("liar.xlsx", lambda: xlsx(
        repeated(b" " * MB, 1024, SHEET_HEAD, SHEET_TAIL) + (MB,)), "not_xlsx"),
    "xlsx_1M_shared_strings": ("strings.xlsx", lambda: xlsx(cells_row(1, "地区"), strings=deflated(
        STRINGS_HEAD + b"".join(b"<si><t>%d</t></si>" % i for i in range(1_000_001)) + b"</sst>")),
        "too_many_strings"),
    "xlsx_50MB_inline_string": ("inline.xlsx", lambda: xlsx(repeated(
        b"x" * MB, 50, SHEET_HEAD + cells_row(1, "地区").encode() + b'<row r="2"><c r="A2" t="inlineStr"><is><t>',
        b"</t></is></c></row>" + SHEET_TAIL)), "cell_too_long"),
    "xlsx_50MB_shared_string": ("shared.xlsx", lambda: xlsx(
        cells_row(1, "地区") + '<row r="2"><c r="A2" t="s"><v>0</v></c></row>',
        strings=repeated(b"x" * MB, 50, STRINGS_HEAD + b"<si><t>", b"</t></si></sst>")), "cell_too_long"),
    "xlsx_slow_number_formats": ("formats.xlsx", lambda: xlsx(
        cells_row(1, "地区") + '<row r="2"><c r="A2" s="1"><v>1</v></c></row>', styles=_formats()), "ok"),
    "xlsx_100k_uncalculated_shared_formulas": ("copies.xlsx", lambda: xlsx(_copies()), "ok"),
    "xlsx_one_long_shared_text_in_1M_cells": ("reused.xlsx", lambda: xlsx(
        repeated(b"<row>" + b'<c t="s"><v>0</v></c>' * 500 + b"</row>", 2000, SHEET_HEAD, SHEET_TAIL),
        strings=f"<si><t>{'x' * 32_000}</t></si>"), "too_much_text"),
    "ods_long_cell_repeated_1M_times": ("reused.ods", lambda: ods(row(text("x" * 32_000, 500), 2000)),
                                        "too_much_text"),
    "xlsx_220k_zip_members": ("members.xlsx", lambda: _members(), "not_xlsx"),
    "xlsx_1M_date_cells": ("dates.xlsx", lambda: xlsx(repeated(
        b"<row>" + b'<c s="1"><v>45292.5</v></c>' * 500 + b"</row>", 1999, SHEET_HEAD, SHEET_TAIL),
        styles=STYLES), "ok"),
    "ods_800k_time_cells": ("times.ods", lambda: ods(repeated(
        b"<table:table-row>" + b'<table:table-cell office:value-type="time" office:time-value="PT12H30M00S">'
        b"<text:p>12:30:00</text:p></table:table-cell>" * 500 + b"</table:table-row>", 1600, ODS_HEAD, ODS_TAIL)),
        "ok"),
    "xlsx_deep_nesting": ("deep.xlsx", lambda: xlsx("<a>" * 100_000 + "</a>" * 100_000), "not_xlsx"),
    "xlsx_entity_expansion": ("laughs.xlsx", lambda: xlsx(deflated(LAUGHS)), "not_xlsx"),
    "xlsx_50MB_attribute": ("tag.xlsx", lambda: xlsx(repeated(b"A" * MB, 50, SHEET_HEAD + b'<row r="1"><c r="',
                                                              b'"/></row>' + SHEET_TAIL)), "not_xlsx"),
    "xls_sparse_far_cell": ("far.xls", lambda: ole(biff8([(0, 0, "region"), (0, 1, "x"), (1, 0, "A"), (1, 1, "5"),
                                                          (65535, 255, "far")])), "ok"),
    "xls_every_row_to_column_256": ("wide.xls", lambda: ole(biff8(
        [(0, 0, "region")] + [(r, 255, "x") for r in range(65536)])), "too_many_cells"),
    "xls_20MB_of_3M_numbers": ("dense.xls", lambda: ole(biff8(numbers=12_900), shift=12), "too_many_cells"),
    "csv_header_of_5M_commas": ("header.csv", lambda: _csv_wide(b""), "too_many_columns"),
    "csv_first_row_of_5M_commas": ("first.csv", lambda: _csv_wide(b"region,x\n"), "too_many_columns"),
    "csv_row_300_of_5M_commas": ("later.csv", lambda: _csv_wide(b"region,x\n" + b"A,1\n" * 300), "bad_csv"),
}

def _hwm(pid: int) -> float:
    """Peak resident MB of a running process (0 once it is gone)."""
    from tests.hostile_reader import hwm

    try:
        return hwm(pid)
    except (OSError, IndexError):
        return 0.0


def _forked(args: tuple):
    """A child forked from a server that has imported tests.hostile_reader (and so the reader):
    multiprocessing's forkserver, started once per test process."""
    import multiprocessing

    from tests import hostile_reader
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(["tests.hostile_reader"])
    child = ctx.Process(target=hostile_reader.read, args=args)
    child.start()  # a test that forks has the plain_main fixture (tests/conftest.py)
    return child


def _program(args: tuple) -> subprocess.Popen:
    """A child that is a program of its own: its imports count in its peak memory."""
    path, name, old, cap, out = args
    return subprocess.Popen([sys.executable, "-m", "tests.hostile_reader", path, name, old, str(cap), out],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)


def measure(data: bytes, name: str, old: str | None = None, timeout: float = 60.0,
            cap: int = 3 << 30, fork: bool = False) -> dict:
    """Read ``data`` as ``name`` with ``table_from_bytes`` in a child process (the module at
    ``old``, a file path, instead of sim.inputs.tables when given) under an address-space cap of ``cap``
    bytes; killed after ``timeout`` seconds. Returns the child's answer ("result": "ok" or the
    error's code, "seconds" and "cpu_seconds" of reading) and its peak resident memory in MB ("peak_mb";
    "base_mb" before reading): VmHWM, watched from here too for a child killed or crashed. A child
    that is a program of its own counts its imports (about 150 MB); a ``fork``ed one (no imports
    to pay: 15 ms instead of 1.4 s of CPU a case) starts with the pages of its parent it has
    touched, so its reading's own growth is ``peak_mb - base_mb``."""
    with tempfile.TemporaryDirectory() as folder:
        src, out = Path(folder) / name, Path(folder) / "out.json"
        src.write_bytes(data)
        child = (_forked if fork else _program)((str(src), name, old or "", cap, str(out)))
        t0, peak = time.perf_counter(), 0.0
        alive = child.is_alive if fork else (lambda: child.poll() is None)
        while alive() and time.perf_counter() - t0 < timeout:
            peak = max(peak, _hwm(child.pid))
            time.sleep(0.02)
        if alive():
            peak = max(peak, _hwm(child.pid))
            child.kill()
        child.join() if fork else child.wait()
        seconds = time.perf_counter() - t0
        text = out.read_text().strip() if out.exists() else ""
    if not text:
        code = child.exitcode if fork else child.returncode
        return {"result": "timeout" if seconds >= timeout else f"exit {code}",
                "seconds": seconds, "cpu_seconds": None, "peak_mb": peak, "base_mb": 0.0}
    return json.loads(text)


@functools.cache
def import_mb() -> float:
    """Peak resident MB of a program that has only imported the reader (tests.hostile_reader)."""
    code = "import tests.hostile_reader as r; print(r.hwm())"
    return float(subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                                check=True).stdout)


LIMIT_SHOWN = {  # code -> the limit as its message shows it
    "too_many_rows": lambda lim: f"{lim.rows:,}", "too_many_columns": lambda lim: f"{lim.columns}",
    "too_many_cells": lambda lim: f"{lim.cells:,}", "too_many_strings": lambda lim: f"{lim.cells:,}",
    "unzipped_too_large": lambda lim: f"{lim.unzipped / 1e6:g} MB",
    "too_many_elements": lambda lim: f"{lim.elements:,}", "cell_too_long": lambda lim: f"{lim.cell_chars:,}",
    "too_much_text": lambda lim: f"{lim.text:,}"}


@pytest.mark.parametrize("case", list(CASES), ids=list(CASES))
@pytest.mark.usefixtures("plain_main")  # the forked readers (tests/conftest.py)
def test_a_hostile_file_ends_in_its_answer_within_bounds(case):
    name, build, expected = CASES[case]
    data = build()
    assert len(data) <= upload_limits().bytes  # every case is an upload the server accepts
    got = measure(data, name, timeout=TIME_LIMIT * 4, fork=True)
    assert got["result"] == expected, got
    assert got["cpu_seconds"] < TIME_LIMIT and got["seconds"] < 3 * TIME_LIMIT, got
    assert import_mb() + got["peak_mb"] - got["base_mb"] < MEMORY_LIMIT_MB, (import_mb(), got)
    if expected != "ok":  # the file, and the limit it passed, in both languages
        shown = LIMIT_SHOWN[expected](upload_limits()) if expected in LIMIT_SHOWN else ""
        assert name in got["zh"] and name in got["en"] and shown in got["zh"] and shown in got["en"], got


# ---------------------------------------------------------------------- answers in process
def test_libreoffice_trailing_empty_repeats_cost_nothing_and_read_correctly():
    _, build, _ = CASES["ods_libreoffice_trailing_empties"]
    got = table_from_bytes(build(), "trailing.ods")
    assert list(got.columns) == ["地区", "x"] and list(got.index) == [2, 3, 4]
    assert got.to_numpy().tolist() == [["甲县", "5"]] * 3


def test_sparse_rows_keep_their_spreadsheet_numbers(rubric):
    got = table_from_bytes(CASES["xlsx_sparse_rows_1_and_1048576"][1](), "sparse.xlsx")
    assert list(got.index) == [1_048_576] and got.iloc[0, 0] == "甲县"
    with pytest.raises(InputError) as e:
        scoring_input(rubric, got)
    assert e.value.code == "missing_column"
    header = ["地区", "x"]
    data = xlsx(cells_row(1, *header) + cells_row(70_000, "甲县", "-1"))
    frame = table_from_bytes(data, "far.xlsx")
    assert list(frame.index) == [70_000] and frame.loc[70_000, "x"] == "-1"
    far = ole(biff8([(0, 0, "region"), (0, 1, "x"), (1, 0, "A"), (1, 1, "5"), (65535, 255, "far")]))
    frame = table_from_bytes(far, "far.xls")
    assert list(frame.index) == [2, 65536] and frame.shape == (2, 256) and frame.iloc[1, 255] == "far"


@pytest.mark.parametrize("name,data", [
    ("rows.ods", ods(HEADER_ODS + row(text("甲县") + num(1), 101))),
    ("rows.xlsx", xlsx("".join(cells_row(r, "a", "b") for r in range(1, 103)))),
    ("rows.xls", ole(biff8([(r, 0, "a") for r in range(102)]))),
])
def test_the_row_limit_of_the_environment_holds_for_workbooks(monkeypatch, name, data):
    monkeypatch.setenv("SIM_MAX_ROWS", "100")
    with pytest.raises(InputError) as e:
        table_from_bytes(data, name)
    assert e.value.code == "too_many_rows" and "100" in e.value.message("zh")


def test_a_cell_too_long_is_named_by_row_and_column():
    with pytest.raises(InputError) as e:
        table_from_bytes(CASES["xlsx_50MB_inline_string"][1](), "inline.xlsx")
    assert "第 2 行 A 列" in e.value.message("zh") and "Row 2, column A" in e.value.message("en")
    data = ods(HEADER_ODS + row(text("甲县") + text("x" * 40_000)))
    with pytest.raises(InputError) as e:
        table_from_bytes(data, "long.ods")
    assert "Row 2, column B" in e.value.message("en")


def test_limits_have_their_reasons():
    from sim.inputs.document import limits

    conf = limits()["upload"]
    for key in ("max_cells", "max_unzipped_mb", "max_xml_elements", "max_cell_chars", "max_sheet_chars"):
        assert conf[key] > 0 and len(conf[key.replace("_mb", "") + "_note"]) > 40, key


# ---------------------------------------------------------------------- as the earlier readers read
FEATURES = "".join([  # shared and inline texts, cached values, dates (styles 1 to 3), formulas, rows without r
    '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c>',
    '<c r="C1" t="inlineStr"><is><t>inline </t><r><t>rich</t></r></is></c>',
    '<c r="D1" t="str"><f>"x"</f><v>x</v></c><c r="E1" s="1"><v>45292</v></c></row>',
    '<row r="3"><c r="A3" t="s"><v>2</v></c><c r="B3"><v>5.0</v></c><c r="C3" t="b"><v>1</v></c>',
    '<c r="D3" t="e"><v>#N/A</v></c><c r="E3" s="2"><v>45292.5</v></c><c r="F3" s="3"><v>1.25</v></c>',
    '<c r="G3"><v>1E-3</v></c><c r="H3"><v>007</v></c></row>',
    '<row r="4"><c r="A4"><f t="shared" ref="A4:A6" si="0">B4*2</f><v>10</v></c><c r="B4"><v>5</v></c></row>',
    '<row r="5"><c r="A5"><f t="shared" si="0"/></c><c r="B5"><v>7</v></c><c r="C5" s="1"/>',
    '<c r="D5"><f>SUM(B4:B5)</f></c></row>',
    '<row><c><v>1</v></c><c><v>2</v></c><c r="E6" t="s"><v>3</v></c></row>',
    '<row r="9" spans="1:3"><c r="A9" t="inlineStr"><is><t xml:space="preserve">  pad  </t></is></c>',
    '<c r="B9" t="s"><v>4</v></c><c r="C9" t="d"><v>2024-01-15T10:30:00</v></c></row>'])
STRINGS = ('<si><t>地区</t></si><si><r><t>tech</t></r><r><t>_smes</t></r><rPh sb="0" eb="1"><t>ignored</t></rPh></si>'
           '<si><t>甲县</t></si><si><t>_x005F_x000D_ under</t></si><si><t>   </t></si>')
# what openpyxl's read-only reader gave (values and formulas read apart, then joined)
FEATURES_READ = {
    "columns": ["地区", "tech_smes", "inline rich", "x", "2024-01-01 00:00:00", "", "", ""],
    "index": [3, 4, 5, 6, 9],
    "data": [["甲县", "5", "True", "#N/A", "2024-01-01 12:00:00", "1 day, 6:00:00", "0.001", "7"],
             ["10", "5", "", "", "", "", "", ""],
             [FORMULA + "=B5*2", "7", "", FORMULA + "=SUM(B4:B5)", "", "", "", ""],
             ["1", "2", "", "", "_x000D_ under", "", "", ""],
             ["  pad  ", "   ", "2024-01-15 10:30:00", "", "", "", "", ""]]}


def _split(frame: pd.DataFrame) -> dict:
    return {"columns": list(frame.columns), "index": list(frame.index), "data": frame.to_numpy().tolist()}


def test_an_xlsx_reads_as_openpyxl_read_it():
    assert _split(table_from_bytes(xlsx(FEATURES, strings=STRINGS, styles=STYLES), "f.xlsx")) == FEATURES_READ
    in1904 = _split(table_from_bytes(xlsx(FEATURES, strings=STRINGS, styles=STYLES, date1904=True), "f.xlsx"))
    assert in1904["columns"][4] == "2028-01-02 00:00:00" and in1904["data"][0][4] == "2028-01-02 12:00:00"


def cell(kind: str, value: str, shown: str, attr: str = "value") -> str:
    return (f'<table:table-cell office:value-type="{kind}" office:{attr}="{value}">'
            f'<text:p>{shown}</text:p></table:table-cell>')


ODS_FEATURES = "".join([  # repeats, value types, spaces, paragraphs, an annotation, a covered cell, a row group
    row('<table:table-cell/>'),
    row(text("地区") + text("x") + text("y", 2) + EMPTY_CELLS),
    row('<table:table-cell table:number-columns-repeated="4"/>', 3),
    row(text("甲县") + num(5) + cell("percentage", "0.25", "25%") + cell("currency", "1234.5", "¥1,234.50"), 2),
    row('<table:table-cell office:value-type="string"><text:p>a<text:s text:c="3"/>b</text:p>'
        '<text:p>second <text:span>line</text:span></text:p>'
        '<office:annotation><text:p>note</text:p></office:annotation></table:table-cell>'
        + cell("boolean", "true", "TRUE", "boolean-value") + cell("date", "2024-01-15", "15/01/24", "date-value")
        + cell("time", "PT12H30M00S", "12:30:00", "time-value") + "<table:covered-table-cell/>"
        + cell("float", "3", "#N/A") + text("x<text:line-break/>y")),
    "<table:table-row-group>" + row(text("乙县") + num(0.1)) + "</table:table-row-group>",
    EMPTY_REST])
# what pandas' odf reader gave
ODS_FEATURES_READ = {
    "columns": ["地区", "x", "y", "y", "", "", ""],
    "index": [6, 7, 8, 9],
    "data": [["甲县", "5", "0.25", "1234.5", "", "", ""], ["甲县", "5", "0.25", "1234.5", "", "", ""],
             ["a   b\nsecond line", "True", "2024-01-15 00:00:00", "12:30:00", "", "", "x\ny"],
             ["乙县", "0.1", "", "", "", "", ""]]}


def test_an_ods_reads_as_pandas_read_it_but_keeps_na_texts_and_names_formulas():
    assert _split(table_from_bytes(ods(ODS_FEATURES), "f.ods")) == ODS_FEATURES_READ
    rows = (row(text("地区") + text("x")) + row(text("NA") + text("nan"))
            + row('<table:table-cell table:formula="of:=[.B1]*2"/>' + text("a")))
    got = table_from_bytes(ods(rows), "na.ods")  # pandas made "NA" and "nan" empty, the formula ""
    assert got.to_numpy().tolist() == [["NA", "nan"], [FORMULA + "=[.B1]*2", "a"]]


def test_the_template_frames_and_an_ods_by_pandas_read_back(rubric):
    from sim.files.loaders import load_rubric_example

    ex = load_rubric_example()
    template = table_from_bytes(template_bytes(rubric, ex), "template.xlsx")
    assert list(template.index) == [2] and template.iloc[0, 0] == "示例县"
    regions, values = scoring_input(rubric, template)
    assert regions == ["示例县"] and set(values) == {c.id for c in rubric.columns}
    frame = pd.DataFrame({"地区": ["甲县", "乙县", "", "丙县"], "x": [5.0, 0.25, np.nan, 1e20],
                          "y": ["a", None, "c", "=A1"], "z": [True, False, None, True]})
    want = [["甲县", "5", "a", "True"], ["乙县", "0.25", "", "False"], ["", "", "c", ""],
            ["丙县", "100000000000000000000", "'=A1", "True"]]
    assert table_from_bytes(xlsx_bytes({"s": frame}), "f.xlsx").to_numpy().tolist() == want
    buf = io.BytesIO()
    frame.to_excel(buf, index=False, engine="odf")
    got = table_from_bytes(buf.getvalue(), "f.ods")
    assert list(got.index) == [2, 3, 4, 5]
    assert got.to_numpy().tolist() == [w[:2] + ["=A1" if w[2] == "'=A1" else w[2]] + w[3:] for w in want]
    fixture = table_from_bytes((ROOT / "tests/fixtures/template_example.xls").read_bytes(), "t.xls")
    assert list(fixture.index) == [2, 4] and fixture.iloc[0, :2].tolist() == ["示例县", "3000"]


def test_a_formula_without_a_cached_value_is_named_from_every_workbook(rubric):
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.append(["地区", "x"])
    wb.active.append(["甲县", "=B1*2"])
    buf = io.BytesIO()
    wb.save(buf)  # openpyxl writes no cached value
    shared = xlsx(cells_row(1, "地区", "x") + '<row r="2"><c r="A2" t="inlineStr"><is><t>甲</t></is></c>'
                  '<c r="B2"><f t="shared" ref="B2:B3" si="0">C2+1</f><v>3</v></c></row><row r="3">'
                  '<c r="A3" t="inlineStr"><is><t>乙</t></is></c><c r="B3"><f t="shared" si="0"/></c></row>')
    in_ods = ods(HEADER_ODS + row(text("甲县") + '<table:table-cell table:formula="of:=[.B1]*2"/>'))
    for data, name, formula in [(buf.getvalue(), "f.xlsx", "=B1*2"), (shared, "s.xlsx", "=C3+1"),
                                (in_ods, "f.ods", "=[.B1]*2")]:
        got = table_from_bytes(data, name)
        assert got["x"].iloc[-1] == FORMULA + formula, name


@pytest.mark.parametrize("name,data", [
    ("rows_backwards.xlsx", xlsx(cells_row(5, "a") + cells_row(3, "b"))),
    ("not_a_sheet.xlsx", zip_of({"xl/workbook.xml": b"<workbook/>"})),
    ("bad_reference.xlsx", xlsx('<row r="1"><c r="ABCD1"><v>1</v></c></row>')),
    ("text_number.xlsx", xlsx('<row r="1"><c r="A1"><v>five</v></c></row>')),
    ("no_content.ods", zip_of({"mimetype": b"application/vnd.oasis.opendocument.spreadsheet"})),
    ("wrong_root.ods", ods(deflated(b"<x/>"))),
    ("huge_repeat.ods", ods(row(text("a", 10**12)))),
    ("truncated.ods", ods(HEADER_ODS)[:200]),
    ("no_byte_order.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)),
    ("no_workbook_stream.xls", ole(b"").replace("Workbook".encode("utf-16-le"), "Nothing!".encode("utf-16-le"))),
])
def test_damaged_workbooks_give_a_message(name, data):
    with pytest.raises(InputError) as e:
        table_from_bytes(data, name)
    assert e.value.code == "not_" + name.rsplit(".", 1)[1], e.value.code
