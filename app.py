"""科技创新规划情景模拟器 — the Streamlit entry point: language, preset picker, navigation."""
from __future__ import annotations

from importlib.machinery import ModuleSpec

# Processes this server spawns (the City page's Dask workers: ui.workers) prepare by importing the
# parent's __main__ by its spec's name, or else by running its file: this script, which fails
# outside Streamlit (the workers never started). Named, they import the batch's module instead.
__spec__ = ModuleSpec("sim.counties.batch", None)

from functools import partial  # noqa: E402

import streamlit as st  # noqa: E402

import sim  # noqa: E402
from sim.allocator import tune  # noqa: E402
from ui import board, cookie, state, tour  # noqa: E402
from ui.i18n import LANGS, lang, say, t, tl  # noqa: E402

tune()  # the server process's allocator, once (sim.allocator)
st.set_page_config(page_title="科技创新规划情景模拟器", page_icon=":material/insights:", layout="wide")
BASE_CSS = """[data-testid='stMetricValue']{font-size:3rem}
[data-testid='stSidebarNav']{font-size:1.05rem}
[data-testid='stMetricLabel'] *{white-space:normal !important; overflow:visible !important}"""
# Streamlit writes the file uploader's button and limit, the empty state of a selectbox's or a
# multiselect's list ("No results", "You can only select up to 4 options") and a text box's
# "Press Enter to apply" in English: in Chinese they are replaced
ZH_CSS = """[data-testid='stFileUploaderDropzone'] button p{font-size:0}
[data-testid='stFileUploaderDropzone'] button p::after{content:'%(button)s'; font-size:1rem}
[data-testid='stFileUploaderDropzoneInstructions'] span{font-size:0}
[data-testid='stFileUploaderDropzoneInstructions'] span::after{content:'%(limit)s'; font-size:0.875rem}
[role='listbox'][data-empty='true'] [role='option'] span{font-size:0}
[role='listbox'][data-empty='true'] [role='option'] span::after{content:'%(empty)s'; font-size:1rem}
[data-testid='InputInstructions'] span:first-child{font-size:0}
[data-testid='InputInstructions'] span:first-child::after{content:'%(enter)s'; font-size:0.75rem}"""
PROJECTOR_CSS = """.stMain{font-size:1.3rem} .stMain p, .stMain li, .stMain label{font-size:1.3rem !important}
.stMain h1{font-size:3.2rem} .stMain h2, .stMain h3{font-size:2.2rem}
.stMain [data-testid='stMetricValue'], .stMain [data-testid='stMetricValue'] *{font-size:4.5rem !important}
[data-testid='stMetricLabel'] p{font-size:1.4rem !important}
[data-testid='stMetricDelta'] div{font-size:1.3rem}
[data-testid='stMetricDelta'], [data-testid='stMetricDelta'] *{white-space:normal !important; overflow:visible !important}
.stMain [data-testid='stSlider'] [role='group']{margin-top:1.4rem}
.stMain [data-testid='stSliderThumbValue'] p{font-size:1.1rem !important; line-height:1.2}
.stMain [data-testid='stSliderTickBarMin'], .stMain [data-testid='stSliderTickBarMax']{font-size:1rem}"""
# the presenter's view: projector mode without the sidebar or the control that opens it
PRESENT_CSS = """[data-testid='stSidebar'], [data-testid='stSidebarCollapseButton'],
[data-testid='stExpandSidebarButton']{display:none !important}"""
# a phone: metrics' large numbers smaller, and charts of a fixed width (a map, small multiples) shrunk
# to the screen (the scenario page's board orders its own: ui/live/board.css); a touch screen has no
# keyboard: the buttons' shortcut hints (Ctrl + Z) are not shown
PHONE_CSS = """@media (max-width: 640px){
.stMain [data-testid='stMetricValue']{font-size:2.4rem}
.stMain h1{font-size:2rem}
.stMain [data-testid='stVegaLiteChart'], .stMain [data-testid='stVegaLiteChart'] > div{max-width:100% !important}
.stMain [data-testid='stVegaLiteChart'] svg{max-width:100% !important; height:auto !important}}
@media (hover: none) and (pointer: coarse){.stMain button kbd{display:none}}"""

ROOT_NAME = "scenario-default"  # the name the root page reserves (Streamlit serves it at /)


def _unknown_path(known: set[str]) -> str | None:
    """The page name a browser asked for when no page has it (``/home``, an old bookmark, a
    mistyped link), else None. Streamlit would show its English "Page not found" box; such a
    path gets a hidden page that opens the scenario page instead. (Streamlit keeps the asked
    name in its script context; there is no public API for it.)"""
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx()
    name = getattr(getattr(ctx, "pages_manager", None), "intended_page_name", None)
    if not name or name in known or "/" in name.strip("/"):
        return None
    return name.strip("/") or None


