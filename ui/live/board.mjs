// The scenario page's board (ui/board.py): the headline (ui/live/headline.mjs), the budget
// sliders, the undo bar, the charts and the tables a budget move changes, drawn by this one
// component. A slider's release then reruns a fragment of this one element instead of the ~60
// Streamlit elements the page's body had, each of which the browser laid out again.
//
// Python decides every number and word (data); this code only draws them. While a slider moves,
// the headline recomputes itself from the model pack (the sliders publish what they hold: a
// "sim-board-move" event); the charts and tables change on release, when the page's run brings
// Python's. A release sends the sliders' values with a number (seq); Python echoes the number of
// the move its document holds, and a run that answers an older move than one made since does not
// move the sliders back. The board is built once per place in the page and updated in place: a
// slider being dragged or holding the keyboard's focus is never replaced under the hand.
//
// Streamlit runs one inline module per component: ui/board.py links this file and the headline's
// (the import below) into one, which ui/live/loader.mjs receives once a page and runs.
import { mountHeadline, bold, el, childOf, MOVE_EVENT } from "./headline.mjs";

const BOARDS = new WeakMap(); // parent element -> its board

// move: {total} or {programs}, or null once the sliders hold the run's spending. byKey: a key's
// move, published by its release (below, onRelease), which the headline redraws after Streamlit
// has sent the release (ui/live/headline.mjs, onMove).
function publish(move, byKey = false) {
  window.simBoardMove = move;
  const event = new CustomEvent(MOVE_EVENT, { detail: move });
  event.byKey = byKey;
  document.dispatchEvent(event);
}
let SEQ = Date.now(); // moves' numbers, increasing across reloads of the page
const whole = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 }); // Python's f"{v:,.0f}" of a whole number

// ---------------------------------------------------------------------- charts
export function ticks(lo, hi, n = 4) { // round values from lo to hi, about n steps
  const span = hi - lo > 0 ? hi - lo : Math.abs(hi) || 1, mag = 10 ** Math.floor(Math.log10(span / n));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => span / s <= n) || 10 * mag;
  const out = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Number(v.toFixed(10)));
  return out;
}

export function tickText(v) { return Math.abs(v) >= 1000 ? whole.format(v) : String(Number(v.toPrecision(4))); }

const esc = (v) => String(v).replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]);
const tag = (name, attrs, inner = "") => `<${name} ${Object.entries(attrs).map(([k, v]) => `${k}="${esc(v)}"`).join(" ")}>${inner}</${name}>`;
const tipped = (name, attrs, text) => tag(name, attrs, `<title>${esc(text)}</title>`); // the browser's own tooltip

