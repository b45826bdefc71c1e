"""预算优化 Optimizer: the split of a yearly budget that most raises the score or attainment."""
from __future__ import annotations

import json

import numpy as np
import pandas as pd
import streamlit as st

from sim.errors import InputError
from sim.optimize import budget_frontier, min_budget, optimize
from ui import charts, state
from ui.common import (BAND_DRAWS, band, data_year, fmt, fmt_score, prog_name, reading_caption, target_year,
                       tier_odds)
from ui.i18n import lang, say, t

sc = state.scenario()
year = target_year(sc)
pid = sc.preset_id


@st.cache_resource(max_entries=64, show_spinner=False)
def _optimize(doc_text: str, budget: float, year: int, bounds_json: str, objective: str, robust: str = ""):
    return optimize(state.scenario_of(doc_text), budget, year, json.loads(bounds_json) or None, objective,
                    robust=robust or None)


@st.cache_resource(max_entries=32, show_spinner=False)
def _min_budget(doc_text: str, year: int, bounds_json: str, score: float, confidence: float):
    return min_budget(state.scenario_of(doc_text), score, year, json.loads(bounds_json) or None, "score",
                      confidence=confidence, draws=BAND_DRAWS)


st.title(f"{t('page_optimizer')} · {getattr(sc, lang())}")
st.caption(t("opt_intro"))

objectives = ["score", "targets_met"] if sc.rubric_id else ["attainment", "targets_met"]
c1, c2, c3 = st.columns([1, 1, 1])
budget = c1.number_input(t("opt_budget", year=sc.years[0]), min_value=0.0, value=float(round(sc.budget()[0], 0)),
                         step=100.0, key=f"opt_budget_{pid}",
                         help=t("opt_budget_help", growth=f"{sc.budget_growth():.1%}"))
objective = c2.selectbox(t("opt_objective"), objectives, key=f"opt_objective_{pid}",
                         format_func={o: t(f"objective_{o}") for o in objectives}.__getitem__)
c3.markdown(f"**{t('target_year')}:** {year}")
if sc.rubric_id:
    c3.caption(reading_caption(sc, year))

with st.expander(t("opt_bounds_heading")):
    st.caption(t("opt_bounds_help"))
    bounds_frame = pd.DataFrame({"program": list(sc.programs), "name": [prog_name(p) for p in sc.programs],
                                 "min": [None] * len(sc.programs), "max": [None] * len(sc.programs)})
    edited = st.data_editor(bounds_frame, key=f"opt_bounds_{pid}", hide_index=True, disabled=["program", "name"],
                            column_order=["name", "min", "max"],
                            column_config={"name": t("program"),
                                           "min": st.column_config.NumberColumn(t("opt_min"), min_value=0.0),
                                           "max": st.column_config.NumberColumn(t("opt_max"), min_value=0.0)})
bounds = {}
for row in edited.itertuples():
    mn = None if pd.isna(row.min) else float(row.min)
    mx = None if pd.isna(row.max) else float(row.max)
    if mn is not None or mx is not None:
        bounds[row.program] = [mn, mx]
bounds_json = json.dumps(bounds, sort_keys=True)

robust = ""
if objective == "score":
    r1, r2 = st.columns([1, 2])
    if r1.toggle(t("opt_robust"), key=f"opt_robust_{pid}", help=t("opt_robust_help")):
        robust = r2.selectbox(t("opt_robust_criterion"), ["p10", "prob_a"], key=f"opt_robust_kind_{pid}",
                              format_func={k: t(f"robust_{k}") for k in ("p10", "prob_a")}.__getitem__)

if st.button(t("opt_run"), key="opt_run", type="primary", icon=":material/play_arrow:"):
    with st.spinner(t("opt_running_robust") if robust else t("opt_running")):
        try:
            res = _optimize(state.text(), float(budget), year, bounds_json, objective, robust)
        except InputError as exc:
            st.session_state.pop("opt_result", None)
            st.error(say(exc))
        else:
            st.session_state["opt_result"] = (state.text(), float(budget), year, bounds_json, objective, robust)

