"""Many regions at once: a collection of county scenarios projected and scored in one batch.

``load("hebei-synthetic")`` gives the synthetic Hebei province (168 counties, statistics of
2017; see ``data/regions/hebei_synthetic.toml``); :func:`simulate` projects every county under
the province's policy and scores it; :func:`summary` counts the tiers by year.

Counties that share a preset's structure (the same quantities, programs and years) run through
the vectorized engine as one batch: their baselines, growth, management items, reference and
status-quo spending become arrays over the counties (:func:`stack`).
"""
from __future__ import annotations

import copy
import functools
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from sim.files.datadir import DATA_DIR, read_toml
from sim.files.errors import InputError
from sim.files.loaders import load_preset_doc
from sim.model.catalog import load_catalog
from sim.model.params import Params
from sim.model.projection import run
from sim.model.rubric import load_rubric
from sim.model.scenario import Scenario
from sim.model.scoring import score_batch

REGION_FILES = {"hebei-synthetic": "regions/hebei_synthetic.toml", "hengshui": "regions/hengshui.toml",
                "demo-city": "regions/demo_city.toml"}
STACKED_KINDS = ("driver", "stock", "flow", "pipeline", "elastic", "inflow", "population", "points", "sum",
                 "ratio")  # a base a step reads


@dataclass(frozen=True)
class Regions:
    """A collection of regions: one scenario per region (the same preset structure).

    ``params``: per-region draws of growth and response parameters (how regions differ beyond
    their data), or None; ``policy``: the province's rewards (:class:`sim.counties.province.Rewards`) or
    None; ``synthetic``: every region is made up (labelled so in every view).
    """

    id: str
    zh: str
    en: str
    names: tuple[str, ...]
    scenarios: tuple[Scenario, ...]
    synthetic: bool = False
    note: str = ""
    params: Params | None = field(default=None, repr=False)
    policy: object = field(default=None, repr=False)
    codes: tuple[str, ...] = ()  # administrative codes (6 digits) where known: the map's shapes
    names_en: tuple[str, ...] = ()
    pace_z: tuple[float, ...] = ()  # each region's own pace: factor exp(spread x z) (sim.model.pace), none: typical

    def __len__(self) -> int:
        return len(self.scenarios)

    def __iter__(self):
        return iter(self.scenarios)

    def with_horizon(self, horizon: int) -> "Regions":
        return replace(self, scenarios=tuple(s.with_horizon(horizon) for s in self.scenarios))


# ---------------------------------------------------------------------- loading
@functools.cache
def load(regions_id: str) -> Regions:
    """A collection of regions by id (``hebei-synthetic``). Cached: the collection is immutable.

    >>> hebei = load("hebei-synthetic")  # doctest: +SKIP
    >>> len(hebei)  # doctest: +SKIP
    168
    """
    if regions_id not in REGION_FILES:
        raise InputError("unknown_key", key=f"regions {regions_id}", known=", ".join(REGION_FILES))
    from .province import illustrative_city, synthetic_province

    spec = read_toml(DATA_DIR / REGION_FILES[regions_id])
    return illustrative_city(spec) if "counties" in spec else synthetic_province(spec)


@dataclass(frozen=True)
class Goal:
    """A city's goal for its counties' tiers in an assessment round: every county at
    ``min_tier`` or better and at least ``min_a`` in A (seed 003, Hengshui: 到2025年,县域创新能力
    全部达到B类以上,其中A类不少于5个)."""

    min_tier: str = "B"
    min_a: int = 5
    year: int = 2025
    source: str = ""

    def met(self, tiers: pd.Series) -> bool:
        """Whether one round's tiers (a county's tier per row) meet the goal."""
        allowed = {"A"} if self.min_tier == "A" else {"A", "B"} if self.min_tier == "B" else {"A", "B", "C"}
        return bool(tiers.isin(allowed).all() and (tiers == "A").sum() >= self.min_a)