// A line chart over ordinal years, as SVG markup (one string: a tenth of the time of building it
// node by node): spec {labels, lines: [{values, cls, tips}], band: {lo, hi}, rules: [{y, label}],
// targets: [{i, y, tip}], yMin, yMax, height, yTitle, name}; as wide as its box.
function lineChart(width, spec, scale) {
  const W = Math.max(width, 160), H = spec.height * scale, fs = 12 * scale;
  const L = (spec.yTitle ? 18 : 0) * scale + 6 * fs * 0.62 + 6, R = 10 * scale, T = 10 * scale, B = 22 * scale;
  const vals = [];
  for (const s of spec.lines) for (const v of s.values) if (Number.isFinite(v)) vals.push(v);
  if (spec.band) for (const v of spec.band.lo.concat(spec.band.hi)) if (Number.isFinite(v)) vals.push(v);
  for (const g of spec.targets || []) vals.push(g.y);
  let lo = spec.yMin ?? Math.min(...vals), hi = spec.yMax ?? Math.max(...vals);
  const pad = (hi - lo) * 0.08 || Math.abs(hi) * 0.1 || 1;
  if (spec.yMin === undefined) lo -= pad;
  if (spec.yMax === undefined) hi += pad;
  const n = spec.labels.length, step = (W - L - R) / Math.max(n, 1);
  const X = (i) => (L + step * (i + 0.5)).toFixed(1), Y = (v) => (T + (H - T - B) * (1 - (v - lo) / (hi - lo))).toFixed(1);
  const out = [];
  for (const v of ticks(lo, hi)) {
    out.push(tag("line", { x1: L, x2: W - R, y1: Y(v), y2: Y(v), class: "board-gridline" }),
      tag("text", { x: L - 5, y: (Number(Y(v)) + fs * 0.35).toFixed(1), "text-anchor": "end", "font-size": fs, class: "board-axis" }, tickText(v)));
  }
  if (spec.yTitle) {
    const my = (T + (H - T - B) / 2).toFixed(1);
    out.push(tag("text", { x: fs, y: my, "text-anchor": "middle", "font-size": fs, class: "board-axis", transform: `rotate(-90 ${fs} ${my})` }, esc(spec.yTitle)));
  }
  const every = Math.ceil(n / Math.max(1, Math.floor((W - L - R) / (fs * 3.4))));
  spec.labels.forEach((label, i) => {
    if (i % every === 0) out.push(tag("text", { x: X(i), y: (H - B + fs * 1.3).toFixed(1), "text-anchor": "middle", "font-size": fs, class: "board-axis" }, esc(label)));
  });
  for (const r of spec.rules || []) {
    out.push(tag("line", { x1: L, x2: W - R, y1: Y(r.y), y2: Y(r.y), class: "board-rule" }),
      tag("text", { x: L + 4, y: Y(r.y) - 4, "font-size": fs, class: "board-rule-label" }, esc(r.label)));
  }
  const pts = (values) => values.map((v, i) => (Number.isFinite(v) ? `${X(i)},${Y(v)}` : null)).filter(Boolean);
  if (spec.band) {
    const area = pts(spec.band.hi).concat(pts(spec.band.lo).reverse());
    if (area.length) out.push(tag("polygon", { points: area.join(" "), class: "board-band" }));
  }
  for (const line of spec.lines) {
    out.push(tag("polyline", { points: pts(line.values).join(" "), class: "board-line " + (line.cls || "") }));
    line.values.forEach((v, i) => {
      if (Number.isFinite(v)) out.push(tipped("circle", { cx: X(i), cy: Y(v), r: 3.2 * scale, class: "board-dot " + (line.cls || "") }, line.tips[i]));
    });
  }
  const d = 6 * scale;
  for (const g of spec.targets || []) {
    const x = Number(X(g.i)), y = Number(Y(g.y));
    out.push(tipped("path", { d: `M${x},${y - d}L${x + d},${y}L${x},${y + d}L${x - d},${y}Z`, class: "board-target" }, g.tip));
  }
  return tag("svg", { width: W, height: H, viewBox: `0 0 ${W} ${H}`, role: "img", class: "board-chart", "aria-label": spec.name || "" }, out.join(""));
}

function legend(items) {
  const row = el("div", "board-legend");
  for (const [label, cls] of items) {
    const item = el("span", "board-legend-item");
    item.append(el("span", "board-swatch " + cls), document.createTextNode(label));
    row.appendChild(item);
  }
  return row;
}

function pathChart(c, scale) { // the score path: the scenario's median and band, the status quo's median, tier lines
  const box = el("div", "board-chartbox");
  box.dataset.testid = "boardPath";
  box.draw = (w) => { box.innerHTML = lineChart(w, {
    labels: c.years, height: 300, yMin: c.y_min, yMax: 100, yTitle: c.score_title, name: c.heading,
    band: { lo: c.scenario.map((r) => r[0]), hi: c.scenario.map((r) => r[2]) },
    lines: [{ values: c.status_quo, cls: "sq", tips: c.status_quo_tips }, { values: c.scenario.map((r) => r[1]), cls: "scen", tips: c.scenario_tips }],
    rules: c.lines,
  }, scale); };
  return [el("h3", "board-heading", c.heading), el("div", "board-caption", c.caption), box,
    legend([[c.series[0], "scen"], [c.series[1], "sq"]]), el("div", "board-caption", c.note)];
}

