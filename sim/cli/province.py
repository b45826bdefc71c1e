"""The province from the command line: ``calibrate-province`` (and the posterior it writes)
and ``backtest``."""
from __future__ import annotations

import argparse
import sys


from sim.files.errors import InputError
from sim.files.writers import check_out_path, csv_bytes, write_atomic
from .parser import command


@command
def cmd_calibrate_province(args: argparse.Namespace) -> int:
    """Refit the growth profile hebei-county's factors to every round of the record
    (:func:`sim.counties.posterior.fit`), print the posterior and how its predictions cover the record;
    with --write store the posterior draws and their means (data/profiles/)."""
    from sim.counties import posterior, regions
    from sim.files.writers import xlsx_bytes

    out = check_out_path(args.out, (".csv", ".xlsx")) if args.out else None
    prov = regions.load("hebei-synthetic")
    d = posterior.FitOptions()
    options = posterior.FitOptions(draws=args.draws or d.draws, rounds=args.rounds or d.rounds, seed=args.seed)
    post = posterior.fit(prov, None, options=options)
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

    from sim.files.datadir import DATA_DIR
    from sim.files.loaders import PROFILE_FILES, load_profile

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
    from sim.counties import backtest
    from sim.files.writers import xlsx_bytes

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
