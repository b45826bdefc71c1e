"""Allowed text (sim/files/text.py): one definition, checked at every entrance, and every writer of the
product accepts what it lets through. Hypothesis draws from the whole Unicode range: controls,
surrogates, non-characters, combining marks, CJK, emoji."""
from __future__ import annotations

import io
import json
import unicodedata

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.files import errors, text
from sim.files.errors import InputError
from sim.files.writers import csv_bytes, inert, xlsx_bytes
from sim.inputs.cells import scoring_input
from sim.inputs.tables import table_from_bytes
from sim.scenarios import overrides

NASTY = ["\x00", "\x0b", "\x1f", "\x7f", "\x85", "\x9f", "\ud800", "\udfff", "\ufdd0", "\ufffe", "\uffff",
         "\U0001fffe", "\U0010ffff", "\u2028", "\u202e", "\u0301", "景", "县", "🏛"]
ANY_CHAR = st.one_of(st.characters(exclude_categories=()), st.sampled_from(NASTY))
TEXTS = st.text(ANY_CHAR, min_size=1, max_size=30)
FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _allowed(s: str) -> bool:
    return text.bad_char(s) is None


@pytest.mark.parametrize("char", ["\x00", "\x0b", "\t", "\n", "\x7f", "\x85", "\x9f", "\ud800", "\udc00",
                                  "\ufdd0", "\ufdef", "\ufffe", "\uffff", "\U0001ffff", "\U0010fffe"])
def test_every_kind_of_character_no_writer_accepts_is_refused(char):
    assert text.bad_char(f"a{char}b") == f"U+{ord(char):04X}"
    with pytest.raises(InputError) as e:
        errors.check(f"a{char}b", "名称")
    assert "名称" in e.value.message("zh") and f"U+{ord(char):04X}" in e.value.message("en")


def test_ordinary_text_passes_in_its_composed_form():
    assert errors.check("e\u0301 县", "x") == "\u00e9 县"
    assert errors.check("枣强县 Zaoqiang 🏛️", "x") == "枣强县 Zaoqiang 🏛️"


@FAST
@given(TEXTS)
def test_check_and_clean_agree(s):
    if _allowed(s):
        assert errors.check(s, "x") == unicodedata.normalize("NFC", s)
    else:
        with pytest.raises(InputError):
            errors.check(s, "x")
    assert _allowed(text.clean(s)) and errors.check(text.clean(s), "x") == text.clean(s)


@FAST
@given(TEXTS)
def test_a_link_or_import_holding_any_text_is_a_valid_document_or_a_message(s):
    """The scenario document (links, imports, the store, --set): any text in a name, a region
    name or a key is either accepted in NFC form or refused with a message that can be shown."""
    for doc in ({"preset": "demo", "name": s}, {"preset": "demo", "region": {"name": s}},
                {"preset": "demo", "growth": {s: 0.05}}):
        raw = json.dumps(doc)  # \\ud800 travels escaped, as in a link
        try:
            got = overrides.parse(raw)
        except InputError as exc:
            for lang in ("zh", "en"):
                exc.message(lang).encode("utf-8")  # printable, storable, sendable
            continue
        assert _allowed(json.dumps(got, ensure_ascii=False))


@FAST
@given(TEXTS)
def test_scenario_names_in_the_store(s):
    from ui import store

    ws = store.new_workspace()
    try:
        name = store.save(ws, s, json.dumps({"preset": "demo"}))
    except InputError as exc:
        exc.message("zh").encode("utf-8")
        return
    assert name in store.names(ws) and _allowed(name)
    assert json.loads(store.load(ws, name))["name"] == name


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(TEXTS, min_size=1, max_size=5))
def test_uploaded_region_names_are_refused_with_their_row_or_written_by_every_writer(names):
    """A table's region names pass the check, or the upload is refused naming column and row;
    names that pass are written by the CSV and Excel writers and a Word table, and read back."""
    from sim.files.loaders import load_rubric_example
    from sim.model.rubric import load_rubric

    rubric, ex = load_rubric(), load_rubric_example()
    rows = []
    for n in names:
        r = dict(zip(ex["column"], ex["value"]))
        r["region"] = n
        rows.append(r)
    try:
        frame = pd.DataFrame(rows)
        data = frame.to_csv(index=False).encode("utf-8", "surrogatepass")
    except UnicodeEncodeError:
        return
    try:
        regions, _ = scoring_input(rubric, table_from_bytes(data, "t.csv"))
    except InputError as exc:
        assert exc.code in ("bad_text_cell", "bad_csv", "bad_encoding", "empty_value", "no_rows", "empty_file",
                            "duplicate_column", "missing_column", "not_a_number")
        exc.message("zh").encode("utf-8")
        return
    _write_everywhere(regions)


def _write_everywhere(texts: list[str]) -> None:
    """CSV, xlsx and docx hold the texts and give them back; nothing raises."""
    from openpyxl import load_workbook

    from report import word

    frame = pd.DataFrame({"region": texts})
    back = pd.read_csv(io.BytesIO(csv_bytes(frame)), encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert list(back["region"]) == [inert(t) for t in texts]
    wb = load_workbook(io.BytesIO(xlsx_bytes({"s": frame})))
    assert [c.value for c in wb.active["A"]][1:] == [inert(t) for t in texts]
    doc = word.new_document()
    word.add_table(doc, frame)
    assert word.docx_bytes(doc)


@settings(max_examples=3, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(TEXTS, min_size=20, max_size=40))
def test_the_chart_renderer_survives_any_label(labels):
    """Chart labels of any text: the renderer (a child process) returns a PNG; even a text the
    entrances would refuse only costs its chart."""
    from report import render

    spec = {"data": {"values": [{"a": s, "i": i} for i, s in enumerate(labels)]}, "mark": "text",
            "encoding": {"text": {"field": "a", "type": "nominal"}, "y": {"field": "i", "type": "ordinal"}}}
    raw = json.loads(json.dumps(spec))
    out = render.pngs([raw])
    assert out[0] is not None and out[0][:8] == b"\x89PNG\r\n\x1a\n"


def test_a_renderer_that_aborts_costs_its_chart_only(monkeypatch):
    """A chart the renderer cannot draw (here: its abort on a control character, bypassing the
    cleaning) leaves the process alive and the other charts drawn."""
    from report import render

    bad = {"data": {"values": [{"a": "景\x0b县"}]}, "mark": "text", "encoding": {"text": {"field": "a"}}}
    good = {"data": {"values": [{"a": "景县"}]}, "mark": "text", "encoding": {"text": {"field": "a"}}}
    monkeypatch.setattr(render, "_clean", lambda spec: spec)
    out = render.pngs([good, bad, good])
    assert out[0] is not None and out[1] is None and out[2] is not None


def test_the_command_line_refuses_a_briefing_name_with_a_control_character(tmp_path, capsys):
    from sim.cli import main

    out = tmp_path / "b.docx"
    assert main(["brief", "--preset", "demo", "--name", "a\x0bb", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "--name" in err and "U+000B" in err and "Traceback" not in err and not out.exists()


def test_a_file_name_is_cleaned_before_it_is_shown():
    assert text.clean("衡水\x0b[表](https://x.cn)\ufffe.xlsx") == "衡水[表](https://x.cn).xlsx"
