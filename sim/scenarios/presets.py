"""A preset by its id: the presets' list, a preset resolved into its status-quo scenario, and a
city preset whose base year adds up from its counties (:func:`aggregated`)."""
from __future__ import annotations

import functools

from sim.counties import regions
from sim.files.errors import InputError
from sim.files.loaders import load_preset_doc, preset_ids
from sim.inputs.presets import scenario_from_doc
from sim.model.scenario import Scenario


def list_presets() -> list[dict]:
    """Every preset: id, Chinese and English name, level, rubric, baseline year, horizon."""
    out = []
    for pid in preset_ids():
        m = load_preset_doc(pid)["preset"]
        out.append({k: m.get(k, "") for k in ("id", "zh", "en", "level", "rubric", "base_year", "horizon")})
    return out


def load_preset(preset_id: str, region_values: dict | None = None, region_name: str = "") -> Scenario:
    """The preset ``preset_id`` as a resolved, immutable :class:`Scenario` (status-quo spending).

    ``region_values``: a region's own base-year data (see :func:`sim.inputs.resolve.with_region_values`);
    a city preset's base year is summed from its counties first (:func:`aggregated`).

    >>> sc = load_preset("demo")  # doctest: +SKIP
    >>> sc.base_year, sc.horizon  # doctest: +SKIP
    (2021, 2030)
    """
    if not region_values and not region_name:
        return _status_quo(preset_id)
    return resolve(preset_id, region_values, region_name)


@functools.cache
def _status_quo(preset_id: str) -> Scenario:
    """A preset without a region's own data, resolved once a process: every document of the preset
    starts from it (``sim.scenarios.overrides.apply``, ``diff``), and resolving is not free
    (bench/bench_projection.py: Xiangtan 48 ms, its base year summed from its counties'
    projections; Hengshui 4.2, the demo county 1.3). A :class:`Scenario` is immutable, and the
    preset's files are read once a process already (:func:`sim.files.loaders.load_preset_doc`)."""
    return resolve(preset_id)


def resolve(preset_id: str, region_values: dict | None = None, region_name: str = "") -> Scenario:
    """The preset resolved afresh from its document (what :func:`load_preset` keeps)."""
    doc = load_preset_doc(preset_id)
    return scenario_from_doc(aggregated(doc) if "aggregate" in doc else doc, region_values, region_name)


def aggregated(doc: dict) -> dict:
    """A city preset whose base-year values of the ``[aggregate]`` indicators are the sums of its
    counties (``data/regions/<regions>.toml``, projected at their central parameters to the
    preset's base year), so that the city's figures add up from its counties'."""
    spec = doc["aggregate"]
    year = int(doc["preset"]["base_year"])
    coll = regions.load(spec["regions"])
    batch = regions.project(coll, max(year, coll.scenarios[0].base_year + 1))
    col = year - batch.template.base_year
    sums = {q: float(batch.X[q][:, col].sum()) for q in spec["indicators"]}
    note = spec["note"].format(n=len(coll), year=year)
    note_zh = spec["note_zh"].format(n=len(coll), year=year)
    values = [e for e in doc["values"] if not (e["indicator"] in sums and e["year"] == year)]
    values += [{"indicator": q, "year": year, "value": v, "status": "assumption", "note": note, "note_zh": note_zh}
               for q, v in sums.items()]
    return {**doc, "values": values}


def check_preset_id(preset_id: str) -> None:
    """InputError ``unknown_preset`` naming the known ones when ``preset_id`` is not a preset."""
    if preset_id not in preset_ids():
        raise InputError("unknown_preset", preset=preset_id, known=", ".join(preset_ids()))
