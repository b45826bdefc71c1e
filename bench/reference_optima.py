"""Reference optima by a global method, computed once and stored for the tests
(tests/reference/optima.json); prints figures.

For every county preset and budget of the optimizer tests, scipy's differential evolution
(popsize 15, up to 2,500 generations, seed 2) searches the same objective the optimizer uses
(:func:`sim.optimize.score_allocations`). The file keeps, per case, the DE optimum (its
allocation and score) and 16 seeded random allocations with their scores: the model's
*fingerprint*. The model version is a hash of those scores. ``tests/test_optimize.py`` scores
the stored allocations again: if the model gives other numbers, the test fails and asks for
this script to be run again (a changed model has other optima); else it checks the optimizer
against the stored DE optimum in milliseconds instead of minutes.

Run: .venv/bin/python bench/reference_optima.py   (about 3 minutes on 2 cores)
"""
from __future__ import annotations

import hashlib
import json
import sys
import time
from pathlib import Path

from scipy.optimize import differential_evolution

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
import sim  # noqa: E402
from sim.optimize import from_unit, make_problem, optimize, random_allocations, score_allocations  # noqa: E402

OUT = ROOT / "tests" / "reference" / "optima.json"
BUDGETS = (500, 1500, 4000)  # 万元 in the first year, as tests/test_optimize.py
TARGET_YEAR = 2025
FINGERPRINT = 16  # random allocations per case
DE_OPTIONS = dict(popsize=15, maxiter=2500, tol=1e-9, seed=2, polish=False)


def cases() -> list[tuple[str, float]]:
    return [(p["id"], b) for p in sim.list_presets() if p["rubric"] for b in BUDGETS]


def model_version(scores: list[list[float]]) -> str:
    """A short hash of the fingerprint scores (rounded to 1e-9 points)."""
    text = json.dumps([[round(v, 9) for v in s] for s in scores])
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def reference(pid: str, budget: float) -> dict:
    sc = sim.load_preset(pid)
    problem = make_problem(sc, budget, TARGET_YEAR)
    P, Y = problem.shape

    def f(z):
        return -score_allocations(sc, from_unit(z.T, problem), problem.data_year)

    t0 = time.perf_counter()
    de = differential_evolution(f, [(0, 1)] * (P * Y), vectorized=True, updating="deferred", **DE_OPTIONS)
    seconds = time.perf_counter() - t0
    x = from_unit(de.x[None], problem)[0]
    fun = float(score_allocations(sc, x[None], problem.data_year)[0])
    ours = optimize(sc, budget, TARGET_YEAR)
    prints = random_allocations(problem, FINGERPRINT, seed=5)
    return {"preset": pid, "budget": budget, "target_year": TARGET_YEAR, "data_year": problem.data_year,
            "programs": list(problem.programs), "de_fun": fun, "de_x": x.tolist(), "de_calls": int(de.nfev),
            "de_seconds": round(seconds, 1), "optimizer_fun_when_stored": ours.fun,
            "fingerprint_x": prints.tolist(),
            "fingerprint_scores": score_allocations(sc, prints, problem.data_year).tolist()}


def main() -> None:
    out = []
    for pid, budget in cases():
        r = reference(pid, budget)
        out.append(r)
        print(f"{pid:8s} {budget:6.0f}万元: DE {r['de_fun']:.4f} ({r['de_calls']:,} calls of the vectorized objective, "
              f"{r['de_seconds']:.0f} s); optimizer {r['optimizer_fun_when_stored']:.4f} "
              f"({r['optimizer_fun_when_stored'] - r['de_fun']:+.4f})")
    doc = {"model_version": model_version([r["fingerprint_scores"] for r in out]),
           "de_options": DE_OPTIONS, "cases": out}
    OUT.parent.mkdir(exist_ok=True)
    OUT.write_text(json.dumps(doc, indent=1) + "\n", encoding="utf-8")
    print(f"model version {doc['model_version']} -> {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
