"""Helpers shared by the pages: names in the session's language, the target year, badges,
and small cached computations on top of sim (no simulation logic of its own)."""
from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

import sim
from report import labels
from sim.model.catalog import load_catalog
from sim.model.projection import prepare
from sim.model.rubric import load_rubric
from sim.plan import marginal_values, money_buys
from sim.uncertainty import BAND_DRAWS, BAND_SEED, draw, monte_carlo  # the bands' draws and seed (the briefings' too)
from ui import state
from ui.i18n import lang, t

TIER_BADGE = {"A": "green", "B": "orange", "C": "red"}


def ind_name(q: str) -> str:
    cat = load_catalog()
    return getattr(cat.indicators[q], lang()) if q in cat.indicators else q


def ind_label(q: str) -> str:
    """Indicator name with its unit (in the session's language)."""
    return labels.ind_label(q, lang())


def ind_unit(q: str) -> str:
    """An indicator's unit in the session's language."""
    return labels.ind_unit(q, lang())


def prog_name(pid: str) -> str:
    return getattr(load_catalog().program(pid), lang())


def group_name(gid: str) -> str:
    return next(getattr(g, lang()) for g in load_rubric("hebei-county").groups if g.id == gid)


def item_name(iid: str) -> str:
    return getattr(load_rubric("hebei-county").item(iid), lang())


def target_years(sc: sim.Scenario) -> list[int]:
    """Years a target can be asked for: the tier years whose statistics are projected (the
    assessment held the year after the statistics, under the default reading)."""
    if not sc.rubric_id:
        return list(sc.years)
    return [sc.assessed_year(y) for y in sc.years]


def default_target_year(sc: sim.Scenario) -> int:
    """The latest year with a tier target, else with any target, else the last possible."""
    years = target_years(sc)
    tiers = [tg.year for tg in sc.targets if tg.kind == "tier" and tg.year in years]
    other = [tg.year for tg in sc.targets if tg.year in years]
    return max(tiers or other or [years[-1]])


def target_year(sc: sim.Scenario) -> int:
    """The session's target year (a sidebar widget), kept inside the projection."""
    key = f"w_target_year_{sc.preset_id}"
    years = target_years(sc)
    value = st.session_state.get(key)
    st.session_state[key] = value if value in years else default_target_year(sc)  # kept across pages
    with st.sidebar:
        return st.selectbox(t("target_year"), years, key=key, help=t("target_year_help"))


def data_year(sc: sim.Scenario, year: int) -> int:
    """The statistics year of a target year (the tier reading for rubric presets)."""
    return sc.scored_year(year) if sc.rubric_id else year


def reading_caption(sc: sim.Scenario, year: int) -> str:
    """Which reading of a tier year is in force, in words (shown under every tier chart)."""
    if not sc.rubric_id:
        return ""
    key = "reading_assessment_caption" if sc.tier_reading == "assessment" else "reading_data_caption"
    return t(key, year=year, data=data_year(sc, year))


@st.cache_resource(max_entries=256, show_spinner=False)
def band(doc_text: str) -> "sim.uncertainty.MonteCarlo":
    """The scenario's Monte Carlo band with :data:`BAND_DRAWS` common random numbers (score
    quantiles and tier chances by statistics year), under its assumptions' draws (:func:`band_draws`)."""
    return monte_carlo(state.scenario_of(doc_text), BAND_DRAWS, BAND_SEED, indicators=False, central=False,
                       params=band_draws(state.status_quo_of(doc_text)))


@st.cache_resource(max_entries=64, show_spinner=False)
def band_draws(status_quo_text: str) -> "sim.model.params.Params":
    """The band's draws of a set of assumptions (a status quo's document), the same for every
    spending of it (``sim.uncertainty.draw`` reads none): drawn once, not at every new spending
    (measured: 4.8 of the demo's 32 ms a band), with what no spending moves projected under them
    once (``sim.model.projection.prepare``), which every spending's band takes instead of stepping it."""
    sq = state.scenario_of(status_quo_text)
    return prepare(sq, draw(sq, BAND_DRAWS, BAND_SEED))


def fmt_score(v: float) -> str:
    """A score: one decimal (what the model knows)."""
    return "—" if v is None or np.isnan(v) else f"{v:.1f}"


is_count = labels.is_count


def fmt_quantity(q: str, v, projected: bool = True) -> str:
    """A value in its kind's format (:func:`report.labels.quantity`); a count the model carries
    as an expected value shows as "≈ 1.8"."""
    return labels.quantity(q, v, expected=projected)


def with_unit(q: str, text: str) -> str:
    """A formatted value with its unit in the session's language ("40 家", "40 firms")."""
    return labels.with_unit(q, text, lang())


def fmt_pp(d: float, digits: int = 0) -> str:
    """A change in probability: "+21 个百分点" / "+21 percentage points"."""
    return labels.pp(d, lang(), digits)


def fmt_growth(g: float) -> str:
    """A growth rate: "5.0%/年" / "5.0% a year"."""
    return labels.growth(g, lang())


def band_line(low: float, high: float, unit_key: str = "score_band_line") -> str:
    """The range eight outcomes in ten fall in, in plain words ("十次中有八次落在 79.4–82.7 分")."""
    lo, hi = sorted((low, high))
    return t(unit_key, low=fmt_score(lo), high=fmt_score(hi))


def tier_odds(tiers: pd.Series) -> None:
    """The most likely tier with its probability, the chance of A and the chance of falling below
    the base year's tier: never "A" for a chance of A below one half."""
    abc = tiers[[k for k in ("A", "B", "C") if k in tiers]]
    best = str(abc.idxmax())
    st.badge(t("tier_odds", tier=best, p=f"{abc[best]:.0%}"), color=TIER_BADGE.get(best, "gray"))
    parts = [] if best == "A" else [t("prob_a", p=f"{tiers.get('A', 0.0):.0%}")]
    if "fall" in tiers:
        parts.append(t("prob_fall", p=f"{tiers['fall']:.0%}"))
    if parts:
        st.caption(" · ".join(parts))


