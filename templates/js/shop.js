// The shop page's state, in one place: `shop` holds the state read from the URL and what is
// derived from it (the search's hits, the filtered result, how many matches are shown), and
// the functions here take it one way: state → search → filter → render.
//
// What a render shows is fetched first, and only that (model.js): the columns when the state
// filters or sorts (or the name search needs names), the card files of the products shown
// that the page has no record of. A search's first results need neither columns nor counts;
// the columns follow when the page is idle after them, or when the customer reaches for the
// filters, and the counts appear then.

import { searchNames } from "../../shopgen/search/js/searcher.js";
import { createDialogs } from "./dialogs.js";
import { createFilter } from "./filter.js";
import { createHistory } from "./history.js";
import { addColumns, sortOrder } from "./model.js";
import { takeUrlPricePhrase } from "./price_phrase.js";
import { hasFilters, parseState, withState } from "./state.js";
import { PAGE } from "./view.js";

const CACHE = 40; // searches kept, so that deleting a letter answers at once
// The cards a render lists before its frame while the page does not know yet how many the
// window shows (view.js onScreen: a screenful on a wide screen).
const FIRST_CARDS = 12;
// With nothing searched, the columns are fetched this long after the start, when idle (a
// search typed before then fetches its results first).
const COLUMNS_AFTER_MS = 3000;
const idle = (fn) => (window.requestIdleCallback || ((f) => setTimeout(f, 50)))(fn, { timeout: 2000 });

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
    columns: null, // Promise of the columns (loadColumns)
    renderSeq: 0, // only the latest render waiting for data is made
  };
  shop.history = laterWrites(createHistory(shop));
  shop.dialogs = createDialogs(
    document.getElementById("dlg"), (p) => view.link(p).getAttribute("href"),
    (p) => view.item(p), { open: (p) => onDialogOpen(shop, p), close: (p) => onDialogClose(shop, p) });
  return shop;
}

/** Show the state the URL gave (#shop[data-ready] once it is shown), then load the search
 * index once the page is idle, and the columns a little later. */
export function startShop(shop) {
  if (shop.searcher.ready()) markSearchReady(shop); // (the head started it: page.html.j2)
  takeUrlPricePhrase(shop); // "?q=boots+under+50" → "?q=boots&max=50"
  shop.view.syncControls(shop.state);
  runSearch(shop, false);
  const later = window.requestIdleCallback || ((fn) => setTimeout(fn, 1500));
  later(() => shop.searcher.load(), { timeout: 4000 });
  // (Not before the address's state is shown: its search's results come first.)
  setTimeout(() => { if (shop.root.dataset.ready) prefetchColumns(shop); }, COLUMNS_AFTER_MS);
}

/** The columns (model.js addColumns), fetched once; resolves true when the model has them,
 * false if they could not be fetched (the next call tries again). */
export function loadColumns(shop) {
  const { model } = shop;
  if (!shop.columns) {
    shop.columns = fetch(new URL(model.files.columns, document.baseURI)).then((response) => {
      if (!response.ok) throw new Error(`${model.files.columns}: HTTP ${response.status}`);
      return response.json();
    }).then(async (data) => {
      await new Promise((resolve) => setTimeout(resolve)); // parsing and building: two tasks
      addColumns(model, data);
      // The counts, now known; unless a search is still to answer the query typed, whose
      // render will show them with its hits (the hits there now are an older query's).
      if (!awaitingSearch(shop)) render(shop);
      return true;
    }, (error) => {
      console.warn("product columns unavailable:", error);
      shop.columns = null;
      return false;
    });
  }
  return shop.columns;
}

/** The query in the search box has no hits yet: its search has not answered. */
function awaitingSearch(shop) {
  const q = shop.state.q.trim();
  return q !== "" && (!shop.hits || shop.hits.q !== q);
}

/** The columns when the page is idle: the customer will want to filter soon. */
export function prefetchColumns(shop) {
  if (!shop.columns) idle(() => loadColumns(shop));
}

/** The search index is loaded (or all of it now is): search again with it (without a query,
 * the list stays as it is: rendering it again would cost a frame for nothing). */
export function searchReady(shop) {
  markSearchReady(shop);
  shop.cache.clear();
  if (shop.state.q.trim() !== "") runSearch(shop);
}

function markSearchReady(shop) {
  shop.root.dataset.search = "ready";
  if (shop.searcher.whole()) shop.root.dataset.index = "whole"; // descriptions searched too
}

