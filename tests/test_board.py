"""The scenario page's board (ui.board): a slider's release writes the document the page has
always written for it (tests/live_check.document_of, from which the browser's equality check
computes its spending), whatever the browser sends; the board's tables and its undo bar."""
from __future__ import annotations

import json

import pytest
from helpers import board_data, board_event, budget, open_app
from live_check import case, document_of, top_of

import sim
from ui import board


@pytest.mark.parametrize("preset", [p["id"] for p in sim.list_presets()])
def test_a_release_writes_the_document_the_slider_vectors_stand_for(preset):
    """Boundary and random vectors, from the preset's document and from a plan's: the same document
    as live_check's (None from the board: nothing moved, the document stays)."""
    c = case(preset, n=1000)
    for b, move in c.vectors:
        got = board.moved(c.docs[b], c.bases[b], move, top_of(c.bases[b]))
        assert (c.docs[b] if got is None else got) == document_of(c.docs[b], c.bases[b], move), move


def test_what_no_slider_can_send_moves_nothing_or_stays_in_the_sliders_range():
    sc = sim.load_preset("demo")
    doc, top, first = {"preset": "demo"}, top_of(sc), [float(v) for v in sc.spend_matrix()[:, 0]]
    for bad in ({"total": float("nan")}, {"total": "很多"}, {"total": None}, {"programs": first[:-1]},
                {"programs": "x"}, {"programs": [float("inf")] + first[1:]}, {}):
        assert board.moved(doc, sc, bad, top) is None, bad
    assert board.moved(doc, sc, {"programs": [1e12] + first[1:]}, top)["spend"] == {sc.programs[0]: int(top)}
    assert sum(board.moved(doc, sc, {"total": -5.0}, top)["spend"].values()) == 0


def test_a_hostile_event_leaves_the_scenario_and_says_nothing_wrong():
    at = open_app("demo")
    for kind, value in (("move", {"total": "abc", "seq": 1}), ("move", ["not", "a", "move"]), ("open", {"table": "x"}),
                        ("history", "format c:"), ("open", "yes")):
        board_event(at, kind, value)
        assert not at.exception and json.loads(at.session_state["scenario_doc"]) == {"preset": "demo"}, (kind, value)
    assert budget(at)["total"] == float(sim.load_preset("demo").spend_matrix()[:, 0].sum())


def test_the_board_echoes_the_move_its_document_holds():
    """A run answers the browser's move by its number, so that a run answering an older move than
    one made since does not move the sliders back (ui/live/board.mjs)."""
    at = open_app("demo")
    assert board_data(at)["seq"] == 0
    board_event(at, "move", {"seq": 1733400000001, "programs": [budget(at)[p] + (p == "talent") for p in
                                                                sim.load_preset("demo").programs]})
    assert board_data(at)["seq"] == 1733400000001 and budget(at)["talent"] == 127.0


def test_events_that_arrive_together_keep_their_order():
    """A move and an undo in one run (a quick hand): the move, then its undo; an undo, then a move:
    the move stays."""
    at = open_app("demo")
    programs = sim.load_preset("demo").programs
    moved_to = [budget(at)[p] + 5 * (p == "talent") for p in programs]
    at.session_state[board.PENDING] = [("move", {"seq": 1, "programs": moved_to}), ("history", "undo")]
    at.run()
    assert json.loads(at.session_state["scenario_doc"]) == {"preset": "demo"} and not at.exception
    at.session_state[board.PENDING] = [("history", "redo"), ("move", {"seq": 2, "programs": [v + 1 for v in moved_to]})]
    at.run()
    first = sim.load_preset("demo").spend_matrix()[:, 0]
    want = {p: int(v) + 1 for p, v, f in zip(programs, moved_to, first) if abs(v + 1 - f) >= 0.5}
    assert json.loads(at.session_state["scenario_doc"])["spend"] == want and not at.exception
