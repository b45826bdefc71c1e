"""`python -m sim score` and `template`: encodings, Excel, Chinese headers, and bad input."""
from __future__ import annotations

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from sim.cli import main
from sim.files.loaders import load_rubric_example
from sim.inputs.tables import template_bytes

ROOT = __import__("pathlib").Path(__file__).resolve().parent.parent
from tests.support import random_table  # noqa: E402


def run(argv, capsys):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_utf8_bom_gbk_and_xlsx_score_identically(rubric, tmp_path, capsys):
    table = random_table(rubric)
    paths = {"utf8": tmp_path / "u.csv", "bom": tmp_path / "b.csv", "gbk": tmp_path / "g.csv",
             "xlsx": tmp_path / "x.xlsx", "ids": tmp_path / "ids.csv"}
    table.to_csv(paths["utf8"], index=False, encoding="utf-8")
    table.to_csv(paths["bom"], index=False, encoding="utf-8-sig")
    table.to_csv(paths["gbk"], index=False, encoding="gbk")
    table.to_excel(paths["xlsx"], index=False)
    random_table(rubric, headers="id").to_csv(paths["ids"], index=False)
    results = {}
    for key, p in paths.items():
        out = tmp_path / f"out_{key}.csv"
        code, _, err = run(["score", p, "--rubric", "hebei-county", "--out", out], capsys)
        assert code == 0, err
        assert out.read_bytes()[:3] == b"\xef\xbb\xbf"  # UTF-8 with BOM for Excel
        results[key] = pd.read_csv(out, encoding="utf-8-sig")
    first = results["utf8"]
    assert len(first) == 500
    assert list(first.columns) == (["region"] + [f"pts_{i.id}" for i in rubric.items]
                                   + ["inputs", "actors", "conditions", "outputs", "management",
                                      "total", "tier"])
    for key, frame in results.items():
        pd.testing.assert_frame_equal(frame, first, obj=key)
    assert set(first["tier"]) <= {"A", "B", "C"}
    np.testing.assert_allclose(first[["inputs", "actors", "conditions", "outputs", "management"]].sum(axis=1),
                               first["total"], atol=1e-8)


def test_template_round_trip_scores_the_example_row(rubric, tmp_path, capsys):
    t = tmp_path / "T.xlsx"
    code, _, err = run(["template", "--rubric", "hebei-county", "--out", t], capsys)
    assert code == 0, err
    header = pd.read_excel(t, sheet_name=0, nrows=0).columns
    assert header[0] == "地区" and "地方财政科技支出(万元)" in header
    code, out, err = run(["score", t], capsys)
    assert code == 0, err
    got = pd.read_csv(__import__("io").StringIO(out))
    assert got["region"].tolist() == ["示例县"] and got["tier"].tolist() == ["B"]
    assert got["total"].tolist() == [77.738095238]  # the README's example
    assert out.splitlines()[1].endswith(',77.738095238,"B"')  # text quoted, numbers bare


BAD = {
    # name: (how to make the file, the header as the user wrote it (or the missing column's id), row)
    "missing_column": (lambda t: t.drop(columns=["科技型中小企业数量(家)"]), "tech_smes", None),
    "text_in_number": (lambda t: t.assign(**{"高新技术企业数量(家)": ["十二"] + list(t["高新技术企业数量(家)"][1:])}),
                       "高新技术企业数量(家)", 2),
    "negative": (lambda t: t.assign(**{"院士工作站(家)": [0, 0, -1] + list(t["院士工作站(家)"][3:])}),
                 "院士工作站(家)", 4),
    "unknown_category": (lambda t: t.assign(**{"科技管理机构设置": ["局"] * len(t)}), "科技管理机构设置", 2),
    "fractional_count": (lambda t: t.assign(**{"省级孵化器(家)": [1.5] * len(t)}), "省级孵化器(家)", 2),
    "empty_cell": (lambda t: t.assign(**{"农业产业化经营率(%)": [""] * len(t)}), "农业产业化经营率(%)", 2),
}


@pytest.mark.parametrize("case", BAD)
def test_bad_table_exits_2_names_column_and_row_and_writes_nothing(rubric, tmp_path, capsys, case):
    make, column, row = BAD[case]
    src = tmp_path / "in.csv"
    make(random_table(rubric, n=5)).to_csv(src, index=False, encoding="gbk")
    out = tmp_path / "out.csv"
    code, stdout, err = run(["score", src, "--out", out], capsys)
    assert code == 2
    assert not out.exists() and not list(tmp_path.glob(".out.csv*"))
    zh, en = err.strip().splitlines()
    assert column in zh and column in en
    if row is not None:
        assert f"第{row}行" in zh and f"Row {row}" in en
    assert "Traceback" not in err and stdout == ""


