"""Where ``data/`` and the source documents are, one TOML file of ``data/`` read, and the
translations every message needs. The bottom of :mod:`sim.files`: imports nothing of ``sim``."""
from __future__ import annotations

import functools
import os
import tomllib
from pathlib import Path
from typing import Any


ROOT = Path(__file__).resolve().parents[2]  # the project (sim/files/loaders.py)


DATA_DIR = ROOT / "data"


SEEDS_DIR = Path(os.environ.get("SIM_SEEDS_DIR") or ROOT.parent / "shared" / "seeds")


def read_toml(path: Path) -> dict[str, Any]:
    """Parse one TOML file of ``data/``."""
    with open(path, "rb") as fh:
        return tomllib.load(fh)


@functools.cache
def load_translations() -> dict[str, Any]:
    """Every user-facing string, zh and en (``data/translations.toml``)."""
    return read_toml(DATA_DIR / "translations.toml")
