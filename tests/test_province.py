"""The synthetic Hebei province: its record is the reference's, its first round is the published
distribution, the stored pace factors reproduce rounds 2019-2021 within the stated tolerance,
and a fresh fit finds them again."""
from __future__ import annotations


import numpy as np
import pytest

import sim
from sim import province, regions



@pytest.fixture(scope="module")
def hebei():
    return regions.load("hebei-synthetic")


@pytest.fixture(scope="module")
def frame(hebei):
    return regions.simulate(hebei)


def test_the_record_s_figures_are_the_reference_s_words(seeds):
    text = seeds["hebei_county_results.md"]
    rec = province.load_record()
    for r in rec["rounds"]:
        assert r["source"] in text, r["round"]
        assert f"| {r['A']} | {r['B']} | {r['C']} |" in r["source"]
        if "mean" in r:
            assert f"{r['mean']:.2f}" in r["source"]
    for r in rec["rewards"]:
        if r.get("status") != "assumption":
            assert r["source"] in text
        else:
            assert r["note"]
    assert rec["high_tech_enterprises"]["source"] in text and "6,985" in rec["high_tech_enterprises"]["source"]


def test_the_province_is_168_synthetic_counties_with_the_2018_round_s_tiers(hebei, frame):
    assert len(hebei) == 168 and hebei.synthetic
    assert all("合成" in n for n in hebei.names)
    first = frame.xs(2017, level="year")
    assert list(first["tier"].value_counts().reindex(["A", "B", "C"])) == [6, 31, 131]
    assert first["total"].mean() == pytest.approx(47.4, abs=0.3)  # the assumed first-round mean
    prov = hebei.scenarios[0].provenance
    assert any(p.status == "synthetic" for p in prov.values())


def test_simulate_gives_every_county_s_path_with_groups_total_and_tier(hebei, frame):
    assert frame.index.names == ["region", "year"]
    assert list(frame.columns) == ["inputs", "actors", "conditions", "outputs", "management", "total", "tier"]
    years = sorted(set(frame.index.get_level_values("year")))
    assert years[0] == 2017 and years[-1] >= 2025  # keeps projecting after 2021 under the same policy
    np.testing.assert_allclose(frame[["inputs", "actors", "conditions", "outputs", "management"]].sum(axis=1),
                               frame["total"], atol=1e-6)
    # the batch equals the counties one by one
    one = sim.simulate(hebei.scenarios[5])
    assert one.scores.index[0] == 2017


def test_the_stored_pace_reproduces_rounds_2019_to_2021_within_tolerance(hebei):
    cmp = province.compare(hebei, province.province_at(hebei, None, 2020))
    rows = cmp.dropna(subset=["mean"])
    assert list(rows.index) == [2019, 2020, 2021]
    assert ((rows["mean_model"] - rows["mean"]).abs() <= province.MEAN_TOLERANCE).all(), rows
    assert ((rows["A_model"] - rows["A"]).abs() <= province.A_TOLERANCE).all(), rows
    assert province.within_tolerance(cmp)
    hte = cmp["high_tech_enterprises_model"]
    assert hte.loc[2021] / hte.loc[2018] == pytest.approx(3.0, abs=0.3)  # "nearly three times more"


def test_rewards_go_to_the_counties_that_rose_most(hebei):
    batch = province.province_at(hebei, None, 2020)
    t = batch.template
    extra = batch.spend.sum(axis=1) - batch.params.reference.sum(axis=1)
    j = t.years.index(2019)  # the 2019 round's rewards are spent in 2019
    rec = province.load_record()["rewards"][0]
    assert (extra[:, j] > 1e-6).sum() == rec["counties"]
    assert extra[:, j].sum() == pytest.approx(rec["total"])


@pytest.mark.slow
def test_a_fresh_fit_finds_the_stored_pace_again(hebei):
    fit = province.fit(hebei, start={"pace": 1.8, "hte": 1.4, "intensity": 2.0, "spread": 0.05})
    assert province.within_tolerance(fit.comparison), fit.comparison
    from sim.loaders import load_profile

    stored = load_profile("hebei-county")["theta"]
    for k in ("pace", "hte"):
        assert fit.theta[k] == pytest.approx(stored[k], rel=0.2), (k, fit.theta, stored)
