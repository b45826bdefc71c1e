"""全市 City: every county of a city at once: the map by projected tier, the tier ladder, the
chance of the city's goal (seed 003: all B or better, at least k in A) and the split of a city
budget across counties that most raises it."""
from __future__ import annotations

from dataclasses import replace
import hashlib
import time
from functools import partial

import numpy as np
import pandas as pd
import streamlit as st

from report import labels
from report.briefing import city_briefing
from report.citymap import city_charts, county_names
from sim.counties import batch, city, regions
from sim.files.errors import InputError
from sim.files.text import clean
from sim.inputs.document import limits
from sim.inputs.tables import READERS, table_from_bytes
from ui import common, workers
from ui.common import fmt_money, fmt_prob, fmt_score
from ui.i18n import lang, lit, say, t

CITIES = ("hengshui", "demo-city")
UPLOADED = "uploaded"
DRAWS, SEED = 200, 0
MAX_COUNTIES = int(limits()["city"]["max_counties"])  # an uploaded table's counties (data/limits.toml)


@st.cache_resource(show_spinner=False)
def _builtin(city_id: str) -> regions.Regions:
    return regions.load(city_id)


@st.cache_resource(max_entries=8, show_spinner=False)
def _from_file(digest: str, _data: bytes, name: str) -> regions.Regions:
    """A city's own table (cached by its content's SHA-256: ``digest``)."""
    rg = regions.from_table(table_from_bytes(_data, name), regions_id=UPLOADED, max_regions=MAX_COUNTIES)
    shown = clean(name)
    return replace(rg, zh=f"上传的表格 {shown}", en=f"Uploaded table {shown}")


def _key(city_id: str) -> str:
    """What a city's results are cached under: a built-in city's id, or an uploaded table's
    content hash (two users' tables never share a result)."""
    if city_id == UPLOADED:
        return f"{UPLOADED}:{st.session_state['city_upload_data'][2]}"
    return city_id


def _city(city_id: str) -> regions.Regions:
    if city_id == UPLOADED:
        data, name, digest = st.session_state["city_upload_data"]
        return _from_file(digest, data, name)
    return _builtin(city_id)


def _goal(city_id: str) -> regions.Goal:
    return (regions.goal_of(city_id) if city_id != UPLOADED else None) or regions.Goal()


@st.cache_resource(max_entries=16, show_spinner=False)
def _plan(key: str, _rg: regions.Regions, budget: float, year: int, objective: str) -> city.CityPlan:
    """The city's plan; ``key`` (:func:`_key`) identifies the counties ``_rg`` (not hashed)."""
    goal = _goal(key.split(":")[0])
    return city.optimize(_rg, budget, year, goal, objective, city.CitySearch(
        step=max(budget / 20, 50.0) if budget > 0 else 100.0, draws=DRAWS, seed=SEED))


@st.cache_resource(max_entries=8, show_spinner=False)
def _min_budget(key: str, _rg: regions.Regions, year: int, confidence: float, top: float) -> city.MinCityBudget:
    return city.min_city_budget(_rg, year, _goal(key.split(":")[0]), confidence, top=top,
                                options=city.CitySearch(step=max(top / 40, 50.0), draws=DRAWS, seed=SEED))


@st.cache_resource(max_entries=16, show_spinner=False)
def _paths(key: str, _rg: regions.Regions, applied: tuple | None) -> pd.DataFrame:
    """Every county's central path (statistics years), under the status quo or the applied plan."""
    rg = _rg
    if applied:
        rg = replace(rg, scenarios=_plan(key, _rg, *applied).scenarios(rg))
    return regions.simulate(rg)


@st.cache_resource(max_entries=16, show_spinner=False)
def _charts(key: str, _rg: regions.Regions, applied: tuple | None, year: int, lang: str, scale: float):
    """The map and the ladder of a round (built once per city, plan, round, language and scale:
    a map of many shapes costs seconds)."""
    return city_charts(_rg, _paths(key, _rg, applied), year, lang, scale)


def _on_upload() -> None:
    """A city's own template: checked whole before it replaces anything (InputError named)."""
    up = st.session_state.get("city_upload")
    if up is None:
        return
    data = up.getvalue()
    digest = hashlib.sha256(data).hexdigest()
    try:
        _from_file(digest, data, up.name)
    except InputError as exc:
        st.session_state["city_upload_error"] = exc
        return
    st.session_state["city_upload_data"] = (data, up.name, digest)
    st.session_state["city_id"] = UPLOADED
    st.session_state.pop("city_result", None)


