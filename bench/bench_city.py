"""City and province scale (prints figures; not a test).

* simulate 168 synthetic counties x 10 years (2017-2027) in one call (sim.counties.regions.simulate);
* the city optimization for Hengshui's 11 counties (sim.counties.city.optimize: curves + search), 1,000万;
* the province batch: 168 counties, Monte Carlo 1,000 draws each + robust optimization (200万 a
  year added): the per-county path (sim.counties.batch.county_result) on the first --before counties, then
  every county stacked (sim.counties.stacked) serially in this process and on a local Dask cluster of 2
  workers (the numbers are checked equal to each other and, on those first counties, to the
  per-county path's); the process's peak memory; the extrapolation to a national run of 1,800;
* Hengshui's 11 counties as the City page's "every county" runs them (page defaults: 1,000 draws,
  200万 added), serially in this process and on two warm Dask workers (the page's default,
  ui.workers: sim.counties.batch.WarmCluster), --repeats times each (the median and the range: one
  run says little on a shared host).

Run: .venv/bin/python bench/bench_city.py [--counties N] [--before K] [--repeats R]
"""
from __future__ import annotations

import argparse
import resource
import statistics
import time
from dataclasses import replace

import pandas as pd

from sim.counties import batch, city, regions


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--counties", type=int, default=168)
    ap.add_argument("--before", type=int, default=4, help="counties timed on the per-county path")
    ap.add_argument("--repeats", type=int, default=5, help="runs of Hengshui's batch")
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
    curves = city.county_curves(hengshui, 2023, 21, city.CitySearch(step=50.0, draws=200))
    tc = time.perf_counter() - t
    t = time.perf_counter()
    plan = city.optimize(hengshui, 1000.0, 2023, goal, options=city.CitySearch(step=50.0, curves=curves))
    print(f"city optimization, {len(hengshui)} counties, 1,000万 in 20 steps, 200 draws: county curves "
          f"{tc:.2f} s + search {(time.perf_counter() - t) * 1e3:.0f} ms ({plan.evaluations} candidate splits); "
          f"P(goal, 2023 round) {plan.p_goal_status_quo:.0%} -> {plan.p_goal:.0%}")

    sub = replace(province, names=province.names[:args.counties], scenarios=province.scenarios[:args.counties],
                  params=None)
    work = batch.tasks(sub, 2025, draws=1000, seed=0, budget_extra=200.0)[:args.before]
    t = time.perf_counter()
    before = pd.DataFrame([batch.county_result(task) for task in work])
    per_before = (time.perf_counter() - t) / len(work)
    t, cpu = time.perf_counter(), time.process_time()
    serial = batch.run(sub, 2025, draws=1000, seed=0, budget_extra=200.0, execution=batch.Execution(workers=0))
    ts, cpu = time.perf_counter() - t, time.process_time() - cpu
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    pd.testing.assert_frame_equal(before.drop(columns="seconds"), serial.drop(columns="seconds").iloc[:len(work)])
    t = time.perf_counter()
    dist = batch.run(sub, 2025, draws=1000, seed=0, budget_extra=200.0, execution=batch.Execution(workers=2))
    td = time.perf_counter() - t
    pd.testing.assert_frame_equal(serial.drop(columns="seconds"), dist.drop(columns="seconds"))
    n = len(sub)
    print(f"province batch, Monte Carlo 1,000 draws + robust optimization: per-county path {per_before:.2f} s a county "
          f"({len(work)} counties; {n} counties would take {per_before * n / 60:.1f} min); stacked {n} counties serial "
          f"{ts:.1f} s ({ts / n:.2f} s a county, {per_before * n / ts:.1f}x; CPU {cpu:.1f} s), Dask 2 workers {td:.1f} s (cluster start "
          f"included; {ts / td:.2f}x serial); peak memory {peak:,.0f} MB (process); results identical")
    print(f"national run of 1,800 county units, extrapolated linearly: serial {ts / n * 1800 / 60:.1f} min, "
          f"Dask 2 workers {td / n * 1800 / 60:.1f} min (chunks of at most {batch.MAX_CHUNK} counties, so memory stays "
          f"that of one chunk per worker)")

    page, times = _page_batch(hengshui, args.repeats, batch.Execution(workers=0))
    print(f"Hengshui's {len(page)} counties as the City page's every-county batch (1,000 draws, 200万), serially: "
          f"{_spread(times)}")
    warm = batch.WarmCluster(2)  # the page's default: the server's warm workers (ui.workers)
    t = time.perf_counter()
    client = warm.client(120)
    up = time.perf_counter() - t
    try:
        if client is None:
            raise SystemExit(f"the warm workers did not start: {warm.error}")
        out, on_warm = _page_batch(hengshui, args.repeats, batch.Execution(workers=0, client=client))
    finally:
        warm.close()
    pd.testing.assert_frame_equal(page.drop(columns="seconds"), out.drop(columns="seconds"))
    print(f"  on the page's 2 warm Dask workers (up and warmed in {up:.1f} s, in the background): "
          f"{_spread(on_warm)}; results identical")


def _page_batch(hengshui, repeats: int, execution) -> tuple[pd.DataFrame, list[float]]:
    """The City page's every-county batch of Hengshui (1,000 draws, 200万) ``repeats`` times:
    the last table and each run's seconds (this host's speed drifts by a third within minutes:
    the spread, not one run)."""
    year, times = regions.goal_of("hengshui").year, []
    for _ in range(repeats):
        t = time.perf_counter()
        table = batch.run(hengshui, year, 1000, 0, 200.0, execution)
        times.append(time.perf_counter() - t)
    return table, times


def _spread(times: list[float]) -> str:
    return f"median {statistics.median(times):.1f} s of {len(times)} runs ({min(times):.1f}-{max(times):.1f} s)"

if __name__ == "__main__":
    main()
