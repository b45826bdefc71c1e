"""Province-scale batches: every county through Monte Carlo and (optionally) robust optimization,
on one machine or a cluster, with Dask (``dask.distributed``): a local cluster by default, a
scheduler's address for a real one, the same code either way; ``workers=0`` runs serially in
this process (no Dask needed). The counties go through in stacked chunks (:mod:`sim.counties.stacked`:
every county's draws and optimizer evaluations in one vectorized batch), a chunk to a Dask task;
each county's row depends only on its inputs and the seed, so a chunked, distributed run gives
exactly the serial run's numbers, and both exactly :func:`county_result`'s (the per-county path).

>>> table = run(regions.load("hengshui"), 2025, draws=1000, budget_extra=200,
...             execution=Execution(workers=2))  # doctest: +SKIP
"""
from __future__ import annotations

import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import pandas as pd

from sim.files.errors import InputError
from sim.model.scenario import Scenario
from sim.plan import Options, Robust, optimize, scored_year
from sim.uncertainty import monte_carlo

from .collection import Regions
from .stacked import county_rows

COLUMNS = ("county", "data_year", "P10", "P50", "P90", "P_A", "P_B", "P_C", "P_fall", "budget", "optimized_P_A",
           "optimized_median", "gain_P_A", "seconds")


@dataclass(frozen=True)
class Task:
    """One county's work: its scenario, the target year, the draws and seed, and the yearly
    budget to optimize (None: Monte Carlo only)."""

    county: str
    scenario: Scenario
    target_year: int
    draws: int
    seed: int
    budget: float | None


def county_result(task: Task) -> dict:
    """Monte Carlo of the county's status quo (``draws`` draws: median, P10/P90 and tier chances
    of the target year's assessment) and, with a budget, the robust optimum (the split that
    maximizes the probability of tier A over the optimizer's own draws) re-checked under the
    same ``draws``. Pure: the same task gives the same row on any machine."""
    t0 = time.perf_counter()
    sc = task.scenario
    year = scored_year(sc, task.target_year, "score")
    mc = monte_carlo(sc, task.draws, task.seed, indicators=False, central=False)
    row = {"county": task.county, "data_year": year, **{k: float(mc.score.loc[year, k]) for k in ("P10", "P50", "P90")},
           **{f"P_{k}": float(mc.tiers.loc[year, k]) for k in ("A", "B", "C", "fall")}, "budget": np.nan,
           "optimized_P_A": np.nan, "optimized_median": np.nan, "gain_P_A": np.nan}
    if task.budget is not None:
        res = optimize(sc, task.budget, task.target_year, options=Options(robust=Robust("prob_a", seed=task.seed)))
        check = monte_carlo(res.scenario, task.draws, task.seed, indicators=False, central=False)
        row.update(budget=float(task.budget), optimized_P_A=float(check.tiers.loc[year, "A"]),
                   optimized_median=float(check.score.loc[year, "P50"]))
        row["gain_P_A"] = row["optimized_P_A"] - row["P_A"]
    row["seconds"] = time.perf_counter() - t0
    return row


def tasks(regions: Regions, target_year: int, draws: int = 1000, seed: int = 0,
          budget_extra: float | None = None) -> list[Task]:
    """One task per county; ``budget_extra``: 万元 a year added to each county's own status-quo
    budget for the optimization (None: Monte Carlo only)."""
    if draws < 1:
        raise InputError("bad_setting", key="draws", value=str(draws), reason=">= 1")
    out = []
    for name, sc in zip(regions.names, regions.scenarios):
        budget = None if budget_extra is None else float(sc.budget()[0]) + float(budget_extra)
        out.append(Task(name, sc, target_year, draws, seed, budget))
    return out


