"""Streamlit-side helpers: translations, session state, the store, the Data page's editor and the Method
page's tables (no simulation here; charts are :mod:`report.charts`)."""
