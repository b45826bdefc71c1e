"""Undo/redo history (ui.history) and the page's undo bar, guided start, projector mode and the
optimizer's planner tools (AppTest)."""
from __future__ import annotations

import json

import numpy as np
import pytest

import sim
from sim.plan import added_money, relaxed_bounds
from tests.helpers import board_data, board_event, budget, move, open_app
from ui import history

DEMO = json.dumps({"preset": "demo"})
MORE = json.dumps({"preset": "demo", "spend": {"platform_awards": 200.0}})
GROWTH = json.dumps({"preset": "demo", "spend": {"platform_awards": 200.0}, "growth": {"registered_firms": 0.02}})


def test_record_undo_redo_walk_the_history():
    h = history.record(history.record(history.empty(), DEMO, MORE), MORE, GROWTH)
    h, back = history.undo(h)
    assert back == MORE and len(h["past"]) == 1 and len(h["future"]) == 1
    h, back = history.undo(h)
    assert back == DEMO and not h["past"]
    assert history.undo(h) == (h, None)  # nothing left to undo
    h, fwd = history.redo(h)
    assert fwd == MORE
    h2 = history.record(h, MORE, DEMO)  # a new change forgets what could be redone
    assert not h2["future"]
    assert history.record(h, MORE, MORE) is h  # no change, no entry


def test_history_keeps_its_limit():
    h = history.empty()
    for k in range(history.LIMIT + 5):
        h = history.record(h, str(k), str(k + 1))
    assert len(h["past"]) == history.LIMIT and h["past"][-1]["after"] == str(history.LIMIT + 5)


def test_a_change_is_named_with_its_program_and_amounts_in_both_languages():
    sc = sim.load_preset("demo")
    old = f"{float(sc.spend['platform_awards'][0]):,.0f}"
    zh = history.describe({"before": DEMO, "after": MORE, "what": ""}, "zh")
    en = history.describe({"before": DEMO, "after": MORE, "what": ""}, "en")
    assert zh == f"创新平台建设奖补 {old} → 200 万元"
    assert en == f"Awards for innovation platforms {old} → 200 (10k yuan)"  # units in English (issue 20)
    assert "2.0%" in history.describe({"before": MORE, "after": GROWTH, "what": ""}, "zh")
    assert history.describe({"before": DEMO, "after": MORE, "what": "optimizer"}, "zh") != zh
    assert history.describe({"before": DEMO, "after": "{not json", "what": ""}, "en")  # never a traceback


def test_undo_and_redo_buttons_move_through_the_changes():
    at = open_app("demo")
    h = board_data(at)["history"]
    assert not h["undo"] and not h["redo"]
    move(at, platform_awards=200.0)
    assert json.loads(at.session_state["scenario_doc"])["spend"] == {"platform_awards": 200}
    h = board_data(at)["history"]
    assert h["undo"] and not h["redo"] and "创新平台建设奖补" in h["last"] and "200" in h["last"]
    board_event(at, "history", "undo")
    assert json.loads(at.session_state["scenario_doc"]) == {"preset": "demo"}
    assert budget(at)["platform_awards"] != 200.0  # the slider shows the undone value
    board_event(at, "history", "redo")
    assert json.loads(at.session_state["scenario_doc"])["spend"] == {"platform_awards": 200}
    assert budget(at)["platform_awards"] == 200.0
    assert not at.exception


def test_the_guided_start_walks_four_steps_and_stays_closed():
    at = open_app("demo", tour=True)
    for step in range(4):
        assert any(f"第 {step + 1} 步" in c.value for c in at.caption)
        if step < 3:
            at.button(key="tour_next").click().run()
    at.button(key="tour_finish").click().run()
    assert at.session_state["tour_done"] and not any("第 1 步" in c.value for c in at.caption)
    at.run()
    assert not any("步,共" in c.value for c in at.caption)
    at.button(key="tour_again").click().run()  # shown again from the sidebar
    assert any("第 1 步" in c.value for c in at.caption)


def test_the_guided_start_can_be_skipped_in_english():
    at = open_app("demo", lang="en", tour=True)
    assert any("Step 1" in c.value for c in at.caption)
    at.button(key="tour_skip").click().run()
    assert at.session_state["tour_done"]
    assert not at.exception


def test_projector_mode_hides_the_advanced_controls():
    at = open_app("demo")
    assert [t for t in at.toggle if t.key == "w_show_assumptions"]
    at.toggle(key="projector").set_value(True).run()
    assert not [t for t in at.toggle if t.key == "w_show_assumptions"]
    assert not at.exception
    at.switch_page("app_pages/optimizer.py").run()
    assert not at.expander or all("上下限" not in e.label for e in at.expander)
    assert not [t for t in at.toggle if t.key == "opt_robust_demo"]


def test_only_the_added_money_keeps_today_s_split_and_places_the_extra():
    at = open_app("demo", page="optimizer")
    at.segmented_control(key="opt_mode_demo").set_value("added").run()
    at.number_input(key="opt_extra_demo").set_value(300.0).run()
    at.button(key="opt_run").click().run()
    assert not at.exception
    want = added_money(sim.load_preset("demo"), 300.0, 2025)
    values = {m.label: m.value for m in at.metric}
    assert f"{want.result.fun:.1f}" in values.values() and f"{want.fun_before:.1f}" in values.values()
    table = [d.value for d in at.dataframe if "新增(万元/年)" in d.value.columns][0]
    added = table["新增(万元/年)"].map(lambda v: float(str(v).replace(",", ""))).to_numpy()
    assert (added >= 0).all() and added.sum() == 300.0  # whole 万元: the extra, placed in full
    # response curves are drawn; relaxed bounds solve again and say what they add
    at.button(key="opt_relax_run").click().run()
    assert not at.exception
    sc = sim.load_preset("demo")
    from sim.plan import added_bounds

    _, bounds = added_bounds(sc, 2025)
    rl = relaxed_bounds(want.result, bounds, 3.0)
    assert any(m.value == f"{rl.relaxed.fun:.1f}" for m in at.metric)
    assert rl.relaxed.fun >= rl.strict.fun - 1e-9
    assert np.all(rl.relaxed.x >= np.stack([b[0] for b in rl.widened.values()]) - 1e-6)  # widened minimums kept


def test_relaxing_without_bounds_says_nothing_can_move():
    at = open_app("demo", lang="en", page="optimizer")
    at.button(key="opt_run").click().run()
    at.button(key="opt_relax_run").click().run()
    assert any("No bounds are set" in i.value for i in at.info)
    assert not at.exception
