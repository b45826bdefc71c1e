"""The reference page of bench/bench_app.py: one slider and one number, nothing else (what
Streamlit itself costs for a slider move and a page load on this machine)."""
import streamlit as st

v = st.slider("x", 0, 100, 50, key="x")
st.metric("value", v * 2)
