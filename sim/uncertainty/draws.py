"""Draws of a scenario's uncertain inputs as parameters of a run: the triangles sampled, the
growth profile's posterior rows, the county's pace and its year-to-year shocks, each from its own
random stream (common random numbers: the same seed gives the same numbers to the same inputs)."""
from __future__ import annotations

import numpy as np

from sim.files.loaders import load_uncertainty
from sim.model.params import Params
from sim.model.scenario import Scenario

from .triangles import Range, load_posterior, params_of, ranges, sample


def draw_pace(sc: Scenario, n: int, seed, width: float = 1.0) -> dict[str, np.ndarray]:
    """``Params.pace`` for n draws: each draw takes one posterior row of the profile's factors
    (the fit's own uncertainty) and a county pace exp(spread x z), z standard normal (whether
    this county is a fast or a slow one); ``width`` scales both in log space about the means
    (0: the central rates). Empty without a growth profile."""
    post = load_posterior(sc.growth_profile) if sc.growth_profile else None
    if post is None or not sc.pace_groups:
        return {}
    rng = np.random.default_rng(_stream(seed, 1))
    rows = rng.integers(0, len(post["pace"]), n)
    out = {}
    for g in sorted(set(sc.pace_groups.values())):
        bar = float(sc.pace_theta.get(g, 1.0))
        out[g] = bar * (post[g][rows] / bar) ** width
    out["county"] = np.exp(width * post["spread"][rows] * rng.standard_normal(n))
    if "effort" in post and sc.line_effort > 0:
        out["effort"] = sc.line_effort * (post["effort"][rows] / sc.line_effort) ** width
    if sc.pace_mode == "mixed" and width > 0:
        out["mode"] = rng.integers(0, 3, n)  # which of continue, fade, accelerate holds (sim.model.pace.MIXED)
    return out


def draw_shocks(sc: Scenario, n: int, seed, volatility=1.0) -> dict[str, np.ndarray]:
    """``Params.shocks`` for n draws: each year a normal shock of every quantity that has a
    volatility (``data/uncertainty.toml`` [volatility]), times ``volatility`` (scalar or (n,):
    the profile's fitted factor); (n, years + 1), zero in the baseline year."""
    conf = load_uncertainty()["volatility"]
    names = sorted(k for k in conf if not k.endswith(("_note", "_note_zh")))
    vol = np.asarray(volatility, dtype=float).reshape(-1)
    T = len(sc.years) + 1
    e = np.zeros((len(names), n, T))
    for j in range(1, T):  # one stream per projected year: a shorter horizon draws the same years alike
        e[:, :, j] = np.random.default_rng(_stream(seed, 2) + [j]).standard_normal((n, len(names))).T
    return {q: e[i] * float(conf[q]) * vol[:, None] for i, q in enumerate(names) if q in sc.base}


def _stream(seed, k: int):
    """A random stream of its own for each kind of draw (ranges 0, pace 1, shocks 2), so that
    adding a range never moves the others: common random numbers."""
    def flat(v) -> list[int]:
        if isinstance(v, (list, tuple, np.ndarray)):
            return [i for x in v for i in flat(x)]
        return [int(v)]

    return [*flat(seed), k]


def draw(sc: Scenario, n: int, seed: int = 0, width: float = 1.0, widths: dict[str, float] | None = None,
         rs: tuple[Range, ...] | None = None) -> Params:
    """n draws of everything uncertain about a scenario, as engine parameters: the ranges
    (:func:`ranges`, or ``rs`` when the caller has them; :func:`sample`), the growth profile's pace
    (:func:`draw_pace`) and the year-to-year shocks (:func:`draw_shocks`, scaled by each draw's
    fitted volatility). The same seed gives the same numbers to the same inputs (common random
    numbers). Nothing here reads the scenario's spending: every spending of one set of
    assumptions has the same draws (tested)."""
    from dataclasses import replace

    rs = ranges(sc, width, widths) if rs is None else rs
    params = params_of(rs, sample(rs, n, seed))
    pace = draw_pace(sc, n, seed, width)
    vol = width * _volatility(sc, n, seed)
    return replace(params, pace=pace, shocks=draw_shocks(sc, n, seed, vol) if width > 0 else {})


def _volatility(sc: Scenario, n: int, seed) -> np.ndarray:
    """Each draw's volatility factor: the posterior row :func:`draw_pace` took (1 without a
    profile's posterior)."""
    post = load_posterior(sc.growth_profile) if sc.growth_profile else None
    if post is None:
        return np.ones(n)
    rows = np.random.default_rng(_stream(seed, 1)).integers(0, len(post["pace"]), n)
    return post["volatility"][rows]
