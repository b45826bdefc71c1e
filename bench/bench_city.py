"""City and province scale (prints figures; not a test).

* simulate 168 synthetic counties x 10 years (2017-2027) in one call (sim.counties.regions.simulate);
* the city optimization for Hengshui's 11 counties (sim.counties.city.optimize: curves + search), 1,000万;
* the province batch: 168 counties, Monte Carlo 1,000 draws each + robust optimization (200万 a
  year added), serially in this process and on a local Dask cluster of 2 workers, with the
  speed-up (the numbers are checked equal).

Run: .venv/bin/python bench/bench_city.py [--counties N]   (N: the province batch's first N counties)
"""
from __future__ import annotations

import argparse
import time
from dataclasses import replace

import pandas as pd

from sim.counties import batch, city, regions


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--counties", type=int, default=168)
    args = ap.parse_args()
    province = regions.load("hebei-synthetic")
    regions.simulate(province, horizon=2027)  # warm-up
    t = time.perf_counter()
    frame = regions.simulate(province, horizon=2027)
    print(f"simulate {len(province)} counties x {frame.index.get_level_values('year').nunique() - 1} years, "
          f"one call: {(time.perf_counter() - t) * 1e3:.0f} ms")

    hengshui = regions.load("hengshui")
    goal = regions.goal_of("hengshui")
    t = time.perf_counter()
    curves = city.county_curves(hengshui, 2023, 50.0, 21, draws=200)
    tc = time.perf_counter() - t
    t = time.perf_counter()
    plan = city.optimize(hengshui, 1000.0, 2023, goal, step=50.0, curves=curves)
    print(f"city optimization, {len(hengshui)} counties, 1,000万 in 20 steps, 200 draws: county curves "
          f"{tc:.2f} s + search {(time.perf_counter() - t) * 1e3:.0f} ms ({plan.evaluations} candidate splits); "
          f"P(goal, 2023 round) {plan.p_goal_status_quo:.0%} -> {plan.p_goal:.0%}")

    sub = replace(province, names=province.names[:args.counties], scenarios=province.scenarios[:args.counties],
                  params=None)
    t = time.perf_counter()
    serial = batch.run(sub, 2025, draws=1000, seed=0, budget_extra=200.0, workers=0)
    ts = time.perf_counter() - t
    t = time.perf_counter()
    dist = batch.run(sub, 2025, draws=1000, seed=0, budget_extra=200.0, workers=2)
    td = time.perf_counter() - t
    pd.testing.assert_frame_equal(serial.drop(columns="seconds"), dist.drop(columns="seconds"))
    print(f"province batch, {len(sub)} counties x (Monte Carlo 1,000 draws + robust optimization): "
          f"serial {ts:.1f} s ({ts / len(sub):.2f} s a county), Dask 2 workers {td:.1f} s "
          f"(speed-up {ts / td:.2f}x, cluster start included); results identical")


if __name__ == "__main__":
    main()
