"""情景对比 Compare: save scenarios, load them back, compare 2–4 side by side, export/import JSON.

Saved scenarios live in the SQLite store (ui.store), shared by every session; the session's own
scenario stays its own until it is saved.
"""
from __future__ import annotations

import json
from datetime import date

import numpy as np
import pandas as pd
import streamlit as st

import sim
from report import qr
from report import charts
from report.briefing import comparison_briefing
from sim.files.errors import InputError
from sim.model.rubric import load_rubric
from ui import common, state, store
from ui.common import (band, chart_titles, data_year, default_target_year, fmt, fmt_quantity, fmt_score, ind_label,
                       prog_name, target_year, target_years, tier_odds)
from ui.i18n import lang, lit, say, t, tl

CURRENT = ""  # the option of the session's unsaved scenario (never a saved name: names are non-empty)
MAX_COMPARE = 4
STATUS_MARK = {"met": "✓", "within_5pct": "≈", "short": "✗", "not_assessed": "–"}  # in every CJK font

state.init()  # a no-op under app.py, which has already set the session up
sc = state.scenario()
ws = state.workspace()
year = target_year(sc)
presets = {p["id"]: p for p in sim.list_presets()}


def _canonical(doc: dict) -> str:
    return json.dumps(doc, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def _flash(kind: str, message) -> None:
    """A message for the next run: ``message`` is (key, params) or an InputError."""
    st.session_state["cmp_flash"] = (kind, message)


def _show_flash() -> None:
    kind, message = st.session_state.pop("cmp_flash", (None, None))
    if kind is None:
        return
    text = say(message) if isinstance(message, InputError) else tl(message[0], **message[1])
    {"success": st.success, "error": st.error, "info": st.info}[kind](text)


def _height(rows: int) -> int:
    """Pixels that show a table's header and every row without scrolling."""
    return 35 * (rows + 1) + 3


def share(name: str) -> None:
    """A saved scenario's short link with its QR code: sent in WeChat or scanned from the
    projector, it opens the scenario (and its name) on a phone."""
    try:
        url = common.short_url(common.app_url(), store.load(ws, name), name, lang())
    except InputError as exc:
        st.error(say(exc))
        return
    if not url:
        return
    with st.container(border=True, key="cmp_share"):
        q1, q2 = st.columns([3, 1], vertical_alignment="center")
        q1.markdown(tl("cmp_share_heading", name=name))
        q1.code(url, language=None)
        q1.caption(t("cmp_share_caption"))
        q2.image(qr.png(url), width=160)


def _comparison_build(entries: list[dict]):
    """The comparison briefing's builder, each scenario's short link made when it is asked for."""
    base, language = common.app_url(), lang()
    chosen = [(e["label"], e["sc"], e["text"]) for e in entries]

    def run() -> bytes:
        links = [common.short_url(base, text, label if label != current_label else "", language)
                 for label, _, text in chosen] if base else None
        return comparison_briefing([(label, sc) for label, sc, _ in chosen], language, links=links)
    return run


# ------------------------------------------------------------------ callbacks (run before the script)
def _save() -> None:
    name = st.session_state.get("cmp_name", "")
    try:
        existed = name.strip() in set(store.names(ws))
        name = store.save(ws, name, state.text())
    except InputError as exc:
        _flash("error", exc)
        return
    _flash("success", ("cmp_replaced" if existed else "cmp_saved", {"name": name}))
    st.session_state["cmp_name"] = ""
    for key in ("cmp_sel", "cmp_export_sel"):  # show the new scenario where the user looks next
        chosen = list(st.session_state.get(key) or [])
        if name not in chosen and (key != "cmp_sel" or len(chosen) < MAX_COMPARE):
            st.session_state[key] = chosen + [name]


def _load() -> None:
    name = st.session_state.get("cmp_pick")
    try:
        doc = store.scenario_doc(store.load(ws, name))
    except InputError as exc:
        _flash("error", exc)
        return
    old_preset = state.doc()["preset"]
    err = state.set_doc(doc)  # keeps the last good scenario when the saved one no longer applies
    if err is not None:
        _flash("error", err)
        return
    if doc["preset"] != old_preset:
        for key in [k for k in st.session_state if k.startswith(("w_", "opt_"))]:
            del st.session_state[key]  # widgets of the previous preset
    st.session_state["preset"] = doc["preset"]
    state.set_name(name)  # the briefings and slides carry the saved name
    st.session_state["cmp_goto"] = name


def _delete() -> None:
    name = st.session_state.get("cmp_pick")
    try:
        gone = store.delete(ws, name)
    except InputError as exc:
        _flash("error", exc)
        return
    _flash("success" if gone else "info", ("cmp_deleted" if gone else "cmp_not_there", {"name": name}))


def _import() -> None:
    upload = st.session_state.get("cmp_upload")
    st.session_state.pop("cmp_import_result", None)
    if upload is None:
        return
    try:
        names = store.import_json(ws, upload.getvalue())
    except InputError as exc:
        st.session_state["cmp_import_result"] = ("error", exc)
        return
    st.session_state["cmp_import_result"] = ("success", names)
    chosen = list(st.session_state.get("cmp_export_sel") or [])
    st.session_state["cmp_export_sel"] = chosen + [n for n in names if n not in chosen]


if st.session_state.pop("cmp_goto", None):
    st.switch_page("app_pages/scenario.py")

# ------------------------------------------------------------------ page
st.title(t("page_compare"))
st.caption(t("cmp_intro"))

try:
    total_saved = store.count(ws)
    pages = max(1, -(-total_saved // store.PAGE))
    page = min(int(st.session_state.get("cmp_page", 1)), pages)
    saved = store.list_saved(ws, (page - 1) * store.PAGE, store.PAGE)
except InputError as exc:
    st.error(say(exc))
    st.stop()
names = [r["name"] for r in saved]  # this page's

# ---- save the current scenario
st.subheader(t("cmp_save_heading"))
c1, c2 = st.columns([3, 1], vertical_alignment="bottom")
c1.text_input(t("cmp_name"), key="cmp_name", max_chars=store.MAX_NAME, placeholder=t("cmp_name_placeholder"),
              help=t("cmp_name_help", scenario=getattr(sc, lang())))
c2.button(t("cmp_save"), key="cmp_save", type="primary", icon=":material/save:", on_click=_save,
          width="stretch")
_show_flash()

# ---- saved scenarios
st.subheader(t("cmp_saved_heading"))
if saved:
    if pages > 1:
        st.number_input(t("cmp_page", pages=pages, n=total_saved), 1, pages, page, key="cmp_page")
    table = pd.DataFrame({
        t("cmp_col_name"): names,
        t("cmp_col_preset"): [presets[r["preset"]][lang()] if r["preset"] in presets else r["preset"] for r in saved],
        t("cmp_col_saved_at"): [(r["saved_at"] or "")[:16].replace("T", " ") for r in saved],
    })
    st.dataframe(table, hide_index=True, key="cmp_saved_table", height=min(_height(len(saved)), 400))
    if st.session_state.get("cmp_pick") not in names:
        st.session_state["cmp_pick"] = names[0]
    a1, a2, a3 = st.columns([3, 1, 1], vertical_alignment="bottom")
    a1.selectbox(t("cmp_pick"), names, key="cmp_pick")
    a2.button(t("cmp_load"), key="cmp_load", icon=":material/upload:", on_click=_load, width="stretch",
              help=t("cmp_load_help"))
    a3.button(t("cmp_delete"), key="cmp_delete", icon=":material/delete:", on_click=_delete, width="stretch")
    share(st.session_state["cmp_pick"])
else:
    st.info(t("cmp_none_saved"))


# ---- comparison
def _entries(choice: list[str]) -> list[dict]:
    """The chosen scenarios: label, scenario, projection and target year (broken ones warned)."""
    out = []
    for opt in choice:
        try:
            text = state.text() if opt == CURRENT else _canonical(store.scenario_doc(store.load(ws, opt)))
            s, p = state.scenario_of(text), state.projection_of(text)
        except InputError as exc:
            st.warning(tl("cmp_broken", name=opt, msg=exc.message(lang())))
            continue
        label = current_label if opt == CURRENT else opt
        y = year if s.preset_id == sc.preset_id and year in target_years(s) else default_target_year(s)
        out.append({"label": label, "sc": s, "proj": p, "year": y, "data": data_year(s, y), "text": text})
    return out


def _region(s: sim.Scenario) -> str:
    return getattr(s, lang()) + (f" · {s.region_name}" if s.region_name else "")


def _pct(v: float) -> str:
    return "—" if v is None or np.isnan(v) else f"{v * 100:.1f}%"


def _mean_spend(s: sim.Scenario, y: int) -> dict[str, float]:
    """Mean yearly spending per program over the projected years up to ``y`` (万元/年)."""
    n = max(1, y - s.base_year)
    return {p: float(np.mean(row[:n])) for p, row in s.spend.items()}


st.subheader(t("cmp_compare_heading"))
current_label = t("cmp_current")
while current_label in names:  # the widget tells options apart by their labels
    current_label += " *"
if "cmp_sel" not in st.session_state:
    st.session_state["cmp_sel"] = [CURRENT, *names[:1]]
kept = [o for o in st.session_state["cmp_sel"] if o == CURRENT or o in names or o in set(store.names(ws))]
options = list(dict.fromkeys([CURRENT, *kept, *names]))  # this page's and the ones chosen earlier
st.session_state["cmp_sel"] = kept[:MAX_COMPARE]
choice = st.multiselect(t("cmp_choose"), options, key="cmp_sel", max_selections=MAX_COMPARE,
                        format_func=lambda o: current_label if o == CURRENT else o,
                        placeholder=t("choose_placeholder"), help=t("cmp_choose_help"))
entries = _entries(choice)

if len(entries) < 2:
    st.info(t("cmp_choose_two"))
else:
    labels = [e["label"] for e in entries]
    rubric_entries = [e for e in entries if e["sc"].rubric_id]

    # headline: the score (rubric presets) or the weighted attainment, one column each
    first = entries[0]
    for col, e in zip(st.columns(len(entries)), entries):
        with col:
            s, p, y, d = e["sc"], e["proj"], e["year"], e["data"]
            if s.rubric_id:
                odds = band(e["text"])
                total = float(odds.score.loc[d, "P50"])
                delta = None
                if e is not first and first["sc"].rubric_id:
                    first_total = float(band(first["text"]).score.loc[first["data"], "P50"])
                    delta = f"{total - first_total:+.1f} {tl('cmp_vs_first', name=first['label'])}"
                st.metric(lit(e["label"]), fmt_score(total), delta, help=t("score_in", year=y, data=d))
                tier_odds(odds.tiers.loc[d])
            else:
                idx = p.attainment.attrs["index"]
                st.metric(lit(e["label"]), _pct(1 - idx["weighted_shortfall"]), help=t("attainment"))
            st.caption(tl("cmp_entry_caption", region=_region(s), year=y))
    if len({e["year"] for e in entries}) > 1:
        st.caption(t("cmp_years_differ"))

    # summary table: one column per scenario
    groups = list(dict.fromkeys(g for e in rubric_entries for g in load_rubric(e["sc"].rubric_id).groups))
    rows: dict[str, list[str]] = {t("cmp_row_preset"): [_region(e["sc"]) for e in entries],
                                  t("target_year"): [str(e["year"]) for e in entries]}
    if rubric_entries:
        rows[t("score")] = [fmt_score(float(band(e["text"]).score.loc[e["data"], "P50"])) if e["sc"].rubric_id
                            else "—" for e in entries]
        rows[t("cmp_row_prob_a")] = [f"{band(e['text']).tiers.loc[e['data'], 'A']:.0%}" if e["sc"].rubric_id else "—"
                                     for e in entries]
        for g in groups:
            rows[f"{getattr(g, lang())}({t('points')})" if lang() == "zh" else f"{g.en} ({t('points')})"] = [
                f"{float(e['proj'].scores.loc[e['data'], g.id]):.1f} / {g.max_points:g}"
                if e["sc"].rubric_id and g.id in e["proj"].scores else "—" for e in entries]
    rows[t("cmp_row_budget")] = [fmt(sum(_mean_spend(e["sc"], e["data"]).values()), 0) for e in entries]
    rows[t("targets_met")] = [_pct(e["proj"].attainment.attrs["index"]["share_met"]) for e in entries]
    rows[t("attainment")] = [_pct(1 - e["proj"].attainment.attrs["index"]["weighted_shortfall"]) for e in entries]
    summary = pd.DataFrame.from_dict(rows, orient="index", columns=labels)
    summary.index.name = t("cmp_row_item")
    st.dataframe(summary, key="cmp_summary", height=_height(len(summary)),
                 column_config={"_index": st.column_config.Column(width=320)})
    common.briefing_button(_comparison_build(entries), f"briefing_comparison_{lang()}.docx", "brief_compare")

    # points by group and the total on their own axes (0–25 and 0–100), then plan attainment
    titles = chart_titles(value=t("points"))
    if rubric_entries:
        bars = pd.DataFrame([{"category": charts.wrap(getattr(g, lang()), 6 if lang() == "zh" else 12),
                              "series": e["label"], "value": float(e["proj"].scores.loc[e["data"], g.id])}
                             for g in groups for e in rubric_entries])
        total = pd.DataFrame([{"category": t("cmp_total"), "series": e["label"],
                               "value": float(e["proj"].scores.loc[e["data"], "total"])} for e in rubric_entries])
        g1, g2 = st.columns([3, 1.2])
        with g1:
            st.markdown(f"**{t('cmp_scores_heading')}**")
            st.altair_chart(charts.style(charts.grouped_bars(bars, titles), 340), width="stretch",
                            key="cmp_chart_scores")
        with g2:
            st.markdown(f"**{t('cmp_total_heading')}**")
            st.altair_chart(charts.style(charts.grouped_bars(total, titles), 340), width="stretch",
                            key="cmp_chart_total")
    att = pd.DataFrame([{"category": t(m), "series": e["label"], "value": 100 * v}
                        for e in entries
                        for m, v in (("targets_met", e["proj"].attainment.attrs["index"]["share_met"]),
                                     ("attainment", 1 - e["proj"].attainment.attrs["index"]["weighted_shortfall"]))
                        if not np.isnan(v)])
    st.markdown(f"**{t('cmp_attainment_heading')}**")
    if att.empty:
        st.info(t("no_targets"))
    else:
        st.altair_chart(charts.style(charts.grouped_bars(att, chart_titles(value="%")), 300),
                        width="stretch", key="cmp_chart_attainment")

    # yearly program allocation
    st.subheader(t("cmp_alloc_heading"))
    programs = list(dict.fromkeys(p for e in entries for p in e["sc"].programs))
    spends = [_mean_spend(e["sc"], e["data"]) for e in entries]
    alloc = pd.DataFrame({lab: [sp.get(p, np.nan) for p in programs] for lab, sp in zip(labels, spends)},
                         index=[prog_name(p) for p in programs])
    alloc.loc[t("cmp_total")] = alloc.sum()
    alloc.index.name = t("program")
    long = alloc.drop(index=t("cmp_total")).reset_index(names="program").melt(
        "program", var_name="series", value_name="value")
    chart = charts.style(charts.allocation_bars(long, chart_titles()), 80 + 18 * len(long))
    st.altair_chart(chart, width="stretch", key="cmp_chart_alloc")
    st.dataframe(alloc.round(0), key="cmp_alloc_table", height=_height(len(alloc)),
                 column_config={"_index": st.column_config.Column(width=320),
                                **{lab: st.column_config.NumberColumn(format="%.0f") for lab in labels}})
    st.caption(t("cmp_alloc_caption"))

    # key indicators at each target year: the union of indicators with plan targets
    st.subheader(t("cmp_indicators_heading"))
    shown = list(dict.fromkeys(tg.indicator for e in entries for tg in e["sc"].targets
                               if tg.kind == "level" and tg.indicator in e["proj"].indicators))
    if not shown:
        shown = list(dict.fromkeys(q for e in entries for q in e["sc"].shown if q in e["proj"].indicators))[:8]
    ind_rows = {}
    for q in shown:
        cells = []
        for e in entries:
            frame, att_e, y = e["proj"].indicators, e["proj"].attainment, e["data"]
            if q not in frame:
                cells.append("—")
                continue
            hit = att_e[(att_e["indicator"] == q) & (att_e["year"] == y) & (att_e["kind"] == "level")]
            mark = f" {STATUS_MARK[hit['status'].iloc[0]]}" if len(hit) else ""
            cells.append(fmt_quantity(q, float(frame.loc[y, q])) + mark)
        ind_rows[ind_label(q)] = cells
    if ind_rows:
        ind = pd.DataFrame.from_dict(ind_rows, orient="index", columns=labels)
        ind.index.name = t("cmp_row_indicator")
        st.dataframe(ind, key="cmp_indicators", height=min(_height(len(ind)), 900),
                     column_config={"_index": st.column_config.Column(width=360)})
        st.caption(t("cmp_indicators_caption"))

# ---- export / import
st.subheader(t("cmp_transfer_heading"))
e1, e2 = st.columns(2, gap="large")
with e1:
    if "cmp_export_sel" not in st.session_state:
        st.session_state["cmp_export_sel"] = list(names)
    st.session_state["cmp_export_sel"] = [n for n in st.session_state["cmp_export_sel"] if n in names]
    chosen = st.multiselect(t("cmp_export_pick"), names, key="cmp_export_sel", help=t("cmp_export_help"),
                            placeholder=t("choose_placeholder"))
    try:
        payload = store.export_json(ws, chosen) if chosen else b"[]"
    except InputError as exc:  # deleted by another session meanwhile
        st.error(say(exc))
        payload, chosen = b"[]", []
    st.download_button(t("cmp_export", n=len(chosen)), payload, key="cmp_download",
                       file_name=f"scenarios-{date.today():%Y%m%d}.json", mime="application/json",
                       icon=":material/download:", disabled=not chosen)
with e2:
    st.file_uploader(t("cmp_import"), type=["json"], key="cmp_upload", on_change=_import,
                     help=t("cmp_import_help"))
    kind, result = st.session_state.get("cmp_import_result", (None, None))
    if kind == "error":
        st.error(tl("cmp_import_failed", msg=result.message(lang())))
    elif kind == "success":
        st.success(tl("cmp_imported", n=len(result), names="、".join(result) if lang() == "zh" else ", ".join(result)))
st.caption(t("cmp_store_caption"))

# ---- the workspace: private, shareable by link
st.subheader(t("cmp_workspace_heading"))
link = f"{(st.context.url or '').split('?')[0]}?ws={ws}&lang={lang()}"
st.code(link, language=None)
st.caption(t("cmp_workspace_caption"))
if previous := st.session_state.get(state.PREVIOUS_WS_KEY):
    st.caption(t("cmp_workspace_previous"))
    st.code(f"{(st.context.url or '').split('?')[0]}?ws={previous}&lang={lang()}", language=None)