choices = CITIES + ((UPLOADED,) if "city_upload_data" in st.session_state else ())
if st.session_state.get("city_id") not in choices:
    st.session_state["city_id"] = CITIES[0]
city_labels = {c: getattr(_city(c), lang()) for c in choices}  # labels fixed now, not at format time
city_id = st.selectbox(t("city_pick"), choices, key="city_id", format_func=city_labels.__getitem__)
projector = common.projector()  # advanced parts stay off the projector
if not projector:
    with st.expander(t("city_upload_heading")):
        st.caption(t("city_upload_help"))
        st.file_uploader(t("city_upload"), type=[e.lstrip(".") for e in READERS], key="city_upload",
                         on_change=_on_upload)
        if err := st.session_state.pop("city_upload_error", None):
            st.error(say(err))
rg = _city(city_id)
goal = _goal(city_id)
st.title(f"{t('page_city')} · {lit(getattr(rg, lang()))}")
if rg.synthetic:
    st.warning(t("city_illustrative" if city_id == "hengshui" else "city_synthetic"), icon=":material/info:")
if city_id == UPLOADED or "assumption" in goal.source or not goal.source:
    st.caption(t("city_goal_assumed"))
applied = st.session_state.get("city_applied")
applied = applied[1:] if applied and applied[0] == _key(city_id) else None
key = _key(city_id)
frame = _paths(key, rg, applied)
sc0 = rg.scenarios[0]
rounds = [sc0.assessed_year(y) for y in frame.index.get_level_values("year").unique()]
if applied:
    st.info(t("city_applied_note", budget=fmt_money(applied[0])), icon=":material/check:")

# ------------------------------------------------------------------ the goal
st.caption(t("city_goal", min_a=goal.min_a, year=goal.year,
             source=labels.source(goal.source, lang()) if goal.source else t("city_goal_default")))
status_quo = _plan(key, rg, 0.0, goal.year, "p_goal")
m1, m2, m3 = st.columns(3)
m1.metric(t("city_p_goal", year=goal.year), fmt_prob(status_quo.p_goal), help=t("city_p_goal_help", n=DRAWS))
m2.metric(t("city_expected_a", year=goal.year), f"{status_quo.expected_a:.1f}")
m3.metric(t("city_counties"), str(len(rg)))

# ------------------------------------------------------------------ map and ladder
year = st.select_slider(t("city_round"), rounds, value=goal.year if goal.year in rounds else rounds[-1],
                        key=f"city_round_{city_id}", help=t("city_round_help"))
data_year = sc0.scored_year(year)
now = frame.xs(data_year, level="year")
tier_label = {k: t(f"tier_{k}") for k in ("A", "B", "C")}
counts = now["tier"].value_counts()
st.markdown(t("city_round_line", year=year, a=int(counts.get("A", 0)), b=int(counts.get("B", 0)),
              c=int(counts.get("C", 0)), mean=fmt_score(now["total"].mean())))
left, right = st.columns([2.6, 1] if projector else [1.1, 1])  # a projector's map: half the screen or more
the_map, ladder_chart, on_map, left_off = _charts(key, rg, applied, year, lang(), common.chart_scale())
with left:
    st.subheader(t("city_map_heading", year=year))
    if the_map is not None:
        st.altair_chart(the_map, key="city_map")
        if on_map < len(rg):
            st.caption(t("city_map_partial", n=len(rg) - on_map))
        if left_off:
            st.caption(t("city_map_left_off", names="、".join(left_off) if lang() == "zh" else ", ".join(left_off)))
    else:
        st.info(t("city_map_missing"))
with right:
    st.subheader(t("city_ladder_heading", year=year))
    st.altair_chart(ladder_chart, width="stretch", key="city_ladder")
    st.caption(t("city_ladder_caption", previous=sc0.assessed_year(max(data_year - 1, sc0.base_year))))

city_url = common.app_url().rstrip("/") + "/city" + ("?lang=en" if lang() == "en" else "") if common.app_url() else ""
common.briefing_button(partial(city_briefing, rg, _plan(key, rg, *applied) if applied else None, lang(), city_url),
                       f"briefing_{city_id}_{lang()}.docx", "brief_city")

