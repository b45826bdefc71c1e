"""Chart builders: pure functions from frames to Altair charts (testable without a server).

Large labels and a CJK font so that a chart reads from the back of a meeting room.
Callers pass translated titles; nothing here reads the session.
"""
from __future__ import annotations

import altair as alt
import pandas as pd

FONT = "Noto Sans CJK SC, Noto Sans SC, Microsoft YaHei, PingFang SC, sans-serif"
TIER_COLORS = {"A": "#1a7f37", "B": "#bf8700", "C": "#cf222e"}
STATUS_COLORS = {"met": "#1a7f37", "within_5pct": "#bf8700", "short": "#cf222e", "not_assessed": "#8c959f"}


def style(chart: alt.TopLevelMixin, height: int | None = 320) -> alt.TopLevelMixin:
    """Fonts, sizes and a transparent background for projector use (``height`` in pixels;
    None for faceted charts, which size each panel)."""
    if height is not None and not isinstance(chart, alt.FacetChart):
        chart = chart.properties(height=height)
    return (chart
            .configure(font=FONT, background="transparent")
            .configure_axis(labelFontSize=15, titleFontSize=16, labelFont=FONT, titleFont=FONT)
            .configure_legend(labelFontSize=15, titleFontSize=15, labelFont=FONT, titleFont=FONT)
            .configure_title(fontSize=18, font=FONT, anchor="start")
            .configure_header(labelFontSize=15, titleFontSize=15, labelFont=FONT, titleFont=FONT)
            .configure_view(strokeWidth=0))


def _tier_rules(lines: dict[str, float], y_title: str) -> alt.Chart:
    df = pd.DataFrame({"y": list(lines.values()), "label": list(lines)})
    rule = alt.Chart(df).mark_rule(strokeDash=[6, 4], color="#57606a").encode(y=alt.Y("y:Q", title=y_title))
    text = alt.Chart(df).mark_text(align="left", dx=4, dy=-8, fontSize=14, color="#57606a").encode(
        y="y:Q", x=alt.value(2), text="label:N")
    return rule + text


def score_path(frame: pd.DataFrame, titles: dict, lines: dict[str, float]) -> alt.LayerChart:
    """Median score by year with the P10-P90 band. ``frame``: year, P10, P50, P90, series (the
    scenario first, then the status quo; the first is drawn dark with its band, the second as a
    light dashed median line, whatever their names sort to)."""
    series = list(dict.fromkeys(frame["series"]))
    x = alt.X("year:O", title=titles["year"], axis=alt.Axis(labelAngle=0))
    y_scale = alt.Scale(domain=[max(0, min(40, float(frame["P10"].min()) - 5)), 100])
    color = alt.Color("series:N", title=None, legend=alt.Legend(orient="bottom"),
                      scale=alt.Scale(domain=series, range=["#0969da", "#8c959f"][:len(series)]))
    tooltip = ["year:O", "series:N", alt.Tooltip("P50:Q", format=".1f", title=titles["median"]),
               alt.Tooltip("P10:Q", format=".1f"), alt.Tooltip("P90:Q", format=".1f")]
    first = frame[frame["series"] == series[0]]
    band = alt.Chart(first).mark_area(opacity=0.2, color="#0969da").encode(
        x=x, y=alt.Y("P10:Q", title=titles["score"], scale=y_scale), y2="P90:Q", tooltip=tooltip)
    med = alt.Chart(frame).mark_line(point=alt.OverlayMarkDef(size=70), strokeWidth=3).encode(
        x=x, y=alt.Y("P50:Q", scale=y_scale), color=color,
        strokeDash=alt.StrokeDash("series:N", legend=None, scale=alt.Scale(domain=series, range=[[1, 0], [6, 4]])),
        tooltip=tooltip)
    return band + med + _tier_rules(lines, titles["score"])