def goal_of(regions_id: str) -> Goal | None:
    """The goal a collection's data file states, or None."""
    g = read_toml(DATA_DIR / REGION_FILES[regions_id]).get("goal")
    return None if g is None else Goal(g["min_tier"], int(g["min_a"]), int(g["year"]), g.get("source", ""))


def county_doc(template_id: str, base_year: int, horizon: int, region_id: str) -> dict:
    """A preset document with a template preset's structure re-dated to ``base_year``; no
    targets (a synthetic region has no plan)."""
    doc = copy.deepcopy(load_preset_doc(template_id))
    own_year = doc["preset"]["base_year"]
    doc["preset"] = {**doc["preset"], "id": region_id, "base_year": base_year, "horizon": horizon}
    doc["values"] = [{**e, "year": base_year} for e in doc["values"] if e["year"] == own_year]
    doc["targets"] = []
    doc.pop("plan_growth", None)
    return doc


# ---------------------------------------------------------------------- batches
def stack(scenarios: tuple[Scenario, ...]) -> tuple[Scenario, Params, np.ndarray]:
    """Scenarios of one structure as a batch: (template scenario, parameters whose arrays run
    over the scenarios, spending (n, programs, years)). ValueError when they differ in
    structure (quantities, programs, years); ratio calibration factors may differ (a table's
    ratios rounded as yearbooks print them)."""
    t = scenarios[0]
    cat = load_catalog()
    for s in scenarios[1:]:
        if (tuple(s.base), s.programs, s.years) != (tuple(t.base), t.programs, t.years):
            raise ValueError(f"{s.region_name or s.preset_id} differs in structure from {t.region_name or t.preset_id}")
    base = {q: np.array([s.base[q] for s in scenarios]) for q in t.base if cat.indicators[q].kind in STACKED_KINDS}
    base["programs"] = np.array([sum(s.status_quo.values()) for s in scenarios])
    growth = {q: np.array([s.growth[q] for s in scenarios]) for q in t.growth}
    param = {q: np.array([s.param.get(q, cat.indicators[q].param) for s in scenarios]) for q in t.base
             if cat.indicators[q].kind in ("pipeline", "elastic", "inflow", "population", "points")}
    management = {}
    if t.rubric_id:
        for c in load_rubric(t.rubric_id).columns:
            if c.id in t.management:
                management[c.id] = np.array([s.management[c.id] for s in scenarios])
    ratio_k = {q: np.array([s.ratio_k.get(q, 1.0) for s in scenarios]) for q in t.base
               if cat.indicators[q].kind == "ratio"}
    rate = {q: np.array([s.rates[q] for s in scenarios]) for q in t.rates}
    params = Params(growth=growth, param=param, base=base, management=management,
                    reference=np.stack([s.reference_matrix() for s in scenarios]), ratio_k=ratio_k, rate=rate)
    return t, params, np.stack([s.spend_matrix() for s in scenarios])


def merge(a: Params, b: Params | None) -> Params:
    """Parameters ``a`` with the entries of ``b`` on top."""
    if b is None:
        return a
    fields = ("growth", "award", "additionality", "capacity_rate", "param", "lag", "base", "management", "ratio_k",
              "pace", "shocks", "rate")
    return Params(**{f: {**getattr(a, f), **getattr(b, f)} for f in fields},
                  reference=b.reference if b.reference is not None else a.reference)


@dataclass(frozen=True)
class Batch:
    """A projected batch: the template, the parameters, the spending (n, P, Y) with any rewards,
    every quantity (n, years + 1) and the score (n, years + 1)."""

    template: Scenario
    params: Params
    spend: np.ndarray
    X: dict
    score: object


def own_params(regions: Regions) -> Params:
    """The regions' own parameters as a batch: their data (:func:`stack`), their drawn growth and
    response parameters (``regions.params``) and their own pace (``pace_z``)."""
    t, p, _ = stack(regions.scenarios)
    p = merge(p, regions.params)
    if regions.pace_z:
        p = replace(p, pace={**p.pace, "county": np.exp(t.pace_spread * np.asarray(regions.pace_z, dtype=float))})
    return p


