"""The child that reads one hostile file (tests/test_hostile_files.py, bench/bench_hostile.py):
``table_from_bytes`` under an address-space cap, its answer written as JSON. Run as a program of
its own (``python -m tests.hostile_reader path name old cap out``: peak memory counts its imports)
or forked from a process that has imported this module (the test's cases: no imports to pay)."""
from __future__ import annotations

import importlib
import json
import resource
import sys
import time
import types

import sim.inputs.tables
from sim.files.errors import InputError


def hwm(pid: int | str = "self") -> float:
    """Peak resident MB (VmHWM) of process ``pid``, this one by default (ru_maxrss would count a
    forking parent's pages too)."""
    with open(f"/proc/{pid}/status") as fh:
        return int(fh.read().split("VmHWM:")[1].split()[0]) / 1024


def _old_module(old: str) -> types.ModuleType:
    """The reader module as it was (bench/bench_hostile.py), its relative imports from sim's flat layout of then."""
    for was, now in (("errors", "files.errors"), ("text", "files.text"), ("loaders", "files.loaders"),
                     ("rubric", "model.rubric"), ("document", "inputs.document")):
        sys.modules["sim." + was] = importlib.import_module("sim." + now)
    tables = types.ModuleType("sim._old_tables")
    tables.__package__ = "sim"
    with open(old, encoding="utf-8") as fh:
        exec(compile(fh.read(), old, "exec"), tables.__dict__)
    return tables


def read(path: str, name: str, old: str, cap: int, out: str) -> None:
    """Read the file at ``path`` as ``name`` (with the module at ``old`` when given) under ``cap``
    bytes of address space; write to ``out`` the answer ("result": "ok" or the error's code), the
    seconds and CPU seconds of reading, and VmHWM before ("base_mb") and after ("peak_mb")."""
    resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
    tables = _old_module(old) if old else sim.inputs.tables
    with open(path, "rb") as fh:
        data = fh.read()
    answer = {"base_mb": hwm()}
    t0, c0 = time.perf_counter(), time.process_time()
    try:
        frame = tables.table_from_bytes(data, name)
        answer.update(result="ok", shape=list(frame.shape), last_row=int(frame.index[-1]))
    except InputError as exc:
        answer.update(result=exc.code, en=exc.message("en"), zh=exc.message("zh"))
    except MemoryError:
        answer.update(result="MemoryError")
    except Exception as exc:  # noqa: BLE001  (a reader's failure is the answer being measured)
        answer.update(result=type(exc).__name__, en=str(exc)[:200])
    answer["seconds"], answer["cpu_seconds"] = time.perf_counter() - t0, time.process_time() - c0
    answer["peak_mb"] = hwm()
    with open(out, "w", encoding="utf-8") as fh:
        json.dump(answer, fh)


if __name__ == "__main__":
    path, name, old, cap, out = sys.argv[1:6]
    read(path, name, old, int(cap), out)
