"""情景模拟 Scenario: budget and growth sliders on the left, the consequences on the right, every
headline number with its band and the chance of tier A."""
from __future__ import annotations

from functools import partial

import numpy as np
import pandas as pd
import streamlit as st

from report import charts, labels
from report.briefing import scenario_briefing
from report.slides import scenario_slides
from sim.model.catalog import load_catalog, text_in
from sim.model.rubric import load_rubric
from sim.model.scenario import PACE_MODES, whole_split
from ui import common, live, state, tour
from ui.common import (BAND_DRAWS, assumption_note, band, chart_titles, data_year, fmt_growth, fmt_money, fmt_quantity,
                       ind_label, ind_name, is_count, next_points, prog_name, reading_caption, target_year, with_unit)
from ui.i18n import lang, say, t, tl

sc = state.scenario()
year = target_year(sc)
pid = sc.preset_id
projector = common.projector()

# Widgets take their value from the document when they are created and afterwards only from the
# user: the page never writes a slider's value. The total and the program sliders show each
# other's consequences by being created anew under a new key ("generation") when the other moves,
# so a value the browser still holds for the old slider can never be applied again (no stale
# total rescales the split, rapid moves of one slider all count). When the document changed
# elsewhere (undo, optimizer, import, another page) every widget starts afresh.
#
# A move reruns the page's body only (a Streamlit fragment): the sidebar, the navigation and the
# title stay as they are in the browser, and the outcomes are drawn before the controls, so that
# the new score is on screen first.
GEN_TOTAL, GEN_SPLIT = "w_gen_total", "w_gen_split"
if st.session_state.get("w_synced") != state.text():
    for key in [k for k in st.session_state if k.startswith(("w_g_", "w_m_", "w_mode_"))]:
        del st.session_state[key]
    for key in (GEN_TOTAL, GEN_SPLIT):
        st.session_state[key] = st.session_state.get(key, 0) + 1
    st.session_state["w_synced"] = state.text()


def _commit(doc: dict) -> None:
    """Apply a document from a widget's callback (the body then runs again)."""
    err = state.set_doc(doc)
    if err is not None:
        st.session_state["scenario_error"] = err
    st.session_state["w_synced"] = state.text()


def _bump(gen: str) -> None:
    st.session_state[gen] = st.session_state.get(gen, 0) + 1


def _on_grid(v: float, step: float, top: float) -> float:
    """A slider's starting value: on its step grid, as the browser's range input holds it (an
    off-grid value would be snapped by the browser and come back as a change nobody made)."""
    return float(min(max(np.floor(v / step + 0.5) * step, 0.0), top))


def _current(key: str, gen: str) -> bool:
    """Whether a slider's key is of the current generation: a browser that has not yet drawn the
    new sliders may still send an old one's value, which must not count."""
    return key.endswith(f"_{st.session_state.get(gen, 0)}")


def _first_year(s) -> dict[str, float]:
    return {p: float(row[0]) for p, row in s.spend.items()}


def _on_program(p: str, key: str, step: float) -> None:
    if not _current(key, GEN_SPLIT):
        return
    new = float(st.session_state[key])
    if abs(new - _first_year(state.scenario())[p]) < step / 2:
        return  # the browser snapping a value to its grid, not a move
    d = state.doc()
    d.setdefault("spend", {})[p] = int(round(new))
    _bump(GEN_TOTAL)  # the total slider is created anew with the new total
    _commit(d)


def _on_total(key: str, step: float) -> None:
    if not _current(key, GEN_TOTAL):
        return
    cur = state.scenario()
    first = _first_year(cur)
    old, new = sum(first.values()), float(st.session_state[key])
    if abs(new - old) < step / 2:
        return  # the browser snapping a value to its grid, not a move
    d = state.doc()
    d["spend"] = {p: int(v) for p, v in zip(first, whole_split(new, list(first.values())))}  # adds up to the total
    _bump(GEN_SPLIT)  # the program sliders are created anew with the rescaled split
    _commit(d)


