"""The pace of a growth profile over the calendar: the fitted factors in the years they were fitted
to, and a stated assumption afterwards (continue, fade or accelerate).

A growth profile's pace-group rates (``data/profiles/``) are a prior rate times a factor theta of
their group (pace, hte, intensity, management) fitted to the province's record up to its window's
last statistics year W. A scenario's rates hold the posterior mean theta_bar. In a year y the
rate of a group is

    prior x (1 + (theta - 1) d(y)),     d(y) = 0 before the policy's first year (the prior's
                                        rates), 1 from it to W, and after W by the mode:
        continue     d = 1                           (the 2017-2020 pace goes on)
        fade         d = 2^(-(y - W) / half_life)    (the excess over the prior halves)
        accelerate   d = 1 + gain min(1, (y - W) / ramp)
        mixed        each draw one of the three, equally likely (we do not know which holds);
                     the central path their average

so the engine multiplies the scenario's rate by (1 + (theta x c - 1) d(y)) / theta_bar, where
theta is a draw of the group's factor (theta_bar at the central parameters) and c a county's own
pace (1 centrally). The modes' parameters are the profile's ``[modes]`` (assumptions with their
reasoning).
"""
from __future__ import annotations

import numpy as np

from sim.files.loaders import load_profile

from .scenario import PACE_MODES as MODES

MIXED = ("continue", "fade", "accelerate")  # the modes "mixed" draws from, equally likely


def excess(mode: str, years: np.ndarray, window: int, profile: str) -> np.ndarray:
    """d(y) for calendar years ``years`` (see the module doc); 0 before the profile's
    ``first_year`` (the policy the pace was fitted to had not begun: the prior's rates)."""
    if mode not in MIXED:
        raise ValueError(f"pace mode {mode!r} is not one of {MIXED}")
    years = np.asarray(years, dtype=float)
    after = np.maximum(years - window, 0.0)
    if not window:
        return np.ones_like(after)
    conf = load_profile(profile)
    before = years < float(conf["window"].get("first_year", -np.inf))
    if mode == "continue":
        d = np.ones_like(after)
    elif mode == "fade":
        d = 0.5 ** (after / float(conf["modes"]["fade_half_life"]))
    else:
        modes = conf["modes"]
        d = 1.0 + float(modes["accelerate_gain"]) * np.minimum(1.0, after / float(modes["accelerate_ramp"]))
    return np.where(before, 0.0, d)


def path(sc, params, years: np.ndarray) -> np.ndarray:
    """d(y) of the scenario's mode, (1 or n, years): under ``mixed`` each draw's own mode
    (``params.pace['mode']``: indices into :data:`MIXED`), or centrally the modes' average."""
    if sc.pace_mode != "mixed":
        return excess(sc.pace_mode, years, sc.pace_window, sc.growth_profile)[None, :]
    each = np.stack([excess(m, years, sc.pace_window, sc.growth_profile) for m in MIXED])
    mode = params.pace.get("mode")
    if mode is None:
        return each.mean(axis=0)[None, :]
    return each[np.asarray(mode, dtype=int)]


def multipliers(sc, params, n: int) -> dict[str, np.ndarray]:
    """Per pace-group rate name (``growth.q``, ``param.q``) the multiplier of the scenario's rate in
    each projected year, (n, years + 1); column 0 is 1. Empty for a scenario without a profile."""
    if not sc.pace_groups:
        return {}
    years = np.arange(sc.base_year, sc.horizon + 1)
    d = path(sc, params, years)
    county = np.asarray(params.pace.get("county", 1.0), dtype=float).reshape(-1, 1)
    out = {}
    by_group: dict[str, np.ndarray] = {}
    for name, group in sc.pace_groups.items():
        if group not in by_group:
            bar = float(sc.pace_theta.get(group, 1.0))
            theta = np.asarray(params.pace.get(group, bar), dtype=float).reshape(-1, 1) * county
            m = (1 + (theta - 1) * d) / bar
            m[:, 0] = 1.0
            by_group[group] = np.broadcast_to(m, (n, len(years)))
        out[name] = by_group[group]
    return out
