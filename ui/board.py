"""The scenario page's board: the headline (:mod:`ui.live`), the guide on a touch browser, the budget
sliders, the undo bar, the charts and the tables that a budget move changes, drawn by one component
(``ui/live/board.mjs`` with ``headline.mjs`` linked in: :func:`linked_script`; components v2), whose
code comes once a page in its data (:func:`board_code`, run by ``ui/live/loader.mjs``).

Why one component: a slider's release reruns the fragment that holds it, and Streamlit sends and
the browser lays out again every element of that run, changed or not. The page's body had ~60
(sliders, captions, eight Vega charts, tables, buttons): 190-250 ms of a release against 26-35 ms
for a page of one slider and one number (bench/bench_app.py). The release's fragment now holds
this component alone.

Python decides every number and word here (the same functions the briefing reads); the browser
draws them. The board's events (a released slider, undo/redo/reset, a table opened) reach the
page as trigger values (and the headline's ``need_pack`` and ``drawn``, the guide's ``tour``);
their callbacks queue them (:data:`PENDING`) and :func:`apply_pending`
applies them at the start of the fragment's run, so a test can queue a move the same way.
"""
from __future__ import annotations

import hashlib
import json
import math
import re
from pathlib import Path

import numpy as np
import pandas as pd
import streamlit as st

from report import charts, labels
from sim.model.rubric import load_rubric
from sim.model.scenario import whole_split
from ui import live, state, tour
from ui.common import (BAND_DRAWS, band, chart_scale, chart_titles, data_year, fmt_money, fmt_quantity, ind_label,
                       is_count, next_points, prog_name, reading_caption, with_unit)
from ui.i18n import lang, t

HERE = Path(__file__).parent / "live"
IMPORT = re.compile(r'^import \{ ([\w, ]+) \} from "\./headline\.mjs";$', re.M)


def linked_script() -> str:
    """``board.mjs`` with the module it imports (``headline.mjs``) in place of its import: the
    loader runs one module from the page's data (Streamlit serves files only to components
    installed as a package). The headline's code goes in a scope of its own (its names cannot meet the board's),
    its ``export`` words dropped, and gives the board the names it imports; Node and the tests
    import both files as they are."""
    board_js, head_js = ((HERE / name).read_text(encoding="utf-8") for name in ("board.mjs", "headline.mjs"))
    found = IMPORT.findall(board_js)
    if len(found) != 1 or re.search(r"^\s*(import|export\s+default)\b", head_js, re.M):
        raise RuntimeError("ui/live/board.mjs must import from ./headline.mjs once; headline.mjs imports "
                           "nothing and has no default export")
    body = re.sub(r"^export (?=(?:async )?function|const|let|class)", "", head_js, flags=re.M)
    names = "{ " + found[0] + " }"
    return IMPORT.sub(lambda _: f"const {names} = (() => {{\n{body}\nreturn {names};\n}})();", board_js)


def board_code() -> dict:
    """What the browser runs and styles the board with, sent in the board's data while the page
    lacks it (:func:`board`): ``js`` (:func:`linked_script`), ``css`` and ``id`` (their hash)."""
    js = linked_script()
    css = "\n".join((HERE / name).read_text(encoding="utf-8") for name in ("headline.css", "board.css"))
    return {"id": hashlib.sha256((js + css).encode()).hexdigest()[:16], "js": js, "css": css}


# The component's own code is ui/live/loader.mjs alone: Streamlit sends a component's inline code
# with every run (the board's 62 kB of JavaScript and 10 kB of CSS in each release's message),
# so the board's code comes once a page in its data and the loader keeps it (ui/live/loader.mjs).
CODE = board_code()
_component = st.components.v2.component(
    "sim_board", js=(HERE / "loader.mjs").read_text(encoding="utf-8"), isolate_styles=False)
KEY = "scenario_board"
PENDING = "board_pending"  # the board's events not yet applied: [(kind, value)]
SEQ = "board_seq"  # the number the browser gave the last move the document holds
OPEN = "board_open"  # the tables a reader opened or closed: {"plan_0" | "plan_1" | "next": bool}
ERROR = "scenario_error"  # a document the page could not apply, said on the next run
STEP = 1.0  # whole 万元: a slider, the budget figure, the tables, the briefing and the link show one number
EVENTS = ("move", "history", "open")
HISTORY = ("undo", "redo", "reset")


class Keys:
    """The budget sliders' range (万元) and keys (each slider's box carries ``st-key-<key>``)."""

    def __init__(self, sc) -> None:
        first = sc.spend_matrix()[:, 0]
        sq_total = float(sc.status_quo_matrix()[:, 0].sum())
        self.top = float(np.ceil(max(5 * sq_total, 3000.0, float(first.sum()))))
        self.total = f"board_total_{sc.preset_id}"
        self.programs = [f"board_sp_{sc.preset_id}_{p}" for p in sc.programs]


