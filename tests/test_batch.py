"""Province-scale batches (sim.counties.batch) on Dask, and a city's counties from a filled template
(sim.counties.regions.from_table)."""
from __future__ import annotations

import contextlib
import time
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from sim.cli import main
from sim.counties import batch, regions
from sim.files.errors import InputError
from sim.files.loaders import load_rubric_example
from sim.inputs.tables import template_bytes
from sim.model.catalog import load_catalog
from sim.model.rubric import load_rubric


pytestmark = pytest.mark.usefixtures("plain_main")  # Dask's spawned workers (tests/conftest.py)


@pytest.fixture(scope="module")
def small():
    h = regions.load("hengshui")
    names = ("景县", "故城县", "饶阳县", "阜城县")
    return replace(h, names=names, scenarios=tuple(h.scenarios[h.names.index(n)] for n in names))


def _numbers(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.drop(columns=["seconds"])


@pytest.mark.slow
def test_dask_on_a_local_cluster_gives_the_serial_numbers(small):
    seen = []
    serial = batch.run(small, 2025, draws=200, seed=4, budget_extra=150.0, execution=batch.Execution(workers=0))
    dist = batch.run(small, 2025, draws=200, seed=4, budget_extra=150.0,
                     execution=batch.Execution(workers=2, progress=lambda d, n: seen.append((d, n))))
    pd.testing.assert_frame_equal(_numbers(serial), _numbers(dist))
    assert seen[-1] == (4, 4) and len(seen) == 2  # a stacked chunk per worker reports as it finishes
    assert list(serial["county"]) == list(small.names)
    assert (serial["optimized_P_A"] >= serial["P_A"] - 0.05).all()  # robust splits do not lose the odds
    np.testing.assert_allclose(serial[["P_A", "P_B", "P_C"]].sum(axis=1), 1.0)


@pytest.mark.slow
def test_a_warm_cluster_serves_batch_after_batch_with_the_serial_numbers(small):
    """The City page's warm workers (batch.WarmCluster, ui.workers): started in the background,
    each worker warmed by a small batch of its own, then two batches on the same client, which
    the batch leaves open; both give the serial numbers."""
    serial = batch.run(small, 2025, draws=200, seed=4, budget_extra=150.0, execution=batch.Execution(workers=0))
    warm = batch.WarmCluster(2)
    try:
        client = warm.client(120)
        assert client is not None, warm.error
        assert len(client.scheduler_info()["workers"]) == 2
        for _ in range(2):
            seen = []
            out = batch.run(small, 2025, draws=200, seed=4, budget_extra=150.0,
                            execution=batch.Execution(workers=0, client=client, progress=lambda d, n: seen.append((d, n))))
            pd.testing.assert_frame_equal(_numbers(serial), _numbers(out))
            assert seen[-1] == (4, 4) and len(seen) == 2  # a chunk per worker
    finally:
        warm.close()
    assert warm.client(0) is None


def test_a_warm_cluster_that_cannot_start_says_why_and_gives_no_client(monkeypatch):
    def refused(workers):
        raise OSError("no free port")

    monkeypatch.setattr(batch, "private_cluster", refused)
    warm = batch.WarmCluster(2)
    assert warm.client(10) is None and warm.error == "OSError: no free port"


class _Fake:
    """A stand-in for a Dask cluster and its client: records that it was closed."""

    def __init__(self, *args, **kwargs):
        self.shut = False

    def run(self, fn):
        pass

    def close(self):
        self.shut = True


def test_an_idle_warm_cluster_closes_itself_but_never_under_a_batch(monkeypatch):
    """WarmCluster(idle=...): a batch holding a lease keeps the cluster however long it runs; once
    no batch has used it for ``idle`` seconds it closes (client and cluster) and lends nothing more."""
    import distributed

    made = []
    monkeypatch.setattr(batch, "private_cluster", lambda n: (made.append(_Fake()) or made[-1], None))
    monkeypatch.setattr(distributed, "Client", lambda cluster, security: made.append(_Fake()) or made[-1])
    warm = batch.WarmCluster(2, idle=0.2)
    with warm.lease(5) as client:
        assert client is made[1]
        time.sleep(0.6)  # a batch three times longer than the idle span
        assert not warm.closed and not any(f.shut for f in made)
    time.sleep(0.1)
    assert not warm.closed  # idle for less than 0.2 s since the batch ended
    deadline = time.monotonic() + 5
    while not warm.closed and time.monotonic() < deadline:
        time.sleep(0.05)
    assert warm.closed and all(f.shut for f in made)
    with warm.lease(0) as client:
        assert client is None
    assert warm.client(0) is None


def test_a_closed_warm_cluster_is_started_anew_by_the_page(monkeypatch):
    """ui.workers: the page's next use after an idle close starts another cluster, also when the
    close comes between finding the cluster and borrowing its client."""
    from ui import workers

    class Closing:
        error = None

        def __init__(self, n, idle):
            self.closed, self.idle = False, idle
            made.append(self)

        @contextlib.contextmanager
        def lease(self, wait):
            if len(made) == 2:  # the first cluster closes for idleness just as a batch asks for it
                self.closed = True
            yield None if self.closed else f"client {len(made)}"

    made = []
    monkeypatch.setenv("SIM_PAGE_WORKERS", "2")
    monkeypatch.setenv("SIM_PAGE_WORKERS_IDLE", "60")
    monkeypatch.setattr(workers, "WarmCluster", Closing)
    workers._cluster.clear()
    try:
        workers.start()
        workers.start()
        assert len(made) == 1 and made[0].idle == 60.0
        made[0].closed = True
        workers.start()
        assert len(made) == 2 and not made[1].closed
        with workers._lease() as got:  # the second closes under the lease's hand: a third serves the batch
            assert got == "client 3" and len(made) == 3
    finally:
        workers._cluster.clear()


def test_a_warm_cluster_that_fails_to_warm_closes_what_it_started(monkeypatch):
    """WarmCluster: a cluster that starts but whose warm-up fails gives no client, says why, and
    closes its client and cluster (their worker processes would otherwise stay for the server's life)."""
    import distributed

    made = []

    class Cold(_Fake):
        def run(self, fn):
            raise RuntimeError("import failed")

    monkeypatch.setattr(batch, "private_cluster", lambda n: (made.append(_Fake()) or made[-1], None))
    monkeypatch.setattr(distributed, "Client", lambda cluster, security: made.append(Cold()) or made[-1])
    warm = batch.WarmCluster(2)
    assert warm.client(5) is None and warm.error == "RuntimeError: import failed"
    assert len(made) == 2 and all(f.shut for f in made)


@pytest.mark.parametrize("text, idle", [("", 900.0), ("0", None), ("120", 120.0), ("nan", 900.0), ("十分钟", 900.0)])
def test_the_page_s_idle_span_comes_from_its_setting(monkeypatch, caplog, text, idle):
    from ui import workers

    monkeypatch.setenv("SIM_PAGE_WORKERS_IDLE", text)
    assert workers.idle() == idle
    assert ("not a number of seconds" in caplog.text) == (text in ("nan", "十分钟"))


@pytest.mark.parametrize("text, kept", [("0", 0), ("3", 3), (" 2 ", 2), ("-1", 0), ("两个", 0), ("2.5", 0)])
def test_the_page_s_worker_count_comes_from_its_setting(monkeypatch, caplog, text, kept):
    from ui import workers

    monkeypatch.setenv("SIM_PAGE_WORKERS", text)
    assert workers.count() == kept
    assert ("not a whole number" in caplog.text) == (text in ("两个", "2.5"))
    monkeypatch.delenv("SIM_PAGE_WORKERS")
    assert 1 <= workers.count() <= workers.MOST


def test_serial_batch_equals_monte_carlo_per_county(small):
    from sim.uncertainty import monte_carlo

    out = batch.run(small, 2025, draws=300, seed=2, execution=batch.Execution(workers=0))
    for name, sc in zip(small.names, small.scenarios):
        mc = monte_carlo(sc, 300, 2, indicators=False, central=False)
        row = out.set_index("county").loc[name]
        assert row["P50"] == pytest.approx(mc.score.loc[2024, "P50"])
        assert row["P_A"] == pytest.approx(mc.tiers.loc[2024, "A"])
    assert out["optimized_P_A"].isna().all()


def test_an_unreachable_scheduler_is_one_clear_message(small, monkeypatch):
    monkeypatch.setattr(batch, "CONNECT_TIMEOUT", "2s")  # the answer, sooner
    with pytest.raises(InputError) as e:
        batch.run(small, 2025, draws=10, execution=batch.Execution(scheduler="tcp://127.0.0.1:9"))
    assert e.value.code == "scheduler_unreachable" and "调度器" in e.value.message("zh")


def _template_rows(n: int) -> pd.DataFrame:
    """The template's example row n times, named 县1..n, as the template's own headers."""
    raw = read_table_bytes(template_bytes(load_rubric("hebei-county"), load_rubric_example("hebei-county")))
    rows = pd.concat([raw.iloc[[0]]] * n, ignore_index=True)
    rows.index = range(2, n + 2)  # spreadsheet rows (header = row 1)
    rows.iloc[:, 0] = [f"县{i + 1}" for i in range(n)]
    return rows


def read_table_bytes(data: bytes) -> pd.DataFrame:
    from sim.inputs.tables import table_from_bytes

    return table_from_bytes(data, "t.xlsx")


def test_a_city_from_its_template_with_and_without_spending_columns():
    rows = _template_rows(3)
    city = regions.from_table(rows)
    assert city.names == ("县1", "县2", "县3") and len(city.scenarios) == 3
    prog = load_catalog().programs[0]
    rows[f"{prog.zh}(万元/年,可选)"] = [500.0, None, 120.0]  # the template's own optional column
    own = regions.from_table(rows)
    assert own.scenarios[0].status_quo[prog.id] == pytest.approx(500.0)
    assert own.scenarios[1].status_quo[prog.id] == pytest.approx(city.scenarios[1].status_quo[prog.id])
    frame = regions.simulate(own)
    assert set(frame.index.get_level_values("region")) == {"县1", "县2", "县3"}
    assert frame.xs("县1", level="region")["total"].iloc[-1] > frame.xs("县1", level="region")["total"].iloc[0]


def test_bad_city_tables_are_refused_with_the_row_named():
    rows = _template_rows(3)
    rows.iloc[2, 0] = "县1"
    with pytest.raises(InputError) as e:
        regions.from_table(rows)
    assert e.value.code == "duplicate_county" and "第 4 行" in e.value.message("zh")
    rows = _template_rows(2)
    prog = load_catalog().programs[1]
    rows[f"spend_{prog.id}"] = ["abc", 10]
    with pytest.raises(InputError) as e:
        regions.from_table(rows)
    assert e.value.code == "not_a_number" and f"spend_{prog.id}" in e.value.message("en")
    rows = _template_rows(2)
    rows[f"spend_{prog.id}"] = [-5, 10]
    with pytest.raises(InputError) as e:
        regions.from_table(rows)
    assert e.value.code == "negative"


def test_cli_batch_writes_only_when_every_county_passed(tmp_path, capsys):
    rows = _template_rows(2)
    path = tmp_path / "counties.xlsx"
    rows.to_excel(path, index=False, sheet_name="数据")
    out = tmp_path / "results.csv"
    assert main(["batch", str(path), "--year", "2025", "--draws", "50", "--workers", "0", "--out", str(out)]) == 0
    got = pd.read_csv(out, encoding="utf-8-sig")
    assert list(got["county"]) == ["县1", "县2"] and got["P_A"].between(0, 1).all()
    assert "2/2" in capsys.readouterr().err  # the progress bar
    rows.iloc[1, 0] = "县1"
    rows.to_excel(path, index=False, sheet_name="数据")
    bad = tmp_path / "bad.csv"
    assert main(["batch", str(path), "--draws", "50", "--workers", "0", "--out", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "重复" in err and "appears again" in err and not bad.exists()
    assert main(["batch", "--draws", "5", "--out", str(bad)]) == 2  # neither a table nor --regions
    assert not bad.exists()
