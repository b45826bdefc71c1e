"""评分 Score: score a region's own table with the county rubric (template in, scores out)."""
from __future__ import annotations

import streamlit as st

from sim import InputError, load_rubric, score
from sim.loaders import load_rubric_example
from sim.tables import READERS, csv_bytes, scoring_input, table_from_bytes, template_bytes
from ui.i18n import say, t

rubric = load_rubric("hebei-county")
st.title(t("score_title"))
st.caption(t("score_intro"))
st.download_button(t("download_template"), template_bytes(rubric, load_rubric_example()),
                   file_name="hebei_county_template.xlsx", key="dl_template")
upload = st.file_uploader(t("upload_table"), type=[e.lstrip(".") for e in READERS], key="score_upload")
if upload is not None:
    try:
        regions, values = scoring_input(rubric, table_from_bytes(upload.getvalue(), upload.name))
    except InputError as exc:
        st.error(say(exc))
    else:
        frame = score(rubric, values).to_frame()
        frame.insert(0, "region", regions)
        st.dataframe(frame, hide_index=True, key="score_table")
        st.download_button(t("download_scores"), csv_bytes(frame), file_name="scores.csv",
                           key="dl_scores")
