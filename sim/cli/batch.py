"""``batch`` (counties through Monte Carlo and robust optimization, on Dask) and ``template``."""
from __future__ import annotations

import argparse
import sys


from sim.files.errors import InputError
from sim.files.loaders import load_rubric_example
from sim.files.writers import check_out_path, csv_bytes, write_atomic
from sim.inputs.tables import template_bytes
from sim.model.rubric import load_rubric
from .parser import command
from .plans import check_draws


@command
def cmd_batch(args: argparse.Namespace) -> int:
    """Run every county of a table or collection through :func:`sim.counties.batch.run`, a progress bar
    on stderr; the file is written only when every county finished."""
    from sim.counties import batch, regions
    from sim.files.writers import xlsx_bytes
    from sim.inputs.tables import read_table

    out = check_out_path(args.out, (".csv", ".xlsx"))
    if (args.table is None) == (args.regions is None):
        raise InputError("bad_setting", key="table / --regions", value="-", reason="give one of them")
    check_draws(args.draws, "--draws")
    if args.workers is not None and args.workers < 0:
        raise InputError("bad_setting", key="--workers", value=str(args.workers), reason=">= 0")
    rg = regions.load(args.regions) if args.regions else regions.from_table(read_table(args.table),
                                                                           base_year=args.base_year)
    bar = _progress_bar(sys.stderr)
    table = batch.run(rg, args.year, args.draws, args.seed, args.budget if args.optimize else None,
                      batch.Execution(args.workers, args.scheduler, bar))
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