def _on_growth(q: str) -> None:
    d = state.doc()
    d.setdefault("growth", {})[q] = float(st.session_state[f"w_g_{pid}_{q}"]) / 100
    _commit(d)


def _on_management(col: str, cast) -> None:
    d = state.doc()
    d.setdefault("management", {})[col] = cast(st.session_state[f"w_m_{pid}_{col}"])
    _commit(d)


def _on_mode(key: str) -> None:
    d = state.doc()
    d[key] = st.session_state[f"w_mode_{pid}_{key}"]
    _bump(GEN_TOTAL)  # the status quo's path changes the budget's caption and growth
    _commit(d)


def _seed(key: str, value) -> str:
    """Give a widget its value from the scenario once; afterwards the widget owns it."""
    if key not in st.session_state:
        st.session_state[key] = value
    return key


# ------------------------------------------------------------------ undo, redo, reset
def _undo() -> None:
    state.undo()
    st.rerun()  # every widget starts afresh from the document


def _redo() -> None:
    state.redo()
    st.rerun()


def _reset() -> None:
    state.switch_preset(pid, what="reset")
    st.rerun()


def history_bar() -> None:
    """Undo (Ctrl+Z), redo (Ctrl+Shift+Z) and reset, with the last change named."""
    hist = state.hist()
    with st.container(horizontal=True, vertical_alignment="center"):
        st.button(t("undo"), key="undo", icon=":material/undo:", on_click=_undo, shortcut="Ctrl+Z",
                  disabled=not hist["past"], help=t("undo_help"))
        st.button(t("redo"), key="redo", icon=":material/redo:", on_click=_redo, shortcut="Ctrl+Shift+Z",
                  disabled=not hist["future"], help=t("redo_help"))
        st.button(t("reset"), key="reset", icon=":material/restart_alt:", on_click=_reset,
                  disabled=set(state.doc()) == {"preset"}, help=t("reset_help"))
        last = state.last_change(lang())
        st.caption(tl("last_change", change=last) if last else t("no_change_yet"))
        name, doc_text = state.name(), state.text()
        common.briefing_button(common.with_short_link(partial(scenario_briefing, state.scenario(), lang(), name=name),
                                                      doc_text, name), f"briefing_{pid}_{lang()}.docx", "brief_scenario")
        common.slides_button(common.with_short_link(partial(scenario_slides, state.scenario(), lang(), name=name),
                                                    doc_text, name), f"slides_{pid}_{lang()}.pptx", "slides_scenario")


# ------------------------------------------------------------------ controls
STEP = 1.0  # whole 万元


def slider_keys(sc) -> tuple[float, str, list[str]]:
    """The budget sliders' range and this run's keys (total, programs), decided before anything
    is drawn: the headline watches the sliders by their keys. Whole 万元: a slider, the budget
    figure, the tables, the briefing and the link show one number. The range depends only on the
    status quo and grows only when a value needs it; when it grows every slider is created anew
    on the new range (else the browser would show stale ends)."""
    total = float(sum(_first_year(sc).values()))
    sq_total = float(sc.status_quo_matrix()[:, 0].sum())
    top = float(np.ceil(max(5 * sq_total, 3000.0, total)))
    if st.session_state.get(f"w_top_{pid}") != top:
        st.session_state[f"w_top_{pid}"] = top
        _bump(GEN_TOTAL)
        _bump(GEN_SPLIT)
    gen = st.session_state.get(GEN_SPLIT, 0)
    return top, f"w_total_{pid}_{st.session_state.get(GEN_TOTAL, 0)}", [f"w_sp_{pid}_{p}_{gen}" for p in sc.programs]


