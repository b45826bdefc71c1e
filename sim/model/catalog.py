"""The indicator catalog and the programs, as frozen values (:func:`load_catalog`, from :mod:`sim.files.loaders`).

Indicator kinds (``data/indicators.csv``):
  driver   X_t = X_0 (1+g)^t                                  (exogenous trend)
  stock    X_t = X_{t-1} (1+g) + U_t                          (U: program units landing in t)
  flow     X_t = X_0 (1+g)^t + U_t
  pipeline X_t = X_{t-1} (1-a) + r S_{t-lag} + U_t,  r = (g+a) X_0 / S_0
  elastic  X_t = X_0 (1+g)^t (S_t / S_0)^e + sum of U up to t
  sum      X_t = sum of its parts (``programs`` = the year's program spending, 万元)
  ratio    X_t = k * scale * N_t / D_t     (k = 1 unless the seed's definitions differ)
  inflow   X_t = X_{t-1} + v P_{t-1} + U_t                    (v: new units a year per unit of the pool P)
  population X_t = rho X_{t-1} + e P_t + U_t                   (a population re-evaluated every
           year: rho the share that renews, e new entrants a year per unit of the pool P, set so
           that the first projected year grows at the rate g: e = X_0 (1 + g - rho) / P_0, at
           least ``floor``); it approaches e P / (1 - rho) instead of growing without end
  points   X_t = X_{t-1} + h (M - X_{t-1})                    (a rubric item's points catching up
           toward its maximum M = ``upper`` at the rate h = ``param`` a year: how counties
           reorganise their S&T management; ``item`` names the rubric item it scores)
  text     held at its baseline (有/无)
An optional ``cap`` bounds the value by another indicator's value in the same year (times
``cap_share``, 1 unless given: high-tech enterprises at most 1.5% of registered firms), and an
optional ``upper`` by a constant (100 for a share of a whole, in %). With ``saturation =
logistic`` the value approaches that ceiling smoothly instead of stopping at it: the odds of its
share of the ceiling, s / (1 - s), grow as the unbounded share does (see :mod:`sim.model.projection`).
"""
from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Iterable, Literal

from sim.files.loaders import indicator_rows, programs_doc

from .rubric import load_rubric

Kind = Literal["driver", "stock", "flow", "pipeline", "elastic", "inflow", "population", "points", "sum", "ratio",
               "text"]
GROWING = ("driver", "stock", "flow", "pipeline", "elastic", "population")
STEPPED = ("stock", "pipeline", "inflow", "population", "points")  # kinds computed from their own previous year
EDITABLE_KINDS = ("driver", "stock", "flow", "pipeline", "elastic", "inflow", "population")  # a user may set their baseline


@dataclass(frozen=True)
class Indicator:
    """One catalog row. ``growth`` is the default organic growth (fraction a year)."""

    id: str
    zh: str
    en: str
    unit: str
    direction: Literal["higher", "lower"]
    kind: Kind
    inputs: tuple[str, ...] = ()
    lag: int = 0
    param: float = 0.0
    scale: float = 1.0
    growth: float = 0.0
    growth_low: float = 0.0
    growth_high: float = 0.0
    cap: str = ""
    upper: float | None = None
    param_low: float | None = None
    param_high: float | None = None
    note: str = ""
    saturation: str = ""
    edge_reason: str = ""
    note_zh: str = ""
    cap_share: float = 1.0
    floor: float = 0.0
    item: str = ""

    @property
    def depends_on(self) -> tuple[str, ...]:
        """Quantities this one needs in the same year (lagged pipeline sources excluded)."""
        deps = () if self.kind in ("pipeline", "inflow") else tuple(i for i in self.inputs if i != "programs")
        return deps + ((self.cap,) if self.cap else ())

    @property
    def needs(self) -> tuple[str, ...]:
        """Every quantity whose baseline value this one needs."""
        return tuple(i for i in self.inputs if i != "programs") + ((self.cap,) if self.cap else ())


