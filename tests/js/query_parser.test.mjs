// Unit tests of the query parser (shopgen/search/js/query.js), run by `node --test` from
// tests/test_search_query.py.
import assert from "node:assert/strict";
import { test } from "node:test";
import { dropSizeCue, parseAmount, parsePrice, planQuery, skuCode } from "../../shopgen/search/js/query.js";

const price = (q) => parsePrice(q);

test("plain price phrases become a range and leave the text", () => {
  assert.deepEqual(price("boots under 50"), { text: "boots", min: null, max: 50 });
  assert.deepEqual(price("below €50"), { text: "", min: null, max: 50 });
  assert.deepEqual(price("less than 50 jackets"), { text: "jackets", min: null, max: 50 });
  assert.deepEqual(price("< 50"), { text: "", min: null, max: 50 });
  assert.deepEqual(price("over 100"), { text: "", min: 100, max: null });
  assert.deepEqual(price("tents 50-100"), { text: "tents", min: 50, max: 100 });
  assert.deepEqual(price("between 20 and 40"), { text: "", min: 20, max: 40 });
  assert.deepEqual(price("from 20 to 40 tee"), { text: "tee", min: 20, max: 40 });
});

test("currency signs and words, before or after the amount", () => {
  assert.deepEqual(price("under 50€"), { text: "", min: null, max: 50 });
  assert.deepEqual(price("under $ 50"), { text: "", min: null, max: 50 });
  assert.deepEqual(price("under 50 euros hat"), { text: "hat", min: null, max: 50 });
  assert.deepEqual(price("£20–£40"), { text: "", min: 20, max: 40 });
});

test("decimals with a comma or a point, and thousands", () => {
  assert.equal(price("under 49,90").max, 49.9);
  assert.equal(price("under 49.90").max, 49.9);
  assert.equal(price("under 1,000").max, 1000);
  assert.equal(price("under 1.234,56").max, 1234.56);
  assert.equal(parseAmount("12,5,5"), null);
});

test("a reversed range is put the right way round", () => {
  assert.deepEqual(price("100-50"), { text: "", min: 50, max: 100 });
  assert.deepEqual(price("over 100 under 50"), { text: "", min: 50, max: 100 });
});

test("huge numbers are not prices", () => {
  assert.equal(price("under 99999999999999999999"), null);
  assert.equal(price("under 1e9"), null);
});

test("only clear phrases: a number alone, a word alone, sizes and codes stay words", () => {
  for (const q of ["50", "under", "", "   ", "boots size 38-40", "NW-1001", "red boots size 42",
    "under5x", "over the moon"]) {
    assert.equal(price(q), null, q);
  }
});

test("only a phrase leaves an empty text", () => {
  assert.deepEqual(price("  under 50  "), { text: "", min: null, max: 50 });
});

test("codes read aloud become one compact code", () => {
  assert.equal(skuCode(["nw", "1001"]), "nw1001");
  assert.equal(skuCode(["1001"]), "1001");
  assert.equal(skuCode(["red", "boots"]), null);
  assert.equal(skuCode(["a", "b", "c", "1", "2"]), null);
});

test("the size cue is dropped only before a size", () => {
  assert.deepEqual(dropSizeCue(["boots", "size", "42"]), ["boots", "42"]);
  assert.deepEqual(dropSizeCue(["size"]), ["size"]);
});

test("synonyms expand the query; facet words become optional", () => {
  const rules = {
    synonyms: [[["t", "shirt"], [["tee"]]], [["sneaker"], [["trainer"], ["run", "shoe"]]]],
    modifiers: ["red"],
  };
  const stem = (w) => w.replace(/s$/, "");
  const units = planQuery(["red", "t", "shirts"], rules, stem, 0.5);
  assert.equal(units.length, 2);
  assert.equal(units[0].optional, true);
  assert.deepEqual(units[1].alts.map((a) => [a.terms.map((t) => t.stem), a.weight]),
    [[["t", "shirt"], 1], [["tee"], 0.5]]);
  const sneakers = planQuery(["sneakers"], rules, stem, 0.5)[0];
  assert.deepEqual(sneakers.alts.map((a) => a.terms.map((t) => t.stem)),
    [["sneaker"], ["trainer"], ["run", "shoe"]]);
  // Only facet words: they are what the customer wants, so they are required.
  assert.equal(planQuery(["red"], rules, stem, 0.5)[0].optional, false);
});
