// Search lives in one folder, shopgen/search/: index.py builds the lunr index (documents,
// tokens, synonyms), ranking.json holds what both sides rank by (the index's field boosts,
// and the query's term boosts, name bonus and typo rule, read here), and js/ is the browser's
// side: text.js folds text as the index does, stem.js stems as the index does, searcher.js
// loads this engine for the page.
//
// The search engine over the prebuilt lunr index. Run in a module Worker (the page starts
// this file by its URL, data-worker), so that loading the index never blocks the page; the
// same code runs on the main thread as the fallback (dynamic import). The index comes in
// shards by term (shards.js): a search fetches the shards of its words and answers exactly as
// lunr.js over the whole index would (createEngine takes that whole index too, for tests).
//
// A query is folded like the index, split into words, stop words dropped (unless that leaves
// nothing), then planned (query.js): synonyms add alternatives, facet-value words become
// optional. Each word is stemmed as the index was (index.py) and matches exactly (best) or,
// as typed, as a prefix (while typing); a word of 4+ letters that matches nothing so is looked
// up within one edit (typos: ranking.json "typo"). Units AND together; when few products
// have them all, those with some of them follow ("cloudline parka": the Cloudline parkas, then
// other parkas), never ones that only MENTION a word in their description (order.js). Products
// matched by name, code or tags come before those matched in descriptions only, then those
// with more of the optional (facet) words; products whose NAME matches rank above those
// matched only elsewhere; a code read aloud ("nw 1001") puts its product first; in-stock
// products come before out-of-stock ones of (nearly) the same score.

import lunr from "lunr";
import ranking from "../ranking.json" with { type: "json" };
import { combine, looseRefs } from "./order.js";
import { dropSizeCue, planQuery, skuCode } from "./query.js";
import { loadShardIndex, searchLoaded, searchShards, ShardIndex } from "./shards.js";
import { stemmerFor } from "./stem.js";
import { words } from "./text.js";

const PREFIX = lunr.Query.wildcard.TRAILING;
// A word typed whole outweighs the same letters as the start of a longer word.
const TERM_BOOST = ranking.term_boost;
// Added to lunr's score when the word matches in the product's NAME: exactly, as a prefix,
// or only within one edit ("jack" finding "Pack" must not beat "Jacket").
const NAME_BONUS = ranking.name_bonus;
const TYPO = ranking.typo;
const LOOSE = 6; // close matches offered when nothing matches
// A word's first letters a close match shares (up to three): at least two. Every word that
// begins with one letter is a large part of the index (its shards: a tenth of it), to fetch
// on the first key typed, for close matches that share a letter only.
const LOOSE_PREFIX = 2;
const TERM_CACHE = 64; // words whose hits are kept (a few thousand products each at most)

export { stemmerFor };

/** The lunr query a word {word, stem} asks in `mode`: "exact" (the stem whole, or the word
 * as typed as a prefix), "typo", "loose" (nothing else found) or "sku". */
export function termQuery(term, mode) {
  const { word, stem: s } = term;
  return (query) => {
    if (mode === "loose") {
      if (s.length >= 5) query.term(s, { usePipeline: false, editDistance: 2 });
      if (s.length >= LOOSE_PREFIX) {
        query.term(s.slice(0, 3), { usePipeline: false, wildcard: PREFIX });
      }
    } else if (mode === "typo") {
      query.term(s, { usePipeline: false, editDistance: TYPO.edit_distance });
    } else if (mode === "sku") {
      query.term(word, { usePipeline: false, fields: ["sku"], boost: TERM_BOOST.exact });
      query.term(word, { usePipeline: false, fields: ["sku"], wildcard: PREFIX });
    } else {
      query.term(s, { usePipeline: false, boost: TERM_BOOST.exact });
      if (word.length >= 2) {
        query.term(word, { usePipeline: false, wildcard: PREFIX, boost: TERM_BOOST.prefix });
      }
    }
  };
}

function queryWords(q) {
  const all = dropSizeCue(words(q).map((w) => w.replace(/\*/g, "")).filter(Boolean));
  const content = all.filter((w) => lunr.stopWordFilter(w) !== undefined);
  return content.length ? content : all;
}

/** Wrap an index (a ShardIndex, or lunr's serialised whole index): search(q) → {refs:
 * Int32Array best first, nameTerms, loose, suggestion} (over shards: see searchShards). */
