"""A budget question as a validated problem: the yearly budget, the bounds, the rounds scored and
the rules a plan must keep (:class:`Rules`).

Decision variables are the spending x[p, y] (万元) of each program p in each year y from the first
projected year to the last statistics year scored. A tier target of year Y is read by the
scenario's ``tier_reading`` (by default the assessment held in Y, on the statistics of Y - 1);
the rounds scored are that one and the ``rounds - 1`` after it (within the projection).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from sim.files.errors import InputError
from sim.model.scenario import Scenario

OBJECTIVES = ("score", "attainment", "targets_met")
SPLITS = ("steady", "smooth", "free")


@dataclass(frozen=True)
class Rules:
    """What a plan may look like. The defaults are a plan a county S&T bureau can fund:

    * ``split``: ``steady`` (the default: one split of the budget held across the plan's years,
      each program's amount growing with the budget; the move from today's split happens once, in
      the first year, and the year-by-year table shows it), ``smooth`` (a path from today's split:
      each program's share of the year's budget falls by at most ``smooth`` of itself a year and
      rises by at most ``smooth`` of itself or of an average program's share,
      :func:`sim.plan.search.smooth_room`) or ``free`` (any split each year and one round scored:
      the old optimum, which zeroes lagged programs just before the round scored).
      Why steady by default: a bureau budgets by program and a three-year action plan (seed 001)
      states its lines once; it is the plan a leader can repeat in a sentence ("each year x% to
      vouchers…"); it scores at least as well as a smooth path in the presets (the smooth path
      is held near today's split in its first years), and it nowhere zeroes a program in one year
      to fund another in the next;
    * ``rounds``: the target round and the rounds after it scored, equally weighted (1 for
      ``free``), so that nothing is given up just after the target;
    * ``cuts``: whether the yearly total may fall below the status quo's (the seeds' 只增不减:
      not unless the user asks to analyse cuts).
    """

    split: str = "steady"
    smooth: float = 0.3
    rounds: int = 3
    cuts: bool = False

    def __post_init__(self) -> None:
        if self.split not in SPLITS:
            raise InputError("bad_setting", key="split", value=self.split, reason=" / ".join(SPLITS))
        if not (np.isfinite(self.smooth) and 0 <= self.smooth <= 1):
            raise InputError("bad_setting", key="smooth", value=f"{self.smooth:g}", reason="0 – 1")
        if not 1 <= int(self.rounds) <= 5:
            raise InputError("bad_setting", key="rounds", value=self.rounds, reason="1 – 5")


FREE = Rules(split="free", rounds=1, cuts=True)  # the old single-round, free-phasing optimum


@dataclass(frozen=True)
class Problem:
    """A validated optimization problem (arrays are programs x decision years, 万元).

    ``data_year``: the statistics year of the target round; ``scored``: every statistics year
    scored (the target round's and the ``rules.rounds - 1`` after it); ``raised``: the budget
    asked for was below the status quo's yearly total and was raised to it (a plan may not go
    below it unless ``rules.cuts``)."""

    scenario: Scenario
    target_year: int
    objective: str
    budget: np.ndarray
    lo: np.ndarray
    hi: np.ndarray
    rules: Rules
    data_year: int
    scored: tuple[int, ...]
    raised: bool = False
    # allocations derived once (sim.plan.optimizer's current and even splits); a fresh one after replace()
    memo: dict = field(default_factory=dict, init=False, compare=False, repr=False)

    @property
    def years(self) -> tuple[int, ...]:
        return tuple(range(self.scenario.base_year + 1, self.scenario.horizon + 1))

    @property
    def programs(self) -> tuple[str, ...]:
        return self.scenario.programs

    @property
    def shape(self) -> tuple[int, int]:
        return self.lo.shape


def scored_year(sc: Scenario, target_year: int, objective: str | None = None) -> int:
    """The statistics year an objective of ``target_year`` is computed on: the tier reading's
    year for the county score, the year itself for plan attainment."""
    objective = objective or default_objective(sc)
    return sc.scored_year(target_year) if objective == "score" else target_year


def default_objective(sc: Scenario) -> str:
    return "score" if sc.rubric_id else "attainment"


def base_objective(objective: str) -> str:
    """The objective a robust one aggregates over draws ('robust_p10' -> 'score')."""
    return "score" if objective.startswith("robust_") else objective


def make_problem(sc: Scenario, budget, target_year: int, bounds: dict | None = None, objective: str | None = None,
                 rules: Rules | None = None) -> Problem:
    """Validate a budget question (clear errors for infeasible problems). ``budget``: 万元 a year,
    one number (the first year's, growing like the status quo) or one per decision year."""
    rules = rules or Rules()
    objective = objective or default_objective(sc)
    if objective not in OBJECTIVES:
        raise InputError("unknown_objective", objective=objective, known=", ".join(OBJECTIVES))
    if objective == "score" and not sc.rubric_id:
        raise InputError("no_rubric", preset=sc.preset_id)
    data_year = scored_year(sc, target_year, objective)
    if not (sc.base_year < data_year <= sc.horizon):
        first, last = sc.base_year + 1, sc.horizon
        if objective == "score":
            first, last = sc.assessed_year(first), sc.assessed_year(last)
        raise InputError("target_year_outside", year=target_year, first=first, last=last)
    rounds = rules.rounds if objective == "score" else 1
    last = min(data_year + rounds - 1, sc.horizon)
    scored = tuple(range(data_year, last + 1))
    n_years = last - sc.base_year
    b = _budget_path(sc, budget, n_years, last)
    raised = False
    if not rules.cuts:  # 只增不减: every year at least the status quo's total
        floor = sc.status_quo_matrix()[:, :n_years].sum(axis=0)
        raised = bool(b[0] < floor[0] - 0.5)
        b = np.maximum(b, floor)
    lo, hi = _bounds(sc, bounds, b)
    _check_feasible(sc, lo, hi, b)
    short_sc = sc.with_horizon(last) if sc.horizon != last else sc
    return Problem(short_sc, target_year, objective, b, lo, hi, rules, data_year, scored, raised)


def _budget_path(sc: Scenario, budget, n_years: int, last: int) -> np.ndarray:
    """The yearly budgets (万元, whole: what a plan can state) over the decision years."""
    if np.ndim(budget) == 0:
        if not np.isfinite(float(budget)) or float(budget) < 0:
            raise InputError("negative_total_budget", value=f"{float(budget):g}")
        b = sc.whole_path(float(budget))[:n_years]
    else:
        b = np.asarray(budget, dtype=float)
        if b.shape != (n_years,):
            if b.ndim == 1 and 0 < len(b) < n_years:  # a shorter list: the later years grow like the status quo
                g = 1 + sc.budget_growth()
                b = np.concatenate([b, b[-1] * g ** np.arange(1, n_years - len(b) + 1)])
            else:
                raise InputError("budget_years", given=len(b), needed=n_years, first=sc.base_year + 1, last=last)
        b = np.round(b)
    if not np.isfinite(b).all() or (b < 0).any():
        raise InputError("negative_total_budget", value=f"{np.nanmin(b):g}")
    return b


def _bounds(sc: Scenario, bounds: dict | None, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    progs = sc.programs
    n_years = len(b)
    lo = np.zeros((len(progs), n_years))
    hi = np.broadcast_to(b, lo.shape).copy()
    for key, pair in (bounds or {}).items():
        if key not in progs:
            raise InputError("unknown_key", key=key, known=", ".join(progs))
        i = progs.index(key)
        mn, mx = (bound(v, n_years, key, pair) for v in pair)
        if (mn is not None and (mn < 0).any()) or (mx is not None and ((mx < 0).any() or (
                mn is not None and (mx < mn - 1e-9).any()))):
            raise InputError("bad_bounds", program=key, min=shown(pair[0]), max=shown(pair[1]))
        if mn is not None:
            lo[i] = mn
            hi[i] = np.maximum(hi[i], lo[i])
        if mx is not None:
            hi[i] = np.minimum(hi[i], mx)
    return lo, hi


def _check_feasible(sc: Scenario, lo: np.ndarray, hi: np.ndarray, b: np.ndarray) -> None:
    for j in range(len(b)):
        y = sc.base_year + 1 + j
        if lo[:, j].sum() > b[j] + 1e-9:
            raise InputError("minimums_above_budget", year=y, minimums=f"{lo[:, j].sum():g}", budget=f"{b[j]:g}")
        if hi[:, j].sum() < b[j] - 1e-9:
            raise InputError("maximums_below_budget", year=y, maximums=f"{hi[:, j].sum():g}", budget=f"{b[j]:g}")


def bound(v, n_years: int, key: str, pair) -> np.ndarray | None:
    """A bound as one value per decision year (a number holds every year; a shorter list's last
    value holds the later years), or None."""
    if v is None:
        return None
    try:
        a = np.asarray(v, dtype=float)
        if a.ndim == 1 and 0 < len(a) < n_years:
            a = np.concatenate([a, np.full(n_years - len(a), a[-1])])
        a = np.broadcast_to(a, (n_years,)).copy()
    except (TypeError, ValueError):
        raise InputError("bad_bounds", program=key, min=shown(pair[0]), max=shown(pair[1])) from None
    if not np.isfinite(a).all():
        raise InputError("bad_bounds", program=key, min=shown(pair[0]), max=shown(pair[1]))
    return a


def shown(v) -> str:
    """A bound as the user wrote it."""
    if v is None:
        return "—"
    if np.ndim(v) == 0:
        return f"{float(v):g}" if isinstance(v, (int, float, np.number)) else str(v)
    return " / ".join(f"{float(x):g}" for x in np.ravel(v))
