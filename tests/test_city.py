"""A whole city: Hengshui's 11 counties (illustrative values matching the published 2021 round)
and the goal of seed 003."""
from __future__ import annotations

import pandas as pd
import pytest

from sim import regions
from sim.loaders import DATA_DIR, read_toml


@pytest.fixture(scope="module")
def hengshui():
    return regions.load("hengshui")


@pytest.fixture(scope="module")
def frame(hengshui):
    return regions.simulate(hengshui)


def test_hengshui_has_its_eleven_counties_by_name_and_is_labelled_illustrative(hengshui):
    spec = read_toml(DATA_DIR / "regions/hengshui.toml")
    assert hengshui.names == tuple(c["zh"] for c in spec["counties"])
    assert set(hengshui.names) == {"桃城区", "冀州区", "枣强县", "武邑县", "深州市", "武强县", "饶阳县", "安平县",
                                   "故城县", "景县", "阜城县"}
    assert "示意" in hengshui.zh and "illustrative" in hengshui.en and hengshui.synthetic
    assert all(c["code"].startswith("1311") and len(c["code"]) == 6 for c in spec["counties"])


def test_the_2021_round_matches_the_published_city(hengshui, frame):
    """4 A / 5 B / 2 C and mean 70.39 after the 2021 round (statistics of 2020), each county in
    the tier its file lists (published for 景县, 冀州区, 枣强县, 武强县, 故城县)."""
    spec = read_toml(DATA_DIR / "regions/hengshui.toml")
    base = frame.xs(2020, level="year")
    assert base["tier"].value_counts().to_dict() == {"A": 4, "B": 5, "C": 2}
    assert base["total"].mean() == pytest.approx(70.39, abs=0.5)
    for c in spec["counties"]:
        assert base.loc[c["zh"], "tier"] == c["tier"], c["zh"]


def test_the_goal_of_seed_003_is_read_and_checked_per_round(frame):
    goal = regions.goal_of("hengshui")
    assert (goal.min_tier, goal.min_a, goal.year) == ("B", 5, 2025) and "A类不少于5个" in goal.source
    out = regions.goal_summary(frame, goal)
    assert list(out["round"]) == [y + 1 for y in out.index]
    assert not out.loc[2020, "goal_met"]  # two C counties in the 2021 round
    for y, row in out.iterrows():
        assert row["goal_met"] == (row["C"] == 0 and row["A"] >= 5)


@pytest.mark.parametrize("tiers,met", [(["A"] * 5 + ["B"] * 6, True), (["A"] * 4 + ["B"] * 7, False),
                                       (["A"] * 10 + ["C"], False), (["A"] * 11, True)])
def test_goal_met(tiers, met):
    assert regions.Goal("B", 5, 2025).met(pd.Series(tiers)) is met
