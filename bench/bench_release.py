"""Where a slider's release spends its time in the browser (prints figures; not a test): the
scenario page (demo), bench/floor_app (one component in a fragment of a multipage app with a
sidebar like this app's) and bench/trivial_app.py (one slider, one number), each pressed 10 times
right and left (after one warm-up press), in Debian's headless Chromium with its profiler on.

Per release, medians, in ms from the key press (the page's own clock):

* the release's message out, the server's first message in (Streamlit's new session of the
  fragment's run) and its last (the run's end), the whole page after release as bench_app.py
  measures it;
* the main thread's time to that end, by whose code ran (the profiler's samples, 50 µs apart, each
  given to the innermost frame with a source): Streamlit's frontend (its React, styles and
  markdown), the component's own JavaScript (the board; floor_app's few lines; none on the
  trivial page), the browser's work outside JavaScript (style, layout, paint, message
  dispatch: the profiler's "program"), garbage collection. With ``--files``, Streamlit's share
  by the bundle its code came from (react-dom, emotion-styled, StreamlitMarkdown, ...).

What it is for: issue 22 asks for the whole page within 1.3× a one-slider page. Streamlit's
frontend draws the whole app again as a run's messages arrive (six a release: new session, running,
the fragment's block, the element, finished, not running; four renders in a trace of one), so a
page's floor is set by its framework; this shows how much of a release is that floor and how much is the board.

Run: .venv/bin/python bench/bench_release.py [--files]   (needs /usr/bin/chromium, as bench_app.py)
"""
from __future__ import annotations

import collections
import json
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.bench_app import ARGS, CHROMIUM, _open, press, server, whole_page  # noqa: E402

# the page's WebSocket messages, in and out, on its own clock, into the probe's ``sock`` (which
# bench_app.press empties before each press); set before Streamlit connects
SOCKET = """(() => {
  const W = window.WebSocket;
  const log = (d) => { const b = window.__bench; if (b && b.sock) b.sock.push([d, performance.now()]); };
  window.WebSocket = function (...a) {
    const s = new W(...a);
    s.addEventListener('message', () => log('in'));
    return s;
  };
  window.WebSocket.prototype = W.prototype; Object.assign(window.WebSocket, W);
  const send = W.prototype.send;
  W.prototype.send = function (d) { log('out'); return send.call(this, d); };
})();"""
PARTS = ("streamlit", "component", "browser", "gc")
FILES = "--files" in sys.argv  # Streamlit's share by bundle


def _part(stack: list[dict]) -> str | None:
    """Whose code a profiler sample is, from its frames, innermost first (None: idle); with
    :data:`FILES`, Streamlit's by its bundle ("streamlit: react-dom")."""
    leaf = stack[0]["functionName"]
    if leaf == "(idle)":
        return None
    if leaf == "(garbage collector)":
        return "gc"
    for frame in stack:
        url = frame["url"]
        if url.startswith("blob:"):  # the component's module (Streamlit loads it from a blob)
            return "component"
        if url:
            return "streamlit: " + url.rsplit("/", 1)[-1].split(".")[0] if FILES else "streamlit"
    return "browser"


def releases(browser, url: str, kind: str, slider_index: int, n: int = 10) -> dict[str, list[float]]:
    """Per release (after one warm-up): the messages' times and the main thread's time by part."""
    page = _open(browser, url, kind, init=SOCKET)
    cdp = page.context.new_cdp_session(page)
    cdp.send("Profiler.enable")
    cdp.send("Profiler.setSamplingInterval", {"interval": 50})
    out: dict[str, list[float]] = collections.defaultdict(list)
    for k in range(n + 1):
        if k == 1:  # the trace gives the key presses' times on the profiler's clock
            browser.start_tracing(page=page, categories=["devtools.timeline"])
            cdp.send("Profiler.start")
        b = press(page, slider_index, "ArrowRight" if k % 2 == 0 else "ArrowLeft")
        if not k:
            continue
        t0 = b["events"][0]
        ins = [t - t0 for d, t in b["sock"] if d == "in"]
        out["message out"].append(next(t for d, t in b["sock"] if d == "out") - t0)
        out["first message in"].append(ins[0])
        out["last message in"].append(ins[-1])
        out["whole page"].append(whole_page(b))
    profile = cdp.send("Profiler.stop")["profile"]
    trace = json.loads(browser.stop_tracing())
    page.close()
    keys = _key_presses(trace)
    if len(keys) != n:
        raise RuntimeError(f"the trace holds {len(keys)} key presses, not {n}")
    out.update(_by_part(profile, list(zip(keys, out["whole page"]))))
    return out


