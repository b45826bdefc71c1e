"""Hand-computed points for every breakpoint, band interior, cap and tier boundary.

The expected numbers are typed from the seed's annex (002_…), not read from the data file,
so a transcription error in data/rubrics/hebei_county.toml fails here.
"""
from __future__ import annotations

import numpy as np
import pytest

from sim import InputError, score

# item: [(value, expected points), ...] — 0, lowest band, each breakpoint, inside each band, above top
BANDED = {
    "fiscal_st_spending": [(0, 0), (500, 1.5), (1000, 3), (3000, 3.5), (5000, 4), (7500, 4.5),
                           (10000, 5), (25000, 5)],
    "fiscal_st_share": [(0, 0), (0.25, 2), (0.5, 4), (0.75, 5), (1, 6), (1.5, 7), (2, 8), (3, 8)],
    "industrial_rd_intensity": [(0, 0), (0.25, 2), (0.5, 4), (0.75, 5), (1, 6), (1.25, 6.5),
                                (1.5, 7), (2.2, 7)],
    "high_tech_enterprises": [(0, 0), (4, 2), (10, 5), (20, 6), (40, 8), (70, 9), (100, 10), (150, 10)],
    "high_tech_per_1000_firms": [(0, 0), (1, 1.25), (2, 2.5), (3.5, 3), (5, 3.5), (7.5, 3.75),
                                 (10, 4), (12, 4)],
    "tech_smes": [(0, 0), (40, 1), (100, 2.5), (300, 3.75), (500, 5), (750, 6), (1000, 7), (1500, 7)],
    "tech_smes_per_1000_firms": [(0, 0), (12, 1), (30, 2.5), (65, 3), (100, 3.5), (200, 3.75),
                                 (300, 4), (400, 4)],
    "firms_with_rd_institutions_pct": [(0, 0), (5, 1.75), (10, 3.5), (30, 4), (50, 4.5), (65, 4.75),
                                       (80, 5), (100, 5)],
    "invention_patents_per_10k": [(0, 0), (1, 1.75), (2, 3.5), (3, 4), (4, 4.5), (8, 5.25), (12, 6),
                                  (30, 6)],
    "high_tech_value_added_share": [(0, 0), (5, 1), (10, 2), (15, 3.5), (20, 5), (30, 5.5), (40, 6),
                                    (75, 6)],
    "agri_industrialization_rate": [(0, 0), (25, 1), (50, 2), (55, 2.25), (60, 2.5), (65, 2.75),
                                    (70, 3), (90, 3)],
}
CASES = [(item, v, p) for item, rows in BANDED.items() for v, p in rows]


@pytest.mark.parametrize("item,value,expected", CASES, ids=[f"{i}={v}" for i, v, _ in CASES])
def test_banded_points(rubric, zeros, item, value, expected):
    s = score(rubric, {**zeros, item: value})
    assert float(s.items[item]) == pytest.approx(expected, abs=1e-9)


def test_banded_vectorized_equals_one_by_one(rubric, zeros):
    for item, rows in BANDED.items():
        vals = np.array([v for v, _ in rows], dtype=float)
        got = score(rubric, {**zeros, item: vals}).items[item]
        np.testing.assert_allclose(got, [p for _, p in rows], atol=1e-9)


# (item, value) -> (points per unit at the value, distance to the next breakpoint)
MARGINALS = [
    ("fiscal_st_spending", 0, 3 / 1000, 1000), ("fiscal_st_spending", 1000, 1 / 4000, 4000),
    ("fiscal_st_spending", 9000, 1 / 5000, 1000), ("fiscal_st_spending", 10000, 0, np.nan),
    ("high_tech_enterprises", 39, 3 / 30, 1), ("high_tech_enterprises", 40, 2 / 60, 60),
    ("invention_patents_per_10k", 3, 0.5, 1), ("high_tech_value_added_share", 12, 0.3, 8),
]


@pytest.mark.parametrize("item,value,slope,dist", MARGINALS)
def test_marginal_points_and_distance_to_next_breakpoint(rubric, zeros, item, value, slope, dist):
    s = score(rubric, {**zeros, item: value})
    assert float(s.marginal[item]) == pytest.approx(slope)
    if np.isnan(dist):
        assert np.isnan(s.to_next[item])
    else:
        assert float(s.to_next[item]) == pytest.approx(dist)


