"""预算优化 Optimizer: the split of a yearly budget that most raises the score or attainment."""
from __future__ import annotations

import json
from functools import partial

import numpy as np
import pandas as pd
import streamlit as st

from sim.files.errors import InputError
from sim.inputs.document import limits
from sim.plan import (BudgetSearch, Options, Robust, Rules, added_bounds, added_money, budget_frontier, min_budget,
                      optimize, relaxed_bounds, response_curves)
from report import charts, labels
from report.briefing import scenario_briefing
from ui import common, state
from ui.common import (BAND_DRAWS, band, band_line, data_year, fmt_money, fmt_prob, fmt_score, prog_name,
                       reading_caption, target_year, tier_odds)
from ui.i18n import lang, say, t

sc = state.scenario()
year = target_year(sc)
pid = sc.preset_id
MAX_BUDGET = float(limits()["values"]["spend_max"])  # 万元 a year: what a scenario may hold per program


def _rules(rules_json: str) -> Rules:
    return Rules(**json.loads(rules_json))


@st.cache_resource(max_entries=64, show_spinner=False)
def _optimize(doc_text: str, budget: float, year: int, bounds_json: str, objective: str, robust: str,
              rules_json: str):
    return optimize(state.scenario_of(doc_text), budget, year, json.loads(bounds_json) or None, objective,
                    Options(rules=_rules(rules_json), robust=Robust(robust) if robust else None))


@st.cache_resource(max_entries=32, show_spinner=False)
def _added(doc_text: str, extra: float, year: int, bounds_json: str, objective: str, rules_json: str):
    return added_money(state.scenario_of(doc_text), extra, year, json.loads(bounds_json) or None, objective,
                       Options(rules=_rules(rules_json)))


def _used_bounds(key: tuple) -> dict | None:
    """The bounds the optimum was found under (in "only the added money" mode, today's split
    is every program's minimum)."""
    doc, mode, _, year, bounds_json, objective, _, rules_json = key
    user = json.loads(bounds_json) or None
    if mode != "added":
        return user
    return added_bounds(state.scenario_of(doc), year, user, objective, Options(rules=_rules(rules_json)))[1]


@st.cache_resource(max_entries=32, show_spinner=False)
def _relaxed(key: tuple, factor: float):
    return relaxed_bounds(_result(key), _used_bounds(key), factor)


@st.cache_resource(max_entries=32, show_spinner=False)
def _curves(key: tuple) -> pd.DataFrame:
    return response_curves(state.scenario_of(key[0]), _result(key), _used_bounds(key))


def _result(key: tuple):
    """The optimum a stored run key stands for (cached): (doc, mode, amount, year, bounds,
    objective, robust, rules)."""
    doc, mode, amount, year, bounds_json, objective, robust, rules_json = key
    if mode == "added":
        return _added(doc, amount, year, bounds_json, objective, rules_json).result
    return _optimize(doc, amount, year, bounds_json, objective, robust, rules_json)


@st.cache_resource(max_entries=32, show_spinner=False)
def _min_budget(doc_text: str, year: int, bounds_json: str, score: float, confidence: float, rules_json: str):
    return min_budget(state.scenario_of(doc_text), score, year, json.loads(bounds_json) or None, confidence,
                      BudgetSearch(rules=_rules(rules_json), draws=BAND_DRAWS))


st.title(f"{t('page_optimizer')} · {getattr(sc, lang())}")
st.caption(t("opt_intro"))
projector = common.projector()

objectives = ["score", "targets_met"] if sc.rubric_id else ["attainment", "targets_met"]
mode = st.segmented_control(t("opt_mode"), ["whole", "added"], default="whole", key=f"opt_mode_{pid}",
                            format_func={m: t(f"opt_mode_{m}") for m in ("whole", "added")}.__getitem__,
                            help=t("opt_mode_help")) or "whole"
