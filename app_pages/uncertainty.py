"""不确定性 How sure: the range of outcomes, the chance of each tier and what matters most, in
plain words; how the numbers are computed (the technical terms: triangular ranges, log and logit
space, common random numbers, the seed, Sobol indices) is said once, in the explained section at
the end."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from report import charts
from sim.inputs.document import limits
from sim.uncertainty import monte_carlo, sensitivity
from ui import state
from ui.common import (BAND_DRAWS, BAND_SEED, band, band_line, chart_titles, data_year, fmt_prob, fmt_score, ind_label,
                       param_label, reading_caption, target_year)
from ui.i18n import lang, t

sc = state.scenario()
year = target_year(sc)
scored = data_year(sc, year)
pid = sc.preset_id
MAX_DRAWS = int(limits()["uncertainty"]["max_draws"])  # one request's draws (data/limits.toml)
RANK_COLUMNS = ("S1", "S1_conf", "ST", "ST_conf", "mu_star", "mu_star_conf", "sigma")


@st.cache_resource(max_entries=32, show_spinner=False)
def _mc(doc_text: str, n: int, seed: int, width: float):
    return monte_carlo(state.scenario_of(doc_text), n, seed, width)


@st.cache_resource(max_entries=32, show_spinner=False)
def _sens(doc_text: str, year: int, width: float, seed: int):
    return sensitivity(state.scenario_of(doc_text), year, width, n=128, seed=seed)


def _probabilities(tg: pd.DataFrame) -> None:
    """A table of the plan targets' chances."""
    names = [t("tier_target") if q == "tier" else ind_label(q) for q in tg["indicator"]]
    st.dataframe(pd.DataFrame({t("col_indicator"): names, t("col_year"): tg["year"],
                               t("unc_probability"): tg["probability"]}),
                 hide_index=True, key="unc_targets_table",
                 column_config={t("unc_probability"): st.column_config.ProgressColumn(min_value=0, max_value=1,
                                                                                     format="percent")})


def explained(mc, sens) -> None:
    """How the numbers are computed, with every technical term explained once; the seed that
    makes a run repeatable and the variance-based ranking live here."""
    with st.expander(t("unc_explained_heading"), icon=":material/science:", key="for_analysts_uncertainty"):
        kinds = sorted({r.kind for r in mc.ranges})
        sep = "、" if lang() == "zh" else ", "
        st.markdown(t("unc_explained", n=f"{mc.n:,}", k=len(mc.ranges), seconds=f"{mc.seconds:.2f}",
                      kinds=sep.join(t(f"unc_kind_{k}") for k in kinds)))
        st.number_input(t("unc_seed"), 0, 10_000, 0, key=f"unc_seed_{pid}", help=t("unc_seed_help"))
        st.markdown(t("unc_explained_ranking", method=t(f"unc_method_{sens.method_id}", n=f"{sens.n:,}",
                                                     runs=f"{sens.runs:,}"), seconds=f"{sens.seconds:.1f}"))
        ranking = sens.ranking.assign(parameter=[param_label(p) for p in sens.ranking["parameter"]])
        st.dataframe(ranking, hide_index=True, key="unc_ranking_table",
                     column_config={"parameter": st.column_config.TextColumn(t("chart_parameter"), width="large"),
                                    **{c: st.column_config.NumberColumn(t(f"unc_col_{c}"), format="%.2f")
                                       for c in RANK_COLUMNS if c in ranking}})


st.title(f"{t('page_uncertainty')} · {getattr(sc, lang())}")
st.caption(t("unc_intro"))
c1, c2 = st.columns(2)
width = c1.slider(t("unc_width"), 0.0, 3.0, 1.0, 0.25, key=f"unc_width_{pid}", help=t("unc_width_help"))
n = c2.select_slider(t("unc_draws"), [d for d in (BAND_DRAWS, 1000, 2000, 5000, 10000) if d <= MAX_DRAWS], value=BAND_DRAWS,
                     key=f"unc_n_{pid}", help=t("unc_draws_help", n=f"{MAX_DRAWS:,}"))
