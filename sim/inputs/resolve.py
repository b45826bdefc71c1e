"""A preset document resolved: the baseline of one year from what the seed gives, the plan's
targets, a region's own values, and a baseline re-derived after an edit.

Resolution fills the model's baseline from what the seed gives:
* a ratio with one part known gives the other part (``D = scale * N / R``, ``N = R * D / scale``);
* a sum with all parts but one known gives the last part (``fiscal_other`` = fiscal S&T spending
  minus the programs' status-quo spending);
* a ratio whose parts and value are all given keeps the seed's value with a calibration factor
  ``k = R / (scale * N / D)`` (statistical definitions differ), reported in provenance;
* anything else the model needs must be in the preset, as a seed figure or a flagged assumption.
Assumed values hold for every year of the preset unless given for that year.
"""
from __future__ import annotations

from typing import Iterable

from sim.files.errors import InputError
from sim.model.catalog import Catalog, closure, load_catalog
from sim.model.rubric import load_rubric
from sim.model.scenario import Provenance, Scenario, Target

MONEY = {("亿元", "万元"): 1e4, ("万元", "亿元"): 1e-4}
COUNTS = {"家", "个", "项", "件", "所", "名"}  # counting words: the same unit


def convert_unit(value: float, unit: str, target_unit: str, where: str) -> float:
    """``value`` in ``unit`` expressed in ``target_unit``: money between 亿元 and 万元 (x 1e4), the
    same number for the same unit, no unit or counting words (家, 个, ...); else ValueError
    naming ``where``."""
    if not unit or unit == target_unit or not target_unit or {unit, target_unit} <= COUNTS:
        return value
    if (unit, target_unit) in MONEY:
        return value * MONEY[(unit, target_unit)]
    raise ValueError(f"{where}: unit {unit!r} cannot be converted to {target_unit!r}")


def needed_quantities(cat: Catalog, start: Iterable[str]) -> list[str]:
    """The quantities a preset must give or derive: the closure of its indicators' inputs,
    plus the capacity pools of the programs that act on them."""
    needed = closure(cat, start)
    for p in cat.programs:
        for e in p.effects:
            if any(t in needed for t in e.targets) and e.capacity_of not in needed:
                needed += [q for q in closure(cat, [e.capacity_of]) if q not in needed]
    return needed


def _name(cat: Catalog, q: str, lang: str) -> str:
    if q == "programs":
        return "七类项目当年投入" if lang == "zh" else "the seven programs' spending"
    ind = cat.indicators.get(q)
    return getattr(ind, lang) if ind is not None else q


def _derived(cat: Catalog, template: str, parts: tuple[str, ...]) -> Provenance:
    """A derived value's provenance: the formula with the quantities' names, in both languages."""
    en = template.format(*(_name(cat, q, "en") for q in parts))
    zh = template.format(*(_name(cat, q, "zh") for q in parts))
    return Provenance("derived", en, tuple(parts), zh)


def _resolve(cat: Catalog, needed: list[str], given: dict[str, float], programs_total: float,
             prov: dict[str, Provenance]) -> tuple[dict[str, float], dict[str, float]]:
    """Fill ``needed`` quantities from ``given`` by the ratio and sum identities."""
    vals = dict(given)
    vals["programs"] = programs_total
    changed = True
    while changed:
        changed = False
        for q in needed:
            ind = cat.indicators[q]
            if ind.kind == "ratio":
                num, den = ind.inputs
                if q not in vals and num in vals and den in vals and vals[den] > 0:
                    vals[q] = ind.scale * vals[num] / vals[den]
                    prov[q] = _derived(cat, "{0} × %s ÷ {1}" % f"{ind.scale:g}", (num, den))
                    changed = True
                elif q in vals and num in vals and den not in vals and vals[q] > 0:
                    vals[den] = ind.scale * vals[num] / vals[q]
                    prov[den] = _derived(cat, "{0} × %s ÷ {1}" % f"{ind.scale:g}", (num, q))
                    changed = True
                elif q in vals and den in vals and num not in vals:
                    vals[num] = vals[q] * vals[den] / ind.scale
                    prov[num] = _derived(cat, "{0} × {1} ÷ %s" % f"{ind.scale:g}", (q, den))
                    changed = True
                elif q in vals and num not in vals and den not in vals and \
                        cat.indicators[den].kind == "sum" and num in cat.indicators[den].inputs:
                    rest = [p for p in cat.indicators[den].inputs if p != num]
                    share = vals[q] / ind.scale
                    if all(p in vals for p in rest) and share < 1:
                        vals[num] = share * sum(vals[p] for p in rest) / (1 - share)
                        prov[num] = _derived(cat, "{0} · " + " + ".join("{%d}" % (i + 1) for i in range(len(rest))),
                                             (q, *rest))
                        changed = True
            elif ind.kind == "sum":
                unknown = [p for p in ind.inputs if p not in vals]
                if q not in vals and not unknown:
                    vals[q] = sum(vals[p] for p in ind.inputs)
                    prov[q] = _derived(cat, " + ".join("{%d}" % i for i in range(len(ind.inputs))), tuple(ind.inputs))
                    changed = True
                elif q in vals and len(unknown) == 1:
                    rest = sum(vals[p] for p in ind.inputs if p != unknown[0])
                    vals[unknown[0]] = vals[q] - rest
                    others = tuple(p for p in ind.inputs if p != unknown[0])
                    prov[unknown[0]] = _derived(cat, "{0} − " + " − ".join("{%d}" % (i + 1) for i in range(len(others))),
                                                (q, *others))
                    if vals[unknown[0]] < 0:
                        raise ValueError(f"{unknown[0]} derives negative ({vals[unknown[0]]:g}): "
                                         f"its parts exceed {q}")
                    changed = True
    ratio_k = {}
    for q in needed:
        ind = cat.indicators[q]
        if ind.kind == "ratio" and q in given and all(p in vals for p in ind.inputs):
            num, den = ind.inputs
            model = ind.scale * vals[num] / vals[den] if vals[den] > 0 else 0.0
            k = given[q] / model if model and given[q] > 0 else 1.0  # a 0 (rounded) share keeps the model's
            if abs(k - 1) > 1e-9:
                ratio_k[q] = k
                old = prov.get(q, Provenance("seed"))
                prov[q] = Provenance(old.status, f"calibration factor k = {k:.4f}: the seed's {_name(cat, q, 'en')} "
                                     f"differs from {_name(cat, num, 'en')} / {_name(cat, den, 'en')}", old.parents,
                                     f"校准系数 k = {k:.4f}:种子文件的{_name(cat, q, 'zh')}与"
                                     f"{_name(cat, num, 'zh')} / {_name(cat, den, 'zh')}口径不同")
    vals.pop("programs")
    return vals, ratio_k


