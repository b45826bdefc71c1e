"""Many regions at once: collections of county scenarios loaded, projected and scored in one batch.

``load("hebei-synthetic")`` gives the synthetic Hebei province (168 counties, statistics of
2017; see ``data/regions/hebei_synthetic.toml``); :func:`simulate` projects every county under
the province's policy and scores it; :func:`summary` counts the tiers by year; a city's goal
(:class:`Goal`) and a city's own table (:func:`from_table`). The collection and its batch are
:mod:`.collection`.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.files.datadir import DATA_DIR, read_toml
from sim.files.errors import InputError
from sim.files.loaders import load_preset_doc
from sim.model.catalog import load_catalog
from sim.model.params import Params
from sim.model.projection import run
from sim.model.rubric import load_rubric
from sim.model.scoring import score_batch

from .collection import Batch, Regions, county_doc, merge, own_params, stack  # noqa: F401  (public here too)
from .province import illustrative_city, reward_policy, synthetic_province

REGION_FILES = {"hebei-synthetic": "regions/hebei_synthetic.toml", "hengshui": "regions/hengshui.toml",
                "demo-city": "regions/demo_city.toml"}


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

    from sim.inputs.cells import number_cells

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
            got[given.to_numpy()] = number_cells(cells[given], spec, str(header))
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
    from sim.inputs.cells import scoring_input
    from sim.inputs.document import limits
    from sim.inputs.presets import own_programs, scenario_from_doc

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
