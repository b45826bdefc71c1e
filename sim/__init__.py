"""科技创新规划情景模拟器: project innovation indicators, score them, optimize the budget.

Pure Python (numpy, pandas, scipy); no UI code. Data comes only through :mod:`sim.loaders`.
"""
from .errors import InputError
from .loaders import load_catalog, load_rubric
from .presets import list_presets, load_preset
from .projection import Params, run
from .rubric import Rubric, Score, score
from .scenario import Scenario, Target
from .simulate import Projection, simulate

__all__ = ["InputError", "Params", "Projection", "Rubric", "Scenario", "Score", "Target",
           "list_presets", "load_catalog", "load_preset", "load_rubric", "run", "score", "simulate"]