function groupsChart(g) { // earned against maximum points per group, as bars
  const table = el("div", "board-groups");
  table.dataset.testid = "boardGroups";
  const most = Math.max(...g.rows.map((r) => r.max), 1);
  for (const r of g.rows) {
    const track = el("div", "board-track"), fill = el("div", "board-fill");
    track.style.width = `${(100 * r.max) / most}%`;
    fill.style.width = `${(100 * Math.min(Math.max(r.earned, 0), r.max)) / Math.max(r.max, 1e-9)}%`;
    track.appendChild(fill);
    track.title = r.tip;
    const bar = el("div", "board-bar"), room = el("div", "board-trackbox"); // the bars' room: all but the label's
    room.appendChild(track);
    bar.append(room, el("span", "board-bar-label", r.label));
    table.append(el("div", "board-group-name", r.name), bar);
  }
  return [el("h3", "board-heading", g.heading), table, el("div", "board-caption", g.caption)];
}

function indicatorCharts(k, scale) { // up to six key indicators, a row of three (two in projector mode)
  const grid = el("div", "board-indicators");
  grid.style.setProperty("--per-row", k.per_row);
  grid.dataset.testid = "boardIndicators";
  for (const q of k.items) {
    const cell = el("div", "board-indicator"), box = el("div", "board-chartbox");
    box.draw = (w) => { box.innerHTML = lineChart(w, {
      labels: q.years, height: 170, name: q.title,
      lines: [{ values: q.values, cls: "scen", tips: q.labels }],
      targets: q.targets.map((g) => ({ i: q.years.indexOf(g.year), y: g.value, tip: g.label })).filter((g) => g.i >= 0),
    }, scale); };
    cell.append(el("div", "board-indicator-title", q.title), box);
    grid.appendChild(cell);
  }
  return [el("h3", "board-heading", k.heading), grid, ...(k.caption ? [el("div", "board-caption", k.caption)] : [])];
}

// ---------------------------------------------------------------------- tables
function table(t) {
  const tab = el("table", "board-table");
  const head = el("tr");
  for (const c of t.columns) head.appendChild(el("th", "", c));
  tab.appendChild(el("thead")).appendChild(head);
  const body = tab.appendChild(el("tbody"));
  for (const row of t.rows) {
    const tr = el("tr");
    row.forEach((v, i) => tr.appendChild(el(i === 0 ? "th" : "td", "", v)));
    body.appendChild(tr);
  }
  const wrap = el("div", "board-tablewrap");
  wrap.appendChild(tab);
  return wrap;
}

function foldout(name, t, send, cls = "") { // a table behind its heading; Python sends its rows only while it is open
  const box = el("details", "board-details" + (cls ? " " + cls : ""));
  box.dataset.testid = name === "next" ? "boardNextTable" : "boardPlanTable";
  box.open = t.open;
  box.appendChild(el("summary", "", t.heading));
  if (t.open && t.rows) box.append(table(t), el("div", "board-caption", t.caption));
  box.addEventListener("toggle", () => { if (box.open !== t.open) send("open", { table: t.name, open: box.open }); });
  return box;
}

// ---------------------------------------------------------------------- controls
function slider(item, top, step, onMove, onRelease) {
  const box = el("div", "board-slider st-key-" + item.key);
  const head = el("label", "board-slider-head"), value = el("span", "board-slider-value");
  const input = el("input");
  Object.assign(input, { type: "range", min: 0, max: top, step, value: item.value, id: "board-" + item.key });
  head.htmlFor = input.id;
  input.setAttribute("aria-label", item.label); // its name alone (the figure beside it is its value)
  head.append(el("span", "board-slider-label", item.label), value);
  if (item.help) head.title = item.help;
  const show = (v = Number(input.value)) => { value.textContent = whole.format(v); input.setAttribute("aria-valuetext", value.textContent + " " + item.unit); };
  show();
  input.addEventListener("input", () => { show(); onMove(input); });
  input.addEventListener("change", () => onRelease(input));
  const letGo = () => { delete input.dataset.held; };
  input.addEventListener("pointerdown", () => { // held until the pointer is let go, wherever it is then
    input.dataset.held = "1";
    document.addEventListener("pointerup", letGo, { once: true });
    document.addEventListener("pointercancel", letGo, { once: true });
  });
  input.addEventListener("blur", letGo);
  box.append(head, input);
  return { box, input, show };
}

