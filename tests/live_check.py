"""The browser's headline against Python's (tests/test_live.py, tests/test_live_browser.py): the
slider vectors of a preset, the spending the page makes of each, Python's numbers for them and
the comparison.

A vector is what the budget sliders hold when one is released: every program's first-year amount
(``{"programs": [...]}``) or the total (``{"total": T}``), from one of two documents: the preset's
own (the status quo's paths) and an applied plan (every program a list of yearly amounts). The
page turns it into spending as ``app_pages/scenario.py`` does (a program's amount within half a
万元 of its current one changes nothing; a moved program's list becomes the whole path of its
amount; a moved total is split in whole 万元 by ``whole_split``): :func:`spend_matrix_of`, checked against
``sim.scenarios.overrides.apply`` of the documents the page writes (``ui.board.moved``: tests/test_board.py).
"""
from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import numpy as np

import sim
from sim.model.scenario import Scenario, whole_split
from sim.scenarios import overrides
from sim.uncertainty import pack as live_pack

ROOT = Path(__file__).resolve().parent.parent
MODULE = ROOT / "ui" / "live" / "headline.mjs"
RUNNER = ROOT / "tests" / "live_node.mjs"
TOL = 1e-9  # the rubric rounds every item to 1e-9 (sim.model.rubric.DECIMALS)


@dataclass(frozen=True)
class Case:
    """A preset's slider vectors: ``bases`` the documents' scenarios, ``vectors`` (base, move)."""

    preset: str
    bases: tuple[Scenario, ...]
    docs: tuple[dict, ...]
    vectors: tuple[tuple[int, dict], ...]


def top_of(sc: Scenario) -> float:
    """The sliders' maximum: the page's own (``ui.board.Keys``)."""
    from ui.board import Keys

    return Keys(sc).top


def plan_doc(sc: Scenario) -> dict:
    """A document holding every program as a list of yearly amounts (as an applied optimizer plan
    writes it): the status quo's first year, 7% more each year, whole 万元."""
    rows = sc.status_quo_matrix()
    t = np.arange(rows.shape[1])
    return {"preset": sc.preset_id, "spend": {p: [int(v) for v in np.round(rows[i, 0] * (1 + 0.07 * t))]
                                              for i, p in enumerate(sc.programs)}}


def vectors(sc: Scenario, n_random: int, rng: np.random.Generator, base: int = 0) -> list[tuple[int, dict]]:
    """Boundary vectors (0, the current amounts, the sliders' maximum, each program alone at its
    ends, one 万元 either side, the total at its ends and one either side) and random whole ones
    (every program anywhere on its slider, some programs moved, near the current amounts, the
    total), from the document ``base``."""
    first = sc.spend_matrix()[:, 0]
    top, P = top_of(sc), len(first)
    out = [{"programs": [0.0] * P}, {"programs": list(first)}, {"programs": [top] * P},
           {"programs": list(first + 1)}, {"programs": list(np.maximum(first - 1, 0))},
           {"total": 0.0}, {"total": top}, {"total": float(first.sum())}, {"total": float(first.sum()) + 1},
           {"total": max(float(first.sum()) - 1, 0.0)}]
    for p in range(P):
        for v in (0.0, top, first[p] + 1, max(first[p] - 1, 0.0), first[p] + 0.4):
            vec = list(first)
            vec[p] = float(v)
            out.append({"programs": vec})
    k, n_boundary = n_random, len(out)
    for _ in range(int(k * 0.6)):
        out.append({"programs": [float(v) for v in rng.integers(0, int(top) + 1, P)]})
    for _ in range(int(k * 0.15)):
        vec = list(first)
        for p in rng.choice(P, rng.integers(1, P + 1), replace=False):
            vec[p] = float(rng.integers(0, int(top) + 1))
        out.append({"programs": vec})
    for _ in range(int(k * 0.15)):
        out.append({"programs": [float(max(0, round(v * (1 + rng.uniform(-0.2, 0.2))))) for v in first]})
    while len(out) < n_boundary + k:
        out.append({"total": float(rng.integers(0, int(top) + 1))})
    return [(base, {key: [float(x) for x in v] if isinstance(v, list) else float(v) for key, v in m.items()})
            for m in out]


def case(preset: str, n: int = 2000, seed: int = 22) -> Case:
    """At least ``n`` vectors of a preset: nine in ten from its own document, the rest from a plan."""
    rng = np.random.default_rng([seed, sum(map(ord, preset))])
    docs = ({"preset": preset}, plan_doc(sim.load_preset(preset)))
    bases = tuple(overrides.apply(d) for d in docs)
    own = vectors(bases[0], int(0.9 * n), rng, 0)
    plan = vectors(bases[1], max(n - len(own), 0), rng, 1)
    return Case(preset, bases, docs, tuple(own + plan))


