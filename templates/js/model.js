// The catalog as the page filters and sorts it, built in two steps so that a search's first
// results wait for nothing they do not show (shopgen/build/browser_data.py):
// - buildModel: the page's data file (facets with their catalog counts, SKUs, money) → the
//   model, whose `products` holds only the records of the cards fetched so far (cards.js);
// - addColumns: the columns file (names, prices, stock, dates, facet values), fetched when
//   filtering, sorting or counting needs it or the page is idle → every record, and flat typed
//   arrays, so that each keystroke or click only walks them (10,000 products in about a ms).

import { fold } from "../../shopgen/search/js/text.js";

/** Build the model from the page's data file's JSON; `complete` once addColumns ran. */
export function buildModel(data) {
  const { n } = data;
  const money = new Intl.NumberFormat(data.locale, { style: "currency", currency: data.currency });
  const digits = money.resolvedOptions().maximumFractionDigits;
  const skus = frontDecoded(data.sku);
  const bySku = new Map();
  for (let i = 0; i < n; i++) bySku.set(skus[i], i);
  const facets = data.facets.map(facetModel);
  // Each value's catalog count: the counts of the page with nothing searched or chosen.
  const catalogCounts = new Map(data.facets.filter((f) => f.kind !== "number")
    .map((f) => [f.id, Int32Array.from(f.values, (v) => v.count)]));
  return {
    n, skus, bySku, facets, money, catalogCounts,
    scale: 10 ** digits, locale: data.locale, orders: new Map(),
    products: new Array(n), // records: the cards fetched so far; every one once complete
    complete: false, names: null, price: null, stock: null, pictureOf: null, // (columns)
    files: { columns: data.columns, cards: data.cards, cardsPerFile: data.cardsPerFile },
  };
}

/** Fill the model from the columns file (its `columns`: browser_data.py product_columns). */
export function addColumns(model, data) {
  const products = productRecords(model, data.columns);
  const { n } = model;
  const price = new Float64Array(n);
  const stock = new Uint8Array(n);
  const names = new Array(n);
  for (let i = 0; i < n; i++) {
    const p = products[i];
    price[i] = p.price;
    stock[i] = p.stock ? 1 : 0;
    names[i] = fold(p.name);
  }
  // The facets keep their identity (the view and the state hold them): their columns are added.
  for (const facet of model.facets) Object.assign(facet, facetColumns(facet, products));
  // Each card's picture ([src, webp, width, height] or null: cards.py picture_column), so a
  // card made from here on needs no request of its own.
  const pictures = data.columns.pictures;
  const pictureOf = pictures ? (p) => pictures.table[pictures.of[p]] || null : null;
  Object.assign(model, { products, price, stock, names, pictureOf, complete: true });
}

/** A product's record from its card file (cards.py: [name, brand, price, was, stock, …]). */
export function cardRecord(model, p, row) {
  const [name, brand, price, was, stock] = row;
  return { sku: model.skus[p], name, brand, price, was, stock };
}

/** The columns back into one record per product: {sku, name, brand, category, colour, size
 * (value ids), price, was, stock, added (a day number), attrs}. */
function productRecords(model, c) {
  // Plain loops over columns fetched once: this runs for every product (10,000 products: a
  // few ms; per-product Map lookups and closures cost 100+).
  const ids = (facetId) => {
    const facet = model.facets.find((f) => f.id === facetId);
    return facet && facet.values ? facet.values.map((v) => v.id) : null;
  };
  const [brands, categories, colours, sizes] = ["brand", "category", "colour", "size"].map(ids);
  const attrs = Object.entries(c.attrs).map(([id, column]) => [id, column, ids(id)]);
  const many = (column, values, i) => {
    if (!column) return [];
    const ks = column[i];
    const out = new Array(ks.length);
    for (let k = 0; k < ks.length; k++) out[k] = values[ks[k]];
    return out;
  };
  const records = new Array(model.n);
  for (let i = 0; i < model.n; i++) {
    const own = {};
    for (const [id, column, values] of attrs) {
      const v = column[i];
      if (typeof v !== "number") continue; // a number facet without a value: null
      if (!values) own[id] = v;
      else if (v >= 0) own[id] = values[v]; // -1: no value
    }
    records[i] = {
      sku: model.skus[i], name: c.name[i], price: c.price[i], was: c.was[i], stock: c.stock[i],
      added: c.added[i], brand: c.brand ? brands[c.brand[i]] : null,
      category: c.category ? categories[c.category[i]] : null,
      colour: many(c.colour, colours, i), size: many(c.size, sizes, i), attrs: own,
    };
  }
  return records;
}

