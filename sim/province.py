"""The synthetic Hebei province, the province's policy of the assessment years, and the
calibration of the county pace against the published record.

* :func:`synthetic_province` builds the 168 synthetic counties of 2017 (:mod:`sim.synthetic`)
  as scenarios of the demo county's structure with the growth profile ``hebei-county``; each
  county also draws its own growth and response parameters from the same ranges that express
  the uncertainty about one county (how counties differ beyond their data).
* The province's policy (:class:`Rewards`, :func:`apply_policy`): every county keeps its program
  budget's share of the public budget (the status quo), and after each assessment round the
  province rewards the counties that rose most (跃升奖励: 1.61亿元 to 75 counties in the 2019
  round, 1.4亿元 to 61 in 2021); a county spends its reward on its programs in the round's year,
  in the proportions of its own status-quo split.
* :func:`fit` finds the pace factors of the growth profile (``theta``: ``pace`` for the
  innovation stocks, ``hte`` for the high-tech pipeline) that reproduce the published rounds
  2019-2021 (means and A counts) and the tripling of the counties' high-tech enterprises,
  by Nelder-Mead on a weighted least-squares distance (:data:`SCALES`).
* :func:`compare` sets the model beside the record, round by round.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
from scipy.optimize import minimize
from scipy.special import ndtr

from .loaders import DATA_DIR, load_profile, read_toml
from .presets import scenario_from_doc
from .projection import Params, run
from .regions import Batch, Regions, county_doc, frame_of, project
from .simulate import score_batch

RECORD_FILE = "regions/hebei_record.toml"
# tolerance of the fit, stated and tested: see tests/test_province.py and the README
MEAN_TOLERANCE = 1.0   # points: a mean of 168 counties whose scores move by about 5 points a year
A_TOLERANCE = 4        # counties: about one standard deviation of a count of 13-32 (Poisson)
# scales of the fit's distance (one unit each): 0.5 point for a mean, 3 counties for an A count,
# 0.3 for the high-tech enterprises' ratio 2020 / 2017. B and C counts are reported, not fitted:
# C -> B moves depend on how the C counties lay within their tier, which is not published.
SCALES = {"mean": 0.5, "A": 3.0, "hte": 0.3}
SMOOTH = 1.0  # points: A counts are counted smoothly in the fit, Phi((score - 80) / SMOOTH)
BOUNDS = {"pace": (0.3, 5.0), "hte": (0.3, 3.0), "intensity": (0.3, 5.0), "spread": (0.01, 0.6)}
KEYS = ("pace", "hte", "intensity", "spread")  # the fitted factors of the growth profile


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
    # data; the uncertainty is drawn by sim.monte_carlo / sim.city (the province draws them
    # per county instead, to spread 168 synthetic counties as real ones spread)
    return replace(regions, names=tuple(regions.names[i] for i in back),
                   scenarios=tuple(regions.scenarios[i] for i in back), params=None,
                   codes=tuple(str(c.get("code", "")) for c in counties),
                   names_en=tuple(c.get("en", c["zh"]) for c in counties))


def _collection(meta: dict, inputs: dict, names: list[str], note: str, policy) -> Regions:
    """Regions from drawn inputs: each county a copy of the template preset re-dated to the base
    year, its programs' status quo a share of its fiscal S&T spending, its growth and response
    parameters drawn (how counties differ beyond their data)."""
    from .loaders import load_preset_doc, load_rubric
    from .uncertainty import params_of, ranges, sample

    columns = [c.id for c in load_rubric("hebei-county").columns]
    sq = {p["id"]: float(p["spend"]) for p in load_preset_doc(meta["template"])["programs"]}
    total_sq = sum(sq.values())
    scenarios = []
    for i, name in enumerate(names):
        programs = {p: v / total_sq * meta["program_share"] * float(inputs["fiscal_st_spending"][i])
                    for p, v in sq.items()}
        doc = county_doc(meta["template"], int(meta["base_year"]), int(meta["horizon"]), meta["id"])
        scenarios.append(scenario_from_doc(doc, _county_values(inputs, i, columns), name,
                                           region_status="synthetic", programs=programs))
    rs = ranges(scenarios[0])
    varying = tuple(r for r in rs if r.kind not in ("base", "management"))
    draws = params_of(varying, sample(varying, len(scenarios), int(meta["seed"])))
    return Regions(meta["id"], meta["zh"], meta["en"], tuple(names), tuple(scenarios), True, note, draws, policy)


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


def apply_policy(t, params: Params, spend: np.ndarray, rewards: Rewards) -> Batch:
    """Project a batch of counties round by round, adding each round's rewards to the spending of
    the rewarded counties (see :class:`Rewards`); one projection per rewarded round."""
    x = np.array(spend, dtype=float)
    split = params.reference[:, :, 0] / np.maximum(params.reference[:, :, 0].sum(axis=1, keepdims=True), 1e-12)
    X = run(t, x, params)
    total = score_batch(t, X, params).total
    for j, year in enumerate(t.years):  # year = the round's year = the year the reward is spent
        got = rewards.of(year)
        d = year - 1 - t.base_year  # column of the statistics the round scores
        if got is None or d < 1:
            continue
        k, amount = got
        gains = total[:, d] - total[:, d - 1]
        top = np.argsort(-gains, kind="stable")[:k]
        x[top, :, j] += split[top] * amount / k
        X = run(t, x, params)
        total = score_batch(t, X, params).total
    return Batch(t, params, x, X, score_batch(t, X, params))


# ---------------------------------------------------------------------- calibration
def _theta_params(regions: Regions, theta: dict) -> Params:
    """The counties' own parameter draws under pace factors ``theta`` (the same random numbers:
    only the ranges move)."""
    from .uncertainty import params_of, ranges, sample

    t = regions.scenarios[0]
    doc = county_doc("demo", t.base_year, t.horizon, t.preset_id)
    sc = scenario_from_doc(doc, dict(t.region_values), t.region_name, theta, "synthetic", dict(t.status_quo))
    varying = tuple(r for r in ranges(sc) if r.kind not in ("base", "management"))
    seed = int(read_toml(DATA_DIR / "regions/hebei_synthetic.toml")["regions"]["seed"])
    p = params_of(varying, sample(varying, len(regions), seed))
    # rates without a range (fixed in the profile) still scale with their factor
    growth = {q: np.full(len(regions), g) for q, g in sc.growth.items() if q not in p.growth}
    param = {q: np.full(len(regions), v) for q, v in sc.param.items() if q not in p.param}
    return Params(growth={**growth, **p.growth}, award=p.award, additionality=p.additionality,
                  capacity_rate=p.capacity_rate, param={**param, **p.param}, lag=p.lag)


def province_at(regions: Regions, theta: dict | None = None, horizon: int | None = None) -> Batch:
    """The province projected with pace factors ``theta`` (None: the stored ones)."""
    if theta is None:
        return project(regions, horizon)
    return project(replace(regions, params=_theta_params(regions, theta)), horizon)


def compare(regions: Regions, batch: Batch) -> pd.DataFrame:
    """Model beside record by round: A, B, C counts and the mean (published and model), and
    the counties' high-tech enterprises (sum)."""
    lag = batch.template.evaluation_lag
    frame = frame_of(regions, batch)
    rows = []
    years = [batch.template.base_year, *batch.template.years]
    hte = batch.X["high_tech_enterprises"].sum(axis=0)
    pub = {r["round"]: r for r in load_record()["rounds"]}
    for j, y in enumerate(years):
        f = frame.xs(y, level="year")
        r = pub.get(y + lag, {})
        rows.append({"round": y + lag, "data_year": y,
                     "A": r.get("A"), "B": r.get("B"), "C": r.get("C"), "mean": r.get("mean"),
                     "A_model": int((f["tier"] == "A").sum()), "B_model": int((f["tier"] == "B").sum()),
                     "C_model": int((f["tier"] == "C").sum()), "mean_model": float(f["total"].mean()),
                     "raised_model": int((f["total"].to_numpy() > frame.xs(years[j - 1], level="year")["total"]
                                          .to_numpy() + 1e-9).sum()) if j else None,
                     "high_tech_enterprises_model": float(hte[j])})
    return pd.DataFrame(rows).set_index("round")