c1, c2, c3 = st.columns([1, 1, 1])
today = float(sc.budget()[0])  # whole 万元: the sum of the programs' whole amounts
floor = float(sc.status_quo_matrix()[:, 0].sum())  # 只增不减: the status quo's first-year total
split_kind, smooth, cuts = "steady", 0.3, False
if not projector:
    split_kind = st.session_state.get(f"opt_split_{pid}", "steady")
    cuts = bool(st.session_state.get(f"opt_cuts_{pid}", False))
lowest = 0.0 if cuts or split_kind == "free" else floor
if mode == "added":
    amount = c1.number_input(t("opt_extra", year=sc.years[0]), min_value=0.0, max_value=MAX_BUDGET - today,
                             value=float(max(10.0, round(0.2 * today, -1))), step=10.0, format="%.0f",
                             key=f"opt_extra_{pid}", help=t("opt_extra_help", today=fmt_money(today)))
else:
    amount = c1.number_input(t("opt_budget", year=sc.years[0]), min_value=lowest, max_value=MAX_BUDGET,
                             value=max(today, lowest), step=10.0, format="%.0f", key=f"opt_budget_{pid}",
                             help=t("opt_budget_help", growth=f"{sc.budget_growth():.1%}", floor=fmt_money(floor)))
amount = float(round(amount))
budget = today + amount if mode == "added" else amount
objective = c2.selectbox(t("opt_objective"), objectives, key=f"opt_objective_{pid}",
                         format_func={o: t(f"objective_{o}") for o in objectives}.__getitem__)
c3.markdown(f"**{t('target_year')}:** {year}")
if sc.rubric_id:
    c3.caption(reading_caption(sc, year))

bounds = {}
if not projector:  # advanced settings stay off the projector
    with st.expander(t("opt_bounds_heading")):
        st.caption(t("opt_bounds_help"))
        bounds_frame = pd.DataFrame({"program": list(sc.programs), "name": [prog_name(p) for p in sc.programs],
                                     "min": [None] * len(sc.programs), "max": [None] * len(sc.programs)})
        edited = st.data_editor(bounds_frame, key=f"opt_bounds_{pid}", hide_index=True,
                                disabled=["program", "name"], column_order=["name", "min", "max"],
                                column_config={"name": t("program"),
                                               "min": st.column_config.NumberColumn(t("opt_min"), min_value=0.0),
                                               "max": st.column_config.NumberColumn(t("opt_max"), min_value=0.0)})
    for row in edited.itertuples():
        mn = None if pd.isna(row.min) else float(row.min)
        mx = None if pd.isna(row.max) else float(row.max)
        if mn is not None or mx is not None:
            bounds[row.program] = [mn, mx]
bounds_json = json.dumps(bounds, sort_keys=True)

if not projector:  # the plan's rules: steady by default, a smooth path, or the old free optimum
    with st.expander(t("opt_rules_heading"), expanded=split_kind != "steady" or cuts):
        names = {k: t(f"opt_split_{k}") for k in ("steady", "smooth", "free")}  # fixed now, not at format time
        split_kind = st.radio(t("opt_split"), list(names), key=f"opt_split_{pid}", horizontal=True,
                              format_func=names.__getitem__, help=t("opt_split_help"))
        st.caption(t(f"opt_split_{split_kind}_caption"))
        if split_kind == "smooth":
            smooth = st.slider(t("opt_smooth"), 10, 50, 30, 5, format="%d%%", key=f"opt_smooth_{pid}",
                               help=t("opt_smooth_help")) / 100
        if split_kind != "free":
            cuts = st.checkbox(t("opt_cuts"), key=f"opt_cuts_{pid}", help=t("opt_cuts_help", floor=fmt_money(floor)))
rules = {"split": split_kind, "smooth": smooth, "rounds": 1 if split_kind == "free" else 3,
         "cuts": cuts or split_kind == "free"}
rules_json = json.dumps(rules, sort_keys=True)

robust = ""
if objective == "score" and mode == "whole" and not projector:
    r1, r2 = st.columns([1, 2])
    if r1.toggle(t("opt_robust"), key=f"opt_robust_{pid}", help=t("opt_robust_help")):
        robust = r2.selectbox(t("opt_robust_criterion"), ["p10", "prob_a"], key=f"opt_robust_kind_{pid}",
                              format_func={k: t(f"robust_{k}") for k in ("p10", "prob_a")}.__getitem__)

