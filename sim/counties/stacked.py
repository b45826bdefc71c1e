"""Many counties through Monte Carlo and robust optimization in one vectorized pass.

The per-county path (:func:`sim.counties.batch.county_result`) spends about half its time on overhead: a
robust optimization asks the engine about 90 times for one to two thousand rows each (candidate
splits x draws, ~50,000 rows a county in all), and each call costs ~35 ms before the first row;
the rest is the rows themselves (~25-45 us a row on this 2-core machine). Here every county's
work runs in step with the others, so the fixed cost is paid once a round, not once a county:

* **Monte Carlo.** Each county's draws (:func:`sim.uncertainty.draw`, the county's own seed and
  ranges) become rows of one stacked projection; the quantiles and tier chances are computed per
  county exactly as :func:`sim.uncertainty.monte_carlo` does.
* **Robust optimization.** Each county runs the unchanged optimizer (:func:`sim.plan.optimize`)
  in a thread of its own; every evaluation it asks for (:func:`sim.plan.objective.per_round`)
  waits until every county still searching has asked too, and the coordinator answers all of
  them with one stacked engine call per chunk of rows (:func:`evaluate`). The search's decisions,
  and so its result, are the per-county path's: each county sees the same numbers.

Stacking: requests whose scenarios share a structure (:func:`signature`) and whose parameters
name the same inputs go in one batch; each county's own baseline, growth, parameters, rates,
management items and reference spending become per-row parameters (:func:`stack`). The engine is
elementwise over rows, so a county's rows in a batch equal its rows alone, bit for bit (tested).
What no spending moves is projected once per county and parameters, as the per-county path's
objective prepares it, and gathered into every later round (:func:`_prepared`).

Scale beyond one process: :mod:`sim.counties.batch` hands chunks of counties to Dask workers, each chunk
one call of :func:`county_rows`.
"""
from __future__ import annotations

import functools
import threading
import time
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from sim.allocator import tune
from sim.model.attainment import TIER_RANK
from sim.model.catalog import load_catalog
from sim.model.effects import moved_quantities
from sim.model.free import Free
from sim.model.params import MAPPINGS, Params
from sim.model.projection import run
from sim.model.rubric import load_rubric
from sim.model.scenario import Scenario
from sim.plan import Options, Robust, optimize, scored_year
from sim.plan import objective as _objective
from sim.uncertainty import QUANTILES, draw

CHUNK_ROWS = 16_384  # rows per engine call: large enough to amortize its fixed cost, small enough for the cache


@dataclass(frozen=True)
class Request:
    """One objective evaluation a county asks for: ``per_round(sc, x, objective, params, years)``
    (:func:`sim.plan.objective.per_round`); ``x`` (k, programs, years) 万元."""

    sc: Scenario
    x: np.ndarray
    objective: str
    params: Params | None
    years: tuple[int, ...]

    @functools.cached_property
    def rows(self) -> int:
        """The engine rows the request takes (its allocations or its parameter sets, the more)."""
        return max(self.x.shape[0], self.params.size() if self.params is not None else 1)


class _GivenBaselines(dict):
    """The counties' own baselines, one per row. Not drawn: falsy, so that the engine keeps each
    county's given baseline ratios and sums as it does for a county alone (it derives them from
    their parts only when baselines are drawn: ``if params.base`` in :func:`sim.model.projection.run`)."""

    def __bool__(self) -> bool:
        return False


def signature(sc: Scenario) -> tuple:
    """What a stacked batch cannot vary by row: the structure (quantities, programs, years,
    rubric) and the growth profile's pace settings. Scenarios with equal signatures stack."""
    return (tuple(sc.base), sc.programs, sc.base_year, tuple(sc.years), sc.rubric_id, sc.growth_profile,
            tuple(sorted(sc.pace_groups.items())), tuple(sorted(sc.pace_theta.items())), sc.pace_spread,
            sc.pace_window, sc.pace_mode, sc.line_effort, sc.effort_reach, tuple(sorted(sc.rates)),
            tuple(sorted(sc.management)))


