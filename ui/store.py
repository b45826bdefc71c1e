"""Saved scenarios: private to a workspace, kept in SQLite (embedded default) or PostgreSQL.

``$SIM_SCENARIO_DB`` is a file path (SQLite; default ``scenarios.sqlite`` in the repository
folder, git-ignored) or a SQLAlchemy URL (``postgresql+psycopg://user@host/db`` for a deployment
with several app servers). One table::

    scenarios(workspace, name, preset, doc, saved_at)   primary key (workspace, name)

A workspace is a random, unguessable id (:func:`new_workspace`) that the browser holds in its
link: another user sees a workspace's scenarios only with that link. A scenario to share gets a
short link (``?id=…``, :func:`link`): a second table holds the document and its name under an
id derived from them, so a link fits a WeChat message and a QR code, and says nothing of the
workspace::

    links(id, name, doc, created_at)   primary key (id)
 ``doc`` is a scenario
document (:mod:`sim.scenarios.overrides`) as canonical JSON carrying its own ``name`` and ``saved_at``.
Every write is one transaction, so a crash or a bad import leaves the store as it was. Bad input
raises :class:`sim.files.errors.InputError` (zh/en); nothing here imports Streamlit. A store written
before workspaces existed (one shared list) is migrated into the workspace ``legacy``.
"""
from __future__ import annotations

import base64
import contextlib
import functools
import hashlib
import json
import os
import re
import secrets
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

from sqlalchemy import bindparam, create_engine, event, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError

from sim.files.errors import InputError
from sim.files.text import bad_char, normal
from sim.inputs import document
from sim.scenarios import overrides

DEFAULT_PATH = Path(__file__).resolve().parent.parent / "scenarios.sqlite"
MAX_NAME = 60
PAGE = 50
LEGACY = "legacy"
WORKSPACE = re.compile(r"^[A-Za-z0-9_-]{6,64}$")
SCHEMA = ("CREATE TABLE IF NOT EXISTS scenarios (workspace VARCHAR(64) NOT NULL, name VARCHAR(64) NOT NULL, "
          "preset VARCHAR(64), doc TEXT NOT NULL, saved_at VARCHAR(40), PRIMARY KEY (workspace, name))")
INDEX = "CREATE INDEX IF NOT EXISTS scenarios_by_time ON scenarios (workspace, saved_at)"
LINKS = ("CREATE TABLE IF NOT EXISTS links (id VARCHAR(16) NOT NULL PRIMARY KEY, name VARCHAR(64) NOT NULL, "
         "doc TEXT NOT NULL, created_at VARCHAR(40))")
SHORT_ID = re.compile(r"^[a-z2-7]{8,16}$")  # base32 letters and digits, as :func:`link` makes them
UPSERT = ("INSERT INTO scenarios(workspace, name, preset, doc, saved_at) VALUES (:w, :n, :p, :d, :s) "
          "ON CONFLICT (workspace, name) DO UPDATE SET preset = excluded.preset, doc = excluded.doc, "
          "saved_at = excluded.saved_at")


def url() -> str:
    """The store's SQLAlchemy URL (read from the environment on every call)."""
    where = os.environ.get("SIM_SCENARIO_DB") or str(DEFAULT_PATH)
    return where if "://" in where else f"sqlite:///{Path(where)}"


def path() -> str:
    """The store's location as a user would name it (a file path, or the URL without password)."""
    where = os.environ.get("SIM_SCENARIO_DB") or str(DEFAULT_PATH)
    return re.sub(r"://([^:/@]+):[^@]*@", r"://\1:***@", where)


@functools.lru_cache(maxsize=8)
def _engine(store_url: str) -> Engine:
    """One engine (a connection pool) per store URL; SQLite waits up to 10 s for a lock."""
    if store_url.startswith("sqlite:///"):
        Path(store_url[len("sqlite:///"):]).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(store_url, connect_args={"timeout": 10})

        @event.listens_for(engine, "connect")
        def _pragmas(conn, _record) -> None:  # readers never wait for a writer
            conn.execute("PRAGMA journal_mode=WAL")
        return engine
    return create_engine(store_url, pool_pre_ping=True, pool_size=5)


@contextlib.contextmanager
def _connect() -> Iterator[Connection]:
    """A connection in a transaction (commit on success, rollback on error), the table made."""
    try:
        engine = _engine(url())
        with engine.begin() as conn:
            _schema(conn)
            yield conn
    except (OSError, SQLAlchemyError) as exc:
        raise InputError("store_failed", path=path(), reason=str(getattr(exc, "orig", exc))[:160]) from None


