"""科技创新规划情景模拟器 — the Streamlit entry point: language switch and navigation."""
from __future__ import annotations

import streamlit as st

from ui.i18n import LANGS, t

st.set_page_config(page_title="科技创新规划情景模拟器", page_icon="📈", layout="wide")

if "lang" not in st.session_state:
    st.session_state["lang"] = st.query_params.get("lang", "zh") if st.query_params.get("lang") in LANGS else "zh"

with st.sidebar:
    st.radio(t("language"), LANGS, key="lang", horizontal=True,
             format_func=lambda code: {"zh": "中文", "en": "English"}[code])

pages = [st.Page("pages/score.py", title=t("page_score"), icon="🧮", default=True)]
st.navigation(pages).run()
