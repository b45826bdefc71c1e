"""The scenario of a preset document (:func:`scenario_from_doc`): a ``data/presets/*.toml`` parsed, or
one built in memory for a county of a collection; its growth profile's rates and a region's own
status-quo program budget. The document's values are resolved by :mod:`.resolve`; a preset by its
id is :func:`sim.scenarios.presets.load_preset`.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass

from sim.files.datadir import DATA_DIR, read_toml
from sim.files.loaders import load_profile
from sim.model.catalog import GROWING, load_catalog
from sim.model.rubric import load_rubric
from sim.model.scenario import Provenance, Scenario

from .calibration import calibrate
from .resolve import observed_indicators, plan_targets, resolve_year, shown_quantities, with_region_values


PACE_GROUPS = ("pace", "hte", "intensity", "management")


@dataclass(frozen=True)
class ProfileRates:
    """A growth profile's rates for a scenario (see :func:`profile_rates`): growth and its
    ranges, parameters, their provenance; each pace-group rate's group, the groups' factors
    (``theta``), a county's own pace spread, the fit's window (last statistics year) and the
    default pace mode after it, the line effort and its reach, and the absolute rates (entry
    per pool unit of a population, yield per source unit of a pipeline) with their ranges."""

    growth: dict
    ranges: dict
    params: dict
    provenance: dict
    groups: dict
    theta: dict
    spread: float
    window: int
    mode: str
    effort: float = 0.0
    reach: float = 0.0
    rates: dict = None
    rate_ranges: dict = None


def profile_rates(profile_id: str, theta: dict | None = None) -> ProfileRates:
    """A growth profile's rates, each pace-group rate multiplied by its group's factor
    (``theta`` overrides the profile's posterior means, e.g. while fitting them)."""
    prof = load_profile(profile_id)
    theta = {**prof.get("theta", {}), **(theta or {})}
    name, name_zh = prof["profile"]["en"], prof["profile"]["zh"]
    growth, ranges, params, prov = {}, {}, {}, {}
    groups = {**{f"growth.{g['indicator']}": g["group"] for g in prof.get("growth", []) if g["group"] in PACE_GROUPS},
              **{f"param.{e['indicator']}": e["group"] for e in prof.get("param", []) if e["group"] in PACE_GROUPS},
              **{f"rate.{e['indicator']}": e["group"] for e in prof.get("rate", []) if e["group"] in PACE_GROUPS}}
    for g in prof.get("growth", []):
        f = float(theta.get(g["group"], 1.0))
        q = g["indicator"]
        growth[q] = f * g["rate"]
        ranges[q] = (f * g["low"], f * g["high"])
        status = "assumption" if g["group"] == "economy" else "calibrated"
        calibrated = status == "calibrated"
        prov[f"growth.{q}"] = Provenance(status, g["note"] + (f" Pace factor {f:.3g}: {name}." if calibrated else ""),
                                         (), g.get("note_zh", "") + (f" 速度系数 {f:.3g}:{name_zh}。" if calibrated
                                                                     and g.get("note_zh") else ""))
    for e in prof.get("param", []):
        f = float(theta.get(e["group"], 1.0))
        params[e["indicator"]] = f * e["value"]
        prov[f"param.{e['indicator']}"] = Provenance("calibrated", e["note"] + f" Pace factor {f:.3g}: {name}.", (),
                                                     e.get("note_zh", "") + (f" 速度系数 {f:.3g}:{name_zh}。"
                                                                            if e.get("note_zh") else ""))
    rates, rate_ranges = {}, {}
    for e in prof.get("rate", []):
        f = float(theta.get(e["group"], 1.0))
        rates[e["indicator"]] = f * e["value"]
        rate_ranges[e["indicator"]] = (f * e["low"], f * e["high"])
        prov[f"rate.{e['indicator']}"] = Provenance("calibrated", e["note"] + f" Pace factor {f:.3g}: {name}.", (),
                                                    e.get("note_zh", "") + f" 速度系数 {f:.3g}:{name_zh}。")
    window = prof.get("window", {})
    return ProfileRates(growth, ranges, params, prov, groups, {k: float(theta.get(k, 1.0)) for k in PACE_GROUPS},
                        float(theta.get("spread", 0.0)), int(window.get("last_year", 0)),
                        str(window.get("default_mode", "continue")), float(theta.get("effort", 0.0)),
                        float(prof.get("effort", {}).get("reach", 0.0)), rates, rate_ranges)


def scenario_from_doc(doc: dict, region_values: dict | None = None, region_name: str = "",
                      theta: dict | None = None, region_status: str = "user",
                      programs: dict[str, float] | None = None) -> Scenario:
    """A preset document (a ``data/presets/*.toml`` parsed, or one built in memory, e.g. a
    synthetic county) as a resolved :class:`Scenario`; ``theta``: pace factors of its growth
    profile to use instead of the stored ones; ``programs``: the region's own status-quo
    spending (万元 a year by program) instead of the preset's."""
    cat = load_catalog()
    preset_id = doc["preset"]["id"]
    if region_values:
        doc = with_region_values(doc, region_values, cat, region_status)
        if programs is None and "fiscal_st_spending" in region_values:  # the region's own program budget
            programs = own_programs(doc, float(region_values["fiscal_st_spending"]))
    if programs is not None:
        doc = {**doc, "programs": [{**p, "spend": float(programs[p["id"]])} for p in doc["programs"]]}
    meta = doc["preset"]
    base_year = int(meta["base_year"])
    base, ratio_k, texts, prov = resolve_year(doc, base_year, cat)
    growth = {q: cat.indicators[q].growth for q in base if cat.indicators[q].kind in GROWING}
    ranges, params, pace = {}, {}, {}
    if meta.get("growth_profile"):
        pr = profile_rates(meta["growth_profile"], theta)
        growth.update({q: v for q, v in pr.growth.items() if q in growth})
        ranges = {q: v for q, v in pr.ranges.items() if q in growth}
        params = {q: v for q, v in pr.params.items() if q in base}
        prov.update({k: v for k, v in pr.provenance.items() if k.split(".", 1)[1] in base})
        pace = dict(rates={q: v for q, v in pr.rates.items() if q in base},
                    rate_range={q: v for q, v in pr.rate_ranges.items() if q in base},
                    growth_profile=meta["growth_profile"], pace_theta=pr.theta, pace_spread=pr.spread,
                    pace_window=pr.window, pace_mode=pr.mode, line_effort=pr.effort, effort_reach=pr.reach,
                    pace_groups={k: g for k, g in pr.groups.items() if k.split(".", 1)[1] in base})
    for g in doc.get("growth", []):
        growth[g["indicator"]] = float(g["rate"])
        ranges.pop(g["indicator"], None)
        prov[f"growth.{g['indicator']}"] = Provenance(g.get("status", "assumption"),
                                                      g.get("note") or g.get("source", ""), (),
                                                      g.get("note_zh") or g.get("source", ""))
    plan = doc.get("plan_growth", {})
    status_quo = {p.id: 0.0 for p in cat.programs}
    for p in doc.get("programs", []):
        if p["id"] not in status_quo:
            raise ValueError(f"preset {preset_id}: unknown program {p['id']}")
        status_quo[p["id"]] = float(p["spend"])
        prov[f"program.{p['id']}"] = Provenance(p.get("status", "assumption"), p.get("note", ""), (),
                                                p.get("note_zh", ""))
    history = {}
    for y in sorted({e["year"] for e in doc.get("values", []) if e["year"] < base_year}):
        history[y] = resolve_year(doc, y, cat)[0]
    n_years = int(meta["horizon"]) - base_year
    sc = Scenario(
        preset_id=preset_id, zh=meta["zh"], en=meta["en"], level=meta["level"],
        rubric_id=meta.get("rubric", ""), base_year=base_year, horizon=int(meta["horizon"]),
        base=base, growth=growth, spend={p: (v,) * n_years for p, v in status_quo.items()},
        status_quo=status_quo, ratio_k=ratio_k, management=texts, targets=plan_targets(doc, cat),
        shown=tuple(shown_quantities(doc, cat)), provenance=prov, history=history,
        region_name=region_name if region_values else "", region_values=region_values or {},
        plan_growth=float(plan.get("rate", 0.0)), plan_growth_note=plan.get("note") or plan.get("source", ""),
        plan_growth_note_zh=plan.get("note_zh") or plan.get("source", ""),
        evaluation_lag=load_rubric(meta["rubric"]).evaluation_lag_years if meta.get("rubric") else 0,
        param=params, growth_range=ranges, **pace)
    if history:
        sc = calibrate(sc, observed_indicators(doc, base_year))
    return sc.status_quo_scenario()


@functools.cache
def program_share() -> float:
    """The share of a county's fiscal S&T spending its seven programs take in the status quo
    (``data/regions/hebei_synthetic.toml`` program_share: 34%, an assumption with its reason)."""
    return float(read_toml(DATA_DIR / "regions/hebei_synthetic.toml")["regions"]["program_share"])


def own_programs(doc: dict, fiscal_st_spending: float) -> dict[str, float]:
    """A region's own status-quo program budget (万元 a year by program): :func:`program_share`
    of its own fiscal S&T spending, split like the preset's programs — never a preset's fixed
    amount, so a county spending 100万 or 5亿 has programs of its own size."""
    sq = {p["id"]: float(p["spend"]) for p in doc.get("programs", [])}
    total = sum(sq.values())
    if total <= 0:
        return sq
    return {p: v / total * program_share() * fiscal_st_spending for p, v in sq.items()}
