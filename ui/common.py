"""Helpers shared by the pages: names in the session's language, the target year, badges,
and small cached computations on top of sim (no simulation logic of its own)."""
from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

import sim
from sim.loaders import load_catalog, load_rubric
from sim.optimize import marginal_values
from ui import state
from ui.i18n import lang, t

TIER_BADGE = {"A": "green", "B": "orange", "C": "red"}


def ind_name(q: str) -> str:
    cat = load_catalog()
    return getattr(cat.indicators[q], lang()) if q in cat.indicators else q


def ind_label(q: str) -> str:
    """Indicator name with its unit."""
    cat = load_catalog()
    unit = cat.indicators[q].unit if q in cat.indicators else ""
    return f"{ind_name(q)}({unit})" if unit else ind_name(q)


def prog_name(pid: str) -> str:
    return getattr(load_catalog().program(pid), lang())


def group_name(gid: str) -> str:
    return next(getattr(g, lang()) for g in load_rubric("hebei-county").groups if g.id == gid)


def item_name(iid: str) -> str:
    return getattr(load_rubric("hebei-county").item(iid), lang())


def default_target_year(sc: sim.Scenario) -> int:
    """The latest year with a tier target, else with any target, else the horizon."""
    tiers = [tg.year for tg in sc.targets if tg.kind == "tier" and tg.year <= sc.horizon]
    years = [tg.year for tg in sc.targets if sc.base_year < tg.year <= sc.horizon]
    return max(tiers or years or [sc.horizon])


def target_year(sc: sim.Scenario) -> int:
    """The session's target year (a sidebar widget), kept inside the projection."""
    key = f"w_target_year_{sc.preset_id}"
    years = list(sc.years)
    value = st.session_state.get(key)
    st.session_state[key] = value if value in years else default_target_year(sc)  # kept across pages
    with st.sidebar:
        return st.selectbox(t("target_year"), years, key=key)


def tier_badge(tier: str) -> None:
    st.badge(t("tier_badge", tier=tier), color=TIER_BADGE.get(tier, "gray"))


@st.cache_resource(max_entries=256, show_spinner=False)
def next_points(doc_text: str, year: int, step: float = 100.0) -> pd.DataFrame:
    """Objective gained by ``step`` 万元 more a year in each program (all years to ``year``),
    largest first. Columns: program, gain (points or % attainment)."""
    gains = marginal_values(state.scenario_of(doc_text), year, step)
    return gains.reset_index().sort_values("gain", ascending=False, ignore_index=True)


def fmt(v, digits: int = 2) -> str:
    if isinstance(v, str):
        return v
    if v is None or (isinstance(v, float) and np.isnan(v)):
        return "—"
    if abs(v) >= 1000:
        return f"{v:,.0f}"
    return f"{v:,.{digits}f}"


def assumption_note(sc: sim.Scenario) -> None:
    """A caption counting the assumed baseline values (the Data page lists them)."""
    n = sum(1 for p in sc.provenance.values() if p.status == "assumption")
    if n:
        st.caption(t("assumption_count", n=n))


def param_label(name: str) -> str:
    """A readable label of an uncertain assumption ('growth.tech_smes', 'unit_cost.p.q', ...)."""
    kind, _, rest = name.partition(".")
    if kind == "growth":
        return t("param_growth", name=ind_name(rest))
    if kind == "param":
        return t("param_param", name=ind_name(rest))
    if kind == "lag":
        return t("param_lag", program=prog_name(rest))
    if kind == "unit_cost":
        pid, _, q = rest.partition(".")
        return t("param_unit_cost", program=prog_name(pid), name=ind_name(q))
    return name
