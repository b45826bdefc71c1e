"""The first sheet of a user's workbook (.xlsx, .ods, .xls) as rows of text, read as a stream
(:mod:`.stream`; the readers :mod:`.xlsx` with :mod:`.xlsx_parts`, :mod:`.ods`, :mod:`.xls`) under limits (:class:`Limits`, from ``data/limits.toml`` [upload]); pure, no Streamlit.

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
from .ods import ods_grid
from .stream import FORMULA, FORMULA_SHOWN, MAX_DEPTH, MAX_MEMBERS, MAX_TOKEN, Limits, Table, cell_text
from .xls import xls_grid
from .xlsx import xlsx_grid

__all__ = ["FORMULA", "FORMULA_SHOWN", "Limits", "MAX_DEPTH", "MAX_MEMBERS", "MAX_TOKEN", "Table", "cell_text",
           "ods_grid", "xls_grid", "xlsx_grid"]
