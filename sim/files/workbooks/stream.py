"""What every reader shares: the limits, the rows kept (:class:`Table`), and zip members
and XML streamed through expat under them, counted before they are allocated."""
from __future__ import annotations

import io
import struct
import zipfile
import zlib
from typing import Callable, Iterator, NamedTuple

import pandas as pd
import pyexpat

from sim.files.errors import InputError


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


class Damaged(Exception):
    """The file is not a well-formed workbook (the reader answers not_xlsx / not_ods / not_xls)."""


class Done(Exception):
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
class Budget:
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
    raise Damaged("a DTD")  # no workbook part has one; refusing it leaves no entity to expand


Handlers = tuple[Callable, Callable | None, Callable | None]


def parse(chunks: Iterator[bytes], handlers: Callable[[str], Handlers]) -> None:
    """Feed XML chunks to expat. ``handlers(root)`` is called with the root element's name
    (``uri}local``) and returns the (start, end, data) handlers, which then get every element,
    the root included. Parsing stops quietly when a handler raises :class:`Done`; a malformed
    document, a DTD or a tag longer than :data:`MAX_TOKEN` bytes raises :class:`Damaged`."""
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
                raise Damaged("a tag or comment longer than MAX_TOKEN bytes")
        p.Parse(b"", True)
    except Done:
        pass
    except pyexpat.ExpatError as exc:
        raise Damaged(str(exc)) from None


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
                raise Damaged("nesting")
            if tag in wanted:
                found.append((tag, attrs))
                if len(found) >= MAX_PARTS:
                    raise Done

        def end(_tag: str) -> None:
            nonlocal depth
            depth -= 1

        return start, end, None

    parse(chunks, handlers)
    return found


def local_name(tag: str) -> str:
    return tag.rpartition("}")[2]


ZIP_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, KeyError, OSError, EOFError, ValueError,
              TypeError, AttributeError, IndexError, OverflowError, NotImplementedError, RuntimeError,
              zlib.error, struct.error, Damaged)  # what a damaged zip, misplaced elements or a bad value raise


def read_zip(data: bytes, name: str, code: str, read: Callable[[zipfile.ZipFile], pd.DataFrame]) -> pd.DataFrame:
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
