"""The model pack: everything a browser needs to recompute the scenario page's headline for any
first-year spending, exported once per set of assumptions (a scenario document without its
``spend``).

The scenario page's headline is the target year's assessment over the band's draws
(:func:`sim.uncertainty.monte_carlo`): median, P10-P90, the chance of each tier and of falling below
the base year's tier; for a city preset (no rubric) the plan's attainment index of the central
projection. Only spending changes while a leader drags a slider, so this module runs the
projection engine's own set-up (:func:`sim.model.projection.start_state`, the same draws as the page's band)
and writes out, as tables:

* ``steps``: the quantities the engine computes year by year, in its order, each with its kind
  and its parameters per draw and year, taken from the engine's own helpers (growth with its pace
  multiplier, pipeline yields, entry rates, catch-up rates, exp of the shocks, ceilings' shares);
  drivers (no spending reaches them) as whole paths;
* ``levers``: the program effects (:mod:`sim.model.effects`) with their drawn awards, additionality,
  capacity rates, elasticities and lags, today's outlay per organic unit of a post-award rule,
  and the Newton iteration count of :func:`sim.model.effects.award_multiple`;
* ``rubric``: the items with their breakpoints, units, caps and groups, each column's source (a
  projected quantity, a drawn or a fixed value), the tier lines; ``push``: the line push
  (:func:`sim.model.projection.line_push`);
* ``targets``: for a city preset, each plan target as :func:`sim.model.attainment.attainment` reads it;
* ``spend``: the rule that turns a first-year amount into every year's (``Scenario.whole_path``:
  round(first x (1 + g)^t)), the reference spending and the status quo.

Arrays are float64, little-endian, base64, each ``(years + 1) x draws`` (row t the year
``base_year + t``) or smaller when constant over draws, years or both: the browser evaluates the
same floating-point operations in the same order, so its numbers equal Python's up to the last
bit of exp and pow (V8 and numpy's vector library round a few results differently: see
``ui/live/headline.mjs``). :func:`evaluate` gives Python's numbers for many spending matrices at
once (the engine itself, as :func:`sim.uncertainty.monte_carlo` runs it).

>>> p = build(load_preset("demo"))  # doctest: +SKIP
>>> p["draws"], len(p["steps"])  # doctest: +SKIP
(300, 59)
"""
from __future__ import annotations

import base64
import hashlib

import numpy as np

from sim.model.attainment import TIER_RANK, attainment_index, attainment_rows
from sim.model.catalog import STEPPED, load_catalog
from sim.model.effects import NEWTON_STEPS, Effects, award_multiple, moved_quantities
from sim.model.params import Params
from sim.model.projection import (MAX_ANCHOR, ceiling_share, entry_rate, organic, pipeline_yield, rate_at, run,
                                  start_state)
from sim.model.rubric import DECIMALS, category_points, load_rubric
from sim.model.scenario import Scenario
from sim.model.scoring import item_points, rubric_values

from .bands import outcome, quantiles
from .draws import draw

FORMAT = "sim-live-pack/1"
QUANTILES = (0.1, 0.5, 0.9)


class _Pool:
    """Arrays of a pack, stored once each (identical tables share one entry)."""

    def __init__(self, n: int, years: int):
        self.n, self.years, self.items, self._seen = n, years, [], {}

    def add(self, a) -> int:
        """An array (n,), (years + 1, n) column-first from the engine's (n, years + 1), or a
        scalar: its index in the pool, stored in its smallest exact form."""
        a = np.asarray(a, dtype=float)
        T, n = self.years + 1, self.n
        if a.ndim == 2 and a.shape == (n, T):
            full = a.T
        elif a.ndim == 2 and a.shape == (1, T):
            full = np.broadcast_to(a.T, (T, n))
        else:
            full = np.broadcast_to(a.reshape(-1)[None, :] if a.ndim else a, (T, n))
        if np.all(full == full[0, 0]) and not np.isnan(full[0, 0]):
            shape, data = "s", full[:1, :1]
        elif np.all(full == full[:1, :]):
            shape, data = "n", full[:1, :]
        elif np.all(full == full[:, :1]):
            shape, data = "t", full[:, :1]
        else:
            shape, data = "f", full
        raw = np.ascontiguousarray(data, dtype="<f8").tobytes()
        key = (shape, hashlib.sha1(raw).hexdigest())
        if key not in self._seen:
            self._seen[key] = len(self.items)
            self.items.append({"shape": shape, "b64": base64.b64encode(raw).decode("ascii")})
        return self._seen[key]


