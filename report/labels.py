"""Names in a language, without a Streamlit session (the app's ``ui.common`` uses these too)."""
from __future__ import annotations

import math
import re

from sim.files.datadir import load_translations
from sim.model.catalog import load_catalog
from sim.model.rubric import load_rubric

COUNT_UNITS = ("家", "个", "项", "件", "所", "名")  # units of things counted one by one
SOURCE_FILE = re.compile(r"(?:\.\./shared/(?:seeds|reference)/)?(\d{3}_[0-9a-f]{16}\.txt|hebei_county_results\.md)")


def tr(key: str, lang: str, **params) -> str:
    """The string ``[app.<key>]`` of data/translations.toml in ``lang``, formatted."""
    text = load_translations()["app"][key][lang]
    return text.format(**params) if params else text


def unit(u: str, lang: str, q: str | None = None) -> str:
    """A unit as a page in ``lang`` shows it: as the data write it in Chinese; in English from
    ``[units]`` of data/translations.toml (for a count, the word for what indicator or rubric
    column ``q`` counts: 40 labs, 40 firms)."""
    if lang == "zh" or not u:
        return u
    table = load_translations()["units"]
    if q is not None and q in table["en_count"]:
        return table["en_count"][q]
    return table["en"].get(u, u)


def ind_unit(q: str, lang: str) -> str:
    """An indicator's unit in ``lang`` ("" when it has none)."""
    cat = load_catalog()
    return unit(cat.indicators[q].unit, lang, q) if q in cat.indicators else ""


def ind_label(q: str, lang: str) -> str:
    """An indicator's name with its unit in brackets (full-width in Chinese)."""
    u = ind_unit(q, lang)
    if not u or (lang != "zh" and u.lower() in ind_name(q, lang).lower()):  # "… per 10k residents"
        return ind_name(q, lang)
    return f"{ind_name(q, lang)}({u})" if lang == "zh" else f"{ind_name(q, lang)} ({u})"


CHART_TITLES = {  # a chart's standard field -> its [app.<key>]
    "year": "year", "score": "score", "median": "median", "low": "chart_low", "high": "chart_high",
    "series": "chart_series", "group": "chart_group", "earned": "chart_earned", "max": "chart_max",
    "points": "points", "program": "program", "value": "value", "target": "target", "tier": "tier",
    "probability": "probability", "category": "chart_item", "parameter": "chart_parameter",
    "end": "chart_end", "budget": "chart_budget", "county": "city_county", "previous": "city_previous",
    "round": "col_round", "measure": "col_metric", "wan": "wan_per_year", "spend": "wan_per_year"}


def chart_titles(lang: str, **override: str) -> dict:
    """The names of every chart field in ``lang`` (axes, legends, tooltips), with overrides."""
    return {**{k: tr(key, lang) for k, key in CHART_TITLES.items()}, **override}


def document(name: str, lang: str) -> str:
    """A source document by its title (``[documents]`` of data/translations.toml), never its file
    name; an unknown name as it is."""
    entry = load_translations()["documents"].get(name)
    return entry[lang] if entry else name


def source(ref: str, lang: str) -> str:
    """A data file's source reference ("003: 到2025年,…": a document's number and its words) as
    a reader wants it: the document's title and its words quoted, in English from the document's
    ``quotes`` where the words are translated."""
    number, _, words = ref.partition(":")
    name = next((f for f in load_translations()["documents"] if f.startswith(number.strip() + "_")), None)
    if name is None or not words.strip():
        return titled(ref, lang)
    words = words.strip()
    if lang != "zh":
        words = load_translations()["documents"][name].get("quotes", {}).get(words, words)
    return f"{document(name, lang)}:“{words}”" if lang == "zh" else f"{document(name, lang)}: “{words}”"