def budget_controls(top: float, total_key: str, program_keys: list[str]) -> None:
    """The total and the program sliders (万元 in the first projected year)."""
    sc = state.scenario()
    first = _first_year(sc)
    total = float(sum(first.values()))
    sq_total = float(sc.status_quo_matrix()[:, 0].sum())
    step = STEP
    growth_text = f"{sc.budget_growth():.1%}"
    st.subheader(t("budget_heading"))
    st.slider(t("total_budget", year=sc.years[0]), 0.0, top, step=step,
              key=_seed(total_key, _on_grid(total, step, top)),
              on_change=_on_total, args=(total_key, step), format="%.0f",
              help=t("total_budget_help", sq=fmt_money(sq_total), growth=growth_text))
    st.caption(t("budget_path_caption", year=sc.years[0], growth=growth_text,
                 mode=t(f"status_quo_{sc.status_quo_mode}")))
    varies = sc.planned_by_year()
    with st.expander(t("split_heading", year=sc.years[0]), expanded=True):
        if varies:
            st.caption(t("split_varies"))
        for p, key in zip(sc.programs, program_keys):
            st.slider(prog_name(p), 0.0, top, step=step, key=_seed(key, _on_grid(first[p], step, top)),
                      on_change=_on_program, args=(p, key, step), format="%.0f")
        st.caption(t("split_step_caption", year=sc.years[0]))
    plan_table(sc, expanded=bool(varies))


def plan_table(sc, expanded: bool = False) -> None:
    """年度安排: every program's amount in every projected year (whole 万元) with the yearly total:
    the plan the scenario holds, as the briefing states it. Sent only while its expander is open
    (open by itself when the split varies by year): an open table costs ~0.2 s of every release
    of a slider (the demo's, measured), a reader who wants it opens it."""
    opened = expanded and not projector
    box = st.expander(t("plan_table_heading"), expanded=opened, key=f"plan_open_{int(opened)}", on_change="rerun")
    if box.open:
        with box:
            st.dataframe(labels.plan_frame(sc, lang()), key="plan_table", height="content")
            st.caption(t("plan_table_caption"))


def other_controls() -> None:
    """Status quo and reading, management, organic growth: behind a switch (each widget is sent
    again on every move, so they are drawn only when wanted; hidden in projector mode)."""
    sc = state.scenario()
    if not st.toggle(t("show_assumptions"), key="w_show_assumptions", help=t("show_assumptions_help")):
        assumption_note(sc)
        return
    with st.expander(t("assumptions_heading")):
        modes = ["share", "flat", "plan"]
        st.radio(t("status_quo_label"), modes, key=_seed(f"w_mode_{pid}_status_quo", sc.status_quo_mode),
                 format_func={m: t(f"status_quo_{m}") for m in modes}.__getitem__, on_change=_on_mode, args=("status_quo",),
                 help=t("status_quo_help", plan=f"{sc.plan_growth:.1%}",
                        note=text_in(sc, "plan_growth_note", lang()) or "—"))
        if sc.rubric_id:
            st.radio(t("reading_label"), ["assessment", "data"], key=_seed(f"w_mode_{pid}_reading", sc.tier_reading),
                     format_func={r: t(f"reading_{r}") for r in ("assessment", "data")}.__getitem__, on_change=_on_mode, args=("reading",),
                     help=t("reading_help"))
        if sc.growth_profile:
            st.radio(t("pace_label"), list(PACE_MODES), key=_seed(f"w_mode_{pid}_pace", sc.pace_mode),
                     format_func={m: t(f"pace_mode_{m}") for m in PACE_MODES}.__getitem__, on_change=_on_mode, args=("pace",),
                     help=t("pace_help", year=sc.pace_window))
    if sc.rubric_id:
        with st.expander(t("management_heading")):
            rubric = load_rubric(sc.rubric_id)
            col = next(c for c in rubric.columns if c.id == "st_admin_body")
            labels = {c.id: getattr(c, lang()) for c in col.categories}
            st.selectbox(t("admin_body"), list(labels), format_func=labels.__getitem__,
                         key=_seed(f"w_m_{pid}_st_admin_body", sc.management["st_admin_body"]),
                         on_change=_on_management, args=("st_admin_body", str))
            st.toggle(t("leading_group"), key=_seed(f"w_m_{pid}_st_leading_group", bool(sc.base["st_leading_group"])),
                      on_change=_on_management, args=("st_leading_group", lambda v: 1.0 if v else 0.0))
            st.slider(t("management_innovation"), 0.0, 5.0, step=0.5,
                      key=_seed(f"w_m_{pid}_st_management_innovation",
                                float(sc.management["st_management_innovation"])),
                      on_change=_on_management, args=("st_management_innovation", float))
    with st.expander(t("growth_heading")):
        st.caption(t("growth_help"))
        cat = load_catalog()
        for q, g in sc.growth.items():
            lo_r, hi_r = sc.growth_range.get(q, (cat.indicators[q].growth_low, cat.indicators[q].growth_high))
            if hi_r <= lo_r:
                continue
            value = float(round(g * 100, 1))
            lo, hi = min(-20.0, lo_r * 100, value), max(30.0, hi_r * 100, value)
            st.slider(ind_name(q), lo, hi, step=0.1, format="%.1f%%", key=_seed(f"w_g_{pid}_{q}", value),
                      on_change=_on_growth, args=(q,),
                      help=t("growth_range", low=f"{lo_r:.1%}", high=f"{hi_r:.1%}"))
    assumption_note(sc)