# ---------------------------------------------------------------------- events
def _queue(kind: str) -> None:
    value = (st.session_state.get(KEY) or {}).get(kind)
    if value is not None:
        st.session_state.setdefault(PENDING, []).append((kind, value))


CALLBACKS = {f"on_{kind}_change": (lambda kind=kind: _queue(kind)) for kind in EVENTS}


def moved(doc: dict, sc, move: dict, top: float) -> dict | None:
    """The document after the budget sliders are released at ``move``: ``{"total": T}`` (the
    programs split it as they stand, in whole 万元: ``whole_split``) or ``{"programs": [...]}``
    (each program's first-year 万元; a program within half a 万元 of its amount has not moved: a
    browser's snapping); None when nothing moved or a value is not a number. Values beyond the
    sliders' range are brought to it."""
    def value(v) -> float | None:
        try:
            v = float(v)
        except (TypeError, ValueError):
            return None
        return min(max(v, 0.0), top) if math.isfinite(v) else None

    first = [float(v) for v in sc.spend_matrix()[:, 0]]
    d = json.loads(json.dumps(doc))
    if "total" in move:
        total = value(move["total"])
        if total is None or abs(total - sum(first)) < STEP / 2:
            return None
        d["spend"] = {p: int(v) for p, v in zip(sc.programs, whole_split(total, first))}  # adds up to the total
        return d
    values = move.get("programs")
    if not isinstance(values, list) or len(values) != len(first):
        return None
    changed = False
    for p, v, f in zip(sc.programs, (value(v) for v in values), first):
        if v is not None and abs(v - f) >= STEP / 2:
            d.setdefault("spend", {})[p] = int(round(v))
            changed = True
    return d if changed else None


def apply_pending(keys: Keys) -> None:
    """Apply the board's queued moves and tables opened or closed, in the fragment's run: a move
    writes the document (an invalid one is kept out and said on the next run). Undo, redo and
    reset rerun the whole page, which applies them (:func:`apply_history`) before its widgets are
    drawn: the preset picker shows the scenario's preset, every other control starts afresh."""
    events = st.session_state.pop(PENDING, [])
    for i, (kind, value) in enumerate(events):
        if kind == "history" and value in HISTORY:  # it and what came after it: after the whole run's
            st.session_state[PENDING] = events[i:]
            st.rerun()
        if kind == "move" and isinstance(value, dict):
            new = moved(state.doc(), state.scenario(), value, keys.top)
            if new is not None:
                if (err := state.set_doc(new, url=False)) is not None:  # the board writes the address
                    st.session_state[ERROR] = err
                st.session_state["w_synced"] = state.text()  # the page's own change: its other controls stay
            if isinstance(value.get("seq"), (int, float)):
                st.session_state[SEQ] = value["seq"]
        elif kind == "open" and isinstance(value, dict) and value.get("table") in ("plan_0", "plan_1", "next"):
            st.session_state.setdefault(OPEN, {})[value["table"]] = bool(value.get("open"))


def apply_history() -> None:
    """Undo, redo or reset from the board (app.py, before the sidebar's widgets): the steps at the
    head of the queue (a move queued before a step is the fragment's to apply first, which then
    hands the step back here); one that is not a step is dropped."""
    events = st.session_state.get(PENDING, [])
    k = next((i for i, (kind, _) in enumerate(events) if kind != "history"), len(events))
    if not k:
        return
    st.session_state[PENDING] = events[k:]
    for value in [value for _, value in events[:k] if value in HISTORY]:
        if value == "reset":
            state.switch_preset(state.doc()["preset"], what="reset")
        else:
            (state.undo if value == "undo" else state.redo)()


# ---------------------------------------------------------------------- what the board shows
def controls(sc, text: str, keys: Keys) -> dict:
    first = sc.spend_matrix()[:, 0]
    growth = f"{sc.budget_growth():.1%}"
    y0 = sc.years[0]
    return {"heading": t("budget_heading"), "top": keys.top, "step": STEP, "unit": t("wan"),
            "total": {"key": keys.total, "label": t("total_budget", year=y0), "value": float(first.sum()),
                      "help": t("total_budget_help", sq=fmt_money(float(sc.status_quo_matrix()[:, 0].sum())), growth=growth)},
            "caption": t("budget_path_caption", year=y0, growth=growth, mode=t(f"status_quo_{sc.status_quo_mode}")),
            "split_heading": t("split_heading", year=y0), "varies": t("split_varies") if _varies(text) else "",
            "programs": [{"key": k, "id": p, "label": prog_name(p), "value": float(v)}
                         for p, k, v in zip(sc.programs, keys.programs, first)],
            "split_caption": t("split_step_caption", year=y0)}


