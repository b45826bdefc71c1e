"""The bench scripts are run by hand, not by the suite (they take minutes and print figures), so a
change to the package's API could break one unnoticed (it happened: bench/bench_uncertainty.py
called ``optimize(..., robust=..., draws=...)`` for two weeks after that signature had gone).
This checks, without running them, every call a bench script makes to this project's own code
(``sim``, ``ui``, ``report``, ``tests``) and to its own functions: the function or class it names
exists, and it takes the keywords and the number of positional arguments given."""
from __future__ import annotations

import ast
import importlib.util
import inspect
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
OURS = ("sim", "ui", "report", "tests")
SCRIPTS = sorted(p for p in (ROOT / "bench").glob("*.py") if p.name != "trivial_app.py")


def _resolve(node: ast.expr, scope: dict):
    """The object a call's function expression names through the module's globals (``f``,
    ``mod.f``, ``pkg.mod.Class``), or None when it starts from anything else (a local, a call)."""
    names = []
    while isinstance(node, ast.Attribute):
        names.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name) or node.id not in scope:
        return None
    obj = scope[node.id]
    for name in reversed(names):
        if not hasattr(obj, name):
            mod = getattr(obj, "__name__", "")
            if inspect.ismodule(obj) and mod.split(".")[0] in OURS:
                raise AttributeError(f"{mod} has no {name!r}")
            return None
        obj = getattr(obj, name)
    return obj


def _ours(obj, script: str) -> bool:
    """A function or class of this project's packages or of the script itself (module ``script``)."""
    mod = getattr(obj, "__module__", None) or ""
    return (mod == script or mod.split(".")[0] in OURS) and (inspect.isfunction(obj) or inspect.isclass(obj))


def problems(path: Path) -> list[str]:
    """Each call of the script to this project's code whose arguments its signature refuses."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    spec = importlib.util.spec_from_file_location(f"bench_check_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # its imports and definitions; main() is not called
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Call):
            continue
        where = f"{path.name}:{node.lineno}"
        try:
            obj = _resolve(node.func, vars(module))
        except AttributeError as e:
            out.append(f"{where}: {e}")
            continue
        if obj is None or not _ours(obj, module.__name__):
            continue
        if any(isinstance(a, ast.Starred) for a in node.args) or any(k.arg is None for k in node.keywords):
            continue  # *args or **kwargs: what they hold is known only at run time
        try:
            sig = inspect.signature(obj)
        except (TypeError, ValueError):
            continue
        try:
            sig.bind_partial(*[None] * len(node.args), **{k.arg: None for k in node.keywords})
        except TypeError as e:
            out.append(f"{where}: {ast.unparse(node.func)}(...): {e}")
    return out


@pytest.mark.parametrize("path", SCRIPTS, ids=[p.stem for p in SCRIPTS])
def test_a_bench_script_calls_the_package_as_it_is(path):
    assert not problems(path)


def test_the_check_sees_a_call_the_package_no_longer_takes(tmp_path):
    """The check itself: a script calling ``optimize`` with keywords it does not take (bench_uncertainty's
    old call), a name the package lacks, or its own function with too many arguments is caught."""
    bad = tmp_path / "probe.py"
    bad.write_text("from sim.plan import optimize\nimport sim\n\n\ndef helper(a):\n    return a\n\n\ndef main():\n"
                   "    optimize(None, 2000, 2025, robust='p10', draws=48)\n    sim.no_such_function()\n"
                   "    helper(1, 2)\n", encoding="utf-8")
    found = problems(bad)
    assert any("optimize" in p and "robust" in p for p in found), found
    assert any("no_such_function" in p for p in found), found
    assert any("helper" in p and "too many positional" in p for p in found), found