# ------------------------------------------------------------------ outcomes
def _chart(kind: str, key: str, height: int | None, params: dict, **frames: pd.DataFrame) -> None:
    """A chart from its cached specification with this run's data (see report.charts), as wide as
    its column."""
    spec = common.chart_spec(kind, height, params)
    st.vega_lite_chart(spec=charts.fill(spec, **frames), width="stretch", key=key)


def headline(sc, total_key: str, program_keys: list[str]) -> None:
    """The numbers a move is for, in one row across the page (:mod:`ui.live`): Python's after
    every run, recomputed in the browser while a budget slider moves. The band is said in plain
    words ("十次中有八次落在 …"), a change of probability in percentage points. They are the body's
    first elements, so the browser shows them before anything else of the run."""
    live.headline(sc, year, total_key, program_keys, projector)
    if sc.rubric_id:
        common.peers_line(sc, year, float(band(state.text()).score.loc[sc.base_year, "P50"]))


def outcomes(sc) -> None:
    """The charts and the table below the headline."""
    scored = data_year(sc, year)
    if state_error := st.session_state.pop("scenario_error", None):
        st.error(say(state_error))
    if sc.rubric_id:
        score_charts(sc, scored)
    key_indicators(sc, state.projection())
    if not projector:
        next_money(sc)


def score_charts(sc, scored: int) -> None:
    mc, sq_mc = band(state.text()), band(state.status_quo_text())
    st.subheader(t("path_heading"))
    st.caption(reading_caption(sc, year))
    path = pd.concat([mc.score.reset_index().assign(series=t("series_scenario")),
                      sq_mc.score.reset_index().assign(series=t("series_status_quo"))])
    path["year"] = [sc.assessed_year(y) for y in path["year"]]
    params = {"titles": chart_titles(year=t("year_axis_" + sc.tier_reading)),
              "lines": {t("tier_line", tier="A"): 80, t("tier_line", tier="B"): 60},
              "series": [t("series_scenario"), t("series_status_quo")], "y_min": charts.score_floor(path)}
    _chart("score_path", "chart_path", 300, params, path=path)
    st.caption(t("band_caption"))
    rubric, proj = load_rubric(sc.rubric_id), state.projection()
    groups = pd.DataFrame({"group": [getattr(g, lang()) for g in rubric.groups],
                           "earned": [float(proj.scores.loc[scored, g.id]) for g in rubric.groups],
                           "max": [g.max_points for g in rubric.groups]})
    groups["label"] = [f"{e:.1f} / {m:g}" for e, m in zip(groups["earned"], groups["max"])]
    st.subheader(t("groups_heading", year=year, data=scored))
    _chart("groups", "chart_groups", 230, {"titles": chart_titles()}, groups=groups)
    st.caption(t("groups_caption"))


