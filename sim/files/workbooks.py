"""The first sheet of a user's workbook (.xlsx, .ods, .xls) as rows of text, read as a stream
under limits (:class:`Limits`, from ``data/limits.toml`` [upload]); pure, no Streamlit.

A hostile workbook is small on disk and huge once read: a sheet declaring ten million repeated
rows, a cell at row 1,048,576 or column XFD, a member that inflates a thousand times, millions
of empty elements, a shared text of 50 MB. These readers count before they allocate:

- zip members (.xlsx, .ods): at most :data:`MAX_MEMBERS` of them; a member's declared size and
  the bytes actually inflated, counted chunk by chunk as they stream, all read members together
  at most ``Limits.unzipped`` bytes;
  their XML elements (start tags, counted in C on each chunk before it is parsed) at most
  ``Limits.elements``, which bounds the parser's time (about half a microsecond an element);
- XML is parsed by expat as it inflates, no tree built: no DTD (so no entity to expand),
  nesting at most :data:`MAX_DEPTH`, no tag or comment longer than :data:`MAX_TOKEN` bytes;
- only rows holding content are kept, each with its spreadsheet row number (from 1); empty rows
  and cells between them, repeated ones included (``table:number-rows-repeated``,
  ``table:number-columns-repeated``), cost a counter, never memory;
- refused as they come: more than ``Limits.rows`` data rows under the header, content beyond
  column ``Limits.columns``, more than ``Limits.cells`` cells (rows holding content times the
  columns up to the last one holding content), a cell or formula of more than
  ``Limits.cell_chars`` characters, more than ``Limits.cells`` shared texts, more than
  ``Limits.text`` characters in the cells kept (a text that many cells use, a shared text or a
  repeated .ods cell, counts for each: pandas copies it into each cell of its text columns).

A refusal is an :class:`InputError` naming the file, the limit and, where there is one, the row
and column; a damaged file is ``not_xlsx`` / ``not_ods`` / ``not_xls``, never a traceback.

The readers give what the earlier ones did (openpyxl's read-only reader, pandas' odf reader,
xlrd): numbers as :func:`cell_text` (5.0 -> "5", 0.25 -> "0.25"), a date-formatted .xlsx number
or an .ods date as the date's text, booleans as "True" / "False", and a formula never
calculated (no cached value) as :data:`FORMULA` followed by the formula (its first
:data:`FORMULA_SHOWN` characters); a sheet is read once.
On purpose they differ where the earlier ones lost data: an .ods text "NA", "nan", "None" or
"null" stays text (pandas made it empty, which could drop a row) and a tab stays a tab; an .ods
formula never calculated is named as an .xlsx one is (pandas read it as empty); an .xlsx
sheet's declared dimension is ignored (openpyxl cut the rows and columns beyond it); rows going
backwards in an .xlsx make it damaged, as Excel says (openpyxl dropped them).
"""
from __future__ import annotations

import datetime
import io
import posixpath
import re
import struct
import zipfile
import zlib
from typing import Callable, Iterator, NamedTuple

import pandas as pd
import pyexpat

from .errors import InputError

FORMULA = "\x00formula:"  # marks a workbook cell whose formula was never calculated (no cached value)
FORMULA_SHOWN = 100       # characters of such a formula kept after the mark (a message shows 40)
CHUNK = 1 << 20           # bytes inflated and parsed at a time
MAX_DEPTH = 64            # elements open at once: a sheet nests about 6, an .ods cell about 12
MAX_TOKEN = 1 << 20       # bytes of one tag or comment: expat rescans an unfinished one (quadratic time)
MAX_PARTS = 65_536        # sheets, relationships, number and cell formats read (Excel: 64,000 formats)
MAX_MEMBERS = 10_000      # files in a workbook's zip (tens in a workbook, hundreds with images): zipfile
                          # reads every entry of the directory first, 200,000 of them in seconds
