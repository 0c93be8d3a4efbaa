// The index in shards by term (shopgen/search/pieces.py), searched as lunr.js searches the
// whole index: `match` below is lunr.Index.prototype.query (lunr 2.3.9) for the optional
// clauses search.js asks, with lunr's own Query and TokenSet and its Vector arithmetic done
// in plain arrays (a keystroke meets thousands of products: lunr's MatchData and Vector
// objects made it most of the search), postings and field-vector weights read from the
// shards. A product's score is
// Σ_field (query vector · field vector) / |query vector|: the query vector holds every term a
// clause expands to (the shards of a prefix, or the dictionary for typos, list them), and the
// field vector's entries for those terms travel with their postings. So answers are the whole
// index's, in the same order, to the last bit of the scores.
//
// Searching is synchronous (search.js stays as it is): a search is run, the shards it lacked
// are noted (`pass`), fetched, and the search run again until nothing is missing.

import lunr from "lunr";

const MAX_ROUNDS = 12;

/** The index's meta file at `url` (its shards are fetched on demand, beside it). */
export async function loadShardIndex(url, fetchJson) {
  return new ShardIndex(await fetchJson(url), (file) => fetchJson(new URL(file, url).href));
}

/** `engine.search(q)` over `index`, fetching the shards it needs first. */
export function searchShards(engine, index, q) {
  return withShards(index, () => engine.search(q), q);
}

/** `engine.search(q)` over `index` now, if the shards it needs are loaded; else null, and the
 * shards it lacked are fetched for a later call (the dictionary is not: a typo's search is
 * left to the caller's other means). */
export function searchLoaded(engine, index, q) {
  index.pass = { shards: new Set(), dictionary: false };
  const result = engine.search(q);
  const need = index.pass;
  index.pass = null;
  if (!need.shards.size && !need.dictionary) return result;
  if (need.shards.size) index.fetch({ shards: need.shards }).catch(() => {});
  return null;
}

/** `run()`'s answer (a search over `index`) once it lacks nothing: run, fetch what it
 * lacked, run again. */
export async function withShards(index, run, what = "a search") {
  for (let round = 0; round < MAX_ROUNDS; round++) {
    index.pass = { shards: new Set(), dictionary: false };
    const result = run();
    const need = index.pass;
    index.pass = null;
    if (!need.shards.size && !need.dictionary) return result;
    await index.fetch(need);
  }
  throw new Error(`search index: ${what} still needs shards after ${MAX_ROUNDS} rounds`);
}

export class ShardIndex {
  constructor(meta, fetchFile) {
    this.fields = meta.fields;
    this.fieldNumber = new Map(this.fields.map((f, k) => [f, k]));
    this.slots = []; // doc → its hit while a query is scored (match)
    this.shopgen = meta.shopgen || {};
    this.starts = meta.shards.map(([first]) => first);
    // The terms of one character (null from an older build: then a letter's shard tells).
    this.letters = meta.letters ? new Set(meta.letters) : null;
    this.files = meta.shards.map(([, file]) => file);
    this.dictionaryFile = meta.terms;
    this.fetchFile = fetchFile;
    this.loaded = new Map(); // shard number → Map(term → posting)
    this.fetching = new Map();
    this.tokenSets = new Map(); // "lo-hi" → the TokenSet of those shards' terms
    this.dictionary = null; // the TokenSet of every term (typos)
    this.pass = null; // what the running search lacked: {shards, dictionary}
  }

  /** Whether the running search has lacked a shard or the dictionary so far. */
  get lacking() {
    return Boolean(this.pass && (this.pass.shards.size || this.pass.dictionary));
  }

  /** Fetch the shards (and the dictionary) a search lacked. */
  async fetch(need) {
    const jobs = [...need.shards].map((s) => this.shard(s));
    if (need.dictionary && !this.dictionary) {
      jobs.push(this.fetchFile(this.dictionaryFile).then((d) => {
        this.dictionary = lunr.TokenSet.fromArray(d.terms);
        this.shopgen.words = d.words; // readable forms of stems ("Did you mean")
      }));
    }
    await Promise.all(jobs);
  }

  shard(s) {
    if (!this.fetching.has(s)) {
      const job = this.fetchFile(this.files[s]).then((data) => {
        this.loaded.set(s, decodeShard(data, this.fields));
      });
      job.catch(() => this.fetching.delete(s)); // tried again with the next search
      this.fetching.set(s, job);
    }
    return this.fetching.get(s);
  }

