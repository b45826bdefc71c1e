"""科技创新规划情景模拟器: project innovation indicators, score them, optimize the budget.

Pure Python (numpy, pandas, scipy); no UI code. Data comes only through :mod:`sim.files.loaders`.

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

__all__ = ["InputError", "Params", "Projection", "Rubric", "Scenario", "Score", "Target", "budget_frontier",
           "list_presets", "load_catalog", "load_preset", "load_rubric", "marginal_values", "min_budget",
           "monte_carlo", "optimize", "regions", "run", "score", "score_allocations", "sensitivity",
           "simulate"]
