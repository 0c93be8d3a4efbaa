// Query understanding, before the index is asked (pure functions, unit-tested in Node:
// tests/js/query_parser.mjs):
// - price phrases ("under 50", "€20-40", "between 20 and 40") → a price range, taken out of
//   the text (the page puts the range in the price inputs and the URL);
// - SKU codes read aloud ("NW-1001", "nw 1001", "nw1001") → one compact code;
// - the "size" cue ("boots size 42": 42 is the size) is dropped;
// - synonyms (the index's "shopgen" rules, shopgen/search/rules.py) expand the query into
//   alternatives, the customer's own words weighing more;
// - words that name a facet value (a colour, brand, size, material) become optional when
//   the query has other words: "red boots" finds every boot, the red ones first.

const MAX_AMOUNT = 1e9; // past this a number is not a price anyone types
const CURRENCY = String.raw`(?:[€$£¥]|eur(?:os?)?\b|usd\b|gbp\b|dollars?\b|pounds?\b)`;
const NUMBER = String.raw`\d+(?:[.,]\d+)*`;
// An amount: a number with an optional currency before or after it.
const AMOUNT = String.raw`(?:${CURRENCY}\s*)?(${NUMBER})(?:\s*${CURRENCY})?`;
const LEAD = String.raw`(?:(?:priced?|costing|costs?|for)\s+)?`;
const BELOW = String.raw`(?:under|below|less\s+than|cheaper\s+than|up\s+to|max(?:imum)?|at\s+most|<=?|≤)`;
const ABOVE = String.raw`(?:over|above|more\s+than|at\s+least|min(?:imum)?|from|>=?|≥)`;
const START = String.raw`(?:^|(?<=[\s(]))`;
const END = String.raw`(?=$|[\s),.!?])`;
const PATTERNS = [
  ["range", new RegExp(`${START}${LEAD}between\\s+${AMOUNT}\\s+and\\s+${AMOUNT}${END}`, "giu")],
  ["range", new RegExp(`${START}${LEAD}from\\s+${AMOUNT}\\s*(?:to|-|–)\\s*${AMOUNT}${END}`, "giu")],
  // "size 38-40" is sizes, not prices.
  ["range", new RegExp(`${START}(?<!sizes?\\s+)${LEAD}${AMOUNT}\\s*(?:-|–|to)\\s*${AMOUNT}${END}`,
    "giu")],
  ["max", new RegExp(`${START}${LEAD}${BELOW}\\s*${AMOUNT}${END}`, "giu")],
  ["min", new RegExp(`${START}${LEAD}${ABOVE}\\s*${AMOUNT}${END}`, "giu")],
  ["min", new RegExp(`${START}${AMOUNT}\\s*\\+(?=$|\\s)`, "giu")],
];

/**
 * "49,90" → 49.9, "1,000" → 1000, "1.234,5" → 1234.5; null when it is not a plain amount or
 * is out of range. A separator followed by exactly three digits groups thousands; the last
 * one followed by one or two digits is the decimal mark (both conventions are in use).
 */
export function parseAmount(text) {
  const parts = text.trim().split(/([.,])/);
  let whole = parts[0];
  let fraction = "0";
  for (let k = 1; k < parts.length; k += 2) {
    const digits = parts[k + 1];
    if (k === parts.length - 2 && digits.length <= 2) fraction = digits;
    else if (digits.length === 3) whole += digits;
    else return null;
  }
  const value = Number(`${whole}.${fraction}`);
  return Number.isFinite(value) && value <= MAX_AMOUNT ? value : null;
}

/**
 * Take the price phrases out of a query: {text, min, max} (min/max null when not said), or
 * null when the query holds no clear price phrase ("50" alone stays a word).
 */
export function parsePrice(query) {
  let text = String(query);
  let min = null;
  let max = null;
  let found = false;
  for (const [kind, pattern] of PATTERNS) {
    text = text.replace(pattern, (match, a, b) => {
      const lo = parseAmount(a);
      const hi = typeof b === "string" ? parseAmount(b) : null;
      if (lo === null || (kind === "range" && hi === null)) return match;
      found = true;
      if (kind === "range") [min, max] = lo <= hi ? [lo, hi] : [hi, lo];
      else if (kind === "max") max = lo;
      else min = lo;
      return " ";
    });
  }
  if (!found) return null;
  if (min !== null && max !== null && min > max) [min, max] = [max, min];
  return { text: text.replace(/\s+/g, " ").trim(), min, max };
}

/** The compact code a query may be ("NW-1001", "nw 1001" → "nw1001"), else null. */
export function skuCode(words) {
  if (!words.length || words.length > 3) return null;
  const code = words.join("");
  return /\d/.test(code) && code.length >= 3 ? code : null;
}

const SIZE_CUES = new Set(["size", "sizes", "sz"]);

/** The words without a "size" cue that is followed by another word ("size 42" → "42"). */
export function dropSizeCue(words) {
  return words.filter((w, k) => !(SIZE_CUES.has(w) && k < words.length - 1));
}

/**
 * The query's units, each found by any of its alternatives; a unit is `optional` when it
 * only names a facet value and other units say what the product is.
 * @param words  folded query words (stop words already dropped)
 * @param rules  the index's "shopgen" rules: {synonyms: [[phrase, [phrase…]]…], modifiers}
 * @param stem   the stemmer both sides share
 * @param synonymWeight  how much a synonym's hit counts against the customer's own word
 * @returns [{alts: [{terms: [{word, stem}], weight}], optional}]
 */
export function planQuery(words, rules, stem, synonymWeight) {
  const stems = words.map(stem);
  const synonyms = synonymIndex(rules.synonyms || []);
  const modifiers = rules.modifierSet || new Set(rules.modifiers || []);
  const units = [];
  for (let k = 0; k < words.length;) {
    const [length, targets] = longestPhrase(stems, k, synonyms);
    const own = words.slice(k, k + length).map((word, j) => ({ word, stem: stems[k + j] }));
    const alts = [{ terms: own, weight: 1 }];
    for (const target of targets) {
      alts.push({ terms: target.map((s) => ({ word: s, stem: s })), weight: synonymWeight });
    }
    units.push({ alts, optional: length === 1 && !targets.length && modifiers.has(stems[k]) });
    k += length;
  }
  if (units.every((u) => u.optional)) units.forEach((u) => { u.optional = false; });
  return units;
}

function synonymIndex(entries) {
  const byFirst = new Map();
  for (const [source, targets] of entries) {
    if (!source.length) continue;
    if (!byFirst.has(source[0])) byFirst.set(source[0], []);
    byFirst.get(source[0]).push([source, targets]);
  }
  return byFirst;
}

// The longest synonym phrase starting at stems[k]: [its length, its targets] (1, [] if none).
function longestPhrase(stems, k, synonyms) {
  let best = [1, []];
  for (const [source, targets] of synonyms.get(stems[k]) || []) {
    const fits = source.every((s, j) => stems[k + j] === s);
    if (fits && (source.length > best[0] || !best[1].length)) best = [source.length, targets];
  }
  return best;
}