def _enter_presenter_view() -> None:
    """The presenter's view (sidebar switch or ``?present=1``): projector mode without the sidebar."""
    if st.session_state["present"]:
        st.session_state["projector"] = True
    state.sync_url()


def _leave_presenter_view() -> None:
    st.session_state["present"] = False
    state.sync_url()


def _to_scenario(page) -> None:
    """Go to the scenario page at the root, keeping the link's query (preset, scenario, language)."""
    st.switch_page(page, query_params=st.query_params.to_dict())


if "lang" not in st.session_state:
    st.session_state["lang"] = st.query_params.get("lang", "zh") if st.query_params.get("lang") in LANGS else "zh"
if "present" not in st.session_state:
    st.session_state["present"] = st.query_params.get("present") == "1"
if "projector" not in st.session_state:
    st.session_state["projector"] = st.query_params.get("projector") == "1" or st.session_state["present"]
state.init()
board.apply_history()  # the scenario board's undo, redo or reset, before the widgets below are drawn
cookie.remember(state.workspace())  # the browser keeps its workspace; links never carry it
# the sidebar's widgets keep their values across pages; the picker always shows the scenario's preset
st.session_state["lang"] = st.session_state["lang"]
st.session_state["projector"] = st.session_state["projector"]
st.session_state["present"] = st.session_state["present"]
st.session_state["preset"] = state.doc()["preset"]

presets = {p["id"]: p for p in sim.list_presets()}
with st.sidebar:
    st.radio(t("language"), LANGS, key="lang", horizontal=True, on_change=state.sync_url,
             format_func=lambda code: {"zh": "中文", "en": "English"}[code])
    names = {pid: p[lang()] for pid, p in presets.items()}  # labels fixed now, not at format time
    st.selectbox(t("preset"), list(presets), key="preset", format_func=names.__getitem__,
                 on_change=lambda: state.switch_preset(st.session_state["preset"]))
    st.divider()
    st.toggle(t("projector"), key="projector", help=t("projector_help"), on_change=state.sync_url)
    st.toggle(t("present"), key="present", help=t("present_help"), on_change=_enter_presenter_view)
    st.button(t("tour_again"), key="tour_again", icon=":material/school:", type="tertiary", on_click=tour.restart)

css = BASE_CSS + "\n" + PHONE_CSS
if lang() == "zh":
    css += "\n" + ZH_CSS % {"button": t("uploader_button"), "empty": t("select_empty"), "enter": t("input_enter"),
                            "limit": t("uploader_limit", mb=st.get_option("server.maxUploadSize"))}
if st.session_state["projector"]:
    css += "\n" + PROJECTOR_CSS
if st.session_state["present"]:
    css += "\n" + PRESENT_CSS
st.html(f"<style>{css}</style>")
# a link that could not be opened is said at the top of the page (a phone hides the sidebar)
if "init_error" in st.session_state:
    st.warning(tl("bad_link", msg=st.session_state.pop("init_error").message(lang())), icon=":material/link_off:")
if "link_error" in st.session_state:
    st.warning(say(st.session_state.pop("link_error")), icon=":material/link_off:")
if st.session_state["present"]:  # the way back to the sidebar, at the top of every page
    st.button(t("present_leave"), key="present_leave", icon=":material/left_panel_open:", type="tertiary",
              on_click=_leave_presenter_view)
tour.maybe_start()

pages = [
    st.Page("app_pages/scenario.py", title=t("page_scenario"), icon=":material/tune:", default=True, url_path=ROOT_NAME),
    st.Page("app_pages/optimizer.py", title=t("page_optimizer"), icon=":material/explore:", url_path="optimizer"),
    st.Page("app_pages/targets.py", title=t("page_targets"), icon=":material/flag:", url_path="targets"),
    st.Page("app_pages/uncertainty.py", title=t("page_uncertainty"), icon=":material/ssid_chart:", url_path="uncertainty"),
    st.Page("app_pages/city.py", title=t("page_city"), icon=":material/map:", url_path="city"),
    st.Page("app_pages/compare.py", title=t("page_compare"), icon=":material/compare_arrows:", url_path="compare"),
    st.Page("app_pages/data.py", title=t("page_data"), icon=":material/table_chart:", url_path="data"),
    st.Page("app_pages/method.py", title=t("page_method"), icon=":material/menu_book:", url_path="method"),
    st.Page("app_pages/score.py", title=t("page_score"), icon=":material/calculate:", url_path="score"),
    # the scenario page is served at the root; /scenario (a bookmark, a link) opens it too
    st.Page("app_pages/scenario.py", title=t("page_scenario"), icon=":material/tune:", url_path="scenario",
            visibility="hidden"),
]
if (asked := _unknown_path({p.url_path for p in pages} | {ROOT_NAME})) is not None:
    pages.append(st.Page(partial(_to_scenario, pages[0]), title=t("page_scenario"), url_path=asked,
                         visibility="hidden"))
st.navigation(pages).run()
state.sync_url()
