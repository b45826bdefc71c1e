"""Chart builders: pure functions from frames to Altair charts (testable without a server).

Large labels and a CJK font so that a chart reads from the back of a meeting room (larger
still in projector mode: ``style(..., scale=1.4)``). Callers pass translated titles; nothing
here reads the session.

The scenario page redraws its charts on every slider move; building an Altair chart and
validating it costs about 80 ms, so those builders also accept the *name* of a dataset instead
of a frame: the page builds each chart's specification once (cached) and :func:`fill` puts the
new rows in (a few milliseconds).
"""
from __future__ import annotations

import math
import textwrap

import altair as alt
import pandas as pd

FONT = "Noto Sans CJK SC, Noto Sans SC, Microsoft YaHei, PingFang SC, sans-serif"
TIER_COLORS = {"A": "#1a7f37", "B": "#bf8700", "C": "#cf222e"}
STATUS_COLORS = {"met": "#1a7f37", "within_5pct": "#bf8700", "short": "#cf222e", "not_assessed": "#8c959f"}


def style(chart: alt.TopLevelMixin, height: int | None = 320, scale: float = 1.0) -> alt.TopLevelMixin:
    """Fonts, sizes and a transparent background for a meeting room (``height`` in pixels;
    None for faceted charts, which size each panel; ``scale`` enlarges type and height, 1.4 in
    projector mode)."""
    if height is not None and not isinstance(chart, alt.FacetChart):
        chart = chart.properties(height=round(height * scale))
    f = (lambda size: round(size * scale))
    return (chart
            .configure(font=FONT, background="transparent")
            .configure_axis(labelFontSize=f(15), titleFontSize=f(16), labelFont=FONT, titleFont=FONT, labelLimit=0)
            .configure_legend(labelFontSize=f(15), titleFontSize=f(15), labelFont=FONT, titleFont=FONT, labelLimit=0)
            .configure_title(fontSize=f(18), font=FONT, anchor="start", limit=0)
            .configure_header(labelFontSize=f(15), titleFontSize=f(15), labelFont=FONT, titleFont=FONT, labelLimit=0)
            .configure_text(fontSize=f(15))
            .configure_view(strokeWidth=0))


def wrap(text: str, width: int) -> str:
    """A panel title on lines of at most ``width`` characters (words kept whole where there are
    spaces; Chinese cut anywhere), at most two lines; the facet headers split it at newlines."""
    if " " in text:
        lines = textwrap.wrap(text, width) or [text]
    else:
        lines = [text[i:i + width] for i in range(0, len(text), width)] or [text]
    if len(lines) > 2:
        lines = [lines[0], " ".join(lines[1:]) if " " in text else "".join(lines[1:])]
        lines[1] = lines[1][:width - 1] + "…" if len(lines[1]) > width else lines[1]
    return "\n".join(lines)


HEADER = alt.Header(labelExpr="split(datum.label, '\\n')")


def _source(data):
    """A frame, or the name of a dataset :func:`fill` provides later."""
    return alt.NamedData(name=data) if isinstance(data, str) else data


def fill(spec: dict, **frames: pd.DataFrame) -> dict:
    """A chart specification built on named datasets (see the module doc) with those datasets
    (Streamlit sends each frame in Arrow form)."""
    out = dict(spec)
    out["datasets"] = {**spec.get("datasets", {}), **frames}
    return out


def _tier_rules(lines: dict[str, float], y_title: str) -> alt.Chart:
    df = pd.DataFrame({"y": list(lines.values()), "label": list(lines)})
    rule = alt.Chart(df).mark_rule(strokeDash=[6, 4], color="#57606a").encode(y=alt.Y("y:Q", title=y_title))
    text = alt.Chart(df).mark_text(align="left", dx=4, dy=-8, fontSize=14, color="#57606a").encode(
        y="y:Q", x=alt.value(2), text="label:N")
    return rule + text


def score_floor(frame: pd.DataFrame) -> float:
    """The score axis' lower end for a frame of P10 values: 40 or lower in steps of 10."""
    return float(max(0, min(40, 10 * math.floor((float(frame["P10"].min()) - 5) / 10))))


