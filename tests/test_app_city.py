"""The city page (全市 / City) in both languages: map, ladder, goal, the city optimizer and
"apply"; the page without boundary files."""
from __future__ import annotations

import contextlib
import hashlib
import html

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
    # each county's row says why it gets money or none (issue 19), and the round is drawn under the
    # status quo beside the plan
    why = list(table["原因"])
    assert all(why) and any(w.startswith("已是 A 类") for w in why)
    assert any("→" in w for w, m in zip(why, table["分得资金(万元/年)"]) if m not in ("0", "—"))
    assert len(at.get("vega_lite_chart")) >= 6  # the round's map and ladder, and both again: status quo | plan
    at.button(key="city_apply").click().run()
    assert any("已应用" in i.value for i in at.info)
    at.button(key="city_unapply").click().run()
    assert not any("已应用" in i.value for i in at.info)


def test_without_boundary_files_the_page_still_works(monkeypatch):
    import streamlit as st

    import sim.files.loaders

    monkeypatch.setattr(sim.files.loaders, "load_shape", lambda code: None)
    st.cache_resource.clear()  # the page keeps a city's map once drawn (the package does not come and go)
    at = open_app("demo", lang="en", page="city")
    assert not at.exception
    assert any("No county boundaries" in i.value for i in at.info)


def test_the_demo_city_has_no_map_but_its_ladder_and_goal():
    at = open_app("demo", lang="en", page="city")
    at.selectbox(key="city_id").select_index(1).run()
    assert not at.exception
    assert any("No county boundaries" in i.value for i in at.info)
    assert any("Synthetic data" in w.value for w in at.warning)
    assert at.metric[2].value == "8"


def test_a_city_s_own_table_is_loaded_and_bad_tables_are_named(tmp_path):
    import pandas as pd

    from sim.files.loaders import load_rubric_example
    from sim.inputs.tables import table_from_bytes, template_bytes
    from sim.model.rubric import load_rubric

    raw = table_from_bytes(template_bytes(load_rubric("hebei-county"), load_rubric_example("hebei-county")), "t.xlsx")
    rows = pd.concat([raw.iloc[[0]]] * 3, ignore_index=True)
    rows.iloc[:, 0] = ["甲县", "乙县", "丙县"]
    path = tmp_path / "c.csv"
    rows.to_csv(path, index=False, encoding="utf-8-sig")
    at = open_app("demo", lang="zh", page="city")
    data = path.read_bytes()
    at.session_state["city_upload_data"] = (data, "c.csv", hashlib.sha256(data).hexdigest())
    at.run()
    at.selectbox(key="city_id").select_index(2).run()  # the uploaded table is offered as a city
    assert not at.exception and at.metric[2].value == "3"
    assert "c.csv" in html.unescape(at.title[0].value)  # shown literally: a file's name is not Markdown
    assert any("县界" in i.value for i in at.info)  # no codes given: no map, the rest works


def test_every_county_batch_runs_with_its_progress_bar():
    at = open_app("demo", lang="zh", page="city")
    at.selectbox(key="city_id").select_index(1).run()
    at.select_slider(key="batch_draws").set_value(200).run()
    at.button(key="batch_run").click().run()
    assert not at.exception
    table = at.table[-1].value
    assert len(table) == 8 and "最稳妥分配下 A 类概率" in table.columns
    at.session_state["lang"] = "en"  # the caption is worded when shown: in the page's language now
    at.run()
    assert any(c.value.startswith("The 2025 round. One after another:") for c in at.caption)


def test_when_the_server_s_workers_do_not_start_the_batch_runs_here_and_says_so(monkeypatch):
    """ui.workers: a server that keeps workers offers them first; if they fail to start, the
    batch runs in the server's process with the same table, a note says so, and the next click
    starts them anew."""
    from sim.counties import batch, regions
    from ui import workers

    started = []

    class Refused:
        error, closed = "OSError: no free port", False

        def __init__(self, n, idle):
            started.append(n)

        @contextlib.contextmanager
        def lease(self, wait):
            yield None

        def close(self):
            pass

    workers._cluster.clear()
    monkeypatch.setenv("SIM_PAGE_WORKERS", "2")
    monkeypatch.setattr(workers, "WarmCluster", Refused)
    at = open_app("demo", lang="zh", page="city")
    at.selectbox(key="city_id").select_index(1).run()
    assert at.selectbox(key="batch_workers_2").options == ["并行计算(2 个进程)", "逐个计算"]
    at.select_slider(key="batch_draws").set_value(200).run()
    at.button(key="batch_run").click().run()
    assert not at.exception
    assert any("不可用" in c.value for c in at.caption)
    assert any(c.value.startswith("2025 年评价;逐个计算,用时") for c in at.caption)
    serial = batch.run(regions.load("demo-city"), 2025, 200, 0, 200.0, batch.Execution(workers=0))
    assert [v for v in at.table[-1].value.iloc[:, -1]] == [f"{p:.0%}" for p in serial["optimized_P_A"]]
    at.button(key="batch_run").click().run()
    assert len(started) >= 2  # tried again
    workers._cluster.clear()


