"""Program effects: how a year's spending becomes caused units (data/programs.toml).

Programs act only through the difference between the scenario's spending x and the reference r
(the status quo, which the organic trends contain). Each effect of program p (lag L, share s of
its spending, additionality a) turns the spending of year s = t - L into caused units U_t:

* paid before the unit exists (vouchers, incubator support, start-up grants): with award A 万元
  per paid unit and capacity C = q * P_{t-1} (P the pool, its trend for a flow pool),
      units(x) = C (1 - exp(-s x a / (A C))),   U_t = units(x_s) - units(r_s);
* paid after a unit is recognised (后补助: platform awards, milestone rewards, post-subsidies,
  contract subsidies, patent grants): the rule pays an award m times today's to every unit
  recognised; recognitions are N0 (1 - a + a m^e), N0 the organic new units of the year and e the
  elasticity of the caused units to the award. The outlay is c m N0 (1 - a + a m^e), c today's
  outlay per organic unit (the reference's first projected year over its N0: the status quo pays
  exactly its recognitions). A budget buys the award m(x) that spends it, at most ``award_max``
  times today's:
      U_t = N0_s a (m(x_s)^e - m(r_s)^e)
  and money above the outlay at ``award_max`` (or above the reference, whichever is larger) is
  unspent: it is neither expenditure nor effect.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

from .catalog import load_catalog
from .scenario import Scenario

NEWTON_STEPS = 12
SETTLE_CHECKS = (4, 6)  # steps after which settled rows stop stepping: most settle by the third step (the 7M solves of
# a Hengshui batch: median 3, 99% by 5, from m = k); a check at 4 and 6 took 0.85 -> 0.78 s of them, one at 6 alone was
# the former rule
FEW_ROWS = 4096  # up to this many rows a post-award effect solves its two multiples together (measured: 960 rows
# 34 -> 26 ms a projection; at 16k rows the copies cost 5% more than the calls they save)


@dataclass(frozen=True)
class Lever:
    """One modelled effect of a program (see the module doc): ``program`` its index, ``pool``
    the capacity's pool (paid before) or "" (post-award)."""

    program: int
    lag: int
    share: float
    targets: tuple[str, ...]
    pool: str
    key: tuple[str, str]
    award: float
    additionality: float
    capacity_rate: float
    post: bool = False
    elasticity: float = 0.0
    award_max: float = 1.0


@functools.cache
def levers(quantities: tuple[str, ...], program_ids: tuple[str, ...]) -> tuple[Lever, ...]:
    """The effects whose targets (and pool, for one paid before) the scenario models."""
    cat = load_catalog()
    qs = set(quantities)
    out = []
    for i, pid in enumerate(program_ids):
        p = cat.program(pid)
        for e in p.effects:
            targets = tuple(t for t in e.targets if t in qs)
            if targets and (e.post_award or e.capacity_of in qs):
                out.append(Lever(i, p.lag, e.share, targets, e.capacity_of if not e.post_award else "",
                                 (pid, e.indicator), e.award, e.additionality, e.capacity_rate, e.post_award,
                                 e.elasticity, e.award_max))
    return tuple(out)


@functools.cache
def moved_quantities(quantities: tuple[str, ...], program_ids: tuple[str, ...], rubric: bool) -> frozenset[str]:
    """The quantities spending can move: the effects' targets, the sums of program spending, the
    points a tier line's push adds to (a scenario with a rubric), and everything computed from
    them. The others follow from the scenario and the parameters alone."""
    cat = load_catalog()
    moved = {q for e in levers(quantities, program_ids) for q in e.targets}
    moved |= {q for q in quantities if cat.indicators[q].kind == "sum" and "programs" in cat.indicators[q].inputs}
    if rubric:
        moved |= {q for q in ("mgmt_support_points", "mgmt_innovation_points") if q in quantities}
    while True:
        more = {q for q in quantities if q not in moved and any(d in moved for d in cat.indicators[q].needs)}
        if not more:
            return frozenset(moved)
        moved |= more


def effect_keys(sc: Scenario) -> tuple[tuple[str, str], ...]:
    """(program, indicator) of every effect modelled for this scenario."""
    return tuple(e.key for e in levers(tuple(sc.base), sc.programs))


def units(x, capacity, share, cost):
    """Caused units of spending x (万元) with capacity C and cost per caused unit ``cost``
    (award / additionality): C (1 - exp(-s x / (cost C))); 0 where C is 0."""
    cap = np.maximum(capacity, 1e-12)
    return np.where(capacity > 0, cap * -np.expm1(-share * x / (cost * cap)), 0.0)


