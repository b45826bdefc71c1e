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
import re

import altair as alt
import pandas as pd

FONT = "Noto Sans CJK SC, Noto Sans SC, Microsoft YaHei, PingFang SC, sans-serif"
TIER_COLORS = {"A": "#1a7f37", "B": "#bf8700", "C": "#cf222e"}
STATUS_COLORS = {"met": "#1a7f37", "within_5pct": "#bf8700", "short": "#cf222e", "not_assessed": "#8c959f"}
# series of scenarios or splits: blue, purple, teal, grey, never a tier's green, amber or red
SERIES_COLORS = ["#0969da", "#8250df", "#1b7c83", "#57606a"]


def style(chart: alt.TopLevelMixin, height: int | None = 320, scale: float = 1.0) -> alt.TopLevelMixin:
    """Fonts, sizes and a transparent background for a meeting room (``height`` in pixels;
    None for faceted charts, which size each panel; ``scale`` enlarges type and height, 1.4 in
    projector mode)."""
    if height is not None and isinstance(chart, alt.HConcatChart):  # each panel as high
        chart = alt.hconcat(*[c.properties(height=round(height * scale)) for c in chart.hconcat], **{
            k: v for k, v in chart.to_dict(validate=False).items() if k == "resolve"})
    elif height is not None and not isinstance(chart, alt.FacetChart):
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


_TOKENS = re.compile("[(\uff08][^)\uff09]*[)\uff09]\\s*|[^\\s(\uff08]+\\s*|\\s+")


def _tokens(text: str) -> list[str]:
    """Pieces a line may break between: words (where there are spaces) or single characters
    (Chinese), a bracketed unit such as "(亿元)" or "(10k yuan)" always one piece."""
    out = []
    for piece in _TOKENS.findall(text):
        if piece[0] in "(\uff08" or " " in text:
            out.append(piece)
        else:
            out += list(piece)
    return out


def wrap(text: str, width: int) -> str:
    """A title on lines of about ``width`` characters, never cut: words kept whole where there
    are spaces, Chinese broken between characters, a bracketed unit never broken ("(亿元)" stays
    on one line; only a bracket longer than a line breaks, at its spaces). Facet headers and
    titles split it at newlines."""
    lines, line = [], ""
    tokens = []
    for tok in _tokens(text):  # a bracket longer than a line ("(incl. Xingchuang Tiandi)") breaks at its spaces
        tokens += re.findall(r"\S+\s*", tok) if len(tok.strip()) > width and " " in tok.strip() else [tok]
    for tok in tokens:
        if line.strip() and len((line + tok).rstrip()) > width:
            lines.append(line.rstrip())
            line = tok.lstrip()
        else:
            line += tok
    if line.strip():
        lines.append(line.rstrip())
    return "\n".join(lines) or text


def tip(field: str, title: str, fmt: str | None = None) -> alt.Tooltip:
    """A tooltip row named in the page's language (never the raw field name)."""
    return alt.Tooltip(field, title=title, format=fmt) if fmt else alt.Tooltip(field, title=title)


def title_lines(text: str, width: int) -> alt.Title:
    """A chart title wrapped onto lines (see :func:`wrap`), never cut."""
    return alt.Title(wrap(text, width).split("\n"), anchor="start")


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


def _line_legend() -> alt.Legend:
    """A legend whose marks are short lines (a line chart's series), not blobs."""
    return alt.Legend(orient="bottom", symbolType="stroke", symbolStrokeWidth=3, symbolSize=300, labelLimit=0)