def _key(r: Request, cache: dict) -> tuple:
    """What requests must share to stack; ``cache`` (see :func:`stack`) keeps each scenario's
    signature (a county asks with the same scenario round after round)."""
    p = r.params or Params()
    names = tuple(tuple(sorted(map(str, getattr(p, f)))) for f in MAPPINGS)
    if ("signature", id(r.sc)) not in cache:
        cache[("signature", id(r.sc))] = (r.sc, signature(r.sc))
    return (cache[("signature", id(r.sc))][1], r.objective, r.years, r.x.shape[1:], names, bool(p.base),
            p.reference is not None, _source(r) is not None)


def _source(r: Request) -> tuple[Params | None, int] | None:
    """(parameters, copies) whose rows the request's repeat: (None, 1), the county's own, for a
    nominal request; (draws, k) for draws tiled k times (:meth:`Params.tiled`, the robust search's);
    None for others (a Monte Carlo's draws, asked once)."""
    if r.params is None:
        return None, 1
    ref, k = r.params.__dict__.get("tiled_from", (None, 0))
    source = ref() if k else None
    return (source, k) if source is not None else None


def _own(sc: Scenario) -> dict[str, dict]:
    """The scenario-level values the engine falls back to when a parameter is not given (see
    :func:`sim.model.projection.run` and :func:`sim.model.simulate.rubric_values`), by Params field."""
    cat = load_catalog()
    qs = tuple(sc.base)
    out = {"base": {q: sc.base[q] for q in qs}, "growth": {q: sc.growth.get(q, 0.0) for q in qs},
           "param": {q: sc.param.get(q, cat.indicators[q].param) for q in qs},
           "ratio_k": {q: sc.ratio_k.get(q, 1.0) for q in qs if cat.indicators[q].kind == "ratio"},
           "rate": {q: sc.rates[q] for q in qs if q in sc.rates}, "management": {}}
    out["base"]["programs"] = sum(sc.status_quo.values())
    if sc.rubric_id:
        out["management"] = {c.id: sc.management[c.id] for c in load_rubric(sc.rubric_id).columns
                             if c.id not in sc.base and c.id in sc.management}
    return out


def _given(v, n: int) -> np.ndarray:
    """A given parameter (scalar or (n,)) as n rows."""
    a = np.asarray(v)
    return np.full(n, a, dtype=a.dtype) if a.ndim == 0 else a.reshape(-1)


def stack(requests: Sequence[Request], cache: dict | None = None) -> tuple[Scenario, np.ndarray, Params]:
    """Requests of one key (same signature, objective, years and parameter names) as one batch:
    (template scenario, spending (rows, P, Y), per-row parameters). Rows follow the requests'
    order, each request's :attr:`Request.rows` of them. ``cache``: kept by the caller across batches:
    id(scenario) -> (scenario, its own values), and :func:`_key`'s signatures."""
    cache = {} if cache is None else cache
    sizes = np.array([r.rows for r in requests])
    n_years = len(requests[0].sc.years)
    P = requests[0].x.shape[1]
    x = np.concatenate([np.broadcast_to(r.x, (k, *r.x.shape[1:])) for r, k in zip(requests, sizes)])
    given = [r.params or Params() for r in requests]
    own = []
    for r in requests:
        if id(r.sc) not in cache:
            cache[id(r.sc)] = (r.sc, _own(r.sc))
        own.append(cache[id(r.sc)][1])
    fields = {}
    county, ids = np.repeat(np.arange(len(requests)), sizes), tuple(id(r.sc) for r in requests)  # each row's request
    for f in MAPPINGS:
        named = getattr(given[0], f)
        if f == "shocks":
            fields[f] = {q: np.concatenate([np.broadcast_to(np.asarray(g.shocks[q], dtype=float).reshape(-1, n_years + 1),
                                                            (k, n_years + 1)) for g, k in zip(given, sizes)])
                         for q in named}
            continue
        fields[f] = {q: np.concatenate([_given(getattr(g, f)[q], k) for g, k in zip(given, sizes)]) for q in named}
        fields[f].update(_own_rows(ids, own, f, named, county, cache))
    if not given[0].base:
        fields["base"] = _GivenBaselines(fields["base"])
    if given[0].reference is not None:
        ref = np.concatenate([np.broadcast_to(np.asarray(g.reference, dtype=float).reshape(-1, P, n_years), (k, P, n_years))
                              for g, k in zip(given, sizes)])
    else:
        ref = np.repeat(np.stack([cache[id(r.sc)][0].reference_matrix() for r in requests]), sizes, axis=0)
    return requests[0].sc, x, Params(**fields, reference=ref)