function historyBar(h, send) {
  const bar = el("div", "board-history");
  bar.dataset.testid = "boardHistory";
  const buttons = {};
  for (const name of ["undo", "redo", "reset"]) {
    const b = el("button", "board-button", h.labels[name]);
    b.type = "button";
    b.title = h.labels[name + "_help"];
    b.dataset.testid = "boardHistory_" + name;
    b.addEventListener("click", () => send("history", name));
    buttons[name] = b;
    bar.appendChild(b);
  }
  const last = el("span", "board-caption board-last");
  bar.appendChild(last);
  return { bar, buttons, last };
}

function setHistory(hb, h) {
  for (const name of ["undo", "redo", "reset"]) if (hb.buttons[name].disabled !== !h[name]) hb.buttons[name].disabled = !h[name];
  setText(hb.last, h.last);
}

// Ctrl+Z and Ctrl+Shift+Z (⌘ on a Mac) anywhere but in a text field: undo and redo.
function shortcuts(send, board) {
  const onKey = (e) => {
    if (!board.root.isConnected) { document.removeEventListener("keydown", onKey); return; } // the page left
    if (!(e.ctrlKey || e.metaKey) || e.altKey || e.key.toLowerCase() !== "z") return;
    const t = e.target;
    if (t && (t.isContentEditable || (t.tagName === "INPUT" && t.type !== "range") || t.tagName === "TEXTAREA")) return;
    const name = e.shiftKey ? "redo" : "undo";
    if (board.hist && board.hist.buttons[name].disabled) return;
    e.preventDefault();
    send("history", name);
  };
  document.addEventListener("keydown", onKey);
  return () => document.removeEventListener("keydown", onKey);
}

// ---------------------------------------------------------------------- the board
function build(parent, data) {
  const host = childOf(parent, "board-host");
  host.replaceChildren();
  const c = data.controls, root = el("div", "board" + (data.projector ? " projector" : ""));
  root.dataset.testid = "simBoard";
  const board = { root, data, sliders: {} };
  // what the board's controls send through: the latest run's setTriggerValue (board.send), also
  // for a part kept from an earlier run
  const send = board.relay = (name, value) => board.send(name, value);
  board.peers = el("div", "board-caption board-peers"); // what counties like this one did
  board.hist = historyBar(data.history, send);
  const error = el("div", "board-error");
  error.setAttribute("role", "alert");
  const grid = el("div", "board-grid"), left = el("div", "board-left"), right = el("div", "board-right");
  grid.append(left, right);
  root.append(board.peers, board.hist.bar, error, grid);
  board.error = error;
  // the sliders: the total, then each program. A program's move moves the total with it; a total's
  // move gives the programs their split on release (Python's whole_split); the headline hears of
  // every movement (publish)
  const values = () => c.programs.map((p) => Number(board.sliders[p.key].input.value));
  // A pointer's movement is published at once; a key's (the slider not held) by its release, which
  // follows in the same task, after the release is on its way (else at the next task).
  const onMove = (input) => {
    const t = board.sliders[c.total.key];
    let move = { total: Number(t.input.value) };
    if (input !== t.input) {
      const progs = values();
      let sum = 0;
      for (const v of progs) sum += v;
      t.input.value = sum;
      t.show();
      move = { programs: progs };
    }
    if (input.dataset.held) { publish(move); return; }
    board.keyed = move;
    setTimeout(() => { if (board.keyed === move) { board.keyed = null; publish(move, true); } }, 0);
  };
  const onRelease = (input) => {
    const t = board.sliders[c.total.key];
    board.pending = ++SEQ;
    const move = input === t.input ? { total: Number(t.input.value) } : { programs: values() };
    send("move", { seq: board.pending, ...move });
    if (board.keyed) { const keyed = board.keyed; board.keyed = null; publish(keyed, true); }
  };
  left.appendChild(el("h3", "board-heading", c.heading));
  const total = slider({ ...c.total, unit: c.unit }, c.top, c.step, onMove, onRelease);
  board.sliders[c.total.key] = total;
  const split = el("details", "board-details board-split");
  split.open = true;
  split.appendChild(el("summary", "", c.split_heading));
  if (c.varies) split.appendChild(el("div", "board-caption", c.varies));
  for (const p of c.programs) {
    const s = slider({ ...p, unit: c.unit }, c.top, c.step, onMove, onRelease);
    board.sliders[p.key] = s;
    split.appendChild(s.box);
  }
  split.appendChild(el("div", "board-caption", c.split_caption));
  left.append(total.box, el("div", "board-caption", c.caption), split);
  board.left = left;
  board.right = right;
  return board;
}

