"""Helpers shared by the app tests."""
from __future__ import annotations

import json
from pathlib import Path

from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parent.parent / "app.py")
TEST_WS = "test-workspace"  # the app tests' workspace (saved scenarios are private to one)


def open_app(preset: str = "demo", lang: str = "zh", page: str = "scenario", doc: dict | None = None,
             timeout: int = 60) -> AppTest:
    """The app on ``app_pages/<page>.py`` with a scenario document, run once."""
    at = AppTest.from_file(APP, default_timeout=timeout)
    at.session_state["lang"] = lang
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


def slider(at: AppTest, name: str):
    """The slider ``name`` of the page in its current generation (keys end in ``_<n>``)."""
    return next(s for s in at.slider if s.key and s.key.rsplit("_", 1)[0] == name)
