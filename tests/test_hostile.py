"""Hostile and heavy input: every case ends in a clear message or a correct result, within a
time and memory bound, and never hurts the server or other users.

Cases are named after what they attack. Documents go through ``sim.scenarios.overrides.parse`` and
``apply`` (the path of links, imports, the saved store and the CLI's ``--set``)."""
from __future__ import annotations

import ctypes
import io
import json
import time
import tracemalloc
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import sim
from sim.files.errors import InputError
from sim.files.writers import csv_bytes, inert, xlsx_bytes
from sim.inputs.cells import scoring_input
from sim.inputs.tables import table_from_bytes
from sim.scenarios import overrides

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
TIME_LIMIT = 5.0       # seconds for any one document
MEMORY_LIMIT = 64e6    # bytes traced while handling one document

DOCUMENTS = {
    "spend_as_list": '{"preset":"demo","spend":[1,2]}',
    "management_as_list": '{"preset":"demo","management":[1]}',
    "growth_as_string": '{"preset":"demo","growth":"fast"}',
    "region_as_string": '{"preset":"demo","region":"x"}',
    "region_values_as_list": '{"preset":"demo","region":{"name":"x","values":[1]}}',
    "base_as_list": '{"preset":"demo","base":[1]}',
    "horizon_1e308": '{"preset":"demo","horizon":1e308}',
    "horizon_2e7_builds_huge_lists": '{"preset":"demo","horizon":20000000}',
    "horizon_1e9_exhausts_memory": '{"preset":"demo","horizon":1000000000}',
    "horizon_fractional": '{"preset":"demo","horizon":2030.7}',
    "horizon_as_bool": '{"preset":"demo","horizon":true}',
    "growth_1e308_overflows_json_numbers": '{"preset":"demo","growth":{"gdp":1e308}}',
    "growth_1e10": '{"preset":"demo","growth":{"gdp":1e10}}',
    "growth_1e100": '{"preset":"demo","growth":{"gdp":1e100}}',
    "spend_1_2e308_overflows": '{"preset":"demo","spend":{"talent":1.2e308}}',
    "spend_1e300": '{"preset":"demo","spend":{"talent":1e300}}',
    "spend_negative": '{"preset":"demo","spend":{"talent":-5}}',
    "spend_nan": '{"preset":"demo","spend":{"talent":NaN}}',
    "spend_infinity": '{"preset":"demo","spend":{"talent":Infinity}}',
    "spend_list_of_thousands": '{"preset":"demo","spend":{"talent":[' + ",".join(["1"] * 5000) + "]}}",
    "integer_of_5000_digits": '{"preset":"demo","spend":{"talent":' + "9" * 5000 + "}}",
    "nested_1500_brackets_recursion": '{"preset":"demo","x":' + "[" * 1500 + "]" * 1500 + "}",
    "nested_objects_in_strings_are_fine": '{"preset":"demo","name":"[[[[[[[[[[{{{{{{"}',
    "name_with_control_characters": '{"preset":"demo","name":"a\\u0000b"}',
    "name_too_long": '{"preset":"demo","name":"' + "长" * 200 + '"}',
    "unknown_preset": '{"preset":"../../etc/passwd"}',
    "preset_as_number": '{"preset":5}',
    "ten_thousand_keys": '{"preset":"demo","growth":{' + ",".join(f'"k{i}":0.01' for i in range(10000)) + "}}",
    "text_of_ten_megabytes": '{"preset":"demo","name":"' + "x" * 10_000_000 + '"}',
    "not_an_object": "[1, 2, 3]",
    "not_json": "{preset: demo",
    "empty": "",
    "bytes_not_utf8": b"\xff\xfe\x00\x01",
}


def _handle(text) -> str:
    """'ok' or the InputError's code; anything else fails the test."""
    try:
        sc = overrides.apply(overrides.parse(text))
    except InputError as exc:
        assert exc.message("zh") and exc.message("en")
        return exc.code
    assert isinstance(sc, sim.Scenario)
    return "ok"


