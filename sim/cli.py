"""``python -m sim``: batch work from the command line (score, template, ...).

Bad input exits with status 2 and one message in Chinese and English, never a traceback, and
writes nothing to ``--out``.
"""
from __future__ import annotations

import argparse
import io
import shutil
import sys
import tempfile

import numpy as np
import pandas as pd
from typing import Callable

from .files.errors import InputError
from .files.loaders import load_rubric_example
from .files.writers import atomic_file, check_out_path, csv_bytes, write_atomic
from .inputs.cells import scoring_input
from .inputs.tables import iter_table, template_bytes
from .model.catalog import load_catalog
from .model.rubric import load_rubric
from .model.rubric import score

COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {}


def command(fn: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
    COMMANDS[fn.__name__.removeprefix("cmd_").replace("_", "-")] = fn
    return fn


class _Parser(argparse.ArgumentParser):
    """argparse that exits with status 2 and a two-language message on a usage error."""

    def error(self, message: str) -> None:  # noqa: D401 - argparse API
        self.print_usage(sys.stderr)
        sys.stderr.write(f"参数错误:{message}\nUsage error: {message}\n")
        raise SystemExit(2)


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="python -m sim", description="科技创新规划情景模拟器 / innovation-plan scenario simulator")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)

    s = sub.add_parser("score", help="score regions from an .xlsx/.csv table / 按评价体系打分")
    s.add_argument("input", help=".xlsx or .csv (UTF-8, UTF-8 with BOM or GBK)")
    s.add_argument("--rubric", default="hebei-county")
    s.add_argument("--out", help="output .csv (UTF-8 with BOM); printed to stdout when absent")

    t = sub.add_parser("template", help="write the Excel input template / 生成 Excel 模板")
    t.add_argument("--rubric", default="hebei-county")
    t.add_argument("--out", required=True, help="output .xlsx")
    m = sub.add_parser("simulate", help="project a preset year by year / 情景预测")
    m.add_argument("--preset", required=True)
    m.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                   help="program.<id>=万元 (every year), program.<id>.<year>=万元, growth.<indicator>=rate")
    m.add_argument("--horizon", type=int)
    m.add_argument("--reading", choices=("assessment", "data"), help="what a tier target's year means")
    m.add_argument("--status-quo", choices=("share", "flat", "plan"), help="what the status quo spends")
    m.add_argument("--out", required=True, help="output .csv or .xlsx")

    br = sub.add_parser("brief", help="a Word briefing (.docx) or slides (.pptx) / 生成 Word 汇报材料或幻灯片")
    br.add_argument("--preset", help="a region preset (a scenario's briefing)")
    br.add_argument("--city", help="a city collection (hengshui, demo-city) instead of a preset")
    br.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", help="as for simulate")
    br.add_argument("--name", default="", help="the scenario's name in the briefing")
    br.add_argument("--lang", choices=("zh", "en"), default="zh")
    br.add_argument("--out", required=True, help="output .docx (Word) or .pptx (slides)")

    o = sub.add_parser("optimize", help="best split of a yearly budget / 预算优化")
    _problem_args(o)
    money = o.add_mutually_exclusive_group(required=True)
    money.add_argument("--budget", type=float, help="万元 in the first year, growing like the status quo / 首年预算")
    money.add_argument("--extra", type=float,
                       help="万元 a year placed on top of today's split, which stays / 只分配新增资金")
    o.add_argument("--relax", type=float, metavar="FACTOR",
                   help="also solve with every bound widened by FACTOR (minimums / FACTOR, maximums x FACTOR) "
                        "and report the gain / 放宽约束倍数")
    o.add_argument("--out", required=True, help="output .csv (allocation) or .xlsx")

    f = sub.add_parser("frontier", help="best objective against the yearly budget / 预算-得分曲线")
    _problem_args(f)
    f.add_argument("--budgets", required=True,
                   help="comma-separated 万元 a year, or FROM:TO:POINTS (e.g. 0:8000:20)")
    f.add_argument("--out", required=True, help="output .csv or .xlsx")

    u = sub.add_parser("uncertainty", help="Monte Carlo ranges and sensitivity / 不确定性分析")
    u.add_argument("--preset", required=True)
    u.add_argument("--n", type=int, default=10_000, help="number of parameter draws")
    u.add_argument("--seed", type=int, default=0)
    u.add_argument("--width", type=float, default=1.0, help="scale every range (0 = deterministic)")
    u.add_argument("--year", type=int, help="target year of the sensitivity analysis")
    u.add_argument("--out", required=True, help="output .xlsx (or .csv: score quantiles and tiers)")

    b = sub.add_parser("min-budget", help="smallest yearly budget reaching a score / 达到目标所需最小预算")
    _problem_args(b)
    b.add_argument("--score", type=float, default=80.0)
    b.add_argument("--confidence", type=float, default=0.8,
                   help="probability of reaching the score over the uncertainty draws (0-1; 0 = central parameters)")
    b.add_argument("--draws", type=int, default=256)

    bt = sub.add_parser("batch", help="every county through Monte Carlo (and robust optimization), on Dask / "
                                      "全部县蒙特卡洛与稳健优化(Dask)")
    bt.add_argument("table", nargs="?", help="a filled template, one row per county (.xlsx/.xls/.ods/.csv)")
    bt.add_argument("--regions", help="a built-in collection instead of a table (hengshui, hebei-synthetic)")
    bt.add_argument("--year", type=int, default=2025, help="target year (the assessment held that year)")
    bt.add_argument("--draws", type=int, default=1000)
    bt.add_argument("--seed", type=int, default=0)
    bt.add_argument("--optimize", action="store_true", help="also the robust split (maximizing P(tier A))")
    bt.add_argument("--budget", type=float, default=0.0,
                    help="万元 a year added to each county's own program budget for --optimize")
    bt.add_argument("--base-year", type=int, help="the table's statistics year (default: the template's)")
    bt.add_argument("--workers", type=int, help="local Dask worker processes (default: one per core; 0: serial)")
    bt.add_argument("--scheduler", help="a Dask scheduler's address, e.g. tcp://host:8786")
    bt.add_argument("--out", required=True, help="output .xlsx or .csv")

    c = sub.add_parser("calibrate-province",
                       help="refit the Hebei county pace to the province's record / 按全省评价结果重新校准县域速度")
    c.add_argument("--out", help="write the comparison with the record (.csv or .xlsx)")
    c.add_argument("--write", action="store_true", help="store the posterior in data/profiles/")
    c.add_argument("--draws", type=int, default=384, help="provinces a round of the fit")
    c.add_argument("--rounds", type=int, default=8, help="rounds of the fit")
    c.add_argument("--seed", type=int, default=0)

    bk = sub.add_parser("backtest", help="fit on the rounds up to a year, predict the later ones / 回测")
    bk.add_argument("--fit-until", type=int, help="last statistics year fitted (default: every origin)")
    bk.add_argument("--horizon", type=int, default=2025)
    bk.add_argument("--out", help="write the table (.csv or .xlsx)")
    return p


