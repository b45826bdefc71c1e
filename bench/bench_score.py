"""Scoring a large table from the command line (prints figures; not a test): 361,565 regions
(the issue's 50 MB CSV) with the template's Chinese headers, scored by ``python -m sim score``
in a child process; wall time and the child's peak resident memory (ru_maxrss).

The file limits are raised for the run (SIM_MAX_UPLOAD_MB=100, SIM_MAX_ROWS=400000): the
defaults (data/limits.toml) refuse such a file on purpose.
Run: .venv/bin/python bench/bench_score.py [rows]
"""
from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from sim.model.rubric import load_rubric  # noqa: E402
from tests.support import random_table  # noqa: E402

ROWS = 361_565  # with these value ranges, a CSV of about 50 MB: the file


def table(n: int, seed: int = 11) -> pd.DataFrame:
    """n valid regions under the template's headers (中文名(单位)), values drawn at random."""
    return random_table(load_rubric("hebei-county"), n, seed, names="县{i:06d}")


def main() -> None:
    if sys.argv[1:2] == ["--make"]:  # the table is made in a child of its own (see below)
        table(int(sys.argv[3])).to_csv(sys.argv[2], index=False, encoding="utf-8")
        return
    n = int(sys.argv[1]) if len(sys.argv) > 1 else ROWS
    folder = Path(tempfile.mkdtemp())
    src, out = folder / "counties.csv", folder / "scores.csv"
    # made in another process: a child forked from a process holding the table would count the
    # parent's pages in its peak resident memory
    subprocess.run([sys.executable, __file__, "--make", str(src), str(n)], check=True)
    env = {**os.environ, "SIM_MAX_UPLOAD_MB": "100", "SIM_MAX_ROWS": "400000", "PYTHONPATH": str(ROOT)}
    t0 = time.perf_counter()
    child = subprocess.Popen([sys.executable, "-m", "sim", "score", str(src), "--out", str(out)],
                             cwd=ROOT, env=env, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(child.pid, 0)  # this child's own resource usage
    seconds = time.perf_counter() - t0
    peak_mb = usage.ru_maxrss / 1024  # Linux: KiB
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(child.stderr.read().decode())
    scored = sum(1 for _ in out.open(encoding="utf-8-sig")) - 1
    print(f"score {n:,} rows ({src.stat().st_size / 1e6:.1f} MB CSV -> {scored:,} scored): "
          f"{seconds:.2f} s wall, peak {peak_mb:.0f} MB resident (whole process, Python included)")


if __name__ == "__main__":
    main()
