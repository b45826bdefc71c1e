"""The slide (汇报 deck) of a scenario as a .pptx: one to three 16:9 slides, written beside the
Word briefing from the same numbers (:mod:`report.briefing`: the app's 300 draws, so slide, page
and document agree).

1. the headline: the median score as the largest text, the range eight outcomes in ten fall
   in, the most likely tier with its chance, the change against the status quo; the score path;
   the short link with its QR code;
2. the plan: each program's first-year budget against the status quo, the points by group;
3. the plan's targets (units, whole counts) and the assumptions that matter most.

CJK-safe: every run names its East Asian typeface (``a:ea``) as Word and WPS expect, so that
PowerPoint, WPS and LibreOffice draw the Chinese with a Chinese font.
"""
from __future__ import annotations

import datetime as dt
import io

import pandas as pd

import sim
from sim.files.text import clean
from sim.uncertainty import BAND_DRAWS

from . import qr
from .facts import groups_chart, headline, levers_all, path_chart, rests_on, target_year, targets
from .labels import tr
from .word import pngs

EAST_ASIAN, LATIN = "Microsoft YaHei", "Calibri"  # 微软雅黑: PowerPoint's and WPS's Chinese sans
INK, GREY, BLUE = (0x1F, 0x23, 0x28), (0x57, 0x60, 0x6A), (0x09, 0x69, 0xDA)
TIER_RGB = {"A": (0x1A, 0x7F, 0x37), "B": (0xBF, 0x87, 0x00), "C": (0xCF, 0x22, 0x2E)}
ROWS = 9  # table rows a slide holds legibly


def _deck():
    from pptx import Presentation
    from pptx.util import Inches

    deck = Presentation()
    deck.slide_width, deck.slide_height = Inches(13.333), Inches(7.5)
    return deck


def _fonts(run, size: float, bold: bool = False, color=INK) -> None:
    """A run's size, weight and colour, with its Latin and East Asian typefaces named."""
    from pptx.dml.color import RGBColor
    from pptx.oxml.ns import qn
    from pptx.util import Pt

    run.font.size, run.font.bold = Pt(size), bold
    run.font.color.rgb = RGBColor(*color)
    run.font.name = LATIN
    rpr = run._r.get_or_add_rPr()
    for tag, face in (("a:ea", EAST_ASIAN), ("a:cs", EAST_ASIAN)):
        node = rpr.find(qn(tag))
        if node is None:
            node = rpr.makeelement(qn(tag), {})
            rpr.append(node)
        node.set("typeface", face)


def _text(slide, x: float, y: float, w: float, h: float, lines: list[tuple[str, float, bool, tuple]]) -> None:
    """A text box (inches) of lines, each (text, size in pt, bold, colour)."""
    from pptx.util import Inches

    box = slide.shapes.add_textbox(Inches(x), Inches(y), Inches(w), Inches(h))
    frame = box.text_frame
    frame.word_wrap = True
    for i, (text, size, bold, color) in enumerate(lines):
        par = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
        _fonts(par.add_run(), size, bold, color)
        par.runs[0].text = clean(text)


def _picture(slide, data: bytes | None, x: float, y: float, w: float, lang: str) -> None:
    from pptx.util import Inches

    if data is None:
        _text(slide, x, y, w, 0.6, [(tr("brief_chart_failed", lang), 12, False, GREY)])
        return
    slide.shapes.add_picture(io.BytesIO(data), Inches(x), Inches(y), width=Inches(w))


def _table(slide, frame: pd.DataFrame, x: float, y: float, w: float, widths: tuple[float, ...], size: float = 12) -> None:
    """A table of a frame's first :data:`ROWS` rows, columns ``widths`` (fractions of ``w``)."""
    from pptx.util import Inches

    frame = frame.head(ROWS)
    shape = slide.shapes.add_table(len(frame) + 1, len(frame.columns), Inches(x), Inches(y), Inches(w),
                                   Inches(0.4 * (len(frame) + 1)))
    table = shape.table
    for j, share in enumerate(widths):
        table.columns[j].width = Inches(w * share)
    for j, name in enumerate(frame.columns):
        _cell(table.cell(0, j), str(name), size, True)
    for i, row in enumerate(frame.itertuples(index=False), start=1):
        for j, v in enumerate(row):
            _cell(table.cell(i, j), str(v), size, False)


def _cell(cell, text: str, size: float, bold: bool) -> None:
    par = cell.text_frame.paragraphs[0]
    run = par.add_run()
    run.text = clean(text)
    _fonts(run, size, bold, (0xFF, 0xFF, 0xFF) if bold else INK)


def _title(slide, text: str, sub: str = "") -> None:
    lines = [(text, 28, True, INK)] + ([(sub, 14, False, GREY)] if sub else [])
    _text(slide, 0.5, 0.3, 12.3, 1.1, lines)


def _link(slide, url: str, lang: str) -> None:
    """The short link and its QR code, bottom right: a phone in the room opens the scenario."""
    if not url:
        return
    _picture(slide, qr.png(url), 11.35, 5.45, 1.55, lang)
    _text(slide, 7.2, 6.55, 4.1, 0.6, [(tr("slide_scan", lang), 11, False, GREY), (url, 11, False, BLUE)])


