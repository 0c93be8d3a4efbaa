// The page's state, derived from the URL and written back to it (DESIGN.md "The page"):
// ?q=…&brand=…&colour=…&category=…&size=…&<attr>=…&min=…&max=…&<attr>-min=…&<attr>-max=…
//  &stock=1&sort=…&product=SKU. Values are catalog ids; a key repeats for several values.

export const SORTS = ["relevance", "price-asc", "price-desc", "name", "newest"];

/** A state with nothing chosen. */
export function emptyState() {
  return { q: "", sel: {}, range: {}, stock: false, sort: "relevance", product: null };
}

/** Copy a state, replacing some fields (states are never changed in place). */
export function withState(state, changes) {
  return { ...state, ...changes };
}

/** True when any filter (not the search, sort or product) is set. */
export function hasFilters(state) {
  return state.stock || Object.keys(state.sel).length > 0 || Object.keys(state.range).length > 0;
}

function number(text) {
  if (text === null || text.trim() === "") return null;
  const value = Number(text);
  return Number.isFinite(value) ? value : null;
}

/** Read a state from a query string; unknown ids and keys are ignored. */
export function parseState(search, model) {
  const params = new URLSearchParams(search);
  const state = emptyState();
  state.q = (params.get("q") || "").slice(0, 200);
  for (const facet of model.facets) {
    if (facet.kind === "number") {
      setRange(state, facet.id, number(params.get(`${facet.id}-min`)),
        number(params.get(`${facet.id}-max`)));
    } else {
      const values = params.getAll(facet.id).filter((v) => facet.index.has(v));
      if (values.length) state.sel[facet.id] = [...new Set(values)];
    }
  }
  setRange(state, "price", number(params.get("min")), number(params.get("max")));
  state.stock = params.get("stock") === "1";
  const sort = params.get("sort");
  state.sort = SORTS.includes(sort) ? sort : "relevance";
  const sku = params.get("product");
  state.product = sku && model.bySku.has(sku) ? sku : null;
  return state;
}

function setRange(state, id, min, max) {
  if (min !== null || max !== null) state.range[id] = { min, max };
}

/** The query string for a state ("" when nothing is set), keys in a stable order. */
export function stateToSearch(state, model) {
  const params = new URLSearchParams();
  if (state.q.trim()) params.set("q", state.q);
  for (const facet of model.facets) {
    if (facet.kind !== "number") {
      for (const value of state.sel[facet.id] || []) params.append(facet.id, value);
    }
  }
  const price = state.range.price;
  if (price && price.min !== null) params.set("min", String(price.min));
  if (price && price.max !== null) params.set("max", String(price.max));
  for (const facet of model.facets) {
    const r = facet.kind === "number" && state.range[facet.id];
    if (r && r.min !== null) params.set(`${facet.id}-min`, String(r.min));
    if (r && r.max !== null) params.set(`${facet.id}-max`, String(r.max));
  }
  if (state.stock) params.set("stock", "1");
  if (state.sort !== "relevance") params.set("sort", state.sort);
  if (state.product) params.set("product", state.product);
  const text = params.toString();
  return text ? `?${text}` : "";
}

/** Toggle one value of a text or tree facet. */
export function toggleValue(state, facetId, value, on) {
  const current = new Set(state.sel[facetId] || []);
  if (on) current.add(value);
  else current.delete(value);
  const sel = { ...state.sel };
  if (current.size) sel[facetId] = [...current];
  else delete sel[facetId];
  return withState(state, { sel });
}

/** Set one end of a range ("min" or "max") for price or a number facet. */
export function setBound(state, id, end, value) {
  const range = { ...state.range };
  const next = { min: null, max: null, ...range[id], [end]: value };
  if (next.min === null && next.max === null) delete range[id];
  else range[id] = next;
  return withState(state, { range });
}