def _problem_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--preset", required=True)
    p.add_argument("--year", required=True, type=int,
                   help="target year (a tier target: the assessment held that year, on the previous year's "
                        "statistics, unless --reading data)")
    p.add_argument("--reading", choices=("assessment", "data"), help="what a tier target's year means")
    p.add_argument("--status-quo", choices=("share", "flat", "plan"), help="what the status quo spends")
    p.add_argument("--min", action="append", default=[], metavar="PROGRAM=万元")
    p.add_argument("--max", action="append", default=[], metavar="PROGRAM=万元")
    p.add_argument("--objective", choices=("score", "attainment", "targets_met"))
    p.add_argument("--split", choices=("steady", "smooth", "free"), default="steady",
                   help="steady: one split held across the years (default); smooth: a path from today's split, "
                        "each share moving at most --smooth a year; free: any split each year, one round scored "
                        "/ 分配方式")
    p.add_argument("--smooth", type=float, default=0.3, help="the smooth split's largest yearly move (0-1)")
    p.add_argument("--rounds", type=int, help="rounds scored: the target round and those after it (default 3; free: 1)")
    p.add_argument("--allow-cuts", action="store_true",
                   help="analyse budgets below the status quo (by default raised to it: 只增不减)")


def _rules(args):
    """The plan's rules from the command line (:class:`sim.plan.Rules`)."""
    from .plan import Rules

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
    from .scenarios.overrides import apply
    from .scenarios.presets import check_preset_id

    check_preset_id(args.preset)
    doc = {"preset": args.preset}
    if getattr(args, "reading", None):
        doc["reading"] = args.reading
    if getattr(args, "status_quo", None):
        doc["status_quo"] = args.status_quo
    return apply(doc)