def group_breakdown(frame: pd.DataFrame, titles: dict) -> alt.LayerChart:
    """Earned against maximum points per group. ``frame``: group, earned, max."""
    y = alt.Y("group:N", title=None, sort=None)
    bg = alt.Chart(frame).mark_bar(color="#d0d7de", size=26).encode(
        x=alt.X("max:Q", title=titles["points"]), y=y)
    fg = alt.Chart(frame).mark_bar(color="#0969da", size=26).encode(
        x="earned:Q", y=y, tooltip=["group:N", alt.Tooltip("earned:Q", format=".1f"), "max:Q"])
    label = alt.Chart(frame).mark_text(align="left", dx=6, fontSize=15).encode(
        x="max:Q", y=y, text=alt.Text("label:N"))
    return bg + fg + label


def small_multiples(frame: pd.DataFrame, targets: pd.DataFrame, titles: dict, columns: int = 3) -> alt.FacetChart:
    """Key indicators by year, one panel each, with their targets as points.

    ``frame``: indicator, year, value; ``targets``: indicator, year, target."""
    line = alt.Chart().mark_line(strokeWidth=3, point=True).encode(
        x=alt.X("year:O", title=None, axis=alt.Axis(labelAngle=0)),
        y=alt.Y("value:Q", title=None, scale=alt.Scale(zero=False)),
        tooltip=["indicator:N", "year:O", alt.Tooltip("label:N", title=titles["value"])])
    tgt = alt.Chart().mark_point(shape="diamond", size=160, filled=True, color="#cf222e").encode(
        x="year:O", y="target:Q", tooltip=[alt.Tooltip("target:Q", title=titles["target"], format=",.2f")])
    data = pd.concat([frame, targets], ignore_index=True)
    return alt.layer(line, tgt, data=data).properties(width=230, height=150).facet(
        facet=alt.Facet("indicator:N", title=None, header=alt.Header(labelFontSize=15)),
        columns=columns).resolve_scale(y="independent")


def allocation_bars(frame: pd.DataFrame, titles: dict) -> alt.Chart:
    """Side-by-side spending per program. ``frame``: program, series, value (万元/年)."""
    return alt.Chart(frame).mark_bar().encode(
        y=alt.Y("program:N", title=None, sort=None),
        x=alt.X("value:Q", title=titles["wan"]),
        color=alt.Color("series:N", title=None, legend=alt.Legend(orient="bottom")),
        yOffset="series:N",
        tooltip=["program:N", "series:N", alt.Tooltip("value:Q", format=",.0f")])


def frontier(frame: pd.DataFrame, titles: dict, lines: dict[str, float], marks: pd.DataFrame | None = None) -> alt.LayerChart:
    """Best objective against the yearly budget, with tier lines and marked budgets.

    ``frame``: budget, best; ``marks``: budget, best, label (e.g. current, minimum for tier A)."""
    line = alt.Chart(frame).mark_line(strokeWidth=3, point=True).encode(
        x=alt.X("budget:Q", title=titles["budget"]),
        y=alt.Y("best:Q", title=titles["score"], scale=alt.Scale(zero=False)),
        tooltip=[alt.Tooltip("budget:Q", format=",.0f"), alt.Tooltip("best:Q", format=".1f")])
    layers = line + _tier_rules(lines, titles["score"]) if lines else line
    if marks is not None and len(marks):
        pts = alt.Chart(marks).mark_point(size=220, filled=True, color="#cf222e").encode(
            x="budget:Q", y="best:Q", tooltip=["label:N", alt.Tooltip("budget:Q", format=",.0f")])
        txt = alt.Chart(marks).mark_text(dy=-18, fontSize=15, color="#cf222e").encode(
            x="budget:Q", y="best:Q", text="label:N")
        layers = layers + pts + txt
    return layers


def fan(frame: pd.DataFrame, titles: dict, lines: dict[str, float]) -> alt.LayerChart:
    """P10–P90 band with the P50 line. ``frame``: year, P10, P50, P90."""
    base = alt.Chart(frame).encode(x=alt.X("year:O", title=titles["year"], axis=alt.Axis(labelAngle=0)))
    band = base.mark_area(opacity=0.25, color="#0969da").encode(
        y=alt.Y("P10:Q", title=titles["score"], scale=alt.Scale(zero=False)), y2="P90:Q",
        tooltip=["year:O", alt.Tooltip("P10:Q", format=".1f"), alt.Tooltip("P50:Q", format=".1f"),
                 alt.Tooltip("P90:Q", format=".1f")])
    mid = base.mark_line(strokeWidth=3, color="#0969da", point=True).encode(y="P50:Q")
    return band + mid + _tier_rules(lines, titles["score"]) if lines else band + mid