if st.button(t("opt_run"), key="opt_run", type="primary", icon=":material/play_arrow:"):
    run_key = (state.text(), mode, float(amount), year, bounds_json, objective, robust, rules_json)
    with st.spinner(t("opt_running_robust") if robust else t("opt_running")):
        try:
            _result(run_key)
        except InputError as exc:
            st.session_state.pop("opt_result", None)
            st.error(say(exc))
        else:
            st.session_state["opt_result"] = run_key


def _digits(res, robust: str) -> int:
    return 0 if res.objective == "targets_met" or robust == "prob_a" else 1


def _unit(res) -> str:
    return t("points") if res.objective.endswith("score") else ("%" if res.objective == "attainment" else t("count"))


def stated(res) -> None:
    """What the plan gives, stated as the scenario page will state it after "apply": the same
    draws and reading on the plan applied (its document), against the current scenario."""
    if not sc.rubric_id:
        return
    y = data_year(sc, year)
    mine, now = band(state.text_of(res.scenario)), band(state.text())
    row, cur = mine.score.loc[y], now.score.loc[y]
    pa, pa_now = mine.tiers.loc[y, "A"], now.tiers.loc[y, "A"]
    m1, m2, m3 = st.columns(3)
    m1.metric(t("opt_stated_median", year=year), fmt_score(row["P50"]), t("delta_points", d=f"{row['P50'] - cur['P50']:+.1f}"),
              help=t("score_median_help", n=BAND_DRAWS))
    m2.metric(t("prob_a_metric", year=year), fmt_prob(pa), t("delta_pp", d=f"{(pa - pa_now) * 100:+.0f}"))
    m3.metric(t("program_budget", year=sc.years[0]), fmt_money(float(res.scenario.budget()[0])),
              f"{float(res.scenario.budget()[0]) - today:+,.0f}")
    st.markdown(band_line(row["P10"], row["P90"]))
    tier_odds(mine.tiers.loc[y])
    st.caption(t("opt_stated_caption"))


def objective_metrics(key: tuple, res) -> None:
    """The optimizer's own objective (the rounds' mean at the central parameters) against the
    current split and the rounds one by one."""
    d = _digits(res, key[6])
    m1, m2, m3 = st.columns(3)
    if key[1] == "added":
        am = _added(key[0], *key[2:6], key[7])
        m1.metric(t("opt_with_extra", extra=fmt_money(am.extra)), f"{res.fun:.{d}f}",
                  f"{res.fun - am.fun_before:+.{d}f} {t('opt_vs_today')}")
        m2.metric(t("opt_today"), f"{am.fun_before:.{d}f}")
        m3.metric(t("opt_extra_even"), f"{res.fun_current:.{d}f}")
    else:
        m1.metric(t("opt_optimum"), f"{res.fun:.{d}f}", f"{res.gain:+.{d}f} {t('opt_vs_current')}")
        m2.metric(t("opt_current"), f"{res.fun_current:.{d}f}")
        m3.metric(t("opt_even"), f"{res.fun_even:.{d}f}")
    if res.by_round is not None and not res.by_round.empty:
        rounds = res.by_round.rename(index={"plan": t("opt_row_plan"), "current": t("opt_row_current")})
        rounds.columns = [t("opt_round_col", year=c) for c in rounds.columns]
        st.dataframe(rounds.map(fmt_score), key="opt_rounds")
        st.caption(t("opt_rounds_caption"))


def robust_table(res, robust: str) -> None:
    st.caption(t(f"robust_{robust}"))
    st.subheader(t("robust_heading"))
    cmp = res.robust.copy()
    cmp["allocation"] = cmp["allocation"].map(lambda a: t(f"robust_row_{a}"))
    st.dataframe(cmp.rename(columns={"allocation": t("robust_col_allocation"),
                                     "score_default_parameters": t("robust_col_default"),
                                     "P_tier_A": t("robust_col_prob_a")}),
                 hide_index=True, key="opt_robust_table",
                 column_config={t("robust_col_prob_a"): st.column_config.NumberColumn(format="percent")})
    st.caption(t("robust_caption"))