def _own_rows(ids: tuple, own: list[dict], f: str, named, county: np.ndarray, cache: dict) -> dict:
    """Params field ``f``'s values the requests (scenario ``ids``) do not name: each county's own
    value over its rows (``county``: each row's request), quantity -> (rows,). A take from one table
    (quantities, counties), kept in ``cache`` for these counties in this order (rounds ask again)."""
    key = ("own", f, ids, tuple(sorted(map(str, named))))
    if key not in cache:
        values = {q: np.asarray([o[f][q] for o in own]) for q in own[0].get(f, {}) if q not in named}
        numbers = [q for q, v in values.items() if v.dtype.kind in "biuf"]  # a category's labels stay text, apart
        table = np.array([values[q] for q in numbers], dtype=float).reshape(len(numbers), len(own))
        cache[key] = (numbers, table, {q: v for q, v in values.items() if q not in numbers})
    numbers, table, text = cache[key]
    out = dict(zip(numbers, table.take(county, axis=1))) if numbers else {}
    return {**out, **{q: v[county] for q, v in text.items()}}


def evaluate(requests: Sequence[Request], cache: dict | None = None) -> list[np.ndarray]:
    """Each request's ``per_round`` (rows, rounds), computed in stacked engine calls of at most
    :data:`CHUNK_ROWS` rows (a request is never split); ``cache``: see :func:`stack`."""
    cache = {} if cache is None else cache
    out: list[np.ndarray | None] = [None] * len(requests)
    groups: dict[tuple, list[int]] = {}
    for i, r in enumerate(requests):
        groups.setdefault(_key(r, cache), []).append(i)
    for idx in groups.values():
        chunk: list[int] = []
        rows = 0
        for i in [*idx, None]:
            if i is not None and (not chunk or rows + requests[i].rows <= CHUNK_ROWS):
                chunk.append(i)
                rows += requests[i].rows
                continue
            sc, x, params = stack([requests[j] for j in chunk], cache)
            if _source(requests[chunk[0]]) is not None:  # the key makes a chunk all or none
                object.__setattr__(params, "free", Free.of(sc, params, _prepared([requests[j] for j in chunk], cache)))
            r0 = requests[chunk[0]]
            vals = _objective.per_round(sc, x, r0.objective, params, r0.years)
            at = 0
            for j in chunk:
                k = requests[j].rows
                out[j] = vals[at:at + k]
                at += k
            chunk, rows = ([i], requests[i].rows) if i is not None else ([], 0)
    return out  # type: ignore[return-value]


def _prepared(requests: Sequence[Request], cache: dict) -> dict[str, np.ndarray]:
    """What no spending moves (:func:`sim.model.projection.prepare`), for the rows of a chunk whose
    requests repeat parameters (:func:`_source`): each county's rows under its parameters projected
    once, in one stacked run of those not seen before, kept in ``cache`` as one table a quantity
    (with the scenario and the parameters, so that their ids stay theirs), then gathered as each
    request repeats them: the numbers stepping them gives (the engine is row-wise), without the
    steps every round."""
    at, tables = cache.setdefault(("free", _key(requests[0], cache)), ({}, {}))  # a table per structure and years
    todo = {}
    for r in requests:
        key = (id(r.sc), id(_source(r)[0]))
        if key not in at and key not in todo:
            todo[key] = Request(r.sc, r.x[:1], r.objective, _source(r)[0], r.years)
    if todo:
        sc, x, params = stack(list(todo.values()), cache)
        moved = moved_quantities(tuple(sc.base), sc.programs, bool(sc.rubric_id))
        X, start = run(sc, x, params), next(iter(tables.values())).shape[1] if tables else 0
        for key, r in todo.items():  # rows start.. of each quantity's table (years + 1, rows)
            at[key], start = (start, r.rows, r.params, r.sc), start + r.rows  # both kept: their ids stay theirs
        tables.update({q: np.concatenate([tables[q], v.T], axis=1) if q in tables else np.ascontiguousarray(v.T)
                       for q, v in X.items() if q not in moved})
    rows = np.concatenate([at[k][0] + np.arange(r.rows) % at[k][1]  # row j m + i is the source's row i
                           for r, k in ((r, (id(r.sc), id(_source(r)[0]))) for r in requests)])
    return {q: t.take(rows, axis=1).T for q, t in tables.items()}  # (rows, years + 1), column-major as the engine's


