"""目标达成 Plan targets: every target with baseline, projection, status and growth needed."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from report import labels
from ui import state
from ui.common import BAND_DRAWS, band, fmt_prob, fmt_quantity, ind_label, is_count
from ui.i18n import lang, t

OVERSHOOT = 2.0  # a projection at least this many times its target is explained
STATUS_BG = {"met": "#dafbe1", "within_5pct": "#fff8c5", "short": "#ffebe9", "not_assessed": "#f6f8fa",
             "likely": "#dafbe1", "unlikely": "#ffebe9"}

sc = state.scenario()
proj = state.projection()
st.title(f"{t('page_targets')} · {getattr(sc, lang())}")
table = proj.attainment
if table.empty:
    st.info(t("no_targets"))
    st.stop()

# every target's chance from the headline's draws: a tier target's status is that chance (the
# scenario page's P(A)), not the central projection's tier
chances = band(state.text()).targets  # one row per plan target, in the scenario's order, as the table
if len(chances) != len(table):
    chances = pd.DataFrame({"probability": [float("nan")] * len(table)})
status = [("likely" if p >= 0.5 else "unlikely") if r.indicator == "tier" and pd.notna(p) else r.status
          for r, p in zip(table.itertuples(), chances["probability"])]
idx = table.attrs["index"]
assessed = [x for x in status if x != "not_assessed"]
c1, c2, c3 = st.columns(3)
c1.metric(t("targets_met"), f"{sum(x in ('met', 'likely') for x in assessed) / max(len(assessed), 1):.0%}")
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
    """A yearly growth: "+5.0%/年" / "+5.0% a year"."""
    return "—" if pd.isna(v) else labels.growth(v, lang()).replace(f"{v * 100:.1f}", f"{v * 100:+.1f}", 1)


def _target(r) -> str:
    """A target in its kind's format: a tier as "A 类", a count whole, a plan's words in the
    page's language (逐年增加: rises every year)."""
    if r.indicator == "tier":
        return t("tier_badge", tier=r.target)
    if r.kind == "growth":
        return f"{float(r.target):.1f}%"
    if r.kind in ("increase", "no_decrease"):
        return t("target_kind_" + r.kind)
    if isinstance(r.target, str):
        return labels.readable(r.target, lang()) if lang() != "zh" else r.target
    return fmt_quantity(r.indicator, r.target, projected=False)


def _projected(r) -> str:
    if r.indicator == "tier":
        return t("tier_badge", tier=r.projected) if isinstance(r.projected, str) else "—"
    if r.kind == "growth":
        return f"{r.projected:.1f}%"
    return fmt_quantity(r.indicator, r.projected)


rows = []
for r, p, stat in zip(table.itertuples(), chances["probability"], status):
    growth_kind = r.kind == "growth"
    rows.append({
        t("col_status"): t("status_" + stat),
        t("col_indicator"): _label(r) + (f" · {t('growth_target')}" if growth_kind else ""),
        t("col_year"): str(r.year),
        t("col_baseline"): "—" if r.indicator == "tier" else fmt_quantity(r.indicator, r.baseline, projected=False),
        t("col_projected"): _projected(r),
        t("col_target"): _target(r),
        t("col_probability"): fmt_prob(p),
        t("col_needed"): _pct(r.growth_needed),
        t("col_assumed"): _pct(r.growth_assumed),
        t("col_shortfall"): "—" if pd.isna(r.shortfall) else f"{r.shortfall:.1%}",
    })
frame = pd.DataFrame(rows)
colors = [STATUS_BG[s] for s in status]
styled = frame.style.apply(lambda col: [f"background-color: {c}" for c in colors], subset=[t("col_status")])
st.dataframe(styled, hide_index=True, key="targets_table", height=min(40 + 36 * len(rows), 900))
st.caption(t("targets_caption", base=sc.base_year))
st.caption(t("targets_probability_caption", n=BAND_DRAWS))
for r in table.itertuples():  # a status quo far beyond its own plan says why
    if r.kind == "level" and isinstance(r.projected, float) and float(r.target) > 0 \
            and r.projected >= OVERSHOOT * float(r.target) and sc.growth_profile:
        st.info(t("targets_overshoot", name=ind_label(r.indicator), year=r.year, times=f"{r.projected / float(r.target):.1f}",
                  window=sc.pace_window), icon=":material/trending_up:")
if any(is_count(q) for q in table["indicator"]):
    st.caption(t("expected_counts_caption"))