@dataclass(frozen=True)
class Effect:
    """What one share of a program's spending pays for and causes (see data/programs.toml).

    ``award``: 万元 paid per unit (seed or assumption, ``award_status``); ``additionality``: the
    share of paid units the money causes. Paid before the unit exists (``paid`` "before"):
    ``capacity_rate`` x ``capacity_of`` is the most caused units a year. Paid after it is
    recognised (``paid`` "after", 后补助): the lever is the award per unit, ``elasticity`` the
    response of the caused units to it and ``award_max`` the largest multiple of today's award a
    rule may pay (money above that outlay is unspent). ``payer``: who pays the award in the seeds
    (city, county, province; ``payer_source`` its words). ``*_low`` / ``*_high``: ranges for the
    uncertainty analysis (none for a seed's award).
    """

    indicator: str
    share: float
    award: float
    award_status: str
    additionality: float
    additionality_low: float
    additionality_high: float
    additionality_note: str
    capacity_of: str = ""
    capacity_rate: float = 0.0
    capacity_rate_low: float = 0.0
    capacity_rate_high: float = 0.0
    award_low: float | None = None
    award_high: float | None = None
    award_figure: str = ""
    also: tuple[str, ...] = ()
    source_file: str = ""
    source: str = ""
    note: str = ""
    capacity_note: str = ""
    note_zh: str = ""
    additionality_note_zh: str = ""
    capacity_note_zh: str = ""
    paid: str = "before"
    payer: str = "county"
    payer_file: str = ""
    payer_source: str = ""
    elasticity: float = 0.0
    elasticity_low: float = 0.0
    elasticity_high: float = 0.0
    elasticity_note: str = ""
    elasticity_note_zh: str = ""
    award_max: float = 0.0
    award_max_note: str = ""
    award_max_note_zh: str = ""

    def __post_init__(self) -> None:
        if self.paid not in ("before", "after"):
            raise ValueError(f"programs.toml {self.indicator}: paid must be before or after, not {self.paid!r}")
        if self.paid == "after" and not (self.elasticity > 0 and self.award_max >= 1):
            raise ValueError(f"programs.toml {self.indicator}: a post-award effect needs elasticity > 0 and award_max >= 1")
        if self.paid == "before" and not (self.capacity_of and self.capacity_rate > 0):
            raise ValueError(f"programs.toml {self.indicator}: an effect paid before needs capacity_of and capacity_rate")

    @property
    def post_award(self) -> bool:
        """Paid after the unit is recognised (后补助): the lever is the award per unit."""
        return self.paid == "after"

    @property
    def targets(self) -> tuple[str, ...]:
        return (self.indicator, *self.also)

    @property
    def cost_per_caused_unit(self) -> float:
        """万元 per unit the money causes: award / additionality."""
        return self.award / self.additionality


@dataclass(frozen=True)
class Program:
    """A spending lever; ``lag_choices``/``lag_weights``: the lag's distribution (years);
    ``county_line``: what a county's own budget line of this program pays for."""

    id: str
    zh: str
    en: str
    lag: int
    lag_note: str
    effects: tuple[Effect, ...]
    lag_choices: tuple[int, ...] = ()
    lag_weights: tuple[float, ...] = ()
    lag_choices_note: str = ""
    lag_note_zh: str = ""
    lag_choices_note_zh: str = ""
    county_line: str = ""
    county_line_zh: str = ""


def text_in(obj, key: str, lang: str) -> str:
    """An explanatory text of a data object in ``lang``: ``<key>_zh`` for Chinese when the data
    file gives one (it falls back to the English ``<key>``)."""
    if lang == "zh":
        zh = getattr(obj, f"{key}_zh", "") if not isinstance(obj, dict) else obj.get(f"{key}_zh", "")
        if zh:
            return zh
    return getattr(obj, key, "") if not isinstance(obj, dict) else obj.get(key, "")


