// The shop page's behaviour: state from the URL, render from state, every change back to the
// URL (one history entry per meaningful change, not per keystroke), and Back restores it.
// The page works without this script; this only enhances what the build rendered.

import { computeResults } from "./filter.js";
import { buildModel } from "./model.js";
import { createSearcher, searchNames } from "../../shopgen/search/js/searcher.js";
import {
  emptyState, hasFilters, parseState, setBound, stateToSearch, toggleValue, withState,
} from "./state.js";
import { createTracker } from "./tracking.js";
import { createDialogs } from "./dialogs.js";
import { PAGE, createView, splitBound } from "./view.js";

const SETTLE_MS = 1000;
const CACHE = 40;

async function main() {
  const root = document.getElementById("shop");
  if (!root) {
    const product = document.getElementById("product");
    if (product) trackProductPage(product);
    return;
  }
  const tracker = createTracker(root.dataset.tracker);
  tracker.track("pageview", { path: location.pathname + location.search, referrer: document.referrer });
  const response = await fetch(root.dataset.data);
  if (!response.ok) throw new Error(`${root.dataset.data}: HTTP ${response.status}`);
  const model = buildModel(await response.json());
  const view = createView(root, model);
  if (!view) return;
  startShop(root, model, view, tracker);
}

/** A product's own page (product.html.j2): its pageview and view, and every call from it. */
function trackProductPage(main) {
  const tracker = createTracker(main.dataset.tracker);
  const { sku } = main.dataset;
  tracker.track("pageview", { path: location.pathname + location.search, referrer: document.referrer });
  tracker.track("view", { sku });
  document.addEventListener("click", (event) => {
    if (event.target.closest('a[href^="tel:"]')) tracker.track("call", { sku });
  });
}

