"""Time the synthetic province (prints figures; not a test): building the 168 counties, one
projection of all of them under the province's policy to 2025 (one batch per reward round), and
the calibration fit of the pace factors (sim.counties.posterior).
Run: .venv/bin/python bench/bench_province.py
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from sim.counties import posterior, province, regions  # noqa: E402
from sim.files.datadir import DATA_DIR, read_toml  # noqa: E402


def main() -> None:
    spec = read_toml(DATA_DIR / "regions/hebei_synthetic.toml")
    t0 = time.perf_counter()
    hebei = province.synthetic_province(spec)
    print(f"build {len(hebei)} synthetic counties: {time.perf_counter() - t0:.2f} s")
    times = []
    for _ in range(5):
        t0 = time.perf_counter()
        frame = regions.simulate(hebei, 2025)
        times.append(time.perf_counter() - t0)
    print(f"simulate all counties 2017-2025 with rewards: best {min(times) * 1e3:.0f} ms "
          f"({len(frame)} county-years)")
    t0 = time.perf_counter()
    options = posterior.FitOptions(draws=384, rounds=8)  # as `python -m sim calibrate-province`
    post = posterior.fit(regions.load("hebei-synthetic"), options=options)
    print(f"population Monte Carlo fit of the pace factors: {time.perf_counter() - t0:.1f} s, "
          f"{len(next(iter(post.draws.values())))} posterior draws, effective sample size {post.ess:.0f}")

if __name__ == "__main__":
    main()
