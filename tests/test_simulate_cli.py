"""`python -m sim simulate`: outputs and the bad inputs of issue 3 (exit 2, a clear message)."""
from __future__ import annotations

import pandas as pd
import pytest

import sim
from sim.cli import main


def run(argv, capsys):
    code = main([str(a) for a in argv])
    return code, *capsys.readouterr()


def test_simulate_writes_csv_and_xlsx(tmp_path, capsys):
    out = tmp_path / "d.csv"
    code, _, err = run(["simulate", "--preset", "demo", "--set", "program.platform_awards=3000",
                        "--horizon", "2027", "--out", out], capsys)
    assert code == 0, err
    frame = pd.read_csv(out, encoding="utf-8-sig")
    assert list(frame["year"]) == list(range(2021, 2028))
    want = sim.simulate(sim.load_preset("demo").with_horizon(2027).with_spend("platform_awards", 3000))
    assert frame["total"].tolist() == pytest.approx(want.scores["total"].tolist())
    x = tmp_path / "d.xlsx"
    assert run(["simulate", "--preset", "handan", "--set", "program.talent.2022=900", "--out", x], capsys)[0] == 0
    sheets = pd.read_excel(x, sheet_name=None)
    assert set(sheets) == {"indicators", "scores", "attainment", "spend_万元", "inputs"}
    inputs = sheets["inputs"]
    assert set(inputs["status"]) >= {"seed", "assumption", "derived"}
    assumed = inputs[inputs["status"] == "assumption"]
    assert assumed["detail"].notna().all() and (assumed["detail"].str.len() > 10).all()


@pytest.mark.parametrize("args,words", [
    (["--preset", "nowhere"], "nowhere"),
    (["--preset", "demo", "--set", "program.magic=5"], "program.magic"),
    (["--preset", "demo", "--set", "budget=5"], "budget"),
    (["--preset", "demo", "--set", "program.talent=-100"], "-100"),
    (["--preset", "demo", "--set", "growth.registered_firms=-1.2"], "-0.5 – 1"),
    (["--preset", "demo", "--set", "program.talent=1e300"], "program.talent"),
    (["--preset", "demo", "--set", "growth.gdp=fast"], "fast"),
    (["--preset", "demo", "--horizon", "2019"], "2021"),
    (["--preset", "demo", "--set", "program.talent.1999=5"], "1999"),
])
def test_simulate_bad_input_exits_2_and_writes_nothing(tmp_path, capsys, args, words):
    out = tmp_path / "o.csv"
    code, _, err = run(["simulate", *args, "--out", out], capsys)
    assert code == 2 and words in err and not out.exists()
    assert "Traceback" not in err and len(err.strip().splitlines()) == 2
