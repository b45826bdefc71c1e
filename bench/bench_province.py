"""Time the synthetic province (prints figures; not a test): building the 168 counties, one
projection of all of them under the province's policy to 2025 (one batch per reward round), and
the calibration fit of the pace factors.
Run: .venv/bin/python bench/bench_province.py
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from sim.counties import province, regions  # noqa: E402
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
    fit = province.fit(hebei)
    print(f"fit of the pace factors: {time.perf_counter() - t0:.1f} s, {fit.nfev} projections, "
          f"theta {fit.theta}, within tolerance: {province.within_tolerance(fit.comparison)}")
    print(fit.comparison.round(2).to_string())


if __name__ == "__main__":
    main()