EXCEL_ROWS = 1_048_576    # the last row of an .xlsx sheet
REPEAT_MAX = 2**31 - 1    # the largest repeat an .ods may declare (LibreOffice counts rows in 32 bits)
MEMO = 65_536             # distinct number texts and styles remembered while a sheet is read
FORMAT_CHARS = 255        # characters of a number format (Excel's limit); a longer one is no date
MAX_FORMATS = 1_000       # distinct number formats checked for dates (Excel allows about 250 custom
                          # ones; openpyxl's check is quadratic: 0.3 ms for 255 characters, 400 s for 900 kB)
DATES = 100_000           # dates of a sheet shown as dates (openpyxl's conversions: 6 us each); past them a
                          # date-formatted number is shown as a number, an ISO date as it is written
TRANSLATIONS = 200_000    # characters of shared formulas translated for a sheet's uncalculated copies,
                          # 10 more a copy: under half a second of openpyxl's translator (0.5 M characters/s)


class Limits(NamedTuple):
    """What one uploaded table may hold (``data/limits.toml`` [upload])."""

    bytes: int       # bytes of the uploaded file
    rows: int        # data rows under the header row
    columns: int     # columns up to the last one holding content
    cells: int       # rows holding content times columns; also shared texts
    unzipped: int    # bytes inflated from a workbook's zip members, all read members together
    elements: int    # XML elements (start tags) in the members read, all together
    cell_chars: int  # characters of one cell's text (and of one formula)
    text: int        # characters in all the cells kept, a text counted for each cell using it


class _Damaged(Exception):
    """The file is not a well-formed workbook (the reader answers not_xlsx / not_ods / not_xls)."""


class _Done(Exception):
    """Stop parsing: everything needed has been read."""


def cell_text(v: object) -> str:
    """A cell value as text: a whole float without ".0" (5.0 -> "5"), anything else ``str``."""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def column_letter(n: int) -> str:
    """Spreadsheet column letters of column ``n`` (1 -> "A", 16384 -> "XFD")."""
    out = ""
    while n > 0:
        n, r = divmod(n - 1, 26)
        out = chr(65 + r) + out
    return out


# ---------------------------------------------------------------------- the rows kept
class Table:
    """The rows of a sheet that hold content, with their spreadsheet row numbers, checked
    against the limits before anything is kept."""

    def __init__(self, name: str, limits: Limits) -> None:
        self.name, self.limits = name, limits
        self.rows: list[list[str]] = []
        self.numbers: list[int] = []
        self.width = self.chars = 0

    def column(self, last: int) -> None:
        """Refuse content reaching column ``last`` beyond the column limit."""
        if last > self.limits.columns:
            raise InputError("too_many_columns", path=self.name, n=f"{last:,}", limit=self.limits.columns)

    def too_long(self, row: int, column: int):
        raise InputError("cell_too_long", path=self.name, row=f"{row:,}", column=column_letter(column),
                         limit=f"{self.limits.cell_chars:,}")

    def add(self, number: int, cells: list[str], repeat: int = 1) -> None:
        """Keep a row holding content (``cells`` up to its last non-empty one) as rows
        ``number`` .. ``number + repeat - 1``; the repeats share one list."""
        count = len(self.numbers) + repeat
        if count > self.limits.rows + 1:  # the header row and the data rows
            raise InputError("too_many_rows", path=self.name, limit=f"{self.limits.rows:,}")
        width = max(self.width, len(cells))
        if count * width > self.limits.cells:
            raise InputError("too_many_cells", path=self.name, limit=f"{self.limits.cells:,}", row=f"{number:,}")
        self.chars += sum(map(len, cells)) * repeat
        if self.chars > self.limits.text:
            raise InputError("too_much_text", path=self.name, limit=f"{self.limits.text:,}", row=f"{number:,}")
        self.width = width
        self.numbers.extend(range(number, number + repeat))
        self.rows.extend([cells] * repeat)

    def frame(self) -> pd.DataFrame:
        """The rows as a frame of text ("" for an empty cell), indexed by spreadsheet row."""
        w = self.width
        rows = [r if len(r) == w else r + [""] * (w - len(r)) for r in self.rows]
        return pd.DataFrame(rows, index=pd.Index(self.numbers, dtype="int64"), columns=range(w), dtype=str)