seed = int(st.session_state.get(f"unc_seed_{pid}", 0))  # set in the explained section below

with st.spinner(t("unc_running", n=f"{n:,}")):
    bar = st.progress(0.0, text=t("unc_sampling"))
    same = int(n) == BAND_DRAWS and seed == BAND_SEED and float(width) == 1.0
    mc = band(state.text()) if same else _mc(state.text(), int(n), seed, float(width))
    bar.progress(0.6, text=t("unc_sensitivity"))
    sens = _sens(state.text(), scored, float(width), seed)
    bar.empty()

label = t("score") if sc.rubric_id else t("attainment")
lines = {t("tier_line", tier="A"): 80, t("tier_line", tier="B"): 60} if sc.rubric_id else {}
# the headline is the scenario page's and the briefing's: the same draws, the same numbers
head = band(state.text())
row = head.score.loc[scored]
m1, m2, m3 = st.columns(3)
m1.metric(t("unc_p50", year=year), fmt_score(row["P50"]), help=t("score_median_help", n=f"{BAND_DRAWS:,}"))
m2.metric(t("unc_band"), band_line(row["P10"], row["P90"], "unc_band_value"))
if sc.rubric_id:
    m3.metric(t("unc_prob_a", year=year), fmt_prob(head.tiers.loc[scored, "A"]))
    st.caption(reading_caption(sc, year))
if not same:  # this page's settings: the analysis below differs from the headline, and says why
    mine = mc.score.loc[scored]
    st.info(t("unc_settings_differ", n=f"{mc.n:,}", width=f"{width:g}", seed=seed, median=fmt_score(mine["P50"]),
              band=band_line(mine["P10"], mine["P90"], "unc_band_value"),
              p=fmt_prob(mc.tiers.loc[scored, "A"]) if sc.rubric_id else "—"))
st.caption(t("unc_caption", n=f"{mc.n:,}", k=len(mc.ranges), seconds=f"{mc.seconds:.2f}"))

left, right = st.columns([1.4, 1])
with left:
    st.subheader(t("unc_fan"))
    frame = mc.score.dropna().reset_index()
    axis = t("year")
    if sc.rubric_id:
        frame["year"] = [sc.assessed_year(y) for y in frame["year"]]
        axis = t("year_axis_" + sc.tier_reading)
    st.altair_chart(charts.style(charts.fan(frame, chart_titles(year=axis, score=label), lines), 320),
                    width="stretch", key="unc_fan_chart")
with right:
    if sc.rubric_id:
        st.subheader(t("unc_tiers"))
        tiers = mc.tiers[["A", "B", "C"]].reset_index().melt("year", var_name="tier", value_name="probability")
        tiers["year"] = [sc.assessed_year(y) for y in tiers["year"]]
        st.altair_chart(charts.style(charts.tier_bars(tiers, chart_titles(year=t("year_axis_" + sc.tier_reading))),
                                     320), width="stretch", key="unc_tier_chart")
        st.caption(reading_caption(sc, year))
    else:
        st.subheader(t("unc_targets"))
        _probabilities(mc.targets.dropna(subset=["probability"]))

st.subheader(t("unc_tornado", year=year))
top = sens.tornado.head(12).copy()
top["parameter"] = [param_label(p) for p in top["parameter"]]
titles = chart_titles(low=t("unc_low"), high=t("unc_high"), score=label)
st.altair_chart(charts.style(charts.tornado(top, titles, sens.base, 30 if lang() == "zh" else 48),
                             40 + 34 * len(top)), width="stretch", key="unc_tornado_chart")
st.caption(t("unc_tornado_caption"))
if sc.rubric_id:
    with st.expander(t("unc_targets")):
        _probabilities(mc.targets.dropna(subset=["probability"]))
explained(mc, sens)
