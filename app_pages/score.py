"""评分 Score: score a region's own table with the county rubric (template in, scores out)."""
from __future__ import annotations

import streamlit as st

from sim import InputError, load_rubric, score
from sim.files.loaders import load_rubric_example
from sim.files.writers import csv_bytes
from sim.inputs.cells import scoring_input
from sim.inputs.tables import READERS, table_from_bytes, template_bytes
from ui.i18n import lang, say, t

rubric = load_rubric("hebei-county")


def shown(frame):
    """The scores as a reader sees them: every column named in the page's language (the CSV
    keeps the column ids a program reads), points with one decimal, the tier as "A 类"."""
    names = {"region": t("city_county"), "total": t("score"), "tier": t("tier")}
    names |= {f"pts_{it.id}": getattr(it, lang()) for it in rubric.items}
    names |= {g.id: f"{getattr(g, lang())}({t('points')})" if lang() == "zh" else f"{g.en} ({t('points')})"
              for g in rubric.groups}
    out = frame.rename(columns=names)
    for col in out.columns:
        if out[col].dtype.kind == "f":
            out[col] = out[col].map(lambda v: f"{v:.1f}")
    out[t("tier")] = [t("tier_badge", tier=v) for v in frame["tier"]]
    return out


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
        st.dataframe(shown(frame), hide_index=True, key="score_table")
        st.download_button(t("download_scores"), csv_bytes(frame), file_name="scores.csv",
                           key="dl_scores", help=t("download_scores_help"))