  /** Every term within the TokenSet query (lunr's typo search): needs the dictionary. */
  get tokenSet() {
    if (this.dictionary) return this.dictionary;
    this.need({ dictionary: true });
    return new lunr.TokenSet();
  }

  /** lunr's postings ({field: {ref: {}}}) of `terms`, null while a shard is missing. */
  postings(terms) {
    const shards = terms.map((t) => this.shardOf(t));
    if (!this.have(shards)) return null;
    return terms.map((t, k) => {
      const posting = this.loaded.get(shards[k]).get(t);
      return Object.fromEntries(this.fields.map((f) => [f,
        Object.fromEntries(Array.from(posting.docs[f], (d) => [d, {}]))]));
    });
  }

  // The shard that holds `term` if it exists (-1: before the first term).
  shardOf(term) {
    let lo = 0;
    let hi = this.starts.length - 1;
    if (hi < 0 || term < this.starts[0]) return -1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid] <= term) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  // [first, last] shard that may hold `term` (every term it begins, for a prefix).
  range(term, prefix) {
    const first = this.shardOf(term);
    if (first < 0 && !prefix) return null;
    let last = Math.max(first, 0);
    while (prefix && last + 1 < this.starts.length && this.starts[last + 1].startsWith(term)) last++;
    return [Math.max(first, 0), last];
  }

  // Whether every shard is loaded; notes those that are not. A typo's look-ups are noted only
  // when the search has lacked nothing else so far (what it lacked may be why it found none).
  have(shards, fuzzy = false) {
    const missing = shards.filter((s) => s >= 0 && !this.loaded.has(s));
    if (missing.length) this.need({ shards: missing }, fuzzy);
    return !missing.length;
  }

  need({ shards = [], dictionary = false }, fuzzy = true) {
    const pass = this.pass;
    if (!pass || (fuzzy && (pass.shards.size || pass.dictionary))) return;
    shards.forEach((s) => pass.shards.add(s));
    pass.dictionary ||= dictionary;
  }

  // The terms a clause expands to, in lunr's order; null while shards are missing.
  expand(clause) {
    const wanted = lunr.TokenSet.fromClause(clause);
    if ("editDistance" in clause) {
      if (this.lacking) return null;
      if (!this.dictionary) {
        this.need({ dictionary: true });
        return null;
      }
      const terms = this.dictionary.intersect(wanted).toArray();
      return this.have(terms.map((t) => this.shardOf(t)), true) ? terms : null;
    }
    const star = clause.term.indexOf("*");
    // A letter that is no term (a word's first, as typed) needs no shard to find nothing.
    if (star < 0 && clause.term.length === 1 && this.letters && !this.letters.has(clause.term)) {
      return [];
    }
    const range = this.range(star < 0 ? clause.term : clause.term.slice(0, star), star >= 0);
    if (!range) return [];
    const shards = [];
    for (let s = range[0]; s <= range[1]; s++) shards.push(s);
    if (!this.have(shards)) return null;
    return this.tokenSetOf(range).intersect(wanted).toArray();
  }

  tokenSetOf([first, last]) {
    const key = `${first}-${last}`;
    let set = this.tokenSets.get(key);
    if (!set) {
      const terms = [];
      for (let s = first; s <= last; s++) terms.push(...this.loaded.get(s).keys());
      set = lunr.TokenSet.fromArray(terms);
      if (this.tokenSets.size > 200) this.tokenSets.clear();
      this.tokenSets.set(key, set);
    }
    return set;
  }

  posting(term) {
    return this.loaded.get(this.shardOf(term)).get(term);
  }

  /** lunr.Index.prototype.query for optional clauses, over the shards: the products it
   * finds, each {ref (a number), score (lunr's, to the last bit), terms: [term, bits of the
   * fields (this.fields order) it matched in, …] (null unless `withTerms`)}, in the order
   * lunr first meets them (not sorted by score). */
  match(fn, withTerms = true) {
    const query = new lunr.Query(this.fields);
    fn.call(query, query);
    // A typo search ("loose" too) while the search lacks shards: it may have found nothing
    // only for want of them, so none of its look-ups are noted yet.
    if (this.lacking && query.clauses.some((clause) => "editDistance" in clause)) return [];
    const expanded = query.clauses.map((clause) => {
      if (clause.presence !== lunr.Query.presence.OPTIONAL || clause.usePipeline) {
        throw new Error("search index: only optional clauses without a pipeline are supported");
      }
      return this.expand(clause);
    });
    if (expanded.includes(null)) return [];
    return scoreClauses(this, query.clauses, expanded, withTerms);
  }
}

