"""Translations for the app: every user-facing string comes from data/translations.toml."""
from __future__ import annotations

import streamlit as st

from sim.files.datadir import load_translations
from ui.literal import lit

LANGS = ("zh", "en")
__all__ = ["LANGS", "lang", "lit", "name", "say", "t", "tl"]


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


def tl(key: str, **params) -> str:
    """:func:`t` for a Markdown context whose string parameters may hold user text: they are
    made literal with :func:`lit` (numbers pass as they are)."""
    return t(key, **{k: lit(v) if isinstance(v, str) else v for k, v in params.items()})


def say(exc) -> str:
    """An InputError's message in the session's language, literal (it may quote user input)."""
    return lit(exc.message(lang()))
