"""科技创新规划情景模拟器 — the Streamlit entry point: language, preset picker, navigation."""
from __future__ import annotations

import streamlit as st

import sim
from ui import state
from ui.i18n import LANGS, lang, t, tl

st.set_page_config(page_title="科技创新规划情景模拟器", page_icon=":material/insights:", layout="wide")
st.html("<style>[data-testid='stMetricValue']{font-size:3rem} "
        "[data-testid='stSidebarNav']{font-size:1.05rem}</style>")

if "lang" not in st.session_state:
    st.session_state["lang"] = st.query_params.get("lang", "zh") if st.query_params.get("lang") in LANGS else "zh"
state.init()
# the sidebar's widgets keep their values across pages; the picker always shows the scenario's preset
st.session_state["lang"] = st.session_state["lang"]
st.session_state["preset"] = state.doc()["preset"]

presets = {p["id"]: p for p in sim.list_presets()}
with st.sidebar:
    st.radio(t("language"), LANGS, key="lang", horizontal=True, on_change=state.sync_url,
             format_func=lambda code: {"zh": "中文", "en": "English"}[code])
    names = {pid: p[lang()] for pid, p in presets.items()}  # labels fixed now, not at format time
    st.selectbox(t("preset"), list(presets), key="preset", format_func=names.__getitem__,
                 on_change=lambda: state.switch_preset(st.session_state["preset"]))
    if "init_error" in st.session_state:
        st.warning(tl("bad_link", msg=st.session_state.pop("init_error").message(lang())))

pages = [
    st.Page("app_pages/scenario.py", title=t("page_scenario"), icon=":material/tune:", default=True, url_path="scenario"),
    st.Page("app_pages/optimizer.py", title=t("page_optimizer"), icon=":material/explore:", url_path="optimizer"),
    st.Page("app_pages/targets.py", title=t("page_targets"), icon=":material/flag:", url_path="targets"),
    st.Page("app_pages/uncertainty.py", title=t("page_uncertainty"), icon=":material/ssid_chart:", url_path="uncertainty"),
    st.Page("app_pages/compare.py", title=t("page_compare"), icon=":material/compare_arrows:", url_path="compare"),
    st.Page("app_pages/data.py", title=t("page_data"), icon=":material/table_chart:", url_path="data"),
    st.Page("app_pages/method.py", title=t("page_method"), icon=":material/menu_book:", url_path="method"),
    st.Page("app_pages/score.py", title=t("page_score"), icon=":material/calculate:", url_path="score"),
]
st.navigation(pages).run()
state.sync_url()