def award_multiple(k, a, e, most) -> np.ndarray:
    """The award multiple m >= 0 whose outlay is k times today's: m (1 - a + a m^e) = k, by
    :data:`NEWTON_STEPS` steps of Newton's method from m = k (the left side is increasing and
    convex), at most ``most``. ``k``: (n,); ``a``, ``e``: scalars, (1,) or (n,).

    After the steps of :data:`SETTLE_CHECKS`, rows whose steps have settled (a step gave back its
    input, or the input of the step before: the steps then alternate, and an even number of steps
    remains) already hold the last step's value; only the others take the remaining steps. The
    result is the full count's, bit for bit (tested), at about half the work."""
    k = np.maximum(np.asarray(k, dtype=float), 0.0)
    a, e = np.asarray(a, dtype=float), np.asarray(e, dtype=float)
    c, ae = 1 - a, a * (1 + e)  # the terms of every step that do not move (the same sums as written out)
    m, n = k.copy(), k.size
    going = None  # the rows still stepping (None: every row)
    every = (k, a, e, c, ae)
    terms, cur, done = every, m, 0
    checks = [s for s in SETTLE_CHECKS if s < NEWTON_STEPS and (NEWTON_STEPS - s) % 2 == 0]
    for check in (*checks, NEWTON_STEPS):
        before = last = cur
        for _ in range(check - done):
            before, last, cur = last, cur, _newton(cur, *terms)
        done = check
        if going is None:
            m = cur
        else:
            m[going] = cur
        if done == NEWTON_STEPS:
            break
        moving = np.flatnonzero((cur != last) & (cur != before))
        if not moving.size:
            break
        going = moving if going is None else going[moving]
        rows = lambda v: v[going] if v.size == n and v.size > 1 else v  # noqa: E731
        cur, terms = m[going], tuple(rows(v) for v in every)
    return np.minimum(m, most)


def _newton(m, k, a, e, c, ae) -> np.ndarray:
    """One Newton step of m (1 - a + a m^e) = k; ``c`` = 1 - a, ``ae`` = a (1 + e):
    max(m - (m (c + a m^e) - k) / (c + ae m^e), 0), each operation in that order, in place in
    two scratch arrays (a fifth faster than the expression's temporaries on 16k rows)."""
    me = np.power(m, e)
    t = np.multiply(a, me)
    t += c
    t *= m
    t -= k
    me *= ae
    me += c
    t /= me
    out = np.subtract(m, t, out=t)
    return np.maximum(out, 0.0, out=out)