@dataclass(frozen=True)
class Catalog:
    """Indicators by id (catalog order) and programs (data order)."""

    indicators: dict[str, Indicator] = field(hash=False)
    programs: tuple[Program, ...]

    @property
    def program_ids(self) -> tuple[str, ...]:
        return tuple(p.id for p in self.programs)

    def program(self, pid: str) -> Program:
        return next(p for p in self.programs if p.id == pid)


def _num(text: str, default: float = 0.0) -> float:
    return float(text) if text.strip() else default


def _opt(text: str) -> float | None:
    return float(text) if text and text.strip() else None


def read_indicators(rows: list[dict[str, str]]) -> dict[str, Indicator]:
    out: dict[str, Indicator] = {}
    for r in rows:
        sep = "/" if r["kind"] == "ratio" else "+"
        out[r["id"]] = Indicator(
            id=r["id"], zh=r["zh"], en=r["en"], unit=r["unit"], direction=r["direction"],
            kind=r["kind"], inputs=tuple(x for x in r["inputs"].split(sep) if x),
            lag=int(_num(r["lag"])), param=_num(r["param"]), scale=_num(r["scale"], 1.0),
            growth=_num(r["growth"]), growth_low=_num(r["growth_low"]),
            growth_high=_num(r["growth_high"]), cap=r["cap"],
            upper=_opt(r.get("upper", "")), param_low=_opt(r.get("param_low", "")),
            param_high=_opt(r.get("param_high", "")), note=r["note"],
            saturation=r.get("saturation", "") or "", edge_reason=r.get("edge_reason", "") or "",
            note_zh=r.get("note_zh", "") or "", cap_share=_num(r.get("cap_share", "") or "", 1.0),
            floor=_num(r.get("floor", "") or ""), item=r.get("item", "") or "")
    return out


def read_programs(doc: dict) -> tuple[Program, ...]:
    progs = []
    for p in doc["programs"]:
        effects = tuple(Effect(**{**e, "also": tuple(e.get("also", ()))}) for e in p["effects"])
        progs.append(Program(p["id"], p["zh"], p["en"], p["lag"], p.get("lag_note", ""), effects,
                             tuple(p.get("lag_choices", (p["lag"],))), tuple(p.get("lag_weights", (1.0,))),
                             p.get("lag_choices_note", ""), p.get("lag_note_zh", ""),
                             p.get("lag_choices_note_zh", ""), p.get("county_line", ""), p.get("county_line_zh", "")))
    return tuple(progs)


def rubric_stock(column_id: str, zh: str, en: str, unit: str) -> Indicator:
    """A rubric count column the catalog does not list: a stock held at its baseline."""
    return Indicator(column_id, zh, en, unit, "higher", "stock",
                     note="Rubric count: held at its baseline unless a program adds to it.",
                     note_zh="评价体系中的计数指标:除非有项目使其增加,否则保持基年水平。")


@functools.cache
def load_catalog() -> Catalog:
    """Indicators (data/indicators.csv) plus the rubric's count columns, and the programs."""
    inds = read_indicators(indicator_rows())
    for c in load_rubric("hebei-county").columns:
        if c.kind == "count" and c.id not in inds:
            inds[c.id] = rubric_stock(c.id, c.zh, c.en, c.unit)
    progs = read_programs(programs_doc())
    for p in progs:
        for e in p.effects:
            unknown = [i for i in (*e.targets, e.capacity_of) if i and i not in inds]
            if unknown:
                raise ValueError(f"programs.toml {p.id}: unknown indicators {unknown}")
    return Catalog(inds, progs)


def closure(cat: Catalog, start: Iterable[str]) -> list[str]:
    """``start`` and every quantity it needs, transitively (the catalog's ``needs``)."""
    seen: list[str] = []
    stack = list(start)
    while stack:
        q = stack.pop()
        if q in seen or q not in cat.indicators:
            continue
        seen.append(q)
        stack.extend(cat.indicators[q].needs)
    return seen