def key_indicators(sc, proj) -> None:
    """Up to six key indicators, one chart each as wide as its column: three to a row (two in
    projector mode); on a phone the columns stack and every chart takes the screen's width."""
    keys = [tg for tg in sc.targets if tg.kind == "level" and tg.indicator in proj.indicators]
    shown = list(dict.fromkeys(tg.indicator for tg in keys))[:6] or [q for q in sc.shown if q in proj.indicators][:6]
    if not shown:
        return
    st.subheader(t("key_indicators"))
    years = proj.indicators.index.astype(int)
    per_row = 2 if projector else 3
    titles = chart_titles()
    for start in range(0, len(shown), per_row):
        row = shown[start:start + per_row]
        names = {q: charts.wrap(ind_label(q), 12 if lang() == "zh" else 20) for q in row}
        depth = max(n.count("\n") for n in names.values())  # titles of a row on as many lines: plots align
        for col, q in zip(st.columns(per_row, gap="medium"), row):
            rows = [{"year": int(y), "value": float(v), "label": with_unit(q, fmt_quantity(q, float(v), y > sc.base_year))}
                    for y, v in zip(years, proj.indicators[q])]
            rows += [{"year": g.year, "target": float(g.value)} for g in keys if g.indicator == q and g.year <= sc.horizon]
            values = pd.DataFrame(rows, columns=["year", "value", "label", "target"])
            params = {"titles": titles, "title": names[q] + "\n " * (depth - names[q].count("\n"))}
            with col:
                _chart("indicator", f"chart_ind_{q}", 200 + 18 * depth, params, values=values)
    if any(is_count(q) for q in shown):
        st.caption(t("expected_counts_caption"))


def next_money(sc) -> None:
    """What 100万 more a year buys in each program: the points the rubric pays for the spending
    itself and those the program causes, what it causes, money a post-award rule cannot pay (middle
    values, the range eight outcomes in ten fall in). Only while its expander is open (a click keeps
    it open for the session): ~0.1 s of each release at a new spending (demo: 416 against 312 ms)."""
    box = st.expander(t("next_points_heading", year=year), key="next_open", on_change="rerun")
    if not box.open:
        return
    gains, units = next_points(state.text(), year)
    unit = t("points_per_100") if sc.rubric_id else t("pp_per_100")
    table = pd.DataFrame({t("program"): gains["program"].map(prog_name),
                          unit: [f"{m:.2f}" for m in gains["total_P50"]],
                          t("next_range"): [labels.band(a, b, 2) for a, b in zip(gains["total_P10"], gains["total_P90"])]})
    if sc.rubric_id:
        table[t("next_booked")] = [f"{m:.2f}" for m in gains["booked_P50"]]
        table[t("next_caused")] = [f"{m:.2f} ({labels.band(a, b, 2)})" for m, a, b in
                                   zip(gains["caused_P50"], gains["caused_P10"], gains["caused_P90"])]
        table[t("next_units")] = [labels.caused_units(units[units["program"] == p], lang()) for p in gains["program"]]
        table[t("next_unspent")] = [fmt_money(v) if v > 0.5 else "—" for v in gains["unspent"]]
    box.table(table.set_index(t("program")))
    box.caption(t("next_points_caption_split" if sc.rubric_id else "next_points_caption", n=BAND_DRAWS))


# ------------------------------------------------------------------ the page
@st.fragment
def body() -> None:
    """Everything below the title; a widget here reruns only this. The headline row first, then the
    charts (into the right column), so that new numbers reach the browser before the sliders."""
    sc = state.scenario()
    top, total_key, program_keys = slider_keys(sc)
    head, bar = st.container(), st.container()
    left, right = st.container(key="scenario_cols").columns([1, 2.3], gap="large")
    with head:
        headline(sc, total_key, program_keys)
        tour.inline()
    with right:
        if live.charts_wait():  # a page's first run: the headline alone; it asks for the rest once drawn (ui.live)
            st.container(key="scenario_pending").caption(t("charts_pending"))
            return live.first_run_done()
        outcomes(sc)
    with left:
        budget_controls(top, total_key, program_keys)
        if not projector:
            other_controls()
    with bar:
        history_bar()
    live.first_run_done()


st.title(f"{t('page_scenario')} · {getattr(sc, lang())}")
body()