def project(regions: Regions, horizon: int | None = None, params: Params | None = None,
            spend: np.ndarray | None = None) -> Batch:
    """Project and score every region in one batch at its own parameters (:func:`own_params`),
    under the collection's policy (the province's rewards: :func:`sim.counties.province.reward_policy`).
    ``params`` go on top of the regions' own."""
    if horizon is not None:
        regions = regions.with_horizon(horizon)
    t, _, x = stack(regions.scenarios)
    p = merge(own_params(regions), params)
    if spend is not None:
        x = np.asarray(spend, dtype=float)
    policy = None
    if regions.policy is not None:
        from .province import reward_policy

        policy = reward_policy(t, regions.policy, p.reference, p, len(regions))
    x = np.array(np.broadcast_to(x, (len(regions), *x.shape[1:])))
    X = run(t, x, p, policy=policy)
    return Batch(t, p, x, X, score_batch(t, X, p))


def frame_of(regions: Regions, batch: Batch) -> pd.DataFrame:
    """One row per (region, year): the five group scores, ``total`` and ``tier``."""
    t = batch.template
    years = [t.base_year, *t.years]
    idx = pd.MultiIndex.from_product([list(regions.names), years], names=["region", "year"])
    cols = {g: np.asarray(v).ravel() for g, v in batch.score.groups.items()}
    cols["total"] = np.asarray(batch.score.total).ravel()
    cols["tier"] = np.asarray(batch.score.tier).ravel()
    return pd.DataFrame(cols, index=idx)


def simulate(regions: Regions, horizon: int | None = None) -> pd.DataFrame:
    """Every region's path: a frame indexed by (region, year) with the five group scores,
    ``total`` and ``tier`` (statistics years; the assessment of year y + 1 scores year y).

    >>> frame = simulate(load("hebei-synthetic"))  # doctest: +SKIP
    >>> frame.loc[(slice(None), 2020), "total"].mean()  # doctest: +SKIP
    """
    return frame_of(regions, project(regions, horizon))


def summary(frame: pd.DataFrame, lag: int = 1) -> pd.DataFrame:
    """Tier counts and the mean score by statistics year (``round`` = year + ``lag``, the year
    of the assessment that scores it)."""
    g = frame.groupby(level="year")
    out = pd.DataFrame({"round": g.size().index + lag, "A": g["tier"].apply(lambda s: int((s == "A").sum())),
                        "B": g["tier"].apply(lambda s: int((s == "B").sum())),
                        "C": g["tier"].apply(lambda s: int((s == "C").sum())), "mean": g["total"].mean()})
    return out


def goal_summary(frame: pd.DataFrame, goal: Goal, lag: int = 1) -> pd.DataFrame:
    """:func:`summary` with ``goal_met`` per round (the round of year y + ``lag`` scores the
    statistics of year y)."""
    out = summary(frame, lag)
    out["goal_met"] = [goal.met(frame.xs(y, level="year")["tier"]) for y in out.index]
    return out


# ---------------------------------------------------------------------- a city's own table
SPEND_PREFIX = "spend_"


def spend_headers(program) -> tuple[str, ...]:
    """The headers a county's status-quo spending on ``program`` may have in a table (万元 a
    year): ``spend_<id>``, the Chinese or English name with the unit."""
    from sim.inputs.tables import OPTIONAL_SPEND

    return (f"{SPEND_PREFIX}{program.id}", f"{program.zh}{OPTIONAL_SPEND}", f"{program.zh}(万元/年)",
            f"{program.zh}(万元)", f"{program.en} (万元 a year)", f"{program.en} (万元)")


CODE_HEADERS = ("code", "行政区划代码", "行政区划代码(可选)", "adcode")


