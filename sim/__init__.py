"""科技创新规划情景模拟器: project innovation indicators, score them, optimize the budget.

Pure Python (numpy, pandas, scipy); no UI code. The packages, bottom to top (``.importlinter``
holds them to it): :mod:`sim.files` (the only file I/O), :mod:`sim.model` (one county),
:mod:`sim.inputs` (what data/ and users give) beside :mod:`sim.uncertainty`, :mod:`sim.plan`,
:mod:`sim.counties` (many counties), :mod:`sim.scenarios` (a scenario by name) and
:mod:`sim.cli`. This module is the public face: what the README documents is importable from
``sim`` (the many-county modules too: ``from sim import city, regions``).

>>> import sim  # doctest: +SKIP
>>> sc = sim.load_preset("demo")  # doctest: +SKIP
>>> sim.monte_carlo(sc, n=1000).tiers.loc[2024, "A"]  # doctest: +SKIP
"""
from .counties import regions
from .files.errors import InputError
from .model.catalog import load_catalog
from .model.params import Params
from .model.projection import run
from .model.rubric import load_rubric
from .model.rubric import Rubric, Score, score
from .model.scenario import Scenario, Target
from .model.simulate import Projection, simulate
from .plan import budget_frontier, marginal_values, min_budget, optimize, score_allocations
from .scenarios.presets import list_presets, load_preset
from .uncertainty import monte_carlo, sensitivity

_COUNTIES = ("backtest", "batch", "city", "peers", "posterior", "province", "stacked", "synthetic")


def __getattr__(name: str):
    """``sim.counties.city``, ``sim.counties.posterior``, ...: the many-county modules by their short names, imported
    when first asked for (``from sim import city`` as the README writes it)."""
    if name in _COUNTIES:
        import importlib

        return importlib.import_module(f"sim.counties.{name}")
    raise AttributeError(f"module 'sim' has no attribute {name!r}")


__all__ = ["InputError", "Params", "Projection", "Rubric", "Scenario", "Score", "Target", "budget_frontier",
           "list_presets", "load_catalog", "load_preset", "load_rubric", "marginal_values", "min_budget",
           "monte_carlo", "optimize", "regions", "run", "score", "score_allocations", "sensitivity",
           "simulate"]