@st.cache_resource(max_entries=256, show_spinner=False)
def next_points(doc_text: str, year: int, step: float = 100.0) -> tuple[pd.DataFrame, pd.DataFrame]:
    """What ``step`` 万元 more a year in each program buys for target ``year``, under the band's
    draws (common random numbers), split into the points the rubric pays for the spending itself
    and those the program causes (:func:`sim.plan.money_buys`); largest median first. Returns
    (gains, units) as ``money_buys`` does. City presets: the attainment gain only (``total_*``)."""
    sc = state.scenario_of(doc_text)
    short = sc.with_horizon(max(data_year(sc, year), sc.base_year + 1))
    params = draw(short, BAND_DRAWS, BAND_SEED)
    if sc.rubric_id:
        gains, units = money_buys(sc, year, step, params)
    else:
        draws = marginal_values(sc, year, step, params=params)
        q = np.quantile(draws.to_numpy(), [0.1, 0.5, 0.9], axis=1).T
        gains = pd.DataFrame({"program": draws.index, "total_P10": q[:, 0], "total_P50": q[:, 1], "total_P90": q[:, 2]})
        units = pd.DataFrame(columns=["program", "quantity", "P10", "P50", "P90"])
    return gains.sort_values("total_P50", ascending=False, ignore_index=True), units


def projector() -> bool:
    """Whether projector mode is on (sidebar switch or ``?projector=1``): larger type and
    charts, advanced controls hidden."""
    return bool(st.session_state.get("projector", False))


PROJECTOR_SCALE = 1.4  # type and chart heights in projector mode


def chart_scale() -> float:
    return PROJECTOR_SCALE if projector() else 1.0


def chart_titles(**override: str) -> dict:
    """Every chart field's name in the session's language (axes, legends, tooltips)."""
    return labels.chart_titles(lang(), **override)


def fmt_money(v: float) -> str:
    """万元: whole numbers with thousands separators."""
    return "—" if v is None or np.isnan(v) else f"{v:,.0f}"


def fmt_pct(v: float) -> str:
    """A percentage (already in %): one decimal."""
    return "—" if v is None or np.isnan(v) else f"{v:.1f}%"


def fmt_prob(p: float) -> str:
    """A probability from the band's draws: whole percent (300 draws cannot tell 63.3% from 63%)."""
    return "—" if p is None or np.isnan(p) else f"{p:.0%}"


def fmt(v, digits: int = 2) -> str:
    if isinstance(v, str):
        return v
    if v is None or (isinstance(v, float) and np.isnan(v)):
        return "—"
    if abs(v) >= 1000:
        return f"{v:,.0f}"
    return f"{v:,.{digits}f}"


def assumption_note(sc: sim.Scenario) -> None:
    """A caption counting the assumed baseline values (the Method page lists them; the same count
    everywhere: :func:`sim.model.simulate.assumed_values`)."""
    from sim.model.simulate import assumed_values

    n = len(assumed_values(sc))
    if n:
        st.caption(t("assumption_count", n=n))


def param_label(name: str) -> str:
    """A readable label of an uncertain assumption ('growth.tech_smes', 'unit_cost.p.q', ...)."""
    from report.labels import param_label as label

    return label(name, lang())


DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"


def briefing_button(build, file_name: str, key: str) -> None:
    """A download button whose Word briefing is written only when it is clicked (``build``: a
    callable that needs no session, e.g. a functools.partial of report.briefing)."""
    st.download_button(t("brief_download"), data=build, file_name=file_name, key=key, on_click="ignore",
                       mime=DOCX, icon=":material/description:", help=t("brief_download_help"))


def slides_button(build, file_name: str, key: str) -> None:
    """A download button for the slides (report.slides), written only when it is clicked."""
    st.download_button(t("slide_download"), data=build, file_name=file_name, key=key, on_click="ignore",
                       mime=PPTX, icon=":material/slideshow:", help=t("slide_download_help"))


def app_url() -> str:
    """The app's root address as the browser reached it, whatever page it is on ("" outside a
    browser session): scheme, host and the server's base path (``server.baseUrlPath``)."""
    from urllib.parse import urlsplit

    try:
        url = urlsplit(str(st.context.url or ""))
    except Exception:  # outside a browser session (tests)
        return ""
    if not url.scheme or not url.netloc:
        return ""
    base = str(st.get_option("server.baseUrlPath") or "").strip("/")
    return f"{url.scheme}://{url.netloc}/" + (f"{base}/" if base else "")


def short_url(base: str, doc_text: str, name: str = "", language: str = "zh") -> str:
    """The short link of a scenario (``?id=…``, :func:`ui.store.link`): it fits a WeChat message
    and a QR code, and opens the scenario with its name; "" when the store cannot be written."""
    from ui import store

    try:
        short = store.link(doc_text, name)
    except sim.InputError:
        return ""
    return f"{base}?id={short}" + ("&lang=en" if language == "en" else "")


def on_screen_file(make):
    """A briefing or slides builder for the scenario on screen when the file is asked for (``make``:
    a partial of report's taking the scenario, ``name=`` and ``url=``), given its short link then: a
    link is made only for a scenario someone takes away, and a button drawn once serves every later
    move of the sliders (:func:`ui.state.reader`)."""
    base, language, read = app_url(), lang(), state.reader()

    def run() -> bytes:
        doc_text, name = read()
        return make(state.scenario_of(doc_text), name=name, url=short_url(base, doc_text, name, language))
    return run
