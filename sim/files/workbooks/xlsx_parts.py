"""An .xlsx package around its first sheet: the workbook and its relationships, the date
styles, the shared texts, cell references and the formulas never calculated."""
from __future__ import annotations

import posixpath
import zipfile
from typing import Callable, Iterator


from sim.files.errors import InputError
from .stream import (Budget, Damaged, FORMAT_CHARS, FORMULA, FORMULA_SHOWN, Handlers, Limits, MAX_DEPTH, MAX_FORMATS,
                     cell_text, collect, local_name)


# ---------------------------------------------------------------------- .xlsx: the package
MAIN_NS = ("http://schemas.openxmlformats.org/spreadsheetml/2006/main",
           "http://purl.oclc.org/ooxml/spreadsheetml/main")  # transitional and strict
REL = "http://schemas.openxmlformats.org/package/2006/relationships}Relationship"


def main_tag(tag: str, local: str) -> str:
    """``uri}`` of a part's root element, which must be ``local`` in SpreadsheetML."""
    ns, _, name = tag.rpartition("}")
    if ns not in MAIN_NS or name != local:
        raise Damaged(f"root {tag[:80]}")
    return ns + "}"


def _rels(zf: zipfile.ZipFile, budget: Budget, part: str) -> dict[str, tuple[str, str]]:
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


def workbook_part(zf: zipfile.ZipFile, budget: Budget) -> tuple[str, str | None, str | None, bool]:
    """(first worksheet, shared texts, styles, 1904 date system) of a workbook: the first sheet
    of workbook.xml that is not a chart sheet and is in the file, as openpyxl's ``worksheets[0]``."""
    book = next((m for kind, m in _rels(zf, budget, "").values() if kind.endswith("/officeDocument")),
                "xl/workbook.xml")
    found = collect(budget.chunks(zf, book), {ns + "}" + x for ns in MAIN_NS for x in ("sheet", "workbookPr")})
    rels = _rels(zf, budget, book)
    date1904 = any(local_name(t) == "workbookPr" and a.get("date1904", "").lower() in ("1", "true") for t, a in found)
    sheet = None
    for tag, a in found:
        rid = next((v for k, v in a.items() if k.endswith("}id")), None)
        kind, member = rels.get(rid, ("", ""))
        if local_name(tag) == "sheet" and member in zf.NameToInfo and "chartsheet" not in kind:
            sheet = member
            break
    if sheet is None:
        raise Damaged("no worksheet")

    def part(suffix: str) -> str | None:
        return next((m for kind, m in rels.values() if kind.endswith(suffix) and m in zf.NameToInfo), None)

    return sheet, part("/sharedStrings"), part("/styles"), date1904


def date_styles(chunks: Iterator[bytes]) -> tuple[frozenset[int], frozenset[int]]:
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
        local = local_name(tag)
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


def shared_strings(items: list, name: str, limits: Limits) -> Callable[[str], Handlers]:
    """Handlers reading sharedStrings.xml into ``items``: each text as openpyxl read it (its
    runs joined, phonetic runs left out), one longer than the cell limit as :data:`TOO_LONG`
    (refused when a cell uses it, with the cell's place)."""

    def handlers(root: str) -> Handlers:
        ns = main_tag(root, "sst")
        SI, T, PH = ns + "si", ns + "t", ns + "rPh"
        depth = rph = size = 0
        parts: list[str] | None = None
        text: list[str] | None = None

        def start(tag: str, attrs: dict) -> None:
            nonlocal depth, parts, size, text, rph
            depth += 1
            if depth > MAX_DEPTH:
                raise Damaged("nesting")
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


COLUMNS: dict[str, int] = {}


def column_number(letters: str) -> int:
    """The column (from 1) of a reference's letters ("BJ" -> 62; at most three letters)."""
    col = COLUMNS.get(letters)
    if col is None:
        if not (0 < len(letters) <= 3 and letters.isascii() and letters.isalpha()):
            raise Damaged(f"cell reference {letters[:20]!r}")
        col = 0
        for ch in letters.upper():
            col = col * 26 + ord(ch) - 64
        COLUMNS[letters] = col
    return col


def row_number(r: str) -> int:
    """A row's ``r`` attribute as openpyxl reads it (a whole float such as "5.0" too)."""
    try:
        return int(r)
    except ValueError:
        x = float(r)
        if not x.is_integer():
            raise Damaged(f"row {r[:20]}") from None
        return int(x)


def number_text(v: str) -> str:
    """A cell's number as openpyxl read it (a float when it has a point or an exponent) as text."""
    if "." in v or "E" in v or "e" in v:
        return cell_text(float(v))
    return str(int(v))


def marked(formula: str) -> str:
    """A cell's formula that was never calculated, as the reader gives it: :data:`FORMULA` and
    the formula's first :data:`FORMULA_SHOWN` characters."""
    return FORMULA + formula[:FORMULA_SHOWN]


def translate_shared(formula: str, origin: str, ref: str) -> str:
    """A shared formula's copy at ``ref``, translated from its master at ``origin`` as openpyxl
    did; shown as the master has it when openpyxl cannot translate it."""
    from openpyxl.formula.translate import Translator

    try:
        return Translator(formula, origin).translate_formula(ref)
    except Exception:
        return formula
