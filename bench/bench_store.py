"""The Compare page with 5,000 saved scenarios in one workspace (prints figures; not a test):
import them in one transaction, then time the page's AppTest run (first and again).
Run: .venv/bin/python bench/bench_store.py  (SQLite in a temporary folder; set SIM_SCENARIO_DB
to a PostgreSQL URL to measure that instead)."""
from __future__ import annotations

import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("SIM_SCENARIO_DB", str(Path(tempfile.mkdtemp()) / "bench.sqlite"))
from ui import store  # noqa: E402

WS = "bench-workspace"


def main() -> None:
    docs = [{"preset": "demo", "spend": {"talent": 100.0 + i}, "name": f"方案 {i:05d}"} for i in range(5000)]
    t0 = time.perf_counter()
    store.import_json(WS, json.dumps(docs, ensure_ascii=False).encode())
    print(f"import 5,000 scenarios in one transaction: {time.perf_counter() - t0:.1f} s ({store.path()})")
    from streamlit.testing.v1 import AppTest

    runs = []
    for _ in range(5):
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
        at.session_state["workspace"] = WS
        at.switch_page("app_pages/compare.py")
        t0 = time.perf_counter()
        at.run()
        runs.append(time.perf_counter() - t0)
        assert not at.exception, at.exception
    print(f"Compare page with 5,000 saved scenarios (AppTest run, page of {store.PAGE}): "
          f"median {statistics.median(runs):.2f} s, first {runs[0]:.2f} s")


if __name__ == "__main__":
    main()
