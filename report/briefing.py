"""The briefing (汇报材料) of a scenario, a comparison or a city as a .docx: title, region, date,
the scenario's name and link; the headline with its band and odds against the status quo; the
page's charts as images; the levers that differ from the status quo; the plan's targets met or
short; what the numbers rest on and what the model cannot tell. Every number comes from ``sim``
with the app's draws (300, seed 0), so the document and the page agree. Its parts are
:mod:`.word`, :mod:`.facts` and :mod:`.citymap`."""
from __future__ import annotations

import datetime as dt
import io

import pandas as pd

import sim
from sim.files.text import clean
from sim.model.rubric import load_rubric
from sim.uncertainty import BAND_DRAWS

from . import charts
from .citymap import city_charts, county_names
from .facts import groups_chart, headline, levers, path_chart, plan_table, plan_widths, rests_on, target_year, targets
from .labels import band, chart_titles, peers_text, prog_name, tr
from .word import (Heading, QR_CM, WIDTHS, add_header, add_image, add_section, add_table, docx_bytes, new_document, png,
                   pngs)


def scenario_briefing(sc: sim.Scenario, lang: str = "zh", name: str = "", url: str = "",
                      today: dt.date | None = None, kind: str = "scenario") -> bytes:
    """The .docx of a scenario (``kind="optimizer"`` titles it as an optimized split)."""
    today = today or dt.date.today()
    year = target_year(sc)
    doc = new_document()
    add_header(doc, lang, Heading(kind, getattr(sc, lang), name, url, today))
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
        path_png, groups_png = pngs([(path_chart(sc, h, lang), 640),
                                     (groups_chart(sc, proj, h["data_year"], lang), 640)])
        add_image(doc, path_png, lang=lang)
        doc.add_paragraph(tr("brief_path_caption", lang, n=BAND_DRAWS))
        add_image(doc, groups_png, 14.0, lang)
    else:
        doc.add_paragraph(tr("brief_attainment_line", lang, year=year, share=f"{h['share_met']:.0%}",
                             att=f"{h['attainment']:.1%}", sq_share=f"{h['sq_share_met']:.0%}",
                             sq_att=f"{h['sq_attainment']:.1%}"))
    add_section(doc, tr("brief_levers", lang), levers(sc, lang), tr("brief_no_levers", lang), WIDTHS["levers"])
    doc.add_heading(tr("plan_table_heading", lang), level=1)
    add_table(doc, plan_table(sc, lang), plan_widths(sc))
    doc.add_paragraph(tr("plan_table_caption", lang))
    add_section(doc, tr("brief_targets", lang), targets(proj, lang, h["mc"].targets if sc.rubric_id else None),
             tr("brief_no_targets", lang), WIDTHS["targets"])
    doc.add_heading(tr("brief_rests_on", lang), level=1)
    add_table(doc, rests_on(sc, year, lang), WIDTHS["rests_on"])
    doc.add_paragraph(tr("brief_cannot_tell", lang))
    return docx_bytes(doc)


# ---------------------------------------------------------------------- a comparison
def comparison_briefing(entries: list[tuple[str, sim.Scenario]], lang: str = "zh", url: str = "",
                        today: dt.date | None = None, links: list[str] | None = None) -> bytes:
    """The .docx of two to four saved scenarios side by side: each one's headline (median, the
    range eight outcomes in ten fall in, P(A) or attainment), its yearly program budget, its
    group points and total (separate panels: 0–25 and 0–100 are not one axis) and split as
    charts, each scenario's short link with its QR code (``links``, in the order of
    ``entries``), and what the first one rests on."""
    today = today or dt.date.today()
    doc = new_document()
    first = entries[0][1]
    add_header(doc, lang, Heading("compare", getattr(first, lang), " / ".join(n for n, _ in entries), url, today))
    if links:
        qr_row(doc, [n for n, _ in entries], links)
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
    add_table(doc, pd.DataFrame(rows, columns=[tr("brief_col_scenario", lang), tr("brief_col_year", lang),
                                            tr("brief_col_median", lang), tr("next_range", lang),
                                            tr("city_p_a", lang), tr("cmp_row_budget", lang)]), WIDTHS["compare"])
    doc.add_paragraph(tr("brief_compare_caption", lang, n=BAND_DRAWS))
    split = charts.style(charts.allocation_bars(pd.DataFrame(alloc), chart_titles(lang)), 60 + 16 * len(alloc))
    if bars:
        panels = charts.score_panels(pd.DataFrame(bars), pd.DataFrame(totals),
                                     chart_titles(lang, value=tr("points", lang), groups=tr("cmp_scores_heading", lang),
                                                  total=tr("cmp_total", lang)))
        groups_png, split_png = pngs([(charts.style(panels, 220), 640), (split, 640)])
        add_image(doc, groups_png, 15.0, lang)
    else:
        split_png = png(split)
    add_image(doc, split_png, 15.0, lang)
    doc.add_heading(tr("brief_rests_on", lang), level=1)
    add_table(doc, rests_on(first, target_year(first), lang), WIDTHS["rests_on"])
    doc.add_paragraph(tr("brief_cannot_tell", lang))
    return docx_bytes(doc)


def qr_row(doc, names: list[str], links: list[str]) -> None:
    """One cell per scenario: its name, its QR code and its short link."""
    from docx.shared import Cm, Pt

    from . import qr

    t = doc.add_table(rows=1, cols=len(links))
    for cell, name, url in zip(t.rows[0].cells, names, links):
        cell.paragraphs[0].add_run(clean(name)).bold = True
        cell.add_paragraph().add_run().add_picture(io.BytesIO(qr.png(url)), width=Cm(QR_CM))
        cell.add_paragraph().add_run(clean(url)).font.size = Pt(8)


def city_briefing(regions, plan=None, lang: str = "zh", url: str = "", today: dt.date | None = None,
                  map_chart=None, ladder_chart=None) -> bytes:
    """The .docx of a city: the goal's chance, the map and the ladder (charts the page built),
    and per county the median score, P(A) and the city money of ``plan`` (a
    :class:`sim.counties.city.CityPlan`) or of the status quo."""
    from sim.counties import city as city_mod
    from sim.counties import regions as regions_mod

    today = today or dt.date.today()
    goal = (regions_mod.goal_of(regions.id) if regions.id in regions_mod.REGION_FILES else None) or regions_mod.Goal()
    plan = plan or city_mod.optimize(regions, 0.0, goal.year, goal, options=city_mod.CitySearch(step=100.0, draws=200))
    doc = new_document()
    add_header(doc, lang, Heading("city", getattr(regions, lang), "", url, today))
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
        add_image(doc, data, width, lang)
    frame = pd.DataFrame({tr("city_county", lang): county_names(regions, lang),
                          tr("city_money", lang): [f"{v:,.0f}" for v in plan.money],
                          tr("city_median", lang): [f"{v:.1f}" for v in plan.counties["median"]],
                          tr("city_p_a", lang): [f"{v:.0%}" for v in plan.counties["P_A"]],
                          tr("city_p_a_sq", lang): [f"{v:.0%}" for v in plan.counties["P_A_status_quo"]]})
    add_table(doc, frame, WIDTHS["city"])
    if regions.synthetic:
        doc.add_paragraph(tr("brief_city_illustrative", lang))
    doc.add_paragraph(tr("brief_cannot_tell", lang))
    return docx_bytes(doc)


__all__ = ["city_briefing", "comparison_briefing", "headline", "png", "pngs", "scenario_briefing", "target_year"]
