"""The first sheet of an .xlsx, streamed: each cell's value as text (numbers, dates, booleans,
shared texts, formulas never calculated), rows kept as they come under the limits."""
from __future__ import annotations

import zipfile
from typing import Callable, NamedTuple

import pandas as pd

from .stream import (Budget, DATES, Damaged, EXCEL_ROWS, Handlers, Limits, MAX_DEPTH, MEMO, TRANSLATIONS, Table,
                     column_letter, parse, put, read_zip)
from .xlsx_parts import (COLUMNS, TOO_LONG, column_number, date_styles, main_tag, marked, number_text, row_number,
                         shared_strings, translate_shared, workbook_part)


# ---------------------------------------------------------------------- .xlsx: the sheet
class _Cell:
    """What a cell's elements said: its attributes, ``<v>``, ``<f>`` (attributes, text) and
    its inline text's runs; and the shared formulas' masters met so far, with what is left of
    the sheet's :data:`TRANSLATIONS` and :data:`DATES`."""

    __slots__ = ("attrs", "v", "f", "inline", "shared", "translations", "dates")

    def __init__(self) -> None:
        self.attrs: dict = {}
        self.v = self.f = self.inline = None
        self.shared: dict[str | None, tuple[str, str, str]] = {}  # si -> formula, its cell, marked
        self.translations = TRANSLATIONS
        self.dates = DATES


def _value(cell: _Cell, kind: str | None, v: str | None, place: Callable[[], tuple[int, int]], sheet) -> str:
    """A cell's text from its type ``t`` and its value (not a number: those are handled by the
    caller), as openpyxl read it; the formula of a cell without a cached value, marked (a shared
    formula's copy translated from its master while the sheet's translations last, then shown
    as its master)."""
    if not v:
        if cell.f is None:
            return ""
        attrs, text = cell.f
        master = cell.shared.get(attrs.get("si")) if attrs.get("t") == "shared" else None
        if master is None:
            return marked("=" + text)
        formula, origin, as_master = master
        cell.translations -= len(formula) + 10
        if cell.translations < 0:
            return as_master
        row, col = place()
        return marked(translate_shared(formula, origin, cell.attrs.get("r") or f"{column_letter(col)}{row}"))
    if kind == "s":
        i = int(v)
        if i < 0:
            raise Damaged(f"shared text {i}")
        text = sheet.strings[i]
        if text is TOO_LONG:
            sheet.table.too_long(*place())
        return text
    if kind == "b":
        return "True" if int(v) else "False"
    if kind == "d":  # an ISO 8601 date, shown as a date while the sheet's DATES last
        from openpyxl.utils.datetime import from_ISO8601

        cell.dates -= 1
        return str(from_ISO8601(v)) if cell.dates >= 0 else v
    return v  # str (a formula's text), e (an error such as #N/A), inlineStr, and unknown types


def _date(x: str, style: int, sheet) -> str:
    """A date-formatted number as openpyxl read it: the date (or time, or duration) as text."""
    from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900, from_excel

    epoch = CALENDAR_MAC_1904 if sheet.date1904 else CALENDAR_WINDOWS_1900
    n = float(x) if ("." in x or "E" in x or "e" in x) else int(x)
    try:
        return str(from_excel(n, epoch, timedelta=style in sheet.durations))
    except (OverflowError, ValueError):
        return "#VALUE!"  # as openpyxl: a serial number outside the dates


class _SheetInfo(NamedTuple):
    table: Table
    strings: list
    dates: frozenset
    durations: frozenset
    date1904: bool


