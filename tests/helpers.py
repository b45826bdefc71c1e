"""Helpers shared by the app tests."""
from __future__ import annotations

import json
import re
from pathlib import Path

from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parent.parent / "app.py")
TEST_WS = "test-workspace"  # the app tests' workspace (saved scenarios are private to one)


def open_app(preset: str = "demo", lang: str = "zh", page: str = "scenario", doc: dict | None = None,
             timeout: int = 60, tour: bool = False) -> AppTest:
    """The app on ``app_pages/<page>.py`` with a scenario document, run once (the guided start
    already seen unless ``tour``)."""
    at = AppTest.from_file(APP, default_timeout=timeout)
    at.session_state["lang"] = lang
    at.session_state["tour_done"] = not tour
    at.session_state["workspace"] = TEST_WS
    at.session_state["preset"] = preset
    at.session_state["scenario_doc"] = json.dumps(doc or {"preset": preset}, ensure_ascii=False,
                                                  sort_keys=True, separators=(",", ":"))
    at.switch_page(f"app_pages/{page}.py")
    return at.run()


def plain(text: str) -> str:
    """What a Markdown element shows: the page makes user text literal with character
    references (ui.literal.lit), AppTest gives the source, so they are decoded before comparing."""
    import html

    return html.unescape(text)


def board_proto(at: AppTest):
    """The scenario page's board element (ui.board) of the last run: its message."""
    return next(p for p in _protos(at) if getattr(p, "component_name", "") == "sim_board")


def board_data(at: AppTest) -> dict:
    """What the scenario page sent its board (ui.board) in the last run: ``controls`` (the budget
    sliders), ``history``, ``path``, ``groups``, ``indicators``, ``plan``, ``next``, ``peers``."""
    return board_json(board_proto(at))


def board_json(proto) -> dict:
    """The board's data from its message (ui.board.encoded: JSON bytes)."""
    return json.loads(proto.bytes.decode("utf-8"))


def budget(at: AppTest) -> dict:
    """The board's budget sliders as drawn: {"total": 万元, program id: 万元}."""
    c = board_data(at)["controls"]
    return {"total": c["total"]["value"], **{p["id"]: p["value"] for p in c["programs"]}}


_SEQ = iter(range(1, 10**9))


def board_event(at: AppTest, kind: str, value) -> AppTest:
    """An event of the board as the browser sends it (ui.board: "move", "history", "open"), queued
    the way its callback queues it; runs the page."""
    from ui import board

    at.session_state[board.PENDING] = [(kind, value)]
    return at.run()


def move(at: AppTest, total: float | None = None, **programs: float) -> AppTest:
    """Release the board's budget sliders: the total at ``total``, or the programs named at the
    amounts given (the others where they stand), as the browser sends it; runs the page."""
    if total is not None:
        return board_event(at, "move", {"seq": next(_SEQ), "total": float(total)})
    c = board_data(at)["controls"]["programs"]
    return board_event(at, "move", {"seq": next(_SEQ), "programs": [float(programs.get(p["id"], p["value"])) for p in c]})


def _nodes(node):
    yield node
    for child in getattr(node, "children", {}).values():
        yield from _nodes(child)


def live_data(at: AppTest) -> dict:
    """What the scenario page sent its headline (ui.live.headline_data, drawn by the board) in the
    last run: ``truth``, the strings the browser shows until a slider moves (Python's numbers),
    ``text`` its labels, ``pack`` the model pack (first run of a session)."""
    return board_data(at)["headline"]


def headline(at: AppTest) -> dict:
    """The scenario page's headline as shown: median (or targets met), second number (chance of
    A, or attainment), budget, band, most likely tier, … (:func:`live_data`'s ``truth``)."""
    return live_data(at)["truth"]


# ---------------------------------------------------------------------- the text a page shows
LATIN_SENTENCE = __import__("re").compile(r"[A-Za-z][a-z]+(?:[ ,;:'’()-]+[A-Za-z][A-Za-z]+){2,}")
# words that may stand in a zh page: names, units, file names and the seed's quoted words
LATIN_ALLOWED = __import__("re").compile(
    r"`[^`]*`|“[^”]*”|\"[^\"]*\"|\b[\w.-]+\.(?:txt|md|toml|csv|xlsx|xls|ods|json|png)\b|https?://\S+|"
    r"\b(?:R&D|GDP|Excel|WPS|LibreOffice|CSV|JSON|URL|Monte Carlo|Sobol|SALib|Altair|Streamlit)\b")


