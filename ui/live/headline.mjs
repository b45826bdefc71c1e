// The scenario page's headline, recomputed in the browser while a budget slider moves.
//
// Python exports a model pack once per set of assumptions (sim/uncertainty/pack.py): the projection engine's
// steps in its order with their parameters for each of the band's draws, the program effects, the
// rubric's bands and caps, the spending rule. This file evaluates it: the same floating-point
// operations in the same order as numpy (sim/model/projection.py, sim/model/effects.py, sim/model/rubric.py,
// sim/uncertainty/), so the numbers equal Python's. Where they can differ: exp, expm1 and pow
// (V8's and numpy's vector library round a few results differently in the last bit); the rubric
// rounds every item to 1e-9, so such a bit can move a total by one 1e-9 (tests: equal to 1e-9).
// On release the page reruns and Python's numbers replace these.
//
// Used three ways: by the scenario page's board (ui/live/board.mjs imports mountHeadline; Python
// links the two into the one module Streamlit's component runs: ui/board.py), by Node and by
// Chromium in the tests (the named exports).

// ---------------------------------------------------------------------- numpy's arithmetic
export function rint(x) { // np.rint: to nearest, ties to even
  const r = Math.round(x);
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

let SCALE = 1e9; // 10 ** sim.model.rubric.DECIMALS (set from the pack)
export function round9(x) { return rint(x * SCALE) / SCALE; } // np.round(x, DECIMALS)

function clip(x, lo, hi) { return Math.min(Math.max(x, lo), hi); } // np.clip (NaN stays NaN)

function pairwiseRow(a, i, n, len) { // np.sum of a[0..len) of draw i (rows of n): numpy's pairwise sum
  if (len < 8) {
    let r = -0.0;
    for (let s = 0; s < len; s++) r += a[s * n + i];
    return r;
  }
  const r = new Float64Array(8);
  for (let j = 0; j < 8; j++) r[j] = a[j * n + i];
  let s = 8;
  for (; s < len - (len % 8); s += 8) for (let j = 0; j < 8; j++) r[j] += a[(s + j) * n + i];
  let res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
  for (; s < len; s++) res += a[s * n + i];
  return res;
}

function interp(x, xs, ps) { // np.interp (numpy's arr_interp, scalar x)
  if (Number.isNaN(x)) return x;
  const last = xs.length - 1;
  if (x > xs[last]) return ps[last];
  if (x < xs[0]) return ps[0];
  let j = 0;
  while (j < last && xs[j + 1] <= x) j++;
  if (j === last || xs[j] === x) return ps[j];
  const slope = (ps[j + 1] - ps[j]) / (xs[j + 1] - xs[j]);
  let r = slope * (x - xs[j]) + ps[j];
  if (Number.isNaN(r)) {
    r = slope * (x - xs[j + 1]) + ps[j + 1];
    if (Number.isNaN(r) && ps[j] === ps[j + 1]) r = ps[j];
  }
  return r;
}

export function quantile(sorted, q) { // np.quantile, method "linear", of sorted values
  const n = sorted.length, v = (n - 1) * q;
  if (v >= n - 1) return sorted[n - 1];
  const p = Math.floor(v), g = v - p, a = sorted[p], b = sorted[p + 1], d = b - a;
  return g >= 0.5 ? b - d * (1 - g) : a + d * g; // numpy's _lerp
}

// ---------------------------------------------------------------------- Python's number formats
function fixedAbs(x, d) { // format(x, f".{d}f") of x >= 0: correctly rounded, ties to even
  const s = x.toFixed(d);
  const exact = x.toFixed(Math.min(100, d + 80));
  const dot = exact.indexOf(".");
  const rest = exact.slice(dot + 1 + d);
  if (!/^50*$/.test(rest)) return s; // not a tie: toFixed rounds to nearest
  const kept = exact.slice(0, dot + 1 + d).replace(/\.$/, "");
  const lastDigit = Number(kept[kept.length - 1]);
  return lastDigit % 2 === 0 ? kept : s; // a tie: the even neighbour (toFixed took the larger)
}

export function pyFixed(x, d, { plus = false, comma = false } = {}) { // Python's f"{x:+,.{d}f}"
  if (Number.isNaN(x)) return "nan";
  const neg = x < 0 || Object.is(x, -0);
  let s = fixedAbs(Math.abs(x), d);
  if (comma) {
    const [int, frac] = s.split(".");
    s = int.replace(/\B(?=(\d{3})+(?!\d))/g, ",") + (frac !== undefined ? "." + frac : "");
  }
  return (neg ? "-" : plus ? "+" : "") + s;
}

export function pyPercent(p, d = 0) { return pyFixed(p * 100, d) + "%"; } // f"{p:.{d}%}"

// ---------------------------------------------------------------------- the pack
function bytesOf(b64) {
  if (typeof Buffer !== "undefined") return Buffer.from(b64, "base64");
  const s = atob(b64), out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

function expand(item, n, T) { // an array of the pool as (years + 1) x draws
  const b = bytesOf(item.b64);
  const raw = new Float64Array(b.buffer, b.byteOffset, b.byteLength / 8).slice();
  if (item.shape === "f") return raw;
  const out = new Float64Array(T * n);
  for (let t = 0; t < T; t++) for (let i = 0; i < n; i++)
    out[t * n + i] = item.shape === "s" ? raw[0] : item.shape === "n" ? raw[i] : raw[t];
  return out;
}

export function decode(pack) {
  const n = pack.draws, Y = pack.years.length, T = Y + 1, P = pack.programs.length;
  const A = pack.arrays.map((item) => expand(item, n, T));
  const stepOf = new Map(pack.steps.map((s) => [s.q, s]));
  return { pack, n, Y, T, P, A, stepOf, Q: pack.quantities.length, scale: 10 ** pack.decimals };
}

// ---------------------------------------------------------------------- spending
// The page's rule (app_pages/scenario.py, sim/scenarios/overrides.py, Scenario.with_spend): a program slider
// set to a new first-year amount replaces that program's row by round(first x (1 + g)^t); the
// total slider splits its new total in whole 万元 in proportion to the first-year amounts
// (sim.model.scenario.whole_split) and every program takes the whole path of its share. A value within
// half a step of the current one changes nothing (the browser snapping a value, not a move).
export function wholePath(model, first) {
  return model.pack.spend.growth_factor.map((f) => rint(first * f));
}

export function wholeSplit(total, weights) { // sim.model.scenario.whole_split
  total = rint(total);
  const w0 = weights.map((v) => Math.max(v, 0));
  let sum = -0.0;
  for (const v of w0) sum += v;
  const w = sum > 0 ? w0.map((v) => v / sum) : w0.map(() => 1.0 / w0.length);
  const raw = w.map((v) => v * total), out = raw.map(Math.floor);
  let outSum = -0.0;
  for (const v of out) outSum += v;
  const rest = Math.trunc(total - outSum);
  const order = raw.map((v, i) => [-(v - out[i]), i]).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  for (let k = 0; k < rest; k++) out[order[k][1]] += 1;
  return out;
}

export function spendMatrix(model, rows, move) {
  // rows: the document's spending (programs x years); move: {total} or {programs: [first-year amounts]}
  const { P, Y } = model, x = new Float64Array(P * Y);
  const first = rows.map((r) => r[0]);
  let sum = 0;
  for (const v of first) sum += v;
  let target = null;
  if (move.total !== undefined && move.total !== null && Math.abs(move.total - sum) >= 0.5) {
    target = wholeSplit(move.total, first);
  }
  for (let p = 0; p < P; p++) {
    let row = rows[p];
    if (target) row = wholePath(model, target[p]);
    else if (move.programs && move.programs[p] !== undefined && move.programs[p] !== null &&
             Math.abs(move.programs[p] - first[p]) >= 0.5) row = wholePath(model, rint(move.programs[p]));
    for (let y = 0; y < Y; y++) x[p * Y + y] = row[y];
  }
  return x;
}

// ---------------------------------------------------------------------- the engine
function awardMultiple(k, a, e, most, mostTerm, steps) { // sim.model.effects.award_multiple, its 12 Newton steps
  k = Math.max(k, 0.0);
  // f(m) = m (1 - a + a m^e) - k rises and is convex: after the first step every Newton step lies
  // at or above the root, so when f(most) < 0 by a margin far above rounding (the root beyond the
  // largest award) the steps end above it and the answer is most. mostTerm = 1 - a + a most^e.
  if (most * mostTerm - k < -1e-9 * k) return most;
  let m = k, prev = NaN;
  for (let s = 0; s < steps; s++) {
    const me = Math.pow(m, e);
    const next = Math.max(m - (m * (1 - a + a * me) - k) / (1 - a + a * (1 + e) * me), 0.0);
    // Once a step gives back its input, every later step does (a fixed point); once it gives back
    // the input of the step before, the steps alternate: the last step's value is known either way.
    if (next === m) break;
    if (next === prev) return Math.min((steps - s - 1) % 2 === 0 ? next : m, most);
    prev = m;
    m = next;
  }
  return Math.min(m, most);
}

function units(x, capacity, share, cost) { // sim.model.effects.units
  const cap = Math.max(capacity, 1e-12);
  return capacity > 0 ? cap * -Math.expm1(-share * x / (cost * cap)) : 0.0;
}

function saturate(raw, ceiling, anchor, maxAnchor) { // sim.model.projection.saturate
  const m = Math.max(ceiling, 1e-300);
  const sRaw = Math.max(raw, 0.0) / m;
  const sA = clip(anchor, 0.0, maxAnchor);
  return ceiling > 0 ? m * sRaw / (1 - sA + sRaw) : 0.0;
}

// One year's county scores of every draw (sim.model.rubric.score on sim.model.simulate.rubric_values).
function scorer(model) {
  const { n, A, pack } = model, R = pack.rubric;
  const items = R.items.map((it) => {
    const src = (s) => (s.q !== undefined ? { q: s.q } : { a: A[s.a] });
    return { ...it, src: it.src ? src(it.src) : null, units: (it.units || []).map(([pts, s]) => [pts, src(s)]),
             cat: it.category !== undefined ? A[it.category] : null };
  });
  const G = R.groups.length, byGroup = R.groups.map((_, g) => items.map((it, k) => (it.group === g ? k : -1)).filter((k) => k >= 0));
  const pts = items.map(() => new Float64Array(n));
  return function score(X, t, out) {
    const o = t * n;
    const col = (s) => (s.q !== undefined ? X[s.q] : s.a);
    for (let k = 0; k < items.length; k++) {
      const it = items[k], dst = pts[k], max = it.max;
      if (it.kind === "points") {
        const v = X[it.q];
        for (let i = 0; i < n; i++) dst[i] = round9(clip(v[o + i], 0.0, max));
      } else if (it.kind === "banded") {
        const v = col(it.src), xs = it.xs, ps = it.ps;
        for (let i = 0; i < n; i++) dst[i] = round9(interp(v[o + i], xs, ps));
      } else if (it.kind === "assessed") {
        const v = col(it.src);
        for (let i = 0; i < n; i++) dst[i] = round9(clip(v[o + i], 0.0, max));
      } else {
        dst.fill(0.0);
        for (const [p, s] of it.units) { const v = col(s); for (let i = 0; i < n; i++) dst[i] = dst[i] + p * v[o + i]; }
        if (it.cat) for (let i = 0; i < n; i++) dst[i] = dst[i] + it.cat[o + i];
        for (let i = 0; i < n; i++) dst[i] = round9(Math.min(dst[i], max));
      }
    }
    for (let i = 0; i < n; i++) {
      let total = 0.0;
      for (let g = 0; g < G; g++) {
        const ks = byGroup[g];
        let s = 0.0;
        for (let j = 0; j < ks.length; j++) s = s + pts[ks[j]][i];
        total = total + round9(s);
      }
      out[i] = round9(total);
    }
    return out;
  };
}

function workspace(model) { // the arrays of a projection: baselines filled once, the rest every run
  const { pack, n, T, A, Q } = model;
  const X = new Array(Q), U = new Array(Q);
  for (let j = 0; j < Q; j++) {
    if (pack.kinds[j] === "driver") { X[j] = A[pack.drivers[String(j)]]; continue; }
    X[j] = new Float64Array(T * n);
    const s = A[pack.start[j]];
    for (let i = 0; i < n; i++) X[j][i] = s[i];
    U[j] = new Float64Array(T * n);
  }
  const push = new Map();
  for (const s of pack.steps) if (s.kind === "points") push.set(s.q, new Float64Array(T * n));
  const levers = pack.levers.map((lv) => ({
    ...lv, caused: lv.post ? new Float64Array(T * n) : null, lagsA: lv.lag === null ? A[lv.lags] : null,
    aA: lv.post ? A[lv.a] : null, elA: lv.post ? A[lv.el] : null, mostA: lv.post ? A[lv.most] : null,
    perUnitA: lv.post ? A[lv.per_unit] : null, rateA: lv.post ? null : A[lv.rate], costA: lv.post ? null : A[lv.cost],
    poolA: lv.post ? null : (lv.pool_trend !== null ? A[lv.pool_trend] : X[lv.pool]), poolPrev: !lv.post && lv.pool_trend === null,
    target: lv.post ? model.stepOf.get(lv.targets[0]) : null, targetX: X[lv.targets[0]],
    n0A: lv.n0 !== undefined ? A[lv.n0] : null, refElA: lv.ref_el !== undefined ? A[lv.ref_el] : null,
    topElA: lv.post ? A[lv.top_el] : null,
  }));
  return { X, U, push, levers, programs: new Float64Array(n), unspent: new Float64Array(n), ledger: new Float64Array(T * n),
           n0: new Float64Array(n), u: new Float64Array(n), totals: pack.rubric ? new Float64Array(T * n) : null,
           score: pack.rubric ? scorer(model) : null, sorted: new Float64Array(n) };
}

// sim.model.projection.run: every quantity, (years + 1) x draws each, and the county score of every
// year (rubric presets). x: spending (programs x years); booked: 万元 a year counted in program
// spending that cause no units (or null).
export function run(model, x, booked = null) {
  const { pack, n, Y, T, A, P } = model;
  SCALE = model.scale;
  const w = model.work || (model.work = workspace(model)); // one set of arrays per pack, reused
  const { X, U, push, programs, unspent, ledger, n0, u, totals, levers, score } = w;
  for (const Uq of U) if (Uq) Uq.fill(0.0);
  for (const pu of push.values()) pu.fill(0.0);
  const ref = pack.spend.reference;
  const steps = pack.newton_steps, maxAnchor = pack.max_anchor;
  const organic = (lv, t) => { // sim.model.projection.organic of a post-award rule's first target, every draw
    const o = lv.organic, s = lv.target, on = t * n, op = on - n;
    if (o.kind === "trend") { const a = A[o.trend]; for (let i = 0; i < n; i++) n0[i] = a[on + i]; }
    else if (o.kind === "stock") { const r = A[s.rate], q = lv.targetX; for (let i = 0; i < n; i++) n0[i] = Math.max(q[op + i] * r[on + i], 0.0); }
    else if (o.kind === "pipeline") { const y = A[s.yield_], src = X[s.src], os = Math.max(t - s.lag, 0) * n; for (let i = 0; i < n; i++) n0[i] = y[on + i] * src[os + i]; }
    else if (o.kind === "inflow") { const r = A[s.rate], src = X[s.src]; for (let i = 0; i < n; i++) n0[i] = r[on + i] * src[op + i]; }
    else if (o.kind === "population") { const e = A[s.entry], src = X[s.src]; for (let i = 0; i < n; i++) n0[i] = e[on + i] * src[op + i]; }
    else n0.fill(0.0);
  };

  for (let t = 1; t <= Y; t++) {
    const o = t * n, op = o - n;
    unspent.fill(0.0);
    // 1. program units (sim.model.effects.Effects.year)
    for (const lv of levers) {
      const p = lv.program;
      if (lv.post) {
        const a = lv.aA, el = lv.elA, most = lv.mostA, perUnit = lv.perUnitA, c = lv.caused, amax = lv.award_max, topEl = lv.topElA;
        const spentX = lv.share * x[p * Y + t - 1], refX = lv.share * ref[p][t - 1];
        // the organic units and the reference's award from Python's tables where no spending moves them
        const base = lv.n0A ? lv.n0A.subarray(o, o + n) : (organic(lv, t), n0), refEl = lv.refElA;
        for (let i = 0; i < n; i++) {
          const today = perUnit[i] * base[i];
          let mine = 0.0, theirs = 0.0; // equal spending: equal awards, no caused units (Python: m - m_ref = 0)
          if (spentX !== refX) {
            // m^e of an award multiple m: numpy's own value of award_max^e from the pack at the cap
            const ai = a[i], ei = el[i], mi = most[i];
            const powEl = (m) => (m === amax ? topEl[i] : m === 0 ? 0.0 : Math.pow(m, ei));
            theirs = refEl ? refEl[o + i] : powEl(awardMultiple(today > 0 ? refX / today : 0.0, ai, ei, amax, mi, steps));
            mine = powEl(awardMultiple(today > 0 ? spentX / today : 0.0, ai, ei, amax, mi, steps));
          }
          c[o + i] = base[i] * a[i] * (mine - theirs);
          unspent[i] += Math.max(spentX - Math.max(today * amax * most[i], refX), 0.0);
        }
      }
      const perDraw = lv.lag === null;
      if (!perDraw && t - lv.lag < 1) continue; // spending up to the baseline is part of the trend
      if (lv.post) {
        const c = lv.caused;
        if (perDraw) for (let i = 0; i < n; i++) { const s = t - lv.lagsA[i]; u[i] = s >= 1 ? c[Math.min(Math.max(s, 0), t) * n + i] : 0.0; }
        else { const os = (t - lv.lag) * n; for (let i = 0; i < n; i++) u[i] = c[os + i]; }
      } else {
        const rate = lv.rateA, cost = lv.costA, pool = lv.poolA, po = lv.poolPrev ? op : o, share = lv.share;
        for (let i = 0; i < n; i++) {
          const s = perDraw ? t - lv.lagsA[i] : t - lv.lag;
          const c = Math.min(Math.max(s - 1, 0), Y - 1);
          const cap = rate[i] * pool[po + i];
          const v = units(x[p * Y + c], cap, share, cost[i]) - units(ref[p][c], cap, share, cost[i]);
          u[i] = perDraw && !(s >= 1) ? 0.0 : v;
        }
      }
      for (const tgt of lv.targets) { const Ut = U[tgt]; for (let i = 0; i < n; i++) Ut[o + i] += u[i]; }
    }
    // what is paid: the year's program spending, booked money, less what a post-award rule left
    let paid = -0.0;
    for (let p = 0; p < P; p++) paid += x[p * Y + t - 1];
    const extra = booked ? booked[t - 1] : 0.0;
    for (let i = 0; i < n; i++) { programs[i] = paid + extra - unspent[i]; ledger[o + i] = unspent[i]; }
    // 2. quantities in the engine's order (sim.model.projection._step), 3. ceilings
    for (const s of pack.steps) stepYear(model, s, X, U, push, programs, t, maxAnchor);
    // the push of counties in sight of a tier line, added the year after (sim.model.projection.line_push)
    if (score && t < Y) {
      const out = totals.subarray(o, o + n);
      score(X, t, out);
      if (pack.push) {
        const pu = pack.push, effort = A[pu.effort], L = pu.lines.length, K = pu.targets.length;
        const dst = pu.targets.map((q) => push.get(q));
        for (let i = 0; i < n; i++) {
          let sight = 0;
          for (let l = 0; l < L; l++) sight = sight + clip((out[i] - pu.lines[l] + pu.reach) / pu.reach, 0.0, 1.0);
          const v = effort[i] * (sight / L) / K;
          for (let k = 0; k < K; k++) dst[k][o + n + i] += v;
        }
      }
    }
  }
  if (score) { score(X, 0, totals.subarray(0, n)); score(X, Y, totals.subarray(Y * n, T * n)); }
  return { X, ledger, totals };
}

function stepYear(model, s, X, U, push, programs, t, maxAnchor) {
  const { n, A } = model, o = t * n, op = o - n;
  const q = s.q, Xq = X[q], Uq = U[q], k = s.kind;
  if (k === "sum") {
    const parts = s.parts.map((part) => (part < 0 ? null : X[part]));
    for (let i = 0; i < n; i++) {
      let v = 0;
      for (let j = 0; j < parts.length; j++) v = v + (parts[j] === null ? programs[i] : parts[j][o + i]);
      Xq[o + i] = v;
    }
    return;
  }
  if (k === "ratio") {
    const kk = A[s.k], num = X[s.num], den = X[s.den], c = s.ceiling, up = c && c.upper !== undefined;
    for (let i = 0; i < n; i++) {
      const d = den[o + i];
      let v = kk[i] * (d > 0 ? num[o + i] / d : 0.0);
      if (up) v = c.logistic ? saturate(v, c.upper, Xq[i] / Math.max(c.upper, 1e-300), maxAnchor) : Math.min(v, c.upper);
      Xq[o + i] = v;
    }
    return;
  }
  if (k === "points") {
    const h = A[s.h], pu = push.get(q), add = s.shock_add !== undefined ? A[s.shock_add] : null, up = s.upper;
    for (let i = 0; i < n; i++) {
      let v = Xq[op + i] + h[o + i] * (up - Xq[op + i]) + pu[o + i];
      if (add) v = v + add[o + i];
      Xq[o + i] = clip(v, 0.0, up);
    }
    return;
  }
  if (k === "text") { for (let i = 0; i < n; i++) Xq[o + i] = Xq[op + i]; return; }
  const v = model.scratch || (model.scratch = new Float64Array(n));
  if (k === "stock") { const g = A[s.grow]; for (let i = 0; i < n; i++) v[i] = Xq[op + i] * g[o + i] + Uq[o + i]; }
  else if (k === "flow") { const tr = A[s.trend]; for (let i = 0; i < n; i++) v[i] = tr[o + i] + Uq[o + i]; }
  else if (k === "pipeline") {
    const keep = A[s.keep], y = A[s.yield_], src = X[s.src], os = Math.max(t - s.lag, 0) * n;
    for (let i = 0; i < n; i++) v[i] = Xq[op + i] * keep[o + i] + y[o + i] * src[os + i] + Uq[o + i];
  } else if (k === "population") {
    const r = A[s.renew], e = A[s.entry], src = X[s.src];
    for (let i = 0; i < n; i++) v[i] = r[o + i] * Xq[op + i] + e[o + i] * src[o + i] + Uq[o + i];
  } else if (k === "inflow") {
    const r = A[s.rate], src = X[s.src];
    for (let i = 0; i < n; i++) v[i] = Xq[op + i] + r[o + i] * src[op + i] + Uq[o + i];
  } else if (k === "elastic") {
    const b = A[s.src_base], src = X[s.src], tr = A[s.trend], e = A[s.e];
    for (let i = 0; i < n; i++) {
      const rel = b[i] > 0 ? src[o + i] / b[i] : 1.0;
      v[i] = tr[o + i] * Math.pow(rel, e[i]) + pairwiseRow(Uq, i, n, t + 1);
    }
  }
  if (s.shock_mul !== undefined) { const f = A[s.shock_mul]; for (let i = 0; i < n; i++) v[i] = v[i] * f[o + i]; }
  if (s.stepped) for (let i = 0; i < n; i++) v[i] = Math.max(v[i], 0.0);
  const c = s.ceiling;
  if (c) {
    const share = c.cap !== undefined ? A[c.share] : null, cap = c.cap !== undefined ? X[c.cap] : null;
    for (let i = 0; i < n; i++) {
      let ceiling, prev;
      if (cap) { ceiling = share[i] * cap[o + i]; prev = share[i] * (c.stepped ? cap[op + i] : cap[i]); }
      else ceiling = prev = c.upper;
      if (!c.logistic) v[i] = Math.min(v[i], ceiling);
      else v[i] = saturate(v[i], ceiling, (c.stepped ? Xq[op + i] : Xq[i]) / Math.max(prev, 1e-300), maxAnchor);
    }
  }
  for (let i = 0; i < n; i++) Xq[o + i] = v[i];
}

// ---------------------------------------------------------------------- the headline numbers
// Rubric presets: per year P10/P50/P90 of the score over the draws and the chances of A, B, C and
// of falling below the base year's tier (sim.uncertainty.monte_carlo). City presets: the central
// projection's attainment index (sim.model.attainment.attainment_index).
export function evaluate(model, x) {
  const { X, totals } = run(model, x);
  const { pack, n, T } = model;
  if (!pack.rubric) return attainmentIndex(model, X);
  const lines = pack.rubric.tiers, rank = pack.rubric.rank;
  const score = [], tiers = [], baseRank = new Int32Array(n);
  for (let t = 0; t < T; t++) {
    const yearly = totals.subarray(t * n, t * n + n);
    const sorted = model.work.sorted;
    sorted.set(yearly);
    sorted.sort();
    score.push(pack.quantiles.map((q) => quantile(sorted, q)));
    const count = { A: 0, B: 0, C: 0 };
    let fall = 0;
    for (let i = 0; i < n; i++) {
      const r = round9(yearly[i]);
      let tier = lines[lines.length - 1][0];
      for (const [id, min] of lines) if (r >= min) { tier = id; break; }
      count[tier] = (count[tier] || 0) + 1;
      if (t === 0) baseRank[i] = rank[tier];
      else if (rank[tier] < baseRank[i]) fall++;
    }
    tiers.push([count.A / n, count.B / n, count.C / n, fall / n]);
  }
  return { score, tiers };
}

function attainmentIndex(model, X) { // sim.model.attainment._row and attainment_index, the central draw
  const { n } = model;
  const rows = model.pack.targets.map((tg) => {
    if (tg.status !== null) return { status: tg.status, kind: tg.kind, weight: tg.weight, short: NaN };
    const v = X[tg.q], proj = v[tg.t * n], base = v[0];
    if (tg.kind === "increase" || tg.kind === "no_decrease") {
      let ok = true;
      for (let s = 1; s <= tg.t; s++) {
        const step = v[s * n] - v[(s - 1) * n], tol = 1e-9 * (1 + Math.abs(v[(s - 1) * n]));
        if (tg.kind === "increase" ? !(step > tol) : !(step >= -tol)) ok = false;
      }
      return { status: ok ? "met" : "short", kind: tg.kind, weight: tg.weight, short: NaN };
    }
    const want = tg.want, pyMax0 = (z) => (z > 0.0 ? z : 0.0); // Python's max(0.0, z)
    if (tg.kind === "growth") {
      const years = tg.years;
      const cagr = years <= 0 || !Number.isFinite(base) || base <= 0 || proj <= 0 ? NaN : Math.pow(proj / base, 1 / years) - 1;
      const got = cagr * 100;
      const short = want ? pyMax0((want - got) / Math.abs(want)) : 0.0;
      const status = got >= want - 1e-9 ? "met" : short <= 0.05 ? "within_5pct" : "short";
      return { status, kind: tg.kind, weight: tg.weight, short };
    }
    const gap = want ? (proj - want) / Math.abs(want) : 0.0;
    const short = pyMax0(tg.lower ? gap : -gap);
    const met = tg.lower ? proj <= want + 1e-9 : proj >= want - 1e-9;
    return { status: met ? "met" : short <= 0.05 ? "within_5pct" : "short", kind: tg.kind, weight: tg.weight, short };
  });
  const assessed = rows.filter((r) => r.status !== "not_assessed");
  if (!assessed.length) return { share_met: NaN, weighted_shortfall: NaN };
  const binary = new Set(["tier", "text", "increase", "no_decrease"]);
  let met = 0, num = 0, den = 0;
  for (const r of assessed) {
    if (r.status === "met") met++;
    const s = binary.has(r.kind) ? (r.status === "met" ? 0.0 : 1.0) : Number.isNaN(r.short) ? 0.0 : r.short;
    num = num + r.weight * s;
    den = den + r.weight;
  }
  return { share_met: met / assessed.length, weighted_shortfall: num / den };
}

// The headline's words (app_pages/scenario.py headline()), from Python's templates.
export function headlineText(result, data, budget) {
  const T = data.text, fill = (tpl, vals) => tpl.replace(/\{(\w+)\}/g, (_, k) => vals[k]);
  const score = (v) => (Number.isNaN(v) ? "—" : pyFixed(v, 1));
  const out = { budget: pyFixed(budget, 0, { comma: true }) };
  if (data.rubric) {
    const y = data.year_index, [p10, p50, p90] = result.score[y], [pa, pb, pc, fall] = result.tiers[y];
    const delta = p50 - data.sq.median[y], dpa = pa - data.sq.pa[y];
    const [lo, hi] = p10 <= p90 ? [p10, p90] : [p90, p10];
    const abc = [["A", pa], ["B", pb], ["C", pc]];
    let best = abc[0];
    for (const c of abc) if (c[1] > best[1]) best = c;
    Object.assign(out, {
      median: score(p50), median_delta: fill(T.delta_points, { d: pyFixed(delta, 1, { plus: true }) }),
      median_moved: Math.abs(delta) >= 0.05, median_up: delta > 0,
      pa: Number.isNaN(pa) ? "—" : pyPercent(pa), pa_delta: fill(T.delta_pp, { d: pyFixed(dpa * 100, 0, { plus: true }) }),
      pa_moved: Math.abs(dpa) >= 0.005, pa_up: dpa > 0,
      band: fill(T.score_band_line, { low: score(lo), high: score(hi) }),
      tier: best[0], tier_line: fill(T.tier_odds, { tier: best[0], p: pyPercent(best[1]) }),
      odds: [...(best[0] === "A" ? [] : [fill(T.prob_a, { p: pyPercent(pa) })]), fill(T.prob_fall, { p: pyPercent(fall) })].join(" · "),
      path: result.score,
    });
  } else {
    const share = result.share_met * 100, att = (1 - result.weighted_shortfall) * 100;
    const dMet = (result.share_met - data.sq.share_met) * 100;
    const dAtt = (data.sq.weighted_shortfall - result.weighted_shortfall) * 100;
    const pct = (v) => (Number.isNaN(v) ? "—" : pyFixed(v, 1) + "%");
    Object.assign(out, {
      median: pct(share), median_delta: fill(T.delta_pp, { d: pyFixed(dMet, 1, { plus: true }) }),
      median_moved: Math.abs(dMet) >= 0.05, median_up: dMet > 0,
      pa: pct(att), pa_delta: fill(T.delta_pp, { d: pyFixed(dAtt, 1, { plus: true }) }),
      pa_moved: Math.abs(dAtt) >= 0.05, pa_up: dAtt > 0,
    });
  }
  return out;
}

// ---------------------------------------------------------------------- the component
const PACKS = new Map(); // pack id -> decoded model (a page keeps its packs across reruns)
const TIER_COLOR = { A: "green", B: "orange", C: "red" };
const THEME = ["--st-font", "--st-text-color", "--st-background-color", "--st-border-color", "--st-gray-text-color",
  "--st-green-text-color", "--st-green-background-color", "--st-orange-text-color", "--st-orange-background-color",
  "--st-red-text-color", "--st-red-background-color", "--st-metric-value-font-weight"];

export function el(tag, cls, text) { // an element of class cls holding text (none when text is undefined or null)
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined && text !== null) e.textContent = text;
  return e;
}

// Our own child of class cls in parent, made once (first: before the others): the board's loader
// keeps its style sheet in another child of parent (ui/live/loader.mjs).
export function childOf(parent, cls, first = false) {
  let c = parent.querySelector(`:scope > .${cls}`);
  if (!c) { c = el("div", cls); if (first) parent.prepend(c); else parent.appendChild(c); }
  return c;
}

export function bold(text) { // "**…**" of a template as <strong>, the rest as text
  const span = el("span");
  text.split(/(\*\*[^*]+\*\*)/).forEach((part) => {
    if (!part) return;
    span.appendChild(part.startsWith("**") ? el("strong", "", part.slice(2, -2)) : document.createTextNode(part));
  });
  return span;
}

function metric(label, help) {
  const cell = el("div", "simlive-cell");
  const head = el("div", "simlive-label", label);
  if (help) { head.title = help; head.appendChild(el("span", "simlive-help", " ⓘ")); }
  const value = el("div", "simlive-value"), delta = el("div", "simlive-delta");
  cell.append(head, value, delta);
  return { cell, value, delta };
}

function setDelta(node, text, moved, up) {
  node.textContent = (moved ? (up ? "↑ " : "↓ ") : "") + text;
  node.className = "simlive-delta " + (moved ? (up ? "up" : "down") : "off");
}

function pathSvg(path, sq, lines, yi) { // the score path as SVG markup: P10-P90 band, median, status quo, tier lines
  const W = 240, H = 54, pad = 3, T = path.length;
  const all = path.flat().concat(sq, lines).filter(Number.isFinite);
  const lo = Math.min(...all) - 1, hi = Math.max(...all) + 1;
  const X = (t) => pad + (W - 2 * pad) * t / Math.max(T - 1, 1), Yp = (v) => H - pad - (H - 2 * pad) * (v - lo) / (hi - lo);
  const pts = (f) => path.map((r, t) => `${X(t).toFixed(1)},${Yp(f(r, t)).toFixed(1)}`);
  const band = pts((r) => r[2]).concat(pts((r) => r[0]).reverse()).join(" ");
  const out = lines.map((v) => `<line x1="${pad}" x2="${W - pad}" y1="${Yp(v)}" y2="${Yp(v)}" class="simlive-tierline"></line>`);
  out.push(`<polygon points="${band}" class="simlive-band-area"></polygon>`,
    `<polyline points="${sq.map((v, t) => `${X(t).toFixed(1)},${Yp(v).toFixed(1)}`).join(" ")}" class="simlive-sq"></polyline>`,
    `<polyline points="${pts((r) => r[1]).join(" ")}" class="simlive-median"></polyline>`,
    `<circle cx="${X(yi)}" cy="${Yp(path[yi][1])}" r="2.6" class="simlive-dot"></circle>`);
  return `<svg viewBox="0 0 ${W} ${H}" class="simlive-path" preserveAspectRatio="none">${out.join("")}</svg>`;
}

// What render draws of a view, as one string: a view whose words and path are those on screen
// (Python's truth after the browser's live numbers for the same spending) changes nothing in the page.
function drawn(view, data) {
  const path = data.rubric && view.path ? pathSvg(view.path, data.sq.median, data.lines, data.year_index) : "";
  return { path, key: JSON.stringify([view.median, view.median_delta, view.median_moved, view.median_up, view.pa,
    view.pa_delta, view.pa_moved, view.pa_up, view.budget, view.band, view.tier, view.tier_line, view.odds, path]) };
}

function render(view, data, h, live) {
  if (h.shown === view && h.live === live) return; // on screen already (a run's truth, drawn once)
  h.shown = view;
  if (h.live !== live) { h.live = live; h.root.dataset.live = live ? "1" : "0"; }
  const { path, key } = drawn(view, data);
  if (h.key === key) return; // the same words and path: the page keeps its nodes (no layout, no paint)
  h.key = key;
  h.score.value.textContent = view.median;
  setDelta(h.score.delta, view.median_delta, view.median_moved, view.median_up);
  h.pa.value.textContent = view.pa;
  setDelta(h.pa.delta, view.pa_delta, view.pa_moved, view.pa_up);
  h.budget.value.textContent = view.budget;
  const bar = [el("span", "simlive-barlabel", data.text.score_label + " "), el("strong", "", view.median), el("span", "simlive-sep", " · ")];
  if (data.rubric) {
    h.band.replaceChildren(bold(view.band));
    h.tier.textContent = view.tier_line;
    h.tier.className = "simlive-badge " + TIER_COLOR[view.tier];
    h.odds.textContent = view.odds;
    if (path) h.path.innerHTML = path;
    const badge = el("span", "simlive-badge " + TIER_COLOR[view.tier], view.tier_line);
    bar.push(bold(view.band), el("span", "simlive-sep", " · "), badge);
  } else {
    bar.push(el("span", "simlive-barlabel", data.text.pa_label + " "), el("strong", "", view.pa));
  }
  h.bar.replaceChildren(...bar);
}

function build(parent, data) {
  const host = childOf(parent, "simlive-host");
  host.replaceChildren();
  const T = data.text, root = el("div", "simlive" + (data.projector ? " projector" : ""));
  root.dataset.testid = "simLiveHeadline";
  const row = el("div", "simlive-row");
  const score = metric(T.score_label, T.score_help), pa = metric(T.pa_label), budget = metric(T.budget_label, T.budget_help);
  score.value.dataset.testid = "simLiveMedian";
  pa.value.dataset.testid = "simLiveSecond";
  budget.value.dataset.testid = "simLiveBudget";
  budget.delta.remove();
  const bandCell = el("div", "simlive-cell simlive-bandcell");
  const band = el("div", "simlive-bandline"), tier = el("span", "simlive-badge"), odds = el("div", "simlive-odds");
  const path = el("div", "simlive-pathbox");
  band.dataset.testid = "simLiveBand";
  tier.dataset.testid = "simLiveTier";
  if (T.band_help) band.title = T.band_help;
  if (data.rubric) bandCell.append(band, tier, odds, path);
  else bandCell.append(el("div", "simlive-odds", T.caption));
  row.append(score.cell, pa.cell, budget.cell, bandCell);
  // the headline in one line at the bottom of the screen while the row is scrolled out of sight
  // (the budget sliders lie below it: a leader moving one still sees what it does). A child of
  // the document's body, not of the component: Streamlit fades an element of a running script
  // (opacity), which would put the bar under the page's later elements. It takes the theme's
  // colours and type from the component.
  for (const old of document.querySelectorAll("body > .simlive-bar")) old.remove();
  const bar = el("div", "simlive-bar" + (data.projector ? " projector" : ""));
  bar.dataset.testid = "simLiveBar";
  bar.setAttribute("aria-hidden", "true");
  const theme = getComputedStyle(parent);
  for (const v of THEME) { const value = theme.getPropertyValue(v); if (value) bar.style.setProperty(v, value); }
  document.body.appendChild(bar);
  // said when this browser's numbers differ from Python's: the row then changes on release only
  const off = el("div", "simlive-off", T.live_off);
  off.dataset.testid = "simLiveOff";
  off.hidden = true;
  root.append(row, off);
  host.appendChild(root);
  return { root, row, score, pa, budget, band, tier, odds, path, bar, off };
}

// The headline's elements in parent, built once and kept across runs while its words, kind and
// view stay (another language, preset kind or projector mode builds them afresh): a release then
// changes their text only. h.stop takes the bar and the watch away when the page leaves.
const HEADS = new WeakMap(); // parent element -> its headline's elements
function headOf(parent, data) {
  const shape = JSON.stringify([data.text, data.rubric, data.projector]);
  let h = HEADS.get(parent);
  if (h && h.shape === shape && h.root.isConnected && h.bar.isConnected) return h;
  if (h) h.stop();
  h = build(parent, data);
  h.shape = shape;
  const unwatch = watchSight(h);
  h.stop = () => { unwatch(); h.bar.remove(); };
  HEADS.set(parent, h);
  return h;
}

function watchSight(h) { // show the bar when the row has scrolled above the screen
  const place = () => {
    const r = h.row.getBoundingClientRect();
    h.bar.style.left = `${Math.max(r.left, 0)}px`;
    h.bar.style.width = `${r.width}px`;
  };
  const io = new IntersectionObserver(([e]) => {
    const above = !e.isIntersecting && e.boundingClientRect.bottom < 0;
    if (above) place();
    h.bar.classList.toggle("shown", above);
  });
  io.observe(h.row);
  window.addEventListener("resize", place);
  return () => { io.disconnect(); window.removeEventListener("resize", place); };
}

// While a budget slider moves, and until the run of its release is drawn, the board
// (ui/live/board.mjs) says what its sliders hold: a "sim-board-move" event on the document with
// {total} or {programs: [first-year amounts]}, null once they hold the run's own spending; the
// last one stays in window.simBoardMove for a headline drawn after it.
export const MOVE_EVENT = "sim-board-move";

// The page's first run in a session draws this headline alone (no controls, no charts); the headline
// asks for the rest once it is on screen and the run is over in the browser too (Streamlit's root
// no longer says "running"). That run draws no budget slider, so its request carries none: the
// next run creates them from the document (a request carrying sliders not yet drawn in the browser
// would carry no value for them, and the server took them as 0, when the first run drew them).
// Checked every 50 ms after the frame that draws the headline (or after a second: a hidden tab
// draws no frames), for at most a minute; any later run of the page draws the charts anyway.
function askForCharts(ask) {
  const ready = () => {
    const app = document.querySelector("[data-testid='stApp']");
    return !app || app.dataset.testScriptState !== "running";
  };
  let asked = false, started = false;
  const t0 = performance.now();
  const wait = () => {
    if (asked || performance.now() - t0 > 60_000) return;
    if (ready()) { asked = true; ask(); } else setTimeout(wait, 50);
  };
  const start = () => { if (!started) { started = true; wait(); } }; // one chain of checks
  requestAnimationFrame(() => setTimeout(start, 0));
  setTimeout(start, 1000);
}

const SAME = ["median", "median_delta", "pa", "pa_delta", "budget", "band", "tier_line", "odds"];
const KEPT = 8; // evaluations a pack keeps (the last moves')

// evaluate() of a pack's model at spending x, or the same spending's earlier result: a released
// slider's run brings the spending its last movement was computed for, and the check of that
// run's headline (below) then costs nothing (it was ~26 ms of the browser's work in a release).
const resultKey = (x) => x.join(","); // a spending's key in a pack's kept results

function evaluated(entry, x) {
  const key = resultKey(x);
  let r = entry.results.get(key);
  if (r === undefined) {
    r = evaluate(entry.model, x);
    if (entry.results.size >= KEPT) entry.results.delete(entry.results.keys().next().value);
  } else entry.results.delete(key); // to the end: the most recent last
  entry.results.set(key, r);
  return r;
}

// Draw the headline in parentElement (the board's first child) from data (ui.live.headline_data);
// returns what takes it away (the board returns it to Streamlit).
//
// Streamlit calls a component's returned function when it leaves the page, not before each run's
// mount (components v2's BidiComponent keeps only the last one): what a run starts (its listener
// of the sliders' moves, its timer) is ended here when the next run mounts (h.endRun). Before, each
// release left a listener behind: after n releases a slider's movement ran n updates.
export function mountHeadline({ data, parentElement, setTriggerValue }) {
  if (!data) return;
  if (data.signal_drawn) askForCharts(() => setTriggerValue("drawn", data.pack_id));
  const h = headOf(parentElement, data);
  if (h.endRun) h.endRun();
  h.endRun = null;
  render(data.truth, data, h, false);
  const broken = Boolean((PACKS.get(data.pack_id) || {}).broken);
  if (h.off.hidden === broken) h.off.hidden = !broken;
  if (data.pack && !PACKS.has(data.pack_id)) PACKS.set(data.pack_id, { raw: data.pack, model: null, checked: new Set(), results: new Map() });
  const entry = PACKS.get(data.pack_id);
  const stop = () => { if (h.endRun) h.endRun(); h.stop(); }; // the page left: nothing of the headline stays
  if (!entry && data.signal_drawn) return stop; // a page's first run: the pack comes with the charts' run
  if (!entry) { setTriggerValue("need_pack", data.pack_id); return stop; } // this page lost it: Python sends it again
  const rows = data.rows;
  const numbers = (x) => { // the headline's words at spending x (programs x years)
    const m = entry.model;
    let budget = 0;
    for (let p = 0; p < m.P; p++) budget += x[p * m.Y];
    return headlineText(evaluated(entry, x), data, budget);
  };
  // Before the first move (when the browser is idle): decode the pack and recompute this run's own
  // headline; live numbers are shown only if every word of it equals Python's.
  const check = () => {
    if (!entry.model) entry.model = decode(entry.raw);
    const key = JSON.stringify([data.rows, data.year_index, data.truth]);
    if (entry.checked.has(key)) return true;
    const mine = numbers(spendMatrix(entry.model, rows, {}));
    const bad = SAME.filter((k) => data.truth[k] !== undefined && mine[k] !== data.truth[k]);
    if (bad.length) { entry.broken = true; console.warn("live headline differs from Python's; shown on release only", bad); }
    else entry.checked.add(key);
    if (h.off.hidden === Boolean(entry.broken)) h.off.hidden = !entry.broken;
    return !entry.broken;
  };
  const idle = setTimeout(check, 50);
  let pending = false, move = window.simBoardMove || null;
  const update = () => {
    pending = false;
    if (h.endRun !== endRun) return; // a later run's mount took over
    if (!move) { render(data.truth, data, h, false); return; }
    if (entry.broken || !check()) return;
    const t0 = performance.now(), x = spendMatrix(entry.model, rows, move);
    if (rows.every((r, p) => r.every((v, y) => v === x[p * entry.model.Y + y]))) { render(data.truth, data, h, false); return; }
    render(numbers(x), data, h, true);
    h.root.dataset.ms = (performance.now() - t0).toFixed(1);
  };
  // Every movement of a budget slider, redrawn at once (movements that come together, once); but a
  // key's move at a spending not yet computed (the 300 draws take 2-9 ms) after the timer by which
  // Streamlit sends its release (set just before, by the board's release): the page's run then
  // starts before this redraw, not after it, and the headline follows a frame later.
  const known = (m) => Boolean(entry.model) && !entry.broken &&
    entry.results.has(resultKey(spendMatrix(entry.model, rows, m)));
  const onMove = (e) => {
    move = e.detail;
    if (pending) return;
    pending = true;
    if (e.byKey && move && !known(move)) setTimeout(update, 0);
    else queueMicrotask(update);
  };
  const endRun = () => { clearTimeout(idle); document.removeEventListener(MOVE_EVENT, onMove); };
  h.endRun = endRun;
  document.addEventListener(MOVE_EVENT, onMove);
  queueMicrotask(update); // a slider moved again before this run's numbers arrived: follow it
  return stop;
}