def put(cells: list[str], col: int, value: str, repeat: int = 1) -> None:
    """Write ``value`` into columns ``col`` .. ``col + repeat - 1`` (from 1) of a row's list."""
    n = len(cells)
    if col > n:
        cells.extend([""] * (col - 1 - n))
        cells.extend([value] * repeat)
    else:
        cells[col - 1:col - 1 + repeat] = [value] * repeat


# ---------------------------------------------------------------------- zip and XML streams
class _Budget:
    """What a workbook may cost its reader, all read members together: inflated bytes and XML
    elements (start tags: ``<`` not followed by ``/``, counted in C before a chunk is parsed)."""

    def __init__(self, name: str, limits: Limits) -> None:
        self.name, self.limits = name, limits
        self.used = self.elements = 0

    def refuse(self, member: str):
        raise InputError("unzipped_too_large", path=self.name, member=member,
                         limit=f"{self.limits.unzipped / 1e6:g}")

    def chunks(self, zf: zipfile.ZipFile, member: str) -> Iterator[bytes]:
        """The member's bytes, inflated :data:`CHUNK` at a time and counted as they come (a
        member declaring more than is left is refused before it is opened)."""
        info = zf.getinfo(member)
        if self.used + info.file_size > self.limits.unzipped:
            self.refuse(member)
        with zf.open(info) as fh:
            while chunk := fh.read(CHUNK):
                self.used += len(chunk)
                self.elements += chunk.count(b"<") - chunk.count(b"</")
                if self.used > self.limits.unzipped:
                    self.refuse(member)
                if self.elements > self.limits.elements:
                    raise InputError("too_many_elements", path=self.name, member=member,
                                     limit=f"{self.limits.elements:,}")
                yield chunk


def _no_dtd(*_args) -> None:
    raise _Damaged("a DTD")  # no workbook part has one; refusing it leaves no entity to expand


Handlers = tuple[Callable, Callable | None, Callable | None]


def parse(chunks: Iterator[bytes], handlers: Callable[[str], Handlers]) -> None:
    """Feed XML chunks to expat. ``handlers(root)`` is called with the root element's name
    (``uri}local``) and returns the (start, end, data) handlers, which then get every element,
    the root included. Parsing stops quietly when a handler raises :class:`_Done`; a malformed
    document, a DTD or a tag longer than :data:`MAX_TOKEN` bytes raises :class:`_Damaged`."""
    p = pyexpat.ParserCreate(namespace_separator="}")
    p.buffer_text = True
    p.buffer_size = 1 << 16
    p.StartDoctypeDeclHandler = p.EntityDeclHandler = _no_dtd

    def root(tag: str, attrs: dict) -> None:
        start, end, data = handlers(tag)
        p.StartElementHandler = start
        p.EndElementHandler = end
        p.CharacterDataHandler = data
        start(tag, attrs)

    p.StartElementHandler = root
    fed = 0
    try:
        for chunk in chunks:
            p.Parse(chunk, False)
            fed += len(chunk)
            if fed - p.CurrentByteIndex > MAX_TOKEN:
                raise _Damaged("a tag or comment longer than MAX_TOKEN bytes")
        p.Parse(b"", True)
    except _Done:
        pass
    except pyexpat.ExpatError as exc:
        raise _Damaged(str(exc)) from None


def collect(chunks: Iterator[bytes], wanted: set[str]) -> list[tuple[str, dict]]:
    """(name, attributes) of the elements named in ``wanted``, in order, at most
    :data:`MAX_PARTS` (a small part: relationships, workbook.xml, styles.xml)."""
    found: list[tuple[str, dict]] = []

    def handlers(_root: str) -> Handlers:
        depth = 0

        def start(tag: str, attrs: dict) -> None:
            nonlocal depth
            depth += 1
            if depth > MAX_DEPTH:
                raise _Damaged("nesting")
            if tag in wanted:
                found.append((tag, attrs))
                if len(found) >= MAX_PARTS:
                    raise _Done

        def end(_tag: str) -> None:
            nonlocal depth
            depth -= 1

        return start, end, None

    parse(chunks, handlers)
    return found


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


ZIP_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, KeyError, OSError, EOFError, ValueError,
              TypeError, AttributeError, IndexError, OverflowError, NotImplementedError, RuntimeError,
              zlib.error, struct.error, _Damaged)  # what a damaged zip, misplaced elements or a bad value raise