class Lockstep:
    """Counties' threads asking for evaluations, answered together (see the module doc):
    :meth:`ask` blocks a county's thread until the coordinator (:meth:`serve`, in the calling
    thread) has answered every county still running. Each county waits on an event of its own and
    is woken once a round; only the coordinator waits for the round to fill."""

    def __init__(self, n: int):
        self.lock = threading.Lock()
        self.full = threading.Condition(self.lock)  # the round holds every live county's request
        self.live = n
        self.pending: dict[int, tuple[Request, threading.Event]] = {}
        self.done: dict[int, object] = {}
        self.calls = 0
        self.cache: dict = {}

    def ask(self, i: int, r: Request) -> np.ndarray:
        answered = threading.Event()
        with self.lock:
            self.pending[i] = (r, answered)
            if len(self.pending) >= self.live:
                self.full.notify()
        answered.wait()
        with self.lock:
            got = self.done.pop(i)
        if isinstance(got, BaseException):
            raise got
        return got

    def leave(self) -> None:
        with self.lock:
            self.live -= 1
            self.full.notify()

    def serve(self) -> None:
        while True:
            with self.lock:
                while self.live > 0 and len(self.pending) < self.live:
                    self.full.wait()
                if self.live == 0:
                    return
                batch, self.pending = self.pending, {}
            keys = list(batch)
            try:
                answers: list = evaluate([batch[k][0] for k in keys], self.cache)
            except Exception as exc:  # every waiting county gets the error
                answers = [exc] * len(keys)
            self.calls += 1
            with self.lock:
                self.done.update(zip(keys, answers))
            for k in keys:
                batch[k][1].set()


def in_step(jobs: Sequence) -> list:
    """Run ``jobs`` (callables of no argument), one thread each, with every objective evaluation
    they make answered in stacked batches (:class:`Lockstep`). Returns their results in order; a
    job's exception is raised here after all have finished."""
    step = Lockstep(len(jobs))
    results: list = [None] * len(jobs)

    def body(i: int) -> None:
        _objective.BATCH.ask = lambda sc, x, objective, params, years: step.ask(
            i, Request(sc, np.asarray(x, dtype=float), objective, params, tuple(years)))
        try:
            results[i] = jobs[i]()
        except BaseException as exc:  # noqa: BLE001 (handed back to the caller below)
            results[i] = exc
        finally:
            _objective.BATCH.ask = None
            step.leave()

    threads = [threading.Thread(target=body, args=(i,), daemon=True) for i in range(len(jobs))]
    for t in threads:
        t.start()
    step.serve()
    for t in threads:
        t.join()
    for r in results:
        if isinstance(r, BaseException):
            raise r
    return results


@dataclass(frozen=True)
class Band:
    """A county's Monte Carlo of one year: P10/P50/P90 of the score (points) and the chances of
    each tier and of falling below its base year's tier."""

    P10: float
    P50: float
    P90: float
    P_A: float
    P_B: float
    P_C: float
    P_fall: float


