// Search lives in one folder, shopgen/search/: index.py builds the lunr index (documents,
// tokens, synonyms), ranking.json holds what both sides rank by (the index's field boosts,
// and the query's term boosts, name bonus and typo rule, read here), and js/ is the browser's
// side: text.js folds text as the index does, searcher.js loads this engine for the page.
//
// The search engine over the prebuilt lunr index. Loaded lazily (dynamic import), and run in
// a module Worker when the browser allows it, so that parsing a large index never blocks the
// page; the same code runs on the main thread as the fallback.
//
// A query is folded like the index, split into words, stop words dropped (unless that leaves
// nothing). Each word matches exactly (best) or as a prefix (while typing); a word of 4+
// letters that matches nothing so is looked up within one edit (typos: ranking.json "typo"). Words AND together;
// if that finds nothing, they OR. Products whose NAME matches rank above those matched only
// elsewhere.

import lunr from "lunr";
import ranking from "../ranking.json" with { type: "json" };
import { words } from "./text.js";

/** This module's own URL, so the page can start it as a Worker. */
export const workerUrl = import.meta.url;

const PREFIX = lunr.Query.wildcard.TRAILING;
// A word typed whole outweighs the same letters as the start of a longer word.
const TERM_BOOST = ranking.term_boost;
// Added to lunr's score when the word matches in the product's NAME: exactly, as a prefix,
// or only within one edit ("jack" finding "Pack" must not beat "Jacket").
const NAME_BONUS = ranking.name_bonus;
const TYPO = ranking.typo;

function queryWords(q) {
  const all = words(q).map((w) => w.replace(/\*/g, "")).filter(Boolean);
  const content = all.filter((w) => lunr.stopWordFilter(w) !== undefined);
  return content.length ? content : all;
}

/** Wrap a loaded index: search(q) → {refs: Int32Array best first, nameTerms, loose}. */
export function createEngine(indexJson) {
  const idx = lunr.Index.load(indexJson);

  function run(word, mode) {
    return idx.query((query) => {
      if (mode === "loose") {
        if (word.length >= 5) query.term(word, { usePipeline: false, editDistance: 2 });
        query.term(word.slice(0, 3), { usePipeline: false, wildcard: PREFIX });
      } else if (mode === "typo") {
        query.term(word, { usePipeline: false, editDistance: TYPO.edit_distance });
      } else {
        query.term(word, { usePipeline: false, boost: TERM_BOOST.exact });
        if (word.length >= 2) {
          query.term(word, { usePipeline: false, wildcard: PREFIX, boost: TERM_BOOST.prefix });
        }
      }
    });
  }

  function termHits(word, loose) {
    const hits = new Map();
    // Typos are looked for only when the word matches nothing as typed: the edit-distance
    // expansion is the costliest part of a query (10,000 products: most of a keystroke).
    let results = run(word, loose ? "loose" : "exact");
    if (!loose && !results.length && word.length >= TYPO.min_length && /\p{L}/u.test(word)) {
      results = run(word, "typo");
    }
    for (const r of results) {
      const name = [];
      let bonus = 0;
      for (const [term, fields] of Object.entries(r.matchData.metadata)) {
        if (!fields.name) continue;
        name.push(term);
        const kind = term === word ? "exact" : term.startsWith(word) ? "prefix" : "fuzzy";
        bonus = Math.max(bonus, loose ? 0 : NAME_BONUS[kind]);
      }
      hits.set(Number(r.ref), { score: r.score + bonus, name });
    }
    return hits;
  }

  function search(q) {
    const ws = queryWords(q);
    if (!ws.length) return { refs: new Int32Array(0), nameTerms: [], loose: null, words: ws };
    const perWord = ws.map((w) => termHits(w, false));
    let refs = combine(perWord, true);
    if (!refs.length && ws.length > 1) refs = combine(perWord, false);
    const nameTerms = new Set();
    for (const hits of perWord) for (const hit of hits.values()) hit.name.forEach((t) => nameTerms.add(t));
    let loose = null;
    if (!refs.length) loose = combine(ws.map((w) => termHits(w, true)), false).slice(0, 6);
    return { refs, nameTerms: [...nameTerms], loose, words: ws };
  }

  return { search };
}

/** The refs hit by every word (`all`) or by any, best first. */
function combine(perWord, all) {
  const scores = new Map();
  const counts = new Map();
  for (const hits of perWord) {
    for (const [ref, hit] of hits) {
      scores.set(ref, (scores.get(ref) || 0) + hit.score);
      counts.set(ref, (counts.get(ref) || 0) + 1);
    }
  }
  const refs = [];
  for (const [ref, c] of counts) if (!all || c === perWord.length) refs.push(ref);
  // OR: products matching more of the words first.
  refs.sort((a, b) => counts.get(b) - counts.get(a) || scores.get(b) - scores.get(a) || a - b);
  return Int32Array.from(refs);
}

// Inside a Worker: load the index, then answer searches.
if (typeof WorkerGlobalScope !== "undefined" && self instanceof WorkerGlobalScope) {
  let engine = null;
  self.onmessage = async (event) => {
    const msg = event.data;
    if (msg.type === "load") {
      try {
        const started = performance.now();
        const response = await fetch(msg.url);
        if (!response.ok) throw new Error(`${msg.url}: HTTP ${response.status}`);
        engine = createEngine(await response.json());
        self.postMessage({ type: "ready", ms: performance.now() - started });
      } catch (error) {
        self.postMessage({ type: "failed", error: String(error) });
      }
    } else if (msg.type === "search" && engine) {
      const result = engine.search(msg.q);
      self.postMessage({ type: "result", id: msg.id, ...result },
        [result.refs.buffer, ...(result.loose ? [result.loose.buffer] : [])]);
    }
  };
}
