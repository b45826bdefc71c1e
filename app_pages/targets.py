"""目标达成 Plan targets: every target with baseline, projection, status and growth needed."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from ui import state
from ui.common import fmt, fmt_quantity, ind_label, is_count
from ui.i18n import lang, t

OVERSHOOT = 2.0  # a projection at least this many times its target is explained
STATUS_BG = {"met": "#dafbe1", "within_5pct": "#fff8c5", "short": "#ffebe9", "not_assessed": "#f6f8fa"}

sc = state.scenario()
proj = state.projection()
st.title(f"{t('page_targets')} · {getattr(sc, lang())}")
table = proj.attainment
if table.empty:
    st.info(t("no_targets"))
    st.stop()

idx = table.attrs["index"]
c1, c2, c3 = st.columns(3)
c1.metric(t("targets_met"), f"{idx['share_met']:.0%}")
c2.metric(t("attainment"), f"{(1 - idx['weighted_shortfall']) * 100:.1f}%")
c3.metric(t("targets_assessed"), f"{idx['assessed']} / {len(table)}")


def _label(row) -> str:
    if row.indicator == "tier":
        return t("tier_target") + " · " + t("tier_target_scored", data=row.scored_year)
    label = ind_label(row.indicator)
    if row.kind in ("increase", "no_decrease"):
        label += f" · {t('target_kind_' + row.kind)}"
    return label


def _pct(v) -> str:
    return "—" if pd.isna(v) else f"{v * 100:+.1f}%"


rows = []
for r in table.itertuples():
    growth_kind = r.kind == "growth"
    rows.append({
        t("col_status"): t("status_" + r.status),
        t("col_indicator"): _label(r) + (f" · {t('growth_target')}" if growth_kind else ""),
        t("col_year"): r.year,
        t("col_baseline"): fmt(r.baseline),
        t("col_projected"): (f"{r.projected:.1f}%" if growth_kind else fmt_quantity(r.indicator, r.projected)),
        t("col_target"): (f"{float(r.target):.1f}%" if growth_kind else fmt(r.target)),
        t("col_needed"): _pct(r.growth_needed),
        t("col_assumed"): _pct(r.growth_assumed),
        t("col_shortfall"): "—" if pd.isna(r.shortfall) else f"{r.shortfall:.1%}",
    })
frame = pd.DataFrame(rows)
colors = [STATUS_BG[s] for s in table["status"]]
styled = frame.style.apply(lambda col: [f"background-color: {c}" for c in colors], subset=[t("col_status")])
st.dataframe(styled, hide_index=True, key="targets_table", height=min(40 + 36 * len(rows), 900))
st.caption(t("targets_caption", base=sc.base_year))
for r in table.itertuples():  # a status quo far beyond its own plan says why
    if r.kind == "level" and isinstance(r.projected, float) and float(r.target) > 0 \
            and r.projected >= OVERSHOOT * float(r.target) and sc.growth_profile:
        st.info(t("targets_overshoot", name=ind_label(r.indicator), year=r.year, times=f"{r.projected / float(r.target):.1f}",
                  window=sc.pace_window), icon=":material/trending_up:")
if any(is_count(q) for q in table["indicator"]):
    st.caption(t("expected_counts_caption"))