def _read(data: bytes, name: str, code: str, read: Callable[[zipfile.ZipFile], pd.DataFrame]) -> pd.DataFrame:
    """Open the zip and run ``read``; anything a damaged file raises becomes ``code``, and so
    does a zip whose directory lists more than :data:`MAX_MEMBERS` files (its entries' mark
    counted in C before zipfile reads them)."""
    if data.count(b"PK\x01\x02") > MAX_MEMBERS:
        raise InputError(code, path=name)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            return read(zf)
    except InputError:
        raise
    except ZIP_ERRORS:
        raise InputError(code, path=name) from None


# ---------------------------------------------------------------------- .xlsx: the package
MAIN_NS = ("http://schemas.openxmlformats.org/spreadsheetml/2006/main",
           "http://purl.oclc.org/ooxml/spreadsheetml/main")  # transitional and strict
REL = "http://schemas.openxmlformats.org/package/2006/relationships}Relationship"


def _main(tag: str, local: str) -> str:
    """``uri}`` of a part's root element, which must be ``local`` in SpreadsheetML."""
    ns, _, name = tag.rpartition("}")
    if ns not in MAIN_NS or name != local:
        raise _Damaged(f"root {tag[:80]}")
    return ns + "}"


def _rels(zf: zipfile.ZipFile, budget: _Budget, part: str) -> dict[str, tuple[str, str]]:
    """Id -> (type, member) of a part's relationships ("" for the package's own)."""
    folder, base = posixpath.split(part)
    path = posixpath.join(folder, "_rels", base + ".rels")
    if path not in zf.NameToInfo:
        return {}
    out = {}
    for _, a in collect(budget.chunks(zf, path), {REL}):
        target = a.get("Target", "")
        if a.get("TargetMode") != "External":
            member = target[1:] if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))
            out[a.get("Id", "")] = (a.get("Type", ""), member)
    return out


def _book(zf: zipfile.ZipFile, budget: _Budget) -> tuple[str, str | None, str | None, bool]:
    """(first worksheet, shared texts, styles, 1904 date system) of a workbook: the first sheet
    of workbook.xml that is not a chart sheet and is in the file, as openpyxl's ``worksheets[0]``."""
    book = next((m for kind, m in _rels(zf, budget, "").values() if kind.endswith("/officeDocument")),
                "xl/workbook.xml")
    found = collect(budget.chunks(zf, book), {ns + "}" + x for ns in MAIN_NS for x in ("sheet", "workbookPr")})
    rels = _rels(zf, budget, book)
    date1904 = any(_local(t) == "workbookPr" and a.get("date1904", "").lower() in ("1", "true") for t, a in found)
    sheet = None
    for tag, a in found:
        rid = next((v for k, v in a.items() if k.endswith("}id")), None)
        kind, member = rels.get(rid, ("", ""))
        if _local(tag) == "sheet" and member in zf.NameToInfo and "chartsheet" not in kind:
            sheet = member
            break
    if sheet is None:
        raise _Damaged("no worksheet")

    def part(suffix: str) -> str | None:
        return next((m for kind, m in rels.values() if kind.endswith(suffix) and m in zf.NameToInfo), None)

    return sheet, part("/sharedStrings"), part("/styles"), date1904