@command
def cmd_optimize(args: argparse.Namespace) -> int:
    from .files.writers import xlsx_bytes
    from .model.simulate import simulate
    from .plan import Options, added_money, optimize, relaxed_bounds

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


def _check_draws(n: int, key: str) -> None:
    """Draws within the bounds every entrance shares (``data/limits.toml`` [uncertainty])."""
    from .inputs.document import limits

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
    from .files.writers import xlsx_bytes
    from .plan import Options, budget_frontier

    out = check_out_path(args.out, (".csv", ".xlsx"))
    sc = _load(args)
    fr = budget_frontier(sc, _budgets(args.budgets), args.year, _bounds(args), args.objective,
                         Options(rules=_rules(args)))
    write_atomic(out, xlsx_bytes({"frontier": fr}) if out.suffix.lower() == ".xlsx" else csv_bytes(fr))
    return 0


@command
def cmd_uncertainty(args: argparse.Namespace) -> int:
    from .files.writers import xlsx_bytes
    from .uncertainty import monte_carlo, sensitivity

    out = check_out_path(args.out, (".csv", ".xlsx"))
    _check_draws(args.n, "--n")
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
    from .plan import BudgetSearch, min_budget

    if not 0 <= args.confidence < 1:
        raise InputError("bad_setting", key="--confidence", value=args.confidence, reason="0 – 1")
    _check_draws(args.draws, "--draws")
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


@command
def cmd_calibrate_province(args: argparse.Namespace) -> int:
    """Refit the growth profile hebei-county's factors to every round of the record
    (:func:`sim.counties.posterior.fit`), print the posterior and how its predictions cover the record;
    with --write store the posterior draws and their means (data/profiles/)."""
    from .counties import posterior, regions
    from .files.writers import xlsx_bytes

    out = check_out_path(args.out, (".csv", ".xlsx")) if args.out else None
    prov = regions.load("hebei-synthetic")
    post = posterior.fit(prov, None, draws=args.draws, rounds=args.rounds, seed=args.seed)
    table = posterior.compare(posterior.predictive(prov, post.draws, 2020, seed=args.seed + 1))
    quant = post.frame().quantile([0.1, 0.5, 0.9]).T.rename(columns=lambda q: f"P{q * 100:.0f}")
    sys.stdout.write(f"posterior of {len(post.frame())} draws, effective sample size {post.ess:.0f}, "
                     f"{post.seconds:.1f} s\n{quant.round(3).to_string()}\n{table.round(2).to_string()}\n")
    if args.write:
        write_posterior(post)
        sys.stdout.write("written: data/profiles/hebei_county_posterior.csv and [theta] of hebei_county.toml\n")
    if out is not None:
        write_atomic(out, xlsx_bytes({"fit": table}) if out.suffix.lower() == ".xlsx" else csv_bytes(table))
    return 0


def write_posterior(post, profile: str = "hebei-county") -> None:
    """Store a posterior: its draws (the profile's ``posterior`` CSV) and their means (the
    profile's [theta] lines), each file written whole or not at all."""
    import re

    from .files.datadir import DATA_DIR
    from .files.loaders import PROFILE_FILES, load_profile

    prof = load_profile(profile)
    frame = post.frame().round(5)
    head = (f"# Posterior draws of the growth profile {profile}'s factors: python -m sim calibrate-province --write "
            f"(sim/counties/posterior.py), seeded; effective sample size {post.ess:.0f}.\n").encode()
    write_atomic(DATA_DIR / prof["posterior"]["file"], head + csv_bytes(frame, bom=False, eol="\n"))
    path = DATA_DIR / PROFILE_FILES[profile]
    text = path.read_text(encoding="utf-8")
    for k, v in post.mean().items():
        text, n = re.subn(rf"(?m)^{k} = [0-9.eE+-]+$", f"{k} = {v:.4f}", text, count=1)
        if n == 0:
            text = text.replace("[theta]\n", f"[theta]\n{k} = {v:.4f}\n", 1)
    write_atomic(path, text.encode("utf-8"))


