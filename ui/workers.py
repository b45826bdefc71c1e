"""The server's warm Dask workers for the City page's every-county batch
(:class:`sim.counties.batch.WarmCluster`): started in the background the first time a City page
shows the batch, kept for every later click of every session, so that a click neither waits for
processes to start nor runs on one core. Measured on Hengshui's 11 counties (1,000 draws, 200万),
this 2-core machine: 2.2-2.4 s on two warm workers against 3.0-3.5 s in the server's own process.
Each worker holds about 270 MB; once no batch has used them for ``SIM_PAGE_WORKERS_IDLE`` seconds
(default :data:`IDLE`, 15 minutes) they are closed and that memory given back, and the next City
page to show the batch starts them again in the background.

``SIM_PAGE_WORKERS``: how many (default: the machine's cores, at most :data:`MOST`); 0: none, the
batch runs in the server's process (the test suite's AppTest runs set it).
"""
from __future__ import annotations

import logging
import math
import os
from contextlib import contextmanager
from dataclasses import replace

import pandas as pd
import streamlit as st

from sim.counties import batch
from sim.counties.batch import WarmCluster
from sim.files.errors import InputError

MOST = 4  # workers by default at most: each holds ~270 MB, and a city has tens of counties, not thousands
WAIT = 30.0  # seconds a click waits for workers still starting before it runs in the server's process
IDLE = 900.0  # seconds without a batch after which the workers are closed (an assumption: a meeting's pause)

_LOG = logging.getLogger(__name__)


def _setting(name: str, parse, default, bad, what: str):
    """A server setting from the environment: ``default`` if unset, ``bad`` (with a warning in the
    log saying what it should be) if it is not a finite number of that kind; negatives count as 0."""
    text = os.environ.get(name, "").strip()
    if not text:
        return default
    try:
        value = parse(text)
        if not math.isfinite(value):
            raise ValueError(text)
    except ValueError:
        _LOG.warning("%s=%r is not %s: %s", name, text, what, bad)
        return bad
    return max(value, 0)


def idle() -> float | None:
    """Seconds without a batch after which the workers are closed (``SIM_PAGE_WORKERS_IDLE``, else
    :data:`IDLE`; 0: never)."""
    return _setting("SIM_PAGE_WORKERS_IDLE", float, IDLE, IDLE, "a number of seconds") or None


def count() -> int:
    """Warm workers this server keeps (``SIM_PAGE_WORKERS``, else its cores up to :data:`MOST`, and
    none on one core: a worker there would only hold memory)."""
    cores = os.cpu_count() or 1
    return _setting("SIM_PAGE_WORKERS", int, min(cores, MOST) if cores > 1 else 0, 0, "a whole number of workers")


@st.cache_resource(show_spinner=False)
def _cluster(n: int) -> WarmCluster:
    return WarmCluster(n, idle())


def _kept() -> WarmCluster:
    """The server's cluster; started anew if the last one closed itself for idleness."""
    cluster = _cluster(count())
    if cluster.closed:
        _cluster.clear()
        cluster = _cluster(count())
    return cluster


def start() -> None:
    """Start the workers in the background (once a server, and again after an idle close); returns at once."""
    if count():
        _kept()


def run(rg, year: int, draws: int, seed: int, extra: float, here: batch.Execution) -> tuple[pd.DataFrame, bool]:
    """Every county (:func:`sim.counties.batch.run`) on the warm workers if they are up, else as
    ``here`` says (this process); also if they fail part-way (a worker lost, the cluster gone),
    which is logged and starts them anew on the next call. The same numbers either way. Returns
    the table and whether the workers ran it."""
    failed = False
    with _lease() as got:
        if got is not None:
            try:
                return batch.run(rg, year, draws, seed, extra, replace(here, client=got)), True
            except InputError:
                raise
            except Exception as exc:  # noqa: BLE001 - the batch runs here instead; the reason goes to the log
                _LOG.warning("the City page's workers failed (%s: %s): the batch runs in the server's process",
                             type(exc).__name__, exc)
                failed = True
    if failed:
        _forget()
    return batch.run(rg, year, draws, seed, extra, here), False


def _forget() -> None:
    """Close the kept cluster (if it can be) and forget it: the next call starts another."""
    try:
        _cluster(count()).close()
    except Exception as exc:  # noqa: BLE001 - a broken cluster may not close cleanly; it is dropped anyway
        _LOG.warning("closing the City page's workers: %s: %s", type(exc).__name__, exc)
    _cluster.clear()


@contextmanager
def _lease():
    """The warm workers' Dask client for one batch, waiting up to :data:`WAIT` seconds for them to
    start; None if this server keeps none or they did not start (their error is in the server's
    log, and the next call starts them anew)."""
    if not count():
        yield None
        return
    for attempt in range(2):  # a cluster may close for idleness between _kept() and its lease: then once more
        cluster = _kept()
        with cluster.lease(WAIT) as got:
            if got is None and cluster.closed and not cluster.error and not attempt:
                continue
            if got is None:
                _LOG.warning("the City page's workers are not up (%s): the batch runs in the server's process",
                             cluster.error or f"not started within {WAIT:.0f} s")
            yield got
        break
    if got is None and cluster.error:
        _forget()  # the next batch tries again