/** A click or a select: render, and make it one history entry once the frame that shows it
 * is painted (pushState takes milliseconds, which would delay that frame); returns render's
 * Promise (shown). */
export function choose(shop, next) {
  shop.history.flush(); // an earlier click's entry first (two clicks in one frame: two entries)
  shop.history.settle();
  shop.state = next;
  shop.limit = PAGE;
  const shown = render(shop);
  shop.history.pushAfterPaint();
  return shown;
}

/** history.js's functions, plus pushAfterPaint(): push shop.state as a new entry after the
 * next frame; flush(): push a pending one now. Any other write pushes a pending one first, so
 * the entries keep their order; Back or Forward (restoreFromUrl) drops it, and a typed one
 * waiting: the URL wins. */
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
      history.drop();
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
 * else from the engine (a late answer to an older query is kept but not rendered). The names
 * come with the columns: fetched for a search `typed` before the engine is there; for the
 * address's search, only if the engine cannot load (it is waited for, and is quicker). */
export function runSearch(shop, typed = true) {
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
    const engine = searcher.load();
    if (model.names) {
      shop.hits = toHits(model, q, searchNames(q, model));
      render(shop);
      return;
    }
    busy(shop, true);
    const byName = typed ? Promise.resolve(true) : engine.then((loaded) => !loaded);
    byName.then((needed) => needed && loadColumns(shop)).then((loaded) => {
      if (loaded && id === shop.searchSeq && !searcher.ready()) runSearch(shop, typed);
    });
  } else {
    const show = (answer) => {
      const found = toHits(model, q, answer);
      cache.set(q, found);
      if (cache.size > CACHE) cache.delete(cache.keys().next().value);
      if (id === shop.searchSeq) {
        shop.hits = found;
        // Once the search's results are shown, the filters' turn.
        render(shop).then(() => prefetchColumns(shop));
      }
    };
    const now = searcher.searchNow(q); // (then painted with the typed letter: searcher.js)
    if (now) {
      show(now);
      return;
    }
    ++shop.renderSeq; // (what an older render still has to list is not wanted now)
    searcher.search(q).then(show);
  }
}

function toHits(model, q, answer) {
  const mask = new Uint8Array(model.n);
  for (const ref of answer.refs) mask[ref] = 1;
  return { q, order: answer.refs, mask, loose: answer.loose, isMatch: answer.isMatch,
    suggestion: answer.suggestion || null };
}

/** Filter and sort for the state, and show it: list, counts, status, empty state, dialog.
 * The cards the window shows are listed now, and the rest of the page of results once the
 * frame that shows them is painted (each card listed costs that frame style, layout and paint).
 * When that needs data the page has not fetched, fetch it first (the latest render waits for
 * the cards on screen; the returned Promise resolves once they are shown). */
export function render(shop) {
  const { model, state, view } = shop;
  const h = state.q.trim() !== "" ? shop.hits : null;
  if (!model.complete && (hasFilters(state) || state.sort !== "relevance")) {
    return later(shop, loadColumns(shop));
  }
  const result = model.complete ? shop.filter(state, h) : unfiltered(model, h);
  const p = state.product ? model.bySku.get(state.product) : -1;
  const close = closeMatches(state, result, h);
  const listed = result.list.subarray(0, Math.min(shop.limit, result.total));
  // (Cards the list shows already, in the same places, stay: they cost the frame nothing.)
  const first = Math.min(listed.length,
    Math.max(view.onScreen() ?? FIRST_CARDS, view.kept(listed)));
  const waiting = view.ready([...listed.subarray(0, first), ...(p >= 0 ? [p] : [])], close);
  if (waiting) return later(shop, waiting);
  const rest = view.ready(Array.from(listed.subarray(first)), []); // (their card files: now)
  const seq = ++shop.renderSeq; // (a render waiting for data is older than this one)
  const isMatch = h ? h.isMatch : null;
  shop.result = result;
  busy(shop, first < listed.length);
  view.renderList(result, first < listed.length ? first : shop.limit, isMatch);
  if (first < listed.length) view.el.more.hidden = true; // (until the rest is listed)
  view.renderCounts(result.counts);
  if (result.counts) view.el.facets.removeAttribute("aria-busy"); // (null: the columns are coming)
  else view.el.facets.setAttribute("aria-busy", "true");
  view.renderStatus(result.total);
  view.renderEmpty(result.total, state, close, h && !h.order.length ? h.suggestion : null);
  shop.dialogs.show(p);
  shop.root.dataset.ready = "1"; // the address's state is shown
  performance.mark("shopgen:render", { detail: { q: state.q, total: result.total,
    counted: result.counted } });
  if (first < listed.length) listRest(shop, seq, rest, isMatch, first);
  return Promise.resolve();
}

