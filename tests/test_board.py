"""The scenario page's board (ui.board): a slider's release writes a document whose spending is
the one the browser's equality check computes for it (tests/live_check.spend_matrix_of), whatever
the browser sends; its events, the undo bar's among them, in the order they came."""
from __future__ import annotations

import json
from urllib.parse import parse_qs

import numpy as np
import pytest
from helpers import board_data, board_event, board_proto, budget, move, open_app
from live_check import case, spend_matrix_of, top_of

import sim
from sim.scenarios import overrides
from ui import board, live


@pytest.mark.parametrize("preset", [p["id"] for p in sim.list_presets()])
def test_a_release_writes_the_spending_the_live_check_computes(preset):
    """The boundary vectors and a sample of the random ones, from the preset's document and from a
    plan's: the document the board writes (unchanged when nothing moved) has the spending the live
    check's vectors stand for, and a moved program is written in whole 万元. (A sample: a document's
    scenario takes up to 0.2 s to build, Xiangtan's calibration.)"""
    c = case(preset, n=300)
    for b, move in c.vectors[:45] + c.vectors[45:-30:40] + c.vectors[-30::3]:
        doc = board.moved(c.docs[b], c.bases[b], move, top_of(c.bases[b])) or c.docs[b]
        np.testing.assert_array_equal(overrides.apply(doc).spend_matrix(), spend_matrix_of(c.bases[b], move), err_msg=str(move))
        assert all(isinstance(v, int) for v in (doc.get("spend") or {}).values() if not isinstance(v, list)), doc


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


def test_the_component_s_module_is_the_board_with_the_headline_linked_in(tmp_path, monkeypatch):
    """Streamlit runs one inline module per component: ``ui.board.linked_script`` puts the headline's
    code (headline.mjs) in place of board.mjs's import. Node loads the result with no import left
    and finds the board's mount; the headline's names stay in their own scope. A board.mjs without
    the import, or a headline.mjs with a default export, is refused at once."""
    import shutil
    import subprocess

    js = board.linked_script()
    assert "./headline.mjs" not in js and js.count("export default") == 1
    path = tmp_path / "linked.mjs"
    path.write_text(js, encoding="utf-8")
    out = subprocess.run([shutil.which("node"), "--input-type=module", "-e",
                          f"const m = await import({json.dumps(path.as_uri())}); "
                          "console.log(typeof m.default, typeof m.mountHeadline, typeof m.ticks)"],
                         capture_output=True, text=True, timeout=60)
    assert out.stdout.split() == ["function", "undefined", "function"], out.stderr
    for name, old, new in (("board.mjs", 'from "./headline.mjs";', 'from "./other.mjs";'),
                           ("headline.mjs", "export function mountHeadline", "export default function mountHeadline")):
        folder = tmp_path / name
        shutil.copytree(board.HERE, folder)
        src = (folder / name).read_text(encoding="utf-8")
        assert old in src
        (folder / name).write_text(src.replace(old, new, 1), encoding="utf-8")
        monkeypatch.setattr(board, "HERE", folder)
        with pytest.raises(RuntimeError, match="headline.mjs"):
            board.linked_script()


def test_the_board_s_code_comes_with_a_page_s_first_run_not_with_every_release():
    """The component's own code is the loader (ui/live/loader.mjs). The board's code, the linked
    module and its style sheet, goes in the data of the page's first run; a release carries the
    data alone; once the page has lost it (the loader's need_code, whose callback forgets that it
    was sent) the next run sends it again."""
    at = open_app("demo")
    code = board_data(at)["code"]
    assert code["js"] == board.linked_script() and ".simlive" in code["css"] and ".board-slider" in code["css"]
    assert code["id"] == board.CODE["id"]
    proto = board_proto(at)
    assert proto.js_content == (board.HERE / "loader.mjs").read_text(encoding="utf-8") and not proto.css_content
    move(at, total=budget(at)["total"] + 10)
    assert "code" not in board_data(at) and not at.exception
    at.session_state[live.SENT] = set()  # what ui.live.resend, the need_code callback, does
    move(at, total=budget(at)["total"] + 10)
    assert board_data(at)["code"] == code


def test_the_board_gives_the_browser_the_address_of_the_document_it_shows():
    """The board writes the address bar itself (ui.state.query_string): its ``url`` is the query
    of the scenario after the release, which a link reproduces (ui.state.init reads it)."""
    at = open_app("demo", lang="en")
    move(at, tech_transfer_ip=budget(at)["tech_transfer_ip"] + 7)
    query = parse_qs(board_data(at)["url"])
    assert query["lang"] == ["en"] and query["tour"] == ["0"]
    assert json.loads(query["s"][0]) == json.loads(at.session_state["scenario_doc"])


def test_the_board_s_words_are_plain_text():
    """The board draws its words as text (textContent), not Markdown: the undo bar's last change and
    a message are not escaped for Markdown (before, 科技型中小企业培育(创新券) showed as
    …培育&#40;创新券&#41;, a message's ':' as &#58;)."""
    from sim.files.errors import InputError

    at = open_app("demo")
    move(at, tech_sme_vouchers=budget(at)["tech_sme_vouchers"] + 3)
    last = board_data(at)["history"]["last"]
    assert "(创新券)" in last and "&#" not in last, last
    err = InputError("negative", column="tech_smes", row=3, value=-1)
    at.session_state[board.ERROR] = err
    at.run()
    assert board_data(at)["error"] == err.message("zh") and "&#" not in board_data(at)["error"]
