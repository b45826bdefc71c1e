"""Time the budget optimizer and compare it with differential evolution (prints figures).

One optimization of 7 programs x 5 years (demo county, 2022-2026), a 20-point budget frontier,
and scipy's differential_evolution run on the same objective to convergence.
Run: .venv/bin/python bench/bench_optimize.py
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np
from scipy.optimize import differential_evolution

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import sim  # noqa: E402
from sim.plan import budget_frontier, make_problem, optimize, score_allocations  # noqa: E402
from sim.plan.search import from_unit  # noqa: E402


def main() -> None:
    sc = sim.load_preset("demo")
    year = 2026
    for budget in (960, 2000, 4000):
        times = []
        for _ in range(3):
            res = optimize(sc, budget, year)
            times.append(res.seconds)
        problem = make_problem(sc, budget, year)
        P, Y = problem.shape

        def f(z):
            return -score_allocations(sc, from_unit(z.T, problem), problem.data_year)

        t0 = time.perf_counter()
        de = differential_evolution(f, [(0, 1)] * (P * Y), vectorized=True, updating="deferred",
                                    seed=2, popsize=15, maxiter=4000, tol=1e-10, polish=False)
        de_s = time.perf_counter() - t0
        print(f"budget {budget:5d}万元/yr, {P} programs x {Y} years: optimize {min(times):.2f} s "
              f"(median {np.median(times):.2f}, {res.nfev} evaluations) -> {res.fun:.4f} points; "
              f"current split {res.fun_current:.4f}; differential evolution {-de.fun:.4f} in {de_s:.1f} s "
              f"({de.nit} generations, {de.nfev} evaluations); gap {-de.fun - res.fun:+.4f}")
    t0 = time.perf_counter()
    fr = budget_frontier(sc, np.linspace(0, 6000, 20), year)
    print(f"20-point frontier 0-6000万元: {time.perf_counter() - t0:.2f} s; "
          f"non-decreasing: {bool((np.diff(fr['best']) >= -1e-9).all())}")
    for conf in (None, 0.5, 0.8):
        t0 = time.perf_counter()
        mb = sim.min_budget(sc, 80, 2025, confidence=conf)
        print(f"min_budget for tier A in the 2025 assessment, confidence {conf}: {mb.budget:,.0f}万元 in the first "
              f"year (P(A) {mb.probability:.0%} over {mb.draws} draws) in {time.perf_counter() - t0:.1f} s")


if __name__ == "__main__":
    main()
