"""Names in a language, without a Streamlit session (the app's ``ui.common`` uses these too)."""
from __future__ import annotations

from sim.loaders import load_catalog, load_rubric, load_translations


def tr(key: str, lang: str, **params) -> str:
    """The string ``[app.<key>]`` of data/translations.toml in ``lang``, formatted."""
    text = load_translations()["app"][key][lang]
    return text.format(**params) if params else text


def ind_name(q: str, lang: str) -> str:
    cat = load_catalog()
    return getattr(cat.indicators[q], lang) if q in cat.indicators else q


def prog_name(pid: str, lang: str) -> str:
    return getattr(load_catalog().program(pid), lang)


def item_name(iid: str, lang: str) -> str:
    return getattr(load_rubric("hebei-county").item(iid), lang)


def param_label(name: str, lang: str) -> str:
    """A readable label of an uncertain assumption ('growth.tech_smes', 'award.p.q', ...)."""
    kind, _, rest = name.partition(".")
    if kind == "growth":
        return tr("param_growth", lang, name=ind_name(rest, lang))
    if kind == "param":
        return tr("param_param", lang, name=ind_name(rest, lang))
    if kind == "lag":
        return tr("param_lag", lang, program=prog_name(rest, lang))
    if kind in ("award", "additionality", "capacity_rate"):
        pid, _, q = rest.partition(".")
        return tr(f"param_{kind}", lang, program=prog_name(pid, lang), name=ind_name(q, lang))
    if kind == "base":
        return tr("param_base", lang, name=ind_name(rest, lang))
    if kind == "management":
        return tr("param_management", lang, name=item_name("st_management_innovation", lang))
    if kind == "pace":
        return tr(f"method_factor_{rest}", lang) if rest else tr("param_pace", lang)
    if kind == "rate":
        return tr("param_rate", lang, name=ind_name(rest, lang))
    return name


def peers_text(sc, data_year: int, year: int, base_score: float, lang: str) -> str:
    """The reference class in words (:mod:`sim.peers`): what the synthetic province's counties
    that scored near ``base_score`` in the scenario's base year did by ``data_year``'s statistics
    (the assessment of ``year``); a sentence saying there is none where no county stood there."""
    from sim.peers import WIDTH, reference_class

    got = reference_class(base_score, sc.base_year, data_year)
    if got is None:
        return tr("peers_none", lang, year=sc.base_year, base=sc.base_year)
    pct = lambda v: f"{v:.0%}"  # noqa: E731
    return tr("peers_line", lang, width=f"{WIDTH:g}", score=f"{base_score:.1f}", base=sc.base_year, year=year,
              n=f"{got.n:.0f}", a=pct(got.reach_a[1]), a_lo=pct(got.reach_a[0]), a_hi=pct(got.reach_a[2]),
              fall=pct(got.fall[1]), gain=f"{got.gain[1]:.1f}", gain_lo=f"{got.gain[0]:.1f}",
              gain_hi=f"{got.gain[2]:.1f}")
