// The order of the products a search found (search.js finds them and their scores): full
// matches, partial ones, in-stock first among ties; and the best few close matches when
// nothing matched.

import ranking from "../ranking.json" with { type: "json" };

const TIE = Math.log(1.02); // scores within 2% are a tie (then in-stock first)
// Fewer full matches than this: partial ones follow them (a screenful, not the catalog).
const PARTIAL_BELOW = ranking.partial_below;

/** The products found: those hit by every required unit ("full" matches), then (`partials`,
 * unless a code was found) when fewer than ranking.json's `partial_below` match so by name,
 * code or tags, those that miss a required unit but match
 * another in a name, code or tag (not only in a description: "bicycle helmet" must not offer
 * every jacket whose copy mentions a helmet).
 * Order: products that match every required unit by name, code or tags; then the rest by how
 * many units they match there (a red product that merely MENTIONS boots comes after the
 * boots, red or not), by which (with `headLast`, English: the last words first, they name
 * the kind of thing, "cloudline parka": other parkas before other Cloudline products;
 * "granite rain jacket": rain jackets before Granite ones), by units matched at all; then
 * by how many optional (facet) words they have, as whole words ("sand sandals": the
 * sand-coloured ones, not every sandal), then score; in-stock first among equal scores. */
export function combine(perUnit, units, outOfStock, headLast, partials) {
  const facts = new Map(); // ref → {ref, score, required, optional, strong, head, facet}
  const needed = units.filter((u) => !u.optional).length;
  // English puts the kind of thing last, its closest qualifier before it ("granite RAIN
  // JACKET"): a later word weighs more (bit k of `order` for the k-th required word).
  const bit = [];
  units.forEach((u) => { if (!u.optional) bit.push(headLast ? 2 ** Math.min(bit.length, 7) : 0); });
  let r = 0;
  const bitOf = units.map((u) => (u.optional ? 0 : bit[r++]));
  perUnit.forEach((hits, k) => {
    const { optional } = units[k];
    for (const [ref, hit] of hits) {
      let f = facts.get(ref);
      if (!f) {
        f = { ref, score: 0, required: 0, optional: 0, strong: 0, order: 0, facet: false,
          key: 0, tier: 0, out: 0 };
        facts.set(ref, f);
      }
      f.score += hit.score;
      if (optional) {
        f.optional += hit.whole ? 1 : 0;
        f.facet ||= hit.whole && hit.strong;
      } else {
        f.required += 1;
        if (hit.strong) f.strong += 1;
        if (hit.strong) f.order += bitOf[k];
      }
    }
  });
  const full = [];
  const partial = [];
  let good = 0; // full matches by name, code or tags
  for (const f of facts.values()) {
    if (f.required === needed) {
      full.push(f);
      if (f.strong === needed) good += 1;
    } else if (f.strong || f.facet) partial.push(f);
  }
  // A facet word alone ("merino" in "merino zzyzx") is a partial match only when no product
  // has every required word: "red tent" never lists red things after a few tents.
  const found = good >= PARTIAL_BELOW || !partials ? full
    : full.concat(full.length ? partial.filter((f) => f.strong) : partial);
  // The order above as one number per product (computed once: the sort compares it often).
  const n = (x) => Math.min(x, 15);
  for (const f of found) {
    f.key = (((+(f.strong === needed) * 16 + n(f.strong)) * 256 + f.order) * 16
      + n(f.required)) * 16 + n(f.optional);
    f.tier = Math.floor(Math.log(Math.max(f.score, 1e-9)) / TIE);
    f.out = outOfStock.has(f.ref) ? 1 : 0;
  }
  found.sort((a, b) => b.key - a.key || b.tier - a.tier || a.out - b.out
    || b.score - a.score || a.ref - b.ref);
  return found.map((f) => f.ref);
}

/** The best `limit` loose matches (nothing else found): products with more of the words
 * first, then in stock, then score. A short word's loose matches are thousands of products:
 * the best few are picked, not the whole list sorted. */
export function looseRefs(perUnit, outOfStock, limit) {
  const found = new Map(); // ref → {ref, score, count, out}
  for (const hits of perUnit) {
    for (const [ref, hit] of hits) {
      const f = found.get(ref);
      if (f) {
        f.score += hit.score;
        f.count += 1;
      } else found.set(ref, { ref, score: hit.score, count: 1, out: +outOfStock.has(ref) });
    }
  }
  const before = (a, b) => b.count - a.count || a.out - b.out || b.score - a.score
    || a.ref - b.ref;
  const best = [];
  for (const f of found.values()) {
    if (best.length === limit && before(best[limit - 1], f) <= 0) continue;
    let k = Math.min(best.length, limit - 1);
    while (k > 0 && before(best[k - 1], f) > 0) k--;
    best.splice(k, 0, f);
    best.length = Math.min(best.length, limit);
  }
  return best.map((f) => f.ref);
}