class Effects:
    """The program effects of one projection, year by year: :meth:`year` adds the caused units of
    year t to ``U`` and returns the spending left unspent that year (n,), 万元."""

    def __init__(self, sc: Scenario, params, n: int, x: np.ndarray, ref: np.ndarray):
        self.levers = levers(tuple(sc.base), sc.programs)
        self.n, self.x, self.ref = n, x, ref
        self.lags = [np.rint(np.asarray(params.lag.get(sc.programs[e.program], e.lag))).astype(int) for e in self.levers]
        col = lambda v: np.asarray(v, dtype=float).reshape(-1)  # noqa: E731
        self.a = [col(params.additionality.get(e.key, e.additionality)) for e in self.levers]
        self.cost = [col(params.award.get(e.key, e.award)) / a for e, a in zip(self.levers, self.a)]
        self.rate = [col(params.capacity_rate.get(e.key, e.capacity_rate)) for e in self.levers]
        self.elasticity = [col(params.elasticity.get(e.key, e.elasticity)) for e in self.levers]
        # recognitions per organic unit at the largest award, 1 - a + a award_max^e (post-award):
        # the same every year, computed once
        self.top_recognitions = [1 - a + a * e.award_max ** el if e.post else None
                                 for e, a, el in zip(self.levers, self.a, self.elasticity)]
        n_years = x.shape[2]
        self.caused = [np.zeros((n, n_years + 1), order="F") if e.post else None for e in self.levers]
        self.per_unit = [None] * len(self.levers)  # today's outlay per organic unit (post-award), 万元
        self.rows = np.arange(n) if x.shape[0] > 1 else np.zeros(n, dtype=int)
        self.ref_rows = np.arange(n) if ref.shape[0] > 1 else np.zeros(n, dtype=int)

    def year(self, t: int, U: dict, pool_of, organic) -> np.ndarray:
        """Add year t's caused units to ``U``. ``pool_of(e, t)``: the capacity pool of an effect paid
        before; ``organic(q, t)``: the organic new units of q in year t (post-award)."""
        unspent = np.zeros(self.n)
        left = self._post_awards(t, organic)
        for k, e in enumerate(self.levers):
            if e.post:
                unspent += left[k]
            lag = self.lags[k]
            s = t - lag
            if lag.ndim == 0 and s < 1:
                continue  # spending up to the baseline is part of the trend
            # the lags are whole years: minimum(maximum()) is np.clip's result without its wrapper's
            # checks of integer bounds (~1.5 against ~4.5 µs a call, thousands in a city's optimization)
            if e.post and lag.ndim:
                u = self.caused[k][np.arange(self.n), np.minimum(np.maximum(s, 0), t)]
            elif e.post:
                u = self.caused[k][:, s]
            else:
                c = np.minimum(np.maximum(s - 1, 0), self.x.shape[2] - 1)
                spent = self._of(self.x, self.rows, e.program, c)
                reference = self._of(self.ref, self.ref_rows, e.program, c)
                cap = self.rate[k] * pool_of(e, t)
                u = units(spent, cap, e.share, self.cost[k]) - units(reference, cap, e.share, self.cost[k])
            if lag.ndim:
                u = np.where(s >= 1, u, 0.0)
            for tgt in e.targets:
                U[tgt][:, t] += u
        return unspent

    @staticmethod
    def _of(a: np.ndarray, rows: np.ndarray, program: int, year) -> np.ndarray | float:
        """Spending ``a`` (1 or n, programs, years) of one program in a year (a year index, or one
        per row): the column (a view), its one value, or the rows' own years."""
        if np.ndim(year):
            return a[rows, program, year]
        return a[:, program, year] if a.shape[0] > 1 else a[0, program, year]

    def _post_awards(self, t: int, organic) -> dict[int, np.ndarray]:
        """Year t's caused units of every post-award effect (stored by the year of spending) and
        each one's unspent money (effect index -> (n,) 万元). The award multiples of the spending and
        of the reference solve together (:meth:`_multiples`)."""
        asks = {}
        for k, e in enumerate(self.levers):
            if not e.post:
                continue
            n0 = organic(e.targets[0], t)
            spent = e.share * self._of(self.x, self.rows, e.program, t - 1)
            reference = e.share * self._of(self.ref, self.ref_rows, e.program, t - 1)
            if self.per_unit[k] is None:
                self.per_unit[k] = np.where(n0 > 0, reference / np.maximum(n0, 1e-12), 0.0)
            today = self.per_unit[k] * n0  # the outlay of today's award on this year's organic units
            with np.errstate(divide="ignore", invalid="ignore"):
                k_spent = np.where(today > 0, spent / today, 0.0)
                k_ref = np.where(today > 0, reference / today, 0.0)
            asks[k] = (n0, spent, reference, today, k_spent, k_ref)
        left = {}
        for k, (m, m_ref) in self._multiples({k: v[4:] for k, v in asks.items()}).items():
            n0, spent, reference, today = asks[k][:4]
            e, a, el = self.levers[k], self.a[k], self.elasticity[k]
            self.caused[k][:, t] = n0 * a * (m ** el - m_ref ** el)
            most = today * e.award_max * self.top_recognitions[k]  # the outlay at the largest award
            left[k] = np.maximum(spent - np.maximum(most, reference), 0.0)
        return left

    def _multiples(self, ks: dict[int, tuple[np.ndarray, np.ndarray]]) -> dict[int, tuple[np.ndarray, np.ndarray]]:
        """The award multiples (m, m_ref) of outlay ratios (k_spent, k_ref), each (n,), by effect.
        Up to :data:`FEW_ROWS` rows the effects whose elasticity is one shared value, and those
        with one per row, each solve in one call: one Newton loop's fixed cost, not twelve, and the
        same numbers (every step is row-wise; a shared exponent stays shared, since numpy's power
        treats one exponent, 0.5 for instance, apart from the same value repeated)."""
        n, out = self.n, {}
        groups: dict[object, list[int]] = {}
        for k in ks:
            el = self.elasticity[k]
            groups.setdefault(float(el[0]) if el.size == 1 else "rows", []).append(k)
        for shared, members in groups.items():
            if n > FEW_ROWS:
                for k in members:
                    a, el, most = self.a[k], self.elasticity[k], self.levers[k].award_max
                    out[k] = award_multiple(ks[k][0], a, el, most), award_multiple(ks[k][1], a, el, most)
                continue
            every = lambda v: np.broadcast_to(v, (2, n)).reshape(-1)  # noqa: E731  (spending's rows, reference's)
            ratios = np.concatenate([np.concatenate(ks[k]) for k in members])
            a = np.concatenate([every(self.a[k]) for k in members])
            el = (self.elasticity[members[0]] if shared != "rows"
                  else np.concatenate([every(self.elasticity[k]) for k in members]))
            most = np.concatenate([np.full(2 * n, self.levers[k].award_max) for k in members])
            m = award_multiple(ratios, a, el, most).reshape(len(members), 2, n)
            out.update((k, (m[i, 0], m[i, 1])) for i, k in enumerate(members))
        return out
