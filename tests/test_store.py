"""The saved-scenario store (ui/store.py) on SQLite and on a real PostgreSQL: round trips in a
workspace, workspaces that cannot see each other, persistence, paging, export/import all or
nothing, names checked, each error told in Chinese and English.

PostgreSQL: ``bash test.sh`` starts a private server (scripts/postgres.sh) and sets
``SIM_TEST_PG_URL``; with ``SIM_REQUIRE_PG=1`` (set by test.sh) its absence fails these tests
instead of skipping them."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

import sim
from sim.files.errors import InputError
from sim.scenarios import overrides
from ui import store

ROOT = Path(__file__).resolve().parent.parent
GOOD = {"preset": "demo", "spend": {"platform_awards": 600.0}, "growth": {"registered_firms": 0.02}}
CITY = {"preset": "handan", "spend": {"talent": 1500.0}}
WS = "workspace-one"
OTHER = "workspace-two"


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request, tmp_path, monkeypatch) -> str:
    """The store's URL: a new SQLite file, or an emptied table in the test PostgreSQL."""
    if request.param == "sqlite":
        where = str(tmp_path / "scenarios.sqlite")
        monkeypatch.setenv("SIM_SCENARIO_DB", where)
        return f"sqlite:///{where}"
    pg = os.environ.get("SIM_TEST_PG_URL")
    if not pg:
        if os.environ.get("SIM_REQUIRE_PG") == "1":
            pytest.fail("SIM_TEST_PG_URL is not set: scripts/postgres.sh did not start PostgreSQL")
        pytest.skip("no PostgreSQL: run `bash test.sh`, which starts one")
    engine = create_engine(pg)
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE IF EXISTS scenarios"))
    engine.dispose()
    monkeypatch.setenv("SIM_SCENARIO_DB", pg)
    return pg


