"""情景模拟 Scenario: the headline first (recomputed in the browser while a budget slider moves),
then the board (:mod:`ui.board`: the budget sliders, the undo bar, the charts and tables a move
changes) and the other assumptions, every headline number with its band and the chance of tier A."""
from __future__ import annotations

from functools import partial

import streamlit as st

from report.briefing import scenario_briefing
from report.slides import scenario_slides
from sim.model.catalog import load_catalog, text_in
from sim.model.rubric import load_rubric
from sim.model.scenario import PACE_MODES
from ui import board, common, live, state, tour
from ui.common import assumption_note, ind_name, target_year
from ui.i18n import lang, t

sc = state.scenario()
year = target_year(sc)
pid = sc.preset_id
projector = common.projector()

# The other assumptions (status quo, reading, pace, management, growth) are Streamlit's widgets:
# they take their value from the document when they are created and afterwards only from the
# user. When the document changed elsewhere (undo, optimizer, import, another page) they start
# afresh; the page's own changes (a budget move, these widgets) keep them.
if st.session_state.get("w_synced") != state.text():
    for key in [k for k in st.session_state if k.startswith(("w_g_", "w_m_", "w_mode_"))]:
        del st.session_state[key]
    st.session_state["w_synced"] = state.text()


def _commit(doc: dict) -> None:
    """Apply a document from a widget's callback (the body then runs again)."""
    err = state.set_doc(doc)
    if err is not None:
        st.session_state[board.ERROR] = err
    st.session_state["w_synced"] = state.text()


def _on_growth(q: str) -> None:
    d = state.doc()
    d.setdefault("growth", {})[q] = float(st.session_state[f"w_g_{pid}_{q}"]) / 100
    _commit(d)


def _on_management(col: str, cast) -> None:
    d = state.doc()
    d.setdefault("management", {})[col] = cast(st.session_state[f"w_m_{pid}_{col}"])
    _commit(d)


def _on_mode(key: str) -> None:
    d = state.doc()
    d[key] = st.session_state[f"w_mode_{pid}_{key}"]
    _commit(d)


def _seed(key: str, value) -> str:
    """Give a widget its value from the scenario once; afterwards the widget owns it."""
    if key not in st.session_state:
        st.session_state[key] = value
    return key


def other_controls() -> None:
    """Status quo and reading, management, organic growth: behind a switch (each widget is sent
    again on every move, so they are drawn only when wanted; hidden in projector mode)."""
    sc = state.scenario()
    if not st.toggle(t("show_assumptions"), key="w_show_assumptions", help=t("show_assumptions_help")):
        assumption_note(sc)
        return
    with st.expander(t("assumptions_heading")):
        modes = ["share", "flat", "plan"]
        st.radio(t("status_quo_label"), modes, key=_seed(f"w_mode_{pid}_status_quo", sc.status_quo_mode),
                 format_func={m: t(f"status_quo_{m}") for m in modes}.__getitem__, on_change=_on_mode, args=("status_quo",),
                 help=t("status_quo_help", plan=f"{sc.plan_growth:.1%}",
                        note=text_in(sc, "plan_growth_note", lang()) or "—"))
        if sc.rubric_id:
            st.radio(t("reading_label"), ["assessment", "data"], key=_seed(f"w_mode_{pid}_reading", sc.tier_reading),
                     format_func={r: t(f"reading_{r}") for r in ("assessment", "data")}.__getitem__, on_change=_on_mode, args=("reading",),
                     help=t("reading_help"))
        if sc.growth_profile:
            st.radio(t("pace_label"), list(PACE_MODES), key=_seed(f"w_mode_{pid}_pace", sc.pace_mode),
                     format_func={m: t(f"pace_mode_{m}") for m in PACE_MODES}.__getitem__, on_change=_on_mode, args=("pace",),
                     help=t("pace_help", year=sc.pace_window))
    if sc.rubric_id:
        with st.expander(t("management_heading")):
            rubric = load_rubric(sc.rubric_id)
            col = next(c for c in rubric.columns if c.id == "st_admin_body")
            labels = {c.id: getattr(c, lang()) for c in col.categories}
            st.selectbox(t("admin_body"), list(labels), format_func=labels.__getitem__,
                         key=_seed(f"w_m_{pid}_st_admin_body", sc.management["st_admin_body"]),
                         on_change=_on_management, args=("st_admin_body", str))
            st.toggle(t("leading_group"), key=_seed(f"w_m_{pid}_st_leading_group", bool(sc.base["st_leading_group"])),
                      on_change=_on_management, args=("st_leading_group", lambda v: 1.0 if v else 0.0))
            st.slider(t("management_innovation"), 0.0, 5.0, step=0.5,
                      key=_seed(f"w_m_{pid}_st_management_innovation",
                                float(sc.management["st_management_innovation"])),
                      on_change=_on_management, args=("st_management_innovation", float))
    with st.expander(t("growth_heading")):
        st.caption(t("growth_help"))
        cat = load_catalog()
        for q, g in sc.growth.items():
            lo_r, hi_r = sc.growth_range.get(q, (cat.indicators[q].growth_low, cat.indicators[q].growth_high))
            if hi_r <= lo_r:
                continue
            value = float(round(g * 100, 1))
            lo, hi = min(-20.0, lo_r * 100, value), max(30.0, hi_r * 100, value)
            st.slider(ind_name(q), lo, hi, step=0.1, format="%.1f%%", key=_seed(f"w_g_{pid}_{q}", value),
                      on_change=_on_growth, args=(q,),
                      help=t("growth_range", low=f"{lo_r:.1%}", high=f"{hi_r:.1%}"))
    assumption_note(sc)


def downloads() -> None:
    """The briefing and the slides of the scenario on screen when asked for (outside the part a
    move reruns: each is written from the session's document at the click)."""
    with st.container(horizontal=True, key="scenario_downloads"):
        common.briefing_button(common.on_screen_file(partial(scenario_briefing, lang=lang())),
                               f"briefing_{pid}_{lang()}.docx", "brief_scenario")
        common.slides_button(common.on_screen_file(partial(scenario_slides, lang=lang())),
                             f"slides_{pid}_{lang()}.pptx", "slides_scenario")


# ------------------------------------------------------------------ the page
@st.fragment
def moves() -> None:
    """What a budget move changes, and all a slider's release reruns: the board with its headline
    (one element, not the ~60 of the body before)."""
    board.apply_pending(board.Keys(state.scenario()))
    sc = state.scenario()
    wait = live.charts_wait()  # a page's first run: the headline alone; it asks for the rest once drawn (ui.live)
    top = {"headline": live.headline_data(sc, year, projector), "tour": tour.inline_data()}
    board.board(sc, year, projector, top, charts=not wait)
    if wait:
        st.container(key="scenario_pending").caption(t("charts_pending"))
    live.first_run_done()


@st.fragment
def body() -> None:
    """Everything below the title; a change of the other assumptions reruns this (and the board)."""
    moves()
    downloads()
    if not projector:
        left, _ = st.columns([1, 2.3], gap="large")
        with left:
            other_controls()


st.title(f"{t('page_scenario')} · {getattr(sc, lang())}")
body()
