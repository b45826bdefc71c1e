"""How sure are we: the triangles of the uncertain inputs (:mod:`.triangles`), their draws
(:mod:`.draws`), the Monte Carlo bands with tier chances (:mod:`.bands`), which assumptions
matter most (:mod:`.importance`) and the model pack the browser recomputes the scenario page's
headline from (:mod:`.pack`, imported by its own name). Uses :mod:`sim.model` only; the package
is its public face.
"""
from .bands import BAND_DRAWS, BAND_SEED, QUANTILES, MonteCarlo, monte_carlo, outcome
from .draws import draw, draw_pace, draw_shocks
from .importance import Sensitivity, sensitivity
from .triangles import (KINDS, SPACES, Range, assumed_quantities, from_space, load_posterior, pace_ranges, params_of,
                        ranges, sample, to_space)

__all__ = ["BAND_DRAWS", "BAND_SEED", "KINDS", "QUANTILES", "SPACES", "MonteCarlo", "Range", "Sensitivity",
           "assumed_quantities", "draw", "draw_pace", "draw_shocks", "from_space", "load_posterior", "monte_carlo",
           "outcome", "pace_ranges", "params_of", "ranges", "sample", "sensitivity", "to_space"]