def _date_styles(chunks: Iterator[bytes]) -> tuple[frozenset[int], frozenset[int]]:
    """(cell formats showing a date or time, those showing a duration) of styles.xml, by index
    in cellXfs, as openpyxl decides them (for number formats of at most :data:`FORMAT_CHARS`
    characters, the first :data:`MAX_FORMATS` distinct ones)."""
    from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format, is_timedelta_format

    sections = ("numFmts", "cellStyleXfs", "cellXfs", "cellStyles", "dxfs")
    wanted = {ns + "}" + x for ns in MAIN_NS for x in (*sections, "numFmt", "xf")}
    custom: dict[int, str] = {}
    formats: list[str | None] = []
    section = ""
    for tag, a in collect(chunks, wanted):
        local = _local(tag)
        if local in sections:
            section = local
        elif local == "numFmt" and section == "numFmts":
            custom[int(a.get("numFmtId", "-1"))] = a.get("formatCode", "")
        elif local == "xf" and section == "cellXfs":
            fid = int(a.get("numFmtId", "0"))
            formats.append(custom[fid] if fid in custom else BUILTIN_FORMATS.get(fid))
    checked: dict[str, tuple[bool, bool]] = {}

    def kind(code: str | None) -> tuple[bool, bool]:
        """(date, duration) of a format, checked once; a long one, or one past the first
        :data:`MAX_FORMATS`, as neither."""
        if not code or len(code) > FORMAT_CHARS:
            return False, False
        if code not in checked:
            if len(checked) >= MAX_FORMATS:
                return False, False
            checked[code] = (is_date_format(code), is_timedelta_format(code))
        return checked[code]

    dates = frozenset(i for i, f in enumerate(formats) if kind(f)[0])
    return dates, frozenset(i for i in dates if kind(formats[i])[1])


TOO_LONG = type("TooLong", (), {"__repr__": lambda self: "TOO_LONG"})()  # a shared text above the limit


def _strings(items: list, name: str, limits: Limits) -> Callable[[str], Handlers]:
    """Handlers reading sharedStrings.xml into ``items``: each text as openpyxl read it (its
    runs joined, phonetic runs left out), one longer than the cell limit as :data:`TOO_LONG`
    (refused when a cell uses it, with the cell's place)."""

    def handlers(root: str) -> Handlers:
        ns = _main(root, "sst")
        SI, T, PH = ns + "si", ns + "t", ns + "rPh"
        depth = rph = size = 0
        parts: list[str] | None = None
        text: list[str] | None = None

        def start(tag: str, attrs: dict) -> None:
            nonlocal depth, parts, size, text, rph
            depth += 1
            if depth > MAX_DEPTH:
                raise _Damaged("nesting")
            if tag == SI:
                parts, size = [], 0
            elif tag == T:
                if parts is not None and not rph:
                    text = []
            elif tag == PH:
                rph += 1

        def data(s: str) -> None:
            nonlocal size, text, parts
            if text is not None:
                size += len(s)
                text.append(s)
                if size > limits.cell_chars:
                    text = parts = None  # the text is dropped: only its being too long is kept

        def end(tag: str) -> None:
            nonlocal depth, parts, text, rph
            depth -= 1
            if tag == T:
                if text is not None:
                    parts.append("".join(text))
                    text = None
            elif tag == SI:
                items.append(TOO_LONG if parts is None else "".join(parts).replace("x005F_", ""))
                parts = None
                if len(items) > limits.cells:
                    raise InputError("too_many_strings", path=name, limit=f"{limits.cells:,}")
            elif tag == PH:
                rph -= 1

        return start, end, data

    return handlers


_COLUMNS: dict[str, int] = {}


def _column(letters: str) -> int:
    """The column (from 1) of a reference's letters ("BJ" -> 62; at most three letters)."""
    col = _COLUMNS.get(letters)
    if col is None:
        if not (0 < len(letters) <= 3 and letters.isascii() and letters.isalpha()):
            raise _Damaged(f"cell reference {letters[:20]!r}")
        col = 0
        for ch in letters.upper():
            col = col * 26 + ord(ch) - 64
        _COLUMNS[letters] = col
    return col


def _row_number(r: str) -> int:
    """A row's ``r`` attribute as openpyxl reads it (a whole float such as "5.0" too)."""
    try:
        return int(r)
    except ValueError:
        x = float(r)
        if not x.is_integer():
            raise _Damaged(f"row {r[:20]}") from None
        return int(x)


def _number(v: str) -> str:
    """A cell's number as openpyxl read it (a float when it has a point or an exponent) as text."""
    if "." in v or "E" in v or "e" in v:
        return cell_text(float(v))
    return str(int(v))


def marked(formula: str) -> str:
    """A cell's formula that was never calculated, as the reader gives it: :data:`FORMULA` and
    the formula's first :data:`FORMULA_SHOWN` characters."""
    return FORMULA + formula[:FORMULA_SHOWN]


