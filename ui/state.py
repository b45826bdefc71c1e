"""The session's scenario: a JSON document (sim.overrides) in st.session_state and the URL.

Nothing here is module-level mutable state: each browser session has its own document; the
caches below hold immutable results keyed by the document's text, shared safely.
"""
from __future__ import annotations

import json

import streamlit as st

import sim
from sim import overrides
from sim.errors import InputError
from sim.loaders import preset_ids

DEFAULT_PRESET = "demo"
DOC_KEY = "scenario_doc"
WS_KEY = "workspace"


@st.cache_resource(max_entries=512, show_spinner=False)
def scenario_of(text: str) -> sim.Scenario:
    """The scenario of a document's JSON text (validated; cached)."""
    return overrides.apply(json.loads(text))


@st.cache_resource(max_entries=512, show_spinner=False)
def projection_of(text: str) -> sim.Projection:
    """``sim.simulate`` of a document (cached; callers must not mutate the frames)."""
    return sim.simulate(scenario_of(text))


def _canonical(doc: dict) -> str:
    return json.dumps(doc, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def init() -> None:
    """On a session's first run: the document from the URL (``?s=`` or ``?preset=``), else the
    default preset. A broken link falls back to the default and says so."""
    if WS_KEY not in st.session_state:  # saved scenarios are private to the link's workspace
        from ui import store

        try:
            st.session_state[WS_KEY] = store.check_workspace(st.query_params.get("ws"))
        except InputError as exc:
            if "ws" in st.query_params:
                st.session_state["init_error"] = exc
            st.session_state[WS_KEY] = store.new_workspace()
    if DOC_KEY in st.session_state:
        return
    qp = st.query_params
    doc = {"preset": DEFAULT_PRESET}
    if "s" in qp:
        try:
            candidate = overrides.parse(qp["s"])
            overrides.apply(candidate)
            doc = candidate
        except InputError as exc:
            st.session_state["init_error"] = exc
    elif qp.get("preset") in preset_ids():
        doc = {"preset": qp["preset"]}
    st.session_state[DOC_KEY] = _canonical(doc)
    st.session_state["preset"] = json.loads(st.session_state[DOC_KEY])["preset"]


def workspace() -> str:
    """The session's workspace id (its saved scenarios), held in the URL as ``ws``."""
    return st.session_state[WS_KEY]


def text() -> str:
    """The session's document as canonical JSON text."""
    return st.session_state[DOC_KEY]


def doc() -> dict:
    return json.loads(text())


def scenario() -> sim.Scenario:
    return scenario_of(text())


def projection() -> sim.Projection:
    return projection_of(text())


def status_quo_text() -> str:
    """The document of the preset with status-quo spending (same horizon and assumptions)."""
    d = doc()
    d.pop("spend", None)
    return _canonical(d)


def set_doc(new: dict) -> InputError | None:
    """Replace the document if it is valid; else keep the last good one and return the error."""
    try:
        overrides.apply(new)
    except InputError as exc:
        return exc
    st.session_state[DOC_KEY] = _canonical(new)
    sync_url()
    return None


def text_of(sc: sim.Scenario) -> str:
    """The canonical document text of a scenario (e.g. an optimizer's result), for the caches."""
    return _canonical(overrides.diff(sc))


def set_scenario(sc: sim.Scenario) -> None:
    """Store a scenario (its difference from the preset)."""
    st.session_state[DOC_KEY] = _canonical(overrides.diff(sc))
    sync_url()


def switch_preset(preset_id: str) -> None:
    st.session_state[DOC_KEY] = _canonical({"preset": preset_id})
    for key in [k for k in st.session_state if k.startswith(("w_", "opt_"))]:
        del st.session_state[key]  # widgets of the previous preset
    sync_url()


def sync_url() -> None:
    """Put the scenario and the language in the URL so that a link reproduces the view."""
    d = doc()
    d.pop("format", None)
    qp = {"lang": st.session_state.get("lang", "zh"), "ws": st.session_state.get(WS_KEY, "")}
    if set(d) == {"preset"}:
        qp["preset"] = d["preset"]
    else:
        qp["s"] = json.dumps(d, ensure_ascii=False, separators=(",", ":"))
    if dict(st.query_params) != qp:
        st.query_params.from_dict(qp)
