"""Hostile uploads before and after the streaming readers (prints figures; not a test).

Every case of tests/test_hostile_files.py (and the template filled for all 2,844 county-level
units, as a reference) is read by ``table_from_bytes`` in a child process of its own: once with
``sim/inputs/tables.py`` as it was at BEFORE (openpyxl's read-only reader twice, pandas' odf reader,
xlrd with full rows, pandas' CSV reader unguarded), once with the current code. A child runs
under an address-space cap (3 GB: the old readers end in MemoryError there instead of taking the
machine) and is killed after 60 s. Figures: seconds of reading (on the clock, and of CPU: the
clock counts other work on the machine too), peak resident memory of the child (VmHWM, imports
included: about 130 MB), and what the user is told.

Run: .venv/bin/python bench/bench_hostile.py [case ...] [--new-only] [--before REV]
"""
from __future__ import annotations

import io
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from tests.test_hostile_files import CASES, measure  # noqa: E402

BEFORE = "bcc4af7"  # the last commit with the earlier readers
CAP = 3 << 30       # address space of a child, bytes
TIMEOUT = 60.0      # seconds before a child is killed


def national() -> tuple[str, bytes, str]:
    """The template's columns filled for 2,844 regions (random values), as .xlsx: a large real upload."""
    from sim.files.loaders import load_rubric_example
    from sim.files.writers import xlsx_bytes
    from sim.inputs.tables import table_from_bytes, template_bytes
    from sim.model.rubric import load_rubric
    from tests.support import random_table

    rubric = load_rubric("hebei-county")
    header = table_from_bytes(template_bytes(rubric, load_rubric_example()), "t.xlsx").columns
    frame = random_table(rubric, 2844, 1)
    for c in header:
        if c not in frame.columns:
            frame[c] = 1000.0
    return "national.xlsx", xlsx_bytes({"数据": frame}), "ok"


def national_ods() -> tuple[str, bytes, str]:
    name, data, _ = national()
    from sim.inputs.tables import table_from_bytes

    buf = io.BytesIO()
    table_from_bytes(data, name).to_excel(buf, index=False, engine="odf")
    return "national.ods", buf.getvalue(), "ok"


def old_source(rev: str, folder: Path) -> str:
    """The reader as it was at ``rev``: sim/tables.py then (before sim/ had packages; now
    sim/inputs/tables.py), written to a file the child can exec."""
    path = folder / "old_tables.py"
    path.write_bytes(subprocess.run(["git", "show", f"{rev}:sim/tables.py"], cwd=ROOT, check=True,
                                    capture_output=True).stdout)
    return str(path)


def said(answer: dict) -> str:
    """What the user sees: the message (English) or what went wrong."""
    if answer["result"] == "ok":
        return f"read: {answer['shape'][0]:,} rows x {answer['shape'][1]:,} columns, last row {answer['last_row']:,}"
    if answer["result"] == "timeout":
        return f"still reading after {TIMEOUT:.0f} s (killed)"
    if answer["result"] == "MemoryError":
        return f"MemoryError at the {CAP >> 30} GB cap"
    return f"{answer['result']}: {answer.get('en', '')}"[:150]


def row(label: str, size: int, answer: dict) -> str:
    seconds = f">{TIMEOUT:.0f}" if answer["result"] == "timeout" else f"{answer['seconds']:.2f}"
    cpu = "-" if answer.get("cpu_seconds") is None else f"{answer['cpu_seconds']:.2f}"
    return f"{label:<6} {size / 1e3:>9,.1f} {seconds:>7} {cpu:>6} {answer['peak_mb']:>8,.0f}  {said(answer)}"


def main() -> None:
    args = sys.argv[1:]
    new_only = "--new-only" in args
    rev = args[args.index("--before") + 1] if "--before" in args else BEFORE
    names = [a for a in args if not a.startswith("--") and a != rev] or ["national_xlsx", "national_ods", *CASES]
    builders = {"national_xlsx": national, "national_ods": national_ods}
    with tempfile.TemporaryDirectory() as folder:
        old = None if new_only else old_source(rev, Path(folder))
        print(f"{'case':<6} {'file kB':>9} {'seconds':>7} {'cpu s':>6} {'peak MB':>8}  what the user is told")
        for case in names:
            if case in builders:
                name, data, expected = builders[case]()
            else:
                name, build, expected = CASES[case]
                data = build()
            print(f"{case} (expected: {expected})", flush=True)
            if old is not None:
                print(row("before", len(data), measure(data, name, old=old, timeout=TIMEOUT, cap=CAP)), flush=True)
            print(row("after", len(data), measure(data, name, timeout=TIMEOUT, cap=CAP)), flush=True)


if __name__ == "__main__":
    main()
