"""The first sheet of an .ods (LibreOffice, WPS), streamed: values by their type, repeated
rows and cells counted, never expanded."""
from __future__ import annotations

import datetime
import re
import zipfile
from typing import Callable

import pandas as pd

from .stream import (Budget, Damaged, Done, Handlers, Limits, MAX_DEPTH, MEMO, REPEAT_MAX, Table, cell_text, parse, put,
                     read_zip)
from .xlsx_parts import marked


# ---------------------------------------------------------------------- .ods
TABLE_NS = "urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
OFFICE_NS = "urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
TEXT_NS = "urn:oasis:names:tc:opendocument:xmlns:text:1.0}"
_ROOT, _TABLE, _ROW = OFFICE_NS + "document-content", TABLE_NS + "table", TABLE_NS + "table-row"
_CELL, _COVERED = TABLE_NS + "table-cell", TABLE_NS + "covered-table-cell"
_ROWS_REPEATED, _COLS_REPEATED = TABLE_NS + "number-rows-repeated", TABLE_NS + "number-columns-repeated"
_TYPE, _VALUE, _FORMULA = OFFICE_NS + "value-type", OFFICE_NS + "value", TABLE_NS + "formula"
_P, _S, _SPACES, _ANNOTATION = TEXT_NS + "p", TEXT_NS + "s", TEXT_NS + "c", OFFICE_NS + "annotation"
_MARKS = {TEXT_NS + "line-break": "\n", TEXT_NS + "tab": "\t"}
_DATE_VALUE, _TIME_VALUE = OFFICE_NS + "date-value", OFFICE_NS + "time-value"
_BY_VALUE = {"float": _VALUE, "percentage": _VALUE, "currency": _VALUE, "date": _DATE_VALUE,
             "time": _TIME_VALUE, "boolean": OFFICE_NS + "boolean-value"}  # types read from that attribute


def _repeat(value: str | None) -> int:
    """A repeat attribute: 1 when absent; 1 to :data:`REPEAT_MAX`, else the file is damaged."""
    if value is None:
        return 1
    n = int(value)
    if not 0 < n <= REPEAT_MAX:
        raise Damaged(f"repeat {value[:20]}")
    return n


def ods_value(attrs: dict, text: str) -> str:
    """A cell's value as pandas' odf reader gave it: a number from ``office:value``, a boolean
    as "True" / "False", a date or a time of day as its timestamp, a text (and a type pandas did
    not know) as its paragraphs, "#N/A" as empty; a formula without a value type (never
    calculated) marked :data:`FORMULA`."""
    if text == "#N/A":
        return ""
    kind = attrs.get(_TYPE)
    if kind is None:
        formula = attrs.get(_FORMULA)
        if not formula:
            return ""
        _, colon, rest = formula.partition(":")  # "of:=SUM([.A1:.A2])": OpenFormula's prefix
        return marked(rest if colon and rest.startswith("=") else formula)
    if kind in ("float", "percentage", "currency"):
        return cell_text(float(attrs[_VALUE]))
    if kind == "boolean":
        return "True" if attrs.get(OFFICE_NS + "boolean-value") in ("true", "1") else "False"
    if kind == "date":
        return _ods_date(attrs[_DATE_VALUE])
    if kind == "time":
        return _ods_time(attrs.get(_TIME_VALUE, ""), text)
    return text


def _ods_date(value: str) -> str:
    """An ``office:date-value`` (ISO 8601) as pandas showed it ("2024-01-15 00:00:00"), parsed
    strictly (pandas' parser falls back to dateutil, 50 us a cell and 3 us a character); one
    that is not ISO 8601 as it is."""
    try:
        return str(datetime.datetime.fromisoformat(value))
    except ValueError:
        return value


_DURATION = re.compile(r"PT(\d{1,2})H(\d{1,2})M(\d{1,2})(?:\.(\d{1,6})\d*)?S")


def _ods_time(value: str, text: str) -> str:
    """An ``office:time-value`` (PT12H30M00S) as the time of day pandas showed ("12:30:00");
    a duration of a day or more, or a malformed one, as the cell's text."""
    m = _DURATION.fullmatch(value)
    if m is None or int(m[1]) > 23 or int(m[2]) > 59 or int(m[3]) > 59:
        return text
    return str(datetime.time(int(m[1]), int(m[2]), int(m[3]), int((m[4] or "0").ljust(6, "0"))))


