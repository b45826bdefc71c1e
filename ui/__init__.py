"""Streamlit-side helpers: translations and chart builders (no simulation here)."""
