"""The synthetic Hebei province and the province's policy of the assessment years.

* :func:`synthetic_province` builds the 168 synthetic counties of 2017 (:mod:`sim.counties.synthetic`)
  as scenarios of the demo county's structure with the growth profile ``hebei-county``; each
  county also draws its own growth and response parameters from the same ranges that express
  the uncertainty about one county, and its own pace (``pace_z``: a standard normal number, the
  county's pace factor is exp(spread x z)): how counties differ beyond their data.
* The province's policy (:class:`Rewards`): every county keeps its program budget's share of the
  public budget (the status quo), and after each assessment round the province rewards the
  counties that rose most (跃升奖励: 1.61亿元 to 75 counties in the 2019 round, 1.4亿元 to 61 in
  2021); a county spends its reward on its programs in the round's year, in the proportions of
  its own status-quo split. It acts inside the projection (:func:`sim.model.projection.run`'s
  ``policy``), so a batch of many provinces is one projection.
* :func:`project_draws` projects the province under many draws of the growth profile's factors
  at once (each draw a whole province with its counties' year-to-year shocks): the machinery of
  the calibration (:mod:`sim.counties.posterior`) and of the backtests (:mod:`sim.counties.backtest`).
"""
from __future__ import annotations

import functools
from dataclasses import dataclass, replace

import numpy as np

from sim.files.datadir import DATA_DIR, read_toml
from sim.inputs.presets import own_programs, scenario_from_doc
from sim.model.params import Params
from sim.model.projection import run
from sim.model.scoring import total_batch
from .collection import Regions, county_doc, merge, stack

RECORD_FILE = "regions/hebei_record.toml"
FACTORS = ("pace", "hte", "intensity", "management", "spread", "volatility", "effort")  # a profile's fitted factors


@functools.cache
def load_record() -> dict:
    """The published record (``data/regions/hebei_record.toml``)."""
    return read_toml(DATA_DIR / RECORD_FILE)


# ---------------------------------------------------------------------- the counties
def _county_values(inputs: dict[str, np.ndarray], i: int, columns: list[str]) -> dict[str, object]:
    """County i's region values: every rubric column plus the size quantities the template needs."""
    v = {c: 0.0 for c in columns}  # what the spec does not draw, the county does not have
    v.update({c: (str(inputs[c][i]) if inputs[c].dtype.kind in "US" else float(inputs[c][i]))
              for c in columns if c in inputs})
    revenue = float(inputs["industrial_revenue"][i])
    share = float(inputs["high_tech_value_added_share"][i]) / 100
    industrial_rd = float(inputs["industrial_rd_intensity"][i]) / 100 * revenue
    v.update(population=float(inputs["population"][i]), registered_firms=float(inputs["registered_firms"][i]),
             above_scale_firms=float(inputs["above_scale_firms"][i]), industrial_revenue=revenue,
             public_expenditure=float(inputs["public_expenditure"][i]),
             other_industrial_va=0.25 * revenue * (1 - share),  # value added: a quarter of revenue
             agri_output=float(inputs["population"][i]),  # 1亿元 of farm output per 万 residents
             other_rd=0.2 * industrial_rd)  # R&D outside industry: a fifth of industry's
    return v


def synthetic_province(spec: dict) -> Regions:
    """The synthetic counties of ``spec`` (see the module doc) as a :class:`Regions`."""
    from .synthetic import generate

    meta = spec["regions"]
    first = load_record()["rounds"][0]
    inputs, _ = generate(spec, {t: int(first[t]) for t in ("A", "B", "C")})
    names = [f"{meta['names_zh']} {i + 1:03d}" for i in range(len(inputs["z"]))]
    return _collection(meta, inputs, names, meta.get("initial_mean_note", ""), Rewards.from_record(load_record()))