def _sheet(sheet: _SheetInfo) -> Callable[[str], Handlers]:
    """Handlers reading a worksheet's XML into ``sheet.table``, once: a cell's cached value
    (``<v>``), or its formula (``<f>``) marked :data:`FORMULA` when it has none. Rows must come
    in order (Excel refuses a file whose rows do not); a cell without ``r`` follows the one
    before, a row without ``r`` the row before. Written for speed: about two microseconds a cell."""
    table, limits = sheet.table, sheet.table.limits
    max_chars, max_cols = limits.cell_chars, limits.columns

    def handlers(root: str) -> Handlers:
        ns = main_tag(root, "worksheet")
        C, V, F, IS, T, ROW, PH = (ns + x for x in ("c", "v", "f", "is", "t", "row", "rPh"))
        cell = _Cell()
        depth = row = col = size = rph = 0
        cells: list[str] = []
        filled = False
        text: list[str] | None = None
        numbers: dict[str, str] = {}   # number text -> its cell text (and one str object for all)
        styles: dict[str, int] = {}    # s -> its date style, -1 for none

        def place() -> tuple[int, int]:
            ref = cell.attrs.get("r")
            return row, (column_number(ref.rstrip("0123456789")) if ref else col + 1)

        def start(tag: str, a: dict) -> None:
            nonlocal depth, text, size, rph
            depth += 1
            if depth > MAX_DEPTH:
                raise Damaged("nesting")
            if tag == C:
                cell.attrs, cell.v, cell.f, cell.inline = a, None, None, None
            elif tag == V:
                text, size = [], 0
            elif tag == ROW:
                begin_row(a.get("r"))
            elif tag == F:
                text, size, cell.f = [], 0, a
            elif tag == T:
                if cell.inline is not None and not rph:
                    text = []
            elif tag == IS:
                cell.inline, size = [], 0
            elif tag == PH:
                rph += 1

        def data(s: str) -> None:
            nonlocal size
            if text is not None:
                text.append(s)
                size += len(s)
                if size > max_chars:
                    table.too_long(*place())

        def begin_row(r: str | None) -> None:
            nonlocal row, col, cells, filled
            number = row + 1 if r is None else row_number(r)
            if not row < number <= EXCEL_ROWS:  # rows come in order, as Excel requires
                raise Damaged(f"row {number}")
            row, col, cells, filled = number, 0, [], False

        def end(tag: str) -> None:
            nonlocal depth, text, cells, filled, rph
            depth -= 1
            if tag == V:
                cell.v, text = "".join(text), None
            elif tag == C:
                end_cell()
            elif tag == ROW:
                if filled:
                    table.add(row, cells)
                cells, filled = [], False  # a cell outside a row is not kept
            elif tag == F:
                end_formula()
            elif tag == T:
                if text is not None:
                    cell.inline.append("".join(text))
                    text = None
            elif tag == PH:
                rph -= 1

        def end_formula() -> None:
            nonlocal text
            attrs, formula = cell.f, "".join(text)
            cell.f, text = (attrs, formula), None
            si = attrs.get("si")
            if attrs.get("t") == "shared" and formula and si not in cell.shared:
                r, c = place()  # a master is kept for its copies, cached value or not (openpyxl)
                cell.shared[si] = ("=" + formula, cell.attrs.get("r") or f"{column_letter(c)}{r}",
                                   marked("=" + formula))

        def end_cell() -> None:
            nonlocal col, filled
            a = cell.attrs
            ref = a.get("r")
            if ref is None:
                c = col + 1
            else:
                letters = ref.rstrip("0123456789")
                c = COLUMNS.get(letters) or column_number(letters)
            v = cell.v if cell.inline is None else "".join(cell.inline)
            if v is None and cell.f is None:  # an empty cell, formatted or not
                col = c
                return
            kind = a.get("t")
            if kind is None or kind == "n":
                if not v:
                    value = _value(cell, kind, v, place, sheet)
                elif not sheet.dates or a.get("s") is None:
                    value = numbers.get(v) or number(v, None)
                else:
                    value = number(v, a.get("s"))
            else:
                value = _value(cell, kind, None if kind == "inlineStr" and cell.inline is None else v, place, sheet)
            col = c
            if value:
                if c > max_cols:
                    table.column(c)
                if c == len(cells) + 1:
                    cells.append(value)
                else:
                    put(cells, c, value)
                if not filled and value.strip():
                    filled = True

        def number(v: str, s: str | None) -> str:
            """A number's text (one object for equal texts), or its date for a date style (the
            sheet's first :data:`DATES` of them)."""
            if s is not None and sheet.dates and cell.dates > 0:
                style = styles.get(s)
                if style is None:
                    style = int(s) if int(s) in sheet.dates else -1
                    if len(styles) < MEMO:
                        styles[s] = style
                if style >= 0:
                    cell.dates -= 1
                    return _date(v, style, sheet)
            out = numbers.get(v)
            if out is None:
                out = number_text(v)
                if len(numbers) < MEMO:
                    numbers[v] = out
            return out

        return start, end, data

    return handlers


def xlsx_frame(zf: zipfile.ZipFile, name: str, limits: Limits) -> pd.DataFrame:
    """The first worksheet of an opened .xlsx (see :func:`xlsx_grid`)."""
    budget = Budget(name, limits)
    sheet_part, strings_part, styles_part, date1904 = workbook_part(zf, budget)
    strings: list = []
    if strings_part:
        parse(budget.chunks(zf, strings_part), shared_strings(strings, name, limits))
    dates = date_styles(budget.chunks(zf, styles_part)) if styles_part else (frozenset(), frozenset())
    table = Table(name, limits)
    parse(budget.chunks(zf, sheet_part), _sheet(_SheetInfo(table, strings, *dates, date1904)))
    return table.frame()


def xlsx_grid(data: bytes, name: str, limits: Limits) -> pd.DataFrame:
    """The first worksheet of an .xlsx as a frame of text indexed by spreadsheet row (rows
    holding content only; see the module's docstring for the limits)."""
    return read_zip(data, name, "not_xlsx", lambda zf: xlsx_frame(zf, name, limits))