def distance(regions: Regions, batch: Batch) -> float:
    """The fit's weighted squared distance to the record (see :data:`SCALES`)."""
    t = batch.template
    total = batch.score.total
    rec = load_record()
    d = 0.0
    for r in rec["rounds"][1:]:
        j = r["data_year"] - t.base_year
        d += ((total[:, j].mean() - r["mean"]) / SCALES["mean"]) ** 2
        d += ((ndtr((total[:, j] - 80) / SMOOTH).sum() - r["A"]) / SCALES["A"]) ** 2
    h = rec["high_tech_enterprises"]
    hte = batch.X["high_tech_enterprises"].sum(axis=0)
    ratio = hte[h["end_year"] - t.base_year] / hte[h["start_year"] - t.base_year]
    return float(d + ((ratio - h["ratio_to_start"]) / SCALES["hte"]) ** 2)


@dataclass(frozen=True)
class Fit:
    """Result of :func:`fit`: the pace factors, the distance, the comparison with the record."""

    theta: dict
    distance: float
    comparison: pd.DataFrame
    nfev: int
    success: bool


def fit(regions: Regions | None = None, start: dict | None = None) -> Fit:
    """Pace factors that reproduce the record (Nelder-Mead on log theta from ``start``, default
    the stored factors; horizon = the last published round's data year)."""
    from .regions import load

    regions = regions or load("hebei-synthetic")
    last = load_record()["rounds"][-1]["data_year"]
    start = start or load_profile("hebei-county")["theta"]

    def f(z):
        return distance(regions, province_at(regions, dict(zip(KEYS, np.exp(z))), last))

    z0 = np.log([start[k] for k in KEYS])
    simplex = np.vstack([z0, z0 + 0.3 * np.eye(len(KEYS))])
    res = minimize(f, z0, method="Nelder-Mead", bounds=[np.log(BOUNDS[k]) for k in KEYS],
                   options={"xatol": 0.005, "fatol": 0.01, "maxfev": 400, "initial_simplex": simplex})
    theta = {k: float(round(v, 4)) for k, v in zip(KEYS, np.exp(res.x))}
    batch = province_at(regions, theta, last)
    return Fit(theta, float(res.fun), compare(regions, batch), int(res.nfev), bool(res.success))


def pace_band() -> tuple[float, float]:
    """The province's published pace, points a year: the provincial mean's yearly gains between
    published rounds (4.45 and 4.81), widened by the fit's tolerance on a mean
    (:data:`MEAN_TOLERANCE`). A county's status-quo gain per year should lie in it."""
    means = [r["mean"] for r in load_record()["rounds"] if "mean" in r]
    gains = np.diff(means)
    return float(gains.min() - MEAN_TOLERANCE), float(gains.max() + MEAN_TOLERANCE)


def within_tolerance(comparison: pd.DataFrame) -> bool:
    """Whether the model reproduces every published round after the first (means within
    :data:`MEAN_TOLERANCE`, A counts within :data:`A_TOLERANCE`)."""
    rows = comparison.dropna(subset=["mean"])
    return bool(((rows["mean_model"] - rows["mean"]).abs() <= MEAN_TOLERANCE).all()
                and ((rows["A_model"] - rows["A"]).abs() <= A_TOLERANCE).all())