def illustrative_city(spec: dict) -> Regions:
    """A city's named counties with synthetic inputs (``data/regions/hengshui.toml``): drawn from
    the distributions of ``inputs_from`` and selected so that each county has its listed tier in
    the base year's round and the city its published mean (``initial_mean``). Labelled
    illustrative everywhere: the values are to be replaced by the county's statistics."""
    from .synthetic import STRATA, generate

    meta = {**read_toml(DATA_DIR / spec["regions"]["inputs_from"])["regions"], **spec["regions"]}
    source = {**read_toml(DATA_DIR / spec["regions"]["inputs_from"]), "regions": meta}
    counties = spec["counties"]
    counts = {t: sum(c["tier"] == t for c in counties) for t in STRATA}
    inputs, _ = generate(source, counts)  # the selected counties, tier by tier in the order A, B, C
    ordered = [c for t in STRATA for c in counties if c["tier"] == t]
    regions = _collection(meta, inputs, [c["zh"] for c in ordered], meta.get("note_en", ""), None)
    back = [ordered.index(c) for c in counties]  # the file's order
    # a city's counties run at their central parameters: what differs between them is their
    # data; the uncertainty is drawn by sim.monte_carlo / sim.counties.city (the province draws them
    # per county instead, to spread 168 synthetic counties as real ones spread)
    return replace(regions, names=tuple(regions.names[i] for i in back),
                   scenarios=tuple(regions.scenarios[i] for i in back), params=None, pace_z=(),
                   codes=tuple(str(c.get("code", "")) for c in counties),
                   names_en=tuple(c.get("en", c["zh"]) for c in counties))


def _collection(meta: dict, inputs: dict, names: list[str], note: str, policy) -> Regions:
    """Regions from drawn inputs: each county a copy of the template preset re-dated to the base
    year, its programs' status quo a share of its fiscal S&T spending, its growth and response
    parameters drawn (how counties differ beyond their data)."""
    from sim.files.loaders import load_preset_doc
    from sim.model.rubric import load_rubric
    from sim.uncertainty import params_of, ranges, sample

    columns = [c.id for c in load_rubric("hebei-county").columns]
    template = load_preset_doc(meta["template"])
    scenarios = []
    for i, name in enumerate(names):
        programs = own_programs(template, float(inputs["fiscal_st_spending"][i]))
        doc = county_doc(meta["template"], int(meta["base_year"]), int(meta["horizon"]), meta["id"])
        scenarios.append(scenario_from_doc(doc, _county_values(inputs, i, columns), name,
                                           region_status="synthetic", programs=programs))
    rs = ranges(scenarios[0])
    varying = tuple(r for r in rs if r.kind not in ("base", "management"))
    draws = params_of(varying, sample(varying, len(scenarios), int(meta["seed"])))
    pace_z = np.random.default_rng([int(meta["seed"]), 1]).standard_normal(len(scenarios))
    return Regions(meta["id"], meta["zh"], meta["en"], tuple(names), tuple(scenarios), True, note, draws, policy,
                   pace_z=tuple(float(v) for v in pace_z))


# ---------------------------------------------------------------------- the province's policy
@dataclass(frozen=True)
class Rewards:
    """The province's rewards after each round: round year -> (counties rewarded, 万元 in all);
    rounds after the last listed repeat it. A round of year R scores the statistics of R - 1;
    the counties whose score rose most from R - 2 to R - 1 are rewarded, and spend the reward on
    their programs in year R."""

    rounds: tuple[tuple[int, int, float], ...]

    @classmethod
    def from_record(cls, record: dict) -> "Rewards":
        return cls(tuple((int(r["round"]), int(r["counties"]), float(r["total"])) for r in record["rewards"]))

    def of(self, round_year: int) -> tuple[int, float] | None:
        """(counties, total 万元) of a round, or None before the first."""
        if round_year < self.rounds[0][0]:
            return None
        last = [r for r in self.rounds if r[0] <= round_year][-1]
        return last[1], last[2]


def reward_policy(t, rewards: Rewards, reference: np.ndarray, params: Params, counties: int):
    """The rewards as a projection policy (:func:`sim.model.projection.run`): after the statistics of
    year base + t, the round held in base + t + 1 rewards the ``counties``' top risers within each
    block of ``counties`` rows (one province each) and adds the reward to their spending of that
    year, split like their status quo (``reference``: (n, programs, years))."""
    split = reference[:, :, 0] / np.maximum(reference[:, :, 0].sum(axis=1, keepdims=True), 1e-12)
    previous: dict[int, np.ndarray] = {}

    def total(X, col: int) -> np.ndarray:
        if col not in previous:
            previous[col] = total_batch(t, {q: v[:, col] for q, v in X.items()}, _year_params(params))
        return previous[col]

    def policy(step: int, X: dict, x: np.ndarray) -> None:
        got = rewards.of(t.base_year + step + 1)
        if got is None or step < 1:
            return
        k, amount = got
        gains = (total(X, step) - total(X, step - 1)).reshape(-1, counties)
        top = np.argsort(-gains, axis=1, kind="stable")[:, :k] + counties * np.arange(gains.shape[0])[:, None]
        top = top.ravel()
        x[top, :, step] += split[top] * amount / k

    return policy