def score_path(frame, titles: dict, lines: dict[str, float], series: list[str] | None = None,
               y_min: float | None = None) -> alt.LayerChart:
    """Median score by year with the band eight outcomes in ten fall in. ``frame``: year, P10,
    P50, P90, series (the scenario first, then the status quo; the first is drawn dark with its
    band, the second as a light dashed median line, whatever their names sort to); or a
    dataset's name, with ``series`` and ``y_min`` given. ``titles``: year, score, series, median,
    low, high (the tooltip's rows)."""
    if series is None:
        series = list(dict.fromkeys(frame["series"]))
    if y_min is None:
        y_min = score_floor(frame)
    frame = _source(frame)
    x = alt.X("year:O", title=titles["year"], axis=alt.Axis(labelAngle=0))
    y_scale = alt.Scale(domain=[y_min, 100])
    color = alt.Color("series:N", title=None, legend=_line_legend(),
                      scale=alt.Scale(domain=series, range=["#0969da", "#8c959f"][:len(series)]))
    tooltip = [tip("year:O", titles["year"]), tip("series:N", titles["series"]),
               tip("P50:Q", titles["median"], ".1f"), tip("P10:Q", titles["low"], ".1f"),
               tip("P90:Q", titles["high"], ".1f")]
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
    dataset's name); ``titles``: points (the axis), group, earned, max."""
    frame = _source(frame)
    y = alt.Y("group:N", title=None, sort=None, axis=alt.Axis(labelLimit=0))
    tooltip = [tip("group:N", titles["group"]), tip("earned:Q", titles["earned"], ".1f"),
               tip("max:Q", titles["max"], ".0f")]
    bg = alt.Chart(frame).mark_bar(color="#d0d7de", size=26).encode(
        x=alt.X("max:Q", title=titles["points"]), y=y, tooltip=tooltip)
    fg = alt.Chart(frame).mark_bar(color="#0969da", size=26).encode(x="earned:Q", y=y, tooltip=tooltip)
    label = alt.Chart(frame).mark_text(align="left", dx=6, fontSize=15).encode(
        x="max:Q", y=y, text=alt.Text("label:N"))
    return bg + fg + label


def indicator_panel(frame, titles: dict, title: str) -> alt.LayerChart:
    """One key indicator by year (a line through history and projection) with its plan targets
    as diamonds, titled with its name and unit on as many lines as it needs; as wide as its
    column. ``frame`` (or a dataset's name): year, value, label for the values and year, target
    for the targets (the other columns empty); ``titles``: year, value, target."""
    x = alt.X("year:O", title=None, axis=alt.Axis(labelAngle=0, labelOverlap=True))
    line = alt.Chart().mark_line(strokeWidth=3, point=True).encode(
        x=x, y=alt.Y("value:Q", title=None, scale=alt.Scale(zero=False)),
        tooltip=[tip("year:O", titles["year"]), tip("label:N", titles["value"])]
    ).transform_filter("isValid(datum.value)")
    tgt = alt.Chart().mark_point(shape="diamond", size=160, filled=True, color="#cf222e").encode(
        x=x, y="target:Q", tooltip=[tip("year:O", titles["year"]), tip("target:Q", titles["target"], ",.4~f")]
    ).transform_filter("isValid(datum.target)")
    return alt.layer(line, tgt, data=_source(frame)).properties(
        title=alt.Title(title.split("\n"), anchor="start", fontWeight="normal", limit=0),  # sized by style()
        width="container")


def allocation_bars(frame: pd.DataFrame, titles: dict) -> alt.Chart:
    """Side-by-side spending per program. ``frame``: program, series, value (万元/年);
    ``titles``: wan (the axis), program, series."""
    series = list(dict.fromkeys(frame["series"]))
    return alt.Chart(frame).mark_bar().encode(
        y=alt.Y("program:N", title=None, sort=None, axis=alt.Axis(labelLimit=0)),
        x=alt.X("value:Q", title=titles["wan"]),
        color=alt.Color("series:N", title=None, sort=series, legend=alt.Legend(orient="bottom", labelLimit=0),
                        scale=alt.Scale(domain=series, range=SERIES_COLORS[:len(series)])),
        yOffset=alt.YOffset("series:N", sort=series),
        tooltip=[tip("program:N", titles["program"]), tip("series:N", titles["series"]),
                 tip("value:Q", titles["wan"], ",.0f")])