@command
def cmd_backtest(args: argparse.Namespace) -> int:
    """Fit the dynamics on the rounds up to --fit-until (or every origin) and print how the
    predictions' 80% bands cover the later published rounds."""
    from .counties import backtest
    from .files.writers import xlsx_bytes

    out = check_out_path(args.out, (".csv", ".xlsx")) if args.out else None
    if args.fit_until is not None and args.fit_until not in backtest.ORIGINS:
        raise InputError("bad_setting", key="--fit-until", value=args.fit_until,
                         reason=" / ".join(map(str, backtest.ORIGINS)))
    if args.fit_until is None:
        table = backtest.rolling(horizon=args.horizon)
    else:
        table = backtest.run(args.fit_until, horizon=args.horizon).table.assign(origin=args.fit_until)
    sys.stdout.write(table.round(2).to_string() + f"\n80% bands cover {backtest.coverage(table):.0%} "
                     f"of {len(table)} published figures\n")
    if out is not None:
        write_atomic(out, xlsx_bytes({"backtest": table}) if out.suffix.lower() == ".xlsx" else csv_bytes(table))
    return 0


def apply_settings(sc, settings: list[str]):
    """Apply ``--set KEY=VALUE`` items to a scenario (see ``simulate --help``); every value passes
    the scenario document's schema (:mod:`sim.inputs.document`: finite, within its bounds)."""
    from .inputs.document import validate as _validate

    def validate(doc: dict) -> None:  # the schema's verdict, named by the user's own key
        try:
            _validate(doc)
        except InputError as exc:
            raise InputError("bad_setting", key=key, value=raw, reason=exc.params.get("reason", "")) from None

    for item in settings:
        key, sep, raw = item.partition("=")
        if not sep:
            raise InputError("bad_setting", key=item, value="", reason="KEY=VALUE")
        text = raw.strip().rstrip("%")
        try:
            value = float(text) / (100 if raw.strip().endswith("%") else 1)
        except ValueError:
            raise InputError("bad_setting", key=key, value=raw, reason="not a number / 不是数字") from None
        parts = key.strip().split(".")
        if parts[0] == "program" and len(parts) in (2, 3):
            validate({"preset": sc.preset_id, "spend": {parts[1]: value}})
            year = None
            if len(parts) == 3:
                if not parts[2].isdigit() or int(parts[2]) not in sc.years:
                    raise InputError("bad_setting", key=key, value=raw,
                                     reason=f"year {parts[2]} not in {sc.years[0]}-{sc.years[-1]}")
                year = int(parts[2])
            sc = sc.with_spend(parts[1], value, year)
        elif parts[0] == "growth" and len(parts) == 2:
            validate({"preset": sc.preset_id, "growth": {parts[1]: value}})
            sc = sc.with_growth(parts[1], value)
        else:
            known = [f"program.{p}" for p in sc.programs] + [f"growth.{g}" for g in sc.growth]
            raise InputError("unknown_key", key=key, known=", ".join(known))
    return sc


@command
def cmd_simulate(args: argparse.Namespace) -> int:
    from .files.writers import xlsx_bytes
    from .model.simulate import inputs_frame, simulate
    from .scenarios.presets import check_preset_id, load_preset

    out = check_out_path(args.out, (".csv", ".xlsx"))
    check_preset_id(args.preset)
    sc = load_preset(args.preset)
    if args.status_quo:
        sc = sc.with_status_quo_mode(args.status_quo)
    if args.reading:
        sc = sc.replace(tier_reading=args.reading)
    if args.horizon is not None:
        sc = sc.with_horizon(args.horizon)
    sc = apply_settings(sc, args.set)
    proj = simulate(sc)
    if out.suffix.lower() == ".xlsx":
        spend = pd.DataFrame(sc.spend_matrix(), index=pd.Index(sc.programs, name="program"),
                             columns=sc.years)
        payload = xlsx_bytes({"indicators": proj.indicators, "scores": proj.scores,
                              "attainment": proj.attainment, "spend_万元": spend,
                              "inputs": inputs_frame(sc)})
    else:
        payload = csv_bytes(proj.indicators.join(proj.scores).reset_index())
    write_atomic(out, payload)
    return 0


