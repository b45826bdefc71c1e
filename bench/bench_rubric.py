"""Time one vectorized scoring call for 100,000 regions (prints figures; not a test).

Run: .venv/bin/python bench/bench_rubric.py
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from sim import load_rubric, score  # noqa: E402


def regions(rubric, n: int, seed: int = 0) -> dict:
    rng = np.random.default_rng(seed)
    vals = {}
    for c in rubric.columns:
        if c.kind == "category":
            vals[c.id] = rng.choice([k.id for k in c.categories], n)
        elif c.kind == "count":
            vals[c.id] = rng.integers(0, 2 if c.max_value == 1 else 6, n).astype(float)
        elif c.kind == "points":
            vals[c.id] = rng.uniform(0, 5, n)
        else:
            vals[c.id] = rng.gamma(2.0, 30.0, n)
    return vals


def main(n: int = 100_000, repeat: int = 5) -> None:
    rubric = load_rubric()
    vals = regions(rubric, n)
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        s = score(rubric, vals)
        times.append(time.perf_counter() - t0)
    best, med = min(times), float(np.median(times))
    tiers = {k: int((s.tier == k).sum()) for k in "ABC"}
    print(f"score {n:,} regions x {len(rubric.columns)} columns: best {best*1000:.1f} ms, "
          f"median {med*1000:.1f} ms over {repeat} runs ({n/best/1e6:.2f} M regions/s); tiers {tiers}")
    numeric = {k: v for k, v in vals.items() if k != "st_admin_body"}
    numeric["st_admin_body"] = "independent"  # a scalar category, as in projections
    t0 = time.perf_counter()
    score(rubric, numeric)
    print(f"same with one shared category value: {(time.perf_counter()-t0)*1000:.1f} ms")


if __name__ == "__main__":
    main()
