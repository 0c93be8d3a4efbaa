// Results and faceted counts for a state.
// A value's count is the number of products that match the search, every OTHER facet and
// this value (values within a facet OR, facets AND). Ranges and "In stock only" filter
// everything, including the counts.

import { sortOrder } from "./model.js";

/**
 * Results for successive states of one page. Facet clicks are the common change: when only
 * facet selections changed since the last call (same search, stock and ranges), the counts
 * are updated from the products that carry the values whose choice changed (their postings),
 * not recounted over the catalog; anything else counts everything again.
 * @returns (state, hits) => {list: Int32Array, total, counts: Map<string, Int32Array>, counted}
 *   hits: null when not searching, else {order: Int32Array (best first), mask: Uint8Array};
 *   counted: "all" or "changed" (how the counts were made, for tests and benchmarks).
 */
export function createFilter(model) {
  let last = null;
  return function results(state, hits) {
    const base = baseKey(state);
    let counted = "changed";
    if (!last || last.hits !== hits || last.base !== base || !updateSelections(model, last, state)) {
      last = countAll(model, state, hits, base);
      counted = "all";
    }
    const counts = new Map();
    for (const entry of last.facets) counts.set(entry.facet.id, entry.counts.slice());
    return { list: listOf(model, last, state, hits), total: last.total, counts, counted };
  };
}

/** One state's results, counted over every product (as createFilter's first call). */
export function computeResults(model, state, hits) {
  return createFilter(model)(state, hits);
}

// What every product is measured against besides the facets: stock and ranges (the search's
// hits are compared by identity).
function baseKey(state) {
  return JSON.stringify([state.stock, state.range]);
}

/**
 * The per-product state the counts are made from: ok[p] (passes search, stock, ranges),
 * pass[f][p] (passes facet f's choice; 1 when nothing is chosen there), fails[p] (facets it
 * fails); pass and fails are kept for the ok products only. A product that passes everything counts for every facet; one that fails a single
 * facet counts for that facet only (a value's count ignores its own facet's choice).
 */
function countAll(model, state, hits, base) {
  const { n } = model;
  const facets = [];
  for (const facet of model.facets) {
    if (facet.kind === "number") continue;
    const chosen = state.sel[facet.id];
    facets.push({
      facet, chosen: chosenKey(chosen), mask: chosen && chosen.length ? selectionMask(facet, chosen) : null,
      counts: new Int32Array(facet.values.length), pass: new Uint8Array(n).fill(1), postings: null,
    });
  }
  const ranges = rangeChecks(model, state);
  const searched = hits ? hits.mask : null;
  const ok = new Uint8Array(n);
  const fails = new Uint8Array(n);
  const st = { hits, base, facets, ok, fails, total: 0 };
  // Searching: only the search's hits can match (a few hundred of 10,000, as a rule).
  const candidates = hits ? hits.order : null;
  const count = candidates ? candidates.length : n;
  for (let k = 0; k < count; k++) {
    const p = candidates ? candidates[k] : k;
    if (ok[p] || (searched && !searched[p])) continue; // (ok already: a repeated hit)
    if (state.stock && !model.stock[p]) continue;
    let inRange = true;
    for (let r = 0; r < ranges.length; r++) {
      const v = ranges[r].value[p];
      if (!(v >= ranges[r].min && v <= ranges[r].max)) { inRange = false; break; }
    }
    if (!inRange) continue;
    ok[p] = 1;
    let failed = 0;
    for (const entry of facets) {
      if (entry.mask && !passes(entry.facet, entry.mask, p)) {
        entry.pass[p] = 0;
        failed++;
      }
    }
    fails[p] = failed;
    contribute(st, p, 1);
  }
  return st;
}

/** Bring `st` to the state's facet choices by the products whose values changed; false when
 * that would touch more than half of the catalog (counting everything is as quick then). */
function updateSelections(model, st, state) {
  const changes = [];
  let touched = 0;
  for (const entry of st.facets) {
    const chosen = state.sel[entry.facet.id];
    const key = chosenKey(chosen);
    if (key === entry.chosen) continue;
    const mask = chosen && chosen.length ? selectionMask(entry.facet, chosen) : null;
    // Choosing the first value of a facet (or the last one off) changes every product
    // without it: no shortcut.
    if (!mask || !entry.mask) return false;
    const values = [];
    for (let v = 0; v < mask.length; v++) if (mask[v] !== entry.mask[v]) values.push(v);
    const postings = postingsOf(entry);
    for (const v of values) touched += postings.start[v + 1] - postings.start[v];
    changes.push({ entry, key, mask, values });
  }
  if (touched > model.n / 2) return false;
  for (const { entry, key, mask, values } of changes) {
    const { start, products } = postingsOf(entry);
    for (const v of values) {
      for (let k = start[v]; k < start[v + 1]; k++) {
        const p = products[k];
        if (!st.ok[p]) continue; // never counted: its bits are not kept
        const now = passes(entry.facet, mask, p) ? 1 : 0;
        if (now === entry.pass[p]) continue; // seen already under another changed value
        contribute(st, p, -1);
        entry.pass[p] = now;
        st.fails[p] += now ? -1 : 1;
        contribute(st, p, 1);
      }
    }
    entry.chosen = key;
    entry.mask = mask;
  }
  return true;
}

