"""`python -m sim score` and `template`: encodings, Excel, Chinese headers, and bad input."""
from __future__ import annotations

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from sim.cli import main
from sim.tables import template_bytes
from sim.loaders import load_rubric_example

ROOT = __import__("pathlib").Path(__file__).resolve().parent.parent


def random_table(rubric, n=500, seed=7, headers="zh") -> pd.DataFrame:
    """n regions with valid random values; headers are Chinese names (with units) or ids."""
    rng = np.random.default_rng(seed)
    cols = {"地区" if headers == "zh" else "region": [f"县{i:03d}区" for i in range(n)]}
    for c in rubric.columns:
        name = (f"{c.zh}({c.unit})" if c.unit else c.zh) if headers == "zh" else c.id
        if c.kind == "category":
            cols[name] = rng.choice([k.zh for k in c.categories], n)
        elif c.kind == "count":
            cols[name] = rng.integers(0, 2 if c.max_value == 1 else 6, n)
        elif c.kind == "points":
            cols[name] = rng.integers(0, 11, n) / 2
        else:
            cols[name] = np.round(rng.gamma(2.0, 30.0, n), 2)
    return pd.DataFrame(cols)


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
    lines = out.strip().splitlines()
    assert len(lines) == 2 and lines[1].startswith("示例县,")
    assert lines[1].endswith(",77.738095238,B")  # hand sum in tests/test_rubric_scoring? see README example


BAD = {
    # name: (how to make the file, column or words the message must name, row)
    "missing_column": (lambda t: t.drop(columns=["科技型中小企业数量(家)"]), "tech_smes", None),
    "text_in_number": (lambda t: t.assign(**{"高新技术企业数量(家)": ["十二"] + list(t["高新技术企业数量(家)"][1:])}),
                       "high_tech_enterprises", 2),
    "negative": (lambda t: t.assign(**{"院士工作站(家)": [0, 0, -1] + list(t["院士工作站(家)"][3:])}),
                 "academician_workstations", 4),
    "unknown_category": (lambda t: t.assign(**{"科技管理机构设置": ["局"] * len(t)}), "st_admin_body", 2),
    "fractional_count": (lambda t: t.assign(**{"省级孵化器(家)": [1.5] * len(t)}), "provincial_incubators", 2),
    "empty_cell": (lambda t: t.assign(**{"农业产业化经营率(%)": [""] * len(t)}), "agri_industrialization_rate", 2),
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
    from openpyxl import load_workbook
    import io

    wb = load_workbook(io.BytesIO(template_bytes(rubric, load_rubric_example())))
    ws = wb["数据"]
    example = load_rubric_example()
    assumed = set(example.loc[example["status"] == "assumption", "column"])
    headers = [c.value for c in ws[1]]
    ids = ["region"] + [c.id for c in rubric.columns]
    assert len(headers) == len(ids)
    for j, cid in enumerate(ids, start=1):
        filled = ws.cell(2, j).fill.fgColor.rgb not in (None, "00000000")
        assert filled == (cid in assumed), cid