def split(key: tuple, res) -> None:
    """The plan year by year (whole 万元: what "apply" puts in the scenario), and today's first
    year against the plan's."""
    st.subheader(t("opt_split_heading"))
    st.dataframe(labels.plan_frame(res.scenario, lang()), key="opt_plan_table", height="content")
    st.caption(t("plan_table_caption"))
    first = sc.spend_matrix()[:, 0]
    plan = res.scenario.spend_matrix()[:, 0]
    side = pd.DataFrame({t("program"): [prog_name(p) for p in sc.programs],
                         t("opt_current_split"): [fmt_money(v) for v in first],
                         t("opt_optimal_split"): [fmt_money(v) for v in plan]})
    if key[1] == "added":
        side[t("opt_added_col")] = [fmt_money(v) for v in plan - first]
    side[t("opt_shadow")] = [f"{v:.2f}" for v in res.shadow_prices.to_numpy()]
    st.dataframe(side, hide_index=True, key="opt_side")
    bars = pd.concat([pd.DataFrame({"program": side[t("program")], "series": name, "value": values})
                      for name, values in ((t("opt_current_split"), first), (t("opt_optimal_split"), plan))])
    st.altair_chart(charts.style(charts.allocation_bars(bars, common.chart_titles()), 320,
                                 common.chart_scale()), width="stretch", key="opt_bars")
    st.caption(t("opt_binding", binding="; ".join(res.binding_text(lang(), prog_name))))


def curves(key: tuple, res) -> None:
    """A response curve per program at the optimum."""
    st.subheader(t("curves_heading", year=year))
    frame = _curves(key).copy()
    names = {"current": t("opt_current_split"), "optimal": t("opt_optimal_split")}
    frame["kind"] = frame["mark"]
    frame["mark"] = frame["mark"].map(lambda m: names.get(m, ""))
    width = 12 if lang() == "zh" else 22
    frame["program"] = frame["program"].map(lambda p: charts.wrap(prog_name(p), width))
    titles = {"spend": t("wan_per_year"), "value": _unit(res), "marks": list(names.values())}
    chart = charts.response_curves(frame, titles, columns=2 if projector else 4, width=260 if projector else 170)
    st.altair_chart(charts.style(chart, None, common.chart_scale()), key="opt_curves")
    st.caption(t("curves_caption"))


def relaxed(key: tuple, res) -> None:
    """Robyn's "what would wider bounds give": solve again with every bound widened."""
    st.subheader(t("relax_heading"))
    r1, r2 = st.columns([1, 2], vertical_alignment="bottom")
    factor = r1.number_input(t("relax_factor"), min_value=1.0, max_value=20.0, value=3.0, step=0.5, format="%.1f",
                             key=f"opt_relax_factor_{pid}", help=t("relax_factor_help"))
    if r2.button(t("relax_run"), key="opt_relax_run", icon=":material/open_in_full:"):
        with st.spinner(t("opt_running")):
            try:
                _relaxed(key, float(factor))
            except InputError as exc:
                st.error(say(exc))
                return
        st.session_state["opt_relaxed"] = (key, float(factor))
    saved = st.session_state.get("opt_relaxed")
    if not saved or saved[0] != key:
        st.caption(t("relax_intro"))
        return
    rl = _relaxed(*saved)
    d = _digits(res, key[6])
    if not rl.bounded:
        st.info(t("relax_unbounded"))
        return
    q1, q2 = st.columns(2)
    q1.metric(t("relax_strict"), f"{rl.strict.fun:.{d}f}")
    q2.metric(t("relax_relaxed", factor=f"{rl.factor:g}"), f"{rl.relaxed.fun:.{d}f}", f"{rl.gain:+.{d}f}")
    moved = (rl.relaxed.allocation.mean(axis=1) - rl.strict.allocation.mean(axis=1)).round(0)
    table = pd.DataFrame({t("program"): [prog_name(p) for p in moved.index],
                          t("relax_strict_split"): rl.strict.allocation.mean(axis=1).round(0).to_numpy(),
                          t("relax_relaxed_split"): rl.relaxed.allocation.mean(axis=1).round(0).to_numpy(),
                          t("relax_change"): moved.to_numpy()})
    st.dataframe(table, hide_index=True, key="opt_relax_table")
    st.caption(t("relax_caption_gain" if rl.gain >= 10 ** -d / 2 else "relax_caption_none",
                 factor=f"{rl.factor:g}"))