def _draws(sc: Scenario, n: int, seed: int) -> tuple[Params, int]:
    """The page's draws: the band's (rubric presets) or the central parameters (city presets,
    whose headline is the central projection's attainment)."""
    if sc.rubric_id:
        return draw(sc, n, seed), n
    return Params(), 1


def build(sc: Scenario, n: int = 300, seed: int = 0) -> dict:
    """The pack of a scenario's assumptions (its spending is not part of it; see the module doc).

    Args:
        sc: the scenario (any spending: the pack is the same for every spending of it).
        n, seed: the draws (:func:`sim.uncertainty.draw`; the page's band uses 300 and seed 0).

    Returns:
        A JSON-serializable dict (``format`` ``sim-live-pack/1``).
    """
    cat = load_catalog()
    params, n = _draws(sc, n, seed)
    Y = len(sc.years)
    x = sc.status_quo_matrix()[None]
    st = start_state(sc, params, n, Y, x)
    pool = _Pool(n, Y)
    qs = list(st.order)
    index = {q: i for i, q in enumerate(qs)}
    kinds = {q: cat.indicators[q].kind for q in qs}
    loop = [q for q in qs if kinds[q] != "driver"]
    steps = [_step(cat.indicators[q], st, index, pool, Y) for q in loop]
    effects = Effects(sc, params, n, x, np.asarray(sc.reference_matrix(), dtype=float)[None])
    moved = moved_quantities(tuple(sc.base), sc.programs, bool(sc.rubric_id))
    done = start_state(sc, params, n, Y, x)  # the projection at the status quo: what no spending moves
    done.X.update(run(sc, x, params))
    levers = [_lever(k, e, effects, st, done, moved, cat, index, pool, n) for k, e in enumerate(effects.levers)]
    g = sc.budget_growth()
    pack = {
        "format": FORMAT, "preset": sc.preset_id, "base_year": sc.base_year, "years": list(sc.years),
        "draws": n, "programs": list(sc.programs), "quantities": qs, "kinds": [kinds[q] for q in qs],
        "start": [pool.add(st.X[q][:, :1]) for q in qs],  # every quantity's baseline (drawn)
        "drivers": {str(index[q]): pool.add(st.X[q]) for q in qs if kinds[q] == "driver"},
        "steps": steps, "levers": levers, "newton_steps": NEWTON_STEPS, "max_anchor": MAX_ANCHOR,
        "spend": {"growth_factor": list((1 + g) ** np.arange(Y)),  # Scenario.path's (1 + g)^t
                  "reference": np.asarray(sc.reference_matrix(), dtype=float).tolist(),
                  "status_quo": sc.status_quo_matrix().tolist()},
        "decimals": DECIMALS, "quantiles": list(QUANTILES),
    }
    if sc.rubric_id:
        pack["rubric"] = _rubric(sc, params, st, index, pool, n)
        pack["push"] = _push(sc, params, index, pool)
    else:
        pack["targets"] = _targets(sc, index)
    pack["arrays"] = pool.items
    return pack