@command
def cmd_score(args: argparse.Namespace) -> int:
    """Score every region of a table, streamed in chunks of rows (a CSV of 361,565 counties
    never sits in memory whole); the output appears only when every row passed."""
    rubric = load_rubric(args.rubric)
    out = check_out_path(args.out, (".csv",)) if args.out else None
    with (atomic_file(out) if out else tempfile.TemporaryFile()) as fh:
        for i, chunk in enumerate(iter_table(args.input)):
            regions, values = scoring_input(rubric, chunk)
            frame = score(rubric, values).to_frame()
            frame.insert(0, "region", regions)
            fh.write(csv_bytes(frame, header=i == 0, bom=bool(out) and i == 0, eol="\r\n" if out else "\n"))
        if out is None:  # every row passed: now the scores go to stdout
            fh.seek(0)
            shutil.copyfileobj(io.TextIOWrapper(fh, encoding="utf-8", newline=""), sys.stdout)
    return 0


@command
def cmd_brief(args: argparse.Namespace) -> int:
    """Write the briefing (report.briefing) of a preset's scenario or of a city."""
    from .files.errors import check as check_text
    from .scenarios.presets import check_preset_id, load_preset

    out = check_out_path(args.out, (".docx", ".pptx"))
    if (args.preset is None) == (args.city is None):
        raise InputError("bad_setting", key="--preset / --city", value="-", reason="give one of them")
    slides = out.suffix.lower() == ".pptx"  # the writer by the extension: Word or slides
    if slides and args.city:
        raise InputError("bad_setting", key="--out", value=".pptx", reason="slides are of a scenario (--preset)")
    from report.briefing import city_briefing, scenario_briefing  # the report layer sits on sim
    from report.slides import scenario_slides

    if args.city:
        from .counties import regions

        payload = city_briefing(regions.load(args.city), lang=args.lang)
    else:
        check_preset_id(args.preset)
        name = check_text(args.name, "--name")
        sc = apply_settings(load_preset(args.preset), args.set)
        payload = (scenario_slides if slides else scenario_briefing)(sc, args.lang, name=name)
    write_atomic(out, payload)
    return 0


@command
def cmd_batch(args: argparse.Namespace) -> int:
    """Run every county of a table or collection through :func:`sim.counties.batch.run`, a progress bar
    on stderr; the file is written only when every county finished."""
    from .counties import batch, regions
    from .files.writers import xlsx_bytes
    from .inputs.tables import read_table

    out = check_out_path(args.out, (".csv", ".xlsx"))
    if (args.table is None) == (args.regions is None):
        raise InputError("bad_setting", key="table / --regions", value="-", reason="give one of them")
    _check_draws(args.draws, "--draws")
    if args.workers is not None and args.workers < 0:
        raise InputError("bad_setting", key="--workers", value=str(args.workers), reason=">= 0")
    rg = regions.load(args.regions) if args.regions else regions.from_table(read_table(args.table),
                                                                           base_year=args.base_year)
    bar = _progress_bar(sys.stderr)
    table = batch.run(rg, args.year, args.draws, args.seed, args.budget if args.optimize else None,
                      args.workers, args.scheduler, bar)
    sys.stderr.write("\n")
    write_atomic(out, xlsx_bytes({"counties": table}) if out.suffix.lower() == ".xlsx" else csv_bytes(table))
    n_a = float(table["P_A"].sum())
    sys.stdout.write(f"{len(table)} counties, {args.draws} draws each: expected A counties {n_a:.1f}"
                     + (f" -> {table['optimized_P_A'].sum():.1f} with the robust splits" if args.optimize else "")
                     + "\n")
    return 0


def _progress_bar(stream, width: int = 30):
    """A text progress bar: ``bar(done, total)`` redraws one line."""
    def bar(done: int, total: int) -> None:
        k = int(width * done / max(total, 1))
        stream.write(f"\r[{'#' * k}{'.' * (width - k)}] {done}/{total}")
        stream.flush()
    return bar


@command
def cmd_template(args: argparse.Namespace) -> int:
    rubric = load_rubric(args.rubric)
    out = check_out_path(args.out, (".xlsx",))
    write_atomic(out, template_bytes(rubric, load_rubric_example(args.rubric)))
    return 0


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except InputError as exc:
        sys.stderr.write(exc.both() + "\n")
        return 2