_AMOUNT = re.compile(r"(\d[\d,.]*)(?:\s*[-–]\s*(\d[\d,.]*))?\s*(亿元|万元|亿|万)")
_QUOTED = re.compile(r"(“[^”]*”|《[^》]*》)")
_IDS = re.compile(r"(?<![A-Za-z0-9_])[a-z][a-z0-9]*(?:_[a-z0-9]+)+(?![A-Za-z0-9_])")
_BARE = {"亿元": "100m yuan", "万元": "10k yuan"}  # a unit without a number ("per 亿元")


def _amount(v: str, unit: str) -> str:
    """One Chinese amount in English: 35亿元 -> 3.5bn yuan, 20万元 -> 200k yuan, 40万 -> 400k."""
    x = float(v.replace(",", "")) * (1e8 if unit.startswith("亿") else 1e4)
    for size, word in ((1e9, "bn"), (1e6, "m"), (1e3, "k")):
        if x >= size:
            return f"{x / size:,.3g}{word}"
    return f"{x:,.0f}"


def money(wan: float, lang: str) -> str:
    """An amount given in 万元: "20 万元" in Chinese, "200k yuan" in English."""
    if lang != "zh":
        return f"{_amount(repr(float(wan)), '万元')} yuan"
    whole = abs(wan) >= 10 or float(wan).is_integer()
    return f"{wan:,.0f} 万元" if whole else f"{wan:,.1f} 万元"


def en_amounts(text: str) -> str:
    """An English text's Chinese amounts (35亿元, 0.5-2万元, 40万 residents) in English, outside
    quotations of a document's words."""
    def one(m: re.Match) -> str:
        lo, hi, unit = m.groups()
        yuan = " yuan" if unit.endswith("元") else ""
        return f"{_amount(lo, unit)}–{_amount(hi, unit)}{yuan}" if hi else f"{_amount(lo, unit)}{yuan}"

    def plain(part: str) -> str:
        part = _AMOUNT.sub(one, part)
        for zh, en in _BARE.items():
            part = part.replace(zh, en)
        return part

    parts = _QUOTED.split(text)
    return "".join(part if _QUOTED.fullmatch(part) else plain(part) for part in parts)


def named(text: str, lang: str) -> str:
    """A text with every quantity id (``firms_with_rd``) replaced by the quantity's name."""
    cat = load_catalog()
    columns = {c.id: getattr(c, lang) for c in load_rubric("hebei-county").columns}

    def one(m: re.Match) -> str:
        q = m.group(0)
        return ind_name(q, lang) if q in cat.indicators else columns.get(q, q)

    return _IDS.sub(one, text)


_SEED_ZH = (re.compile(r"种子文件\s*(\d{3})"), re.compile(r"种子文件"))
_SEED_EN = (re.compile(r"\b[Ss]eed (\d{3})\b"), re.compile(r"\b(seeds'|seed's|seeds|seed)(?![\w'])"))
_SEED_WORDS = {"seed": "plan document", "seeds": "plan documents", "seed's": "plan document's",
               "seeds'": "plan documents'"}


def _by_number(number: str, lang: str) -> str:
    name = next((f for f in load_translations()["documents"] if f.startswith(number + "_")), None)
    return document(name, lang) if name else number


def plain_sources(text: str, lang: str) -> str:
    """The data files' word for a source document ("seed", "种子文件", "seed 003") as a reader
    knows it: the plan document, or the document's title."""
    if lang == "zh":
        text = _SEED_ZH[0].sub(lambda m: _by_number(m.group(1), lang), text)
        return _SEED_ZH[1].sub("规划文件", text)
    text = _SEED_EN[0].sub(lambda m: _by_number(m.group(1), lang), text)
    return _SEED_EN[1].sub(lambda m: _SEED_WORDS[m.group(1)], text)


_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_CJK_RUN = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uf900-\ufaff\uff00-\uffef…“”]*[\u3400-\u9fff\uf900-\ufaff]"
                      r"[\u3000-\u303f\u3400-\u9fff\uf900-\ufaff\uff00-\uffef…“”0-9]*")
_GLOSS = re.compile(r"\s*[(（]([^()（）]*)[)）]")