def _step(ind, st, index: dict, pool: _Pool, Y: int) -> dict:
    """One quantity's equation: its kind, inputs and parameter tables (the engine's own values)."""
    q, k = ind.id, ind.kind
    s: dict = {"q": index[q], "kind": k}
    per_year = lambda f: np.column_stack([np.zeros(st.X[q].shape[0])] + [  # noqa: E731
        np.broadcast_to(f(t), (st.X[q].shape[0],)) for t in range(1, Y + 1)])
    if k == "stock":
        s["rate"] = pool.add(per_year(lambda t: rate_at(st, q, t, st.growth_mult, st.g)))
        s["grow"] = pool.add(per_year(lambda t: 1 + rate_at(st, q, t, st.growth_mult, st.g)))
    elif k == "flow":
        s["trend"] = pool.add(st.trend[q])
    elif k == "pipeline":
        s.update(src=index[ind.inputs[0]], lag=ind.lag, keep=pool.add(1 - st.prm[q][:, 0]),
                 yield_=pool.add(per_year(lambda t: pipeline_yield(ind, st, t))))
    elif k == "population":
        s.update(src=index[ind.inputs[0]], renew=pool.add(st.prm[q][:, 0]),
                 entry=pool.add(per_year(lambda t: entry_rate(ind, st, t))))
    elif k == "inflow":
        s.update(src=index[ind.inputs[0]], rate=pool.add(per_year(lambda t: rate_at(st, q, t, st.param_mult, st.prm))))
    elif k == "points":
        s.update(upper=float(ind.upper),
                 h=pool.add(per_year(lambda t: np.minimum(rate_at(st, q, t, st.param_mult, st.prm), 1.0))))
    elif k == "elastic":
        src = ind.inputs[0]
        s.update(src=index[src], trend=pool.add(st.trend[q]), src_base=pool.add(st.base[src][:, 0]),
                 e=pool.add(st.prm[q][:, 0]))
    elif k == "sum":
        s["parts"] = [-1 if p == "programs" else index[p] for p in ind.inputs]
    elif k == "ratio":
        num, den = ind.inputs
        s.update(num=index[num], den=index[den], k=pool.add(st.rk[q] * ind.scale))
    if q in st.shock:
        if k == "points":  # added to the points
            s["shock_add"] = pool.add(st.shock[q])
        else:  # a log factor: exp taken as the engine takes it, one year's column at a time
            s["shock_mul"] = pool.add(np.column_stack([np.ones(st.X[q].shape[0])] + [
                np.exp(st.shock[q][:, t]) for t in range(1, Y + 1)]))
    s["stepped"] = k in STEPPED
    s["ceiling"] = _ceiling(ind, st, index, pool)
    return s


def _ceiling(ind, st, index: dict, pool: _Pool) -> dict | None:
    """The ceiling of :func:`sim.model.projection._ceiling`: a share of another quantity (``cap``) or a
    constant (``upper``), hard or logistic with its anchor."""
    if not ind.cap and ind.upper is None:
        return None
    out = {"logistic": ind.saturation == "logistic", "stepped": ind.kind in STEPPED}
    if ind.cap:
        out.update(cap=index[ind.cap], share=pool.add(ceiling_share(ind, st.X)))
    else:
        out["upper"] = float(ind.upper)
    return out


