"""How long a briefing takes (prints figures; not a test): the demo county's scenario briefing
in zh and en and Hengshui's city briefing, each generated 3 times after a warm-up (fonts
registered, imports done); the median.

Run: .venv/bin/python bench/bench_brief.py
"""
from __future__ import annotations

import statistics
import time

import sim
from report.briefing import city_briefing, scenario_briefing
from sim.counties import regions


def timed(fn) -> tuple[float, int]:
    out = []
    for _ in range(3):
        t = time.perf_counter()
        size = len(fn())
        out.append(time.perf_counter() - t)
    return statistics.median(out), size


def main() -> None:
    sc = sim.load_preset("demo").with_spend("platform_awards", 200.0)
    t = time.perf_counter()
    scenario_briefing(sc, "zh")
    print(f"first briefing in a fresh process (imports, font registration): {time.perf_counter() - t:.2f} s")
    for lang in ("zh", "en"):
        s, size = timed(lambda: scenario_briefing(sc, lang))
        print(f"scenario briefing ({lang}): {s:.2f} s, {size / 1e3:.0f} kB (target < 3 s)")
    city = regions.load("hengshui")
    s, size = timed(lambda: city_briefing(city, lang="zh"))
    print(f"city briefing (Hengshui, zh): {s:.2f} s, {size / 1e3:.0f} kB (target < 3 s)")


if __name__ == "__main__":
    main()