def _key_presses(trace: dict) -> list[float]:
    """The µs of each keydown dispatched on the page's main thread (the renderer's CrRendererMain
    that dispatched the most of them)."""
    events = trace["traceEvents"]
    mains = {(e["pid"], e["tid"]) for e in events
             if e.get("ph") == "M" and e.get("name") == "thread_name" and e["args"].get("name") == "CrRendererMain"}
    keys = [e for e in events if e.get("name") == "EventDispatch" and (e["pid"], e["tid"]) in mains
            and e.get("args", {}).get("data", {}).get("type") == "keydown"]
    busiest = collections.Counter((e["pid"], e["tid"]) for e in keys).most_common(1)
    return sorted(e["ts"] for e in keys if busiest and (e["pid"], e["tid"]) == busiest[0][0])


def _by_part(profile: dict, spans: list[tuple[float, float]]) -> dict[str, list[float]]:
    """Each release's main-thread ms by part, from its key press (µs, the profiler's clock) to its
    whole-page end (ms after it)."""
    nodes = {node["id"]: node for node in profile["nodes"]}
    parent = {c: node["id"] for node in profile["nodes"] for c in node.get("children", [])}

    def stack(node_id):
        while node_id in nodes:
            yield nodes[node_id]["callFrame"]
            node_id = parent.get(node_id)

    part_of = {node_id: _part(list(stack(node_id))) for node_id in nodes}
    samples, t = [], profile["startTime"]
    for node_id, delta in zip(profile["samples"], profile["timeDeltas"]):
        t += delta
        samples.append((t, node_id))
    out = {f"main thread: {p}": [] for p in (sorted({p for p in part_of.values() if p}) if FILES else PARTS)}
    for key, whole in spans:
        ms = collections.Counter()
        for (ts, node_id), (ts_next, _) in zip(samples, samples[1:]):
            if key <= ts < key + whole * 1000 and part_of[node_id]:
                ms[part_of[node_id]] += (ts_next - ts) / 1000
        for name in out:
            out[name].append(ms[name.removeprefix("main thread: ")])
    return out


def main() -> None:
    from playwright.sync_api import sync_playwright

    with server(ROOT / "app.py") as app, server(ROOT / "bench" / "floor_app" / "app.py") as floor, \
            server(ROOT / "bench" / "trivial_app.py") as trivial, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        pages = {"demo": releases(browser, f"{app}/?preset=demo&lang=zh&tour=0", "app", 1),
                 "floor_app": releases(browser, floor, "trivial", 0),
                 "trivial": releases(browser, trivial, "trivial", 0)}
        browser.close()
    print(f"{'ms from the key press (median of 10)':48s}" + "".join(f"{name:>11s}" for name in pages))
    rows = list(dict.fromkeys(row for values in pages.values() for row in values))  # in the order made
    if FILES:  # the parts by the demo's time, most first
        rows.sort(key=lambda row: -statistics.median(pages["demo"].get(row, [0])) if row.startswith("main") else -1e9)
    for row in rows:
        medians = [statistics.median(values.get(row, [0.0])) for values in pages.values()]
        if max(medians) >= 0.1:  # a bundle that ran a few samples in a release or none
            print(f"{row:48s}" + "".join(f"{m:11.1f}" for m in medians))


if __name__ == "__main__":
    main()
