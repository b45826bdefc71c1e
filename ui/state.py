"""The session's scenario: a JSON document (sim.scenarios.overrides) in st.session_state and the URL.

Nothing here is module-level mutable state: each browser session has its own document; the
caches below hold immutable results keyed by the document's text, shared safely.
"""
from __future__ import annotations

import json
from urllib.parse import urlencode

import streamlit as st

import sim
from sim.files.errors import InputError
from sim.files.loaders import preset_ids
from sim.model.params import Params
from sim.model.projection import prepare
from sim.scenarios import overrides
from ui import history

DEFAULT_PRESET = "demo"
DOC_KEY = "scenario_doc"
WS_KEY = "workspace"
PREVIOUS_WS_KEY = "workspace_previous"  # the browser's workspace before a workspace link replaced it
HIST_KEY = "history"
LINK_KEY = "short_link"  # (id, document text) of the short link the session opened
NAME_KEY = "scenario_name"  # (name, document text) of a saved or linked scenario


@st.cache_resource(max_entries=512, show_spinner=False)
def scenario_of(text: str) -> sim.Scenario:
    """The scenario of a document's JSON text (validated; cached)."""
    return overrides.apply(json.loads(text))


@st.cache_resource(max_entries=512, show_spinner=False)
def projection_of(text: str) -> sim.Projection:
    """``sim.model.simulate`` of a document (cached; callers must not mutate the frames), taking
    what no spending moves from its status quo's (:func:`unmoved`)."""
    return sim.simulate(scenario_of(text), unmoved(status_quo_of(text)))


@st.cache_resource(max_entries=64, show_spinner=False)
def unmoved(status_quo_text: str) -> Params:
    """What no spending moves in a set of assumptions' central projection, projected once
    (``sim.model.projection.prepare`` of the status quo's scenario) for every spending of it."""
    return prepare(scenario_of(status_quo_text))