def score_path(frame, titles: dict, lines: dict[str, float], series: list[str] | None = None,
               y_min: float | None = None) -> alt.LayerChart:
    """Median score by year with the P10-P90 band. ``frame``: year, P10, P50, P90, series (the
    scenario first, then the status quo; the first is drawn dark with its band, the second as a
    light dashed median line, whatever their names sort to); or a dataset's name, with
    ``series`` and ``y_min`` given."""
    if series is None:
        series = list(dict.fromkeys(frame["series"]))
    if y_min is None:
        y_min = score_floor(frame)
    frame = _source(frame)
    x = alt.X("year:O", title=titles["year"], axis=alt.Axis(labelAngle=0))
    y_scale = alt.Scale(domain=[y_min, 100])
    color = alt.Color("series:N", title=None, legend=alt.Legend(orient="bottom"),
                      scale=alt.Scale(domain=series, range=["#0969da", "#8c959f"][:len(series)]))
    tooltip = ["year:O", "series:N", alt.Tooltip("P50:Q", format=".1f", title=titles["median"]),
               alt.Tooltip("P10:Q", format=".1f"), alt.Tooltip("P90:Q", format=".1f")]
    band = alt.Chart(frame).mark_area(opacity=0.2, color="#0969da").encode(
        x=x, y=alt.Y("P10:Q", title=titles["score"], scale=y_scale), y2="P90:Q", tooltip=tooltip
    ).transform_filter(alt.datum.series == series[0])
    med = alt.Chart(frame).mark_line(point=alt.OverlayMarkDef(size=70), strokeWidth=3).encode(
        x=x, y=alt.Y("P50:Q", scale=y_scale), color=color,
        strokeDash=alt.StrokeDash("series:N", legend=None, scale=alt.Scale(domain=series, range=[[1, 0], [6, 4]])),
        tooltip=tooltip)
    return band + med + _tier_rules(lines, titles["score"])


def group_breakdown(frame, titles: dict) -> alt.LayerChart:
    """Earned against maximum points per group. ``frame``: group, earned, max, label (or a
    dataset's name)."""
    frame = _source(frame)
    y = alt.Y("group:N", title=None, sort=None, axis=alt.Axis(labelLimit=0))
    bg = alt.Chart(frame).mark_bar(color="#d0d7de", size=26).encode(
        x=alt.X("max:Q", title=titles["points"]), y=y)
    fg = alt.Chart(frame).mark_bar(color="#0969da", size=26).encode(
        x="earned:Q", y=y, tooltip=["group:N", alt.Tooltip("earned:Q", format=".1f"), "max:Q"])
    label = alt.Chart(frame).mark_text(align="left", dx=6, fontSize=15).encode(
        x="max:Q", y=y, text=alt.Text("label:N"))
    return bg + fg + label


