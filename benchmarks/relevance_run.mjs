// Runs a judged query set through shopgen's engine (shopgen/search/js: price phrases taken
// out and applied as the page does) and through plain lunr.js (default pipeline, an index
// built here from the same records), and times each engine's search: every whole query, and
// every prefix of it as typed key by key (what a keystroke asks the search worker).
// Input (stdin): {index, records, queries}; output: {answers: {shopgen: {q: [ref…]}, lunr:
// {…}}, ms: {shopgen: {whole: […], typing: […]}, lunr: {…}}}, refs best first (first 100).
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { performance } from "node:perf_hooks";
import { parsePrice } from "../shopgen/search/js/query.js";
import { createEngine } from "../shopgen/search/js/search.js";

const lunr = createRequire(import.meta.url)("lunr");
const input = JSON.parse(readFileSync(0, "utf8"));
const engine = createEngine(input.index);
const records = input.records;
const FIELDS = ["name", "brand", "category", "colours", "sizes", "sku", "attributes",
  "description"];

function shopgen(q) {
  const price = parsePrice(q);
  const text = price ? price.text : q;
  let refs = text.trim() ? Array.from(engine.search(text).refs) : records.map((_, i) => i);
  if (price) {
    refs = refs.filter((i) => (price.min === null || records[i].price >= price.min)
      && (price.max === null || records[i].price <= price.max));
  }
  return refs;
}

const plain = lunr(function build() {
  this.ref("id");
  for (const f of FIELDS) this.field(f);
  records.forEach((r, i) => this.add({ ...r, id: String(i) }));
});

function plainLunr(q) {
  try {
    return plain.search(q).map((r) => Number(r.ref));
  } catch {
    // lunr's query syntax: "-", ":", "~" in a query can throw; count that as nothing found.
    return [];
  }
}

function timed(search, q) {
  const started = performance.now();
  search(q);
  return performance.now() - started;
}

const engines = { shopgen, lunr: plainLunr };
const out = { answers: {}, ms: {} };
for (const [name, search] of Object.entries(engines)) {
  out.answers[name] = {};
  for (const q of input.queries) out.answers[name][q] = search(q).slice(0, 100);
  // Timed after one pass over every query (the JIT warm, as after a customer's first keys).
  const whole = input.queries.map((q) => timed(search, q));
  const typing = input.queries.flatMap((q) => Array.from(q, (_, k) => timed(search, q.slice(0, k + 1))));
  out.ms[name] = { whole, typing };
}
console.log(JSON.stringify(out));
