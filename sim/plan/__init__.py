"""Plans for a county's S&T program budget: the question (:mod:`.problem`), the one objective
(:mod:`.objective`), how the optimizer moves money (:mod:`.search`), the optimizer and its
result (:mod:`.optimizer`), budget questions (:mod:`.budget`) and a planner's tools
(:mod:`.tools`)."""
from .budget import BudgetSearch, MinBudget, budget_frontier, min_budget
from .objective import attainment_batch, outcomes, score_allocations
from .optimizer import Allocation, Options, Robust, applied, extended, optimize
from .problem import FREE, Problem, Rules, make_problem, scored_year
from .tools import AddedMoney, Relaxed, added_bounds, added_money, marginal_values, money_buys, relaxed_bounds, \
    response_curves, widen

__all__ = ["AddedMoney", "Allocation", "BudgetSearch", "FREE", "MinBudget", "Options", "Problem", "Relaxed", "Robust",
           "Rules", "added_bounds", "added_money", "applied", "attainment_batch", "budget_frontier", "extended",
           "make_problem", "marginal_values", "min_budget", "money_buys", "optimize", "outcomes", "relaxed_bounds",
           "response_curves", "score_allocations", "scored_year", "widen"]