def tier_bars(frame: pd.DataFrame, titles: dict) -> alt.Chart:
    """Stacked probability of each tier by year. ``frame``: year, tier, probability."""
    return alt.Chart(frame).mark_bar().encode(
        x=alt.X("year:O", title=titles["year"], axis=alt.Axis(labelAngle=0)),
        y=alt.Y("probability:Q", title=titles["probability"], axis=alt.Axis(format="%"), stack="normalize"),
        color=alt.Color("tier:N", title=None, scale=alt.Scale(domain=list(TIER_COLORS),
                                                              range=list(TIER_COLORS.values()))),
        tooltip=["year:O", "tier:N", alt.Tooltip("probability:Q", format=".0%")])


def tornado(frame: pd.DataFrame, titles: dict, base: float) -> alt.LayerChart:
    """One-at-a-time swings about the base. ``frame``: parameter, at_low, at_high."""
    long = pd.concat([frame.assign(end=titles["low"], value=frame["at_low"]),
                      frame.assign(end=titles["high"], value=frame["at_high"])])
    order = list(frame["parameter"])
    bars = alt.Chart(long).mark_bar(size=18).encode(
        y=alt.Y("parameter:N", sort=order, title=None, axis=alt.Axis(labelLimit=360)),
        x=alt.X("value:Q", title=titles["score"], scale=alt.Scale(zero=False)),
        x2=alt.datum(base), color=alt.Color("end:N", title=None, legend=alt.Legend(orient="bottom")),
        tooltip=["parameter:N", "end:N", alt.Tooltip("value:Q", format=".1f")])
    rule = alt.Chart(pd.DataFrame({"x": [base]})).mark_rule(color="#57606a").encode(x="x:Q")
    return bars + rule


def grouped_bars(frame: pd.DataFrame, titles: dict) -> alt.Chart:
    """Side-by-side bars of several series per category (e.g. scenarios' group points).

    ``frame``: category, series, value; ``titles``: ``value`` (the y axis)."""
    return alt.Chart(frame).mark_bar().encode(
        x=alt.X("category:N", title=None, sort=None, axis=alt.Axis(labelAngle=0, labelLimit=220)),
        y=alt.Y("value:Q", title=titles["value"]),
        color=alt.Color("series:N", title=None, sort=None, legend=alt.Legend(orient="bottom", labelLimit=320)),
        xOffset=alt.XOffset("series:N", sort=None),
        tooltip=["category:N", "series:N", alt.Tooltip("value:Q", format=",.1f")])


def record_fit(frame: pd.DataFrame, titles: dict) -> alt.FacetChart:
    """Published figures (points) against the model (lines), one panel per measure.

    ``frame``: round, measure, series (the published series first), value."""
    series = list(dict.fromkeys(frame["series"]))
    color = alt.Color("series:N", title=None, legend=alt.Legend(orient="bottom"),
                      scale=alt.Scale(domain=series, range=["#cf222e", "#0969da"][:len(series)]))
    x = alt.X("round:O", title=titles["round"], axis=alt.Axis(labelAngle=-45))
    tip = ["measure:N", "round:O", "series:N", alt.Tooltip("value:Q", format=".1f")]
    line = alt.Chart().mark_line(strokeWidth=3).encode(
        x=x, y=alt.Y("value:Q", title=None, scale=alt.Scale(zero=False)), color=color, tooltip=tip
    ).transform_filter(alt.datum.series == series[-1])
    pts = alt.Chart().mark_point(size=120, filled=True).encode(
        x=x, y="value:Q", color=color, shape=alt.Shape("series:N", legend=None), tooltip=tip)
    return alt.layer(line, pts, data=frame).properties(width=330, height=220).facet(
        column=alt.Column("measure:N", title=None, header=alt.Header(labelFontSize=15))
    ).resolve_scale(y="independent")
