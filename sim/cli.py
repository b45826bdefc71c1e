"""``python -m sim``: batch work from the command line (score, template, ...).

Bad input exits with status 2 and one message in Chinese and English, never a traceback, and
writes nothing to ``--out``.
"""
from __future__ import annotations

import argparse
import sys
from typing import Callable

from .errors import InputError
from .loaders import load_rubric, load_rubric_example
from .rubric import score
from .tables import (check_out_path, csv_bytes, read_table, scoring_input, template_bytes,
                     write_atomic)

COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {}


def command(fn: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
    COMMANDS[fn.__name__.removeprefix("cmd_")] = fn
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
    return p


@command
def cmd_score(args: argparse.Namespace) -> int:
    rubric = load_rubric(args.rubric)
    if args.out:
        check_out_path(args.out, (".csv",))
    regions, values = scoring_input(rubric, read_table(args.input))
    frame = score(rubric, values).to_frame()
    frame.insert(0, "region", regions)
    if args.out:
        write_atomic(args.out, csv_bytes(frame))
    else:
        sys.stdout.write(frame.to_csv(index=False))
    return 0


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