def _band(sc: Scenario, y: np.ndarray, year: int) -> Band:
    """:class:`Band` of draws y (n, years + 1) as :func:`sim.uncertainty.monte_carlo` computes it."""
    t = year - sc.base_year
    col = y[:, t]
    q = np.quantile(col, QUANTILES) if not np.isnan(col).any() else np.full(len(QUANTILES), np.nan)
    tier = load_rubric(sc.rubric_id).tier_of(y[:, [0, t]])  # the base year's and the year's
    p = {k: float((tier[:, 1] == k).mean()) for k in ("A", "B", "C")}
    rank = _rank(tier)
    return Band(float(q[0]), float(q[1]), float(q[2]), p["A"], p["B"], p["C"],
                float((rank[:, 1] < rank[:, 0]).mean()))


def _rank(tier: np.ndarray) -> np.ndarray:
    """Tier letters (any shape) as their ranks (:data:`sim.model.attainment.TIER_RANK`)."""
    letters, at = np.unique(tier, return_inverse=True)
    return np.array([TIER_RANK[str(v)] for v in letters])[at].reshape(tier.shape)


def monte_carlo(scenarios: Sequence[Scenario], draws: int, seed: int, year: int) -> list[Band]:
    """Each scenario's :class:`Band` of statistics year ``year`` under ``draws`` draws of its own
    (seed ``seed``; width 1), all scenarios' draws projected in stacked batches."""
    reqs = []
    for sc in scenarios:
        every = (sc.base_year, *sc.years)
        reqs.append(Request(sc, sc.spend_matrix()[None], "score", draw(sc, draws, seed), every))
    return [_band(sc, y, year) for sc, y in zip(scenarios, evaluate(reqs))]


def county_rows(tasks: Sequence) -> list[dict]:
    """Every task's row of :data:`sim.counties.batch.COLUMNS`, equal to :func:`sim.counties.batch.county_result`'s
    (``seconds``: the chunk's time shared evenly). ``tasks``: :class:`sim.counties.batch.Task` (county,
    scenario, target_year, draws, seed, budget)."""
    tune()  # this process's allocator, once: a Dask worker runs chunks too (sim.allocator)
    t0 = time.perf_counter()
    rows = []
    for tk in tasks:
        rows.append({"county": tk.county, "data_year": scored_year(tk.scenario, tk.target_year, "score")})
    for row, tk, b in zip(rows, tasks, _bands([tk.scenario for tk in tasks], tasks, rows)):
        row.update(P10=b.P10, P50=b.P50, P90=b.P90, P_A=b.P_A, P_B=b.P_B, P_C=b.P_C, P_fall=b.P_fall,
                   budget=np.nan, optimized_P_A=np.nan, optimized_median=np.nan, gain_P_A=np.nan)
    todo = [i for i, tk in enumerate(tasks) if tk.budget is not None]
    jobs = [lambda tk=tasks[i]: optimize(tk.scenario, tk.budget, tk.target_year,
                                         options=Options(robust=Robust("prob_a", seed=tk.seed))) for i in todo]
    found = in_step(jobs)
    checked = _bands([res.scenario for res in found], [tasks[i] for i in todo], [rows[i] for i in todo])
    for i, b in zip(todo, checked):
        rows[i].update(budget=float(tasks[i].budget), optimized_P_A=b.P_A, optimized_median=b.P50)
        rows[i]["gain_P_A"] = rows[i]["optimized_P_A"] - rows[i]["P_A"]
    share = (time.perf_counter() - t0) / max(len(tasks), 1)
    return [{**r, "seconds": share} for r in rows]


def _bands(scenarios: Sequence[Scenario], tasks: Sequence, rows: Sequence[dict]) -> list[Band]:
    """Bands of each scenario at its row's data year, grouped by (draws, seed, year)."""
    out: list[Band | None] = [None] * len(scenarios)
    groups: dict[tuple, list[int]] = {}
    for i, (tk, row) in enumerate(zip(tasks, rows)):
        groups.setdefault((tk.draws, tk.seed, row["data_year"]), []).append(i)
    for (n, seed, year), idx in groups.items():
        for i, b in zip(idx, monte_carlo([scenarios[i] for i in idx], n, seed, year)):
            out[i] = b
    return out  # type: ignore[return-value]

