"""Reference optima by a global method, computed once and stored for the tests
(tests/reference/optima.json); prints figures.

For every county preset and budget of the optimizer tests, scipy's differential evolution
(popsize 15, up to 2,500 generations, seed 2) searches the same objective the optimizer uses
(:class:`sim.plan.objective.Counter`) under two rules: the default (one split held across the
years, three rounds scored, no budget below the status quo: programs variables) and ``free``
(any split each year, one round: programs x years variables). The file keeps, per case and
rule, the DE optimum (its allocation and objective) and 16 seeded random allocations with their
scores: the model's *fingerprint*. The model version is a hash of those scores. ``tests/test_plan.py`` scores
the stored allocations again: if the model gives other numbers, the test fails and asks for
this script to be run again (a changed model has other optima); else it checks the optimizer
against the stored DE optimum in milliseconds instead of minutes.

Run: .venv/bin/python bench/reference_optima.py   (about 15 minutes on 2 cores)
"""
from __future__ import annotations

import hashlib
import json
import sys
import time
from pathlib import Path

from scipy.optimize import differential_evolution

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
import sim  # noqa: E402
from sim.plan import FREE, Options, Rules, make_problem, optimize, score_allocations  # noqa: E402
from sim.plan.objective import Counter  # noqa: E402
from sim.plan.search import Steady, from_unit, random_allocations  # noqa: E402

OUT = ROOT / "tests" / "reference" / "optima.json"
BUDGETS = (500, 1500, 4000)  # 万元 in the first year, as tests/test_plan.py
TARGET_YEAR = 2025
FINGERPRINT = 16  # random allocations per case
DE_OPTIONS = dict(popsize=15, maxiter=2500, tol=1e-9, seed=2, polish=False)


def cases() -> list[tuple[str, float]]:
    return [(p["id"], b) for p in sim.list_presets() if p["rubric"] for b in BUDGETS]


def model_version(scores: list[list[float]]) -> str:
    """A short hash of the fingerprint scores (rounded to 1e-9 points)."""
    text = json.dumps([[round(v, 9) for v in s] for s in scores])
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def de_optimum(sc, problem, steady: bool) -> dict:
    """Differential evolution on the problem's objective (steady: the first year's split only)."""
    f = Counter(problem.scenario, problem.objective, problem.scored)
    st = Steady.of(problem)
    space = st.reduced if steady else problem

    def alloc(z):
        x = from_unit(z, space)
        return st.expand(x) if steady else x

    P, Y = space.shape
    t0 = time.perf_counter()
    de = differential_evolution(lambda z: -f(alloc(z.T)), [(0, 1)] * (P * Y), vectorized=True, updating="deferred",
                                **DE_OPTIONS)
    x = alloc(de.x[None])[0]
    return {"fun": float(f(x[None])[0]), "x": x.tolist(), "calls": int(de.nfev),
            "seconds": round(time.perf_counter() - t0, 1)}


def reference(pid: str, budget: float) -> dict:
    sc = sim.load_preset(pid)
    out = {"preset": pid, "budget": budget, "target_year": TARGET_YEAR}
    for name, rules in (("steady", Rules()), ("free", FREE)):
        problem = make_problem(sc, budget, TARGET_YEAR, rules=rules)
        de = de_optimum(sc, problem, name == "steady")
        ours = optimize(sc, budget, TARGET_YEAR, options=Options(rules=rules))
        out[name] = {"data_year": problem.data_year, "scored": list(problem.scored), "budget": problem.budget.tolist(),
                     "de_fun": de["fun"], "de_x": de["x"], "de_calls": de["calls"], "de_seconds": de["seconds"],
                     "optimizer_fun_when_stored": ours.fun}
    problem = make_problem(sc, budget, TARGET_YEAR, rules=FREE)
    prints = random_allocations(problem, FINGERPRINT, seed=5)
    out.update({"data_year": problem.data_year, "programs": list(problem.programs), "fingerprint_x": prints.tolist(),
                "fingerprint_scores": score_allocations(sc, prints, problem.data_year).tolist()})
    return out


def main() -> None:
    out = []
    for pid, budget in cases():
        r = reference(pid, budget)
        out.append(r)
        for name in ("steady", "free"):
            c = r[name]
            print(f"{pid:8s} {budget:6.0f}万元 {name:6s}: DE {c['de_fun']:.4f} ({c['de_calls']:,} calls of the vectorized "
                  f"objective, {c['de_seconds']:.0f} s); optimizer {c['optimizer_fun_when_stored']:.4f} "
                  f"({c['optimizer_fun_when_stored'] - c['de_fun']:+.4f})", flush=True)
    doc = {"model_version": model_version([r["fingerprint_scores"] for r in out]),
           "de_options": DE_OPTIONS, "cases": out}
    OUT.parent.mkdir(exist_ok=True)
    OUT.write_text(json.dumps(doc, indent=1) + "\n", encoding="utf-8")
    print(f"model version {doc['model_version']} -> {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
