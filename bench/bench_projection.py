"""Time the projection engine (prints figures; not a test).

One scenario, all indicators, 10 projected years: `run` (the engine) and `simulate` (engine +
frames + scores + attainment); a document made a scenario (what each new spending on the page costs
before its projection), against resolving the preset afresh (what every document cost before the
preset was kept: sim.scenarios.presets.resolve); and one batch of 10,000 scenarios with random spending.
Run: .venv/bin/python bench/bench_projection.py
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import sim  # noqa: E402
from sim.model.projection import run  # noqa: E402
from sim.model.scoring import score_batch  # noqa: E402
from sim.scenarios import overrides  # noqa: E402
from sim.scenarios.presets import resolve  # noqa: E402


def best_of(fn, repeat: int) -> tuple[float, float]:
    """(best, median) seconds of ``repeat`` calls of ``fn``, after one warm-up call."""
    fn()
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times), float(np.median(times))


def main() -> None:
    for pid in [p["id"] for p in sim.list_presets()]:
        sc = sim.load_preset(pid)
        sc = sc.with_horizon(sc.base_year + 10)
        b1, m1 = best_of(lambda: run(sc), 50)
        b2, m2 = best_of(lambda: sim.simulate(sc), 50)
        print(f"{pid:10s} {len(sc.base):3d} quantities x 10 years: run {b1*1e3:.2f} ms (median {m1*1e3:.2f}), "
              f"simulate {b2*1e3:.2f} ms (median {m2*1e3:.2f})")
    for pid in [p["id"] for p in sim.list_presets()]:
        doc = {"preset": pid, "spend": {sim.load_preset(pid).programs[0]: 1234.0}}
        b1, m1 = best_of(lambda: overrides.apply(doc), 20)
        b2, m2 = best_of(lambda: resolve(pid), 5)
        print(f"{pid:10s} a document with a moved spending made a scenario: {b1*1e3:.2f} ms (median {m1*1e3:.2f}); "
              f"the preset resolved afresh: {b2*1e3:.2f} ms (median {m2*1e3:.2f})")
    sc = sim.load_preset("demo")
    sc = sc.with_horizon(sc.base_year + 10)
    spend = np.random.default_rng(0).uniform(0, 3000, (10_000, len(sc.programs), len(sc.years)))
    b, m = best_of(lambda: run(sc, spend), 3)
    print(f"batch of 10,000 demo scenarios x 10 years: {b:.3f} s (median {m:.3f})")
    b, m = best_of(lambda: score_batch(sc, run(sc, spend)), 3)
    print(f"... and scored with the county rubric every year: {b:.3f} s (median {m:.3f})")


if __name__ == "__main__":
    main()