def _year_params(params: Params) -> Params:
    """The parameters scoring needs for one year's columns (management columns by row)."""
    return Params(management=params.management)


@dataclass(frozen=True)
class Draws:
    """A province projected under K draws of the profile's factors (:func:`project_draws`):
    ``total`` (K, counties, years + 1) scores, ``hte`` (K, years + 1) the counties' high-tech
    enterprises in all, the factors drawn (``theta``: name -> (K,)), the statistics years."""

    total: np.ndarray
    hte: np.ndarray
    theta: dict
    years: tuple[int, ...]


@dataclass(frozen=True)
class ProjectOptions:
    """How :func:`project_draws` shocks and runs its provinces. ``seed``: the shocks' (and the
    mixed pace modes') seed, an int or a list of ints; ``shocks``: year-to-year shocks of every
    county (False: none); ``chunk``: provinces (draws) per projection (memory and speed, never
    the numbers); ``common``: the same standard normal shocks for every draw, scaled by its
    volatility (common random numbers: draws differ only by their factors)."""

    seed: int | list = 0
    shocks: bool = True
    chunk: int = 64
    common: bool = False


def project_draws(regions: Regions, theta: dict[str, np.ndarray], horizon: int,
                  options: ProjectOptions = ProjectOptions()) -> Draws:
    """The province under K draws of the growth profile's factors (``theta``: name -> (K,), the
    names of :data:`FACTORS`): each draw a whole province (its counties' own parameters and pace
    ``pace_z`` as drawn once, the draw's factors, and, with ``shocks``, year-to-year shocks of
    every county: fresh for every draw, or with ``common`` the same standard normal numbers for
    every draw, scaled by its volatility, so that draws differ only by their factors), under the
    province's rewards, to data year ``horizon``. Runs ``chunk`` provinces per projection.
    ``seed``, ``shocks``, ``chunk`` and ``common`` from ``options`` (:class:`ProjectOptions`)."""
    from sim.uncertainty import draw_shocks

    seed, shocks, chunk, common = options.seed, options.shocks, options.chunk, options.common

    regions = regions.with_horizon(horizon)
    t, p, x = stack(regions.scenarios)
    p = merge(p, regions.params)
    C = len(regions)
    K = len(next(iter(theta.values())))
    z = np.asarray(regions.pace_z, dtype=float)
    totals, htes = [], []
    for lo in range(0, K, chunk):
        k = min(chunk, K - lo)
        th = {name: np.repeat(np.asarray(v, dtype=float)[lo:lo + k], C) for name, v in theta.items()}
        pace = {g: th[g] for g in ("pace", "hte", "intensity", "management", "effort") if g in th}
        pace["county"] = np.exp(th.get("spread", t.pace_spread) * np.tile(z, k))
        if t.pace_mode == "mixed":  # each province draw one of the modes after the window (sim.model.pace)
            pace["mode"] = np.repeat(np.random.default_rng([*np.ravel(seed).tolist(), lo, 3]).integers(0, 3, k), C)
        pk = replace(p.tiled(k), pace=pace)
        if shocks:
            vol = th.get("volatility", np.ones(k * C))
            if common:
                unit = draw_shocks(t, C, [seed, 0], 1.0)
                pk = replace(pk, shocks={q: np.tile(v, (k, 1)) * vol[:, None] for q, v in unit.items()})
            else:
                pk = replace(pk, shocks=draw_shocks(t, k * C, [seed, lo], vol))
        xk = np.tile(x, (k, 1, 1))
        policy = reward_policy(t, regions.policy, pk.reference, pk, C) if regions.policy is not None else None
        X = run(t, xk, pk, policy=policy)
        totals.append(total_batch(t, X, pk).reshape(k, C, -1))
        htes.append(X["high_tech_enterprises"].reshape(k, C, -1).sum(axis=1))
    return Draws(np.concatenate(totals), np.concatenate(htes), {n: np.asarray(v) for n, v in theta.items()},
                 (t.base_year, *t.years))