// The address bar holds the scenario on screen (Python's query, ui.state.query_string), written
// here rather than by Streamlit (its page_info message re-renders the whole app and adds a history
// entry at every release): a link copied or shared from the browser reproduces what it shows.
function showAddress(query) {
  if (typeof query !== "string") return;
  const want = query ? "?" + query : "";
  if (location.search !== want) history.replaceState(history.state, "", location.pathname + want + location.hash);
}

// Text and attributes are written only where they change, and a part of the board (a chart with
// its heading, the tables) is built again only when its data changed: a run that brings what the
// page shows (Python's truth after the browser's live numbers, a table left closed) changes no node
// of it, and the browser lays out and paints only what moved.
function setText(node, text) { if (node.textContent !== text) node.textContent = text; }
function setHidden(node, hidden) { if (node.hidden !== hidden) node.hidden = hidden; }

// parts: [name, data, make] in the order they stand in parent; a part whose data (with the
// charts' scale) is that of the last run keeps its nodes, another's are made and put in its
// place. Returns the chart boxes made (to draw).
function placeParts(board, parent, parts, scale) {
  const kept = (board.parts ||= new Map()), made = new Set();
  let after = null; // the next part's first node in the page, from the last part back
  for (const [name, value, make] of [...parts].reverse()) {
    const key = value ? JSON.stringify([value, scale]) : "";
    let part = kept.get(name);
    if (!part || part.key !== key) {
      const nodes = value ? make() : [];
      for (const n of nodes) { parent.insertBefore(n, part && part.nodes.length ? part.nodes[0] : after); }
      if (part) for (const n of part.nodes) n.remove();
      for (const n of nodes) for (const b of [n, ...n.querySelectorAll(".board-chartbox")]) if (b.draw) made.add(b);
      part = { key, nodes };
      kept.set(name, part);
    }
    if (part.nodes.length) after = part.nodes[0];
  }
  return made;
}

function update(board, data) {
  board.data = data;
  const send = board.relay;
  afterFrame(() => { if (board.data === data) showAddress(data.url); });
  const c = data.controls;
  // the sliders follow Python's document unless a newer move than the one it answers was made here,
  // and never while held by the pointer
  const current = !board.pending || data.seq >= board.pending;
  for (const item of [c.total, ...c.programs]) {
    const s = board.sliders[item.key];
    if (!s) continue;
    if (Number(s.input.max) !== c.top) s.input.max = c.top;
    if (current && !s.input.dataset.held && Number(s.input.value) !== item.value) { s.input.value = item.value; s.show(); }
  }
  const held = Object.values(board.sliders).some((x) => x.input.dataset.held);
  if (current && !held && (board.pending || window.simBoardMove)) { board.pending = 0; publish(null); }
  setHistory(board.hist, data.history);
  setText(board.peers, data.peers || "");
  setHidden(board.peers, !data.peers);
  setText(board.error, data.error || "");
  setHidden(board.error, !data.error);
  const scale = data.scale || 1;
  const made = placeParts(board, board.right, [
    ["path", data.path, () => pathChart(data.path, scale)],
    ["groups", data.groups, () => groupsChart(data.groups)],
    ["indicators", data.indicators, () => indicatorCharts(data.indicators, scale)],
    ["next", data.next, () => [foldout("next", data.next, send)]],
  ], scale);
  placeParts(board, board.left, [["plan", data.plan, () => [foldout("plan", data.plan, send, "board-plan")]]], scale);
  drawCharts(board, false, made);
}