@dataclass(frozen=True)
class Execution:
    """Where and how a batch runs (the execution knobs of :func:`run`; they change no number).

    ``client``: an open Dask client the caller keeps (:class:`WarmCluster`'s: the batch uses it and
    leaves it open); else ``scheduler``: a Dask scheduler's address (``tcp://host:8786``); else
    ``workers`` processes of a private local Dask cluster started for the batch
    (:func:`private_cluster`; None: one per core); ``workers=0``: serially in this process.
    ``progress(done, total)``: called (counties finished, counties in the batch) as counties finish."""

    workers: int | None = None
    scheduler: str | None = None
    progress: Callable[[int, int], None] | None = field(default=None, compare=False)
    client: object | None = field(default=None, compare=False)


def run(regions: Regions, target_year: int, draws: int = 1000, seed: int = 0, budget_extra: float | None = None,
        execution: Execution = Execution()) -> pd.DataFrame:
    """Every county's row (see :func:`county_result`), in the collection's order: ``draws``
    parameter draws per county from ``seed``; ``budget_extra``: 万元 a year added to each county's
    own budget for the robust optimization (None: Monte Carlo only); ``execution``: where it runs
    (:class:`Execution`: a local Dask cluster by default)."""
    work = tasks(regions, target_year, draws, seed, budget_extra)
    workers, scheduler, progress = execution.workers, execution.scheduler, execution.progress
    if execution.client is not None:
        return _on(execution.client, work, progress)
    if scheduler is None and workers == 0:
        rows = []
        for part in chunks(work, 1):
            rows += county_rows(part)
            if progress:
                progress(len(rows), len(work))
        return pd.DataFrame(rows, columns=list(COLUMNS))
    return _distributed(work, workers, scheduler, progress)


MAX_CHUNK = 192  # counties stacked in one pass (one Dask task): a national run is split into passes of at most this many