def _status_kb(key: str) -> int:
    """A line of /proc/self/status in kB (VmRSS: resident now; VmHWM: its peak since the reset)."""
    with open("/proc/self/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith(key + ":"))


def _libc_trim():
    try:
        return ctypes.CDLL("libc.so.6").malloc_trim
    except (OSError, AttributeError):  # not glibc
        return None


_TRIM = _libc_trim()


def _reset_peak() -> bool:
    """Give the heap's free memory back to the system (glibc's malloc_trim: a blow-up reusing
    memory the process freed earlier in the run would touch no new page) and set this process's
    resident peak (VmHWM) back to what it holds now (Linux's clear_refs 5); False where that file
    cannot be written."""
    if _TRIM is not None:
        _TRIM(0)
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def _bounded(fn, *args, traced: bool = True):
    """``fn(*args)`` within TIME_LIMIT seconds and MEMORY_LIMIT bytes, by two measures: the
    growth of the process's resident peak over it (every call: a blow-up touches new pages), and,
    when ``traced``, the peak of Python's and numpy's allocations (tracemalloc, which also sees
    memory the process held already; it makes a call about 4x slower, so the thousand-example
    property tests trace one example in five)."""
    peaked = _reset_peak()
    traced = traced or not peaked
    rss0 = _status_kb("VmRSS")
    if traced:
        tracemalloc.start()
    t0 = time.perf_counter()
    try:
        out = fn(*args)
    finally:
        seconds = time.perf_counter() - t0
        if traced:
            peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
        grown = (_status_kb("VmHWM") - rss0) * 1024 if peaked else 0
    assert seconds < TIME_LIMIT, seconds
    assert grown < MEMORY_LIMIT, f"resident memory grew {grown / 1e6:.0f} MB"
    if traced:
        assert peak < MEMORY_LIMIT, f"{peak / 1e6:.0f} MB allocated"
    return out


def test_the_bound_refuses_a_blow_up_by_either_measure():
    """A call that builds 160 MB fails the bound traced and untraced (the resident peak alone)."""
    for traced in (True, False):
        with pytest.raises(AssertionError, match="MB"):
            _bounded(lambda: len([0.5] * 20_000_000), traced=traced)
    assert _bounded(lambda: len([0.5] * 1000), traced=False) == 1000


@pytest.mark.parametrize("case", list(DOCUMENTS), ids=list(DOCUMENTS))
def test_hostile_documents_end_in_a_message_within_bounds(case):
    got = _bounded(_handle, DOCUMENTS[case])
    expected_ok = {"nested_objects_in_strings_are_fine"}
    assert (got == "ok") == (case in expected_ok), got


def test_a_message_names_the_field():
    with pytest.raises(InputError) as e:
        overrides.parse('{"preset":"demo","spend":{"talent":[1, 2, "x"]}}')
    assert "spend.talent" in e.value.message("en") and "spend.talent" in e.value.message("zh")
    with pytest.raises(InputError) as e:
        overrides.parse('{"preset":"demo","horizon":2030.7}')
    assert "horizon" in e.value.message("en") and "2030.7" in e.value.message("en")


def test_the_cli_set_uses_the_same_bounds(tmp_path, capsys):
    from sim.cli import main

    for item in ("program.talent=1e300", "growth.gdp=1e10", "program.talent=nan"):
        assert main(["simulate", "--preset", "demo", "--set", item, "--out", str(tmp_path / "x.csv")]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and not (tmp_path / "x.csv").exists()


# ---------------------------------------------------------------------- property-based
JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
                    lambda children: st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=10),
                                                                                      children, max_size=5),
                    max_leaves=30)
KEYS = ["format", "name", "preset", "region", "horizon", "status_quo", "reading", "spend", "growth", "management",
        "base", "saved_at"]