// lunr's arithmetic without its objects (a keystroke's query meets thousands of products):
// a field's query vector holds each expanded term's summed boosts; a product's score is
// Σ_field (query vector · its weights of the matched terms, by term index) / |query vector|,
// the fields summed in the order lunr first meets them, so every bit is lunr's.
function scoreClauses(index, clauses, expanded, withTerms) {
  const nf = index.fields.length;
  const boosts = new Map(); // term index → Float64Array: Σ boost per field (the query vectors)
  const seen = new Map(); // term → bits of the fields whose postings were read
  const slots = index.slots; // doc → its hit, reset below
  const hits = [];
  clauses.forEach((clause, c) => {
    const fields = clause.fields.map((f) => index.fieldNumber.get(f));
    for (const term of expanded[c]) {
      const posting = index.posting(term);
      const at = posting.index;
      let vector = boosts.get(at);
      if (vector === undefined) {
        vector = new Float64Array(nf).fill(NaN); // NaN: no entry yet
        boosts.set(at, vector);
      }
      let done = seen.get(term) || 0;
      for (let j = 0; j < fields.length; j++) {
        const f = fields[j];
        vector[f] = Number.isNaN(vector[f]) ? clause.boost : vector[f] + clause.boost;
        const bit = 1 << f;
        if (done & bit) continue;
        done |= bit;
        const docs = posting.docs[clause.fields[j]];
        const weights = posting.weights[clause.fields[j]];
        for (let k = 0; k < docs.length; k++) {
          let hit = slots[docs[k]];
          if (hit === undefined) {
            hit = { ref: docs[k], score: 0, terms: withTerms ? [] : null, parts: [] };
            slots[docs[k]] = hit;
            hits.push(hit);
          }
          addPart(hit.parts, f, at, weights[k]);
          if (withTerms) addBits(hit.terms, term, bit);
        }
      }
      seen.set(term, done);
    }
  });
  const entries = [...boosts.entries()].sort((a, b) => a[0] - b[0]);
  const magnitudes = new Float64Array(nf);
  for (let f = 0; f < nf; f++) {
    let sum = 0;
    for (const [, vector] of entries) if (!Number.isNaN(vector[f])) sum += vector[f] * vector[f];
    magnitudes[f] = Math.sqrt(sum);
  }
  for (const hit of hits) {
    slots[hit.ref] = undefined;
    for (const part of hit.parts) {
      const f = part[0];
      if (part.length > 3) sortPairs(part);
      let dot = 0;
      for (let k = 1; k < part.length; k += 2) dot += boosts.get(part[k])[f] * part[k + 1];
      hit.score += dot / magnitudes[f] || 0;
    }
    hit.parts = null;
  }
  return hits;
}

// A hit's parts: [field, index, weight, index, weight…] per field, in the order first met.
function addPart(parts, f, at, weight) {
  for (let p = 0; p < parts.length; p++) {
    if (parts[p][0] === f) {
      parts[p].push(at, weight);
      return;
    }
  }
  parts.push([f, at, weight]);
}

// A hit's terms: [term, field bits, term, field bits…].
function addBits(terms, term, bit) {
  for (let k = 0; k < terms.length; k += 2) {
    if (terms[k] === term) {
      terms[k + 1] |= bit;
      return;
    }
  }
  terms.push(term, bit);
}

// [field, index, weight, index, weight…] → the pairs in index order (a few: insertion sort).
function sortPairs(part) {
  for (let k = 3; k < part.length; k += 2) {
    const at = part[k];
    const w = part[k + 1];
    let j = k - 2;
    while (j >= 1 && part[j] > at) {
      part[j + 2] = part[j];
      part[j + 3] = part[j + 1];
      j -= 2;
    }
    part[j + 2] = at;
    part[j + 3] = w;
  }
}

// A shard's terms → {index, docs: {field: Int32Array}, weights: {field: Float64Array}}.
function decodeShard(data, fields) {
  const terms = new Map();
  data.terms.forEach((term, t) => {
    const docs = {};
    const weights = {};
    for (const field of fields) {
      const gaps = data.postings[field][t];
      const values = data.weights[field][t];
      const d = new Int32Array(gaps.length);
      const w = new Float64Array(gaps.length);
      let doc = 0;
      for (let k = 0; k < gaps.length; k++) {
        doc += gaps[k];
        d[k] = doc;
        w[k] = Number.isInteger(values[k]) ? values[k] / 1000 : values[k];
      }
      docs[field] = d;
      weights[field] = w;
    }
    terms.set(term, { index: data.index[t], docs, weights });
  });
  return terms;
}