@pytest.mark.parametrize("name,content,words", [
    ("empty.csv", b"", "empty"),
    ("blank.csv", b"\r\n \r\n", "empty"),
    ("header_only.csv", "地区,地方财政科技支出\n".encode("utf-8"), "no data rows"),
    ("table.txt", b"a,b\n1,2\n", "unsupported type"),
    ("old.xls", b"\xd0\xcf\x11\xe0", ".xls"),
    ("damaged.ods", b"PK\x03\x04 not really", ".ods"),
    ("renamed.xlsx", b"region,a\nx,1\n", "not a valid .xlsx"),
    ("binary.csv", bytes(range(128, 256)) * 4, "encoding"),
])
def test_bad_files(tmp_path, capsys, name, content, words):
    src = tmp_path / name
    src.write_bytes(content)
    out = tmp_path / "out.csv"
    code, _, err = run(["score", src, "--out", out], capsys)
    assert code == 2 and words in err and not out.exists()
    assert len(err.strip().splitlines()) == 2  # one message, zh then en


def test_missing_input_and_bad_out_extension(rubric, tmp_path, capsys):
    code, _, err = run(["score", tmp_path / "nope.csv"], capsys)
    assert code == 2 and "找不到文件" in err
    src = tmp_path / "in.csv"
    random_table(rubric, n=2).to_csv(src, index=False)
    code, _, err = run(["score", src, "--out", tmp_path / "out.json"], capsys)
    assert code == 2 and ".csv" in err and not (tmp_path / "out.json").exists()


def test_existing_out_is_untouched_by_a_failed_run(rubric, tmp_path, capsys):
    src, out = tmp_path / "in.csv", tmp_path / "out.csv"
    BAD["negative"][0](random_table(rubric, n=5)).to_csv(src, index=False)
    out.write_text("previous results")
    assert run(["score", src, "--out", out], capsys)[0] == 2
    assert out.read_text() == "previous results"


def test_unknown_rubric_and_usage_errors(tmp_path, capsys):
    code, _, err = run(["template", "--rubric", "zhejiang", "--out", tmp_path / "t.xlsx"], capsys)
    assert code == 2 and "zhejiang" in err
    with pytest.raises(SystemExit) as e:
        main(["score"])
    assert e.value.code == 2


def test_command_line_process_has_no_traceback(tmp_path):
    src = tmp_path / "in.csv"
    src.write_text("region,x\nA,1\n", encoding="utf-8")
    r = subprocess.run([sys.executable, "-m", "sim", "score", str(src)], cwd=ROOT,
                       capture_output=True, text=True)
    assert r.returncode == 2 and "Traceback" not in r.stderr and "缺少列" in r.stderr


def test_template_marks_assumed_example_values(rubric):
    from sim.model.catalog import load_catalog
    from openpyxl import load_workbook
    import io

    wb = load_workbook(io.BytesIO(template_bytes(rubric, load_rubric_example())))
    ws = wb["数据"]
    example = load_rubric_example()
    assumed = set(example.loc[example["status"] == "assumption", "column"])
    headers = [c.value for c in ws[1]]
    ids = ["region"] + [c.id for c in rubric.columns]
    optional = headers[len(ids):]  # the city's optional columns: code and each program's spending
    assert optional[0] == "行政区划代码(可选)" and all(h.endswith("(万元/年,可选)") for h in optional[1:])
    assert len(optional) == 1 + len(load_catalog().programs)
    for j, cid in enumerate(ids, start=1):
        filled = ws.cell(2, j).fill.fgColor.rgb not in (None, "00000000")
        assert filled == (cid in assumed), cid


# ---------------------------------------------------------------------- other formats, folders, modes
FIXTURES = ROOT / "tests" / "fixtures"


def test_xls_from_excel_97_scores_like_the_template(rubric, tmp_path, capsys):
    """tests/fixtures/template_example.xls: the template's example row saved as Excel 97-2003
    (row 2), a blank row 3 and the same county again as 第二县 on row 4 (written with xlwt)."""
    t = tmp_path / "T.xlsx"
    assert run(["template", "--out", t], capsys)[0] == 0
    code, want, err = run(["score", t], capsys)
    assert code == 0, err
    code, got, err = run(["score", FIXTURES / "template_example.xls"], capsys)
    assert code == 0, err
    lines = got.strip().splitlines()
    assert lines[:2] == want.strip().splitlines()
    assert lines[2] == lines[1].replace("示例县", "第二县", 1)


def test_ods_scores_like_csv_and_names_its_rows(rubric, tmp_path, capsys):
    table = random_table(rubric, n=40)
    table.to_csv(tmp_path / "t.csv", index=False)
    table.to_excel(tmp_path / "t.ods", index=False, engine="odf")
    outs = {}
    for ext in ("csv", "ods"):
        code, outs[ext], err = run(["score", tmp_path / f"t.{ext}"], capsys)
        assert code == 0, err
    assert outs["ods"] == outs["csv"]
    BAD["negative"][0](table).to_excel(tmp_path / "bad.ods", index=False, engine="odf")
    code, _, err = run(["score", tmp_path / "bad.ods"], capsys)
    assert code == 2 and "院士工作站(家)" in err and "第4行" in err and "Row 4" in err