# counted units: (column, points per unit) typed from the seed
UNIT_POINTS = {
    "national_key_labs": 2, "provincial_key_labs": 1, "national_tech_innovation_centers": 2,
    "provincial_tech_innovation_centers": 1, "national_enterprise_tech_centers": 2,
    "provincial_enterprise_tech_centers": 1, "national_clinical_research_centers": 2,
    "provincial_clinical_research_centers": 1, "provincial_industrial_tech_institutes": 1,
    "provincial_new_rd_institutions": 1,
    "national_high_tech_zones": 3, "provincial_high_tech_zones": 2, "national_agri_sci_parks": 2,
    "provincial_agri_sci_parks": 1, "national_sustainable_dev_zones": 2,
    "provincial_sustainable_dev_zones": 1, "national_featured_industry_bases": 1,
    "provincial_featured_industry_bases": 0.5, "national_innovative_county": 3,
    "provincial_innovative_county": 2, "national_intl_coop_bases": 2, "provincial_intl_coop_bases": 1,
    "national_innovative_towns": 0.5, "provincial_innovative_towns": 0.3,
    "national_incubators": 2, "provincial_incubators": 1, "national_maker_spaces": 1,
    "provincial_maker_spaces": 0.5, "productivity_promotion_centers": 1, "tech_innovation_alliances": 1,
    "tech_transfer_institutions": 1, "tech_markets": 1, "academician_workstations": 0.5,
    "national_projects": 1, "provincial_projects": 0.5, "national_st_awards": 3,
    "provincial_st_awards": 2, "national_commendations": 3, "provincial_commendations": 2,
    "city_commendations": 1, "st_leading_group": 1,
}
CAPS = {"platforms": 8, "parks_bases": 6, "service_institutions": 6, "higher_level_support": 5,
        "st_admin": 5}


@pytest.mark.parametrize("column,per_unit", UNIT_POINTS.items())
def test_points_per_unit(rubric, zeros, column, per_unit):
    item = next(c.item for c in rubric.columns if c.id == column)
    s = score(rubric, {**zeros, column: 1})
    assert float(s.items[item]) == pytest.approx(per_unit, abs=1e-12)


@pytest.mark.parametrize("column,per_unit", [(c, p) for c, p in UNIT_POINTS.items()
                                             if c not in ("national_innovative_county",
                                                          "provincial_innovative_county",
                                                          "st_leading_group")])
def test_caps(rubric, zeros, column, per_unit):
    item = next(c.item for c in rubric.columns if c.id == column)
    cap = CAPS[item]
    n_below = int(np.floor(cap / per_unit - 1e-9))
    at_cap = score(rubric, {**zeros, column: 100}).items[item]
    below = score(rubric, {**zeros, column: n_below}).items[item]
    assert float(at_cap) == cap
    assert float(below) == pytest.approx(n_below * per_unit, abs=1e-9) and float(below) <= cap


def test_provincial_innovative_towns_sum_exactly(rubric, zeros):
    s = score(rubric, {**zeros, "provincial_innovative_towns": 3})
    assert float(s.items["parks_bases"]) == 0.9  # 0.3 * 3 without float noise


@pytest.mark.parametrize("body,points", [("independent", 4), ("merged", 2), ("nameplate", 1), ("none", 0),
                                         ("独立行政科技管理部门", 4), ("合署办公", 2), ("加挂科技局牌子", 1)])
def test_admin_body_points_and_leading_group_cap(rubric, zeros, body, points):
    assert float(score(rubric, {**zeros, "st_admin_body": body}).items["st_admin"]) == points
    with_group = score(rubric, {**zeros, "st_admin_body": body, "st_leading_group": 1})
    assert float(with_group.items["st_admin"]) == min(points + 1, 5)


def test_unknown_category_is_an_input_error(rubric, zeros):
    with pytest.raises(InputError) as e:
        score(rubric, {**zeros, "st_admin_body": "bureau"})
    assert "st_admin_body" in e.value.message("zh") and "bureau" in e.value.message("en")