def _canonical(doc: dict) -> str:
    return json.dumps(doc, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def init() -> None:
    """On a session's first run: the document from the URL (a short link ``?id=``, ``?s=`` or
    ``?preset=``), else the default preset. A broken link falls back to the default and says so."""
    if WS_KEY not in st.session_state:
        st.session_state[WS_KEY] = _workspace()
    if DOC_KEY in st.session_state:
        return
    qp = st.query_params
    doc = {"preset": DEFAULT_PRESET}
    if "id" in qp:
        doc = _linked(qp.get("id")) or doc
    elif "s" in qp:
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


def _linked(short: str) -> dict | None:
    """The document of a short link (``?id=…``, :func:`ui.store.link`), its name kept for the
    briefings; None with the reason kept for the page (an unknown id: the default scenario)."""
    from ui import store

    try:
        text, name = store.resolve(short)
        doc = overrides.parse(text)
        overrides.apply(doc)
    except InputError as exc:
        st.session_state["link_error"] = exc
        return None
    st.session_state[LINK_KEY] = (short.strip().lower(), _canonical(doc))
    if name:
        st.session_state[NAME_KEY] = (name, _canonical(doc))
    return doc


def _name_of(named: tuple[str, str] | None, doc_text: str) -> str:
    """The name of ``named`` (name, document text) while the document is still ``doc_text``, else ""."""
    return named[0] if named and named[1] == doc_text else ""


def name() -> str:
    """The scenario's name while it is the saved or linked scenario of that name, else ""."""
    return _name_of(st.session_state.get(NAME_KEY), text())


def reader():
    """A function giving this session's document text and name when it is called, from any thread:
    a download written when it is clicked serves the scenario then on screen, however often the
    sliders moved since the button was drawn (it holds the session's own state, not a copy)."""
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx()
    if ctx is None:  # outside a session (a script): what it is now
        now = (text(), name())
        return lambda: now
    session = ctx.session_state

    def read() -> tuple[str, str]:
        doc_text = session[DOC_KEY]
        return doc_text, _name_of(session[NAME_KEY] if NAME_KEY in session else None, doc_text)
    return read


def set_name(name: str) -> None:
    """Name the session's scenario as it is now (a saved scenario loaded, a link opened)."""
    st.session_state[NAME_KEY] = (name, text())


def _workspace() -> str:
    """The session's workspace (its saved scenarios): the one an explicit workspace link
    (``?ws=…``, the Compare page's "share this workspace") opens, else the one this browser
    remembers (:mod:`ui.cookie`), else a new one. A workspace opened by link becomes this
    browser's; the one it replaced is offered on the Compare page. A malformed ``ws`` is
    refused with a warning and a new workspace made."""
    from ui import cookie, store

    remembered = cookie.read()
    try:
        remembered = store.check_workspace(remembered) if remembered else None
    except InputError:
        remembered = None
    if "ws" in st.query_params:
        try:
            ws = store.check_workspace(st.query_params.get("ws"))
        except InputError as exc:
            st.session_state["init_error"] = exc
        else:
            if remembered and remembered != ws:
                st.session_state[PREVIOUS_WS_KEY] = remembered
            return ws
    return remembered or store.new_workspace()


def workspace() -> str:
    """The session's workspace id (its saved scenarios); never in a scenario's link."""
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
    return status_quo_of(text())


def status_quo_of(doc_text: str) -> str:
    """The status quo's document of a document: its assumptions without its spending."""
    d = json.loads(doc_text)
    d.pop("spend", None)
    return _canonical(d)


def _replace(new_text: str, what: str = "", url: bool = True) -> None:
    """Make ``new_text`` the document and record the change for undo (``what`` names a change
    made as a whole, see :func:`ui.history.describe`); ``url``: write the address too."""
    old = st.session_state.get(DOC_KEY)
    if old is not None:
        st.session_state[HIST_KEY] = history.record(hist(), old, new_text, what)
    st.session_state[DOC_KEY] = new_text
    if url:
        sync_url()


def set_doc(new: dict, what: str = "", url: bool = True) -> InputError | None:
    """Replace the document if it is valid; else keep the last good one and return the error.
    Checked by building its scenario through the cache the page then reads (:func:`scenario_of`):
    a slider's release parses its document once, not twice (~17 ms of the demo's run, measured).
    ``url=False``: the caller has the browser write the address (the board: :func:`query_string`)."""
    text = _canonical(new)
    try:
        scenario_of(text)
    except InputError as exc:
        return exc
    _replace(text, what, url)
    return None


def text_of(sc: sim.Scenario) -> str:
    """The canonical document text of a scenario (e.g. an optimizer's result), for the caches."""
    return _canonical(overrides.diff(sc))


def set_scenario(sc: sim.Scenario, what: str = "") -> None:
    """Store a scenario (its difference from the preset)."""
    _replace(_canonical(overrides.diff(sc)), what)


def _forget_widgets() -> None:
    for key in [k for k in st.session_state if k.startswith(("w_", "opt_"))]:
        del st.session_state[key]  # widgets of the previous preset


def switch_preset(preset_id: str, what: str = "") -> None:
    """The preset's own scenario (a preset switch, or ``what="reset"`` for the same preset)."""
    before = doc().get("preset") if DOC_KEY in st.session_state else None
    _replace(_canonical({"preset": preset_id}), what)
    if before != preset_id:
        _forget_widgets()


# ---------------------------------------------------------------------- undo and redo
def hist() -> dict:
    """The session's history of changes (:mod:`ui.history`)."""
    return st.session_state.get(HIST_KEY) or history.empty()


def undo() -> bool:
    """Go back one change (False when there is none)."""
    return _step(history.undo)


def redo() -> bool:
    """Go forward one undone change (False when there is none)."""
    return _step(history.redo)


def _step(move) -> bool:
    new_hist, text = move(hist())
    if text is None:
        return False
    before = doc()["preset"]
    st.session_state[HIST_KEY] = new_hist
    st.session_state[DOC_KEY] = text
    if json.loads(text)["preset"] != before:
        _forget_widgets()
    st.session_state["preset"] = json.loads(text)["preset"]
    sync_url()
    return True


@st.cache_resource(max_entries=512, show_spinner=False)
def _described(before: str, after: str, what: str | None, lang: str) -> str:
    """A change in words (:func:`ui.history.describe`), kept by its two documents: the undo bar
    says it on every run (~3 ms of a slider's release to compute again)."""
    return history.describe({"before": before, "after": after, "what": what}, lang, scenario_of)


def _words(entry: dict, lang: str) -> str:
    return _described(entry["before"], entry["after"], entry.get("what"), lang)


def last_change(lang: str) -> str | None:
    """The last undoable change in words, or None."""
    past = hist()["past"]
    return _words(past[-1], lang) if past else None


def next_redo(lang: str) -> str | None:
    """The change a redo would make again, in words, or None."""
    future = hist()["future"]
    return _words(future[-1], lang) if future else None


def sync_url() -> None:
    """Put the scenario and the language in the URL so that a link reproduces the view (Streamlit's
    page_info message; the board's release writes it in the browser instead: :func:`query_string`)."""
    qp = url_query()
    if dict(st.query_params) != qp:
        st.query_params.from_dict(qp)


def query_string() -> str:
    """The URL's query for the view, encoded as Streamlit encodes it. The scenario board writes it
    into the address bar itself (``history.replaceState``) when a slider's release changes the
    document: Streamlit's page_info message re-renders the whole app and sent each release as a
    history entry (8-14 ms of a release's whole page: three runs of a release's timeline in the
    page, interleaved with the code before, medians of 32-40 key presses). A later whole run finds
    Streamlit's own copy of the query behind and writes it once."""
    return urlencode(url_query(), doseq=True)


def url_query() -> dict[str, str]:
    """What the URL holds: the language, the room's modes, the guide dismissed, and the scenario
    (its short link while unchanged, its preset, or its document)."""
    d = doc()
    d.pop("format", None)
    qp = {"lang": st.session_state.get("lang", "zh")}  # never the workspace: a link shares a scenario
    if st.session_state.get("projector"):
        qp["projector"] = "1"
    if st.session_state.get("present"):
        qp["present"] = "1"
    if st.session_state.get("tour_done") or st.query_params.get("tour") == "0":
        qp["tour"] = "0"
    linked = st.session_state.get(LINK_KEY)
    if linked and linked[1] == text():  # still the scenario a short link opened: keep the short link
        qp["id"] = linked[0]
    elif set(d) == {"preset"}:
        qp["preset"] = d["preset"]
    else:
        qp["s"] = json.dumps(d, ensure_ascii=False, separators=(",", ":"))
    return qp
