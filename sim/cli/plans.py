"""A county's budget from the command line: ``optimize``, ``frontier``, ``uncertainty`` and
``min-budget``."""
from __future__ import annotations

import argparse
import sys

import numpy as np
import pandas as pd

from sim.files.errors import InputError
from sim.files.writers import check_out_path, csv_bytes, write_atomic
from sim.model.catalog import load_catalog
from sim.model.rubric import load_rubric
from .parser import command


def _rules(args):
    """The plan's rules from the command line (:class:`sim.plan.Rules`)."""
    from sim.plan import Rules

    rounds = args.rounds or (1 if args.split == "free" else 3)
    return Rules(split=args.split, smooth=args.smooth, rounds=rounds, cuts=args.allow_cuts or args.split == "free")


def _bounds(args) -> dict:
    out: dict[str, list] = {}
    for kind, items in (("min", args.min), ("max", args.max)):
        for item in items:
            key, sep, raw = item.partition("=")
            try:
                value = float(raw)
            except ValueError:
                raise InputError("bad_setting", key=f"--{kind} {key}", value=raw,
                                 reason="PROGRAM=万元") from None
            pair = out.setdefault(key.strip(), [None, None])
            pair[0 if kind == "min" else 1] = value
    return {k: tuple(v) for k, v in out.items()}


def _load(args):
    from sim.scenarios.overrides import apply
    from sim.scenarios.presets import check_preset_id

    check_preset_id(args.preset)
    doc = {"preset": args.preset}
    if getattr(args, "reading", None):
        doc["reading"] = args.reading
    if getattr(args, "status_quo", None):
        doc["status_quo"] = args.status_quo
    return apply(doc)


@command
def cmd_optimize(args: argparse.Namespace) -> int:
    from sim.files.writers import xlsx_bytes
    from sim.model.simulate import simulate
    from sim.plan import Options, added_money, optimize, relaxed_bounds

    out = check_out_path(args.out, (".csv", ".xlsx"))
    sc = _load(args)
    bounds = _bounds(args)
    options = Options(rules=_rules(args))
    items = []
    if args.extra is not None:
        am = added_money(sc, args.extra, args.year, bounds, args.objective, options)
        res = am.result
        items += [("extra_per_year", args.extra), ("without_extra", am.fun_before),
                  ("extra_spread_evenly", res.fun_current)]
    else:
        res = optimize(sc, args.budget, args.year, bounds, args.objective, options)
        items += [("current_split", res.fun_current), ("even_split", res.fun_even)]
    if res.by_round is not None and not res.by_round.empty:
        items += [(f"{row}_{year}", float(res.by_round.loc[row, year])) for row in res.by_round.index
                  for year in res.by_round.columns]
    table = res.allocation.copy()
    table.insert(0, "zh", [load_catalog().program(p).zh for p in table.index])
    table["per_100万"] = res.shadow_prices
    items += [("gain", res.gain), ("evaluations", res.nfev), ("seconds", round(res.seconds, 3)),
              ("message", res.message), ("binding", "; ".join(res.binding))]
    relax = None
    if args.relax is not None:
        base_bounds = {p: (am.current.loc[p].to_numpy(), None) for p in sc.programs} if args.extra is not None else bounds
        relax = relaxed_bounds(res, base_bounds, args.relax, options)
        items += [("relaxed_factor", args.relax), ("relaxed_optimum", relax.relaxed.fun), ("relaxed_gain", relax.gain)]
    summary = pd.DataFrame({"item": ["objective", "target_year", "optimum"] + [k for k, _ in items],
                            "value": [res.objective, res.target_year, res.fun] + [v for _, v in items]})
    if out.suffix.lower() == ".xlsx":
        proj = simulate(res.scenario)
        payload = xlsx_bytes({"allocation_万元": table, "summary": summary,
                              "indicators": proj.indicators, "scores": proj.scores})
    else:
        payload = csv_bytes(table.reset_index())
    write_atomic(out, payload)
    sys.stdout.write(f"{res.objective}: {res.fun_current:.3f} -> {res.fun:.3f} (+{res.gain:.3f}) "
                     f"in {res.seconds:.2f} s\n{res.message}\n")
    if relax is not None:
        sys.stdout.write(f"bounds x{relax.factor:g}: {relax.relaxed.fun:.3f} ({relax.gain:+.3f})\n")
    return 0