def _schema(conn: Connection) -> None:
    cols = _columns(conn)
    if cols and "workspace" not in cols:  # a store from before workspaces: one shared list
        conn.execute(text("ALTER TABLE scenarios RENAME TO scenarios_shared"))
        conn.execute(text(SCHEMA))
        conn.execute(text("INSERT INTO scenarios(workspace, name, preset, doc, saved_at) "
                          "SELECT :w, name, preset, doc, saved_at FROM scenarios_shared"), {"w": LEGACY})
        conn.execute(text("DROP TABLE scenarios_shared"))
    elif not cols:
        conn.execute(text(SCHEMA))
    conn.execute(text(INDEX))
    conn.execute(text(LINKS))


def _columns(conn: Connection) -> set[str]:
    if conn.dialect.name == "sqlite":
        return {r[1] for r in conn.execute(text("PRAGMA table_info(scenarios)"))}
    rows = conn.execute(text("SELECT column_name FROM information_schema.columns WHERE table_name = 'scenarios'"))
    return {r[0] for r in rows}


# ---------------------------------------------------------------------- workspaces
def new_workspace() -> str:
    """A new, unguessable workspace id (128 random bits)."""
    return secrets.token_urlsafe(16)


def check_workspace(ws) -> str:
    """The id if it has the shape of one (letters, digits, - and _, 6-64 characters), else
    InputError."""
    if not isinstance(ws, str) or not WORKSPACE.match(ws):
        raise InputError("bad_workspace")
    return ws


# ---------------------------------------------------------------------- names and documents
def check_name(name) -> str:
    """The name stripped, in NFC form; InputError unless it has 1–60 characters, all allowed
    (:mod:`sim.files.text`: no control characters, surrogates or non-characters)."""
    if not isinstance(name, str) or not name.strip():
        raise InputError("scenario_name_empty")
    name = name.strip()
    if len(name) > MAX_NAME:
        raise InputError("scenario_name_too_long", n=len(name), max=MAX_NAME)
    if bad_char(name) is not None:
        raise InputError("scenario_name_control", char=bad_char(name))
    return normal(name)


def _now() -> str:
    return datetime.now().astimezone().isoformat(timespec="seconds")


