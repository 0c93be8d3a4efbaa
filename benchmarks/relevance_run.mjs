// Runs a judged query set through shopgen's engine (shopgen/search/js: price phrases taken
// out and applied as the page does) and through plain lunr.js (default pipeline, an index
// built here from the same records). Input (stdin): {index, records, queries}; output:
// {shopgen: {q: [ref…]}, lunr: {q: [ref…]}}, refs best first.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { parsePrice } from "../shopgen/search/js/query.js";
import { createEngine } from "../shopgen/search/js/search.js";

const lunr = createRequire(import.meta.url)("lunr");
const input = JSON.parse(readFileSync(0, "utf8"));
const engine = createEngine(input.index);
const records = input.records;

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
  for (const f of ["name", "brand", "category", "colours", "description"]) this.field(f);
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

const out = { shopgen: {}, lunr: {} };
for (const q of input.queries) {
  out.shopgen[q] = shopgen(q);
  out.lunr[q] = plainLunr(q);
}
console.log(JSON.stringify(out));
