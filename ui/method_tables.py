"""The Method page's tables in a language: the rubric and its words, the tiers, the programs
(awards, payers, additionality, lags) and each county's line, the indicators with their growth,
the scenario's assumptions and the source documents. Frames only, no session."""
from __future__ import annotations

import pandas as pd

import sim
from report import labels
from sim.files.datadir import load_translations
from sim.model.catalog import load_catalog, text_in
from sim.model.rubric import load_rubric
from sim.model.simulate import inputs_frame
from ui.datatab import formula_text, quantity_name, status_label, tr


# ---------------------------------------------------------------------- 方法 Method tables
def _num(v: float) -> str:
    return f"{v:,.6g}" if abs(v) >= 1000 else f"{v:.6g}"


def _growth_band(low: float, high: float, lang: str) -> str:
    return tr("growth_band", lang, low=f"{low * 100:.1f}", high=f"{high * 100:.1f}")


def rubric_frame(rubric_id: str, lang: str) -> pd.DataFrame:
    """One row per scored item: group, item, unit, max points, the rule (bands value→points,
    or points per unit and the cap, or the assessor's points), the departments its figure
    comes from and a note; units in ``lang`` (the document's words: :func:`rubric_words_frame`)."""
    rubric = load_rubric(rubric_id)
    groups = {g.id: g for g in rubric.groups}
    rows = []
    for it in rubric.items:
        g = groups[it.group]
        unit = labels.unit(it.unit, lang, it.id)
        if it.kind == "banded":
            bands = "; ".join(f"{_num(b.upto)}→{b.points:g}" for b in it.bands)
            rule = tr("method_rule_banded", lang, bands=bands, unit=unit, top=_num(it.bands[-1].upto),
                      max=f"{it.max_points:g}")
        elif it.kind == "counted":
            parts = [tr("method_per_unit", lang, name=getattr(u, lang), points=f"{u.points:g}",
                        unit=labels.unit(u.unit, lang, u.id).removesuffix("s") if lang == "en" else u.unit)
                     for u in it.units]
            parts += [f"{getattr(c, lang)} {c.points:g}" for c in it.categories]
            rule = "; ".join(parts) + "; " + tr("method_rule_cap", lang, cap=f"{it.max_points:g}")
        else:
            rule = tr("method_rule_assessed", lang, max=f"{it.max_points:g}")
        rows.append({"group": f"{getattr(g, lang)} ({g.max_points:g})", "item": getattr(it, lang),
                     "unit": unit, "max_points": it.max_points, "rule": rule,
                     "data_source": labels.agency(it.data_source, lang),
                     "note": labels.readable(text_in(it, "note", lang), lang)})
    return pd.DataFrame(rows)


def rubric_words_frame(rubric_id: str, lang: str) -> pd.DataFrame:
    """Every scored item with the document's own words for its rule (for analysts)."""
    rubric = load_rubric(rubric_id)
    rows = []
    for it in rubric.items:
        if it.kind == "banded":
            words = [it.source, *(b.source for b in it.bands), it.top_source]
        elif it.kind == "counted":
            words = [it.source, *(u.source for u in it.units),
                     *(c.source or text_in(c, "assumption", lang) for c in it.categories), it.cap_source]
        else:
            words = [it.source]
        rows.append({"item": getattr(it, lang), "words": " | ".join(words).replace("\n", " "),
                     "document": labels.document(it.source_file, lang) if getattr(it, "source_file", "") else
                     labels.document(rubric.source_file, lang)})
    return pd.DataFrame(rows)


def tiers_frame(rubric_id: str, lang: str) -> pd.DataFrame:
    """The tiers with their lowest score and the document that sets them."""
    rubric = load_rubric(rubric_id)
    return pd.DataFrame([{"tier": getattr(t, lang), "min_points": t.min_points,
                          "source": labels.document(t.source_file, lang)} for t in rubric.tiers])


def tier_words_frame(rubric_id: str, lang: str) -> pd.DataFrame:
    """The tiers in the document's own words (for analysts)."""
    rubric = load_rubric(rubric_id)
    return pd.DataFrame([{"item": getattr(t, lang), "words": t.source, "document": labels.document(t.source_file, lang)}
                         for t in rubric.tiers])