# ------------------------------------------------------------------ the city's budget
def side_by_side(key: str, rg: regions.Regions, plan_args: tuple, year: int) -> None:
    """The map and the ladder of the target round under the status quo and under the plan."""
    st.markdown(f"**{t('city_side_heading', year=year)}**")
    for col, args, title in zip(st.columns(2), (None, plan_args), (t("city_side_status_quo"), t("city_side_plan"))):
        the_map, ladder_chart, _, _ = _charts(key, rg, args, year, lang(), common.chart_scale())
        with col:
            st.caption(title)
            if the_map is not None:
                st.altair_chart(the_map, key=f"city_side_map_{'plan' if args else 'sq'}")
            st.altair_chart(ladder_chart, width="stretch", key=f"city_side_ladder_{'plan' if args else 'sq'}")


st.divider()
st.subheader(t("city_opt_heading"))
st.caption(t("city_opt_intro"))
o1, o2 = st.columns(2)
budget = o1.number_input(t("city_budget"), min_value=0.0, max_value=100_000.0, value=1000.0, step=100.0,
                         format="%.0f", key=f"city_budget_{city_id}", help=t("city_budget_help"))
objective = o2.selectbox(t("city_objective"), ["p_goal", "expected_a"], key=f"city_objective_{city_id}",
                         format_func={o: t(f"city_objective_{o}") for o in ("p_goal", "expected_a")}.__getitem__)
if st.button(t("city_opt_run"), key="city_opt_run", type="primary", icon=":material/play_arrow:"):
    with st.spinner(t("opt_running")):
        try:
            _plan(key, rg, float(budget), goal.year, objective)
        except InputError as exc:
            st.error(say(exc))
        else:
            st.session_state["city_result"] = (key, float(budget), goal.year, objective)
result = st.session_state.get("city_result")
if result and result[0] == key:
    plan = _plan(key, rg, *result[1:])
    q1, q2, q3 = st.columns(3)
    q1.metric(t("city_p_goal", year=goal.year), fmt_prob(plan.p_goal),
              t("delta_pp", d=f"{(plan.p_goal - plan.p_goal_status_quo) * 100:+.0f}"),
              delta_arrow="off" if abs(plan.p_goal - plan.p_goal_status_quo) < 0.005 else "auto",
              delta_color="off" if abs(plan.p_goal - plan.p_goal_status_quo) < 0.005 else "normal")
    moved = abs(plan.expected_a - plan.expected_a_status_quo) >= 0.05
    q2.metric(t("city_expected_a", year=goal.year), f"{plan.expected_a:.1f}",
              f"{plan.expected_a - plan.expected_a_status_quo:+.1f} {t('vs_status_quo')}",
              delta_arrow="auto" if moved else "off", delta_color="normal" if moved else "off")
    q3.metric(t("city_budget_used"), fmt_money(float(plan.money.sum())))
    why = "city_why_certain" if plan.p_goal_status_quo >= 0.995 else "city_why_none" \
        if plan.p_goal <= plan.p_goal_status_quo + 1e-9 and plan.objective == "p_goal" else "city_why_moved"
    st.info(t(why, seconds=f"{plan.seconds:.2f}", n=DRAWS), icon=":material/lightbulb:")
    per = plan.curves.central
    k = plan.levels
    nxt = np.where(k + 1 < per.shape[1], per[np.arange(len(k)), np.minimum(k + 1, per.shape[1] - 1)]
                   - per[np.arange(len(k)), k], np.nan) / plan.curves.step * 100
    table = pd.DataFrame({
        t("city_county"): county_names(rg, lang()),
        t("city_money"): [fmt_money(v) for v in plan.money],
        t("city_median"): [fmt_score(v) for v in plan.counties["median"]],
        t("city_most_likely"): [tier_label["A"] if p >= 0.5 else tier_label["B"] if pb >= 0.5 else tier_label["C"]
                                for p, pb in zip(plan.counties["P_A"], plan.counties["P_B_or_better"])],
        t("city_p_a"): [fmt_prob(v) for v in plan.counties["P_A"]],
        t("city_p_a_sq"): [fmt_prob(v) for v in plan.counties["P_A_status_quo"]],
        t("city_next_100"): ["—" if np.isnan(v) else f"{v:.2f}" for v in nxt],
        t("city_reason"): [t(code, **params) for code, params in city.reasons(plan)]})
    st.table(table.set_index(t("city_county")))
    st.caption(t("city_table_caption", n=DRAWS))
    side_by_side(key, rg, result[1:], goal.year)
    if st.button(t("city_apply"), key="city_apply", icon=":material/check:"):
        st.session_state["city_applied"] = result
        st.rerun()
