"""Time the budget optimizer against the stored global optima, the frontier and the minimum
budget (prints figures).

One optimization of the demo county (7 programs, one split held across the years, three rounds
scored from 2025) at the budgets of tests/reference/optima.json, each against the stored
differential-evolution optimum of the same objective (bench/reference_optima.py computes them,
minutes a case); a 20-point budget frontier; and ``min_budget`` for tier A at the central
parameters and at 50% and 80% confidence, with the optimizations each search ran.
Run: .venv/bin/python bench/bench_optimize.py
"""
from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
import sim  # noqa: E402
import sim.plan.budget as budget_search  # noqa: E402
from sim.plan import budget_frontier, optimize  # noqa: E402

REFERENCE = ROOT / "tests" / "reference" / "optima.json"


def main() -> None:
    sc = sim.load_preset("demo")
    stored = [c for c in json.loads(REFERENCE.read_text(encoding="utf-8"))["cases"] if c["preset"] == "demo"]
    for case in stored:
        times = []
        for _ in range(3):
            res = optimize(sc, case["budget"], case["target_year"])
            times.append(res.seconds)
        de = case["steady"]
        print(f"budget {case['budget']:5d}万元/yr: optimize {min(times):.2f} s (median {np.median(times):.2f}, "
              f"{res.nfev} evaluations) -> {res.fun:.4f} points; current split {res.fun_current:.4f}; stored "
              f"differential evolution {de['de_fun']:.4f} ({de['de_calls']} vectorized calls, {de['de_seconds']:.0f} s); "
              f"gap {de['de_fun'] - res.fun:+.4f}")
    t0 = time.perf_counter()
    fr = budget_frontier(sc, np.linspace(0, 6000, 20), 2025)
    print(f"20-point frontier 0-6000万元: {time.perf_counter() - t0:.2f} s; "
          f"non-decreasing: {bool((np.diff(fr['best']) >= -1e-9).all())}")
    runs = []
    original = budget_search.optimize
    budget_search.optimize = lambda *a, **k: runs.append(1) or original(*a, **k)
    try:
        for conf in (None, 0.5, 0.8):
            runs.clear()
            t0 = time.perf_counter()
            mb = sim.min_budget(sc, 80, 2025, confidence=conf)
            chance = "" if conf is None else f", P(A) {mb.probability:.0%} over {mb.draws} draws"
            print(f"min_budget for tier A in the 2025 assessment, confidence {conf}: "
                  f"{'' if mb.reachable else 'not reachable; best at '}{mb.budget:,.0f}万元 in the first year"
                  f"{chance}, {len(runs)} optimizations in {time.perf_counter() - t0:.1f} s")
    finally:
        budget_search.optimize = original


if __name__ == "__main__":
    main()