def test_messages_name_the_header_as_the_user_wrote_it(rubric, tmp_path, capsys):
    table = random_table(rubric, n=6).rename(columns={"高新技术企业数量(家)": " 高新技术企业数量（家） "})
    col = " 高新技术企业数量（家） "
    table[col] = table[col].astype(object)
    table.loc[4, col] = "约10"
    src = tmp_path / "in.csv"
    table.to_csv(src, index=False)
    code, _, err = run(["score", src], capsys)
    zh, en = err.strip().splitlines()
    assert code == 2 and "高新技术企业数量（家）" in zh and "高新技术企业数量（家）" in en
    assert "high_tech_enterprises" not in err and "第6行" in zh and "约10" in en


def test_out_into_a_missing_folder_is_an_error_and_creates_nothing(rubric, tmp_path, capsys):
    src = tmp_path / "in.csv"
    random_table(rubric, n=2).to_csv(src, index=False)
    out = tmp_path / "no_such_folder" / "out.csv"
    code, stdout, err = run(["score", src, "--out", out], capsys)
    assert code == 2 and "no_such_folder" in err and len(err.strip().splitlines()) == 2
    assert not out.parent.exists() and stdout == ""


@pytest.mark.parametrize("umask,mode", [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_output_files_honour_the_umask(rubric, tmp_path, capsys, umask, mode):
    import os

    src, out = tmp_path / "in.csv", tmp_path / "out.csv"
    random_table(rubric, n=2).to_csv(src, index=False)
    old = os.umask(umask)
    try:
        assert run(["score", src, "--out", out], capsys)[0] == 0
        assert run(["template", "--out", tmp_path / "t.xlsx"], capsys)[0] == 0
    finally:
        os.umask(old)
    assert out.stat().st_mode & 0o777 == mode
    assert (tmp_path / "t.xlsx").stat().st_mode & 0o777 == mode


def test_min_budget_errors_exit_2_in_both_languages_on_stderr(capsys):
    code, out, err = run(["min-budget", "--preset", "demo", "--year", "2025", "--score", "101"], capsys)
    assert code == 2 and out == "" and "--score" in err and len(err.strip().splitlines()) == 2
    code, out, err = run(["min-budget", "--preset", "demo", "--year", "2025", "--score", "99.9",
                          "--confidence", "0"], capsys)
    zh, en = err.strip().splitlines()
    assert code == 2 and out == "" and "无法达到" in zh and "not reachable" in en


# ---------------------------------------------------------------------- large tables, streamed
def test_a_streamed_csv_names_the_bad_row_in_a_later_chunk_and_outputs_nothing(rubric, tmp_path, capsys,
                                                                             monkeypatch):
    import sim.inputs.tables

    monkeypatch.setattr(sim.inputs.tables, "CHUNK_ROWS", 7)
    table = random_table(rubric, n=40)
    whole = tmp_path / "whole.csv"
    table.to_csv(whole, index=False)
    code, want, err = run(["score", whole], capsys)
    assert code == 0, err
    monkeypatch.setattr(sim.inputs.tables, "CHUNK_ROWS", 100_000)
    assert run(["score", whole], capsys)[1] == want  # chunks change nothing
    monkeypatch.setattr(sim.inputs.tables, "CHUNK_ROWS", 7)
    lines = whole.read_text(encoding="utf-8").splitlines()
    lines.insert(3, "")  # a blank line: row 4 of the sheet, kept in the numbering
    bad = lines[31].split(",")
    col = list(table.columns).index("院士工作站(家)")
    bad[col] = "-2"
    lines[31] = ",".join(bad)  # sheet row 32, in the fifth chunk
    src = tmp_path / "bad.csv"
    src.write_text("\n".join(lines) + "\n", encoding="gbk")
    out = tmp_path / "out.csv"
    code, stdout, err = run(["score", src, "--out", out], capsys)
    assert code == 2 and "第32行" in err and "Row 32" in err and "院士工作站(家)" in err
    assert not out.exists() and not list(tmp_path.glob(".out.csv*"))
    code, stdout, err = run(["score", src], capsys)
    assert code == 2 and stdout == ""  # nothing printed before the whole table passed


def test_csv_output_round_trips_every_value(tmp_path):
    from sim.files.writers import csv_bytes

    frame = pd.DataFrame({"region": ["甲,乙", 'say "hi"', "two\nlines", "=1+1", None],
                          "total": [0.1 + 0.2, 1e-7, 77.738095238, np.nan, -0.0],
                          "count": [1, 2, 3, 4, 5],
                          "mixed": ["text", 3.5, None, 7, "B"],
                          "flag": [True, False, True, False, True]})
    back = pd.read_csv(__import__("io").BytesIO(csv_bytes(frame)), encoding="utf-8-sig",
                       keep_default_na=False, na_values=[""])
    assert back["region"].tolist()[:4] == ["甲,乙", 'say "hi"', "two\nlines", "'=1+1"]
    assert np.isnan(back["region"].iloc[4])
    np.testing.assert_array_equal(back["total"].to_numpy(), frame["total"].to_numpy())  # exact
    assert back["count"].tolist() == [1, 2, 3, 4, 5]
    assert back["mixed"].fillna("").tolist() == ["text", "3.5", "", "7", "B"]
    assert back["flag"].tolist() == [True, False, True, False, True]