def programs_frame(lang: str) -> pd.DataFrame:
    """Every program effect: lag, indicator, share, what is paid per unit (the award, with its
    status), the additionality (share of paid units the money causes) and its range, the cost
    per caused unit (award / additionality), the capacity (rate × pool) and the reasoning with
    the document it rests on (the document's words: :func:`program_words_frame`)."""
    cat = load_catalog()
    rows = []
    for p in cat.programs:
        lags = ", ".join(f"{c}: {w:.0%}" for c, w in zip(p.lag_choices, p.lag_weights))
        for e in p.effects:
            unit = labels.unit(cat.indicators[e.indicator].unit, lang, e.indicator)
            unit = unit.removesuffix("s") if lang == "en" else unit

            def per(wan: float) -> str:
                return tr("per_unit", lang, money=labels.money(wan, lang), unit=unit)

            targets = quantity_name(e.indicator, lang)
            if e.also:
                targets += " (" + tr("method_also", lang, names=("、" if lang == "zh" else ", ").join(
                    quantity_name(a, lang) for a in e.also)) + ")"
            award = per(e.award)
            if e.award_low is not None and e.award_high is not None:
                award += f" ({labels.money(e.award_low, lang)} – {labels.money(e.award_high, lang)})"
            basis = labels.readable(text_in(e, "note", lang), lang)
            if e.source_file:
                basis += (" — " if basis else "") + labels.document(e.source_file, lang)
            payer = tr(f"payer_{e.payer}", lang)
            if e.payer_file:
                payer += " — " + labels.document(e.payer_file, lang)
            if e.post_award:  # 后补助: the lever is the award per unit, up to a cap
                capacity = tr("post_award_lever", lang, e=f"{e.elasticity:g}", low=f"{e.elasticity_low:g}",
                              high=f"{e.elasticity_high:g}", most=f"{e.award_max:g}")
                capacity_note = " ".join(labels.readable(text_in(e, k, lang), lang)
                                         for k in ("elasticity_note", "award_max_note"))
            else:
                capacity = (f"{e.capacity_rate:g} ({e.capacity_rate_low:g} – {e.capacity_rate_high:g}) × "
                            f"{quantity_name(e.capacity_of, lang)}")
                capacity_note = labels.readable(text_in(e, "capacity_note", lang), lang)
            rows.append({
                "program": getattr(p, lang), "lag": f"{p.lag} ({lags})", "indicator": targets,
                "paid": tr(f"paid_{e.paid}", lang), "payer": payer,
                "share": e.share, "award": award, "award_status": status_label(e.award_status, lang),
                "additionality": f"{e.additionality:.0%} ({e.additionality_low:.0%} – {e.additionality_high:.0%})",
                "cost": per(e.cost_per_caused_unit), "capacity": capacity,
                "basis": basis, "additionality_note": labels.readable(text_in(e, "additionality_note", lang), lang),
                "capacity_note": capacity_note,
                "lag_note": labels.readable(text_in(p, "lag_note", lang), lang)})
    return pd.DataFrame(rows)


def county_lines_frame(lang: str) -> pd.DataFrame:
    """What a county's own budget line of each program pays for, and whose money the seeds say
    pays each award (data/programs.toml ``county_line`` and ``payer``)."""
    cat = load_catalog()
    return pd.DataFrame([{"program": getattr(p, lang), "county_line": labels.readable(text_in(p, "county_line", lang), lang)}
                         for p in cat.programs])


def program_words_frame(lang: str) -> pd.DataFrame:
    """The program effects whose award or lever a document names, in the document's words (for
    analysts)."""
    cat = load_catalog()
    rows = [{"item": f"{getattr(p, lang)} → {quantity_name(e.indicator, lang)}", "words": e.source,
             "document": labels.document(e.source_file, lang)}
            for p in cat.programs for e in p.effects if e.source]
    return pd.DataFrame(rows, columns=["item", "words", "document"])


def indicators_frame(lang: str) -> pd.DataFrame:
    """Every catalog indicator: kind, formula or source, default growth and its range, the
    pipeline/elastic parameter and its range, the note."""
    cat = load_catalog()
    rows = []
    for q, ind in cat.indicators.items():
        growing = ind.kind in ("driver", "stock", "flow", "pipeline", "elastic")
        if ind.kind in ("ratio", "sum"):
            inputs = formula_text(q, lang)
        elif ind.inputs:
            inputs = ("、" if lang == "zh" else ", ").join(quantity_name(i, lang) for i in ind.inputs)
            if ind.lag:
                inputs += " (" + tr("method_lag_years", lang, n=ind.lag) + ")"
        else:
            inputs = "—"
        param = "—"
        if ind.kind in ("pipeline", "elastic"):
            param = f"{'a' if ind.kind == 'pipeline' else 'e'} = {ind.param:g}"
            if ind.param_low is not None and ind.param_high is not None:
                param += f" ({ind.param_low:g} – {ind.param_high:g})"
        rows.append({"name": getattr(ind, lang), "unit": labels.unit(ind.unit, lang, q) or "—",
                     "kind": tr(f"method_kind_{ind.kind}", lang), "inputs": inputs,
                     "growth": labels.growth(ind.growth, lang) if growing else "—",
                     "growth_range": _growth_band(ind.growth_low, ind.growth_high, lang) if growing else "—",
                     "param": param, "note": labels.readable(text_in(ind, "note", lang), lang) or "—"})
    return pd.DataFrame(rows)


def assumptions_frame(sc: sim.Scenario, lang: str) -> pd.DataFrame:
    """The scenario's baseline values with status ``assumption`` and their reasoning, each value
    in its kind's format and its unit in ``lang``."""
    frame = inputs_frame(sc)
    frame = frame[frame["status"] == "assumption"]
    cats = {c.id: {k.id: getattr(k, lang) for k in c.categories}
            for c in load_rubric("hebei-county").columns if c.kind == "category"}
    rows = []
    for r in frame.itertuples(index=False):
        value = r.value
        if isinstance(value, str):
            value = cats.get(r.quantity, {}).get(value, value)
        else:
            value = labels.quantity(r.quantity, float(value))
        reasoning = r.detail_zh if lang == "zh" and r.detail_zh else r.detail
        rows.append({"name": quantity_name(r.quantity, lang), "value": value,
                     "unit": labels.unit(r.unit, lang, r.quantity) or "—", "reasoning": labels.readable(reasoning, lang)})
    return pd.DataFrame(rows, columns=["name", "value", "unit", "reasoning"])


def source_files_frame(lang: str) -> pd.DataFrame:
    """The source documents: each file's name and title (for analysts)."""
    docs = load_translations()["documents"]
    return pd.DataFrame([{"file": f, "title": d[lang]} for f, d in docs.items()])