def small_multiples(frame, titles: dict, columns: int = 3, width: int = 150,
                    order: list[str] | None = None) -> alt.FacetChart:
    """Key indicators by year, one panel each (a line through every year, history and
    projection), with their targets as diamonds: one chart, so one redraw per move.

    ``frame`` (or a dataset's name): indicator, year, value, label for the values and
    indicator, year, target for the targets (the other columns empty). Panels are ``width``
    pixels wide, ``columns`` to a row (three fit a 1280-pixel screen's result column); a name
    goes on two lines where it holds a newline (see :func:`wrap`); ``order``: the panels' order
    (their names)."""
    x = alt.X("year:O", title=None, axis=alt.Axis(labelAngle=0, labelOverlap=True))
    line = alt.Chart().mark_line(strokeWidth=3, point=True).encode(
        x=x, y=alt.Y("value:Q", title=None, scale=alt.Scale(zero=False)),
        tooltip=["year:O", alt.Tooltip("label:N", title=titles["value"])]
    ).transform_filter("isValid(datum.value)")
    tgt = alt.Chart().mark_point(shape="diamond", size=160, filled=True, color="#cf222e").encode(
        x=x, y="target:Q", tooltip=["year:O", alt.Tooltip("target:Q", title=titles["target"], format=",.1f")]
    ).transform_filter("isValid(datum.target)")
    return alt.layer(line, tgt, data=_source(frame)).properties(width=width, height=130).facet(
        facet=alt.Facet("indicator:N", title=None, sort=order, header=HEADER),
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


def response_curves(frame: pd.DataFrame, titles: dict, columns: int = 4, width: int = 170) -> alt.FacetChart:
    """One panel per program: the objective in the target year against the program's yearly
    spending, solid within the program's bounds and dashed outside them, with the current and
    the optimal spending marked.

    ``frame``: program (its name, see :func:`wrap`), spend (万元 a year), value, inside (bool), mark ("" for a
    curve point, else the mark's label: current or optimal split), kind ("" / current / optimal).
    """
    x = alt.X("spend:Q", title=titles["spend"], axis=alt.Axis(format=",.0f", tickCount=4))
    y = alt.Y("value:Q", title=titles["value"], scale=alt.Scale(zero=False))
    curve = alt.Chart().transform_filter("datum.kind === ''")
    dashed = curve.mark_line(strokeWidth=2, strokeDash=[5, 4], color="#8c959f").encode(x=x, y=y)
    solid = curve.mark_line(strokeWidth=3, color="#0969da").encode(
        x=x, y=y, tooltip=[alt.Tooltip("spend:Q", title=titles["spend"], format=",.0f"),
                           alt.Tooltip("value:Q", title=titles["value"], format=".1f")]
    ).transform_filter("datum.inside")
    marks = alt.Chart().mark_point(size=150, filled=True, opacity=1).encode(
        x=x, y=y, shape=alt.Shape("mark:N", title=None, sort=titles["marks"], legend=alt.Legend(orient="top")),
        color=alt.Color("mark:N", title=None, sort=titles["marks"], legend=alt.Legend(orient="top"),
                        scale=alt.Scale(domain=titles["marks"], range=["#57606a", "#cf222e"])),
        tooltip=[alt.Tooltip("mark:N", title=" "), alt.Tooltip("spend:Q", title=titles["spend"], format=",.0f"),
                 alt.Tooltip("value:Q", title=titles["value"], format=".1f")]
    ).transform_filter("datum.kind !== ''")
    return alt.layer(dashed, solid, marks, data=frame).properties(width=width, height=140).facet(
        facet=alt.Facet("program:N", title=None, sort=list(dict.fromkeys(frame["program"])), header=HEADER),
        columns=columns).resolve_scale(x="independent")


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


def record_bands(frame: pd.DataFrame, titles: dict, columns: int = 2) -> alt.FacetChart:
    """The model's 80% band (area) and median (line) against the published figures (points), one
    panel per measure. ``frame``: round, measure, P10, P50, P90, published (NaN where none);
    ``titles``: round, band, median, published."""
    x = alt.X("round:O", title=titles["round"], axis=alt.Axis(labelAngle=-45))
    band = alt.Chart().mark_area(opacity=0.25, color="#0969da").encode(
        x=x, y=alt.Y("P10:Q", title=None, scale=alt.Scale(zero=False)), y2="P90:Q",
        tooltip=[alt.Tooltip("round:O", title=titles["round"]),
                 alt.Tooltip("P10:Q", title=titles["band"] + " ↓", format=".1f"),
                 alt.Tooltip("P90:Q", title=titles["band"] + " ↑", format=".1f")])
    median = alt.Chart().mark_line(strokeWidth=2.5, color="#0969da").encode(
        x=x, y="P50:Q", tooltip=[alt.Tooltip("P50:Q", title=titles["median"], format=".1f")])
    points = alt.Chart().mark_point(size=140, filled=True, color="#cf222e").encode(
        x=x, y="published:Q", tooltip=[alt.Tooltip("published:Q", title=titles["published"], format=".1f")]
    ).transform_filter("isValid(datum.published)")
    return alt.layer(band, median, points, data=frame).properties(width=300, height=190).facet(
        facet=alt.Facet("measure:N", title=None, header=HEADER, sort=list(dict.fromkeys(frame["measure"]))),
        columns=columns).resolve_scale(y="independent")


def county_map(features: list[dict], titles: dict, width: int = 520, height: int = 460) -> alt.Chart:
    """Counties coloured by tier (GeoJSON features whose properties hold name, short (the map
    label), tier, score, lon, lat), with their names. ``titles``: tier (legend title), score."""
    data = alt.Data(values=features)
    tiers = list(TIER_COLORS)
    shapes = alt.Chart(data).mark_geoshape(stroke="white", strokeWidth=1.5).encode(
        color=alt.Color("properties.tier:N", title=titles["tier"], scale=alt.Scale(
            domain=tiers, range=[TIER_COLORS[t] for t in tiers]), legend=alt.Legend(orient="top")),
        tooltip=[alt.Tooltip("properties.name:N", title=" "),
                 alt.Tooltip("properties.score:Q", title=titles["score"], format=".1f"),
                 alt.Tooltip("properties.tier:N", title=titles["tier"])])
    names = alt.Chart(data).mark_text(fontSize=13, fontWeight="bold", color="#1f2328").encode(
        longitude="properties.lon:Q", latitude="properties.lat:Q", text="properties.short:N")
    return alt.layer(shapes, names).project(type="mercator").properties(width=width, height=height)


def tier_ladder(frame: pd.DataFrame, titles: dict) -> alt.LayerChart:
    """Counties ranked by score in one round, coloured by tier, with where each stood in the
    previous round. ``frame``: county, score, previous, tier, label."""
    order = list(frame.sort_values("score", ascending=False)["county"])
    y = alt.Y("county:N", sort=order, title=None, axis=alt.Axis(labelOverlap=False))
    tiers = list(TIER_COLORS)
    move = alt.Chart(frame).mark_rule(color="#8c959f", strokeWidth=2).encode(
        y=y, x=alt.X("previous:Q", title=titles["score"], scale=alt.Scale(zero=False)), x2="score:Q")
    before = alt.Chart(frame).mark_point(size=80, color="#8c959f").encode(
        y=y, x="previous:Q", tooltip=[alt.Tooltip("previous:Q", title=titles["previous"], format=".1f")])
    now = alt.Chart(frame).mark_circle(size=220, opacity=1).encode(
        y=y, x="score:Q", color=alt.Color("tier:N", title=titles["tier"], scale=alt.Scale(
            domain=tiers, range=[TIER_COLORS[t] for t in tiers]), legend=alt.Legend(orient="top")),
        tooltip=["county:N", alt.Tooltip("score:Q", title=titles["score"], format=".1f"), "tier:N"])
    text = alt.Chart(frame).mark_text(align="left", dx=12, fontSize=13).encode(y=y, x="score:Q", text="label:N")
    lines = pd.DataFrame({"x": [60.0, 80.0]})
    rules = alt.Chart(lines).mark_rule(strokeDash=[6, 4], color="#57606a").encode(x="x:Q")
    return alt.layer(rules, move, before, now, text)