def _unit_words(text: str) -> str:
    """Chinese units standing alone in an English text ("Ratio (人 / 万人)") in English."""
    for zh, en in sorted(load_translations()["units"]["en"].items(), key=lambda kv: -len(kv[0])):
        text = re.sub(rf"(?<![\w\u3400-\u9fff]){re.escape(zh)}(?![\w\u3400-\u9fff])", en, text)
    return text


def _chinese_words(text: str) -> int:
    """How many Chinese characters a text holds besides the amount units 万, 亿 and 元."""
    return len(_CJK.findall(re.sub("[万亿元]", "", text)))


def _gloss(m: re.Match) -> str:
    """A bracket holding Chinese words: dropped when it is a Chinese gloss or quotation (more
    Chinese than letters and digits), its leading gloss dropped when English follows ("(后补助,
    seed 003)" keeps "seed 003"); brackets of amounts ("(2.5-10万元)") are kept."""
    inner = m.group(1)
    if not _chinese_words(inner):
        return m.group(0)
    lead = re.match(rf"^\s*{_CJK_RUN.pattern}\s*[,;、:]\s*", inner)
    if lead and re.search(r"[A-Za-z]{2}", inner[lead.end():]):
        return f" ({inner[lead.end():]})"
    if _chinese_words(inner) >= len(re.findall(r"[A-Za-z0-9]", inner)):
        return ""
    return m.group(0)


def english_only(text: str, lang: str) -> str:
    """An English text from the data files without Chinese: the glossary's terms in English, a
    bracketed Chinese gloss dropped, amounts and units in English; a text that is the document's
    own Chinese words is said to be so, other Chinese wording named as such (the Chinese page
    and the analysts' section keep the documents' own words)."""
    if lang == "zh":
        return text
    for zh, en in sorted(load_translations()["glossary"]["en"].items(), key=lambda kv: -len(kv[0])):
        text = text.replace(zh, en)
    text = _GLOSS.sub(_gloss, en_amounts(_unit_words(text)))
    if _chinese_words(text) > len(re.findall(r"[A-Za-z]", text)):
        return tr("words_in_chinese", lang)
    return _CJK_RUN.sub(tr("chinese_wording", lang), text)


_REPO_FILE = re.compile(r"[A-Z]+\.md[,，;]\s*")  # a repository's notes are no source an official reads


def readable(text: str, lang: str) -> str:
    """A data file's note or reasoning as an official reads it: documents by title, quantities
    by name, and (in English) amounts and units in English, without Chinese."""
    text = plain_sources(named(titled(_REPO_FILE.sub("", text or ""), lang), lang), lang)
    return english_only(text, lang)


def agency(name: str, lang: str) -> str:
    """The departments a rubric item's figure comes from, in ``lang``."""
    if lang == "zh" or not name:
        return name
    table = load_translations()["agencies"]["en"]
    return "; ".join(table.get(part, part) for part in name.split())


def titled(text: str, lang: str) -> str:
    """A text with every source file name (``002_f20….txt``, ``../shared/reference/….md``)
    replaced by the document's title."""
    return SOURCE_FILE.sub(lambda m: document(m.group(1), lang), text)


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
    """The reference class in words (:mod:`sim.counties.peers`): what the synthetic province's counties
    that scored near ``base_score`` in the scenario's base year did by ``data_year``'s statistics
    (the assessment of ``year``); a sentence saying there is none where no county stood there."""
    from sim.counties.peers import WIDTH, reference_class

    got = reference_class(base_score, sc.base_year, data_year)
    if got is None:
        return tr("peers_none", lang, year=sc.base_year, base=sc.base_year)
    pct = lambda v: f"{v:.0%}"  # noqa: E731
    return tr("peers_line", lang, width=f"{WIDTH:g}", score=f"{base_score:.1f}", base=sc.base_year, year=year,
              n=f"{got.n:.0f}", a=pct(got.reach_a[1]), a_lo=pct(got.reach_a[0]), a_hi=pct(got.reach_a[2]),
              fall=pct(got.fall[1]), gain=f"{got.gain[1]:.1f}", gain_lo=f"{got.gain[0]:.1f}",
              gain_hi=f"{got.gain[2]:.1f}")


