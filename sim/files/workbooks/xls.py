"""An Excel 97-2003 .xls, row by row through xlrd, under the same limits."""
from __future__ import annotations


import pandas as pd

from sim.files.errors import InputError
from .stream import Limits, Table, ZIP_ERRORS, cell_text


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