key = st.session_state.get("opt_result")
if key and key[0] == state.text() and key[2] == year and len(key) == 6:
    res = _optimize(*key)
    unit = t("points") if res.objective == "score" else ("%" if res.objective == "attainment" else t("count"))
    digits = 0 if res.objective == "targets_met" or key[5] == "prob_a" else 1
    m1, m2, m3 = st.columns(3)
    m1.metric(t("opt_optimum"), f"{res.fun:.{digits}f}", f"{res.gain:+.{digits}f} {t('opt_vs_current')}")
    m2.metric(t("opt_current"), f"{res.fun_current:.{digits}f}")
    m3.metric(t("opt_even"), f"{res.fun_even:.{digits}f}")
    if sc.rubric_id:  # every tier the page states comes with its probability
        odds = band(state.text_of(res.scenario))
        y = data_year(sc, year)
        st.markdown(t("opt_odds", p=f"{odds.tiers.loc[y, 'A']:.0%}", band=f"{fmt_score(odds.score.loc[y, 'P10'])} – "
                                  f"{fmt_score(odds.score.loc[y, 'P90'])}", n=BAND_DRAWS))
        tier_odds(odds.tiers.loc[y])
    if res.objective.startswith("robust"):
        st.caption(t(f"robust_{key[5]}"))
    st.info(t("opt_message", seconds=f"{res.seconds:.2f}", nfev=res.nfev, message=res.explain(lang())))
    if res.robust is not None:
        st.subheader(t("robust_heading"))
        cmp = res.robust.copy()
        cmp["allocation"] = cmp["allocation"].map(lambda a: t(f"robust_row_{a}"))
        st.dataframe(cmp.rename(columns={"allocation": t("robust_col_allocation"),
                                         "score_default_parameters": t("robust_col_default"),
                                         "P_tier_A": t("robust_col_prob_a")}),
                     hide_index=True, key="opt_robust_table",
                     column_config={t("robust_col_prob_a"): st.column_config.NumberColumn(format="percent")})
        st.caption(t("robust_caption"))

    n = len(res.allocation.columns)
    current = pd.DataFrame(sc.spend_matrix()[:, :n], index=res.allocation.index, columns=res.allocation.columns)
    side = pd.DataFrame({
        t("program"): [prog_name(p) for p in res.allocation.index],
        t("opt_current_split"): current.mean(axis=1).round(0).to_numpy(),
        t("opt_optimal_split"): res.allocation.mean(axis=1).round(0).to_numpy(),
        t("opt_shadow"): [f"{v:.2g}" for v in res.shadow_prices.to_numpy()]})
    left, right = st.columns([1.2, 1])
    with left:
        st.subheader(t("opt_split_heading"))
        st.dataframe(side, hide_index=True, key="opt_side")
        with st.expander(t("opt_by_year")):
            by_year = res.allocation.round(0)
            by_year.index = [prog_name(p) for p in by_year.index]
            st.dataframe(by_year, key="opt_by_year_table")
        st.caption(t("opt_binding", binding="; ".join(res.binding_text(lang(), prog_name))))
    with right:
        bars = pd.concat([
            pd.DataFrame({"program": side[t("program")], "series": t("opt_current_split"),
                          "value": side[t("opt_current_split")]}),
            pd.DataFrame({"program": side[t("program")], "series": t("opt_optimal_split"),
                          "value": side[t("opt_optimal_split")]})])
        st.altair_chart(charts.style(charts.allocation_bars(bars, {"wan": t("wan_per_year")}), 360),
                        width="stretch", key="opt_bars")
    if st.button(t("opt_apply"), key="opt_apply", icon=":material/check:"):
        state.set_scenario(res.scenario)
        st.session_state.pop("opt_result", None)
        st.switch_page("app_pages/scenario.py")

st.divider()
st.subheader(t("frontier_heading"))
st.caption(t("frontier_help"))
f1, f2, f3 = st.columns(3)
top = f1.number_input(t("frontier_max"), min_value=100.0, value=float(max(3 * budget, 1000.0)), step=500.0,
                      key=f"opt_frontier_max_{pid}")
points = f2.slider(t("frontier_points"), 5, 20, 10, key=f"opt_frontier_points_{pid}")
confidence = f3.slider(t("opt_confidence"), 50, 95, 80, 5, format="%d%%", key=f"opt_confidence_{pid}",
                       help=t("opt_confidence_help", n=BAND_DRAWS), disabled=objective != "score") / 100
if st.button(t("frontier_run"), key="opt_frontier_run", icon=":material/show_chart:"):
    bar = st.progress(0.0, text=t("frontier_running"))
    try:
        fr = budget_frontier(sc, np.linspace(0, top, points), year, json.loads(bounds_json) or None, objective,
                             progress=lambda d, n: bar.progress(d / n, text=t("frontier_running")))
        marks = pd.DataFrame(columns=["budget", "best", "label"])
        if objective == "score":
            with st.spinner(t("min_budget_running")):
                mb = _min_budget(state.text(), year, bounds_json, 80.0, float(confidence))
            if mb.reachable:
                marks = pd.DataFrame([{"budget": mb.budget, "best": mb.score,
                                       "label": t("min_budget_mark", budget=fmt(mb.budget),
                                                  p=f"{mb.probability:.0%}")}])
                st.success(mb.explain(lang()))
            else:
                st.warning(mb.explain(lang()))
        st.session_state["opt_frontier"] = (state.text(), year, fr, marks)
    except InputError as exc:
        st.error(say(exc))
    bar.empty()
saved = st.session_state.get("opt_frontier")
if saved and saved[0] == state.text() and saved[1] == year:
    _, _, fr, marks = saved
    lines = {t("tier_line", tier="A"): 80, t("tier_line", tier="B"): 60} if objective == "score" else {}
    titles = {"budget": t("wan_per_year"), "score": t("score") if objective == "score" else t("attainment")}
    st.altair_chart(charts.style(charts.frontier(fr, titles, lines, marks), 340), width="stretch",
                    key="opt_frontier_chart")