def test_workers_that_fail_part_way_leave_the_batch_to_the_server_s_process(monkeypatch):
    """ui.workers.run: a cluster that is up but fails during the batch (a worker lost) is closed
    and forgotten, the batch runs in this process with the serial numbers, and the page says so."""
    from sim.counties import batch
    from ui import workers

    closed = []

    class Broken:
        error, closed = None, False

        def __init__(self, n, idle):
            pass

        @contextlib.contextmanager
        def lease(self, wait):
            yield object()  # a client whose batch fails

        def close(self):
            closed.append(True)

    def failing(*args, **kwargs):
        if kwargs.get("execution", args[-1] if args else None).client is not None:
            raise RuntimeError("worker lost")
        return serial_run(*args, **kwargs)

    serial_run = batch.run
    workers._cluster.clear()
    monkeypatch.setenv("SIM_PAGE_WORKERS", "2")
    monkeypatch.setattr(workers, "WarmCluster", Broken)
    monkeypatch.setattr(batch, "run", failing)
    at = open_app("demo", lang="en", page="city")
    at.selectbox(key="city_id").select_index(1).run()
    at.select_slider(key="batch_draws").set_value(200).run()
    at.button(key="batch_run").click().run()
    assert not at.exception and closed == [True]
    assert any("not available" in c.value for c in at.caption)
    assert any(c.value.startswith("The 2025 round. One after another:") for c in at.caption)
    assert len(at.table[-1].value) == 8
    workers._cluster.clear()


def test_what_the_goal_costs_is_stated_with_its_probability():
    at = open_app("demo", lang="en", page="city")
    at.selectbox(key="city_id").select_index(1).run()  # the demo city: its goal is not yet met in 2025
    at.number_input(key="city_cost_top").set_value(1000.0).run()
    at.button(key="city_cost_run").click().run()
    assert not at.exception
    said = [m.value for m in at.success] + [m.value for m in at.warning if "reachable" in m.value]
    assert said and ("probability" in said[0])


def test_every_page_with_a_result_offers_its_briefing():
    at = open_app("demo", lang="zh", page="city")
    assert [b for b in at.get("download_button") if b.proto.label == "下载汇报材料(Word)"]
    at = open_app("demo", lang="zh")
    assert [b for b in at.get("download_button") if b.proto.label == "下载汇报材料(Word)"]
    at = open_app("demo", lang="en", page="optimizer")
    at.button(key="opt_run").click().run()
    assert [b for b in at.get("download_button") if b.proto.label == "Download the briefing (Word)"]


def test_the_compare_page_offers_the_comparison_briefing():
    at = open_app("demo", lang="en", page="compare")
    at.text_input(key="cmp_name").set_value("briefing test")
    at.button(key="cmp_save").click().run()
    at.run()  # the current scenario and the saved one are compared
    assert "Download the briefing (Word)" in [b.proto.label for b in at.get("download_button")]


def test_projector_mode_keeps_the_city_page_to_what_a_meeting_reads():
    at = open_app("demo", lang="zh", page="city")
    at.toggle(key="projector").set_value(True).run()
    assert not at.exception
    assert not [b for b in at.button if b.key == "batch_run"]
    assert all("导入本市" not in e.label for e in at.expander)
    assert at.get("vega_lite_chart")  # the map and the ladder stay


def _city_table(tmp_path, name: str, scale: float) -> tuple[bytes, str]:
    """Three counties of the template's example row with every count and amount (家, 万元)
    multiplied by ``scale`` (a strong city above 1, a weak one below)."""
    import pandas as pd

    from sim.files.loaders import load_rubric_example
    from sim.inputs.tables import table_from_bytes, template_bytes
    from sim.model.rubric import load_rubric

    raw = table_from_bytes(template_bytes(load_rubric("hebei-county"), load_rubric_example("hebei-county")), "t.xlsx")
    rows = pd.concat([raw.iloc[[0]]] * 3, ignore_index=True)
    for c in rows.columns[1:]:
        num = pd.to_numeric(rows[c], errors="coerce")
        if num.notna().all() and ("(家)" in c or "(万元)" in c):
            rows[c] = (num * scale).round(0).astype(int).astype(str)
    rows.iloc[:, 0] = [f"{name}{i}" for i in range(3)]
    data = rows.to_csv(index=False).encode("utf-8-sig")
    return data, f"{name}.csv"


def _open_with_table(data: bytes, file_name: str):
    at = open_app("demo", lang="zh", page="city")
    at.session_state["city_upload_data"] = (data, file_name, hashlib.sha256(data).hexdigest())
    at.run()
    at.selectbox(key="city_id").select_index(2).run()
    assert not at.exception
    return at


def test_two_sessions_uploading_different_tables_each_see_their_own_numbers(tmp_path):
    """Results of an uploaded table are cached under its content: user B never sees user A's."""
    strong, weak = _city_table(tmp_path, "强县", 3.0), _city_table(tmp_path, "弱县", 0.3)
    a = _open_with_table(*strong)
    b = _open_with_table(*weak)
    a_numbers = [m.value for m in a.metric]
    b_numbers = [m.value for m in b.metric]
    assert a_numbers[1] != b_numbers[1]  # expected A counties: the strong city's are not the weak one's
    fresh = _open_with_table(*weak)  # the weak table alone (its cached results) gives B's numbers
    assert [m.value for m in fresh.metric] == b_numbers
    assert all("弱县" in r for r in b.table[0].value.index) if b.table else True
    ladder_a = a.get("arrow_vega_lite_chart")
    assert ladder_a is not None
