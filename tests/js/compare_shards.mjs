// The sharded index (shopgen/search/pieces.py + js/shards.js) against lunr.js over the whole
// index it was cut from: every query must get the same answer (refs in order, name terms,
// loose matches, "Did you mean"), and lunr.js must load the whole index.
// Usage: node compare_shards.mjs WHOLE.json SHARDS_DIR META_FILE QUERIES.json
// Prints JSON {"queries": n, "differ": [{q, whole, shards}], "fetched": {q: [files]},
//              "answers": {q: refs}}
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { createEngine } from "../../shopgen/search/js/search.js";
import { loadShardIndex, searchShards } from "../../shopgen/search/js/shards.js";

const read = (path) => JSON.parse(readFileSync(path, "utf8"));
const [wholePath, dir, metaFile, queriesPath] = process.argv.slice(2);
const before = createEngine(read(wholePath));
const plain = (r) => ({ refs: Array.from(r.refs), nameTerms: r.nameTerms,
  loose: r.loose ? Array.from(r.loose) : null, suggestion: r.suggestion || null });
const differ = [];
const fetched = {};
const answers = {};
const queries = read(queriesPath);
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
console.log(JSON.stringify({ queries: queries.length, differ, fetched, answers }));
