// The shop page's state, in one place: `shop` holds the state read from the URL and what is
// derived from it (the search's hits, the filtered result, how many matches are shown), and
// the functions here take it one way: state → search → filter → render.

import { searchNames } from "../../shopgen/search/js/searcher.js";
import { createDialogs } from "./dialogs.js";
import { createFilter } from "./filter.js";
import { createHistory } from "./history.js";
import { takeUrlPricePhrase } from "./price_phrase.js";
import { hasFilters, parseState, withState } from "./state.js";
import { PAGE } from "./view.js";

const CACHE = 40; // searches kept, so that deleting a letter answers at once

/** The shop over the rendered page (view.js), with its state read from the URL, searching
 * with `searcher` (searcher.js; the page calls searchReady when its index is loaded). */
export function createShop(root, model, view, tracker, searcher) {
  const shop = {
    root, model, view, tracker,
    state: parseState(location.search, model),
    hits: null, // the search's answer for hits.q: {q, order, mask, loose, isMatch}
    filter: createFilter(model), // (state, hits) → result; counts only what a click changed
    result: null, // shop.filter(state, hits): {list, total, counts}
    limit: PAGE, // matches shown ("Show more" adds a page)
    cache: new Map(), // query → hits
    searchSeq: 0, // only the latest search's answer is rendered
    trackedQuery: "", // the last search reported (activity.js)
    searcher,
    phraseBase: undefined, // the price range before a typed price phrase (price_phrase.js)
    phraseTimer: 0,
  };
  shop.history = laterWrites(createHistory(shop));
  shop.dialogs = createDialogs(
    document.getElementById("dlg"), model, (p) => view.link(p).getAttribute("href"),
    (p) => view.item(p), { open: (p) => onDialogOpen(shop, p), close: (p) => onDialogClose(shop, p) });
  return shop;
}

/** Show the state the URL gave, then load the search index once the page is idle. */
export function startShop(shop) {
  if (shop.searcher.ready()) shop.root.dataset.search = "ready";
  takeUrlPricePhrase(shop); // "?q=boots+under+50" → "?q=boots&max=50"
  shop.view.syncControls(shop.state);
  runSearch(shop);
  shop.root.dataset.ready = "1";
  const idle = window.requestIdleCallback || ((fn) => setTimeout(fn, 1500));
  idle(() => shop.searcher.load(), { timeout: 4000 });
}

/** The search index is loaded (or all of it now is): search again with it. */
export function searchReady(shop) {
  shop.root.dataset.search = "ready";
  if (shop.searcher.whole()) shop.root.dataset.index = "whole"; // descriptions searched too
  shop.cache.clear();
  runSearch(shop);
}

/** A click or a select: render, and make it one history entry once the frame that shows it
 * is painted (pushState takes milliseconds, which would delay that frame). */
export function choose(shop, next) {
  shop.history.flush(); // an earlier click's entry first (two clicks in one frame: two entries)
  shop.history.settle();
  shop.state = next;
  shop.limit = PAGE;
  render(shop);
  shop.history.pushAfterPaint();
}

/** history.js's functions, plus pushAfterPaint(): push shop.state as a new entry after the
 * next frame; flush(): push a pending one now. Any other write pushes a pending one first, so
 * the entries keep their order; Back or Forward (restoreFromUrl) drops it: the URL wins. */
function laterWrites(history) {
  let pending = 0; // the frame request of a pending push
  const flush = () => {
    if (!pending) return;
    cancelAnimationFrame(pending);
    pending = 0;
    history.write(true);
  };
  const first = (fn) => (...args) => { flush(); return fn(...args); };
  return {
    ...history,
    write: first(history.write),
    change: first(history.change),
    typed: first(history.typed),
    flush,
    pushAfterPaint() {
      flush();
      // The rAF callback runs in the frame; a task posted from it runs once that frame is done.
      pending = requestAnimationFrame(() => setTimeout(flush));
    },
    drop() {
      cancelAnimationFrame(pending);
      pending = 0;
    },
  };
}

/** Back or Forward: the state from the URL again. */
export function restoreFromUrl(shop) {
  shop.history.drop();
  shop.history.settle();
  shop.state = parseState(location.search, shop.model);
  takeUrlPricePhrase(shop);
  shop.limit = PAGE;
  shop.view.syncControls(shop.state);
  runSearch(shop);
}

/** Find the hits for state.q, then render: from the cache, by name until the index is loaded,
 * else from the engine (a late answer to an older query is kept but not rendered). */
export function runSearch(shop) {
  const { cache, model, searcher } = shop;
  const q = shop.state.q.trim();
  const id = ++shop.searchSeq;
  if (!q) {
    shop.hits = null;
    render(shop);
  } else if (cache.has(q)) {
    shop.hits = cache.get(q);
    render(shop);
  } else if (!searcher.ready()) {
    searcher.load();
    shop.hits = toHits(model, q, searchNames(q, model));
    render(shop);
  } else {
    searcher.search(q).then((answer) => {
      const found = toHits(model, q, answer);
      cache.set(q, found);
      if (cache.size > CACHE) cache.delete(cache.keys().next().value);
      if (id === shop.searchSeq) {
        shop.hits = found;
        render(shop);
      }
    });
  }
}

function toHits(model, q, answer) {
  const mask = new Uint8Array(model.n);
  for (const ref of answer.refs) mask[ref] = 1;
  return { q, order: answer.refs, mask, loose: answer.loose, isMatch: answer.isMatch,
    suggestion: answer.suggestion || null };
}

/** Filter and sort for the state, and show it: list, counts, status, empty state, dialog. */
export function render(shop) {
  const { model, state, view } = shop;
  const h = state.q.trim() !== "" ? shop.hits : null;
  const result = shop.filter(state, h);
  shop.result = result;
  view.renderList(result, shop.limit, h ? h.isMatch : null);
  view.renderCounts(result.counts);
  view.renderStatus(result.total);
  view.renderEmpty(result.total, state, closeMatches(state, result, h),
    h && !h.order.length ? h.suggestion : null);
  shop.dialogs.show(state.product ? model.bySku.get(state.product) : -1);
  performance.mark("shopgen:render", { detail: { q: state.q, total: result.total,
    counted: result.counted } });
}

/** When nothing matches: the search's best hits that the filters hide, or its loose matches. */
function closeMatches(state, result, h) {
  if (result.total !== 0 || !h) return [];
  if (hasFilters(state) && h.order.length) return Array.from(h.order.subarray(0, 6));
  return h.loose ? Array.from(h.loose) : [];
}

/** "Show more": the next page of matches; returns the positions added. */
export function showMore(shop) {
  const { hits, state } = shop;
  shop.limit += PAGE;
  return shop.view.renderList(shop.result, shop.limit, state.q.trim() && hits ? hits.isMatch : null);
}

/** Open product p's dialog from `from` (a card link, a close match), as a history entry. */
export function openProduct(shop, p, from) {
  const sku = shop.model.products[p].sku;
  shop.history.settle();
  shop.state = withState(shop.state, { product: sku });
  shop.history.write(true, { opened: sku });
  shop.dialogs.show(p, from);
}

function onDialogOpen(shop, p) {
  shop.tracker.track("view", { sku: shop.model.products[p].sku });
}

// The customer closed the dialog: Back when opening it pushed the entry, else replace it.
function onDialogClose(shop, p) {
  const sku = shop.model.products[p].sku;
  if (shop.state.product !== sku) return;
  shop.state = withState(shop.state, { product: null });
  if (history.state && history.state.opened === sku) history.back();
  else shop.history.write(false);
}