def _translate(formula: str, origin: str, ref: str) -> str:
    """A shared formula's copy at ``ref``, translated from its master at ``origin`` as openpyxl
    did; shown as the master has it when openpyxl cannot translate it."""
    from openpyxl.formula.translate import Translator

    try:
        return Translator(formula, origin).translate_formula(ref)
    except Exception:
        return formula


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
        return marked(_translate(formula, origin, cell.attrs.get("r") or f"{column_letter(col)}{row}"))
    if kind == "s":
        i = int(v)
        if i < 0:
            raise _Damaged(f"shared text {i}")
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
        ns = _main(root, "worksheet")
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
            return row, (_column(ref.rstrip("0123456789")) if ref else col + 1)

        def start(tag: str, a: dict) -> None:
            nonlocal depth, text, size, rph
            depth += 1
            if depth > MAX_DEPTH:
                raise _Damaged("nesting")
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
            number = row + 1 if r is None else _row_number(r)
            if not row < number <= EXCEL_ROWS:  # rows come in order, as Excel requires
                raise _Damaged(f"row {number}")
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
                c = _COLUMNS.get(letters) or _column(letters)
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
                out = _number(v)
                if len(numbers) < MEMO:
                    numbers[v] = out
            return out

        return start, end, data

    return handlers


def xlsx_frame(zf: zipfile.ZipFile, name: str, limits: Limits) -> pd.DataFrame:
    """The first worksheet of an opened .xlsx (see :func:`xlsx_grid`)."""
    budget = _Budget(name, limits)
    sheet_part, strings_part, styles_part, date1904 = _book(zf, budget)
    strings: list = []
    if strings_part:
        parse(budget.chunks(zf, strings_part), _strings(strings, name, limits))
    dates = _date_styles(budget.chunks(zf, styles_part)) if styles_part else (frozenset(), frozenset())
    table = Table(name, limits)
    parse(budget.chunks(zf, sheet_part), _sheet(_SheetInfo(table, strings, *dates, date1904)))
    return table.frame()


def xlsx_grid(data: bytes, name: str, limits: Limits) -> pd.DataFrame:
    """The first worksheet of an .xlsx as a frame of text indexed by spreadsheet row (rows
    holding content only; see the module's docstring for the limits)."""
    return _read(data, name, "not_xlsx", lambda zf: xlsx_frame(zf, name, limits))


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
        raise _Damaged(f"repeat {value[:20]}")
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
            raise _Damaged(f"root {root[:80]}")
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
                raise _Damaged("nesting")
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
                raise _Done
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
        parse(_Budget(name, limits).chunks(zf, "content.xml"), _content(table))
        return table.frame()

    return _read(data, name, "not_ods", read)


# ---------------------------------------------------------------------- .xls
class _Quiet:
    """A log file that keeps nothing: xlrd prints its warnings to standard output otherwise."""

    def write(self, _text: str) -> None:
        pass

    def flush(self) -> None:
        pass


def xls_grid(data: bytes, name: str, limits: Limits) -> pd.DataFrame:
    """The first sheet of an Excel 97-2003 workbook as a frame of text indexed by spreadsheet
    row. xlrd keeps rows ragged (a cell at row 65,536 and column 256, the format's last,
    allocates that row only; the format bounds a sheet to 65,536 x 256 cells, which xlrd holds
    in about 150 MB); the rows holding content are checked against the limits as they are
    taken. Numbers as :func:`cell_text`, dates as their serial number, as before."""
    import xlrd
    from xlrd.compdoc import CompDocError

    try:
        book = xlrd.open_workbook(file_contents=data, on_demand=True, ragged_rows=True, logfile=_Quiet())
        sheet = book.sheet_by_index(0)
        table = Table(name, limits)
        for i in range(sheet.nrows):
            if sheet.row_len(i):
                cells = ["" if v == "" else cell_text(v) for v in sheet.row_values(i)]
                while cells and not cells[-1]:
                    cells.pop()
                table.column(len(cells))
                if any(c.strip() for c in cells):
                    table.add(i + 1, cells)
        book.release_resources()
    except InputError:
        raise
    except (xlrd.XLRDError, CompDocError, AssertionError, *ZIP_ERRORS):
        raise InputError("not_xls", path=name) from None
    return table.frame()
