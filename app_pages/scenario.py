"""情景模拟 Scenario: budget and growth sliders on the left, the consequences on the right."""
from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from sim.loaders import load_catalog, load_rubric
from ui import charts, state
from ui.common import (assumption_note, fmt, ind_label, ind_name, next_points, prog_name,
                       target_year, tier_badge)
from ui.i18n import lang, t

sc = state.scenario()
proj = state.projection()
sq = state.projection_of(state.status_quo_text())
year = target_year(sc)
pid = sc.preset_id

# widgets mirror the document; when it changed elsewhere (optimizer, import) they start afresh
if st.session_state.get("w_synced") != state.text():
    for key in [k for k in st.session_state if k.startswith("w_sp_") or k.startswith("w_total_")
                or k.startswith("w_g_") or k.startswith("w_m_")]:
        del st.session_state[key]
    st.session_state["w_synced"] = state.text()


def _commit(doc: dict) -> None:
    err = state.set_doc(doc)
    if err is not None:
        st.session_state["scenario_error"] = err
    st.session_state["w_synced"] = state.text()


def _on_program(p: str) -> None:
    d = state.doc()
    d.setdefault("spend", {})[p] = float(st.session_state[f"w_sp_{pid}_{p}"])
    _commit(d)
    st.session_state[f"w_total_{pid}"] = float(sum(_first_year(state.scenario()).values()))


def _on_total() -> None:
    cur = state.scenario()
    first = _first_year(cur)
    old, new = sum(first.values()), float(st.session_state[f"w_total_{pid}"])
    shares = {p: (v / old if old > 0 else 1 / len(first)) for p, v in first.items()}
    d = state.doc()
    d["spend"] = {p: round(new * s, 2) for p, s in shares.items()}
    _commit(d)
    for p in first:
        st.session_state[f"w_sp_{pid}_{p}"] = d["spend"][p]


def _on_growth(q: str) -> None:
    d = state.doc()
    d.setdefault("growth", {})[q] = float(st.session_state[f"w_g_{pid}_{q}"]) / 100
    _commit(d)


def _on_management(col: str, cast) -> None:
    d = state.doc()
    d.setdefault("management", {})[col] = cast(st.session_state[f"w_m_{pid}_{col}"])
    _commit(d)


def _first_year(s) -> dict[str, float]:
    return {p: float(row[0]) for p, row in s.spend.items()}


st.title(f"{t('page_scenario')} · {getattr(sc, lang())}")
if "scenario_error" in st.session_state:
    st.error(st.session_state.pop("scenario_error").message(lang()))

left, right = st.columns([1, 2.3], gap="large")

# ------------------------------------------------------------------ controls
def _seed(key: str, value) -> str:
    """Give a widget its value from the scenario once; afterwards the widget owns it."""
    if key not in st.session_state:
        st.session_state[key] = value
    return key


with left:
    first = _first_year(sc)
    total = float(sum(first.values()))
    sq_total = float(sum(sc.status_quo.values()))
    top = float(max(5 * sq_total, 3000.0, 1.5 * total))
    step = float(10 ** max(0, int(np.log10(max(top, 10))) - 2))
    st.subheader(t("budget_heading"))
    st.slider(t("total_budget"), 0.0, top, step=step, key=_seed(f"w_total_{pid}", total), on_change=_on_total,
              help=t("total_budget_help", sq=fmt(sq_total)))
    varies = [p for p, row in sc.spend.items() if len(set(row)) > 1]
    with st.expander(t("split_heading"), expanded=True):
        if varies:
            st.caption(t("split_varies"))
        for p in sc.programs:
            st.slider(prog_name(p), 0.0, top, step=step, key=_seed(f"w_sp_{pid}_{p}", float(first[p])),
                      on_change=_on_program, args=(p,))
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
        for q in [q for q in sc.growth if cat.indicators[q].growth_high > cat.indicators[q].growth_low]:
            ind = cat.indicators[q]
            value = float(round(sc.growth[q] * 100, 2))
            lo, hi = min(-20.0, ind.growth_low * 100, value), max(30.0, ind.growth_high * 100, value)
            st.slider(ind_name(q), lo, hi, step=0.1, format="%.1f%%", key=_seed(f"w_g_{pid}_{q}", value),
                      on_change=_on_growth, args=(q,),
                      help=t("growth_range", low=f"{ind.growth_low:.1%}", high=f"{ind.growth_high:.1%}"))
    if st.button(t("reset"), key="reset", icon=":material/restart_alt:", width="stretch"):
        state.switch_preset(pid)
        st.rerun()
    assumption_note(sc)

