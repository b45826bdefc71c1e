"""方法 Method: the rubric, the model's equations, every parameter with its source, the current
preset's assumptions and what the tool cannot tell."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from report import charts, labels
from sim.counties import backtest, posterior
from sim.files.datadir import DATA_DIR
from sim.model.catalog import text_in
from sim.model.rubric import load_rubric
from sim.model.scenario import PACE_MODES
from sim.uncertainty import load_posterior
from ui import method_tables, state
from ui.common import chart_titles
from ui.i18n import lang, t


STATS = ("mean", "A", "B", "C", "raised", "changed")


@st.cache_resource(show_spinner=False)
def _bands(mode: str | None) -> pd.DataFrame:
    """The stored calibration's predictions beside the record (cached: about 2 s)."""
    return posterior.stored_bands(mode)


@st.cache_resource(show_spinner=False)
def _backtest() -> pd.DataFrame:
    """Every origin's predictions of the later published rounds (cached: about 15 s)."""
    return backtest.rolling()


def _stat_name(k: str) -> str:
    return t(f"stat_{k}")


def for_analysts() -> None:
    """What an analyst checks and an official does not need: the documents' own words, the
    source files by name, the fitting methods and the software (the only place on the page
    that names files, code or libraries)."""
    with st.expander(t("method_analysts_heading"), icon=":material/science:", key="for_analysts_method"):
        st.caption(t("method_analysts_intro"))
        st.markdown(f"**{t('method_files_heading')}**")
        st.dataframe(method_tables.source_files_frame(lang()), hide_index=True, width="stretch", key="method_files",
                     column_config={"file": t("method_col_file"), "title": t("method_col_title")})
        st.markdown(f"**{t('method_words_rubric')}**")
        words = pd.concat([method_tables.rubric_words_frame(rubric.id, lang()), method_tables.tier_words_frame(rubric.id, lang())])
        st.dataframe(words, hide_index=True, width="stretch", key="method_rubric_words", column_config=WORDS)
        st.markdown(f"**{t('method_words_programs')}**")
        st.dataframe(method_tables.program_words_frame(lang()), hide_index=True, width="stretch",
                     key="method_program_words", column_config=WORDS)
        st.markdown(t("method_calibration_detail"))


sc = state.scenario()
rubric = load_rubric(sc.rubric_id or "hebei-county")
WORDS = {"item": st.column_config.TextColumn(t("method_col_item"), width="medium"),
         "words": st.column_config.TextColumn(t("method_col_words"), width="large"),
         "document": st.column_config.TextColumn(t("method_col_doc"), width="medium")}

st.title(t("page_method"))
st.caption(t("method_intro"))
contents = ["method_rubric_heading", "method_eq_heading", "method_province_heading", "method_programs_heading",
            "method_indicators_heading", "method_assumptions_heading", "method_limits_heading",
            "method_analysts_heading"]
st.markdown("\n".join(f"{i}. {t(k)}" for i, k in enumerate(contents, start=1)))

# ------------------------------------------------------------------ 1. the rubric
st.header(t("method_rubric_heading"))
st.markdown(t("method_rubric_intro", name=getattr(rubric, lang()), total=f"{rubric.total_points:g}",
              document=labels.document(rubric.source_file, lang())))
if not sc.rubric_id:
    st.caption(t("method_rubric_city"))
st.dataframe(method_tables.rubric_frame(rubric.id, lang()), hide_index=True, width="stretch",
             height="content", key="method_rubric", column_config={
                 "group": t("method_col_group"), "item": t("method_col_item"),
                 "unit": t("data_col_unit"),
                 "max_points": st.column_config.NumberColumn(t("method_col_max"), format="%g"),
                 "rule": st.column_config.TextColumn(t("method_col_rule"), width="large"),
                 "data_source": t("method_col_data_source"), "note": t("method_col_note")})
st.markdown(t("method_rubric_rules"))
st.dataframe(method_tables.tiers_frame(rubric.id, lang()), hide_index=True, height="content",
             key="method_tiers",
             column_config={"tier": t("method_col_tier"),
                            "min_points": st.column_config.NumberColumn(t("method_col_min"), format="%g"),
                            "source": t("method_col_doc")})
st.caption(t("method_eval_lag_note", years=rubric.evaluation_lag_years,
             note=labels.readable(text_in(rubric, "evaluation_lag_note", lang()), lang())))

# ------------------------------------------------------------------ 2. equations
st.header(t("method_eq_heading"))
st.subheader(t("method_eq_programs_heading"))
st.markdown(t("method_eq_programs"))
st.subheader(t("method_eq_kinds_heading"))
st.markdown(t("method_eq_kinds"))
st.subheader(t("method_eq_calibration_heading"))
st.markdown(t("method_eq_calibration"))
st.subheader(t("method_eq_score_heading"))
st.markdown(t("method_eq_score"))

# ------------------------------------------------------------------ 3. the province's record
st.header(t("method_province_heading"))
post = load_posterior("hebei-county")
ess = next((ln for ln in (DATA_DIR / "profiles/hebei_county_posterior.csv").read_text(encoding="utf-8").splitlines()
            if "effective sample size" in ln), "")
st.markdown(t("method_province_intro", n=len(post["pace"]) if post else 0,
              ess=ess.rsplit(" ", 1)[-1].rstrip(".") if ess else "—"))
if post:
    quant = pd.DataFrame({t("method_factor"): [t(f"method_factor_{k}") for k in post],
                          "P10": [float(pd.Series(v).quantile(0.1)) for v in post.values()],
                          "P50": [float(pd.Series(v).quantile(0.5)) for v in post.values()],
                          "P90": [float(pd.Series(v).quantile(0.9)) for v in post.values()]})
    st.caption(t("method_posterior_caption"))
    st.dataframe(quant, hide_index=True, key="method_posterior", height="content",
                 column_config={c: st.column_config.NumberColumn(c, format="%.2f") for c in ("P10", "P50", "P90")})
