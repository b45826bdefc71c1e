"""The browser remembers its workspace in a cookie, so that no link has to carry it.

A scenario link (``?s=…``) and a briefing's link share a scenario; the workspace (the saved
scenarios) stays with the browser that made it: the cookie ``sim_ws`` (a year, this site only,
not sent to other sites). Streamlit reads cookies (``st.context.cookies``) but cannot set one, so
a tiny custom component (components v2: its JavaScript runs in the page, no iframe) writes it.
Only the explicit "share this workspace" link on the Compare page hands a workspace over.
"""
from __future__ import annotations

import streamlit as st

NAME = "sim_ws"
MAX_AGE = 365 * 24 * 3600  # seconds: a year

_JS = """
export default function ({ data }) {
  if (!data || !data.name || !/^[A-Za-z0-9_-]+$/.test(data.value)) return;
  const secure = window.location.protocol === "https:" ? "; Secure" : "";
  document.cookie = `${data.name}=${data.value}; path=/; max-age=${data.max_age}; SameSite=Strict${secure}`;
}
"""
_write = st.components.v2.component("sim_workspace_cookie", js=_JS)


def read() -> str | None:
    """The workspace this browser remembers, or None (outside a browser session: None)."""
    try:
        return st.context.cookies.get(NAME)
    except Exception:  # no browser request (tests, bare mode)
        return None


def remember(ws: str) -> None:
    """Have the browser remember ``ws`` (only when it does not already: the cookie arrived with
    this session's request). Mounted in the sidebar: it draws nothing."""
    if read() == ws:
        return
    with st.sidebar:
        _write(key="workspace_cookie", data={"name": NAME, "value": ws, "max_age": MAX_AGE}, height=0)
