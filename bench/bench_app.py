"""Responsiveness of the scenario page after a slider move (prints figures; not a test).

Two measures: (1) the page's own computation for a new scenario (simulate the scenario, its
300-draw band, the 'next points' batch under the same draws; the status quo's band comes from
the cache), and (2) a whole AppTest rerun of the page after moving a budget slider (Streamlit's
script run, charts and tables included; no browser).
Run: .venv/bin/python bench/bench_app.py
"""
from __future__ import annotations

import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
import sim  # noqa: E402
from sim import overrides  # noqa: E402
from sim.optimize import marginal_values  # noqa: E402
from sim.uncertainty import monte_carlo, params_of, ranges, sample  # noqa: E402


def computation(preset: str, repeat: int = 30) -> list[float]:
    sc = sim.load_preset(preset)
    year = max([tg.year for tg in sc.targets if tg.kind == "tier"] or [sc.horizon])
    out = []
    for k in range(repeat):
        t0 = time.perf_counter()
        s = overrides.apply({"preset": preset, "spend": {"platform_awards": 100.0 + k}})
        sim.simulate(s)
        if s.rubric_id:
            monte_carlo(s, 300, 0, indicators=False)
        short = s.with_horizon(max(s.scored_year(year) if s.rubric_id else year, s.base_year + 1))
        rs = ranges(short)
        marginal_values(s, year, params=params_of(rs, sample(rs, 300, 0)))
        out.append(time.perf_counter() - t0)
    return out


def rerun(preset: str, repeat: int = 15) -> list[float]:
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.session_state["lang"] = "zh"
    at.session_state["preset"] = preset
    at.session_state["scenario_doc"] = json.dumps({"preset": preset})
    at.switch_page("app_pages/scenario.py")
    at.run()
    name = f"w_sp_{preset}_platform_awards"
    out = []
    for k in range(repeat):
        slider = next(s for s in at.slider if s.key and s.key.rsplit("_", 1)[0] == name)
        t0 = time.perf_counter()
        slider.set_value(200.0 + 10 * k).run()
        out.append(time.perf_counter() - t0)
        assert not at.exception
    return out


def main() -> None:
    for preset in ("demo", "handan"):
        c = computation(preset)
        print(f"{preset}: page computation after a slider move: median {statistics.median(c)*1e3:.1f} ms, "
              f"max {max(c)*1e3:.1f} ms")
    r = rerun("demo")
    print(f"demo: full AppTest rerun of the scenario page after a slider move: median "
          f"{statistics.median(r)*1e3:.0f} ms, max {max(r)*1e3:.0f} ms")


if __name__ == "__main__":
    main()
