// stem.js (the page's copy of lunr's Porter stemmer) against lunr.stemmer itself, on lunr's
// stemming vocabulary, every word of the sample shop's catalog and of lunr.js's own source:
// the same stem for each.
// Usage: node --test tests/js/stem.test.mjs
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import lunr from "lunr";
import { porterStemmer, stemmerFor } from "../../shopgen/search/js/stem.js";

const repo = new URL("../../", import.meta.url).pathname;
const texts = [readFileSync(join(repo, "node_modules/lunr/lunr.js"), "utf8")];
for (const file of readdirSync(join(repo, "catalog_data/products"), { recursive: true })) {
  if (String(file).endsWith(".yaml")) texts.push(readFileSync(join(repo, "catalog_data/products", String(file)), "utf8"));
}
const fixture = JSON.parse(readFileSync(join(repo, "node_modules/lunr/test/fixtures/stemming_vocab.json"), "utf8"));
const vocabulary = [...new Set([...Object.keys(fixture), ...texts.join(" ").toLowerCase().match(/[a-z]+/g)])];
// Endings each step of the algorithm handles, on stems of different measure.
const made = ["y", "ed", "ing", "ies", "ational", "ization", "fulness", "ement", "ible", "ly"]
  .flatMap((end) => ["cr", "happ", "generat", "relat", "sky", "yell", "hop", "fil"].map((b) => b + end));

test("stem.js stems as lunr.stemmer does", () => {
  const words = [...vocabulary, ...made];
  assert.ok(words.length > 2000, `only ${words.length} words`);
  const differ = words.filter((w) => porterStemmer(w) !== lunr.stemmer(new lunr.Token(w)).toString());
  assert.deepEqual(differ, []);
  const en = stemmerFor("en");
  assert.equal(en("jackets"), "jacket");
  assert.equal(en("jackets"), "jacket"); // cached
  assert.equal(stemmerFor("")("jackets"), "jackets");
});