def test_management_innovation_is_clipped_to_its_five_points(rubric, zeros):
    assert float(score(rubric, {**zeros, "st_management_innovation": 3.5}).items["st_management_innovation"]) == 3.5
    assert float(score(rubric, {**zeros, "st_management_innovation": 9}).items["st_management_innovation"]) == 5


def test_full_county_scores_100_and_zero_county_0(rubric, zeros, full):
    s = score(rubric, full)
    assert float(s.total) == 100 and str(s.tier) == "A"
    assert {k: float(v) for k, v in s.groups.items()} == {
        "inputs": 20, "actors": 25, "conditions": 25, "outputs": 15, "management": 15}
    z = score(rubric, zeros)
    assert float(z.total) == 0 and str(z.tier) == "C"


def _at(full, **changes):
    return {**full, **changes}


@pytest.mark.parametrize("changes,total,tier", [
    # from 100: drop management innovation (5), support (5), the body (5), agriculture (3) -> 82;
    # a fiscal share of 1% earns 6 of 8 -> 80 exactly
    (dict(fiscal_st_share=1), 80, "A"),
    (dict(fiscal_st_share=0.9975), 79.99, "B"),
    # ... and then no high-tech enterprises (-10), no tech SMEs (-7), 12 SMEs per 1000 firms (1 of 4)
    (dict(fiscal_st_share=1, high_tech_enterprises=0, tech_smes=0, tech_smes_per_1000_firms=12), 60, "B"),
    (dict(fiscal_st_share=1, high_tech_enterprises=0, tech_smes=0, tech_smes_per_1000_firms=11.88), 59.99, "C"),
])
def test_tier_boundaries(rubric, full, changes, total, tier):
    vals = _at(full, st_management_innovation=0, national_st_awards=0, st_admin_body="none",
               st_leading_group=0, agri_industrialization_rate=0, **changes)
    s = score(rubric, vals)
    assert float(s.total) == pytest.approx(total, abs=1e-9)
    assert str(s.tier) == tier


@pytest.mark.parametrize("total,tier", [(0, "C"), (59.99, "C"), (60, "B"), (79.99, "B"), (80, "A"), (100, "A"),
                                        (59.9999999999, "B"), (79.9999999999, "A")])
def test_tier_of(rubric, total, tier):
    assert str(rubric.tier_of(total)) == tier


def test_scores_broadcast_over_regions_and_years(rubric, zeros):
    hte = np.array([[5, 40, 120], [10, 70, 100]])  # 2 scenarios x 3 years
    s = score(rubric, {**zeros, "high_tech_enterprises": hte, "tech_smes": 100})
    assert s.total.shape == (2, 3) and s.tier.shape == (2, 3)
    np.testing.assert_allclose(s.items["high_tech_enterprises"], [[2.5, 8, 10], [5, 9, 10]])
    np.testing.assert_allclose(s.items["tech_smes"], 2.5)


def test_missing_column_is_named(rubric, zeros):
    vals = dict(zeros)
    del vals["tech_markets"]
    with pytest.raises(InputError, match="tech_markets"):
        score(rubric, vals)


def test_totals_equal_the_score_s_total_bit_for_bit(rubric, zeros):
    """The optimizer's and the push's total-only path (sim.model.rubric.totals) is score()'s
    total, to the bit, over random columns (banded values around their breakpoints, counts,
    assessed points, categories) and given item points."""
    from sim.model.rubric import totals

    rng = np.random.default_rng(7)
    n = 4_000
    vals = {}
    for c in rubric.columns:
        if c.kind == "category":
            vals[c.id] = rng.choice([cat.id for cat in rubric.item(c.item).categories], n)
        elif c.kind == "number":
            xs = rubric.item(c.item).breakpoints[0]
            vals[c.id] = np.where(rng.random(n) < 0.3, rng.choice(xs, n), rng.uniform(0, 1.3 * xs[-1], n))
        else:
            vals[c.id] = rng.uniform(-1, 1.2 * (c.max_value or 10), n).round(rng.integers(0, 3))
    points = {rubric.items[-1].id: rng.uniform(-2, 12, n)}
    want = score(rubric, vals, points).total
    np.testing.assert_array_equal(totals(rubric, vals, points), want)
    assert not np.array_equal(totals(rubric, vals), want)  # the given points count