def _lever(k: int, e, effects: Effects, st, done, moved: set, cat, index: dict, pool: _Pool, n: int) -> dict:
    """One program effect with its drawn parameters (:class:`sim.model.effects.Effects`). A post-award
    rule whose organic units no spending moves (a flow's trend, new units of a driver's pool) has
    them, and the reference spending's award, as tables: what the engine computes, computed here."""
    lag = effects.lags[k]
    out = {"program": e.program, "share": float(e.share), "targets": [index[t] for t in e.targets],
           "post": bool(e.post), "lag": int(lag) if lag.ndim == 0 else None,
           "lags": pool.add(lag.astype(float)) if lag.ndim else None}
    if e.post:
        a, el = effects.a[k], effects.elasticity[k]
        target = cat.indicators[e.targets[0]]
        n0 = organic(target, st, 1)  # today's outlay per organic unit, fixed in the first projected year
        reference = e.share * effects.ref[effects.ref_rows, e.program, 0]
        per_unit = np.where(n0 > 0, reference / np.maximum(n0, 1e-12), 0.0)
        out.update(a=pool.add(a), el=pool.add(el), award_max=float(e.award_max), top_el=pool.add(e.award_max ** el),
                   most=pool.add(1 - a + a * e.award_max ** el), per_unit=pool.add(per_unit),
                   organic=_organic(target, st, index, pool))
        src = target.inputs[0] if target.kind in ("pipeline", "inflow", "population") else target.id
        if target.kind in ("flow", "elastic") or (target.kind in ("inflow", "population", "pipeline") and src not in moved):
            Y = effects.x.shape[2]
            n0s = np.zeros((n, Y + 1))
            ref_el = np.zeros((n, Y + 1))
            for t in range(1, Y + 1):
                n0s[:, t] = organic(target, done, t)
                today = per_unit * n0s[:, t]
                r = e.share * effects.ref[effects.ref_rows, e.program, t - 1]
                with np.errstate(divide="ignore", invalid="ignore"):
                    m_ref = award_multiple(np.where(today > 0, r / today, 0.0), a, el, e.award_max)
                ref_el[:, t] = m_ref ** el
            out.update(n0=pool.add(n0s), ref_el=pool.add(ref_el))
    else:
        out.update(cost=pool.add(effects.cost[k]), rate=pool.add(effects.rate[k]), pool=index[e.pool],
                   pool_trend=pool.add(st.trend[e.pool]) if cat.indicators[e.pool].kind == "flow" else None)
    return out


def _organic(ind, st, index: dict, pool: _Pool) -> dict:
    """How :func:`sim.model.projection.organic` counts a post-award rule's organic units of ``ind``."""
    k = ind.kind
    if k in ("flow", "elastic"):
        return {"kind": "trend", "trend": pool.add(st.trend[ind.id])}
    if k in ("stock", "pipeline", "inflow", "population"):
        return {"kind": k, "src": index[ind.inputs[0]] if ind.inputs else None}
    return {"kind": "none"}


def _source(sc: Scenario, values: dict, col: str, index: dict, pool: _Pool) -> dict:
    """Where a rubric column's value comes from: a projected quantity or a (drawn) constant."""
    if col in index:
        return {"q": index[col]}
    return {"a": pool.add(np.asarray(values[col], dtype=float).reshape(-1))}


def _rubric(sc: Scenario, params: Params, st, index: dict, pool: _Pool, n: int) -> dict:
    """The rubric as tables (:func:`sim.model.rubric.score` on :func:`sim.model.simulate.rubric_values`)."""
    rubric = load_rubric(sc.rubric_id)
    X0 = {q: v[:, 0] for q, v in st.X.items()}
    values = rubric_values(sc, X0, params)
    points = {item: index[q] for q in index for item in item_points({q: X0[q]})}
    groups = [g.id for g in rubric.groups]
    items = []
    for it in rubric.items:
        d = {"id": it.id, "group": groups.index(it.group), "max": float(it.max_points)}
        if it.id in points:
            d.update(kind="points", q=points[it.id])
        elif it.kind == "banded":
            xs, ps = it.breakpoints
            d.update(kind="banded", src=_source(sc, values, it.id, index, pool), xs=xs.tolist(), ps=ps.tolist())
        elif it.kind == "assessed":
            d.update(kind="assessed", src=_source(sc, values, it.column.id, index, pool))
        else:
            d.update(kind="counted", units=[[float(u.points), _source(sc, values, u.id, index, pool)] for u in it.units])
            if it.category_column is not None:
                cat_pts = category_points(it, values[it.category_column.id], np.shape(X0[next(iter(X0))]))
                d["category"] = pool.add(cat_pts)
        items.append(d)
    return {"items": items, "groups": groups, "tiers": [[t.id, float(t.min_points)] for t in rubric.tiers],
            "rank": {k: v for k, v in TIER_RANK.items()}}


