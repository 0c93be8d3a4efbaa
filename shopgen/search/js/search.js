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
// up within one edit (typos: ranking.json "typo"). Units AND together (products with more of
// the optional words first); if that finds nothing, they OR. Products whose NAME matches rank
// above those matched only elsewhere; a code read aloud ("nw 1001") puts its product first;
// in-stock products come before out-of-stock ones of (nearly) the same score.

import lunr from "lunr";
import ranking from "../ranking.json" with { type: "json" };
import { dropSizeCue, planQuery, skuCode } from "./query.js";
import { loadShardIndex, searchShards, ShardIndex } from "./shards.js";
import { stemmerFor } from "./stem.js";
import { words } from "./text.js";

const PREFIX = lunr.Query.wildcard.TRAILING;
// A word typed whole outweighs the same letters as the start of a longer word.
const TERM_BOOST = ranking.term_boost;
// Added to lunr's score when the word matches in the product's NAME: exactly, as a prefix,
// or only within one edit ("jack" finding "Pack" must not beat "Jacket").
const NAME_BONUS = ranking.name_bonus;
const TYPO = ranking.typo;
const TIE = Math.log(1.02); // scores within 2% are a tie (then in-stock first)

export { stemmerFor };

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

  function run(term, mode) {
    const { word, stem: s } = term;
    return idx.query((query) => {
      if (mode === "loose") {
        if (s.length >= 5) query.term(s, { usePipeline: false, editDistance: 2 });
        query.term(s.slice(0, 3), { usePipeline: false, wildcard: PREFIX });
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
    });
  }

  function termHits(term, loose) {
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
      for (const [t, fields] of Object.entries(r.matchData.metadata)) {
        if (!fields.name) continue;
        name.push(t);
        const kind = t === term.stem ? "exact" : t.startsWith(term.word) ? "prefix" : "fuzzy";
        bonus = Math.max(bonus, loose ? 0 : NAME_BONUS[kind]);
      }
      hits.set(Number(r.ref), { score: r.score + bonus, name });
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
        let all = true;
        for (let j = 1; j < per.length && all; j++) {
          const hit = per[j].get(ref);
          if (hit) {
            score += hit.score;
            name.push(...hit.name);
          } else all = false;
        }
        if (!all) continue;
        score *= alt.weight;
        const had = merged.get(ref);
        if (!had || had.score < score) merged.set(ref, { score, name });
      }
    }
    return merged;
  }

  // A code read aloud: its products first (the whole code, then codes it begins).
  function skuRefs(code) {
    const exact = [];
    const prefix = [];
    const s = stem(code);
    for (const r of run({ word: s, stem: s }, "sku")) {
      const whole = Object.keys(r.matchData.metadata).includes(s);
      (whole ? exact : prefix).push(Number(r.ref));
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
    let refs = combine(perUnit, units, true, outOfStock);
    if (!refs.length && units.length > 1) refs = combine(perUnit, units, false, outOfStock);
    const code = skuCode(ws);
    if (code) refs = firstThese(skuRefs(code), refs);
    const nameTerms = new Set();
    for (const hits of perUnit) for (const hit of hits.values()) hit.name.forEach((t) => nameTerms.add(t));
    let loose = null;
    let suggestion = null;
    if (!refs.length) {
      loose = Int32Array.from(combine(units.map((u) => termHits(u.alts[0].terms[0], true)),
        units.map(() => ({ optional: false })), false, outOfStock).slice(0, 6));
      suggestion = didYouMean(ws, units, perUnit);
    }
    return { refs: Int32Array.from(refs), nameTerms: [...nameTerms], loose, words: ws,
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

/** `first`, then the rest of `refs` without them. */
function firstThese(first, refs) {
  if (!first.length) return refs;
  const seen = new Set(first);
  return [...first, ...refs.filter((r) => !seen.has(r))];
}

/** The refs hit by every required unit (`all`; products with more optional units first) or
 * by any unit (more units first), then by score; in-stock first among equal scores. */
function combine(perUnit, units, all, outOfStock) {
  const scores = new Map();
  const required = new Map();
  const optional = new Map();
  const needed = units.filter((u) => !u.optional).length;
  perUnit.forEach((hits, k) => {
    const counts = units[k].optional ? optional : required;
    for (const [ref, hit] of hits) {
      scores.set(ref, (scores.get(ref) || 0) + hit.score);
      counts.set(ref, (counts.get(ref) || 0) + 1);
    }
  });
  const refs = [];
  for (const ref of scores.keys()) {
    if (!all || (required.get(ref) || 0) === needed) refs.push(ref);
  }
  const matched = (ref) => (all ? 0 : required.get(ref) || 0) + (optional.get(ref) || 0);
  const tier = (ref) => Math.floor(Math.log(Math.max(scores.get(ref), 1e-9)) / TIE);
  refs.sort((a, b) => matched(b) - matched(a) || tier(b) - tier(a)
    || outOfStock.has(a) - outOfStock.has(b) || scores.get(b) - scores.get(a) || a - b);
  return refs;
}

async function fetchJson(url) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return response.json();
}

/** The engine over the sharded index whose meta file is at `url`: {search(q) → a Promise of
 * the answer, stemmer}. */
export async function loadIndex(url) {
  const index = await loadShardIndex(url, fetchJson);
  const engine = createEngine(index);
  return { search: (q) => searchShards(engine, index, q), stemmer: engine.stemmer };
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
