// Loads a serialised lunr index with lunr.js 2.3.9 (as the browser does) and runs queries.
// Usage: node query_index.mjs INDEX.json 'query one' 'query two' …
// Prints JSON: {"query one": ["ref", …], …}; exits 1 with the message when loading throws.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const lunr = require("lunr");
// The page's term boosts (shopgen/search/js/search.js reads the same file).
const { term_boost: boost } = require("../../shopgen/search/ranking.json");
const [indexPath, ...queries] = process.argv.slice(2);
let index;
try {
  index = lunr.Index.load(JSON.parse(readFileSync(indexPath, "utf8")));
} catch (error) {
  console.error(`lunr.Index.load failed: ${error.message}`);
  process.exit(1);
}
const results = {};
for (const q of queries) {
  // Terms as the page sends them: already folded; each term may also match as a prefix.
  const terms = q.split(/\s+/).filter(Boolean);
  results[q] = index
    .query((query) => {
      for (const term of terms) {
        query.term(term, { boost: boost.exact });
        query.term(term, { wildcard: lunr.Query.wildcard.TRAILING, boost: boost.prefix });
      }
    })
    .map((r) => r.ref);
}
console.log(JSON.stringify(results));
