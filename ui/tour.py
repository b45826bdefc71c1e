"""The guided start: on a first visit, a short walk-through of the four things a leader does
(move the budget, read the score and its band, run the optimizer, compare two scenarios), in
the session's language; skippable, and shown again from the sidebar. Once finished or skipped
the URL carries ``tour=0`` so that a reload or a bookmark does not show it again.

On a phone or a tablet (a touch browser, WeChat's included) the guide speaks of taps, not keys,
and is not a dialog over the page: it opens under the headline (:func:`inline_data`, drawn by the
scenario page's board), so the first thing a leader sees on a link is the number."""
from __future__ import annotations

import streamlit as st

from sim.files.datadir import load_translations
from ui.i18n import t

TOUCH = ("Mobile", "Android", "iPhone", "iPad", "MicroMessenger")  # user agents of touch browsers

STEPS = ("budget", "score", "optimizer", "compare")
ICONS = {"budget": ":material/tune:", "score": ":material/insights:", "optimizer": ":material/explore:",
         "compare": ":material/compare_arrows:"}


def done() -> bool:
    """Whether the guide was seen, in this session or (``tour=0`` in the link) before."""
    if st.query_params.get("tour") == "0":
        st.session_state["tour_done"] = True  # kept when another page's URL drops the parameter
    return bool(st.session_state.get("tour_done"))


def touch() -> bool:
    """Whether the browser is a phone's or a tablet's (its user agent), where one taps."""
    try:
        agent = str(st.context.headers.get("User-Agent", ""))
    except Exception:  # outside a browser session (tests)
        return False
    return any(word in agent for word in TOUCH)


def _text(name: str) -> str:
    """A step's text, in its touch wording on a touch browser where there is one."""
    key = f"tour_{name}_body"
    if touch() and f"{key}_touch" in load_translations()["app"]:
        key += "_touch"
    return t(key)


def maybe_start() -> None:
    """Open the walk-through on a session's first visit (not in projector mode; on a touch
    browser it is shown under the headline instead, see :func:`inline_data`)."""
    if done() or st.session_state.get("projector") or touch():
        return
    st.dialog(t("tour_title"), width="large", icon=":material/school:", on_dismiss=finish)(_body)()


def restart() -> None:
    """Show the walk-through again from its first step (the sidebar's button)."""
    st.session_state["tour_done"] = False
    st.session_state["tour_step"] = 0
    if st.query_params.get("tour") == "0":
        del st.query_params["tour"]


def finish() -> None:
    """The guide seen: not shown again in this session, nor from a link copied now (``tour=0``)."""
    st.session_state["tour_done"] = True
    st.session_state.pop("tour_step", None)
    st.query_params["tour"] = "0"


def _body() -> None:
    step = int(st.session_state.get("tour_step", 0))
    name = STEPS[step]
    st.caption(t("tour_progress", n=step + 1, total=len(STEPS)))
    st.subheader(f"{ICONS[name]} {t(f'tour_{name}_title')}")
    st.markdown(_text(name))
    with st.container(horizontal=True):
        if step > 0:
            st.button(t("tour_back"), key="tour_back", icon=":material/arrow_back:", on_click=_move, args=(-1,))
        if step < len(STEPS) - 1:
            st.button(t("tour_next"), key="tour_next", type="primary", icon=":material/arrow_forward:",
                      on_click=_move, args=(1,))
            st.button(t("tour_skip"), key="tour_skip", type="tertiary", on_click=_close)
        else:
            st.button(t("tour_done"), key="tour_finish", type="primary", icon=":material/check:", on_click=_close)


def _move(delta: int) -> None:
    st.session_state["tour_step"] = min(max(int(st.session_state.get("tour_step", 0)) + delta, 0), len(STEPS) - 1)


def _close() -> None:
    finish()
    st.rerun()  # the whole page: the dialog closes


def inline_data() -> dict | None:
    """The guide on a touch browser: the four steps in one open panel under the headline, with a
    button that closes it for good (nothing over the page); the board draws it (its ``tour``
    trigger calls :func:`finish`). None where it is not shown. Words: "**…**" is bold."""
    if done() or st.session_state.get("projector") or not touch():
        return None
    return {"title": t("tour_title"), "done": t("tour_inline_done"),
            "steps": [{"title": t(f"tour_{name}_title"), "text": _text(name)} for name in STEPS]}
