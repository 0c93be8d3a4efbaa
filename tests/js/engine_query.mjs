// Runs queries through the page's own search engine (shopgen/search/js/search.js) in Node.
// Usage: node engine_query.mjs INDEX.json 'query one' 'query two' …
// Prints JSON: {"query one": {"refs": [ref, …], "suggestion": text|null}, …}.
import { readFileSync } from "node:fs";
import { createEngine } from "../../shopgen/search/js/search.js";

const [indexPath, ...queries] = process.argv.slice(2);
const engine = createEngine(JSON.parse(readFileSync(indexPath, "utf8")));
const results = {};
for (const q of queries) {
  const answer = engine.search(q);
  results[q] = { refs: Array.from(answer.refs), suggestion: answer.suggestion };
}
console.log(JSON.stringify(results));
