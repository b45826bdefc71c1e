"""不确定性 How sure: the range of outcomes, the chance of each tier and what matters most."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from sim.document import limits
from sim.uncertainty import monte_carlo, sensitivity
from ui import charts, state
from ui.common import data_year, fmt_score, ind_label, param_label, reading_caption, target_year
from ui.i18n import lang, t

sc = state.scenario()
year = target_year(sc)
scored = data_year(sc, year)
pid = sc.preset_id
MAX_DRAWS = int(limits()["uncertainty"]["max_draws"])  # one request's draws (data/limits.toml)


@st.cache_resource(max_entries=32, show_spinner=False)
def _mc(doc_text: str, n: int, seed: int, width: float):
    return monte_carlo(state.scenario_of(doc_text), n, seed, width)


@st.cache_resource(max_entries=32, show_spinner=False)
def _sens(doc_text: str, year: int, width: float, seed: int):
    return sensitivity(state.scenario_of(doc_text), year, width, n=128, seed=seed)


st.title(f"{t('page_uncertainty')} · {getattr(sc, lang())}")
st.caption(t("unc_intro"))
c1, c2, c3 = st.columns(3)
width = c1.slider(t("unc_width"), 0.0, 3.0, 1.0, 0.25, key=f"unc_width_{pid}", help=t("unc_width_help"))
n = c2.select_slider(t("unc_draws"), [d for d in (1000, 2000, 5000, 10000) if d <= MAX_DRAWS], value=10000,
                     key=f"unc_n_{pid}", help=t("unc_draws_help", n=f"{MAX_DRAWS:,}"))
seed = int(c3.number_input(t("unc_seed"), 0, 10_000, 0, key=f"unc_seed_{pid}"))

with st.spinner(t("unc_running", n=f"{n:,}")):
    bar = st.progress(0.0, text=t("unc_sampling"))
    mc = _mc(state.text(), int(n), seed, float(width))
    bar.progress(0.6, text=t("unc_sensitivity"))
    sens = _sens(state.text(), scored, float(width), seed)
    bar.empty()

label = t("score") if sc.rubric_id else t("attainment")
lines = {t("tier_line", tier="A"): 80, t("tier_line", tier="B"): 60} if sc.rubric_id else {}
row = mc.score.loc[scored]
m1, m2, m3 = st.columns(3)
m1.metric(t("unc_p50", year=year), fmt_score(row["P50"]))
m2.metric(t("unc_band"), f"{fmt_score(row['P10'])} – {fmt_score(row['P90'])}")
if sc.rubric_id:
    m3.metric(t("unc_prob_a", year=year), f"{mc.tiers.loc[scored, 'A']:.0%}")
    st.caption(reading_caption(sc, year))
kinds = sorted({r.kind for r in mc.ranges})
st.caption(t("unc_caption", n=f"{mc.n:,}", seconds=f"{mc.seconds:.2f}", k=len(mc.ranges), seed=mc.seed,
             kinds="、".join(t(f"unc_kind_{k}") for k in kinds) if lang() == "zh"
             else ", ".join(t(f"unc_kind_{k}") for k in kinds)))

left, right = st.columns([1.4, 1])
with left:
    st.subheader(t("unc_fan"))
    frame = mc.score.dropna().reset_index()
    axis = t("year")
    if sc.rubric_id:
        frame["year"] = [sc.assessed_year(y) for y in frame["year"]]
        axis = t("year_axis_" + sc.tier_reading)
    st.altair_chart(charts.style(charts.fan(frame, {"year": axis, "score": label}, lines), 320),
                    width="stretch", key="unc_fan_chart")
with right:
    if sc.rubric_id:
        st.subheader(t("unc_tiers"))
        tiers = mc.tiers[["A", "B", "C"]].reset_index().melt("year", var_name="tier", value_name="probability")
        tiers["year"] = [sc.assessed_year(y) for y in tiers["year"]]
        st.altair_chart(charts.style(charts.tier_bars(tiers, {"year": t("year_axis_" + sc.tier_reading),
                                                              "probability": t("probability")}),
                                     320), width="stretch", key="unc_tier_chart")
        st.caption(reading_caption(sc, year))
    else:
        st.subheader(t("unc_targets"))
        tg = mc.targets.dropna(subset=["probability"])
        st.dataframe(pd.DataFrame({t("col_indicator"): [ind_label(q) for q in tg["indicator"]],
                                   t("col_year"): tg["year"], t("unc_probability"): tg["probability"]}),
                     hide_index=True, key="unc_targets_table",
                     column_config={t("unc_probability"): st.column_config.ProgressColumn(min_value=0, max_value=1)})

st.subheader(t("unc_tornado", year=year))
top = sens.tornado.head(12).copy()
top["parameter"] = [param_label(p) for p in top["parameter"]]
st.altair_chart(charts.style(charts.tornado(top, {"low": t("unc_low"), "high": t("unc_high"), "score": label},
                                            sens.base), 40 + 30 * len(top)).configure_axisY(labelLimit=420),
                width="stretch", key="unc_tornado_chart")
st.caption(t("unc_method", method=t(f"unc_method_{sens.method_id}", n=f"{sens.n:,}", runs=f"{sens.runs:,}"),
             seconds=f"{sens.seconds:.1f}"))
with st.expander(t("unc_ranking")):
    st.dataframe(sens.ranking.assign(parameter=[param_label(p) for p in sens.ranking["parameter"]]).round(2),
                 hide_index=True, key="unc_ranking_table")
if sc.rubric_id:
    with st.expander(t("unc_targets")):
        tg = mc.targets.dropna(subset=["probability"])
        st.dataframe(pd.DataFrame({t("col_indicator"): [t("tier_target") if q == "tier" else ind_label(q)
                                                        for q in tg["indicator"]],
                                   t("col_year"): tg["year"], t("unc_probability"): tg["probability"]}),
                     hide_index=True, key="unc_targets_table",
                     column_config={t("unc_probability"): st.column_config.ProgressColumn(min_value=0, max_value=1)})