def frontier(frame: pd.DataFrame, titles: dict, lines: dict[str, float], marks: pd.DataFrame | None = None) -> alt.LayerChart:
    """Best objective against the yearly budget, with tier lines and marked budgets.

    ``frame``: budget, best; ``marks``: budget, best, label (e.g. current, minimum for tier A);
    ``titles``: budget, score."""
    line = alt.Chart(frame).mark_line(strokeWidth=3, point=True).encode(
        x=alt.X("budget:Q", title=titles["budget"]),
        y=alt.Y("best:Q", title=titles["score"], scale=alt.Scale(zero=False)),
        tooltip=[tip("budget:Q", titles["budget"], ",.0f"), tip("best:Q", titles["score"], ".1f")])
    layers = line + _tier_rules(lines, titles["score"]) if lines else line
    if marks is not None and len(marks):
        pts = alt.Chart(marks).mark_point(size=220, filled=True, color=SERIES_COLORS[1]).encode(
            x="budget:Q", y="best:Q", tooltip=[tip("label:N", " "), tip("budget:Q", titles["budget"], ",.0f")])
        txt = alt.Chart(marks).mark_text(dy=-18, fontSize=15, color=SERIES_COLORS[1]).encode(
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
        x=x, y=y, tooltip=[tip("spend:Q", titles["spend"], ",.0f"), tip("value:Q", titles["value"], ".1f")]
    ).transform_filter("datum.inside")
    marks = alt.Chart().mark_point(size=150, filled=True, opacity=1).encode(
        x=x, y=y, shape=alt.Shape("mark:N", title=None, sort=titles["marks"], legend=alt.Legend(orient="top")),
        color=alt.Color("mark:N", title=None, sort=titles["marks"], legend=alt.Legend(orient="top", labelLimit=0),
                        scale=alt.Scale(domain=titles["marks"], range=["#57606a", "#0969da"])),
        tooltip=[tip("mark:N", " "), tip("spend:Q", titles["spend"], ",.0f"), tip("value:Q", titles["value"], ".1f")]
    ).transform_filter("datum.kind !== ''")
    return alt.layer(dashed, solid, marks, data=frame).properties(width=width, height=140).facet(
        facet=alt.Facet("program:N", title=None, sort=list(dict.fromkeys(frame["program"])), header=HEADER),
        columns=columns).resolve_scale(x="independent")


def fan(frame: pd.DataFrame, titles: dict, lines: dict[str, float]) -> alt.LayerChart:
    """The band eight outcomes in ten fall in, with the middle line. ``frame``: year, P10, P50,
    P90; ``titles``: year, score, median, low, high."""
    base = alt.Chart(frame).encode(x=alt.X("year:O", title=titles["year"], axis=alt.Axis(labelAngle=0)))
    tooltip = [tip("year:O", titles["year"]), tip("P10:Q", titles["low"], ".1f"),
               tip("P50:Q", titles["median"], ".1f"), tip("P90:Q", titles["high"], ".1f")]
    band = base.mark_area(opacity=0.25, color="#0969da").encode(
        y=alt.Y("P10:Q", title=titles["score"], scale=alt.Scale(zero=False)), y2="P90:Q", tooltip=tooltip)
    mid = base.mark_line(strokeWidth=3, color="#0969da", point=True).encode(y="P50:Q", tooltip=tooltip)
    return band + mid + _tier_rules(lines, titles["score"]) if lines else band + mid


def tier_bars(frame: pd.DataFrame, titles: dict) -> alt.Chart:
    """Stacked probability of each tier by year. ``frame``: year, tier, probability;
    ``titles``: year, probability, tier."""
    return alt.Chart(frame).mark_bar().encode(
        x=alt.X("year:O", title=titles["year"], axis=alt.Axis(labelAngle=0)),
        y=alt.Y("probability:Q", title=titles["probability"], axis=alt.Axis(format="%"), stack="normalize"),
        color=alt.Color("tier:N", title=None, scale=alt.Scale(domain=list(TIER_COLORS),
                                                              range=list(TIER_COLORS.values()))),
        tooltip=[tip("year:O", titles["year"]), tip("tier:N", titles["tier"]),
                 tip("probability:Q", titles["probability"], ".0%")])