with st.expander(t("city_cost_heading", year=goal.year)) if not projector else st.container():
    c1, c2 = st.columns(2)
    conf = c1.slider(t("opt_confidence"), 50, 95, 80, 5, format="%d%%", key="city_confidence") / 100
    top = c2.number_input(t("city_cost_top"), min_value=100.0, max_value=100_000.0, value=4000.0, step=500.0,
                          format="%.0f", key="city_cost_top")
    if st.button(t("city_cost_run"), key="city_cost_run", icon=":material/calculate:"):
        with st.spinner(t("opt_running")):
            mb = _min_budget(key, rg, goal.year, float(conf), float(top))
        if mb.reachable:
            st.success(t("city_cost_found", budget=fmt_money(mb.budget), p=fmt_prob(mb.probability),
                         conf=fmt_prob(conf), year=goal.year))
        else:
            st.warning(t("city_cost_unreachable", top=fmt_money(mb.budget), p=fmt_prob(mb.probability),
                         conf=fmt_prob(conf), year=goal.year))
if applied and st.button(t("city_unapply"), key="city_unapply", icon=":material/undo:"):
    st.session_state.pop("city_applied", None)
    st.rerun()

# ------------------------------------------------------------------ every county through Monte Carlo
@st.fragment
def batch_section(rg: regions.Regions, goal: regions.Goal, key: str) -> None:
    """Every county through Monte Carlo and robust optimization, with a progress bar. A fragment:
    its settings and its button rerun this section alone, not the map, the ladder and the
    optimizer above (Hengshui in a server on two warm workers, from the click to the run's end:
    2.85 s against 3.11 s when the whole page reran; medians of six, interleaved)."""
    st.divider()
    st.subheader(t("batch_heading"))
    st.caption(t("batch_intro"))
    b1, b2, b3 = st.columns(3)
    b_draws = b1.select_slider(t("batch_draws"), [200, 500, 1000, 2000], value=1000, key="batch_draws")
    b_extra = b2.number_input(t("batch_extra"), min_value=0.0, max_value=100_000.0, value=200.0, step=50.0,
                              format="%.0f", key="batch_extra", help=t("batch_extra_help"))
    kept = workers.count()  # the server's warm workers (ui.workers), first when it keeps any
    engines = [kept, 0] if kept else [0]
    b_workers = b3.selectbox(t("batch_engine"), engines, key=f"batch_workers_{kept}",
                             format_func={k: t("batch_dask", n=k) if k else t("batch_serial") for k in engines}.__getitem__)
    if b_workers:
        workers.start()  # in the background: up before a reader has set the draws and clicked
    if st.button(t("batch_run"), key="batch_run", icon=":material/rocket_launch:"):
        bar = st.progress(0.0, text=t("batch_running", done=0, total=len(rg)))
        t0 = time.perf_counter()
        here = batch.Execution(workers=0, progress=lambda d, n: bar.progress(
            d / n, text=t("batch_running", done=d, total=n)))
        args = (rg, goal.year, int(b_draws), SEED, float(b_extra), here)
        try:
            table, on_workers = workers.run(*args) if b_workers else (batch.run(*args), False)
        except InputError as exc:
            st.error(say(exc))
        else:  # the engine as a number, worded when shown (in the page's language then)
            st.session_state["batch_result"] = {
                "key": key, "year": goal.year, "table": table, "seconds": time.perf_counter() - t0,
                "engine": b_workers if on_workers else 0, "fell_back": bool(b_workers) and not on_workers}
        bar.empty()
    saved = st.session_state.get("batch_result")
    if saved and saved["key"] == key:
        table = saved["table"]
        names = dict(zip(rg.names, county_names(rg, lang())))
        shown = pd.DataFrame({
            t("city_county"): table["county"].map(names),
            t("batch_band"): [f"{fmt_score(a)} – {fmt_score(b)}" for a, b in zip(table["P10"], table["P90"])],
            t("city_median"): [fmt_score(v) for v in table["P50"]],
            t("city_p_a_sq"): [fmt_prob(v) for v in table["P_A"]],
            t("batch_p_a_opt"): [fmt_prob(v) for v in table["optimized_P_A"]]})
        st.table(shown.set_index(t("city_county")))
        if saved["fell_back"]:
            st.caption(t("batch_fell_back"))
        engine = t("batch_dask", n=saved["engine"]) if saved["engine"] else t("batch_serial")
        st.caption(t("batch_caption", seconds=f"{saved['seconds']:.1f}", engine=engine, year=saved["year"]))


if not projector:
    batch_section(rg, goal, key)
