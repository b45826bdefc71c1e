"""``simulate``: a scenario's projection as frames (indicators, county scores, plan attainment)."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .attainment import attainment
from .catalog import load_catalog
from .params import Params
from .projection import run
from .rubric import Score
from .scenario import Scenario
from .scoring import item_points, rubric_values, score_batch  # noqa: F401  (public here too: a projection's scores)


@dataclass(frozen=True)
class Projection:
    """Result of :func:`simulate`.

    ``indicators``: years (baseline first) x quantities, in catalog units;
    ``scores``: years x (group points, ``total``, ``tier``, ``evaluated_in``) when the preset
    has a rubric, else an empty frame; ``attainment``: one row per plan target.
    """

    scenario: Scenario
    indicators: pd.DataFrame
    scores: pd.DataFrame
    attainment: pd.DataFrame
    score_detail: Score | None = None


def simulate(sc: Scenario, params: Params | None = None) -> Projection:
    """Project the scenario year by year, score it with its rubric and check its plan targets.

    >>> from sim import load_preset, simulate  # doctest: +SKIP
    >>> simulate(load_preset("demo")).scores["total"].iloc[-1]  # doctest: +SKIP
    """
    X = run(sc, params=params)
    years = pd.Index([sc.base_year, *sc.years], name="year")
    cols = [q for q in load_catalog().indicators if q in X]
    one = {q: X[q][0] for q in cols}
    frame = pd.DataFrame(np.column_stack([one[q] for q in cols]), index=years, columns=cols)
    scores = pd.DataFrame(index=years)
    detail = None
    if sc.rubric_id:
        detail = score_batch(sc, one)
        groups = list(detail.groups)
        scores = pd.DataFrame(np.column_stack([detail.groups[g] for g in groups] + [detail.total]),
                              index=years, columns=[*groups, "total"])
        scores["tier"] = detail.tier
        scores["evaluated_in"] = years + sc.evaluation_lag
    tiers = {"tier": detail.tier} if detail is not None else {}
    return Projection(sc, frame, scores, attainment(sc, one, tiers), detail)


def inputs_frame(sc: Scenario) -> pd.DataFrame:
    """The scenario's baseline with provenance: one row per quantity (catalog units), its status
    (seed / derived / assumption / calibrated) and the words or reasoning behind it."""
    cat = load_catalog()
    rows = []
    for q, v in sc.base.items():
        ind = cat.indicators[q]
        p = sc.provenance.get(q)
        g = sc.provenance.get(f"growth.{q}")
        rows.append({"quantity": q, "zh": ind.zh, "en": ind.en, "unit": ind.unit, "value": v,
                     "status": p.status if p else "derived", "detail": p.detail if p else "",
                     "detail_zh": p.text("zh") if p else "",
                     "growth": sc.growth.get(q, np.nan),
                     "growth_status": g.status if g else ("assumption" if q in sc.growth else ""),
                     "growth_detail": g.detail if g else (ind.note if q in sc.growth else ""),
                     "growth_detail_zh": g.text("zh") if g else ((ind.note_zh or ind.note) if q in sc.growth else "")})
    for q, v in sc.management.items():
        p = sc.provenance.get(q)
        rows.append({"quantity": q, "zh": q, "en": q, "unit": "", "value": v,
                     "status": p.status if p else "", "detail": p.detail if p else "",
                     "detail_zh": p.text("zh") if p else ""})
    for pid, v in sc.status_quo.items():
        p = sc.provenance.get(f"program.{pid}")
        prog = cat.program(pid)
        rows.append({"quantity": f"program.{pid}", "zh": prog.zh, "en": prog.en, "unit": "万元/年",
                     "value": v, "status": p.status if p else "assumption", "detail": p.detail if p else "",
                     "detail_zh": p.text("zh") if p else ""})
    return pd.DataFrame(rows)


def assumed_values(sc: Scenario) -> list[str]:
    """The baseline values the scenario takes as assumptions (status ``assumption`` in
    :func:`inputs_frame`: quantities, management items, programs' status quo): the one count the
    scenario page, the Data page, the Method page and the briefing give."""
    frame = inputs_frame(sc)
    return list(frame.loc[frame["status"] == "assumption", "quantity"])