bands = _bands(None)
shown = bands[bands["statistic"].isin(STATS)].assign(measure=lambda f: f["statistic"].map(_stat_name))
st.markdown(f"**{t('method_province_chart')}**")
st.altair_chart(charts.style(charts.record_bands(shown, {"round": t("col_round"), "band": t("band_80"),
                                                         "median": t("median"), "published": t("series_published")}),
                             None), key="method_record_chart")
st.markdown(f"**{t('method_province_table')}**")
table = shown.pivot_table(index="round", columns="measure", values="P50").round(1)
table.index.name, table.columns.name = t("col_round"), None
st.dataframe(table, key="method_record_table", height="content")
st.subheader(t("method_modes_heading"))
st.caption(t("method_modes_caption"))
modes = []
for mode in PACE_MODES:
    m = _bands(mode)
    m = m[m["statistic"].isin(("mean", "A"))]
    modes.append(m.pivot_table(index="round", columns="statistic", values="P50").rename(
        columns=lambda k: f"{t('pace_mode_' + mode)} · {_stat_name(k)}"))
modes = pd.concat(modes, axis=1).round(1)
modes.index.name = t("col_round")
st.dataframe(modes, key="method_modes_table", height="content")
st.subheader(t("method_backtest_heading"))
if st.button(t("method_backtest_run"), key="method_backtest_run", icon=":material/history:") or \
        st.session_state.get("method_backtest_done"):
    st.session_state["method_backtest_done"] = True
    with st.spinner(t("opt_running")):
        bt = _backtest()
    st.caption(t("method_backtest_caption", covered=int(bt["covered"].sum()), n=len(bt)))
    shown_bt = bt.assign(statistic=bt["statistic"].map(_stat_name))
    shown_bt = shown_bt.assign(covered=shown_bt["covered"].map({True: t("yes"), False: t("no")}))
    st.dataframe(shown_bt[["origin", "round", "statistic", "published", "P10", "P50", "P90", "covered"]].round(1),
                 hide_index=True, key="method_backtest_table", height="content",
                 column_config={"origin": t("method_col_origin"), "round": t("col_round"),
                                "statistic": t("method_col_statistic"), "published": t("method_col_published"),
                                "covered": t("method_col_covered")})

# ------------------------------------------------------------------ 4. programs
st.header(t("method_programs_heading"))
st.caption(t("method_programs_caption"))
st.dataframe(method_tables.programs_frame(lang()), hide_index=True, width="stretch", height="content",
             key="method_programs",
             column_config={
                 "program": st.column_config.TextColumn(t("program"), pinned=True),
                 "lag": t("method_col_lag"), "indicator": t("method_col_indicator"),
                 "paid": t("method_col_paid"), "payer": t("method_col_payer"),
                 "share": st.column_config.NumberColumn(t("method_col_share"), format="percent"),
                 "award": t("method_col_award"), "award_status": t("method_col_award_status"),
                 "additionality": t("method_col_additionality"), "cost": t("method_col_cost"),
                 "additionality_note": st.column_config.TextColumn(t("method_col_additionality_note"),
                                                                   width="large"),
                 "capacity": t("method_col_capacity"),
                 "basis": st.column_config.TextColumn(t("method_col_basis"), width="large"),
                 "capacity_note": st.column_config.TextColumn(t("method_col_capacity_note"), width="large"),
                 "lag_note": st.column_config.TextColumn(t("method_col_lag_note"), width="medium")})
st.markdown(f"**{t('method_county_lines_heading')}**")
st.dataframe(method_tables.county_lines_frame(lang()), hide_index=True, width="stretch", height="content",
             key="method_county_lines",
             column_config={"program": t("program"),
                            "county_line": st.column_config.TextColumn(t("method_col_county_line"), width="large")})

# ------------------------------------------------------------------ 5. indicators
st.header(t("method_indicators_heading"))
st.caption(t("method_indicators_caption"))
st.dataframe(method_tables.indicators_frame(lang()), hide_index=True, width="stretch", height=480,
             key="method_indicators",
             column_config={
                 "name": st.column_config.TextColumn(t("data_col_name"), pinned=True),
                 "unit": t("data_col_unit"), "kind": t("method_col_kind"),
                 "inputs": t("method_col_inputs"), "growth": t("method_col_growth"),
                 "growth_range": t("method_col_growth_range"), "param": t("method_col_param"),
                 "note": st.column_config.TextColumn(t("method_col_note"), width="large")})

# ------------------------------------------------------------------ 6. this preset's assumptions
st.header(t("method_assumptions_heading"))
assumed = method_tables.assumptions_frame(sc, lang())
st.caption(t("method_assumptions_caption", preset=getattr(sc, lang()), n=len(assumed)))
if assumed.empty:
    st.info(t("method_assumptions_none"))
else:
    st.dataframe(assumed, hide_index=True, width="stretch", height=min(480, 38 + 35 * len(assumed)),
                 key="method_assumptions",
                 column_config={"name": t("data_col_name"), "value": t("data_col_value"),
                                "unit": t("data_col_unit"),
                                "reasoning": st.column_config.TextColumn(t("method_col_reasoning"),
                                                                         width="large")})

# ------------------------------------------------------------------ 7. limits
st.header(t("method_limits_heading"))
st.markdown(t("method_limits"))

# ------------------------------------------------------------------ for analysts
for_analysts()
