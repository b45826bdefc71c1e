// The browser's headline numbers under Node for tests/test_live.py: one process for every case.
// Usage: node tests/live_node.mjs <module> <input.json> <output.json>
// input: {cases: [{pack, bases: [rows, ...], vectors: [[base, move], ...]}], formats: [[x, digits, plus, comma, percent], ...]}
// output: {cases: [{x: [...], results: [...]}], formats: [...], ms: [...]}
import { readFileSync, writeFileSync } from "node:fs";
import { pathToFileURL } from "node:url";

const [moduleFile, input, output] = process.argv.slice(2);
const live = await import(pathToFileURL(moduleFile).href);
const data = JSON.parse(readFileSync(input, "utf8"));
const out = { cases: [], formats: [], ms: [] };
for (const c of data.cases) {
  const t0 = performance.now(), model = live.decode(c.pack), xs = [], results = [];
  for (const [base, move] of c.vectors) {
    const x = live.spendMatrix(model, c.bases[base], move);
    xs.push(Array.from(x));
    results.push(live.evaluate(model, x));
  }
  out.cases.push({ x: xs, results });
  out.ms.push((performance.now() - t0) / c.vectors.length);
}
for (const [x, digits, plus, comma, percent] of data.formats || []) {
  out.formats.push(percent ? live.pyPercent(x, digits) : live.pyFixed(x, digits, { plus, comma }));
}
writeFileSync(output, JSON.stringify(out));
