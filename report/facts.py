"""What a scenario's briefing and slides say: the target year, the headline against the status
quo on the app's draws, the levers that differ, the plan's targets, what the numbers rest on, the
plan by year and the two charts."""
from __future__ import annotations


import pandas as pd

import sim
from sim.model.rubric import load_rubric
from sim.uncertainty import BAND_DRAWS, BAND_SEED, monte_carlo, sensitivity

from . import charts
from .labels import (band, chart_titles, growth, ind_name, ind_unit, param_label, plan_frame, prog_name, quantity,
                     tr)


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


def plan_widths(sc: sim.Scenario) -> tuple[float, ...]:
    n = min(len(sc.years), PLAN_YEARS)
    return (16.6 - 1.55 * n,) + (1.55,) * n


def path_chart(sc: sim.Scenario, h: dict, lang: str):
    mc, sq = h["mc"], h["sq"]
    path = pd.concat([mc.score.reset_index().assign(series=tr("series_scenario", lang)),
                      sq.score.reset_index().assign(series=tr("series_status_quo", lang))])
    path["year"] = [sc.assessed_year(y) for y in path["year"]]
    titles = chart_titles(lang, year=tr("year_axis_" + sc.tier_reading, lang))
    lines = {tr("tier_line", lang, tier="A"): 80, tr("tier_line", lang, tier="B"): 60}
    return charts.style(charts.score_path(path, titles, lines), 260)


def groups_chart(sc: sim.Scenario, proj: sim.Projection, y: int, lang: str):
    rubric = load_rubric(sc.rubric_id)
    groups = pd.DataFrame({"group": [getattr(g, lang) for g in rubric.groups],
                           "earned": [float(proj.scores.loc[y, g.id]) for g in rubric.groups],
                           "max": [g.max_points for g in rubric.groups]})
    groups["label"] = [f"{e:.1f} / {m:g}" for e, m in zip(groups["earned"], groups["max"])]
    return charts.style(charts.group_breakdown(groups, chart_titles(lang)), 200)