// After the next frame: the address bar's rewrite (~1-3 ms of the browser's main thread, measured
// in a release) waits until the run's changes are drawn.
function afterFrame(f) { requestAnimationFrame(() => setTimeout(f, 0)); }

// Every chart as wide as its box. The widths are measured when the board's width changes (and
// the first time), not at every run: reading them right after the run's new elements would make
// the browser lay the page out once more (~6 ms of a release). only: the boxes to draw (all when
// not given).
function drawCharts(board, measure, only = null) {
  const boxes = [...board.root.querySelectorAll(".board-chartbox")].filter((b) => b.draw);
  if (measure || !board.widths || board.widths.length !== boxes.length) board.widths = boxes.map((b) => b.clientWidth);
  boxes.forEach((b, i) => { if (!only || only.has(b)) b.draw(board.widths[i]); });
}

// data: {headline} on a page's first run (the headline alone, ui.live.charts_wait), else
// {headline, controls, history, path, groups, indicators, plan, next, …} (ui.board.data).
export default function ({ data, parentElement, setTriggerValue }) {
  if (!data) return;
  const head = childOf(parentElement, "board-headline", true);
  const unmount = mountHeadline({ data: data.headline, parentElement: head, setTriggerValue });
  drawTour(head, data.tour, () => setTriggerValue("tour", "done"));
  if (data.controls) mountBoard(data, parentElement, setTriggerValue);
  return unmount;
}

// The guide on a touch browser (ui.tour.inline_data): its steps in an open panel under the
// headline, and a button that closes it for good; none once seen. Drawn again only when its words
// change (another language): a reader who folded it keeps it folded across releases.
function drawTour(head, tour, done) {
  const old = head.parentElement.querySelector(":scope > .board-tour");
  const key = tour ? JSON.stringify(tour) : "";
  if (old && old.dataset.key === key) return;
  if (old) old.remove();
  if (!tour) return;
  const box = el("details", "board-details board-tour");
  box.open = true;
  box.dataset.key = key;
  box.dataset.testid = "simTour";
  box.appendChild(el("summary", "", tour.title));
  for (const step of tour.steps) {
    const p = el("p");
    p.append(el("strong", "", step.title), " · ", bold(step.text));
    box.appendChild(p);
  }
  const button = el("button", "board-tour-done", tour.done);
  button.type = "button";
  button.addEventListener("click", () => { box.remove(); done(); });
  box.appendChild(button);
  head.after(box);
}

function mountBoard(data, parentElement, setTriggerValue) {
  const send = (name, value) => setTriggerValue(name, value);
  let board = BOARDS.get(parentElement);
  const shape = JSON.stringify([data.controls.total.key, data.controls.programs.map((p) => p.key), data.projector,
    data.controls.varies, data.history.labels]);
  if (!board || board.shape !== shape || !parentElement.contains(board.root)) { // first run here, or another preset or language
    if (board && board.stop) board.stop();
    board = build(parentElement, data);
    board.shape = shape;
    childOf(parentElement, "board-host").appendChild(board.root);
    const unkey = shortcuts(board.relay, board);
    let width = 0;
    const ro = new ResizeObserver(() => {
      const w = board.root.clientWidth;
      if (Math.abs(w - width) > 1) { width = w; drawCharts(board, true); }
    });
    ro.observe(board.root);
    board.stop = () => { unkey(); ro.disconnect(); };
    BOARDS.set(parentElement, board);
  }
  board.send = send;
  update(board, data);
}
