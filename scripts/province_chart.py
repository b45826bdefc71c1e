"""Render the calibration's chart (the published rounds against the stored posterior's 80% bands,
and its predictions for the rounds not yet published) for the README: docs/province_fit.png.
Run: .venv/bin/python scripts/province_chart.py"""
from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from report import charts  # noqa: E402
from sim.counties import posterior  # noqa: E402

NAMES = {"mean": "Mean score / 平均分", "A": "A-tier counties / A类县数", "B": "B-tier counties / B类县数",
         "C": "C-tier counties / C类县数", "raised": "Counties rising / 得分上升的县数",
         "changed": "Counties changing tier / 类别变化的县数"}


def main() -> None:
    bands = posterior.stored_bands()
    frame = bands[bands["statistic"].isin(NAMES)].assign(measure=lambda f: f["statistic"].map(NAMES))
    chart = charts.style(charts.record_bands(frame, {"round": "assessment round / 评价年份", "band": "80%",
                                                     "median": "median / 中位数", "published": "published / 公布"},
                                             columns=3), None)
    out = ROOT / "docs" / "province_fit.png"
    chart.save(str(out), scale_factor=1.5)
    print(out)


if __name__ == "__main__":
    main()
