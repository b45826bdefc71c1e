"""Shared fixtures: the rubric, a zero county, the seeds folder."""
from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sim.files.errors import InputError  # noqa: E402
from sim.files.loaders import load_sources  # noqa: E402
from sim.model.rubric import load_rubric

# The app run in this process (AppTest) keeps no warm Dask workers for the City page's batch
# (ui.workers): spawned workers would prepare by running this process's __main__. The browser
# tests' server keeps two, as a deployed server on this machine does (:func:`server`).
os.environ["SIM_PAGE_WORKERS"] = "0"


@pytest.fixture(autouse=True)
def db(tmp_path, monkeypatch) -> Path:
    """Every test gets its own scenario store (never the repository's scenarios.sqlite)."""
    path = tmp_path / "scenarios.sqlite"
    monkeypatch.setenv("SIM_SCENARIO_DB", str(path))
    return path


@pytest.fixture()
def plain_main(monkeypatch):
    """A bare ``__main__`` for a test that starts processes by spawning or a forkserver (Dask's
    workers, the hostile-file readers): a child prepares by running its parent's ``__main__``,
    which in a test process that has run the app through AppTest is app.py, and that cannot run
    outside Streamlit. (The CLI's own ``__main__`` is ``sim``'s.)"""
    import types

    monkeypatch.setitem(sys.modules, "__main__", types.ModuleType("__main__"))


@pytest.fixture(scope="session")
def server(tmp_path_factory):
    """The app on a free local port with its own scenario store, started once in a test process
    for the browser tests of every module that runs there (the walkthrough, room, live-headline and
    eight-session modules; the hostile uploads have a server of their own): each test opens
    sessions of its own, and a server started once spares each further module ~4 CPU-s of
    starting and warming up."""
    from tests.support import CHROMIUM, CHROMIUM_MISSING, ServerDidNotStart, streamlit_server

    assert Path(CHROMIUM).exists(), CHROMIUM_MISSING
    log = open(tmp_path_factory.mktemp("log") / "streamlit.log", "w")
    try:
        with streamlit_server(ROOT / "app.py", tmp_path_factory.mktemp("db") / "s.sqlite", log,
                              env={"SIM_PAGE_WORKERS": "2"}) as url:
            yield url
    except ServerDidNotStart:
        pytest.fail("streamlit did not start")


@pytest.fixture(scope="session")
def rubric():
    return load_rubric("hebei-county")


@pytest.fixture(scope="session")
def seeds() -> dict[str, str]:
    """The source documents (seeds and the province's record), file name -> text; the tests that
    check quoted sources skip, with the loader's message as the reason, when they are absent."""
    try:
        return load_sources()
    except InputError as exc:
        pytest.skip(exc.both().replace("\n", " / "))


@pytest.fixture()
def zeros(rubric) -> dict:
    """A county with nothing: every count and value 0, no S&T body."""
    vals = {c.id: 0.0 for c in rubric.columns}
    vals["st_admin_body"] = "none"
    return vals


@pytest.fixture()
def full(rubric) -> dict:
    """A county at every maximum (100 points)."""
    vals = {c.id: 0.0 for c in rubric.columns}
    vals.update(fiscal_st_spending=10000, fiscal_st_share=2, industrial_rd_intensity=1.5,
                high_tech_enterprises=100, high_tech_per_1000_firms=10, tech_smes=1000,
                tech_smes_per_1000_firms=300, firms_with_rd_institutions_pct=80,
                invention_patents_per_10k=12, high_tech_value_added_share=40,
                agri_industrialization_rate=70, national_key_labs=4, national_high_tech_zones=2,
                national_incubators=3, st_admin_body="independent", st_leading_group=1,
                national_st_awards=2, st_management_innovation=5)
    return vals


# The longest test files (by their time on this 2-core machine with two workers), first:
# ``--dist loadfile`` hands files to the workers in collection order, so the long ones start at
# once and no worker ends the run alone with one of them. A file not named keeps its place after
# these.
LONGEST_FIRST = ["test_room_browser.py", "test_e2e_browser.py", "test_live.py", "test_load_browser.py",
                 "test_plan.py", "test_app.py", "test_live_browser.py", "test_hostile.py", "test_hostile_files.py",
                 "test_house.py", "test_stacked.py", "test_hostile_browser.py", "test_room.py"]


def pytest_collection_modifyitems(items) -> None:
    rank = {name: i for i, name in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))  # stable: a file's own order is kept