def tornado(frame: pd.DataFrame, titles: dict, base: float, width: int = 28) -> alt.LayerChart:
    """One-at-a-time swings about the base. ``frame``: parameter, at_low, at_high; labels are
    wrapped onto lines of about ``width`` characters, never cut; ``titles``: low, high, score,
    parameter, end."""
    long = pd.concat([frame.assign(end=titles["low"], value=frame["at_low"]),
                      frame.assign(end=titles["high"], value=frame["at_high"])])
    long["parameter"] = [wrap(p, width) for p in long["parameter"]]
    order = [wrap(p, width) for p in frame["parameter"]]
    bars = alt.Chart(long).mark_bar(size=18).encode(
        y=alt.Y("parameter:N", sort=order, title=None,
                axis=alt.Axis(labelLimit=0, labelExpr="split(datum.label, '\\n')")),
        x=alt.X("value:Q", title=titles["score"], scale=alt.Scale(zero=False)),
        x2=alt.datum(base), color=alt.Color("end:N", title=None, legend=alt.Legend(orient="bottom", labelLimit=0),
                                            scale=alt.Scale(domain=[titles["low"], titles["high"]],
                                                            range=["#8c959f", "#0969da"])),
        tooltip=[tip("parameter:N", titles["parameter"]), tip("end:N", titles["end"]),
                 tip("value:Q", titles["score"], ".1f")])
    rule = alt.Chart(pd.DataFrame({"x": [base]})).mark_rule(color="#57606a").encode(x="x:Q")
    return bars + rule


def grouped_bars(frame: pd.DataFrame, titles: dict) -> alt.Chart:
    """Side-by-side bars of several series per category (e.g. scenarios' group points), in the
    series colours (never a tier's). ``frame``: category, series, value; ``titles``: ``value``
    (the y axis), category, series; ``fmt`` (optional): the value's format."""
    series = list(dict.fromkeys(frame["series"]))
    fmt = titles.get("fmt", ",.1f")
    return alt.Chart(frame).mark_bar().encode(
        x=alt.X("category:N", title=None, sort=None,
                axis=alt.Axis(labelAngle=0, labelLimit=0, labelExpr="split(datum.label, '\\n')")),
        y=alt.Y("value:Q", title=titles["value"]),
        color=alt.Color("series:N", title=None, sort=series, legend=alt.Legend(orient="bottom", labelLimit=0,
                                                                             columns=1),
                        scale=alt.Scale(domain=series, range=SERIES_COLORS[:len(series)])),
        xOffset=alt.XOffset("series:N", sort=series),
        tooltip=[tip("category:N", titles["category"]), tip("series:N", titles["series"]),
                 tip("value:Q", titles["value"], fmt)])


def score_panels(groups: pd.DataFrame, total: pd.DataFrame, titles: dict) -> alt.HConcatChart:
    """Scenarios' points by group (0–25) and their totals (0–100) side by side, each panel on
    its own axis and titled, one legend: ``groups`` and ``total`` as :func:`grouped_bars`
    takes them; ``titles``: value, category, series, groups, total (the panels' titles)."""
    left = grouped_bars(groups, titles).properties(title=titles["groups"], width=430)
    right = grouped_bars(total, titles).properties(title=titles["total"], width=110)
    return alt.hconcat(left, right).resolve_scale(y="independent")


def record_fit(frame: pd.DataFrame, titles: dict) -> alt.FacetChart:
    """Published figures (points) against the model (lines), one panel per measure.

    ``frame``: round, measure, series (the published series first), value; ``titles``: round,
    measure, series, value."""
    series = list(dict.fromkeys(frame["series"]))
    color = alt.Color("series:N", title=None, legend=alt.Legend(orient="bottom", labelLimit=0),
                      scale=alt.Scale(domain=series, range=["#57606a", "#0969da"][:len(series)]))
    x = alt.X("round:O", title=titles["round"], axis=alt.Axis(labelAngle=-45))
    tips = [tip("measure:N", titles["measure"]), tip("round:O", titles["round"]), tip("series:N", titles["series"]),
            tip("value:Q", titles["value"], ".1f")]
    line = alt.Chart().mark_line(strokeWidth=3).encode(
        x=x, y=alt.Y("value:Q", title=None, scale=alt.Scale(zero=False)), color=color, tooltip=tips
    ).transform_filter(alt.datum.series == series[-1])
    pts = alt.Chart().mark_point(size=120, filled=True).encode(
        x=x, y="value:Q", color=color, shape=alt.Shape("series:N", legend=None), tooltip=tips)
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


