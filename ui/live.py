"""The scenario page's headline, which the browser recomputes while a budget slider moves
(``ui/live/headline.mjs``, drawn by the board's component: :mod:`ui.board`), from the model pack of
:mod:`sim.uncertainty.pack`.

The board's sliders say what they hold on every pointer or key movement (a ``sim-board-move``
event in the page) and the headline redraws itself from the pack at once. When a slider is
released the part of the page a move changes reruns (the board) and the numbers below, Python's,
replace the browser's (they are equal: ``tests/test_live.py``). The pack is sent once per session
and set of assumptions; the browser keeps it across reruns and asks for it again if it has lost it.
A page opened from a link gets it with the charts' run, not the first: the headline is drawn from
Python's numbers without waiting for its ~1.6 MB (:func:`headline_data`).
"""
from __future__ import annotations

import hashlib
import json

import numpy as np
import streamlit as st

from sim.uncertainty import pack as model_pack
from ui import state
from ui.common import (BAND_DRAWS, BAND_SEED, band, band_line, data_year, fmt_money, fmt_pct, fmt_prob, fmt_score)
from ui.i18n import lang, t

SENT = "live_packs_sent"  # what this session's page holds: its model packs' ids and the board's code's (ui.board)
DRAWN = "live_first_run_done"  # the scenario page's body has run once this session (charts_wait)
LINES = (80.0, 60.0)  # the tier lines drawn in the small score path


@st.cache_resource(max_entries=32, show_spinner=False)
def pack_of(status_quo_text: str) -> tuple[str, dict]:
    """The model pack of a document's assumptions (its spending apart) and its id."""
    p = model_pack.build(state.scenario_of(status_quo_text), BAND_DRAWS, BAND_SEED)
    digest = hashlib.sha1(json.dumps(p, sort_keys=True).encode()).hexdigest()[:16]
    return digest, p


def texts(sc, year: int) -> dict:
    """The headline's labels and templates in the session's language (data/translations.toml)."""
    first = sc.years[0]
    out = {"budget_label": t("program_budget", year=first), "budget_help": t("program_budget_help"),
           "delta_pp": t("delta_pp", d="{d}"), "live_off": t("live_off")}
    if sc.rubric_id:
        out.update(score_label=t("score_in", year=year), score_help=t("score_median_help", n=BAND_DRAWS),
                   pa_label=t("prob_a_metric", year=year), delta_points=t("delta_points", d="{d}"),
                   score_band_line=t("score_band_line", low="{low}", high="{high}"),
                   band_help=t("score_band_note", n=BAND_DRAWS), tier_odds=t("tier_odds", tier="{tier}", p="{p}"),
                   prob_a=t("prob_a", p="{p}"), prob_fall=t("prob_fall", p="{p}"))
    else:
        out.update(score_label=t("targets_met"), pa_label=t("attainment"), caption=t("attainment_caption"))
    return out