/** The rest of the page of results after the `first` listed, below the window: once the frame
 * that shows the render is painted and their cards' data is there (`rest`: null or a Promise
 * of it), a screenful a task, so that a key or a click in between is answered first; unless
 * another render came first ("Show more" lists them itself). */
function listRest(shop, seq, rest, isMatch, first) {
  const { result, limit } = shop;
  const step = Math.max(first, FIRST_CARDS);
  const listed = Math.min(limit, result.total);
  const list = (count) => {
    if (seq !== shop.renderSeq || shop.result !== result || shop.limit !== limit) return;
    const next = Math.min(listed, count + step);
    shop.view.renderList(result, next < listed ? next : limit, isMatch);
    if (next < listed) {
      shop.view.el.more.hidden = true;
      setTimeout(() => list(next));
      return;
    }
    busy(shop, false);
    performance.mark("shopgen:listed", { detail: { total: result.total } });
  };
  // (A frame's rAF callbacks run before it is rendered; a task posted from one, after.)
  requestAnimationFrame(() => setTimeout(() => (rest ? rest.then(() => list(first)) : list(first))));
}

/** Render again once `data` (a Promise) is there, unless another render came first. */
function later(shop, data) {
  const seq = ++shop.renderSeq;
  busy(shop, true);
  return data.then(() => (seq === shop.renderSeq ? render(shop) : undefined));
}

/** The list is busy (aria-busy) while what it will show is being fetched. */
function busy(shop, on) {
  const { list } = shop.view.el;
  if (on) list.setAttribute("aria-busy", "true");
  else list.removeAttribute("aria-busy");
}

/** The result before the columns are there (nothing to filter or sort by): the search's hits
 * (each once) or the catalog; the counts are the catalog's, or not known while searching. */
function unfiltered(model, h) {
  let list = sortOrder(model, "relevance");
  if (h) {
    const seen = new Uint8Array(model.n);
    list = h.order.filter((p) => !seen[p] && (seen[p] = 1));
  }
  return { list, total: list.length, counts: h ? null : model.catalogCounts, counted: "none" };
}

/** When nothing matches: the search's best hits that the filters hide, or its loose matches. */
function closeMatches(state, result, h) {
  if (result.total !== 0 || !h) return [];
  if (hasFilters(state) && h.order.length) return Array.from(h.order.subarray(0, 6));
  return h.loose ? Array.from(h.loose) : [];
}

/** "Show more": the next page of matches; returns a Promise of the positions added. */
export function showMore(shop) {
  const { hits, state, result } = shop;
  shop.limit += PAGE;
  const limit = shop.limit;
  const shown = () => {
    busy(shop, false);
    return shop.view.renderList(result, limit, state.q.trim() && hits ? hits.isMatch : null);
  };
  const waiting = shop.view.ready(Array.from(result.list.subarray(0, Math.min(limit, result.total))), []);
  if (!waiting) return Promise.resolve(shown());
  // The button answers at once (gone when this shows the rest), the cards when they are there.
  shop.view.el.more.hidden = limit >= result.total;
  busy(shop, true);
  return waiting.then(() => (shop.result === result && shop.limit === limit ? shown() : []));
}

/** Open product p's dialog from `from` (a card link, a close match), as a history entry. */
export function openProduct(shop, p, from) {
  const sku = shop.model.skus[p];
  shop.history.settle();
  shop.state = withState(shop.state, { product: sku });
  shop.history.write(true, { opened: sku });
  shop.dialogs.show(p, from);
}

function onDialogOpen(shop, p) {
  shop.tracker.track("view", { sku: shop.model.skus[p] });
}

// The customer closed the dialog: Back when opening it pushed the entry, else replace it.
function onDialogClose(shop, p) {
  const sku = shop.model.skus[p];
  if (shop.state.product !== sku) return;
  shop.state = withState(shop.state, { product: null });
  if (history.state && history.state.opened === sku) history.back();
  else shop.history.write(false);
}
