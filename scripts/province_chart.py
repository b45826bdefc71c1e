"""Render the calibration's chart (published rounds against the synthetic province) for the
README: docs/province_fit.png. Run: .venv/bin/python scripts/province_chart.py"""
from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from sim import province, regions  # noqa: E402
from report import labels  # noqa: E402
from ui import charts  # noqa: E402


def main() -> None:
    hebei = regions.load("hebei-synthetic")
    rec = province.compare(hebei, province.province_at(hebei, None, 2025))
    rows = []
    for measure, pub, model in (("A-tier counties / A类县数", "A", "A_model"),
                                ("B-tier counties / B类县数", "B", "B_model"),
                                ("Mean score / 平均分", "mean", "mean_model")):
        rows.append(pd.DataFrame({"round": rec.index, "measure": measure, "series": "published / 公布",
                                  "value": rec[pub]}))
        rows.append(pd.DataFrame({"round": rec.index, "measure": measure, "series": "model / 模型",
                                  "value": rec[model]}))
    frame = pd.concat(rows).dropna()
    titles = labels.chart_titles("en", round="assessment round / 评价年份")  # the tooltips' names
    chart = charts.style(charts.record_fit(frame, titles), None)
    out = ROOT / "docs" / "province_fit.png"
    chart.save(str(out), scale_factor=1.5)
    print(out)


if __name__ == "__main__":
    main()
