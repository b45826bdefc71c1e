"""The synthetic Hebei province: its record is the reference's, its first round is the published
distribution, the stored pace factors reproduce rounds 2019-2021 within the stated tolerance,
and a fresh fit finds them again."""
from __future__ import annotations


import numpy as np
import pytest

import sim
from sim.counties import province, regions



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


def test_rewards_go_to_the_counties_that_rose_most(hebei):
    """The 2019 round's rewards (the record's 75 counties, 1.61亿元) are spent in 2019 by the
    counties whose score rose most from 2017 to 2018."""
    batch = regions.project(hebei, 2020)
    t = batch.template
    extra = batch.spend.sum(axis=1) - batch.params.reference.sum(axis=1)
    j = t.years.index(2019)
    rec = province.load_record()["rewards"][0]
    assert (extra[:, j] > 1e-6).sum() == rec["counties"]
    assert extra[:, j].sum() == pytest.approx(rec["total"])
    gains = batch.score.total[:, 1] - batch.score.total[:, 0]
    rewarded = extra[:, j] > 1e-6
    assert gains[rewarded].min() >= gains[~rewarded].max() - 1e-9


def test_the_record_s_later_figures_are_the_reference_s_words(seeds):
    text = seeds["hebei_county_results.md"]
    for r in province.load_record()["rounds"]:
        for k in ("changed", "raised"):
            if k in r:
                assert r[f"{k}_source"] in text and str(r[k]) in r[f"{k}_source"]


@pytest.mark.slow
def test_a_fresh_fit_finds_the_stored_posterior_again(hebei):
    """The stored posterior (data/profiles/hebei_county_posterior.csv) is what the seeded fit
    gives: refit with another seed (the same settings), each factor's median within half its P10-P90
    spread, and the fit not degenerate (its effective sample size 141 for seed 1; 113-166 over
    seeds 0-5)."""
    from sim.counties import posterior
    from sim.uncertainty import load_posterior

    stored = load_posterior("hebei-county")
    fresh = posterior.fit(hebei, None, options=posterior.FitOptions(seed=1))
    for k, v in stored.items():
        spread = np.quantile(v, 0.9) - np.quantile(v, 0.1)
        assert abs(np.median(fresh.draws[k]) - np.median(v)) <= 0.5 * spread, k
    assert fresh.ess >= 80