def spend_matrix_of(sc: Scenario, move: dict) -> np.ndarray:
    """The spending (programs x years, 万元) after a slider is released at ``move`` (the page's
    callbacks: _on_total, _on_program, then sim.scenarios.overrides.apply): a moved program's row
    is the whole path of its new first-year amount (``Scenario.whole_path``, as ``with_spend``
    sets it), without a scenario for each vector."""
    rows = sc.spend_matrix()
    first = rows[:, 0]
    if "total" in move:
        if abs(move["total"] - sum(float(v) for v in first)) < 0.5:
            return rows
        values = [float(int(v)) for v in whole_split(move["total"], list(first))]
        moved = range(len(first))
    else:
        moved = [p for p, (v, f) in enumerate(zip(move["programs"], first)) if abs(v - f) >= 0.5]
        values = {p: float(int(round(move["programs"][p]))) for p in moved}
    out = rows.copy()
    for p in moved:
        out[p] = sc.whole_path(values[p])
    return out


def python_numbers(c: Case, chunk: int = 50) -> dict:
    """Python's headline numbers for every vector (sim.uncertainty.pack.evaluate: the engine under the band's
    draws) and the spending of each; ``chunk`` vectors an engine call (50 x 300 draws: measured a tenth
    faster than 100, whose arrays outgrow the processor's caches)."""
    mats = np.stack([spend_matrix_of(c.bases[b], m) for b, m in c.vectors])
    parts = [live_pack.evaluate(c.bases[0], mats[i:i + chunk]) for i in range(0, len(mats), chunk)]
    out = {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}
    out["x"] = mats
    return out


def node_input(cases: list[Case], packs: list[dict] | None = None) -> dict:
    """The runner's input: each case's pack, its documents' spending and its vectors."""
    packs = packs or [live_pack.build(c.bases[0]) for c in cases]
    return {"cases": [{"pack": p, "bases": [b.spend_matrix().tolist() for b in c.bases], "vectors": list(c.vectors)}
                      for c, p in zip(cases, packs)]}


def start_node(payload: dict, folder: Path, module: Path = MODULE) -> tuple[subprocess.Popen, Path]:
    """Run the browser's code on ``payload`` under Node in the background; (process, output)."""
    node = shutil.which("node")
    assert node, "node is missing: run `bash test.sh`, which installs Debian's nodejs"
    src, dst = folder / "input.json", folder / "output.json"
    src.write_text(json.dumps(payload))
    proc = subprocess.Popen([node, str(RUNNER), str(module), str(src), str(dst)], stderr=subprocess.PIPE, text=True)
    return proc, dst


def finish_node(proc: subprocess.Popen, dst: Path) -> dict:
    _, err = proc.communicate(timeout=900)
    assert proc.returncode == 0, err
    return json.loads(dst.read_text())


def browser_numbers(c: Case, out: dict) -> dict:
    """The runner's results of a case as arrays shaped like :func:`python_numbers`'."""
    res = out["results"]
    got = {"x": np.array(out["x"], dtype=float).reshape(len(res), *c.bases[0].spend_matrix().shape)}
    if "score" in res[0]:
        got["score"] = np.array([r["score"] for r in res], dtype=float)
        got["tiers"] = np.array([r["tiers"] for r in res], dtype=float)
    else:
        got["share_met"] = np.array([r["share_met"] for r in res], dtype=float)
        got["weighted_shortfall"] = np.array([r["weighted_shortfall"] for r in res], dtype=float)
    return got


def compare(c: Case, py: dict, js: dict) -> list[str]:
    """Every difference between Python's and the browser's numbers beyond the tolerance: the
    spending exactly, scores (P10/P50/P90 of every year) to 1e-9, tier chances exactly (so a total
    on a tier line lands in the same tier), the attainment index to 1e-9 (its share exactly)."""
    bad = []

    def check(name, a, b, tol):
        a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
        same_nan = np.isnan(a) & np.isnan(b)
        off = ~same_nan & ~(np.abs(a - b) <= tol)
        for j in np.unique(np.nonzero(off)[0])[:5]:
            bad.append(f"{c.preset} vector {j} {c.vectors[j]}: {name} python {a[j].tolist()} browser {b[j].tolist()}")
        if off.any() and len(bad) < 6:
            bad.append(f"{c.preset}: {name} differs in {int(off.reshape(len(a), -1).any(axis=1).sum())} vectors")

    check("spending", py["x"], js["x"], 0.0)
    for name, tol in (("score", TOL), ("tiers", 0.0), ("share_met", 0.0), ("weighted_shortfall", TOL)):
        if name in py:
            check(name, py[name], js[name], tol)
    return bad