def resolve_year(doc: dict, year: int, cat: Catalog | None = None) -> tuple[dict, dict, dict, dict]:
    """Baseline of one actual year: (values, ratio_k, texts, provenance)."""
    cat = cat or load_catalog()
    meta = doc["preset"]
    rubric = load_rubric(meta["rubric"]) if meta.get("rubric") else None
    rcols = {c.id: c for c in rubric.columns} if rubric else {}
    given: dict[str, float] = {}
    texts: dict[str, object] = {}
    prov: dict[str, Provenance] = {}
    entries = [e for e in doc.get("values", []) if e["year"] == year]
    # assumptions given for another year hold for this one too, unless this year has its own
    have = {e["indicator"] for e in entries}
    entries += [e for e in doc.get("values", []) if e["year"] != year
                and e.get("status") == "assumption" and e["indicator"] not in have]
    for e in entries:
        q, v = e["indicator"], e["value"]
        status = Provenance(e.get("status", "seed"), e.get("note") or e.get("source", ""), (),
                            e.get("note_zh") or e.get("source", ""))
        col = rcols.get(q)
        if isinstance(v, str) or (col is not None and col.kind in ("category", "points")) or \
                (q in cat.indicators and cat.indicators[q].kind == "text"):
            texts[q] = v
        else:
            unit = cat.indicators[q].unit if q in cat.indicators else ""
            given[q] = convert_unit(float(v), e.get("unit", ""), unit, f"{meta['id']}:{q}")
        prov[q] = status
    spend_total = sum(p["spend"] for p in doc.get("programs", []))
    shown = shown_quantities(doc, cat)
    start = shown + [c for c in rcols if c in cat.indicators]
    if rubric is not None:  # the management items' points, which the projection moves (kind points)
        start += [q for q, ind in cat.indicators.items() if ind.kind == "points"]
    needed = needed_quantities(cat, start)
    vals, ratio_k = _resolve(cat, needed, given, spend_total, prov)
    if rubric is not None:
        for q, v in item_points(rubric, cat, vals, texts).items():
            vals[q] = v
            prov[q] = Provenance("derived", "the rubric's points of the baseline's columns", (),
                                 "按评价细则由基年各列计算的得分")
    missing = [q for q in needed if q not in vals and cat.indicators[q].kind != "text"]
    if missing:
        raise ValueError(f"preset {meta['id']} ({year}) lacks values for {missing}")
    for c in rcols.values():
        if c.kind in ("category", "points") and c.id not in texts:
            raise ValueError(f"preset {meta['id']} lacks the rubric column {c.id}")
    return {q: vals[q] for q in needed if q in vals}, ratio_k, texts, prov


def item_points(rubric, cat: Catalog, values: dict, texts: dict) -> dict[str, float]:
    """The points quantities (kind ``points``: the management items the projection moves) of a
    baseline: each item's points scored from its columns (``values`` numbers, ``texts``
    categories and assessed points)."""
    from sim.model.rubric import score

    cols = {c.id: texts.get(c.id, values.get(c.id, 0.0)) for c in rubric.columns}
    cols = {k: (v if isinstance(v, str) else float(v)) for k, v in cols.items()}
    items = score(rubric, cols).items
    return {q: float(items[ind.item]) for q, ind in cat.indicators.items() if ind.kind == "points"}


def shown_quantities(doc: dict, cat: Catalog) -> list[str]:
    out: list[str] = []
    for e in [*doc.get("values", []), *doc.get("targets", [])]:
        q = e["indicator"]
        if q in cat.indicators and q not in out:
            out.append(q)
    return out


