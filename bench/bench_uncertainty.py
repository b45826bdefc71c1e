"""Time the uncertainty analysis (prints figures; not a test).

10,000 parameter draws for the demo county over 10 projected years (one vectorized run, then
scores, quantiles and tier probabilities), the sensitivity analysis (tornado + Sobol indices),
and a robust optimization.
Run: .venv/bin/python bench/bench_uncertainty.py
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import sim  # noqa: E402
from sim.plan import Options, Robust, optimize  # noqa: E402
from sim.uncertainty import monte_carlo, ranges, sensitivity  # noqa: E402


def main() -> None:
    sc = sim.load_preset("demo")
    sc10 = sc.with_horizon(sc.base_year + 10)
    times = []
    for seed in range(3):
        mc = monte_carlo(sc10, n=10_000, seed=seed)
        times.append(mc.seconds)
    print(f"monte_carlo: 10,000 draws x 10 years, {len(ranges(sc10))} uncertain inputs: "
          f"best {min(times):.3f} s, worst {max(times):.3f} s; P(tier A) in {sc10.horizon}: "
          f"{mc.tiers.loc[sc10.horizon, 'A']:.1%}")
    band = []
    for seed in range(20):
        t0 = time.perf_counter()
        monte_carlo(sc, n=300, seed=0, indicators=False)
        band.append(time.perf_counter() - t0)
    print(f"the scenario page's band (300 draws, common random numbers, no indicator quantiles): "
          f"median {sorted(band)[10] * 1e3:.0f} ms")
    for w in (1.0, 3.0):
        mc = monte_carlo(sc, n=10_000, seed=0, width=w, indicators=False)
        y = sc.scored_year(2025)
        print(f"width {w:g}: 2025 assessment ({y} statistics) P10-P50-P90 "
              f"{mc.score.loc[y, 'P10']:.1f} / {mc.score.loc[y, 'P50']:.1f} / {mc.score.loc[y, 'P90']:.1f}, "
              f"P(A) {mc.tiers.loc[y, 'A']:.0%}, P(C) {mc.tiers.loc[y, 'C']:.0%}")
    for method, n in (("sobol", 512), ("morris", 100)):
        t0 = time.perf_counter()
        s = sensitivity(sc, 2025, n=n, method=method)
        print(f"sensitivity ({s.method}): {time.perf_counter() - t0:.2f} s; top: {s.ranking['parameter'].iloc[0]}")
    t0 = time.perf_counter()
    r = optimize(sc, 2000, 2025, options=Options(robust=Robust("p10", draws=48)))
    print(f"robust optimization (P10, 48 draws, 7 programs x 4 years): {time.perf_counter() - t0:.2f} s")
    print(r.robust.round(3).to_string(index=False))


if __name__ == "__main__":
    main()
