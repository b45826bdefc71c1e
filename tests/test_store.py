"""The saved-scenario store (ui/store.py): SQLite round trips, persistence, export/import all or
nothing, and names checked, each error told in Chinese and English."""
from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

import sim
from sim import overrides
from sim.errors import InputError
from ui import store

ROOT = Path(__file__).resolve().parent.parent
GOOD = {"preset": "demo", "spend": {"platform_awards": 600.0}, "growth": {"registered_firms": 0.02}}
CITY = {"preset": "handan", "spend": {"talent": 1500.0}}


def snapshot(path: Path) -> list[tuple]:
    """Every row of the file, read with a connection of its own."""
    if not path.exists():
        return []
    with sqlite3.connect(path) as conn:
        return conn.execute("SELECT name, preset, doc, saved_at FROM scenarios ORDER BY name").fetchall()


def both_languages(exc: InputError) -> tuple[str, str]:
    zh, en = exc.message("zh"), exc.message("en")
    assert zh.strip() and en.strip() and zh != en
    assert not zh.startswith(exc.code) and not en.startswith(exc.code)  # a real template, not the fallback
    return zh, en


def test_path_comes_from_the_environment_with_the_repository_default(db, monkeypatch):
    assert store.path() == db
    monkeypatch.delenv("SIM_SCENARIO_DB")
    assert store.path() == ROOT / "scenarios.sqlite"
    ignored = (ROOT / ".gitignore").read_text(encoding="utf-8").split()
    assert "/scenarios.sqlite*" in ignored or "scenarios.sqlite" in ignored


def test_save_list_load_delete_round_trip(db):
    assert store.list_saved() == []
    assert store.save("  方案A · 平台加倍  ", json.dumps(GOOD)) == "方案A · 平台加倍"
    store.save("City", json.dumps(CITY, ensure_ascii=False))
    saved = {r["name"]: r for r in store.list_saved()}
    assert set(saved) == {"方案A · 平台加倍", "City"}
    assert saved["City"]["preset"] == "handan" and saved["方案A · 平台加倍"]["preset"] == "demo"
    assert all(r["saved_at"] for r in saved.values())

    doc = json.loads(store.load("方案A · 平台加倍"))
    assert doc["name"] == "方案A · 平台加倍" and doc["format"] == overrides.FORMAT
    # the loaded document describes exactly the saved scenario
    assert overrides.diff(overrides.apply(doc)) == overrides.diff(overrides.apply(GOOD))
    assert store.scenario_doc(store.load("方案A · 平台加倍")) == {"format": overrides.FORMAT, **GOOD}
    want = sim.simulate(overrides.apply(GOOD)).scores.loc[2025, "total"]
    assert sim.simulate(overrides.apply(doc)).scores.loc[2025, "total"] == want

    assert store.delete("方案A · 平台加倍") is True
    assert store.delete("方案A · 平台加倍") is False
    assert [r["name"] for r in store.list_saved()] == ["City"]
    with pytest.raises(InputError) as err:
        store.load("方案A · 平台加倍")
    assert err.value.code == "scenario_not_found"
    both_languages(err.value)


def test_saving_a_name_again_replaces_it(db):
    store.save("A", json.dumps(GOOD))
    store.save("A", json.dumps(CITY))
    assert len(snapshot(db)) == 1
    assert json.loads(store.load("A"))["preset"] == "handan"
    assert store.list_saved()[0]["preset"] == "handan"


def test_saved_scenarios_survive_a_restart(db):
    store.save("方案A", json.dumps(GOOD))
    store.save("B", json.dumps(CITY))
    # another connection to the same file sees the committed rows
    assert [r[0] for r in snapshot(db)] == ["B", "方案A"]
    # a fresh interpreter (a restarted server) reads them back through the store
    code = ("import json; from ui import store; "
            "print(json.dumps([[r['name'], json.loads(store.load(r['name']))['preset']] for r in store.list_saved()],"
            " ensure_ascii=False))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True,
                         env={**os.environ, "SIM_SCENARIO_DB": str(db), "PYTHONIOENCODING": "utf-8"})
    assert sorted(map(tuple, json.loads(out.stdout))) == [("B", "handan"), ("方案A", "demo")]


def test_each_store_file_is_its_own(tmp_path, monkeypatch):
    store.save("A", json.dumps(GOOD))
    monkeypatch.setenv("SIM_SCENARIO_DB", str(tmp_path / "other" / "x.sqlite"))
    assert store.list_saved() == []  # a new file (and folder) is created empty
    store.save("B", json.dumps(CITY))
    assert [r["name"] for r in store.list_saved()] == ["B"]


@pytest.mark.parametrize("name, code", [
    ("", "scenario_name_empty"),
    ("   ", "scenario_name_empty"),
    (None, "scenario_name_empty"),
    ("x" * 61, "scenario_name_too_long"),
    ("a\nb", "scenario_name_control"),
    ("tab\there", "scenario_name_control"),
])
def test_invalid_names_are_rejected_and_nothing_is_written(db, name, code):
    with pytest.raises(InputError) as err:
        store.save(name, json.dumps(GOOD))
    assert err.value.code == code
    both_languages(err.value)
    assert snapshot(db) == []


def test_names_of_60_characters_are_accepted():
    name = "规" * 60
    assert store.save(f" {name} ", json.dumps(GOOD)) == name
    assert store.list_saved()[0]["name"] == name


