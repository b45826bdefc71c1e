"""The headline the browser recomputes while a slider moves (ui/live/headline.mjs, from the model
pack of sim/uncertainty/pack.py) equals Python's: for every preset, over at least 2,000 boundary and random
slider vectors, run under Node in one process while Python computes its numbers; the check fails
when either side is changed (on temporary copies); the pack is the page's band's model.
"""
from __future__ import annotations

import base64
import copy
import re

import numpy as np
import pytest
from live_check import (MODULE, browser_numbers, case, compare, finish_node, node_input, python_numbers,
                        spend_matrix_of, start_node)

import sim
import sim.model.effects
from sim.scenarios import overrides
from sim.uncertainty import pack as live_pack
from sim.uncertainty import monte_carlo

PRESETS = [p["id"] for p in sim.list_presets()]
DRAWS, SEED = 300, 0  # the page's band (ui.common.BAND_DRAWS, BAND_SEED)


@pytest.fixture(scope="module")
def cases():
    return [case(p) for p in PRESETS]


def _formats() -> tuple[list, list[str]]:
    """Numbers as the headline formats them, and Python's strings for them: ties (0.25 → 0.2),
    negative zero, signs, thousands, percentages of k/300."""
    rng = np.random.default_rng(5)
    xs = [0.25, 0.75, 2.5, 3.5, 73.25, 73.35, -0.05, -0.04, -0.0, 0.0, 0.049999, 12.5, 1234567.5, 0.125, 1e-12,
          79.95, 80.05, 99.99999999]
    xs += list(rng.uniform(-100, 100, 300)) + list(rng.integers(0, 4000, 100) / 4) + list(np.arange(301) / 300)
    cases, want = [], []
    for x in xs:
        for digits, plus, comma in ((1, False, False), (1, True, False), (0, True, False), (0, False, True)):
            cases.append([x, digits, plus, comma, False])
            want.append(f"{x:{'+' if plus else ''}{',' if comma else ''}.{digits}f}")
        cases.append([x, 0, False, False, True])
        want.append(f"{x:.0%}")
    return cases, want


def test_the_browser_gives_python_s_headline_for_every_preset(cases, tmp_path):
    """≥ 2,000 vectors a preset (every preset): the same spending exactly, every year's P10, P50
    and P90 of the score to 1e-9 and the chances of A, B, C and of falling exactly (rubric presets),
    the attainment index (city presets); and the headline's number formats are Python's."""
    assert all(len(c.vectors) >= 2000 for c in cases)
    payload = node_input(cases)
    formats, want = _formats()
    payload["formats"] = formats
    proc, dst = start_node(payload, tmp_path)  # Node computes while Python does
    py = [python_numbers(c) for c in cases]
    out = finish_node(proc, dst)
    bad = []
    for c, p, o in zip(cases, py, out["cases"]):
        bad += compare(c, p, browser_numbers(c, o))
    assert not bad, "\n".join(bad[:20])
    assert out["formats"] == want, [(f, w, g) for f, w, g in zip(formats, want, out["formats"]) if w != g][:10]


def test_the_pack_is_the_band_s_model_whatever_the_spending():
    """The pack of a scenario does not depend on its spending, and Python's numbers from it are
    the page's: monte_carlo of the band's draws (rubric) and simulate's attainment index (city)."""
    for preset in ("demo", "handan"):
        sc = sim.load_preset(preset)
        moved = sc.with_spend(sc.programs[3], 2000.0).with_spend(sc.programs[0], 0.0)
        assert live_pack.build(moved) == live_pack.build(sc)
        got = live_pack.evaluate(sc, np.stack([sc.spend_matrix(), moved.spend_matrix()]))
        for j, s in enumerate((sc, moved)):
            if sc.rubric_id:
                mc = monte_carlo(s, DRAWS, SEED, indicators=False, central=False)
                np.testing.assert_array_equal(got["score"][j], mc.score[["P10", "P50", "P90"]].to_numpy())
                np.testing.assert_array_equal(got["tiers"][j], mc.tiers[["A", "B", "C", "fall"]].to_numpy())
            else:
                idx = sim.simulate(s).attainment.attrs["index"]
                assert (got["share_met"][j], got["weighted_shortfall"][j]) == (idx["share_met"], idx["weighted_shortfall"])


# ---------------------------------------------------------------------- the check can fail
@pytest.fixture(scope="module")
def few(cases):
    """A few vectors of the demo county (its own document: boundary and random ones)."""
    c = next(c for c in cases if c.preset == "demo")
    return type(c)(c.preset, c.bases, c.docs, c.vectors[:12] + c.vectors[60:80])


def _run(c, tmp_path, module=MODULE, pack=None):
    proc, dst = start_node(node_input([c], None if pack is None else [pack]), tmp_path, module)
    return browser_numbers(c, finish_node(proc, dst)["cases"][0])


def test_the_check_fails_when_the_browser_s_code_changes(few, tmp_path):
    """A copy of the browser's code with one constant changed (the logistic ceiling's 1 - s_a)
    gives numbers the check refuses; the code itself passes on the same vectors."""
    py = python_numbers(few)
    assert not compare(few, py, _run(few, tmp_path))
    src = MODULE.read_text(encoding="utf-8")
    changed, k = re.subn(r"m \* sRaw / \(1 - sA \+ sRaw\)", "m * sRaw / (1.001 - sA + sRaw)", src)
    assert k == 1
    (tmp_path / "changed").mkdir()
    copy_ = tmp_path / "changed" / "headline.mjs"
    copy_.write_text(changed, encoding="utf-8")
    assert compare(few, py, _run(few, tmp_path / "changed", copy_))


def test_the_check_fails_when_python_s_side_changes(few, tmp_path, monkeypatch):
    """A copy of the pack with one drawn parameter changed (an effect's cost per caused unit, by
    one part in a million), and Python's engine with fewer Newton steps, both fail the check."""
    pack = live_pack.build(few.bases[0])
    py = python_numbers(few)
    changed = copy.deepcopy(pack)
    lever = next(lv for lv in changed["levers"] if not lv["post"])
    item = changed["arrays"][lever["cost"]] = dict(changed["arrays"][lever["cost"]])
    raw = np.frombuffer(base64.b64decode(item["b64"]), dtype="<f8") * (1 + 1e-6)
    item["b64"] = base64.b64encode(raw.astype("<f8").tobytes()).decode("ascii")
    assert compare(few, py, _run(few, tmp_path, pack=changed))
    monkeypatch.setattr(sim.model.effects, "NEWTON_STEPS", 2)
    assert compare(few, python_numbers(few), _run(few, tmp_path, pack=pack))