def _push(sc: Scenario, params: Params, index: dict, pool: _Pool) -> dict | None:
    """The line push (:func:`sim.model.projection.line_push`) as numbers, or None."""
    effort = np.asarray(params.pace.get("effort", sc.line_effort), dtype=float)
    if not sc.rubric_id or not np.any(effort > 0):
        return None
    lines = [t.min_points for t in load_rubric(sc.rubric_id).tiers if t.min_points > 0]
    targets = [q for q in ("mgmt_support_points", "mgmt_innovation_points") if q in sc.base]
    return {"lines": [float(v) for v in lines], "reach": float(sc.effort_reach), "effort": pool.add(effort),
            "targets": [index[q] for q in targets]}


def _targets(sc: Scenario, index: dict) -> list[dict]:
    """A city preset's targets as :func:`sim.model.attainment._row` reads them (the years a target
    cannot be assessed in, and the text targets, are decided here: no spending moves them)."""
    cat = load_catalog()
    pos = {y: i for i, y in enumerate([sc.base_year, *sc.years])}
    out = []
    for tg in sc.targets:
        scored = sc.scored_year(tg.year) if tg.kind == "tier" else tg.year
        d = {"kind": tg.kind, "weight": float(tg.weight), "status": None}
        if scored not in pos or tg.kind == "tier" or (tg.kind != "text" and tg.indicator not in index):
            d["status"] = "not_assessed"
        elif tg.kind == "text":
            d["status"] = "met" if sc.management.get(tg.indicator, "") == tg.value else "short"
        else:
            d.update(q=index[tg.indicator], t=pos[scored], years=tg.year - sc.base_year)
            if tg.kind in ("level", "growth"):
                d["want"] = float(tg.value)
                d["lower"] = bool(cat.indicators[tg.indicator].direction == "lower")
        out.append(d)
    return out


# ---------------------------------------------------------------------- Python's numbers
def evaluate(sc: Scenario, spends: np.ndarray, n: int = 300, seed: int = 0) -> dict[str, np.ndarray]:
    """Python's headline numbers for many spending matrices at once: the engine run on every
    matrix under the same draws (what :func:`sim.uncertainty.monte_carlo` computes for each,
    stacked), for the tests and the benchmark.

    Args:
        sc: the scenario whose assumptions hold.
        spends: (m, programs, years) spending in 万元.

    Returns:
        Rubric presets: ``score`` (m, years + 1, 3) P10/P50/P90, ``tiers`` (m, years + 1, 4)
        P(A), P(B), P(C), P(fall). City presets: ``share_met`` and ``weighted_shortfall`` (m,).
    """
    spends = np.asarray(spends, dtype=float)
    m = spends.shape[0]
    params, n = _draws(sc, n, seed)
    if not sc.rubric_id:
        X = run(sc, spends, params)
        share, short = np.empty(m), np.empty(m)
        for j in range(m):  # attainment()'s index, without its table
            idx = attainment_index(attainment_rows(sc, {q: v[j] for q, v in X.items()}, {}))
            share[j], short[j] = idx["share_met"], idx["weighted_shortfall"]
        return {"share_met": share, "weighted_shortfall": short}
    X = run(sc, np.repeat(spends, n, axis=0), params.tiled(m))
    y = outcome(sc, X, params.tiled(m)).reshape(m, n, -1)
    rubric = load_rubric(sc.rubric_id)
    score = np.stack([quantiles(y[j]) for j in range(m)])
    tier = rubric.tier_of(y)
    rank = np.vectorize(TIER_RANK.get)(tier)
    tiers = np.stack([(tier == k).mean(axis=1) for k in ("A", "B", "C")] + [(rank < rank[:, :, :1]).mean(axis=1)],
                     axis=-1)
    return {"score": score, "tiers": tiers}
