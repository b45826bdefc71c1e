"""数据 Data: edit the baseline and growth, import a region's own data, export one workbook."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from report import labels
from sim import InputError
from sim.files.loaders import load_rubric_example
from sim.inputs.tables import READERS, template_bytes
from sim.model.rubric import load_rubric
from sim.model.simulate import assumed_values
from ui import datatab, state
from ui.i18n import lang, say, t, tl

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EDITOR = "data_editor"


@st.cache_data(max_entries=64, show_spinner=False)
def _export(doc_text: str, language: str) -> bytes:
    return datatab.export_bytes(state.projection_of(doc_text), doc_text, language)


@st.cache_data(max_entries=4, show_spinner=False)
def _template(rubric_id: str) -> bytes:
    return template_bytes(load_rubric(rubric_id), load_rubric_example(rubric_id))


def _fresh_editor() -> None:
    """Forget the editor's cell edits; a new generation gives the table a new identity so the
    browser drops its edits too (they belong to rows whose values changed elsewhere)."""
    st.session_state.pop(EDITOR, None)
    st.session_state["data_editor_gen"] = st.session_state.get("data_editor_gen", 0) + 1


def _commit(new: dict, flash: str, from_editor: bool = False) -> None:
    """Store a new document (or show why not) and start the page afresh."""
    err = state.set_doc(new)
    if err is not None:
        st.error(say(err))
        return
    if not from_editor:
        _fresh_editor()
    st.session_state["data_editor_doc"] = state.text()
    st.session_state["data_flash"] = flash
    st.rerun()


sc = state.scenario()
doc = state.doc()
st.title(f"{t('page_data')} · {getattr(sc, lang())}")
st.caption(t("data_intro"))
if "data_flash" in st.session_state:
    st.success(st.session_state.pop("data_flash"))

# ------------------------------------------------------------------ export (first: the page's main output)
st.download_button(t("data_export"), _export(state.text(), lang()), key="export_xlsx",
                   file_name=datatab.export_name(sc), mime=XLSX, icon=":material/download:",
                   type="primary", help=t("data_export_caption"))

# ------------------------------------------------------------------ baseline and growth
st.subheader(t("data_baseline_heading", year=sc.base_year))
# the editor keeps its cell edits across reruns; when the scenario changed elsewhere (another
# page, another preset, imported data) they no longer apply to the rows shown: start afresh
if st.session_state.get("data_editor_doc") != state.text():
    _fresh_editor()
    st.session_state["data_editor_doc"] = state.text()
frame = datatab.editor_frame(sc, doc, lang())
frame.index.name = f"quantity_{st.session_state.get('data_editor_gen', 0)}"
n_assumed = int((frame["status"] == datatab.status_label("assumption", lang())).sum())
st.caption(t("data_editor_help", n=n_assumed, total=len(assumed_values(sc))))
label = {c: datatab.column_label(c, lang()) for c in datatab.COLUMNS}
edited = st.data_editor(
    frame, key=EDITOR, hide_index=True, width="stretch", height=560, num_rows="fixed",
    disabled=["name", "unit", "status", "source", "growth_status", "growth_source"],
    column_config={
        "name": st.column_config.TextColumn(label["name"], pinned=True),
        "unit": st.column_config.TextColumn(label["unit"]),
        "value": st.column_config.NumberColumn(label["value"], format="localized", help=t("data_value_help")),
        "growth": st.column_config.NumberColumn(label["growth"], format="%.1f", help=t("data_growth_help")),
        "status": st.column_config.TextColumn(label["status"]),
        "source": st.column_config.TextColumn(label["source"], width="large"),
        "growth_status": st.column_config.TextColumn(label["growth_status"]),
        "growth_source": st.column_config.TextColumn(label["growth_source"], width="large"),
    })
result = datatab.edit_doc(doc, frame, edited, lang())
for message in result.errors:
    st.error(message)  # the value the user typed is made literal by datatab
if result.errors:
    st.caption(t("data_kept_last_good"))
elif result.doc is not None:
    _commit(result.doc, t("data_applied"), from_editor=True)
if doc.get("base") or doc.get("growth"):
    if st.button(t("data_reset_edits"), key="data_reset_edits", icon=":material/undo:"):
        _commit({k: v for k, v in doc.items() if k not in ("base", "growth")}, t("data_edits_reset"))

st.markdown(f"**{t('data_derived_heading')}**")
st.caption(t("data_derived_caption"))
derived = datatab.derived_frame(sc, lang())
derived["value"] = [labels.quantity(q, v) for q, v in zip(derived["quantity"], derived["value"])]  # one format a kind
st.dataframe(derived.drop(columns="quantity"), hide_index=True, width="stretch", height="content",
             key="data_derived",
             column_config={"name": label["name"], "unit": label["unit"],
                            "value": st.column_config.TextColumn(label["value"]),
                            "formula": t("data_col_formula")})

# ------------------------------------------------------------------ a region's own data
st.subheader(t("data_region_heading"))
if not sc.rubric_id:
    st.info(t("data_region_city"))
else:
    if sc.region_name or sc.region_values:
        st.info(tl("data_region_in_use", name=sc.region_name or "—", n=len(sc.region_values)))
        if st.button(t("data_region_drop"), key="data_region_drop", icon=":material/delete:"):
            _commit(datatab.without_region(doc), t("data_region_dropped"))
    else:
        st.caption(t("data_region_preset"))
    st.download_button(t("download_template"), _template(sc.rubric_id), key="data_template",
                       file_name="hebei_county_template.xlsx", mime=XLSX, icon=":material/download:")
    upload = st.file_uploader(t("data_upload"), type=[e.lstrip(".") for e in READERS], key="data_upload")
    if upload is not None:
        try:
            regions, values = datatab.parse_region_file(sc.rubric_id, upload.getvalue(), upload.name)
        except InputError as exc:
            st.error(say(exc))
        else:
            pick = 0
            if len(regions) > 1:
                pick = st.selectbox(t("data_region_pick", n=len(regions)), range(len(regions)),
                                    key="data_region_pick",
                                    format_func=lambda i: f"{i + 1}. {regions[i]}")
            chosen = datatab.region_values(sc.rubric_id, values, pick)
            with st.expander(tl("data_region_preview", name=regions[pick])):
                preview = pd.DataFrame({"name": [datatab.quantity_name(c, lang()) for c in chosen],
                                        "value": [str(v) for v in chosen.values()]})
                st.dataframe(preview, hide_index=True, width="stretch", key="data_region_table",
                             column_config={"name": label["name"], "value": label["value"]})
            st.caption(t("data_region_caption"))
            if st.button(tl("data_region_apply", name=regions[pick]), key="data_region_apply",
                         type="primary", icon=":material/upload:"):
                _commit(datatab.with_region(doc, regions[pick], chosen),
                        tl("data_region_applied", name=regions[pick]))