NUMBER = st.integers(-10 ** 12, 10 ** 12) | st.floats(allow_nan=True, allow_infinity=True)
PROGRAMS = list(sim.load_preset("demo").programs)
PLAUSIBLE = st.fixed_dictionaries(
    {"preset": st.sampled_from(["demo", "handan", "xiangtan", "nowhere"])},
    optional={"horizon": st.integers(1900, 2100) | NUMBER,
              "spend": st.dictionaries(st.sampled_from(PROGRAMS + ["x"]), NUMBER | st.lists(NUMBER, max_size=12),
                                       max_size=3),
              "growth": st.dictionaries(st.sampled_from(["gdp", "tech_smes", "registered_firms", "y"]), NUMBER,
                                        max_size=3),
              "status_quo": st.sampled_from(["share", "flat", "plan", "other"]),
              "reading": st.sampled_from(["assessment", "data", 5]),
              "base": st.dictionaries(st.sampled_from(["registered_firms", "population", "fiscal_st_share"]), NUMBER,
                                      max_size=2),
              "extra": JSON})
COUNTS = {"arbitrary": 0, "plausible": 0}


def _record(kind: str) -> int:
    """Count a document of ``kind`` (tests/artifacts/hypothesis.txt); the count before it."""
    COUNTS[kind] += 1
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "hypothesis.txt").write_text(
        "".join(f"{k}: {v} documents\n" for k, v in COUNTS.items()), encoding="utf-8")
    return COUNTS[kind] - 1


@settings(max_examples=1000, deadline=TIME_LIMIT * 1000, suppress_health_check=[HealthCheck.too_slow])
@given(JSON | st.dictionaries(st.sampled_from(KEYS), JSON, max_size=6))
def test_arbitrary_json_gives_a_scenario_or_a_message(value):
    n = _record("arbitrary")
    text = json.dumps(value, allow_nan=True)
    assert _bounded(_handle, text, traced=n % 5 == 0) in {"ok"} | set(_codes())


@settings(max_examples=1000, deadline=TIME_LIMIT * 1000, suppress_health_check=[HealthCheck.too_slow])
@given(PLAUSIBLE)
def test_plausible_documents_give_a_scenario_or_a_message(value):
    n = _record("plausible")
    text = json.dumps(value, allow_nan=True)
    assert _bounded(_handle, text, traced=n % 5 == 0) in {"ok"} | set(_codes())


def _codes() -> list[str]:
    from sim.files.datadir import load_translations

    return list(load_translations()["errors"])


