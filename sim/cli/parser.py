"""The command line's parser: every command and its options, and the registry the
commands' modules fill (:func:`command`)."""
from __future__ import annotations

import argparse
import sys

from typing import Callable



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
    c.add_argument("--draws", type=int, help="provinces a round of the fit (default: FitOptions', 384)")
    c.add_argument("--rounds", type=int, help="rounds of the fit (default: FitOptions', 8)")
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
