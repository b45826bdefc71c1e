"""Charts to PNG in a child process, so that a renderer's crash costs a chart, never the server.

vl-convert (Rust) aborts the whole process on some inputs (a panic that cannot unwind, e.g. a
control character in a label): the Python process that called it gets SIGABRT, and under
Streamlit every session of every user would lose its connection. Texts are checked at every
entrance (:mod:`sim.files.text`) so that this should not happen, and the specifications' strings are
cleaned again here; rendering still runs in a child process (``python -m report.render``: a
JSON list of Vega-Lite specifications on stdin, one base64 PNG per line on stdout), so that if a
renderer fails anyway only that chart is missing and the document says so.

A child starts in about 0.3 s and renders a briefing's two or three charts in one run.
"""
from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FONT_DIRS = ("/usr/share/fonts", "/usr/local/share/fonts")
SCALE = 2  # device pixels per CSS pixel: sharp in print
TIMEOUT = 120  # seconds for one child: a briefing's charts take about one


def _clean(value):
    """Every string of a specification without the characters no renderer accepts."""
    from sim.files.text import clean

    if isinstance(value, str):
        return clean(value)
    if isinstance(value, list):
        return [_clean(v) for v in value]
    if isinstance(value, dict):
        return {_clean(k): _clean(v) for k, v in value.items()}
    return value


def pngs(specs: list[dict]) -> list[bytes | None]:
    """PNGs of Vega-Lite specifications (dicts), rendered in child processes; None for a chart
    that could not be rendered (the child failed on it: the others are still rendered)."""
    out: list[bytes | None] = []
    todo = [_clean(s) for s in specs]
    while todo:
        done = _child(todo)
        out += done
        todo = todo[len(done):]
        if todo:  # the child stopped at this one: skip it, render the rest in a new child
            out.append(None)
            todo = todo[1:]
    return out


def _child(specs: list[dict]) -> list[bytes]:
    """The PNGs a child wrote before it finished or failed (in order)."""
    try:
        proc = subprocess.run([sys.executable, "-m", "report.render"], input=json.dumps(specs).encode(),
                              capture_output=True, timeout=TIMEOUT, cwd=ROOT,
                              env={**os.environ, "RUST_BACKTRACE": "0"})
        lines = proc.stdout.splitlines()
    except (subprocess.TimeoutExpired, OSError):
        return []
    return [base64.b64decode(line) for line in lines if line.strip()]


def main() -> int:
    """The child: specifications (a JSON list) on stdin, one base64 PNG a line on stdout."""
    import vl_convert as vlc

    for d in FONT_DIRS:
        if os.path.isdir(d):
            vlc.register_font_directory(d)
    for spec in json.loads(sys.stdin.buffer.read()):
        sys.stdout.write(base64.b64encode(vlc.vegalite_to_png(spec, scale=SCALE)).decode() + "\n")
        sys.stdout.flush()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
