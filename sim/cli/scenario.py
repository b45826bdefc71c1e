"""One scenario or one table from the command line: ``simulate`` (with ``--set``) and ``score``."""
from __future__ import annotations

import argparse
import io
import shutil
import sys
import tempfile

import pandas as pd

from sim.files.errors import InputError
from sim.files.writers import atomic_file, check_out_path, csv_bytes, write_atomic
from sim.inputs.cells import scoring_input
from sim.inputs.tables import iter_table
from sim.model.rubric import load_rubric
from sim.model.rubric import score
from .parser import command


def apply_settings(sc, settings: list[str]):
    """Apply ``--set KEY=VALUE`` items to a scenario (see ``simulate --help``); every value passes
    the scenario document's schema (:mod:`sim.inputs.document`: finite, within its bounds)."""
    from sim.inputs.document import validate as _validate

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
    from sim.files.writers import xlsx_bytes
    from sim.model.simulate import inputs_frame, simulate
    from sim.scenarios.presets import check_preset_id, load_preset

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
