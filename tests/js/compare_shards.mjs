// The sharded index (shopgen/search/pieces.py + js/shards.js) against lunr.js over the whole
// index it was cut from: every query must get the same answer (refs in order, name terms,
// loose matches, "Did you mean"), and lunr.js must load the whole index. Also:
// - scores: each query word's lunr query in every mode (exact/prefix, typo, loose, sku) finds
//   the same products with the same scores, to the last bit, over the shards (ShardIndex.match)
//   as lunr.js's own Index.query over the whole index;
// - typing: one engine answering each query key by key, then Backspace by Backspace (its
//   caches warm, as in the page's worker), answers every step as a fresh engine does.
// Usage: node compare_shards.mjs WHOLE.json SHARDS_DIR META_FILE QUERIES.json
// QUERIES.json: a list of queries, or {queries, scored, typed}: the queries whose words' scores
// and whose typing are checked (all of them by default; lunr.js is slow on a large index).
// Prints JSON {"queries": n, "differ": [{q, whole, shards}], "fetched": {q: [files]},
//              "answers": {q: refs}, "scores": {"compared": n, "differ": [{q, word, mode}]},
//              "typed": {"steps": n, "differ": [text]}}
import { readFileSync } from "node:fs";
import { join } from "node:path";
import lunr from "lunr";
import { createEngine, lunrMatch, termQuery } from "../../shopgen/search/js/search.js";
import { loadShardIndex, searchShards, withShards } from "../../shopgen/search/js/shards.js";
import { stemmerFor } from "../../shopgen/search/js/stem.js";
import { words } from "../../shopgen/search/js/text.js";

const read = (path) => JSON.parse(readFileSync(path, "utf8"));
const [wholePath, dir, metaFile, queriesPath] = process.argv.slice(2);
const before = createEngine(read(wholePath));
const plain = (r) => ({ refs: Array.from(r.refs), nameTerms: r.nameTerms,
  loose: r.loose ? Array.from(r.loose) : null, suggestion: r.suggestion || null });
const differ = [];
const fetched = {};
const answers = {};
const asked = read(queriesPath);
const queries = Array.isArray(asked) ? asked : asked.queries;
const { scored: scoredQueries = queries, typed: typedQueries = queries } = asked;
for (const q of queries) {
  // A fresh index per query: what one search fetches from a cold start.
  const files = [];
  const fetchJson = async (url) => {
    const file = new URL(url).pathname.split("/").pop();
    files.push(file);
    return read(join(dir, file));
  };
  const index = await loadShardIndex(`file://${join(dir, metaFile)}`, fetchJson);
  const after = await searchShards(createEngine(index), index, q);
  const a = plain(before.search(q));
  const b = plain(after);
  if (JSON.stringify(a) !== JSON.stringify(b)) differ.push({ q, whole: a, shards: b });
  fetched[q] = files;
  answers[q] = b.refs;
}

const fromDisk = async (url) => read(join(dir, new URL(url).pathname.split("/").pop()));
const openIndex = () => loadShardIndex(`file://${join(dir, metaFile)}`, fromDisk);

// Best first, ties in the order met (as lunr sorts), with each product's terms sorted.
const ranked = (found) => [...found].sort((a, b) => b.score - a.score).map((r) => {
  const terms = [];
  for (let k = 0; k < r.terms.length; k += 2) terms.push(`${r.terms[k]}:${r.terms[k + 1]}`);
  return [r.ref, r.score, terms.sort().join(" ")];
});

const whole = lunr.Index.load(read(wholePath));
const scored = await openIndex();
const stem = stemmerFor(scored.shopgen.stemmer);
const scores = { compared: 0, differ: [] };
for (const q of scoredQueries) {
  for (const word of words(q)) {
    for (const mode of ["exact", "typo", "loose", "sku"]) {
      const term = { word: mode === "sku" ? stem(word) : word, stem: stem(word) };
      const a = ranked(lunrMatch(whole, termQuery(term, mode)));
      const b = ranked(await withShards(scored, () => scored.match(termQuery(term, mode))));
      scores.compared += 1;
      // Object.is on each score: the same bits, not merely close.
      const same = a.length === b.length && a.every((r, k) => r[0] === b[k][0]
        && Object.is(r[1], b[k][1]) && r[2] === b[k][2]);
      if (!same) scores.differ.push({ q, word, mode });
    }
  }
}

const typedIndex = await openIndex();
const typedEngine = createEngine(typedIndex);
const freshIndex = await openIndex();
const typed = { steps: 0, differ: [] };
for (const q of typedQueries) {
  const steps = [];
  for (let n = 1; n <= q.length; n++) steps.push(q.slice(0, n));
  for (let n = q.length - 1; n >= 1; n--) steps.push(q.slice(0, n));
  for (const text of steps) {
    const a = plain(await searchShards(typedEngine, typedIndex, text));
    const b = plain(await searchShards(createEngine(freshIndex), freshIndex, text));
    typed.steps += 1;
    if (JSON.stringify(a) !== JSON.stringify(b)) typed.differ.push(text);
  }
}

console.log(JSON.stringify({ queries: queries.length, differ, fetched, answers, scores, typed }));