@st.cache_resource(max_entries=256, show_spinner=False)
def truth(text: str, year: int, language: str) -> tuple[dict, dict]:
    """Python's headline of a document (the strings the page shows, from the band's draws:
    ``ui.common.band``) and the status quo's numbers the browser measures its changes against;
    kept by the document (a document seen before costs nothing: ~6 ms of the demo's run).
    ``language`` is the session's, which the words are in."""
    sc = state.scenario_of(text)
    budget = fmt_money(float(sc.budget()[0]))
    if sc.rubric_id:
        scored = data_year(sc, year)
        mc, sq_mc = band(text), band(state.status_quo_of(text))
        row, sq_row = mc.score.loc[scored], sq_mc.score.loc[scored]
        delta = row["P50"] - sq_row["P50"]
        tiers = mc.tiers.loc[scored]
        pa, sq_pa = tiers["A"], sq_mc.tiers.loc[scored, "A"]
        abc = tiers[["A", "B", "C"]]
        best = str(abc.idxmax())
        odds = ([] if best == "A" else [t("prob_a", p=f"{pa:.0%}")]) + [t("prob_fall", p=f"{tiers['fall']:.0%}")]
        view = {"median": fmt_score(row["P50"]), "median_delta": t("delta_points", d=f"{delta:+.1f}"),
                "median_moved": bool(abs(delta) >= 0.05), "median_up": bool(delta > 0),
                "pa": fmt_prob(pa), "pa_delta": t("delta_pp", d=f"{(pa - sq_pa) * 100:+.0f}"),
                "pa_moved": bool(abs(pa - sq_pa) >= 0.005), "pa_up": bool(pa - sq_pa > 0),
                "band": band_line(row["P10"], row["P90"]), "tier": best,
                "tier_line": t("tier_odds", tier=best, p=f"{abc[best]:.0%}"), "odds": " · ".join(odds),
                "budget": budget, "path": mc.score[["P10", "P50", "P90"]].to_numpy().tolist()}
        sq = {"median": sq_mc.score["P50"].tolist(), "pa": sq_mc.tiers["A"].tolist()}
        return view, sq
    idx = state.projection_of(text).attainment.attrs["index"]
    base = state.projection_of(state.status_quo_of(text)).attainment.attrs["index"]
    d_met = (idx["share_met"] - base["share_met"]) * 100
    d_att = (base["weighted_shortfall"] - idx["weighted_shortfall"]) * 100
    view = {"median": fmt_pct(idx["share_met"] * 100), "median_delta": t("delta_pp", d=f"{d_met:+.1f}"),
            "median_moved": bool(abs(d_met) >= 0.05), "median_up": bool(d_met > 0),
            "pa": fmt_pct((1 - idx["weighted_shortfall"]) * 100), "pa_delta": t("delta_pp", d=f"{d_att:+.1f}"),
            "pa_moved": bool(abs(d_att) >= 0.05), "pa_up": bool(d_att > 0), "budget": budget}
    return view, {"share_met": base["share_met"], "weighted_shortfall": base["weighted_shortfall"]}


def resend() -> None:
    """The page lost what it held (a reload of its code): send its pack and the board's code again
    (the board's ``need_pack`` and ``need_code`` triggers)."""
    st.session_state[SENT] = set()


def charts_wait() -> bool:
    """Whether this run draws the headline alone: the first run of the scenario page's body in a
    browser session (a page opened from a link). The browser then draws the headline at once, not
    after the page's controls and eight charts, and the headline asks for a run that draws them as
    soon as it is on screen (``drawn``, a rerun of the body). Measured against drawing the controls
    in the first run (bench_app's loads, interleaved in one run, medians of 7): the demo's headline
    1.70 against 2.19 s after navigation (+0.46 against +0.98 s over the trivial page), Handan's
    1.80 against 1.95 s. Any later run draws everything (:func:`first_run_done`), whether the
    browser asked or not; a session without a browser (a script, the test harness) never waits."""
    return not st.session_state.get(DRAWN) and bool(st.context.headers.get("User-Agent"))


def first_run_done() -> None:
    """Called at the end of the scenario page's body: every later run draws the charts."""
    st.session_state[DRAWN] = True


def headline_data(sc, year: int, projector: bool = False) -> dict:
    """What the headline row draws: Python's numbers now, and the pack for the browser's while a
    budget slider moves (the board mounts it: :func:`ui.board.board`).

    The model pack goes with the first run that draws the charts: a page's first run
    (:func:`charts_wait`) sends Python's numbers alone, so that the browser draws them without
    first taking in the pack (~1.6 MB of draws). Measured, alternating with the version before:
    over a phone's 4G network as Chromium emulates it (12 Mbit/s, 40 ms) the demo's headline is in
    the page at 3.4 s against 5.2 s, its first chart at 7.3 s against 7.0 s; on this machine's own
    network no sooner (paired median +90 ms, noise ±300 ms). The browser moves with a slider once
    the charts' run, which it asks for as soon as the headline is drawn (a ``drawn`` trigger, which
    only reruns), has brought the pack."""
    pack_id, pack = pack_of(state.status_quo_text())
    sent = st.session_state.setdefault(SENT, set())
    wait = charts_wait()
    view, sq = truth(state.text(), year, lang())
    data = {"pack_id": pack_id, "pack": None if pack_id in sent or wait else pack, "truth": view, "sq": sq,
            "rubric": bool(sc.rubric_id), "year_index": data_year(sc, year) - sc.base_year,
            "rows": np.asarray(sc.spend_matrix()).tolist(), "text": texts(sc, year), "lines": list(LINES),
            "projector": projector,
            "signal_drawn": wait}
    if not wait:
        sent.add(pack_id)
    return data