function startShop(root, model, view, tracker) {
  const { el } = view;
  let state = parseState(location.search, model);
  let hits = null; // the search's answer for hits.q: {q, order, mask, loose, isMatch}
  let result = null;
  let limit = PAGE;
  let burst = null; // a run of typing in one box: {kind, pushed, timer}
  let searchSeq = 0;
  let trackedQuery = "";
  const cache = new Map();
  const searcher = createSearcher(root.dataset.index, () => {
    root.dataset.search = "ready";
    cache.clear();
    runSearch();
  });
  const dialogs = createDialogs(
    document.getElementById("dlg"), model, (p) => view.links[p].getAttribute("href"),
    (p) => view.items[p], { open: onDialogOpen, close: onDialogClose });

  // ---- state → URL ------------------------------------------------------------------
  function writeUrl(push, extra = null) {
    const search = stateToSearch(state, model);
    if (search === location.search && !extra) return false;
    const url = location.pathname + search;
    history[push ? "pushState" : "replaceState"](extra, "", url);
    return true;
  }

  /** A discrete change (click, select): one history entry. */
  function change(next) {
    settle();
    state = next;
    limit = PAGE;
    writeUrl(true);
  }

  /** Typing: the first change of a run pushes a history entry, the rest replace it. */
  function typed(kind, next) {
    if (burst && burst.kind !== kind) settle();
    if (!burst) burst = { kind, pushed: false, timer: 0 };
    state = next;
    limit = PAGE;
    if (writeUrl(!burst.pushed)) burst.pushed = true;
    clearTimeout(burst.timer);
    burst.timer = setTimeout(settle, SETTLE_MS);
  }

  function settle() {
    if (!burst) return;
    clearTimeout(burst.timer);
    const { kind } = burst;
    burst = null;
    const results = result ? result.total : 0;
    if (kind === "search") {
      const query = state.q.trim();
      if (query && query !== trackedQuery) tracker.track("search", { query, results });
      trackedQuery = query;
    } else {
      const r = state.range[kind];
      const value = r ? `${r.min ?? ""}-${r.max ?? ""}` : "";
      tracker.track("filter", { facet: kind, value, selected: Boolean(r), results });
    }
  }

  // ---- search -----------------------------------------------------------------------
  function toHits(q, answer) {
    const mask = new Uint8Array(model.n);
    for (const ref of answer.refs) mask[ref] = 1;
    return { q, order: answer.refs, mask, loose: answer.loose, isMatch: answer.isMatch };
  }

  function runSearch() {
    const q = state.q.trim();
    const id = ++searchSeq;
    if (!q) {
      hits = null;
      render();
    } else if (cache.has(q)) {
      hits = cache.get(q);
      render();
    } else if (!searcher.ready()) {
      searcher.load();
      hits = toHits(q, searchNames(q, model));
      render();
    } else {
      searcher.search(q).then((answer) => {
        const found = toHits(q, answer);
        cache.set(q, found);
        if (cache.size > CACHE) cache.delete(cache.keys().next().value);
        if (id === searchSeq) {
          hits = found;
          render();
        }
      });
    }
  }

  // ---- render -----------------------------------------------------------------------
  function render() {
    const searching = state.q.trim() !== "";
    const h = searching ? hits : null;
    result = computeResults(model, state, h);
    view.renderList(result, limit, h ? h.isMatch : null);
    view.renderCounts(result.counts, state);
    view.renderStatus(result.total);
    let close = [];
    if (result.total === 0 && h) {
      if (hasFilters(state) && h.order.length) close = Array.from(h.order.subarray(0, 6));
      else if (h.loose) close = Array.from(h.loose);
    }
    view.renderEmpty(result.total, state, close);
    const p = state.product ? model.bySku.get(state.product) : -1;
    dialogs.show(p);
    performance.mark("shopgen:render", { detail: { q: state.q, total: result.total } });
  }

  function openProduct(p, from) {
    const sku = model.products[p].sku;
    settle();
    state = withState(state, { product: sku });
    writeUrl(true, { opened: sku });
    dialogs.show(p, from);
  }

  function onDialogOpen(p) {
    tracker.track("view", { sku: model.products[p].sku });
  }

  function onDialogClose(p) {
    const sku = model.products[p].sku;
    if (state.product !== sku) return;
    state = withState(state, { product: null });
    if (history.state && history.state.opened === sku) history.back();
    else writeUrl(false);
  }

  // ---- events -----------------------------------------------------------------------
  el.q.addEventListener("input", () => {
    typed("search", withState(state, { q: el.q.value }));
    runSearch();
  });
  el.q.addEventListener("focus", () => searcher.load());
  el.search.addEventListener("submit", (event) => {
    event.preventDefault();
    settle();
  });

  el.facets.addEventListener("submit", (event) => event.preventDefault());
  el.facets.addEventListener("input", (event) => {
    const input = event.target;
    if (input.type !== "number") return;
    const [id, end] = input.name === "min" || input.name === "max"
      ? ["price", input.name] : splitBound(input.name);
    const value = input.value.trim() === "" || !Number.isFinite(input.valueAsNumber)
      ? null : input.valueAsNumber;
    typed(id, setBound(state, id, end, value));
    render();
  });
  el.facets.addEventListener("change", (event) => {
    const input = event.target;
    if (input.type === "number") {
      settle();
      return;
    }
    if (input.type !== "checkbox") return;
    // Render first, then write the URL: pushState costs milliseconds on a large page.
    if (input.name === "stock") state = withState(state, { stock: input.checked });
    else state = toggleValue(state, input.name, input.value, input.checked);
    limit = PAGE;
    render();
    change(state);
    tracker.track("filter", {
      facet: input.name, value: input.value, selected: input.checked, results: result.total,
    });
  });
  el.clear.addEventListener("click", () => {
    if (!hasFilters(state)) return;
    change(withState(state, { sel: {}, range: {}, stock: false }));
    view.syncControls(state);
    render();
    tracker.track("filter", { facet: "all", value: "all", selected: false, results: result.total });
  });
  el.sort.addEventListener("change", () => {
    state = withState(state, { sort: el.sort.value });
    limit = PAGE;
    render();
    change(state);
    tracker.track("sort", { sort: state.sort });
  });
  el.more.addEventListener("click", () => {
    limit += PAGE;
    const added = view.renderList(result, limit, state.q.trim() && hits ? hits.isMatch : null);
    if (added.length) view.links[added[0]].focus();
  });
  // A card's heading links to the product's page; here it opens the dialog instead (unless
  // the customer asks for a new tab or window). Hovering or focusing it fetches the page early.
  el.list.addEventListener("click", (event) => {
    const opener = event.target.closest("article h3 a");
    if (!opener || event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey
      || event.altKey) return;
    event.preventDefault();
    openProduct(view.position.get(opener.closest("li")), opener);
  });
  for (const type of ["pointerover", "focusin"]) {
    el.list.addEventListener(type, (event) => {
      const link = event.target.closest && event.target.closest("article h3 a");
      if (link) dialogs.prefetch(view.position.get(link.closest("li")));
    }, { passive: true });
  }
  el.empty.addEventListener("click", (event) => {
    const button = event.target.closest("button");
    if (!button) return;
    if (button.dataset.action === "reset") {
      change(withState(emptyState(), { sort: state.sort }));
      view.syncControls(state);
      runSearch();
      el.q.focus();
    } else if (button.dataset.open) openProduct(Number(button.dataset.open), button);
  });
  document.addEventListener("click", (event) => {
    const call = event.target.closest('dialog a[href^="tel:"]');
    if (call && state.product) tracker.track("call", { sku: state.product });
  });
  window.addEventListener("popstate", () => {
    settle();
    state = parseState(location.search, model);
    limit = PAGE;
    view.syncControls(state);
    runSearch();
  });

  // Filters fold away on phones; beside the results on wider screens they stay open.
  const wide = window.matchMedia("(min-width: 900px)");
  el.filters.open = wide.matches;
  wide.addEventListener("change", () => { el.filters.open = wide.matches; });

  view.syncControls(state);
  runSearch();
  root.dataset.ready = "1";
  const idle = window.requestIdleCallback || ((fn) => setTimeout(fn, 1500));
  idle(() => searcher.load(), { timeout: 4000 });
}

main().catch((error) => console.error("shop script failed:", error));
