"""科技创新规划情景模拟器: project innovation indicators, score them, optimize the budget.

Pure Python (numpy, pandas, scipy); no UI code. Data comes only through :mod:`sim.loaders`.
"""
from .errors import InputError
from .loaders import load_rubric
from .rubric import Rubric, Score, score

__all__ = ["InputError", "Rubric", "Score", "load_rubric", "score"]
