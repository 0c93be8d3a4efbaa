// The index in pieces against the single index it was cut from (shopgen/search/pieces.py):
// pieces.js must give back lunr.py's index, and the page's engine (search.js) the same answers.
// Usage: node compare_pieces.mjs WHOLE.json FIRST.json MORE.json QUERIES.json
// Prints JSON {"same_index": bool, "queries": n, "differ": [{q, whole, pieces}], "first": {q: refs}}
import { deepStrictEqual } from "node:assert";
import { readFileSync } from "node:fs";
import { createEngine } from "../../shopgen/search/js/search.js";
import { toLunr } from "../../shopgen/search/js/pieces.js";

const read = (path) => JSON.parse(readFileSync(path, "utf8"));
const [wholePath, firstPath, morePath, queriesPath] = process.argv.slice(2);
const whole = read(wholePath);
const first = read(firstPath);
const rebuilt = toLunr(first, read(morePath));
// Field vectors by ref: lunr.Index.load keys them so, their order in the file is immaterial.
const keyed = (index) => ({ ...index, fieldVectors: Object.fromEntries(index.fieldVectors) });
let sameIndex = true;
try {
  deepStrictEqual(keyed(rebuilt), keyed(whole));
} catch (error) {
  sameIndex = false;
  console.error(error.message.slice(0, 2000));
}
const before = createEngine(whole);
const after = createEngine(rebuilt);
const onlyFirst = createEngine(toLunr(first));
const plain = (r) => ({ refs: Array.from(r.refs), nameTerms: r.nameTerms,
  loose: r.loose ? Array.from(r.loose) : null, suggestion: r.suggestion || null });
const differ = [];
const firstAnswers = {};
const queries = read(queriesPath);
for (const q of queries) {
  const a = plain(before.search(q));
  const b = plain(after.search(q));
  if (JSON.stringify(a) !== JSON.stringify(b)) differ.push({ q, whole: a, pieces: b });
  firstAnswers[q] = Array.from(onlyFirst.search(q).refs);
}
console.log(JSON.stringify({ same_index: sameIndex, queries: queries.length, differ,
  first: firstAnswers }));