def snapshot(url: str) -> list[tuple]:
    """Every row of the store, read with a connection of its own."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            has = conn.dialect.has_table(conn, "scenarios")
            rows = conn.execute(text("SELECT workspace, name, preset, doc, saved_at FROM scenarios "
                                     "ORDER BY workspace, name")).all() if has else []
    finally:
        engine.dispose()
    return [tuple(r) for r in rows]


def both_languages(exc: InputError) -> tuple[str, str]:
    zh, en = exc.message("zh"), exc.message("en")
    assert zh.strip() and en.strip() and zh != en
    assert not zh.startswith(exc.code) and not en.startswith(exc.code)  # a real template, not the fallback
    return zh, en


def test_the_store_comes_from_the_environment_with_the_repository_default(db, monkeypatch):
    assert store.url() == db
    monkeypatch.delenv("SIM_SCENARIO_DB")
    assert store.url() == f"sqlite:///{ROOT / 'scenarios.sqlite'}"
    monkeypatch.setenv("SIM_SCENARIO_DB", "postgresql+psycopg://app:secret@db.example/sim")
    assert "secret" not in store.path()  # messages never show a password
    ignored = (ROOT / ".gitignore").read_text(encoding="utf-8").split()
    assert "/scenarios.sqlite*" in ignored or "scenarios.sqlite" in ignored


def test_save_list_load_delete_round_trip(db):
    assert store.list_saved(WS) == []
    assert store.save(WS, "  方案A · 平台加倍  ", json.dumps(GOOD)) == "方案A · 平台加倍"
    store.save(WS, "City", json.dumps(CITY, ensure_ascii=False))
    saved = {r["name"]: r for r in store.list_saved(WS)}
    assert set(saved) == {"方案A · 平台加倍", "City"}
    assert saved["City"]["preset"] == "handan" and saved["方案A · 平台加倍"]["preset"] == "demo"
    assert all(r["saved_at"] for r in saved.values())

    doc = json.loads(store.load(WS, "方案A · 平台加倍"))
    assert doc["name"] == "方案A · 平台加倍" and doc["format"] == overrides.FORMAT
    # the loaded document describes exactly the saved scenario
    assert overrides.diff(overrides.apply(doc)) == overrides.diff(overrides.apply(GOOD))
    assert store.scenario_doc(store.load(WS, "方案A · 平台加倍")) == {"format": overrides.FORMAT, **GOOD}
    want = sim.simulate(overrides.apply(GOOD)).scores.loc[2025, "total"]
    assert sim.simulate(overrides.apply(doc)).scores.loc[2025, "total"] == want

    assert store.delete(WS, "方案A · 平台加倍") is True
    assert store.delete(WS, "方案A · 平台加倍") is False
    assert [r["name"] for r in store.list_saved(WS)] == ["City"]
    with pytest.raises(InputError) as err:
        store.load(WS, "方案A · 平台加倍")
    assert err.value.code == "scenario_not_found"
    both_languages(err.value)


def test_saving_a_name_again_replaces_it(db):
    store.save(WS, "A", json.dumps(GOOD))
    store.save(WS, "A", json.dumps(CITY))
    assert len(snapshot(db)) == 1
    assert json.loads(store.load(WS, "A"))["preset"] == "handan"
    assert store.list_saved(WS)[0]["preset"] == "handan"


def test_two_workspaces_never_see_each_other(db):
    store.save(WS, "A", json.dumps(GOOD))
    store.save(OTHER, "A", json.dumps(CITY))  # the same name, another workspace
    store.save(OTHER, "B", json.dumps(CITY))
    assert store.names(WS) == ["A"] and sorted(store.names(OTHER)) == ["A", "B"]
    assert json.loads(store.load(WS, "A"))["preset"] == "demo"
    with pytest.raises(InputError):
        store.load(WS, "B")
    assert store.delete(WS, "B") is False and store.count(OTHER) == 2
    with pytest.raises(InputError):
        store.export_json(WS, ["B"])
    assert store.new_workspace() != store.new_workspace() and len(store.new_workspace()) >= 22
    for bad in ("", "a b", "../x", "x" * 65, None, "短"):
        with pytest.raises(InputError) as err:
            store.list_saved(bad)
        assert err.value.code == "bad_workspace"


def test_paging_through_many_scenarios(db):
    data = json.dumps([{**GOOD, "name": f"s{i:04d}"} for i in range(120)]).encode()
    assert len(store.import_json(WS, data)) == 120
    assert store.count(WS) == 120
    pages = [store.list_saved(WS, offset, store.PAGE) for offset in range(0, 120, store.PAGE)]
    assert [len(p) for p in pages] == [50, 50, 20]
    assert len({r["name"] for p in pages for r in p}) == 120


def test_saved_scenarios_survive_a_restart(db):
    store.save(WS, "方案A", json.dumps(GOOD))
    store.save(WS, "B", json.dumps(CITY))
    # another connection to the same store sees the committed rows
    assert [r[1] for r in snapshot(db)] == ["B", "方案A"]
    # a fresh interpreter (a restarted server) reads them back through the store
    code = ("import json; from ui import store; "
            f"print(json.dumps([[r['name'], json.loads(store.load('{WS}', r['name']))['preset']] "
            f"for r in store.list_saved('{WS}')], ensure_ascii=False))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True,
                         env={**os.environ, "SIM_SCENARIO_DB": os.environ["SIM_SCENARIO_DB"],
                              "PYTHONIOENCODING": "utf-8"})
    assert sorted(map(tuple, json.loads(out.stdout))) == [("B", "handan"), ("方案A", "demo")]


def test_each_store_file_is_its_own(tmp_path, monkeypatch):
    monkeypatch.setenv("SIM_SCENARIO_DB", str(tmp_path / "one.sqlite"))
    store.save(WS, "A", json.dumps(GOOD))
    monkeypatch.setenv("SIM_SCENARIO_DB", str(tmp_path / "other" / "x.sqlite"))
    assert store.list_saved(WS) == []  # a new file (and folder) is created empty
    store.save(WS, "B", json.dumps(CITY))
    assert [r["name"] for r in store.list_saved(WS)] == ["B"]


def test_a_store_from_before_workspaces_moves_into_the_legacy_workspace(tmp_path, monkeypatch):
    import sqlite3

    old = tmp_path / "old.sqlite"
    with sqlite3.connect(old) as conn:
        conn.execute("CREATE TABLE scenarios (name TEXT PRIMARY KEY, preset TEXT, doc TEXT NOT NULL, saved_at TEXT)")
        doc = json.dumps({**GOOD, "name": "旧方案", "format": overrides.FORMAT, "saved_at": "2026-01-01"})
        conn.execute("INSERT INTO scenarios VALUES ('旧方案', 'demo', ?, '2026-01-01')", (doc,))
    monkeypatch.setenv("SIM_SCENARIO_DB", str(old))
    assert store.names(store.LEGACY) == ["旧方案"] and store.names(WS) == []


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
        store.save(WS, name, json.dumps(GOOD))
    assert err.value.code == code
    both_languages(err.value)
    assert snapshot(db) == []


def test_names_of_60_characters_are_accepted(db):
    name = "规" * 60
    assert store.save(WS, f" {name} ", json.dumps(GOOD)) == name
    assert store.list_saved(WS)[0]["name"] == name


@pytest.mark.parametrize("text", ['{"preset": "atlantis"}', '{"preset": "demo", "spend": {"platform_awards": -1}}',
                                  '{"preset": "demo", "colour": 1}', "not json"])
def test_an_invalid_document_is_not_saved(db, text):
    with pytest.raises(InputError) as err:
        store.save(WS, "A", text)
    both_languages(err.value)
    assert snapshot(db) == []


def test_export_import_round_trip(db):
    store.save(WS, "方案A", json.dumps(GOOD))
    store.save(WS, "城市", json.dumps(CITY))
    data = store.export_json(WS, ["城市", "方案A"])
    docs = json.loads(data.decode("utf-8"))
    assert [d["name"] for d in docs] == ["城市", "方案A"]
    assert all(overrides.parse(json.dumps(d)) == d for d in docs)
    assert "方案A" in data.decode("utf-8")  # Chinese kept readable

    assert store.import_json(OTHER, data) == ["城市", "方案A"]  # into another workspace
    for name in ("城市", "方案A"):
        got, want = json.loads(store.load(OTHER, name)), json.loads(store.load(WS, name))
        assert {k: v for k, v in got.items() if k != "saved_at"} == {k: v for k, v in want.items() if k != "saved_at"}

    # importing again replaces, never duplicates; a single named document and a BOM are accepted
    store.import_json(OTHER, data)
    one = json.dumps({**GOOD, "name": "单个"}, ensure_ascii=False).encode("utf-8-sig")
    assert store.import_json(OTHER, one) == ["单个"]
    assert sorted(store.names(OTHER)) == sorted(["城市", "方案A", "单个"])


def test_export_of_an_unknown_name_raises(db):
    with pytest.raises(InputError) as err:
        store.export_json(WS, ["nobody"])
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
    store.save(WS, "ok", json.dumps(CITY))  # same name as a good document in the broken file
    store.save(WS, "kept", json.dumps(GOOD))
    before = snapshot(db)
    with pytest.raises(InputError) as err:
        store.import_json(WS, BROKEN[case])
    both_languages(err.value)
    assert snapshot(db) == before


def test_a_bad_document_is_named_in_the_message():
    data = json.dumps([_named(GOOD, "ok"), _named({"preset": "atlantis"}, "坏的")], ensure_ascii=False)
    with pytest.raises(InputError) as err:
        store.import_json(WS, data.encode("utf-8"))
    zh, en = both_languages(err.value)
    assert "坏的" in zh and "坏的" in en and "2" in zh and "2" in en
    assert "atlantis" in zh and "atlantis" in en


def test_an_import_failing_while_writing_rolls_back(db):
    """All or nothing in the database too: a row refused mid-write undoes the rows before it."""
    store.save(WS, "kept", json.dumps(GOOD))
    engine = create_engine(db)
    with engine.begin() as conn:  # a constraint that refuses one of the rows
        if conn.dialect.name == "sqlite":
            conn.execute(text("CREATE TRIGGER refuse BEFORE INSERT ON scenarios WHEN NEW.name = 'boom' "
                              "BEGIN SELECT RAISE(ABORT, 'refused'); END"))
        else:
            conn.execute(text("ALTER TABLE scenarios ADD CONSTRAINT refuse CHECK (name <> 'boom')"))
    engine.dispose()
    before = snapshot(db)
    data = json.dumps([_named(CITY, "first"), _named(GOOD, "boom")]).encode()
    with pytest.raises(InputError) as err:
        store.import_json(WS, data)
    assert err.value.code == "store_failed"
    both_languages(err.value)
    assert snapshot(db) == before


def test_an_unwritable_store_is_an_input_error(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    monkeypatch.setenv("SIM_SCENARIO_DB", str(blocker / "scenarios.sqlite"))  # parent is a file
    with pytest.raises(InputError) as err:
        store.list_saved(WS)
    assert err.value.code == "store_failed"
    both_languages(err.value)
