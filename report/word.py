"""A Word document's parts: charts as images (Altair -> PNG in a child process), the document
with its East Asian and Latin fonts, tables, sections, images, the header with the link and its QR
code."""
from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass

import pandas as pd

from sim.files.text import clean

from . import render
from .labels import tr


BODY_FONT, HEAD_FONT, LATIN_FONT = "SimSun", "SimHei", "Calibri"  # 宋体 / 黑体: Word's and WPS's defaults


# ---------------------------------------------------------------------- charts as images
def _spec(chart, width: int) -> dict:
    """An Altair chart's Vega-Lite specification at ``width`` pixels (faceted charts size their
    panels themselves)."""
    sized = chart.properties(width=width) if hasattr(chart, "properties") and not _is_faceted(chart) else chart
    return sized.to_dict()


def pngs(charts_and_widths: list[tuple]) -> list[bytes | None]:
    """PNGs of (chart, width) pairs, rendered together in a child process (report.render: a
    renderer's crash costs the chart, not the server); None where a chart could not be drawn."""
    return render.pngs([_spec(c, w) for c, w in charts_and_widths])


def png(chart, width: int = 640) -> bytes | None:
    """One Altair chart as a PNG (see :func:`pngs`)."""
    return pngs([(chart, width)])[0]


def _is_faceted(chart) -> bool:
    """Whether a chart sizes its panels itself (facets and side-by-side panels)."""
    import altair as alt

    return isinstance(chart, (alt.FacetChart, alt.HConcatChart))


# ---------------------------------------------------------------------- the document
def new_document():
    from docx import Document
    from docx.oxml.ns import qn
    from docx.shared import Pt

    doc = Document()
    for name, east, size in (("Normal", BODY_FONT, 11), ("Title", HEAD_FONT, 22), ("Heading 1", HEAD_FONT, 15),
                             ("Heading 2", HEAD_FONT, 13)):
        style = doc.styles[name]
        style.font.name = LATIN_FONT
        style.font.size = Pt(size)
        rpr = style.element.get_or_add_rPr()
        fonts = rpr.find(qn("w:rFonts"))
        if fonts is None:
            fonts = rpr.makeelement(qn("w:rFonts"), {})
            rpr.append(fonts)
        fonts.set(qn("w:eastAsia"), east)
        fonts.set(qn("w:ascii"), LATIN_FONT)
        fonts.set(qn("w:hAnsi"), LATIN_FONT)
    section = doc.sections[0]
    from docx.shared import Cm

    section.left_margin = section.right_margin = Cm(2.2)
    section.top_margin = section.bottom_margin = Cm(2.0)
    return doc


TABLE_PT = 9.5  # table text: smaller than the body, so that names fit their column
WIDTHS = {  # a table's column widths in cm (the text block of an A4 page is 16.6 cm wide)
    "levers": (9.0, 3.8, 3.8), "targets": (5.6, 1.4, 2.4, 2.2, 2.5, 2.5), "rests_on": (8.6, 3.6, 4.4),
    "compare": (3.6, 1.4, 2.4, 2.6, 1.8, 4.8), "city": (4.0, 3.2, 3.2, 3.0, 3.2)}


def add_table(doc, frame: pd.DataFrame, widths: tuple[float, ...] | None = None) -> None:
    """A table with a header row; ``widths`` (cm) fixes the columns so that long names wrap in
    a wide column rather than into four lines of a narrow one."""
    from docx.shared import Cm, Pt

    t = doc.add_table(rows=1, cols=len(frame.columns))
    t.style = "Light Grid Accent 1"
    for cell, name in zip(t.rows[0].cells, frame.columns):
        cell.text = clean(str(name))
    for row in frame.itertuples(index=False):
        cells = t.add_row().cells
        for cell, v in zip(cells, row):
            cell.text = clean(str(v))  # a last guard: Word cannot hold what sim.files.text refuses
    if widths:
        t.autofit = False
        for column, w in zip(t.columns, widths):
            column.width = Cm(w)  # LibreOffice reads the grid's widths, Word the cells'
        for row in t.rows:
            for cell, w in zip(row.cells, widths):
                cell.width = Cm(w)
    for row in t.rows:
        for cell in row.cells:
            for par in cell.paragraphs:
                for run in par.runs:
                    run.font.size = Pt(TABLE_PT)


def add_section(doc, heading: str, frame: pd.DataFrame, empty: str, widths: tuple[float, ...] | None = None) -> None:
    """A heading and its table, or a sentence when there is nothing to list."""
    doc.add_heading(heading, level=1)
    if len(frame):
        add_table(doc, frame, widths)
    else:
        doc.add_paragraph(empty)


def docx_bytes(doc) -> bytes:
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def add_image(doc, data: bytes | None, width_cm: float = 16.0, lang: str = "zh") -> None:
    """A chart's PNG at ``width_cm``, or a sentence saying it could not be drawn."""
    from docx.shared import Cm

    if data is None:
        doc.add_paragraph(tr("brief_chart_failed", lang))
        return
    doc.add_picture(io.BytesIO(data), width=Cm(width_cm))


QR_CM = 2.6  # a QR code's side on paper: a phone reads it from arm's length


@dataclass(frozen=True)
class Heading:
    """What a briefing's head says: its kind (``scenario``, ``optimizer``, ``compare``, ``city``),
    the region, the scenario's name, its link and the date."""

    kind: str
    region: str
    name: str
    url: str
    today: dt.date


def add_header(doc, lang: str, heading: Heading) -> None:
    """Title, date and scenario name, then the link (a short link, one line) beside its QR code."""
    kind, today = heading.kind, heading.today
    region, name, url = clean(heading.region), clean(heading.name), clean(heading.url)
    doc.add_heading(tr(f"brief_title_{kind}", lang, region=region), level=0)
    p = doc.add_paragraph()
    if kind == "city":  # a city has no scenario name: its date only
        p.add_run(tr("brief_meta_date", lang, date=today.isoformat()))
    else:
        p.add_run(tr("brief_meta", lang, date=today.isoformat(), name=name or tr("brief_unnamed", lang)))
    if url:
        add_link_with_qr(doc, tr("brief_link" if kind != "city" else "brief_link_city", lang, url=url), url)


def add_link_with_qr(doc, sentence: str, url: str) -> None:
    """A borderless row: the sentence with the link, and the link's QR code."""
    from docx.shared import Cm

    from . import qr

    t = doc.add_table(rows=1, cols=2)
    t.autofit = False
    left, right = t.rows[0].cells
    for column, cell, width in zip(t.columns, (left, right), (Cm(16.6 - QR_CM - 0.6), Cm(QR_CM + 0.6))):
        column.width = cell.width = width  # Word reads the cells', LibreOffice the grid's widths
    left.text = sentence
    right.paragraphs[0].add_run().add_picture(io.BytesIO(qr.png(url)), width=Cm(QR_CM))