def plan_targets(doc: dict, cat: Catalog) -> tuple[Target, ...]:
    meta = doc["preset"]
    out = []
    for e in doc.get("targets", []):
        q, v, kind = e["indicator"], e["value"], e.get("kind", "level")
        if kind == "level" and not isinstance(v, str):
            v = convert_unit(float(v), e.get("unit", ""), cat.indicators[q].unit if q in cat.indicators else "",
                         f"{meta['id']}:target {q}")
        out.append(Target(q, int(e["year"]), v, kind, float(e.get("weight", 1.0)), e.get("source", ""),
                          e.get("source_file", meta["source_file"]), e.get("note", "")))
    return tuple(out)


def with_region_values(doc: dict, values: dict, cat: Catalog | None = None, status: str = "user") -> dict:
    """A preset document whose base-year values are replaced by a region's own data.

    ``values``: rubric column or indicator id -> value (the template's units). The preset's
    baseline is first resolved; its independent quantities (not ratios, not sums) are kept as
    they were, except those the region's data decide: for a ratio the region gives with one of
    its parts, the other part is derived; with neither part, the numerator is derived and the
    preset's denominator (the region's size) kept. Sums are recomputed from their parts.
    """
    cat = cat or load_catalog()
    year = doc["preset"]["base_year"]
    resolved, _, texts, prov = resolve_year(doc, year, cat)
    given = set(values)
    drop = set(given)
    for q in given:
        ind = cat.indicators.get(q)
        if ind is not None and ind.kind == "sum":  # its derived part is derived again from the region's
            drop |= {p for p in ind.inputs if prov.get(p) is not None and prov[p].status == "derived"}
        if ind is not None and ind.kind == "ratio":
            num, den = ind.inputs
            if num in given and den not in given:
                _check_zero_ratio(cat, q, values)
                if _positive(values[q]):
                    drop.add(den)  # derived from the region's part and ratio
                # both 0: the whole (e.g. the public budget) cannot be derived: the preset's is kept
            elif num not in given:
                drop.add(num)
    keep = []
    for q, v in {**resolved, **texts}.items():
        kind = cat.indicators[q].kind if q in cat.indicators else ""
        if q in drop or kind in ("ratio", "sum"):
            continue
        p = prov.get(q)
        keep.append({"indicator": q, "year": year, "value": v,
                     "status": p.status if p else "derived", "note": p.detail if p else ""})
    history = [e for e in doc.get("values", []) if e["year"] != year]
    note = "region data / 本地数据" if status == "user" else "synthetic county / 合成县"
    new = [{"indicator": q, "year": year, "value": v, "status": status, "note": note} for q, v in values.items()]
    return {**doc, "values": history + keep + new}


def _check_zero_ratio(cat: Catalog, q: str, values: dict) -> None:
    """A ratio and its numerator must be both 0 or both positive (a share of 0% of 3,000万 cannot
    be; nor 0.8% of nothing): InputError naming both columns otherwise (e.g. a share rounded to
    0.0 as a yearbook prints it: give it with more decimals)."""
    num = cat.indicators[q].inputs[0]
    if _positive(values[q]) != _positive(values[num]):
        raise InputError("ratio_part_zero", ratio=_name(cat, q, "zh"), part=_name(cat, num, "zh"),
                         ratio_en=_name(cat, q, "en"), part_en=_name(cat, num, "en"),
                         ratio_value=f"{float(values[q]):g}", part_value=f"{float(values[num]):g}")


def _positive(v) -> bool:
    try:
        return float(v) > 0
    except (TypeError, ValueError):
        return False


def observed_indicators(doc: dict, base_year: int) -> tuple[str, ...]:
    """Indicators with seed figures both in the base year and in an earlier year."""
    seed = [(e["indicator"], e["year"]) for e in doc.get("values", []) if e.get("status", "seed") == "seed"
            and not isinstance(e["value"], str)]
    base = {q for q, y in seed if y == base_year}
    return tuple(dict.fromkeys(q for q, y in seed if y < base_year and q in base))


def rederive(sc: Scenario) -> Scenario:
    """Recompute the baseline's sums and ratios from their parts (after a user edits a part),
    keeping each ratio's calibration factor and upper bound, and the management items' points
    from their columns."""
    from sim.model.projection import same_year_order

    cat = load_catalog()
    base = dict(sc.base)
    if sc.rubric_id:
        base.update({q: v for q, v in item_points(load_rubric(sc.rubric_id), cat, base, dict(sc.management)).items()
                     if q in base})
    programs = sum(sc.status_quo.values())
    for q in same_year_order(tuple(base)):
        ind = cat.indicators[q]
        if ind.kind == "sum":
            base[q] = sum(programs if p == "programs" else base[p] for p in ind.inputs)
        elif ind.kind == "ratio":
            num, den = ind.inputs
            v = sc.ratio_k.get(q, 1.0) * ind.scale * base[num] / base[den] if base[den] > 0 else 0.0
            base[q] = min(v, ind.upper) if ind.upper is not None else v
    return sc.replace(base=base)