def history() -> dict:
    h = state.hist()
    last = state.last_change(lang())
    return {"undo": bool(h["past"]), "redo": bool(h["future"]), "reset": set(state.doc()) != {"preset"},
            "last": t("last_change", change=last) if last else t("no_change_yet"),  # plain text (textContent)
            "labels": {name: t(name) for name in ("undo", "redo", "reset")}
            | {f"{name}_help": t(f"{name}_help") for name in ("undo", "redo", "reset")}}


def score_path(sc, text: str, year: int) -> dict:
    """The score by year: the scenario's median with its band, the status quo's median, the tier lines."""
    mc, sq_mc = band(text), band(state.status_quo_of(text))
    titles = chart_titles(year=t("year_axis_" + sc.tier_reading))
    scen = mc.score[["P10", "P50", "P90"]].to_numpy()
    years = [sc.assessed_year(y) for y in mc.score.index]
    tips = lambda y, v, name: f"{y} · {name} · {titles['median']} {v:.1f}"  # noqa: E731
    return {"heading": t("path_heading"), "caption": reading_caption(sc, year), "note": t("band_caption"),
            "years": years, "scenario": scen.tolist(), "status_quo": sq_mc.score["P50"].tolist(),
            "scenario_tips": [f"{tips(y, r[1], t('series_scenario'))} ({r[0]:.1f}–{r[2]:.1f})" for y, r in zip(years, scen)],
            "status_quo_tips": [tips(y, v, t("series_status_quo")) for y, v in zip(years, sq_mc.score["P50"])],
            "series": [t("series_scenario"), t("series_status_quo")], "score_title": titles["score"],
            "lines": [{"y": 80, "label": t("tier_line", tier="A")}, {"y": 60, "label": t("tier_line", tier="B")}],
            "y_min": charts.score_floor(pd.concat([mc.score, sq_mc.score]))}


def groups(sc, text: str, year: int) -> dict:
    scored = data_year(sc, year)
    proj = state.projection_of(text)
    rows = []
    for g in load_rubric(sc.rubric_id).groups:
        earned = float(proj.scores.loc[scored, g.id])
        rows.append({"name": getattr(g, lang()), "earned": earned, "max": float(g.max_points),
                     "label": f"{earned:.1f} / {g.max_points:g}"})
    for r in rows:
        r["tip"] = f"{r['name']}: {r['label']}"
    return {"heading": t("groups_heading", year=year, data=scored), "caption": t("groups_caption"), "rows": rows}


def indicators(sc, text: str, projector: bool) -> dict | None:
    """Up to six key indicators (those with level targets, else the preset's shown ones)."""
    proj = state.projection_of(text)
    keys = [tg for tg in sc.targets if tg.kind == "level" and tg.indicator in proj.indicators]
    shown = list(dict.fromkeys(tg.indicator for tg in keys))[:6] or [q for q in sc.shown if q in proj.indicators][:6]
    if not shown:
        return None
    years = [int(y) for y in proj.indicators.index]
    items = []
    for q in shown:
        values = [float(v) for v in proj.indicators[q]]
        targets = [{"year": g.year, "value": float(g.value),
                    "label": f"{g.year} · {t('target')} {with_unit(q, fmt_quantity(q, float(g.value), False))}"}
                   for g in keys if g.indicator == q and g.year <= sc.horizon]
        items.append({"title": ind_label(q), "years": years, "values": values, "targets": targets,
                      "labels": [f"{y} · {with_unit(q, fmt_quantity(q, v, y > sc.base_year))}" for y, v in zip(years, values)]})
    return {"heading": t("key_indicators"), "per_row": 2 if projector else 3, "items": items,
            "caption": t("expected_counts_caption") if any(is_count(q) for q in shown) else ""}


def _rows(frame: pd.DataFrame) -> dict:
    flat = frame.reset_index()
    return {"columns": [str(c) for c in flat.columns], "rows": [[str(v) for v in row] for row in flat.itertuples(index=False)]}


@st.cache_resource(max_entries=512, show_spinner=False)
def _varies(text: str) -> bool:
    """Whether a document's split varies by year (``Scenario.planned_by_year``: ~2.5 ms a run)."""
    return bool(state.scenario_of(text).planned_by_year())


def plan_name(text: str, projector: bool) -> tuple[str, bool]:
    """The 年度安排 table's name for its open state and whether it opens by itself: when the split
    of the document ``text`` varies by year (not in projector mode)."""
    default = _varies(text) and not projector
    return f"plan_{int(default)}", default


def plan(sc, name: str, opened: bool) -> dict:
    """年度安排: every program's amount in every projected year with the yearly total; its rows only
    while open."""
    out = {"name": name, "open": opened, "heading": t("plan_table_heading"), "caption": t("plan_table_caption")}
    return out | (_rows(labels.plan_frame(sc, lang())) if opened else {})