def _content(table: Table) -> Callable[[str], Handlers]:
    """Handlers reading an .ods's content.xml into ``table``: the first ``table:table``, its
    rows and cells with their repeats counted (an empty one skipped at no cost, a filled one
    checked against the limits before it is kept). A cell's text is its paragraphs joined by
    line breaks, ``text:s`` as spaces, annotations left out, each text node without leading and
    trailing line feeds, as pandas read it. Written for speed: a few microseconds a cell."""
    max_chars = table.limits.cell_chars

    def handlers(root: str) -> Handlers:
        if root != _ROOT:
            raise Damaged(f"root {root[:80]}")
        depth = table_depth = cell_depth = skip = size = col = 0
        row, row_repeat = 1, 1
        in_row = filled = paragraph = covered = False
        cells: list[str] = []
        parts: list[str] = []
        attrs: dict = {}
        values: dict[tuple, str] = {}  # (type, value) -> the cell's text, for the types read from value

        def start(tag: str, a: dict) -> None:
            nonlocal depth, table_depth, cell_depth, attrs, covered, parts, size, paragraph
            nonlocal in_row, row_repeat, cells, filled, col
            depth += 1
            if depth > MAX_DEPTH:
                raise Damaged("nesting")
            if cell_depth:
                if tag == _P and not skip:
                    if paragraph:
                        add("\n")
                    paragraph = True
                else:
                    in_cell(tag, a)
            elif tag == _CELL or tag == _COVERED:
                if in_row:
                    cell_depth, attrs, covered = depth, a, tag == _COVERED
                    parts, size, paragraph = [], 0, False
            elif tag == _ROW:
                if table_depth:
                    in_row, row_repeat = True, _repeat(a.get(_ROWS_REPEATED))
                    cells, filled, col = [], False, 0
            elif tag == _TABLE:
                table_depth = table_depth or depth

        def in_cell(tag: str, a: dict) -> None:
            nonlocal skip
            if skip:
                return
            if tag == _S:
                add(" " * min(max(int(a.get(_SPACES, "1")), 0), max_chars + 1))
            elif tag in _MARKS:
                add(_MARKS[tag])
            elif tag == _ANNOTATION:
                skip = depth

        def add(text: str) -> None:
            nonlocal size
            size += len(text)
            if size > max_chars:
                table.too_long(row, col + 1)
            parts.append(text)

        def data(s: str) -> None:
            if cell_depth and not skip:
                add(s.strip("\n"))  # expat gives a text node whole (up to 64 kB)

        def end(tag: str) -> None:
            nonlocal depth, skip, cell_depth, in_row, row
            if cell_depth:
                if depth == cell_depth:
                    cell_depth = 0
                    end_cell()
                elif depth == skip:
                    skip = 0
            elif tag == _ROW and in_row:
                in_row = False
                if filled:
                    table.add(row, cells, row_repeat)
                row += row_repeat
            elif tag == _TABLE and depth == table_depth:
                raise Done
            depth -= 1

        def end_cell() -> None:
            nonlocal col, filled
            r = attrs.get(_COLS_REPEATED)
            repeat = 1 if r is None else _repeat(r)
            value = "" if covered and _VALUE not in attrs else cell_value()
            if value:
                if repeat == 1 and col == len(cells):
                    cells.append(value)
                else:
                    table.column(col + repeat)
                    put(cells, col + 1, value, repeat)
                if not filled and value.strip():
                    filled = True
            col += repeat

        def cell_value() -> str:
            text = parts[0] if len(parts) == 1 else "".join(parts)
            kind = attrs.get(_TYPE)
            if kind not in _BY_VALUE or text == "#N/A":
                return ods_value(attrs, text)
            key = (kind, attrs.get(_BY_VALUE[kind]))
            value = values.get(key)
            if value is None:
                value = ods_value(attrs, text)
                if len(values) < MEMO and key[1] is not None and value is not text:  # not shown by its text
                    values[key] = value
            return value

        return start, end, data

    return handlers


def ods_grid(data: bytes, name: str, limits: Limits) -> pd.DataFrame:
    """The first table of an .ods (LibreOffice, WPS) as a frame of text indexed by spreadsheet
    row (rows holding content only; see the module's docstring for the limits)."""

    def read(zf: zipfile.ZipFile) -> pd.DataFrame:
        table = Table(name, limits)
        parse(Budget(name, limits).chunks(zf, "content.xml"), _content(table))
        return table.frame()

    return read_zip(data, name, "not_ods", read)
