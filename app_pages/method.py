"""方法 Method: the rubric, the model's equations, every parameter with its source, the current
preset's assumptions and what the tool cannot tell."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from sim import province
from sim import regions as sim_regions
from sim.catalog import text_in
from sim.loaders import load_profile, load_rubric
from report import labels
from ui import charts, datatab, state
from ui.common import chart_titles
from ui.i18n import lang, t


@st.cache_resource(show_spinner=False)
def _record() -> pd.DataFrame:
    """The synthetic province under the stored pace factors, round by round (cached)."""
    hebei = sim_regions.load("hebei-synthetic")
    return province.compare(hebei, province.province_at(hebei, None, 2025))


def record_table(record: pd.DataFrame) -> pd.DataFrame:
    """The province's record beside the model, round by round, as text a reader takes in:
    published / model in one cell, "—" where a round was not published."""
    def pair(a, b, digits: int) -> str:
        shown = [("—" if pd.isna(v) else f"{float(v):,.{digits}f}") for v in (a, b)]
        return " / ".join(shown)

    rows = []
    for rnd, r in record.iterrows():
        row = {t("method_record_round"): str(rnd), t("method_record_data_year"): str(int(r["data_year"]))}
        for tier in ("A", "B", "C"):
            row[t("method_record_tier", tier=tier)] = pair(r[tier], r[f"{tier}_model"], 0)
        row[t("method_record_mean")] = pair(r["mean"], r["mean_model"], 1)
        row[t("method_record_raised")] = "—" if pd.isna(r["raised_model"]) else f"{r['raised_model']:.0f}"
        row[t("method_record_hte")] = f"{r['high_tech_enterprises_model']:,.0f}"
        rows.append(row)
    return pd.DataFrame(rows)


def for_analysts() -> None:
    """What an analyst checks and an official does not need: the documents' own words, the
    source files by name, the fitting methods and the software (the only place on the page
    that names files, code or libraries)."""
    with st.expander(t("method_analysts_heading"), icon=":material/science:", key="for_analysts_method"):
        st.caption(t("method_analysts_intro"))
        st.markdown(f"**{t('method_files_heading')}**")
        st.dataframe(datatab.source_files_frame(lang()), hide_index=True, width="stretch", key="method_files",
                     column_config={"file": t("method_col_file"), "title": t("method_col_title")})
        st.markdown(f"**{t('method_words_rubric')}**")
        words = pd.concat([datatab.rubric_words_frame(rubric.id, lang()), datatab.tier_words_frame(rubric.id, lang())])
        st.dataframe(words, hide_index=True, width="stretch", key="method_rubric_words", column_config=WORDS)
        st.markdown(f"**{t('method_words_programs')}**")
        st.dataframe(datatab.program_words_frame(lang()), hide_index=True, width="stretch",
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
st.dataframe(datatab.rubric_frame(rubric.id, lang()), hide_index=True, width="stretch",
             height="content", key="method_rubric", column_config={
                 "group": t("method_col_group"), "item": t("method_col_item"),
                 "unit": t("data_col_unit"),
                 "max_points": st.column_config.NumberColumn(t("method_col_max"), format="%g"),
                 "rule": st.column_config.TextColumn(t("method_col_rule"), width="large"),
                 "data_source": t("method_col_data_source"), "note": t("method_col_note")})
st.markdown(t("method_rubric_rules"))
st.dataframe(datatab.tiers_frame(rubric.id, lang()), hide_index=True, height="content",
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
theta = load_profile("hebei-county")["theta"]
low, high = province.pace_band()
st.markdown(t("method_province_intro", document=labels.document("hebei_county_results.md", lang()),
              mean_tol=f"{province.MEAN_TOLERANCE:g}", a_tol=province.A_TOLERANCE,
              pace=f"{theta['pace']:.2f}", hte=f"{theta['hte']:.2f}", intensity=f"{theta['intensity']:.2f}",
              spread=f"{theta['spread']:.2f}", low_gain=f"{low + province.MEAN_TOLERANCE:.2f}",
              high_gain=f"{high - province.MEAN_TOLERANCE:.2f}", band_low=f"{low:.2f}", band_high=f"{high:.2f}"))
record = _record()
long = pd.concat([
    pd.DataFrame({"round": record.index, "measure": t("metric_A"), "series": t("series_published"),
                  "value": record["A"]}),
    pd.DataFrame({"round": record.index, "measure": t("metric_A"), "series": t("series_model"),
                  "value": record["A_model"]}),
    pd.DataFrame({"round": record.index, "measure": t("metric_mean"), "series": t("series_published"),
                  "value": record["mean"]}),
    pd.DataFrame({"round": record.index, "measure": t("metric_mean"), "series": t("series_model"),
                  "value": record["mean_model"]})]).dropna()
st.markdown(f"**{t('method_province_chart')}**")
st.altair_chart(charts.style(charts.record_fit(long, chart_titles(round=t("col_round"))), None),
                key="method_record_chart")
st.markdown(f"**{t('method_province_table')}**")
st.dataframe(record_table(record), hide_index=True, key="method_record_table", height="content")

# ------------------------------------------------------------------ 4. programs
st.header(t("method_programs_heading"))
st.caption(t("method_programs_caption"))
st.dataframe(datatab.programs_frame(lang()), hide_index=True, width="stretch", height="content",
             key="method_programs",
             column_config={
                 "program": st.column_config.TextColumn(t("program"), pinned=True),
                 "lag": t("method_col_lag"), "indicator": t("method_col_indicator"),
                 "share": st.column_config.NumberColumn(t("method_col_share"), format="percent"),
                 "award": t("method_col_award"), "award_status": t("method_col_award_status"),
                 "additionality": t("method_col_additionality"), "cost": t("method_col_cost"),
                 "additionality_note": st.column_config.TextColumn(t("method_col_additionality_note"),
                                                                   width="large"),
                 "capacity": t("method_col_capacity"),
                 "basis": st.column_config.TextColumn(t("method_col_basis"), width="large"),
                 "capacity_note": st.column_config.TextColumn(t("method_col_capacity_note"), width="large"),
                 "lag_note": st.column_config.TextColumn(t("method_col_lag_note"), width="medium")})

# ------------------------------------------------------------------ 5. indicators
st.header(t("method_indicators_heading"))
st.caption(t("method_indicators_caption"))
st.dataframe(datatab.indicators_frame(lang()), hide_index=True, width="stretch", height=480,
             key="method_indicators",
             column_config={
                 "name": st.column_config.TextColumn(t("data_col_name"), pinned=True),
                 "unit": t("data_col_unit"), "kind": t("method_col_kind"),
                 "inputs": t("method_col_inputs"), "growth": t("method_col_growth"),
                 "growth_range": t("method_col_growth_range"), "param": t("method_col_param"),
                 "note": st.column_config.TextColumn(t("method_col_note"), width="large")})

# ------------------------------------------------------------------ 6. this preset's assumptions
st.header(t("method_assumptions_heading"))
assumed = datatab.assumptions_frame(sc, lang())
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