@pytest.mark.parametrize("text", ['{"preset": "atlantis"}', '{"preset": "demo", "spend": {"platform_awards": -1}}',
                                  '{"preset": "demo", "colour": 1}', "not json"])
def test_an_invalid_document_is_not_saved(db, text):
    with pytest.raises(InputError) as err:
        store.save("A", text)
    both_languages(err.value)
    assert snapshot(db) == []


def test_export_import_round_trip(db, tmp_path, monkeypatch):
    store.save("方案A", json.dumps(GOOD))
    store.save("城市", json.dumps(CITY))
    data = store.export_json(["城市", "方案A"])
    docs = json.loads(data.decode("utf-8"))
    assert [d["name"] for d in docs] == ["城市", "方案A"]
    assert all(overrides.parse(json.dumps(d)) == d for d in docs)
    assert "方案A" in data.decode("utf-8")  # Chinese kept readable

    monkeypatch.setenv("SIM_SCENARIO_DB", str(tmp_path / "elsewhere.sqlite"))
    assert store.import_json(data) == ["城市", "方案A"]
    for name in ("城市", "方案A"):
        got = json.loads(store.load(name))
        monkeypatch.setenv("SIM_SCENARIO_DB", str(db))
        want = json.loads(store.load(name))
        monkeypatch.setenv("SIM_SCENARIO_DB", str(tmp_path / "elsewhere.sqlite"))
        assert {k: v for k, v in got.items() if k != "saved_at"} == {k: v for k, v in want.items() if k != "saved_at"}

    # importing again replaces, never duplicates; a single named document and a BOM are accepted
    store.import_json(data)
    one = json.dumps({**GOOD, "name": "单个"}, ensure_ascii=False).encode("utf-8-sig")
    assert store.import_json(one) == ["单个"]
    assert sorted(r["name"] for r in store.list_saved()) == sorted(["城市", "方案A", "单个"])


def test_export_of_an_unknown_name_raises():
    with pytest.raises(InputError) as err:
        store.export_json(["nobody"])
    assert err.value.code == "scenario_not_found"


def _named(doc: dict, name: str) -> dict:
    return {**doc, "name": name}


BROKEN = {
    "not json": b"{oops",
    "not utf-8": b"\xff\xfe\x00garbage",
    "a string": b'"hello"',
    "empty list": b"[]",
    "no preset": json.dumps([_named(GOOD, "ok"), {"name": "x"}]).encode(),
    "unknown preset": json.dumps([_named(GOOD, "ok"), _named({"preset": "atlantis"}, "bad")]).encode(),
    "negative spend": json.dumps([_named(GOOD, "ok"), _named({"preset": "demo", "spend": {"talent": -5}}, "neg")]).encode(),
    "unknown key": json.dumps([_named(GOOD, "ok"), _named({"preset": "demo", "budget": 1}, "k")]).encode(),
    "wrong years": json.dumps([_named({"preset": "demo", "spend": {"talent": [1, 2]}}, "yrs")]).encode(),
    "no name": json.dumps([_named(GOOD, "ok"), GOOD]).encode(),
    "long name": json.dumps([_named(GOOD, "n" * 61)]).encode(),
    "duplicate names": json.dumps([_named(GOOD, "same"), _named(CITY, "same")]).encode(),
    "not an object": json.dumps([_named(GOOD, "ok"), 3]).encode(),
}


@pytest.mark.parametrize("case", list(BROKEN))
def test_a_broken_import_changes_nothing_and_says_why_in_both_languages(db, case):
    store.save("ok", json.dumps(CITY))  # same name as a good document in the broken file
    store.save("kept", json.dumps(GOOD))
    before = snapshot(db)
    with pytest.raises(InputError) as err:
        store.import_json(BROKEN[case])
    both_languages(err.value)
    assert snapshot(db) == before


def test_a_bad_document_is_named_in_the_message():
    data = json.dumps([_named(GOOD, "ok"), _named({"preset": "atlantis"}, "坏的")], ensure_ascii=False)
    with pytest.raises(InputError) as err:
        store.import_json(data.encode("utf-8"))
    zh, en = both_languages(err.value)
    assert "坏的" in zh and "坏的" in en and "2" in zh and "2" in en
    assert "atlantis" in zh and "atlantis" in en


def test_an_import_failing_while_writing_rolls_back(db):
    """All or nothing in the database too: a row refused mid-write undoes the rows before it."""
    store.save("kept", json.dumps(GOOD))
    with sqlite3.connect(db) as conn:
        conn.execute("CREATE TRIGGER refuse BEFORE INSERT ON scenarios WHEN NEW.name = 'boom' "
                     "BEGIN SELECT RAISE(ABORT, 'refused'); END")
    before = snapshot(db)
    data = json.dumps([_named(CITY, "first"), _named(GOOD, "boom")]).encode()
    with pytest.raises(InputError) as err:
        store.import_json(data)
    assert err.value.code == "store_failed"
    both_languages(err.value)
    assert snapshot(db) == before


def test_an_unwritable_store_is_an_input_error(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    monkeypatch.setenv("SIM_SCENARIO_DB", str(blocker / "scenarios.sqlite"))  # parent is a file
    with pytest.raises(InputError) as err:
        store.list_saved()
    assert err.value.code == "store_failed"
    both_languages(err.value)
