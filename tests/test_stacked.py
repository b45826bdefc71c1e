"""Counties stacked through Monte Carlo and robust optimization (sim.counties.stacked) give exactly the
per-county path's numbers (sim.counties.batch.county_result): the same bits, not merely close ones."""
from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from sim.counties import batch, regions, stacked
from sim.files.errors import InputError
from sim.plan import make_problem
from sim.plan.objective import per_round
from sim.uncertainty import draw


def _some(regions_id: str, idx: tuple[int, ...]) -> regions.Regions:
    rg = regions.load(regions_id)
    return replace(rg, names=tuple(rg.names[i] for i in idx), scenarios=tuple(rg.scenarios[i] for i in idx),
                   params=None)


def _requests(rg: regions.Regions) -> list[stacked.Request]:
    """What an optimizer asks for: candidate splits at central parameters and under draws, over
    the rounds scored, for every county; and a Monte Carlo of every year."""
    out = []
    rng = np.random.default_rng(7)
    for sc in rg.scenarios:
        pb = make_problem(sc, float(sc.budget()[0]) + 200.0, 2025)
        short = pb.scenario
        x = pb.budget * rng.dirichlet(np.ones(len(short.programs)), size=(5, pb.shape[1])).transpose(0, 2, 1)
        out.append(stacked.Request(short, x, "score", None, pb.scored))
        out.append(stacked.Request(short, np.repeat(x, 12, axis=0), "score", draw(short, 12, 3).tiled(5), pb.scored))
        out.append(stacked.Request(sc, sc.spend_matrix()[None], "score", draw(sc, 40, 1), (sc.base_year, *sc.years)))
    return out


@pytest.mark.parametrize("regions_id", ["hebei-synthetic", "hengshui"])
def test_a_stacked_evaluation_is_each_county_s_own_bit_for_bit(regions_id, monkeypatch):
    rg = _some(regions_id, (0, 3, 7))
    reqs = _requests(rg)
    monkeypatch.setattr(stacked, "CHUNK_ROWS", 100)  # several chunks per batch, requests never split
    got = stacked.evaluate(reqs)
    for r, v in zip(reqs, got):
        alone = per_round(r.sc, r.x, r.objective, r.params, r.years)
        assert v.shape == alone.shape
        assert np.array_equal(v, alone)


def test_repeated_parameters_are_prepared_once_and_freed_with_each_call(monkeypatch):
    """Nominal and tiled requests take what no spending moves from one prepared run per county and
    parameters (stacked._prepared: one table, then gathered, the numbers above); each call's
    gathered rows go when the call does, not at a later garbage collection (a Free holds its owner
    weakly: with collection off, a cycle between them would show as a live weak reference)."""
    import gc
    import weakref

    rg = _some("hengshui", (0, 3))
    reqs, draws = [], []
    for r in _requests(rg):
        if r.params is None:
            reqs.append(r)
        elif "tiled_from" in r.params.__dict__:  # the draws kept, as the optimizer's objective keeps them
            draws.append(draw(r.sc, 12, 3))
            reqs.append(replace(r, params=draws[-1].tiled(5)))
    assert all(stacked._source(r) is not None for r in reqs) and len(reqs) == 4
    made, real = [], stacked.Free.of

    def free(*args):
        out = real(*args)
        made.append(weakref.ref(out))
        return out

    monkeypatch.setattr(stacked.Free, "of", free)
    cache: dict = {}
    gc.disable()
    try:
        first = stacked.evaluate(reqs, cache)
        assert made and all(ref() is None for ref in made)
        runs, real_run = [], stacked.run
        monkeypatch.setattr(stacked, "run", lambda *a: runs.append(1) or real_run(*a))
        again = stacked.evaluate(reqs, cache)
    finally:
        gc.enable()
    assert not runs  # prepared once: the second round gathers from the table
    for a, b, r in zip(first, again, reqs):
        assert np.array_equal(a, b) and np.array_equal(a, per_round(r.sc, r.x, r.objective, r.params, r.years))


def _rows(tasks) -> pd.DataFrame:
    return pd.DataFrame(stacked.county_rows(tasks), columns=list(batch.COLUMNS)).drop(columns="seconds")


def _per_county(tasks) -> pd.DataFrame:
    return pd.DataFrame([batch.county_result(t) for t in tasks], columns=list(batch.COLUMNS)).drop(columns="seconds")


def test_stacked_rows_equal_the_per_county_path_exactly():
    """Medians, bands, tier chances and the robust optimum's P(A) and median: equal (no tolerance)."""
    work = batch.tasks(_some("hengshui", (1, 6)), 2025, draws=300, seed=5, budget_extra=150.0)
    pd.testing.assert_frame_equal(_rows(work), _per_county(work), check_exact=True)


@pytest.mark.slow
@pytest.mark.parametrize("regions_id, idx, extra", [("hebei-synthetic", (0, 40, 99, 167), 200.0),
                                                    ("demo-city", (0, 3, 5), 500.0)])
def test_stacked_rows_equal_the_per_county_path_in_other_collections(regions_id, idx, extra):
    work = batch.tasks(_some(regions_id, idx), 2025, draws=1000, seed=0, budget_extra=extra)
    pd.testing.assert_frame_equal(_rows(work), _per_county(work), check_exact=True)


def test_the_optimized_splits_are_the_per_county_optimizer_s():
    from sim.plan import Options, Robust, optimize

    rg = _some("hebei-synthetic", (2, 11))
    jobs = [lambda sc=sc: optimize(sc, float(sc.budget()[0]) + 300.0, 2025, options=Options(robust=Robust("p10", seed=2)))
            for sc in rg.scenarios]
    together = stacked.in_step(jobs)
    for job, res in zip(jobs, together):
        alone = job()
        assert np.array_equal(res.x, alone.x) and res.fun == alone.fun and res.nfev == alone.nfev
        pd.testing.assert_frame_equal(res.robust, alone.robust, check_exact=True)


def test_chunks_do_not_change_a_row():
    """A Dask task is a chunk of counties: a county's row is the same whatever chunk it is in."""
    work = batch.tasks(_some("hengshui", (0, 2, 4, 9)), 2025, draws=200, seed=1, budget_extra=100.0)
    whole = _rows(work)
    parts = pd.concat([_rows(c) for c in batch.chunks(work, 3)], ignore_index=True)
    pd.testing.assert_frame_equal(whole, parts, check_exact=True)
    assert [len(c) for c in batch.chunks(work, 3)] == [2, 2]
    national = batch.chunks(work * 450, 2)  # 1,800 county units: passes of at most MAX_CHUNK counties
    assert sum(map(len, national)) == 1800 and max(map(len, national)) <= batch.MAX_CHUNK
    assert len(national) == 10 and [len(c) for c in batch.chunks(work, 8)] == [1, 1, 1, 1]


def test_a_county_that_fails_fails_the_batch_without_hanging_the_others():
    work = batch.tasks(_some("hengshui", (0, 1)), 2025, draws=50, seed=0, budget_extra=100.0)
    bad = replace(work[1], budget=float("nan"))  # the optimizer refuses it, in its county's thread
    with pytest.raises(InputError) as e:
        stacked.county_rows([work[0], bad])
    assert e.value.code == "negative_total_budget"