def result(key: tuple) -> None:
    """The plan of a run key: what it gives (as the scenario page will say it), the rounds, the
    plan by year, apply, curves and relaxed bounds."""
    res = _result(key)
    stated(res)
    objective_metrics(key, res)
    notes = dict(res.notes)
    if "opt_free_tradeoff" in notes:
        st.warning(say_note("opt_free_tradeoff", notes["opt_free_tradeoff"]))
    if "opt_budget_raised" in notes:
        st.info(say_note("opt_budget_raised", notes["opt_budget_raised"]))
    st.caption(t("opt_message", seconds=f"{res.seconds:.2f}", nfev=res.nfev, message=res.explain(lang())))
    if res.robust is not None:
        robust_table(res, key[6])
    split(key, res)
    common.briefing_button(partial(scenario_briefing, res.scenario, lang(), kind="optimizer"),
                           f"briefing_optimized_{pid}_{lang()}.docx", "brief_optimizer")
    if st.button(t("opt_apply"), key="opt_apply", icon=":material/check:", help=t("opt_apply_help")):
        state.set_scenario(res.scenario, what="optimizer")
        st.session_state.pop("opt_result", None)
        st.switch_page("app_pages/scenario.py")
    curves(key, res)
    if not projector:
        relaxed(key, res)


def say_note(code: str, params: dict) -> str:
    from sim.files.errors import say as say_message

    return say_message(code, lang(), **params)


key = st.session_state.get("opt_result")
if key and len(key) == 8 and key[0] == state.text() and key[3] == year:
    try:
        result(key)
    except InputError as exc:  # e.g. an optimum whose spending lies beyond what a scenario may hold
        st.error(say(exc))

st.divider()
st.subheader(t("frontier_heading"))
st.caption(t("frontier_help"))
f1, f2, f3 = st.columns(3)
top = f1.number_input(t("frontier_max"), min_value=100.0, max_value=MAX_BUDGET,
                      value=float(min(max(3 * budget, 1000.0), MAX_BUDGET)), step=500.0, format="%.0f",
                      key=f"opt_frontier_max_{pid}")
points = f2.slider(t("frontier_points"), 5, 20, 10, key=f"opt_frontier_points_{pid}")
confidence = f3.slider(t("opt_confidence"), 50, 95, 80, 5, format="%d%%", key=f"opt_confidence_{pid}",
                       help=t("opt_confidence_help", n=BAND_DRAWS), disabled=objective != "score") / 100
if st.button(t("frontier_run"), key="opt_frontier_run", icon=":material/show_chart:"):
    bar = st.progress(0.0, text=t("frontier_running"))
    try:
        fr = budget_frontier(sc, np.linspace(lowest, max(top, lowest), points), year, json.loads(bounds_json) or None,
                             objective, Options(rules=_rules(rules_json),
                                                progress=lambda d, n: bar.progress(d / n, text=t("frontier_running"))))
        marks = pd.DataFrame(columns=["budget", "best", "label"])
        if objective == "score":
            with st.spinner(t("min_budget_running")):
                mb = _min_budget(state.text(), year, bounds_json, 80.0, float(confidence), rules_json)
            if mb.reachable:
                marks = pd.DataFrame([{"budget": mb.budget, "best": mb.score,
                                       "label": t("min_budget_mark", budget=fmt_money(mb.budget),
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
