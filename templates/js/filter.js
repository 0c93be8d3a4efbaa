// Results and faceted counts for a state, in one pass over the products.
// A value's count is the number of products that match the search, every OTHER facet and
// this value (values within a facet OR, facets AND). Ranges and "In stock only" filter
// everything, including the counts.

import { sortOrder } from "./model.js";

/**
 * @param model  from buildModel
 * @param state  from parseState
 * @param hits   null when not searching, else {order: Int32Array (best first), mask: Uint8Array}
 * @returns {{list: Int32Array, total: number, counts: Map<string, Int32Array>}}
 */
export function computeResults(model, state, hits) {
  const { n, facets } = model;
  const checks = [];
  const counted = [];
  const counts = new Map();
  for (const facet of facets) {
    if (facet.kind === "number") continue;
    const c = new Int32Array(facet.values.length);
    counts.set(facet.id, c);
    const entry = { facet, counts: c, mask: null };
    counted.push(entry);
    const chosen = state.sel[facet.id];
    if (chosen && chosen.length) {
      entry.mask = selectionMask(facet, chosen);
      checks.push(entry);
    }
  }
  const ranges = rangeChecks(model, state);
  const matched = new Uint8Array(n);
  const mask = hits ? hits.mask : null;
  let total = 0;
  for (let p = 0; p < n; p++) {
    if (mask && !mask[p]) continue;
    if (state.stock && !model.stock[p]) continue;
    let ok = true;
    for (let r = 0; r < ranges.length; r++) {
      const v = ranges[r].value[p];
      if (!(v >= ranges[r].min && v <= ranges[r].max)) { ok = false; break; }
    }
    if (!ok) continue;
    let failed = null;
    let fails = 0;
    for (let k = 0; k < checks.length; k++) {
      if (!passes(checks[k], p)) {
        failed = checks[k];
        if (++fails > 1) break;
      }
    }
    if (fails === 0) {
      matched[p] = 1;
      total++;
      for (let k = 0; k < counted.length; k++) add(counted[k], p);
    } else if (fails === 1) add(failed, p);
  }
  const order = hits && state.sort === "relevance" ? hits.order : sortOrder(model, state.sort);
  const list = new Int32Array(total);
  let j = 0;
  for (let k = 0; k < order.length && j < total; k++) if (matched[order[k]]) list[j++] = order[k];
  return { list, total, counts };
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

function passes(entry, p) {
  const { facet, mask } = entry;
  if (facet.kind === "tree") return facet.of[p] >= 0 && mask[facet.of[p]] === 1;
  for (let k = facet.offsets[p], end = facet.offsets[p + 1]; k < end; k++) {
    if (mask[facet.vals[k]]) return true;
  }
  return false;
}

function add(entry, p) {
  const { facet, counts } = entry;
  if (facet.kind === "tree") {
    if (facet.of[p] < 0) return;
    const chain = facet.ancestors[facet.of[p]];
    for (let k = 0; k < chain.length; k++) counts[chain[k]]++;
    return;
  }
  for (let k = facet.offsets[p], end = facet.offsets[p + 1]; k < end; k++) counts[facet.vals[k]]++;
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