/** A facet as the data file describes it: its values and their index (and a tree's
 * ancestors); the products' values come with the columns (facetColumns). */
function facetModel(facet) {
  const base = { id: facet.id, name: facet.name, kind: facet.kind };
  if (facet.kind === "number") {
    return { ...base, unit: facet.unit, min: facet.min, max: facet.max, index: new Map() };
  }
  const values = facet.values;
  const index = new Map(values.map((v, i) => [v.id, i]));
  if (facet.kind !== "tree") return { ...base, values, index };
  // ancestors[v]: v and every category above it (choosing a parent includes its children).
  const ancestors = values.map((v) => {
    const chain = [];
    for (let id = v.id, guard = 0; id != null && index.has(id) && guard < 64; guard++) {
      chain.push(index.get(id));
      id = values[index.get(id)].parent;
    }
    return Int32Array.from(chain);
  });
  return { ...base, values, index, ancestors };
}

/** Each product's values of a facet: a number (value), a category (of), or text values'
 * indices, flattened (vals[offsets[i]..offsets[i+1]]). */
function facetColumns(facet, products) {
  const n = products.length;
  if (facet.kind === "number") {
    const value = new Float64Array(n).fill(NaN);
    products.forEach((p, i) => {
      const v = p.attrs && p.attrs[facet.id];
      if (typeof v === "number") value[i] = v;
    });
    return { value };
  }
  const { index } = facet;
  if (facet.kind === "tree") {
    const of = new Int32Array(n).fill(-1);
    products.forEach((p, i) => {
      const v = index.get(p[facet.id]);
      if (v !== undefined) of[i] = v;
    });
    return { of };
  }
  const offsets = new Int32Array(n + 1);
  const flat = [];
  products.forEach((p, i) => {
    let own = facet.id in p ? p[facet.id] : p.attrs && p.attrs[facet.id];
    if (own === undefined || own === null) own = [];
    if (!Array.isArray(own)) own = [own];
    for (const v of own) {
      const k = index.get(String(v));
      if (k !== undefined) flat.push(k);
    }
    offsets[i + 1] = flat.length;
  });
  return { offsets, vals: Int32Array.from(flat) };
}

/** Positions in the order of a sort ("relevance" without a search = catalog order, which
 * needs no columns; the others need a complete model); cached. */
export function sortOrder(model, sort) {
  const cached = model.orders.get(sort);
  if (cached) return cached;
  const order = Int32Array.from({ length: model.n }, (_, i) => i);
  const p = model.products;
  if (sort === "price-asc") order.sort((a, b) => model.price[a] - model.price[b] || a - b);
  else if (sort === "price-desc") order.sort((a, b) => model.price[b] - model.price[a] || a - b);
  else if (sort === "newest") {
    order.sort((a, b) => (p[a].added < p[b].added ? 1 : p[a].added > p[b].added ? -1 : a - b));
  } else if (sort === "name") {
    const collator = new Intl.Collator(model.locale, { numeric: true, sensitivity: "base" });
    order.sort((a, b) => collator.compare(p[a].name, p[b].name) || a - b);
  }
  model.orders.set(sort, order);
  return order;
}

/** Format an amount in minor units ("€89.90"). */
export function formatMoney(model, minor) {
  return model.money.format(minor / model.scale);
}

/** A front-coded column ([[shared, …], [rest, …]], browser_data.py) back into its texts. */
function frontDecoded([shared, rest]) {
  const out = new Array(rest.length);
  let previous = "";
  for (let i = 0; i < rest.length; i++) {
    previous = previous.slice(0, shared[i]) + rest[i];
    out[i] = previous;
  }
  return out;
}