# ---------------------------------------------------------------------- files
def _xlsx_with_broken_sheet() -> bytes:
    data = xlsx_bytes({"Sheet1": pd.DataFrame({"a": [1]})})
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for item in src.infolist():
            body = src.read(item.filename)
            if item.filename.startswith("xl/worksheets/"):
                body = body[: len(body) // 2]  # cut in the middle of its XML
            z.writestr(item, body)
    return out.getvalue()


@pytest.mark.parametrize("name,data", [
    ("malformed_sheet_xml.xlsx", _xlsx_with_broken_sheet()),
    ("renamed_text.xlsx", b"region,x\nA,1\n"),
    ("truncated_zip.xlsx", xlsx_bytes({"s": pd.DataFrame({"a": [1]})})[:300]),
    ("binary_noise.csv", bytes(range(256)) * 10),
], ids=["malformed_sheet_xml", "renamed_text_as_xlsx", "truncated_zip", "binary_noise_csv"])
def test_damaged_files_give_a_message(name, data):
    with pytest.raises(InputError):
        table_from_bytes(data, name)


def test_the_cli_scores_a_damaged_workbook_with_exit_2(tmp_path, capsys):
    from sim.cli import main

    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(_xlsx_with_broken_sheet())
    assert main(["score", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and "bad.xlsx" in err


def test_files_above_the_limits_are_refused_before_they_are_read(monkeypatch):
    monkeypatch.setenv("SIM_MAX_UPLOAD_MB", "0.001")
    with pytest.raises(InputError) as e:
        table_from_bytes(b"region,x\n" + b"A,1\n" * 1000, "big.csv")
    assert e.value.code == "file_too_large" and "0.001" in e.value.message("en")
    monkeypatch.setenv("SIM_MAX_UPLOAD_MB", "20")
    monkeypatch.setenv("SIM_MAX_ROWS", "100")
    with pytest.raises(InputError) as e:
        table_from_bytes(b"region,x\n" + b"A,1\n" * 101, "rows.csv")
    assert e.value.code == "too_many_rows" and "100" in e.value.message("zh")
    many = xlsx_bytes({"s": pd.DataFrame({"region": ["A"] * 150, "x": range(150)})})
    with pytest.raises(InputError) as e:
        table_from_bytes(many, "rows.xlsx")
    assert e.value.code == "too_many_rows"
    assert len(table_from_bytes(b"region,x\n" + b"A,1\n" * 100, "ok.csv")) == 100


def test_a_formula_without_a_cached_value_is_named_as_such(rubric):
    from openpyxl import Workbook

    from sim.files.loaders import load_rubric_example

    ex = load_rubric_example()
    wb = Workbook()
    ws = wb.active
    ws.append(list(ex["column"]))
    ws.append(["=A1&\"县\"" if c == "region" else (v if c == "st_admin_body" else float(v))
               for c, v in zip(ex["column"], ex["value"])])
    buf = io.BytesIO()
    wb.save(buf)  # openpyxl writes formulas without cached values
    with pytest.raises(InputError) as e:
        scoring_input(rubric, table_from_bytes(buf.getvalue(), "formula.xlsx"))
    assert e.value.code == "formula_no_value" and "公式" in e.value.message("zh")


# ---------------------------------------------------------------------- formulas in outputs
FORMULAS = ["=HYPERLINK(\"http://evil.example\",\"x\")", "=cmd|' /C calc'!A0", "@SUM(1+1)*cmd|' /C calc'!A0",
            "+1+1", "-2+3", "\t=1+1", "\r=1+1"]


def test_text_that_would_start_a_formula_is_made_inert_numbers_are_not():
    for f in FORMULAS:
        assert inert(f) == "'" + f
    assert inert(-5) == -5 and inert(3.5) == 3.5 and inert("示例县") == "示例县"
    frame = pd.DataFrame({"region": FORMULAS, "total": np.arange(len(FORMULAS), dtype=float) - 3})
    back = pd.read_csv(io.BytesIO(csv_bytes(frame)), encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert list(back["region"]) == ["'" + f for f in FORMULAS]
    assert back["total"].iloc[0] == "-3"  # the number stays a number (unquoted, no quote mark)
    assert csv_bytes(frame).decode("utf-8-sig").splitlines()[1].endswith(",-3")
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(xlsx_bytes({"s": frame})))
    cells = [c.value for c in wb.active["A"]][1:]
    assert all(isinstance(v, str) and v.startswith("'") for v in cells)
    assert all(c.data_type != "f" for c in wb.active["A"])


def test_scores_csv_from_the_cli_never_holds_a_live_formula(tmp_path):
    from sim.cli import main
    from sim.files.loaders import load_rubric_example

    ex = load_rubric_example()
    printable = [f for f in FORMULAS if f.isprintable()]  # a tab or carriage return is refused (sim.files.text)
    rows = [dict(zip(ex["column"], ex["value"])) for _ in printable]
    for r, f in zip(rows, printable):
        r["region"] = f
    src = tmp_path / "in.csv"
    pd.DataFrame(rows).to_csv(src, index=False)
    out = tmp_path / "scores.csv"
    assert main(["score", str(src), "--out", str(out)]) == 0
    back = pd.read_csv(out, encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert all(v.startswith("'") for v in back["region"])


def test_a_region_name_with_a_tab_or_line_break_is_refused_with_its_row(tmp_path, capsys):
    from sim.cli import main
    from sim.files.loaders import load_rubric_example

    ex = load_rubric_example()
    rows = [dict(zip(ex["column"], ex["value"])) for _ in range(3)]
    rows[0]["region"], rows[1]["region"], rows[2]["region"] = "甲县", "\t=1+1", "乙县"
    src = tmp_path / "in.csv"
    pd.DataFrame(rows).to_csv(src, index=False)
    out = tmp_path / "scores.csv"
    assert main(["score", str(src), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "第 3 行" in err and "U+0009" in err and "row 3" in err
    assert not out.exists()