export function createEngine(indexJson) {
  const idx = indexJson instanceof ShardIndex ? indexJson : lunr.Index.load(indexJson);
  const rules = (indexJson instanceof ShardIndex ? idx.shopgen : indexJson.shopgen) || {};
  const stem = stemmerFor(rules.stemmer);
  const plan = { synonyms: rules.synonyms || [], modifierSet: new Set(rules.modifiers || []) };
  const outOfStock = new Set(rules.out_of_stock || []);
  const match = idx instanceof ShardIndex ? (fn, withTerms) => idx.match(fn, withTerms)
    : (fn) => lunrMatch(idx, fn);
  const bit = (field) => (idx.fields.includes(field) ? 1 << idx.fields.indexOf(field) : 0);
  const NAME = bit("name");
  const DESCRIPTION = bit("description");

  // A loose match's words are not asked for (only its score counts).
  const run = (term, mode) => match(termQuery(term, mode), mode !== "loose");

  // Each word's hits, kept across searches: a keystroke changes the last word only, the other
  // words are answered from here (as is a word again after Backspace). Kept only when the
  // index lacked nothing for it (a shard still to fetch makes an answer incomplete).
  const termCache = new Map();
  function termHits(term, loose) {
    const key = `${loose ? "~" : "="}${term.word}\u0000${term.stem}`;
    let hits = termCache.get(key);
    if (hits === undefined) {
      hits = findTermHits(term, loose);
      if (!idx.lacking) {
        termCache.set(key, hits);
        if (termCache.size > TERM_CACHE) termCache.delete(termCache.keys().next().value);
      }
    }
    return hits;
  }

  function findTermHits(term, loose) {
    const hits = new Map();
    // Typos are looked for only when the word matches nothing as typed: the edit-distance
    // expansion is the costliest part of a query (10,000 products: most of a keystroke).
    let results = run(term, loose ? "loose" : "exact");
    if (!loose && !results.length && term.stem.length >= TYPO.min_length
        && /\p{L}/u.test(term.stem)) {
      results = run(term, "typo");
    }
    for (const r of results) {
      const name = [];
      let bonus = 0;
      let strong = false;
      let whole = false;
      const terms = r.terms || [];
      for (let k = 0; k < terms.length; k += 2) {
        const t = terms[k];
        const fields = terms[k + 1];
        strong ||= (fields & ~DESCRIPTION) !== 0;
        whole ||= t === term.stem;
        if (!(fields & NAME)) continue;
        name.push(t);
        const kind = t === term.stem ? "exact" : t.startsWith(term.word) ? "prefix" : "fuzzy";
        bonus = Math.max(bonus, loose ? 0 : NAME_BONUS[kind]);
      }
      hits.set(r.ref, { score: r.score + bonus, name, strong, whole });
    }
    return hits;
  }

  // A unit's hits: any alternative, each alternative's words all (a synonym weighs less).
  function unitHits(unit) {
    const merged = new Map();
    for (const alt of unit.alts) {
      const per = alt.terms.map((t) => termHits(t, false));
      for (const [ref, first] of per[0]) {
        let score = first.score;
        const name = [...first.name];
        let { strong, whole } = first;
        let all = true;
        for (let j = 1; j < per.length && all; j++) {
          const hit = per[j].get(ref);
          if (hit) {
            score += hit.score;
            name.push(...hit.name);
            strong &&= hit.strong;
            whole &&= hit.whole;
          } else all = false;
        }
        if (!all) continue;
        score *= alt.weight;
        const had = merged.get(ref);
        if (had) {
          strong ||= had.strong;
          whole ||= had.whole;
        }
        if (!had || had.score < score) merged.set(ref, { score, name, strong, whole });
        else Object.assign(had, { strong, whole });
      }
    }
    return merged;
  }

  // A code read aloud: its products first (the whole code, then codes it begins).
  function skuRefs(code) {
    const exact = [];
    const prefix = [];
    const s = stem(code);
    // Best first, as lunr orders them (a stable sort: ties stay in the order they were met).
    for (const r of run({ word: s, stem: s }, "sku").sort((a, b) => b.score - a.score)) {
      (r.terms.includes(s) ? exact : prefix).push(r.ref);
    }
    return [...exact, ...prefix.sort((a, b) => a - b)];
  }

  function search(q) {
    const ws = queryWords(q);
    const none = { refs: new Int32Array(0), nameTerms: [], loose: null, words: ws,
      suggestion: null };
    if (!ws.length) return none;
    const units = planQuery(ws, plan, stem, ranking.synonym_weight);
    const perUnit = units.map(unitHits);
    // A code read aloud: its products first, and no partial matches ("nw 1060" must not list
    // every product whose code starts "nw").
    const code = skuCode(ws);
    const coded = code ? skuRefs(code) : [];
    const refs = firstThese(coded, combine(perUnit, units, outOfStock, rules.stemmer === "en",
      !coded.length));
    const nameTerms = new Set();
    for (const hits of perUnit) for (const hit of hits.values()) hit.name.forEach((t) => nameTerms.add(t));
    let loose = null;
    let suggestion = null;
    if (!refs.length) {
      loose = Int32Array.from(looseRefs(units.map((u) => termHits(u.alts[0].terms[0], true)),
        outOfStock, LOOSE));
      suggestion = didYouMean(ws, units, perUnit);
    }
    return { refs: Int32Array.from(refs), nameTerms: [...nameTerms].sort(), loose, words: ws,
      suggestion };
  }

  // The query with each word that found nothing replaced by the index's most common word
  // within two edits of it (null when no word can be replaced).
  function didYouMean(ws, units, perUnit) {
    let changed = false;
    const out = [];
    units.forEach((unit, k) => {
      const own = unit.alts[0].terms;
      if (perUnit[k].size || own.length !== 1) {
        out.push(...own.map((t) => t.word));
        return;
      }
      const best = closestTerm(own[0].stem);
      if (best) changed = true;
      out.push(best ? (rules.words || {})[best] || best : own[0].word); // stem → a word
    });
    return changed ? out.join(" ") : null;
  }

  function closestTerm(s) {
    if (s.length < 3) return null;
    const near = idx.tokenSet.intersect(lunr.TokenSet.fromFuzzyString(s, 2)).toArray();
    const postings = idx.postings ? idx.postings(near) : near.map((t) => idx.invertedIndex[t]);
    if (!postings) return null; // shards still to fetch (searchShards runs it again)
    let best = null;
    let bestCount = 0;
    for (const [k, term] of near.entries()) {
      const posting = postings[k];
      let count = 0;
      for (const field of ["name", "tags"]) count += Object.keys(posting[field] || {}).length;
      if (count > bestCount || (count === bestCount && best !== null && term < best)) {
        best = term;
        bestCount = count;
      }
    }
    return best;
  }

  return { search, stemmer: rules.stemmer || "" };
}