def county_map(features: list[dict], titles: dict, width: int = 520, height: int = 460, font: int = 14) -> alt.Chart:
    """Counties coloured by tier (GeoJSON features whose properties hold name, short (the map
    label), tier, score, lon, lat (the label's place), dx, dy (its offset in pixels)), with
    their names on a white halo, legible on every tier's colour. ``titles``: tier (legend
    title), score, county."""
    data = alt.Data(values=features)
    tiers = list(TIER_COLORS)
    shapes = alt.Chart(data).mark_geoshape(stroke="white", strokeWidth=1.5).encode(
        color=alt.Color("properties.tier:N", title=titles["tier"], scale=alt.Scale(
            domain=tiers, range=[TIER_COLORS[t] for t in tiers]), legend=alt.Legend(orient="top")),
        tooltip=[tip("properties.name:N", titles["county"]), tip("properties.score:Q", titles["score"], ".1f"),
                 tip("properties.tier:N", titles["tier"])])
    where = {"longitude": "properties.lon:Q", "latitude": "properties.lat:Q", "text": "properties.short:N",
             "xOffset": "properties.dx:Q", "yOffset": "properties.dy:Q"}
    halo = alt.Chart(data).mark_text(fontSize=font, fontWeight="bold", color="white", stroke="white",
                                     strokeWidth=4, strokeJoin="round").encode(**where)
    names = alt.Chart(data).mark_text(fontSize=font, fontWeight="bold", color="#1f2328").encode(**where)
    return alt.layer(shapes, halo, names).project(type="mercator").properties(width=width, height=height)


def tier_ladder(frame: pd.DataFrame, titles: dict) -> alt.LayerChart:
    """Counties ranked by score in one round, coloured by tier, with where each stood in the
    previous round. ``frame``: county, score, previous, tier, label; ``titles``: score,
    previous, tier, county."""
    order = list(frame.sort_values("score", ascending=False)["county"])
    y = alt.Y("county:N", sort=order, title=None, axis=alt.Axis(labelOverlap=False, labelLimit=0))
    tiers = list(TIER_COLORS)
    move = alt.Chart(frame).mark_rule(color="#8c959f", strokeWidth=2).encode(
        y=y, x=alt.X("previous:Q", title=titles["score"], scale=alt.Scale(zero=False)), x2="score:Q")
    before = alt.Chart(frame).mark_point(size=80, color="#8c959f").encode(
        y=y, x="previous:Q", tooltip=[tip("county:N", titles["county"]),
                                      tip("previous:Q", titles["previous"], ".1f")])
    now = alt.Chart(frame).mark_circle(size=220, opacity=1).encode(
        y=y, x="score:Q", color=alt.Color("tier:N", title=titles["tier"], scale=alt.Scale(
            domain=tiers, range=[TIER_COLORS[t] for t in tiers]), legend=alt.Legend(orient="top")),
        tooltip=[tip("county:N", titles["county"]), tip("score:Q", titles["score"], ".1f"),
                 tip("tier:N", titles["tier"])])
    text = alt.Chart(frame).mark_text(align="left", dx=12, fontSize=13).encode(y=y, x="score:Q", text="label:N")
    lines = pd.DataFrame({"x": [60.0, 80.0]})
    rules = alt.Chart(lines).mark_rule(strokeDash=[6, 4], color="#57606a").encode(x="x:Q")
    return alt.layer(rules, move, before, now, text)
