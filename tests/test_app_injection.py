"""User text is text: a region name or a saved scenario's name written as Markdown (a link, an
image from an outside address, formatting) is shown literally on every page, in both languages,
and never reaches another user as a link or an image."""
from __future__ import annotations

import json

import pytest
from helpers import TEST_WS, open_app, plain

from ui import store

INJECTION = "![p](https://evil.example/p.png)[go](https://evil.example)"
DOC = {"preset": "demo", "region": {"name": INJECTION, "values": {"registered_firms": 13000.0}}}
PAGES = ["scenario", "optimizer", "targets", "uncertainty", "compare", "data", "method", "score"]


def rendered_sources(at) -> list[str]:
    """Every Markdown source the page sends to the browser: texts, captions, alerts, metric
    labels, values and deltas, expander and button labels, titles and headers."""
    out = []
    for kind in ("markdown", "caption", "info", "success", "warning", "error", "title", "header", "subheader"):
        out += [e.value for e in getattr(at, kind)]
    for m in at.metric:
        out += [m.label, m.value, m.proto.delta or ""]
    out += [e.label for e in at.expander] + [b.label for b in at.button]
    return [s for s in out if isinstance(s, str)]


def assert_literal(at) -> None:
    for text in rendered_sources(at):
        assert "](https://evil" not in text, text  # an unescaped link or image target
        assert "![p]" not in text and "[go]" not in text, text
        assert "https://evil" not in plain(text), text  # a bare address would be linked by itself


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("page", PAGES)
def test_a_region_name_in_a_link_renders_literally_on_every_page(page, lang):
    at = open_app("demo", lang, page, doc=DOC)
    assert not at.exception, [e.value for e in at.exception]
    assert_literal(at)
    if page == "data":
        assert any("evil" in s for s in rendered_sources(at))  # shown, as text


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_saved_scenario_name_reaches_other_users_literally(lang):
    store.save(TEST_WS, INJECTION, json.dumps(DOC, ensure_ascii=False))
    at = open_app("demo", lang, "compare")
    at.multiselect(key="cmp_sel").set_value(["", INJECTION]).run()
    assert not at.exception
    assert any("evil" in s for s in rendered_sources(at))  # it is shown ...
    assert_literal(at)                                       # ... as text
    at.selectbox(key="cmp_pick").set_value(INJECTION)
    at.button(key="cmp_delete").click().run()
    assert_literal(at)


def test_an_import_message_quotes_a_bad_name_literally():
    at = open_app("demo", "en", "compare")
    bad = json.dumps([{"preset": "nowhere", "name": INJECTION}]).encode()
    at.file_uploader(key="cmp_upload").set_value(("x.json", bad, "application/json")).run()
    assert at.error
    assert_literal(at)