/** lunr.js's own query over a whole index (tests and benchmarks), in ShardIndex.match's form:
 * {ref, score, terms: [term, field bits, …]} per product. */
export function lunrMatch(idx, fn) {
  // A query without a clause asks nothing, as over shards (lunr reads it as every product).
  const query = new lunr.Query(idx.fields);
  fn.call(query, query);
  if (!query.clauses.length) return [];
  return idx.query(fn).map((r) => ({
    ref: Number(r.ref),
    score: r.score,
    terms: Object.entries(r.matchData.metadata).flatMap(([t, fields]) => [t,
      Object.keys(fields).reduce((bits, f) => bits | (1 << idx.fields.indexOf(f)), 0)]),
  }));
}

/** `first`, then the rest of `refs` without them. */
function firstThese(first, refs) {
  if (!first.length) return refs;
  const seen = new Set(first);
  return [...first, ...refs.filter((r) => !seen.has(r))];
}

async function fetchJson(url) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return response.json();
}

/** The engine over the sharded index whose meta file is at `url`: {search(q) → a Promise of
 * the answer, now(q) → the answer if its shards are loaded, else null (shards.js
 * searchLoaded), stemmer}. */
export async function loadIndex(url) {
  const index = await loadShardIndex(url, fetchJson);
  const engine = createEngine(index);
  return { search: (q) => searchShards(engine, index, q),
    now: (q) => searchLoaded(engine, index, q), stemmer: engine.stemmer };
}

// Inside a Worker: load the index's meta file, then answer searches (each fetches the shards
// of its words).
if (typeof WorkerGlobalScope !== "undefined" && self instanceof WorkerGlobalScope) {
  let engine = null;
  self.onmessage = async (event) => {
    const msg = event.data;
    if (msg.type === "load") {
      try {
        const started = performance.now();
        engine = await loadIndex(msg.url);
        self.postMessage({ type: "ready", ms: performance.now() - started,
          stemmer: engine.stemmer });
      } catch (error) {
        self.postMessage({ type: "failed", error: String(error) });
      }
    } else if (msg.type === "search" && engine) {
      let result;
      try {
        result = await engine.search(msg.q);
      } catch (error) {
        self.postMessage({ type: "result", id: msg.id, error: String(error) });
        return;
      }
      self.postMessage({ type: "result", id: msg.id, ...result },
        [result.refs.buffer, ...(result.loose ? [result.loose.buffer] : [])]);
    }
  };
}