/** Add (sign 1) or remove (-1) product p's part of the counts and the total. */
function contribute(st, p, sign) {
  if (!st.ok[p]) return;
  const failed = st.fails[p];
  if (failed === 0) {
    st.total += sign;
    for (const entry of st.facets) add(entry, p, sign);
  } else if (failed === 1) {
    for (const entry of st.facets) {
      if (!entry.pass[p]) { add(entry, p, sign); break; }
    }
  }
}

/** The matches in the state's order (relevance: the search's). */
function listOf(model, st, state, hits) {
  const order = hits && state.sort === "relevance" ? hits.order : sortOrder(model, state.sort);
  const { ok, fails } = st;
  const list = new Int32Array(st.total);
  let j = 0;
  for (let k = 0; k < order.length && j < st.total; k++) {
    const p = order[k];
    if (ok[p] && fails[p] === 0) list[j++] = p;
  }
  return list;
}

function chosenKey(chosen) {
  return chosen && chosen.length ? [...chosen].sort().join("\u0000") : "";
}

/** Each value's products ({start, products}: value v's are products[start[v]..start[v+1]]);
 * a category's are the products filed directly under it. Made on first use. */
function postingsOf(entry) {
  if (entry.postings) return entry.postings;
  const { facet } = entry;
  const start = new Int32Array(facet.values.length + 1);
  const each = (fn) => {
    const n = facet.kind === "tree" ? facet.of.length : facet.offsets.length - 1;
    for (let p = 0; p < n; p++) {
      if (facet.kind === "tree") {
        if (facet.of[p] >= 0) fn(facet.of[p], p);
      } else {
        for (let k = facet.offsets[p]; k < facet.offsets[p + 1]; k++) fn(facet.vals[k], p);
      }
    }
  };
  each((v) => { start[v + 1]++; });
  for (let v = 0; v < facet.values.length; v++) start[v + 1] += start[v];
  const products = new Int32Array(start[facet.values.length]);
  const next = start.slice(0, facet.values.length);
  each((v, p) => { products[next[v]++] = p; });
  entry.postings = { start, products };
  return entry.postings;
}

function selectionMask(facet, chosen) {
  const mask = new Uint8Array(facet.values.length);
  for (const id of chosen) {
    const v = facet.index.get(id);
    if (v !== undefined) mask[v] = 1;
  }
  if (facet.kind === "tree") {
    // A category passes when it or any category above it is chosen.
    const expanded = new Uint8Array(mask.length);
    facet.ancestors.forEach((chain, v) => {
      for (const a of chain) if (mask[a]) { expanded[v] = 1; break; }
    });
    return expanded;
  }
  return mask;
}

function passes(facet, mask, p) {
  if (facet.kind === "tree") return facet.of[p] >= 0 && mask[facet.of[p]] === 1;
  for (let k = facet.offsets[p], end = facet.offsets[p + 1]; k < end; k++) {
    if (mask[facet.vals[k]]) return true;
  }
  return false;
}

function add(entry, p, sign) {
  const { facet, counts } = entry;
  if (facet.kind === "tree") {
    if (facet.of[p] < 0) return;
    const chain = facet.ancestors[facet.of[p]];
    for (let k = 0; k < chain.length; k++) counts[chain[k]] += sign;
    return;
  }
  for (let k = facet.offsets[p], end = facet.offsets[p + 1]; k < end; k++) {
    counts[facet.vals[k]] += sign;
  }
}

function rangeChecks(model, state) {
  const checks = [];
  for (const [id, r] of Object.entries(state.range)) {
    const facet = id === "price" ? null : model.facets.find((f) => f.id === id);
    if (id !== "price" && !(facet && facet.kind === "number")) continue;
    const scale = id === "price" ? model.scale : 1;
    checks.push({
      value: id === "price" ? model.price : facet.value,
      min: r.min === null ? -Infinity : Math.round(r.min * scale * 1e6) / 1e6,
      max: r.max === null ? Infinity : Math.round(r.max * scale * 1e6) / 1e6,
    });
  }
  return checks;
}