def check_draws(n: int, key: str) -> None:
    """Draws within the bounds every entrance shares (``data/limits.toml`` [uncertainty])."""
    from sim.inputs.document import limits

    lo, hi = int(limits()["uncertainty"]["min_draws"]), int(limits()["uncertainty"]["max_draws"])
    if not lo <= n <= hi:
        raise InputError("bad_setting", key=key, value=n, reason=f"{lo:,} – {hi:,}")


def _budgets(text: str) -> list[float]:
    try:
        if ":" in text:
            a, b, n = text.split(":")
            return list(np.linspace(float(a), float(b), int(n)))
        return [float(v) for v in text.split(",") if v.strip()]
    except ValueError:
        raise InputError("bad_setting", key="--budgets", value=text,
                         reason="0,500,1000 or FROM:TO:POINTS") from None


@command
def cmd_frontier(args: argparse.Namespace) -> int:
    from sim.files.writers import xlsx_bytes
    from sim.plan import Options, budget_frontier

    out = check_out_path(args.out, (".csv", ".xlsx"))
    sc = _load(args)
    fr = budget_frontier(sc, _budgets(args.budgets), args.year, _bounds(args), args.objective,
                         Options(rules=_rules(args)))
    write_atomic(out, xlsx_bytes({"frontier": fr}) if out.suffix.lower() == ".xlsx" else csv_bytes(fr))
    return 0


@command
def cmd_uncertainty(args: argparse.Namespace) -> int:
    from sim.files.writers import xlsx_bytes
    from sim.uncertainty import monte_carlo, sensitivity

    out = check_out_path(args.out, (".csv", ".xlsx"))
    check_draws(args.n, "--n")
    if not 0 <= args.width <= 5:
        raise InputError("bad_setting", key="--width", value=args.width, reason="0 – 5")
    sc = _load(args)
    year = args.year or sc.horizon
    if not sc.base_year < year <= sc.horizon:
        raise InputError("target_year_outside", year=year, first=sc.base_year + 1, last=sc.horizon)
    mc = monte_carlo(sc, args.n, args.seed, args.width)
    summary = mc.score.join(mc.tiers)
    if out.suffix.lower() == ".csv":
        write_atomic(out, csv_bytes(summary.reset_index()))
    else:
        sens = sensitivity(sc, year, args.width, seed=args.seed)
        meta = pd.DataFrame({"item": ["draws", "seed", "width", "seconds", "sensitivity method"],
                             "value": [mc.n, mc.seed, mc.width, round(mc.seconds, 3), sens.method]})
        write_atomic(out, xlsx_bytes({"score": summary, "indicators": mc.indicators, "targets": mc.targets,
                                      "tornado": sens.tornado, "ranking": sens.ranking, "about": meta}))
    sys.stdout.write(f"{mc.n} draws in {mc.seconds:.2f} s\n")
    return 0


@command
def cmd_min_budget(args: argparse.Namespace) -> int:
    from sim.plan import BudgetSearch, min_budget

    if not 0 <= args.confidence < 1:
        raise InputError("bad_setting", key="--confidence", value=args.confidence, reason="0 – 1")
    check_draws(args.draws, "--draws")
    sc = _load(args)
    if sc.rubric_id and args.objective in (None, "score"):  # a county score: 0 < score <= the rubric's total
        top = load_rubric(sc.rubric_id).total_points
        if not 0 < args.score <= top:
            raise InputError("bad_setting", key="--score", value=f"{args.score:g}", reason=f"0 – {top:g}")
    mb = min_budget(sc, args.score, args.year, _bounds(args), args.confidence or None,
                    BudgetSearch(rules=_rules(args), objective=args.objective, draws=args.draws))
    text = f"{mb.explain('zh')}\n{mb.explain('en')}\n"
    if not mb.reachable:  # not reachable within the budgets searched: an error like any other
        sys.stderr.write(text)
        return 2
    sys.stdout.write(text)
    return 0