def _canonical(doc: dict) -> str:
    return json.dumps(doc, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def _validated(doc: dict) -> dict:
    """The document checked with ``overrides.parse`` and ``overrides.apply`` (InputError if bad)."""
    doc = overrides.parse(json.dumps(doc, ensure_ascii=False))
    overrides.apply(doc)
    return doc


def _row(ws: str, name: str, doc: dict, saved_at: str) -> dict:
    doc = {**doc, "format": overrides.FORMAT, "name": name, "saved_at": saved_at}
    return {"w": ws, "n": name, "p": str(doc["preset"]), "d": _canonical(doc), "s": saved_at}


# ---------------------------------------------------------------------- API
def save(ws: str, name: str, doc_text: str) -> str:
    """Save (or replace) a scenario under ``name`` in workspace ``ws``; returns the stripped
    name. The document is validated first; a bad name or document raises InputError and writes
    nothing."""
    ws, name = check_workspace(ws), check_name(name)
    doc = _validated(overrides.parse(doc_text))
    with _connect() as conn:
        conn.execute(text(UPSERT), _row(ws, name, doc, _now()))
    return name


def count(ws: str) -> int:
    """How many scenarios the workspace holds."""
    with _connect() as conn:
        return int(conn.execute(text("SELECT COUNT(*) FROM scenarios WHERE workspace = :w"),
                                {"w": check_workspace(ws)}).scalar_one())


def list_saved(ws: str, offset: int = 0, limit: int | None = None) -> list[dict]:
    """The workspace's saved scenarios as ``{"name", "preset", "saved_at"}``, the latest first;
    ``limit`` rows from ``offset`` (all when None)."""
    sql = ("SELECT name, preset, saved_at FROM scenarios WHERE workspace = :w "
           "ORDER BY saved_at DESC, name")
    params: dict = {"w": check_workspace(ws)}
    if limit is not None:
        sql += " LIMIT :limit OFFSET :offset"
        params.update(limit=int(limit), offset=max(0, int(offset)))
    with _connect() as conn:
        rows = conn.execute(text(sql), params).all()
    return [{"name": n, "preset": p, "saved_at": s} for n, p, s in rows]


def names(ws: str) -> list[str]:
    """Every name in the workspace, the latest first (one query)."""
    return [r["name"] for r in list_saved(ws)]


def load(ws: str, name: str) -> str:
    """The saved document's JSON text (it includes ``name`` and ``saved_at``)."""
    key = name.strip() if isinstance(name, str) else name
    with _connect() as conn:
        row = conn.execute(text("SELECT doc FROM scenarios WHERE workspace = :w AND name = :n"),
                           {"w": check_workspace(ws), "n": key}).first()
    if row is None:
        raise InputError("scenario_not_found", name=name)
    return row[0]


def delete(ws: str, name: str) -> bool:
    """Delete a saved scenario; False when there was none of that name."""
    key = name.strip() if isinstance(name, str) else name
    with _connect() as conn:
        cur = conn.execute(text("DELETE FROM scenarios WHERE workspace = :w AND name = :n"),
                           {"w": check_workspace(ws), "n": key})
    return cur.rowcount > 0


def export_json(ws: str, chosen: list[str]) -> bytes:
    """The named scenarios as a UTF-8 JSON list of documents (each with ``name``), in the order
    given, read in one query for just those names; unknown names raise InputError."""
    if not chosen:
        return b"[]"
    query = text("SELECT name, doc FROM scenarios WHERE workspace = :w AND name IN :names").bindparams(
        bindparam("names", expanding=True))
    with _connect() as conn:
        rows = conn.execute(query, {"w": check_workspace(ws), "names": list(chosen)}).all()
    docs = dict(rows)
    missing = [n for n in chosen if n not in docs]
    if missing:
        raise InputError("scenario_not_found", name=missing[0])
    return json.dumps([json.loads(docs[n]) for n in chosen], ensure_ascii=False, indent=2).encode("utf-8")


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
    most = int(document.limits()["document"]["max_import_documents"])
    if len(docs) > most:
        raise InputError("import_too_many", n=f"{len(docs):,}", limit=f"{most:,}")
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


def import_json(ws: str, data: bytes | str) -> list[str]:
    """Import an exported file into workspace ``ws``: every document is validated before any is
    written, then all are written in one transaction (existing names are replaced). Returns the
    imported names."""
    ws = check_workspace(ws)
    items = read_import(data)
    now = _now()
    with _connect() as conn:
        conn.execute(text(UPSERT), [_row(ws, name, doc, now) for name, doc in items])
    return [name for name, _ in items]


# ---------------------------------------------------------------------- short links
def _short(doc: str, name: str, length: int) -> str:
    digest = hashlib.sha256(f"{name}\n{doc}".encode("utf-8")).digest()
    return base64.b32encode(digest).decode("ascii").lower()[:length]


def link(doc_text: str, name: str = "") -> str:
    """The short id of a scenario document with its name (8 characters; longer only if another
    document already holds those 8). The same document and name always get the same id; the
    document is validated first (InputError if bad) and stored without its store fields."""
    name = check_name(name) if name else ""
    fields = {k: v for k, v in _validated(overrides.parse(doc_text)).items() if k not in ("name", "saved_at", "format")}
    doc = _canonical(fields)  # the session's own form of the document (ui.state keeps it so)
    with _connect() as conn:
        for length in (8, 10, 12, 16):
            short = _short(doc, name, length)
            row = conn.execute(text("SELECT name, doc FROM links WHERE id = :i"), {"i": short}).first()
            if row is None:
                conn.execute(text("INSERT INTO links(id, name, doc, created_at) VALUES (:i, :n, :d, :c) "
                                  "ON CONFLICT (id) DO NOTHING"), {"i": short, "n": name, "d": doc, "c": _now()})
                return short
            if tuple(row) == (name, doc):
                return short
    raise InputError("store_failed", path=path(), reason="no free short id")


def resolve(short) -> tuple[str, str]:
    """(document text, name) of a short id; InputError ``link_not_found`` for an id the store
    does not hold (or one of the wrong shape)."""
    if not isinstance(short, str) or not SHORT_ID.match(short.strip().lower()):
        raise InputError("link_not_found", id=str(short)[:20])
    with _connect() as conn:
        row = conn.execute(text("SELECT doc, name FROM links WHERE id = :i"), {"i": short.strip().lower()}).first()
    if row is None:
        raise InputError("link_not_found", id=short.strip()[:20])
    return row[0], row[1]


def scenario_doc(doc_text: str) -> dict:
    """A saved document without its store fields (``name``, ``saved_at``): what the simulator
    keeps in the session and the URL."""
    doc = overrides.parse(doc_text)
    for key in ("name", "saved_at"):
        doc.pop(key, None)
    return doc
