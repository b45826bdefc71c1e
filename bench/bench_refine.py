"""The robust optimizer's refining search against the full search (prints figures; not a test).

The robust stage (:func:`sim.plan.optimizer.optimize` with ``Robust("prob_a")``) refines the nominal
optimum with :data:`sim.plan.search.REFINE`: steps from 1/16 to 1/64 of the budget, each round the
three transfers one-sided probes predict best. The full search: every transfer between two
programs each round, steps from 1/4 down to 1/1024 of the budget (``Steps(greedy=False)``). Both
on every 12th of the 168 synthetic counties (14), 200万 a year added to the county's own budget,
the 2025 assessment, 48 draws (seed 0). Printed: the robust criterion (the chance of tier A over
the optimizer's 48 draws, + 1e-3 x mean score), P(A) re-checked over 1,000 draws of each plan,
the robust stage's engine rows (allocations x draws), and the time.

Run: .venv/bin/python bench/bench_refine.py [--every K]
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from sim.counties import regions  # noqa: E402
from sim.plan import Options, Robust, optimize, scored_year, search  # noqa: E402
from sim.uncertainty import monte_carlo  # noqa: E402

SEARCHES = {"refine": search.REFINE, "full": search.Steps(greedy=False)}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--every", type=int, default=12)
    args = ap.parse_args()
    province = regions.load("hebei-synthetic")
    counties = list(zip(province.names, province.scenarios))[::args.every]
    got: dict[str, list[tuple[float, float, int, float]]] = {name: [] for name in SEARCHES}
    original = search.REFINE
    try:
        for county, sc in counties:
            budget = float(sc.budget()[0]) + 200.0
            year = scored_year(sc, 2025, "score")
            nominal = optimize(sc, budget, 2025).nfev
            for name, steps in SEARCHES.items():
                search.REFINE = steps
                t = time.perf_counter()
                res = optimize(sc, budget, 2025, options=Options(robust=Robust("prob_a", seed=0)))
                seconds = time.perf_counter() - t
                check = float(monte_carlo(res.scenario, 1000, 0, indicators=False, central=False).tiers.loc[year, "A"])
                got[name].append((res.fun, check, res.nfev - nominal, seconds))
            print(f"{county}: criterion refine {got['refine'][-1][0]:.3f} / full {got['full'][-1][0]:.3f}; "
                  f"P(A) over 1,000 draws {got['refine'][-1][1]:.3f} / {got['full'][-1][1]:.3f}", flush=True)
    finally:
        search.REFINE = original
    for name, rows in got.items():
        a = np.array(rows)
        print(f"{name:6s}: {len(a)} counties, mean robust criterion {a[:, 0].mean():.3f}, mean P(A) re-checked over "
              f"1,000 draws {a[:, 1].mean():.3f}, robust-stage engine rows {a[:, 2].sum() / 1e3:,.0f}k, "
              f"{a[:, 3].sum():.1f} s")
    r, f = np.array(got["refine"]), np.array(got["full"])
    print(f"counties where the refining search's criterion is below the full search's by more than 1e-6: "
          f"{int((r[:, 0] < f[:, 0] - 1e-6).sum())}; rows {f[:, 2].sum() / r[:, 2].sum():.1f}x fewer")


if __name__ == "__main__":
    main()
