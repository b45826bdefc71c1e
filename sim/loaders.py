"""The one place that reads ``data/``: parse, validate once, return frozen objects (cached)."""
from __future__ import annotations

import functools
import os
import tomllib
from pathlib import Path
from typing import Any

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
SEEDS_DIR = Path(os.environ.get("SIM_SEEDS_DIR")
                 or Path(__file__).resolve().parent.parent.parent / "shared" / "seeds")


def read_toml(path: Path) -> dict[str, Any]:
    """Parse one TOML file of ``data/``."""
    with open(path, "rb") as fh:
        return tomllib.load(fh)


@functools.cache
def load_translations() -> dict[str, Any]:
    """Every user-facing string, zh and en (``data/translations.toml``)."""
    return read_toml(DATA_DIR / "translations.toml")


RUBRIC_FILES = {"hebei-county": "rubrics/hebei_county.toml"}


@functools.cache
def load_rubric(rubric_id: str = "hebei-county"):
    """The rubric ``rubric_id`` as a validated, frozen :class:`sim.rubric.Rubric`."""
    from .errors import InputError
    from .rubric import Rubric

    if rubric_id not in RUBRIC_FILES:
        raise InputError("unknown_rubric", rubric=rubric_id, known=", ".join(RUBRIC_FILES))
    return Rubric.from_toml(read_toml(DATA_DIR / RUBRIC_FILES[rubric_id]))


RUBRIC_EXAMPLES = {"hebei-county": "rubrics/hebei_county_example.csv"}


@functools.cache
def load_rubric_example(rubric_id: str = "hebei-county"):
    """The example row of a rubric's template: a frame with column, value, status, source."""
    import pandas as pd

    return pd.read_csv(DATA_DIR / RUBRIC_EXAMPLES[rubric_id], dtype=str, keep_default_na=False)
