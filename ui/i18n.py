"""Translations for the app: every user-facing string comes from data/translations.toml."""
from __future__ import annotations

import streamlit as st

from sim.loaders import load_translations

LANGS = ("zh", "en")


def lang() -> str:
    """The session's language ('zh' by default)."""
    return st.session_state.get("lang", "zh")


def t(key: str, **params) -> str:
    """The string ``[app.<key>]`` in the session's language, formatted with ``params``."""
    entry = load_translations()["app"][key]
    text = entry[lang()]
    return text.format(**params) if params else text


def name(obj) -> str:
    """An object's name in the session's language (objects with ``zh``/``en`` fields)."""
    return getattr(obj, lang())
