"""Saved scenarios: an embedded SQLite file (stdlib ``sqlite3``), shared by every session.

The file is ``$SIM_SCENARIO_DB``, else ``scenarios.sqlite`` in the repository folder (git-ignored).
One table::

    scenarios(name TEXT PRIMARY KEY, preset TEXT, doc TEXT NOT NULL, saved_at TEXT)

``doc`` is a scenario document (:mod:`sim.overrides`) as canonical JSON that carries its own
``name`` and ``saved_at``. Every call opens its own connection and closes it (no module-level
state: a session's unsaved scenario stays in that session); every write is one transaction, so a
crash or a bad import leaves the file as it was. Bad input raises :class:`sim.errors.InputError`
(zh/en); nothing here imports Streamlit.
"""
from __future__ import annotations

import contextlib
import json
import os
import sqlite3
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

from sim import document, overrides
from sim.errors import InputError

DEFAULT_PATH = Path(__file__).resolve().parent.parent / "scenarios.sqlite"
MAX_NAME = 60
SCHEMA = ("CREATE TABLE IF NOT EXISTS scenarios ("
          "name TEXT PRIMARY KEY, preset TEXT, doc TEXT NOT NULL, saved_at TEXT)")


def path() -> Path:
    """The store's file (read from the environment on every call)."""
    return Path(os.environ.get("SIM_SCENARIO_DB") or DEFAULT_PATH)


@contextlib.contextmanager
def _connect() -> Iterator[sqlite3.Connection]:
    """A fresh connection; ``with conn:`` inside commits on success and rolls back on error."""
    p = path()
    try:
        p.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(p, timeout=10)
    except (OSError, sqlite3.Error) as exc:
        raise InputError("store_failed", path=str(p), reason=str(exc)[:160]) from None
    try:
        with conn:
            conn.execute(SCHEMA)
        yield conn
    except sqlite3.Error as exc:
        raise InputError("store_failed", path=str(p), reason=str(exc)[:160]) from None
    finally:
        conn.close()


def check_name(name) -> str:
    """The name stripped; InputError unless it has 1–60 characters and no control characters."""
    if not isinstance(name, str) or not name.strip():
        raise InputError("scenario_name_empty")
    name = name.strip()
    if len(name) > MAX_NAME:
        raise InputError("scenario_name_too_long", n=len(name), max=MAX_NAME)
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in name):
        raise InputError("scenario_name_control")
    return name


def _now() -> str:
    return datetime.now().astimezone().isoformat(timespec="seconds")


def _canonical(doc: dict) -> str:
    return json.dumps(doc, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def _validated(doc: dict) -> dict:
    """The document checked with ``overrides.parse`` and ``overrides.apply`` (InputError if bad)."""
    doc = overrides.parse(json.dumps(doc, ensure_ascii=False))
    overrides.apply(doc)
    return doc


def _row(name: str, doc: dict, saved_at: str) -> tuple[str, str, str, str]:
    doc = {**doc, "format": overrides.FORMAT, "name": name, "saved_at": saved_at}
    return name, str(doc["preset"]), _canonical(doc), saved_at


def save(name: str, doc_text: str) -> str:
    """Save (or replace) a scenario under ``name``; returns the stripped name.

    The document is validated first; a bad name or document raises InputError and writes nothing."""
    name = check_name(name)
    doc = _validated(overrides.parse(doc_text))
    row = _row(name, doc, _now())
    with _connect() as conn, conn:
        conn.execute("INSERT INTO scenarios(name, preset, doc, saved_at) VALUES (?, ?, ?, ?) "
                     "ON CONFLICT(name) DO UPDATE SET preset=excluded.preset, doc=excluded.doc, "
                     "saved_at=excluded.saved_at", row)
    return name


def list_saved() -> list[dict]:
    """Every saved scenario as ``{"name", "preset", "saved_at"}``, the latest first."""
    with _connect() as conn:
        rows = conn.execute("SELECT name, preset, saved_at FROM scenarios "
                            "ORDER BY saved_at DESC, name").fetchall()
    return [{"name": n, "preset": p, "saved_at": s} for n, p, s in rows]


def load(name: str) -> str:
    """The saved document's JSON text (it includes ``name`` and ``saved_at``)."""
    key = name.strip() if isinstance(name, str) else name
    with _connect() as conn:
        row = conn.execute("SELECT doc FROM scenarios WHERE name = ?", (key,)).fetchone()
    if row is None:
        raise InputError("scenario_not_found", name=name)
    return row[0]


def delete(name: str) -> bool:
    """Delete a saved scenario; False when there was none of that name."""
    key = name.strip() if isinstance(name, str) else name
    with _connect() as conn, conn:
        cur = conn.execute("DELETE FROM scenarios WHERE name = ?", (key,))
    return cur.rowcount > 0


def export_json(names: list[str]) -> bytes:
    """The named scenarios as a UTF-8 JSON list of documents (each with ``name``), in the order
    given; unknown names raise InputError."""
    docs = [json.loads(load(n)) for n in names]
    return json.dumps(docs, ensure_ascii=False, indent=2).encode("utf-8")


def read_import(data: bytes | str) -> list[tuple[str, dict]]:
    """Parse and validate an exported file: ``[(name, document), ...]``.

    Accepts a JSON list of documents or one document; every document must be valid and carry a
    valid, unique ``name``. Raises InputError (zh/en, naming the document) on the first problem."""
    docs = document.loads(data, max_bytes=int(document.limits()["document"]["max_import_bytes"]))
    if isinstance(docs, dict):
        docs = [docs]
    if not isinstance(docs, list):
        raise InputError("import_not_list")
    if not docs:
        raise InputError("import_empty")
    out: list[tuple[str, dict]] = []
    seen: set[str] = set()
    for i, doc in enumerate(docs, start=1):
        label = doc.get("name", "") if isinstance(doc, dict) else ""
        label = label if isinstance(label, str) else str(label)
        try:
            if not isinstance(doc, dict):
                raise InputError("bad_json", reason=f"{type(doc).__name__}")
            doc = _validated(doc)
            name = check_name(doc.get("name"))
        except InputError as exc:
            raise InputError("import_bad_document", number=i, name=label[:MAX_NAME],
                             reason_zh=exc.message("zh"), reason_en=exc.message("en")) from None
        if name in seen:
            raise InputError("import_duplicate_name", number=i, name=name)
        seen.add(name)
        out.append((name, doc))
    return out


def import_json(data: bytes | str) -> list[str]:
    """Import an exported file: every document is validated before any is written, then all are
    written in one transaction (existing names are replaced). Returns the imported names."""
    items = read_import(data)
    now = _now()
    rows = [_row(name, doc, now) for name, doc in items]
    with _connect() as conn, conn:
        conn.executemany("INSERT INTO scenarios(name, preset, doc, saved_at) VALUES (?, ?, ?, ?) "
                         "ON CONFLICT(name) DO UPDATE SET preset=excluded.preset, doc=excluded.doc, "
                         "saved_at=excluded.saved_at", rows)
    return [name for name, _ in items]


def scenario_doc(doc_text: str) -> dict:
    """A saved document without its store fields (``name``, ``saved_at``): what the simulator
    keeps in the session and the URL."""
    doc = overrides.parse(doc_text)
    for key in ("name", "saved_at"):
        doc.pop(key, None)
    return doc