def _codes(raw: pd.DataFrame) -> tuple[str, ...]:
    """The counties' administrative codes where the table has them (else empty strings): only
    county-level codes (six digits, not ending in 00) of the province of the table's first such
    code (``data/limits.toml`` [city] codes_note); anything else is left out (the county is
    then not on the map)."""
    header = next((h for h in raw.columns if str(h).strip() in CODE_HEADERS), None)
    if header is None:
        return ()
    cells = raw[header].astype(object)
    text = cells.where(cells.notna(), "").astype(str).str.strip().str.replace(r"\.0$", "", regex=True)
    county = [c if c.isascii() and c.isdigit() and len(c) == 6 and not c.endswith("00") else "" for c in text]
    province = next((c[:2] for c in county if c), "")
    return tuple(c if c[:2] == province else "" for c in county)


def _spending(raw: pd.DataFrame, default: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Each program's status-quo spending per row: the table's column where given (an empty cell
    takes the default), else the default; cells checked like every number column."""
    from types import SimpleNamespace

    from sim.inputs.tables import _numbers

    cat = load_catalog()
    out = {}
    for p, values in default.items():
        prog = cat.program(p)
        headers = [h for h in raw.columns if str(h).strip() in spend_headers(prog)]
        filled = [h for h in headers if (raw[h].notna() & (raw[h].astype(str).str.strip() != "")).any()]
        header = (filled or headers or [None])[0]  # the template's empty optional column gives way
        if header is None:
            out[p] = values
            continue
        cells = raw[header]
        given = ~(cells.isna() | (cells.astype(str).str.strip() == ""))
        got = values.copy()
        if given.any():
            spec = SimpleNamespace(unit="万元", kind="number", max_value=None)
            got[given.to_numpy()] = _numbers(cells[given], spec, str(header))
        out[p] = got
    return out


def from_table(raw: pd.DataFrame, regions_id: str = "user", template: str = "demo", base_year: int | None = None,
               horizon: int = 2025, rubric_id: str = "hebei-county", max_regions: int | None = None) -> Regions:
    """A city's counties from a filled template (one row per county: the rubric's columns, a
    ``region`` name; optionally each program's status-quo spending, see :func:`spend_headers`).

    Every row is checked before any county is built: a bad cell, a duplicated county name or an
    empty table is an InputError naming the column and spreadsheet row (nothing is half-made).
    Without spending columns a county's programs take the template preset's split scaled to
    ``program_share`` of its fiscal S&T spending (``data/regions/hebei_synthetic.toml``, an
    assumption). The counties are projected from ``base_year`` (default: the template's).
    ``max_regions``: the most counties a table may have (``data/limits.toml`` [city] on the City
    page, [batch] on the command line, the default), checked before any row is read."""
    from sim.inputs.document import limits
    from sim.inputs.presets import own_programs, scenario_from_doc
    from sim.inputs.tables import scoring_input

    most = int(max_regions or limits()["batch"]["max_counties"])
    if len(raw) > most:
        raise InputError("too_many_counties", n=f"{len(raw):,}", limit=f"{most:,}")
    names, values = scoring_input(load_rubric(rubric_id), raw)
    seen: dict[str, int] = {}
    for i, n in enumerate(names):
        if n in seen:
            raise InputError("duplicate_county", name=n, row=int(raw.index[i]), first=int(raw.index[seen[n]]))
        seen[n] = i
    doc = county_doc(template, int(base_year or load_preset_doc(template)["preset"]["base_year"]), horizon, regions_id)
    default = own_programs(load_preset_doc(template), np.asarray(values["fiscal_st_spending"], dtype=float))
    spend = _spending(raw, default)
    rubric = load_rubric(rubric_id)
    scenarios = []
    for i, name in enumerate(names):
        v = {c.id: (str(values[c.id][i]) if c.kind == "category" else float(values[c.id][i])) for c in rubric.columns}
        try:
            scenarios.append(scenario_from_doc(doc, v, name, region_status="user",
                                               programs={p: float(spend[p][i]) for p in spend}))
        except InputError as exc:  # the county's row named with what is wrong in it
            raise InputError("county_row", county=name, row=int(raw.index[i]), reason_zh=exc.message("zh"),
                             reason_en=exc.message("en")) from None
    return Regions(regions_id, regions_id, regions_id, tuple(names), tuple(scenarios), False, "", None, None,
                   codes=_codes(raw))