# ------------------------------------------------------------------ outcomes
with right:
    if sc.rubric_id:
        score = float(proj.scores.loc[year, "total"])
        base = float(sq.scores.loc[year, "total"])
        c1, c2, c3 = st.columns([1.3, 1, 1])
        with c1:
            st.metric(t("score_in", year=year), f"{score:.2f}", f"{score - base:+.2f} {t('vs_status_quo')}",
                      delta_color="normal" if abs(score - base) > 1e-9 else "off")
            tier_badge(str(proj.scores.loc[year, "tier"]))
        c2.metric(t("program_budget"), fmt(total), help=t("program_budget_help"))
        c3.metric(t("fiscal_st"), fmt(float(proj.indicators.loc[year, "fiscal_st_spending"])),
                  help=t("fiscal_st_help", year=year))
        st.caption(t("evaluated_caption", year=year, next=year + 1))
        path = pd.concat([
            proj.scores.reset_index()[["year", "total", "tier"]].assign(series=t("series_scenario")),
            sq.scores.reset_index()[["year", "total", "tier"]].assign(series=t("series_status_quo"))])
        tiers = {t("tier_line", tier="A"): 80, t("tier_line", tier="B"): 60}
        titles = {"year": t("year"), "score": t("score"), "points": t("points")}
        st.altair_chart(charts.style(charts.score_path(path, titles, tiers), 300), width="stretch",
                        key="chart_path")
        rubric = load_rubric(sc.rubric_id)
        groups = pd.DataFrame({"group": [getattr(g, lang()) for g in rubric.groups],
                               "earned": [float(proj.scores.loc[year, g.id]) for g in rubric.groups],
                               "max": [g.max_points for g in rubric.groups]})
        groups["label"] = [f"{e:.1f} / {m:g}" for e, m in zip(groups["earned"], groups["max"])]
        st.subheader(t("groups_heading", year=year))
        st.altair_chart(charts.style(charts.group_breakdown(groups, titles), 230), width="stretch",
                        key="chart_groups")
    else:
        idx = proj.attainment.attrs["index"]
        base_idx = sq.attainment.attrs["index"]
        c1, c2 = st.columns(2)
        c1.metric(t("targets_met"), f"{idx['share_met']:.0%}",
                  f"{(idx['share_met'] - base_idx['share_met']) * 100:+.0f} pp {t('vs_status_quo')}")
        c2.metric(t("attainment"), f"{(1 - idx['weighted_shortfall']) * 100:.1f}%",
                  f"{(base_idx['weighted_shortfall'] - idx['weighted_shortfall']) * 100:+.2f} pp")
        st.caption(t("attainment_caption"))

    keys = [tg for tg in sc.targets if tg.kind == "level" and tg.indicator in proj.indicators]
    shown = list(dict.fromkeys(tg.indicator for tg in keys))[:6] or [q for q in sc.shown if q in proj.indicators][:6]
    if shown:
        st.subheader(t("key_indicators"))
        frame = proj.indicators[shown].reset_index().melt("year", var_name="indicator", value_name="value")
        frame["indicator"] = frame["indicator"].map(ind_label)
        tg = pd.DataFrame([{"indicator": ind_label(g.indicator), "year": g.year, "target": float(g.value)}
                           for g in keys if g.indicator in shown and g.year <= sc.horizon])
        st.altair_chart(charts.style(charts.small_multiples(frame, tg, {"target": t("target")}), None),
                        key="chart_multiples")

    st.subheader(t("next_points_heading", year=year))
    nxt = next_points(state.text(), year)
    nxt = nxt.assign(program=nxt["program"].map(prog_name))
    unit = t("points_per_100") if sc.rubric_id else t("pp_per_100")
    st.dataframe(nxt.rename(columns={"program": t("program"), "gain": unit}), hide_index=True,
                 key="next_points", column_config={unit: st.column_config.NumberColumn(format="%.3f")})
    st.caption(t("next_points_caption"))