def page_texts(at: AppTest) -> list[str]:
    """Every text an AppTest run puts on the page: each element's string fields (markdown, labels,
    help, options, captions, chart specifications) and the string cells of its tables and charts'
    datasets."""
    import pyarrow as pa
    from google.protobuf.json_format import MessageToDict

    out: list[str] = []

    def strings(v):
        if isinstance(v, str):
            if not v.startswith("<style>"):  # the app's style sheet (st.html) is not text
                out.append(v)
        elif isinstance(v, dict):
            for k, x in v.items():
                if k not in ("data", "arrowData", "id", "formId", "key", "jsContent", "cssContent", "htmlContent",
                             "componentName", "json"):  # a custom component's code and data are not text
                    strings(x)
        elif isinstance(v, list):
            for x in v:
                strings(x)

    def arrow(data: bytes):
        try:
            table = pa.ipc.open_stream(data).read_all()
        except pa.ArrowInvalid:
            return
        out.extend(str(n) for n in table.column_names)
        for col in table.columns:
            if pa.types.is_string(col.type) or pa.types.is_large_string(col.type):
                out.extend(v for v in col.to_pylist() if v)

    for proto in _protos(at):
        if getattr(proto, "component_name", "") == "sim_board":
            shown = board_json(proto)["headline"]  # the headline's words (not its model pack)
            strings([shown["text"], {k: v for k, v in shown["truth"].items() if isinstance(v, str)}])
        else:
            strings(json.loads(json.dumps(MessageToDict(proto))))
            for data in _table_bytes(proto):
                arrow(data)
            for ds in getattr(proto, "datasets", []):
                arrow(ds.data.data)
    return out


def _protos(at: AppTest):
    """Every element's message of an AppTest run, depth first."""
    stack = [at._tree]
    while stack:
        node = stack.pop()
        proto = getattr(node, "proto", None)
        if proto is not None:
            yield proto
        stack.extend(reversed(list(getattr(node, "children", {}).values())))


def _table_bytes(proto):
    """The Arrow stream of a table or dataframe element (its ``data`` or ``arrow_data``)."""
    for field in ("data", "arrow_data"):
        d = getattr(proto, field, None)
        if d is not None and hasattr(d, "data") and isinstance(d.data, bytes):
            yield d.data


def table_headers(at: AppTest) -> list[str]:
    """The headers every table and dataframe of an AppTest run shows: each column's (and the
    index's) label from the column configuration, else its name; hidden columns, columns left out
    of a ``column_order`` and pandas' unnamed index (``__index_level_0__``) are not shown."""
    import pyarrow as pa

    out: list[str] = []

    def headers(proto, data: bytes) -> list[str]:
        schema = pa.ipc.open_stream(data).read_all().schema
        meta = json.loads((schema.metadata or {}).get(b"pandas", b"{}"))
        index = {c for c in meta.get("index_columns", []) if isinstance(c, str)}
        config = json.loads(getattr(proto, "columns", "") or "{}")
        order = set(getattr(proto, "column_order", []) or [])
        shown = []
        for name in schema.names:
            c = config.get("_index" if name in index else name, {}) or config.get(name, {})
            if c.get("hidden") or name.startswith("__index_level_") or (order and name not in order | index):
                continue
            shown.append(str(c.get("label") or name))
        return shown

    for proto in _protos(at):
        for data in _table_bytes(proto):
            try:
                out.extend(headers(proto, data))
            except pa.ArrowInvalid:  # an empty table
                continue
    return out


ENGLISH_HEADER = re.compile(r"^[a-z][a-z_ ]{2,}$")  # "round", "statistic", "published": a developer's name left showing


def english_headers(at: AppTest) -> list[str]:
    """The shown table headers that are bare English code names (:data:`ENGLISH_HEADER`)."""
    return [h for h in table_headers(at) if ENGLISH_HEADER.match(h)]


def latin_sentences(texts: list[str]) -> list[str]:
    """The runs of three or more Latin-script words in the texts, outside quoted words, file names
    and the names in :data:`LATIN_ALLOWED`."""
    hits = []
    for text in texts:
        if text.lstrip().startswith("{"):  # a chart specification: its titles and labels only
            try:
                spec = json.loads(text)
            except ValueError:
                spec = None
            if spec is not None:
                hits += latin_sentences(_spec_labels(spec))
                continue
        hits += LATIN_SENTENCE.findall(LATIN_ALLOWED.sub(" ", text))
    return hits


def _spec_labels(spec) -> list[str]:
    """Titles, axis and legend labels, tooltips' titles and text marks of a Vega-Lite spec."""
    out = []
    if isinstance(spec, dict):
        for k, v in spec.items():
            if k in ("title", "text", "labelExpr", "description") and isinstance(v, (str, list)):
                out += [v] if isinstance(v, str) else [x for x in v if isinstance(x, str)]
            elif k not in ("data", "datasets", "$schema", "usermeta", "field", "name"):
                out += _spec_labels(v)
    elif isinstance(spec, list):
        for x in spec:
            out += _spec_labels(x)
    return out