def next_money(sc, text: str, year: int, opened: bool) -> dict:
    """What 100万 more a year buys in each program (ui.common.next_points): the points the rubric pays
    for the spending itself and those the program causes, what it causes, money a post-award rule
    cannot pay (middle values, the range eight outcomes in ten fall in). Computed only while open:
    ~0.1 s of each release at a new spending (the demo's, measured)."""
    out = {"name": "next", "open": opened, "heading": t("next_points_heading", year=year),
           "caption": t("next_points_caption_split" if sc.rubric_id else "next_points_caption", n=BAND_DRAWS)}
    if not opened:
        return out
    gains, units = next_points(text, year)
    unit = t("points_per_100") if sc.rubric_id else t("pp_per_100")
    table = pd.DataFrame({t("program"): gains["program"].map(prog_name),
                          unit: [f"{m:.2f}" for m in gains["total_P50"]],
                          t("next_range"): [labels.band(a, b, 2) for a, b in zip(gains["total_P10"], gains["total_P90"])]})
    if sc.rubric_id:
        table[t("next_booked")] = [f"{m:.2f}" for m in gains["booked_P50"]]
        table[t("next_caused")] = [f"{m:.2f} ({labels.band(a, b, 2)})" for m, a, b in
                                   zip(gains["caused_P50"], gains["caused_P10"], gains["caused_P90"])]
        table[t("next_units")] = [labels.caused_units(units[units["program"] == p], lang()) for p in gains["program"]]
        table[t("next_unspent")] = [fmt_money(v) if v > 0.5 else "—" for v in gains["unspent"]]
    return out | _rows(table.set_index(t("program")))


@st.cache_resource(max_entries=256, show_spinner=False)
def figures(text: str, year: int, projector: bool, language: str, plan_open: bool, next_open: bool) -> dict:
    """What the board shows of a document (its sliders, charts and tables), kept by the document and
    the view: a document seen before (undo, a slider moved back) is drawn without computing it again
    (~7 ms of the demo's run). ``language`` is the session's, which the words are in."""
    sc = state.scenario_of(text)
    name, _ = plan_name(text, projector)
    out = {"controls": controls(sc, text, Keys(sc)), "indicators": indicators(sc, text, projector),
           "plan": plan(sc, name, plan_open), "next": None if projector else next_money(sc, text, year, next_open)}
    if sc.rubric_id:
        base = float(band(text).score.loc[sc.base_year, "P50"])
        out |= {"path": score_path(sc, text, year), "groups": groups(sc, text, year),
                "peers": labels.peers_text(sc, data_year(sc, year), year, base, language)}
    return out


def data(sc, year: int, projector: bool) -> dict:
    """Everything the board draws in this run: :func:`figures` with the undo bar, the number of
    the move the document holds and a message the last change left."""
    name, default = plan_name(state.text(), projector)
    opened = st.session_state.get(OPEN, {})
    err = st.session_state.pop(ERROR, None)
    return {"seq": st.session_state.get(SEQ, 0), "projector": projector, "scale": chart_scale(),
            "history": history(), "error": err.message(lang()) if err else "", "url": state.query_string(),
            **figures(state.text(), year, projector, lang(), opened.get(name, default), opened.get("next", False))}


def encoded(payload: dict) -> bytes:
    """The board's data as it is sent: JSON bytes, which the loader parses (ui/live/loader.mjs).
    Given a dict, Streamlit walks it for dataframes, writes it as JSON and writes it once more with
    sorted keys to hash an identity that the component's key already decides; bytes it sends as
    they are, with a hash of them. Measured on the demo's data: a release's 0.8 against 0.2 ms of
    the server's time, a page's first run with the model pack 12 against 6.6 ms."""
    return json.dumps(payload, separators=(",", ":")).encode()


def board(sc, year: int, projector: bool, top: dict, charts: bool = True) -> dict:
    """Draw the board: what stands above it (``top``: ``headline``, :func:`ui.live.headline_data`,
    and ``tour``, :func:`ui.tour.inline_data`), then, unless ``charts`` is False (a page's first
    run: :func:`ui.live.charts_wait`), the sliders, charts and tables. Returns what it was given
    (for the tests: :func:`tests.helpers.board_data`)."""
    payload = {**top, **(data(sc, year, projector) if charts else {})}
    held = st.session_state.setdefault(live.SENT, set())  # what the page holds, as the model packs
    if CODE["id"] not in held:  # a page's first run (or the page lost it: need_code)
        payload["code"] = CODE
        held.add(CODE["id"])
    _component(key=KEY, data=encoded(payload), height="content", on_need_pack_change=live.resend,
               on_need_code_change=live.resend, on_tour_change=tour.finish, **CALLBACKS)
    return payload