def _headline_slide(deck, sc: sim.Scenario, h: dict, year: int, lang: str, name: str, url: str, today: dt.date,
                    path_png: bytes | None) -> None:
    slide = deck.slides.add_slide(deck.slide_layouts[6])
    region = getattr(sc, lang)
    _title(slide, tr("slide_title", lang, region=region),
           tr("brief_meta", lang, date=today.isoformat(), name=name or tr("brief_unnamed", lang)))
    if sc.rubric_id:
        tiers = h["mc"].tiers.loc[h["data_year"]]
        best = str(tiers.idxmax())
        lines = [(tr("score_in", lang, year=year), 16, False, GREY),
                 (f"{h['median']:.1f}", 72, True, INK),
                 (tr("score_band_line", lang, low=f"{min(h['p10'], h['p90']):.1f}",
                     high=f"{max(h['p10'], h['p90']):.1f}").replace("**", ""), 22, True, INK),
                 (tr("tier_odds", lang, tier=best, p=f"{tiers[best]:.0%}"), 28, True, TIER_RGB.get(best, INK)),
                 (tr("slide_vs", lang, delta=f"{h['median'] - h['sq_median']:+.1f}",
                     dp=f"{(h['p_a'] - h['sq_p_a']) * 100:+.0f}", p_a=f"{h['p_a']:.0%}"), 14, False, GREY)]
        _text(slide, 0.5, 1.5, 5.3, 4.6, lines)
        _picture(slide, path_png, 5.9, 1.45, 7.0, lang)
        _text(slide, 5.9, 5.25, 5.2, 0.9, [(tr("slide_path_caption", lang, n=BAND_DRAWS), 11, False, GREY)])
    else:
        lines = [(tr("targets_met", lang), 16, False, GREY), (f"{h['share_met']:.0%}", 72, True, INK),
                 (tr("brief_attainment_line", lang, year=year, share=f"{h['share_met']:.0%}",
                     att=f"{h['attainment']:.1%}", sq_share=f"{h['sq_share_met']:.0%}",
                     sq_att=f"{h['sq_attainment']:.1%}"), 16, False, INK)]
        _text(slide, 0.5, 1.5, 7.0, 4.0, lines)
    _text(slide, 0.5, 6.75, 6.5, 0.5, [(tr("slide_footer", lang), 10, False, GREY)])
    _link(slide, url, lang)


def _plan_slide(deck, sc: sim.Scenario, lang: str, groups_png: bytes | None, url: str) -> None:
    slide = deck.slides.add_slide(deck.slide_layouts[6])
    _title(slide, tr("slide_plan_title", lang, year=sc.years[0]))
    _table(slide, levers_all(sc, lang), 0.5, 1.45, 6.6, (0.6, 0.2, 0.2), 13)
    if groups_png is not None or sc.rubric_id:
        _text(slide, 7.5, 1.35, 5.3, 0.5, [(tr("slide_groups", lang), 14, True, INK)])
        _picture(slide, groups_png, 7.5, 1.85, 5.3, lang)
    _link(slide, url, lang)


def _targets_slide(deck, sc: sim.Scenario, proj: sim.Projection, year: int, lang: str, url: str) -> None:
    slide = deck.slides.add_slide(deck.slide_layouts[6])
    _title(slide, tr("brief_targets", lang))
    frame = targets(proj, lang)
    if len(frame):
        _table(slide, frame, 0.5, 1.4, 7.6, (0.4, 0.1, 0.14, 0.12, 0.12, 0.12), 11)
        if len(frame) > ROWS:
            _text(slide, 0.5, 6.6, 6.5, 0.4, [(tr("slide_more_targets", lang, n=len(frame) - ROWS), 11, False, GREY)])
    else:
        _text(slide, 0.5, 1.4, 7.6, 0.6, [(tr("brief_no_targets", lang), 14, False, GREY)])
    _text(slide, 8.5, 1.35, 4.4, 0.5, [(tr("brief_rests_on", lang), 14, True, INK)])
    _table(slide, rests_on(sc, year, lang).iloc[:, :2], 8.5, 1.85, 4.4, (0.62, 0.38), 11)
    _text(slide, 8.5, 4.7, 4.4, 1.0, [(tr("brief_cannot_tell", lang), 10, False, GREY)])
    _link(slide, url, lang)


def scenario_slides(sc: sim.Scenario, lang: str = "zh", name: str = "", url: str = "",
                    today: dt.date | None = None) -> bytes:
    """The .pptx of a scenario: headline, plan and targets (three slides; two without targets)."""
    today = today or dt.date.today()
    year = target_year(sc)
    h = headline(sc, year)
    proj = sim.simulate(sc)
    path_png = groups_png = None
    if sc.rubric_id:
        path_png, groups_png = pngs([(path_chart(sc, h, lang), 720), (groups_chart(sc, proj, h["data_year"], lang), 520)])
    deck = _deck()
    _headline_slide(deck, sc, h, year, lang, name, url, today, path_png)
    _plan_slide(deck, sc, lang, groups_png, url)
    if len(proj.attainment):
        _targets_slide(deck, sc, proj, year, lang, url)
    buf = io.BytesIO()
    deck.save(buf)
    return buf.getvalue()


__all__ = ["scenario_slides"]