# ---------------------------------------------------------------------- one number format per kind
def is_count(q: str) -> bool:
    """Whether an indicator counts things one by one (firms, labs, patents)."""
    cat = load_catalog()
    return q in cat.indicators and cat.indicators[q].unit in COUNT_UNITS


def _missing(v) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v))


def quantity(q: str, v, expected: bool = False) -> str:
    """An indicator's value in its kind's one format: a count whole ("40"), or "≈ 41.6" when it is
    a projection's expected value; 万元 whole with separators; a share in % and any other value
    with one decimal below 1,000 (two below 1), whole above. Text (a target such as 有) as it is."""
    if isinstance(v, str):
        return v
    if _missing(v):
        return "—"
    v = float(v)
    if is_count(q):
        return f"≈ {v:,.1f}" if expected and abs(v - round(v)) > 1e-9 else f"{v:,.0f}"
    cat = load_catalog()
    unit = cat.indicators[q].unit if q in cat.indicators else ""
    if unit == "万元" or abs(v) >= 1000:
        return f"{v:,.0f}"
    if unit == "%" or abs(v) >= 1 or v == 0:
        return f"{v:,.1f}"
    return f"{v:,.2f}"


def with_unit(q: str, text: str, lang: str) -> str:
    """A formatted value followed by its unit in ``lang`` ("40 家", "40 firms", "12.5%")."""
    u = ind_unit(q, lang)
    if not u or text == "—":
        return text
    return f"{text}{u}" if u == "%" else f"{text} {u}"


def pp(d: float, lang: str, digits: int = 0) -> str:
    """A change in probability in percentage points: "+21 个百分点" / "+21 percentage points"
    (never "pp" in Chinese)."""
    return tr("pp_change", lang, d=f"{d:+.{digits}f}")


def growth(g: float, lang: str) -> str:
    """A growth rate: "5.0%/年" / "5.0% a year"."""
    return "—" if _missing(g) else tr("growth_rate", lang, g=f"{g * 100:.1f}")


def band(low: float, high: float, digits: int = 1) -> str:
    """A range, always low to high, both ends in one format: "0.10 – 0.27"."""
    lo, hi = sorted((float(low), float(high)))
    return f"{lo:.{digits}f} – {hi:.{digits}f}"


# ---------------------------------------------------------------------- plans and what money buys
def plan_frame(sc, lang: str):
    """年度安排: each program's spending in each projected year (whole 万元) and the yearly total,
    programs by name, years as columns: what the scenario holds, the same in the app and the
    briefing."""
    import pandas as pd

    m = sc.spend_matrix()
    rows = [prog_name(p, lang) for p in sc.programs] + [tr("plan_total", lang)]
    frame = pd.DataFrame(list(m) + [m.sum(axis=0)], index=rows, columns=[str(y) for y in sc.years])
    frame.index.name = tr("program", lang)
    return frame.apply(lambda col: col.map(lambda v: f"{v:,.0f}"))


def caused_units(frame, lang: str) -> str:
    """What a program's extra money causes, in words: "≈ 22.1 家科技型中小企业; ≈ 0.5 家院士工作站"
    (expected values; the quantities the program moves, largest first, those below 0.05 left out)."""
    parts = []
    for r in frame.sort_values("P50", ascending=False).itertuples():
        if abs(r.P50) < 0.05:
            continue
        u = ind_unit(r.quantity, lang)
        if u in ("%",):
            parts.append(f"≈ {r.P50:+.1f}% {ind_name(r.quantity, lang)}")
        else:
            parts.append(f"≈ {r.P50:,.1f} {u} {ind_name(r.quantity, lang)}".replace("  ", " "))
    return "; ".join(parts) or "—"
