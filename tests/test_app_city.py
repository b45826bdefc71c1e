"""The city page (全市 / City) in both languages: map, ladder, goal, the city optimizer and
"apply"; the page without boundary files."""
from __future__ import annotations

import pytest

from tests.helpers import latin_sentences, open_app, page_texts


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_city_page_shows_the_goal_map_and_ladder(lang):
    at = open_app("demo", lang=lang, page="city")
    assert not at.exception
    assert at.title[0].value.startswith("全市" if lang == "zh" else "City")
    assert at.warning  # illustrative data, said so
    assert at.metric[0].value.endswith("%") and at.metric[2].value == "11"
    charts = at.get("vega_lite_chart")
    assert len(charts) >= 2  # the map and the ladder
    if lang == "zh":
        assert not latin_sentences(page_texts(at))


def test_the_city_optimizer_runs_and_its_split_can_be_applied():
    at = open_app("demo", lang="zh", page="city")
    at.number_input(key="city_budget_hengshui").set_value(800.0).run()
    at.button(key="city_opt_run").click().run()
    assert not at.exception
    assert any("已分配" in m.label for m in at.metric)
    placed = next(m.value for m in at.metric if "已分配" in m.label)
    assert placed == "800"
    table = at.table[0].value
    assert len(table) == 11
    at.button(key="city_apply").click().run()
    assert any("已应用" in i.value for i in at.info)
    at.button(key="city_unapply").click().run()
    assert not any("已应用" in i.value for i in at.info)


def test_without_boundary_files_the_page_still_works(monkeypatch):
    import sim.loaders

    monkeypatch.setattr(sim.loaders, "load_shape", lambda code: None)
    at = open_app("demo", lang="en", page="city")
    assert not at.exception
    assert any("No county boundaries" in i.value for i in at.info)