def chunks(work: list[Task], parts: int) -> list[list[Task]]:
    """The tasks in consecutive chunks, at least ``parts`` of them (one per worker) and none
    larger than :data:`MAX_CHUNK` counties."""
    n = max(parts, -(-len(work) // MAX_CHUNK), 1)
    size = -(-len(work) // n) if work else 1
    return [work[i:i + size] for i in range(0, len(work), size)]


def private_cluster(workers: int | None):
    """A local Dask cluster only this process can use: TLS with a key pair made for it and held
    in memory (``Security.temporary()``: a process without the certificate cannot connect, so
    no other local user can run code in it), listening on 127.0.0.1 only, no dashboard, and the
    scheduler's HTTP endpoint on a free port (never the fixed 8787). Returns (cluster, security)."""
    from distributed import LocalCluster
    from distributed.security import Security

    security = Security.temporary()
    cluster = LocalCluster(n_workers=workers or None, threads_per_worker=1, processes=True, protocol="tls://",
                           host="127.0.0.1", security=security, dashboard_address=None,
                           scheduler_kwargs={"dashboard": False, "dashboard_address": "127.0.0.1:0"})
    return cluster, security


CONNECT_TIMEOUT = "20s"  # how long a remote scheduler may take to answer before the batch says it cannot reach it


def _distributed(work: list[Task], workers: int | None, scheduler: str | None,
                 progress: Callable[[int, int], None] | None) -> pd.DataFrame:
    from distributed import Client

    cluster = None
    try:
        if scheduler:
            client = Client(scheduler, timeout=CONNECT_TIMEOUT)
        else:
            cluster, security = private_cluster(workers)
            client = Client(cluster, security=security)
    except OSError as exc:
        raise InputError("scheduler_unreachable", address=scheduler or "local", reason=str(exc)) from None
    try:
        return _on(client, work, progress)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def _on(client, work: list[Task], progress: Callable[[int, int], None] | None) -> pd.DataFrame:
    """The batch on a Dask client's workers: a chunk of counties each."""
    from distributed import as_completed

    parts = chunks(work, max(len(client.scheduler_info().get("workers", {})), 1))
    futures = client.map(county_rows, parts, pure=False)
    index = {f.key: i for i, f in enumerate(futures)}
    done: list[list[dict] | None] = [None] * len(parts)
    for fut in as_completed(futures):
        done[index[fut.key]] = fut.result()
        if progress:
            progress(sum(len(d) for d in done if d is not None), len(work))
    return pd.DataFrame([row for d in done for row in d], columns=list(COLUMNS))


class WarmCluster:
    """A private local Dask cluster (:func:`private_cluster`) started in the background and kept
    for many batches: the app's server keeps one for the City page's every-county batch, so that
    a click waits neither for the worker processes to start (~1.6 s) nor for them to import the
    model. :meth:`lease` lends its client for one batch, waiting for it at most ``wait`` seconds,
    and gives None if it is not up (the caller then runs the batch serially: the same numbers);
    ``error`` says why it failed. ``idle`` (seconds, None: never): once no batch has used it for
    that long it closes itself and gives its workers' memory back (``closed``); a batch holding a
    lease is never cut short."""

    def __init__(self, workers: int, idle: float | None = None):
        self.workers, self.idle = workers, idle
        self.error: str | None = None
        self.closed = False
        self._cluster = self._client = None
        self._ready, self._stop = threading.Event(), threading.Event()
        self._lock = threading.Lock()
        self._busy, self._used = 0, time.monotonic()
        threading.Thread(target=self._start, name="sim-warm-cluster", daemon=True).start()

    def _start(self) -> None:
        cluster = client = None
        try:
            from distributed import Client

            cluster, security = private_cluster(self.workers)
            client = Client(cluster, security=security)
            client.run(_warm)
            self._cluster, self._client = cluster, client
        except Exception as exc:  # noqa: BLE001 - the batch falls back to this process; the reason is kept
            self.error = f"{type(exc).__name__}: {exc}"
            for started in (client, cluster):  # a cluster up but failing to warm would keep its processes
                if started is not None:
                    started.close()
        finally:
            self._used = time.monotonic()
            self._ready.set()
        if self._client is not None and self.idle is not None:
            self._watch()

    def _watch(self) -> None:
        """Close the cluster once it has been idle for ``idle`` seconds (checked a few times in that span)."""
        while not self._stop.wait(min(max(self.idle / 4, 0.05), 30.0)):
            with self._lock:
                if self.closed or self._busy or time.monotonic() - self._used < self.idle:
                    continue
                self.closed = True
            self._shut()
            return

    @contextmanager
    def lease(self, wait: float = 30.0):
        """The cluster's client for one batch (None if it is not up within ``wait`` seconds, failed
        or was closed): while it is lent the cluster is not closed for idleness."""
        self._ready.wait(wait)
        with self._lock:
            got = None if self.closed else self._client
            self._busy += got is not None
        try:
            yield got
        finally:
            if got is not None:
                with self._lock:
                    self._busy -= 1
                    self._used = time.monotonic()

    def client(self, wait: float = 30.0):
        """The cluster's client once it is up (None if it is not within ``wait`` seconds, failed or
        was closed); not lent (see :meth:`lease`)."""
        self._ready.wait(wait)
        return None if self.closed else self._client

    def close(self) -> None:
        self._ready.wait()
        with self._lock:
            self.closed = True
        self._stop.set()
        self._shut()

    def _shut(self) -> None:
        with self._lock:
            client, cluster, self._client, self._cluster = self._client, self._cluster, None, None
        if client is not None:
            client.close()
            cluster.close()


WARM_DRAWS = 50  # draws of the one-county batch each warm worker runs once (the model's tables read, its code paths taken)


def _warm() -> None:
    """A worker's set-up before its first batch: the allocator tuned and one county of the
    packaged Hengshui collection through a small batch (measured on Hengshui's 11 counties: the
    first batch 2.7 s on workers only started, 2.2 s on workers that had run one)."""
    from sim.allocator import tune

    from .regions import goal_of, load

    tune()
    county_rows(tasks(load("hengshui"), goal_of("hengshui").year, WARM_DRAWS, 0, 200.0)[:1])
