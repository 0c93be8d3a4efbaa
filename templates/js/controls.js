// The customer's input → changes of the shop's state (shop.js). Each handler changes the state,
// renders, writes the URL (history.js) and reports what happened (activity.js).

import { trackFilter } from "./activity.js";
import {
  choose, loadColumns, openProduct, render, restoreFromUrl, runSearch, showMore,
} from "./shop.js";
import { tidyPricePhrase, typedQuery } from "./price_phrase.js";
import { emptyState, hasFilters, setBound, toggleValue, withState } from "./state.js";
import { splitBound } from "./view.js";

/** Listen to the page's controls, the results and the history. */
export function wireControls(shop) {
  wireSearchBox(shop);
  wireFilters(shop);
  wireSort(shop);
  wireResults(shop);
  wirePage(shop);
}

function wireSearchBox(shop) {
  const { el } = shop.view;
  el.q.addEventListener("input", () => {
    // A price phrase ("under 50") becomes the price range (price_phrase.js).
    shop.history.typed("search", typedQuery(shop, el.q.value));
    shop.searcher.typing();
    runSearch(shop);
  });
  el.q.addEventListener("focus", () => shop.searcher.load());
  el.q.addEventListener("change", () => tidyPricePhrase(shop));
  el.search.addEventListener("submit", (event) => {
    event.preventDefault();
    tidyPricePhrase(shop);
    shop.history.settle();
  });
}

function wireFilters(shop) {
  const { el } = shop.view;
  el.facets.addEventListener("submit", (event) => event.preventDefault());
  // Price and number ranges are typed: one history entry and one report per run of typing.
  el.facets.addEventListener("input", (event) => {
    const input = event.target;
    if (input.type !== "number") return;
    const [id, end] = input.name === "min" || input.name === "max"
      ? ["price", input.name] : splitBound(input.name);
    const value = input.value.trim() === "" || !Number.isFinite(input.valueAsNumber)
      ? null : input.valueAsNumber;
    shop.history.typed(id, setBound(shop.state, id, end, value));
    render(shop);
  });
  el.facets.addEventListener("change", (event) => {
    const input = event.target;
    if (input.type === "number") {
      shop.history.settle();
      return;
    }
    if (input.type !== "checkbox") return;
    const { name, value, checked } = input;
    choose(shop, name === "stock" ? withState(shop.state, { stock: checked })
      : toggleValue(shop.state, name, value, checked))
      .then(() => trackFilter(shop, name, value, checked));
  });
  el.clear.addEventListener("click", () => {
    if (!hasFilters(shop.state)) return;
    shop.history.change(withState(shop.state, { sel: {}, range: {}, stock: false }));
    shop.view.syncControls(shop.state);
    render(shop).then(() => trackFilter(shop, "all", "all", false));
  });
}

function wireSort(shop) {
  const { el } = shop.view;
  // Reaching for the filters or the sort: their columns are fetched now, if not yet.
  for (const target of [el.filters, el.sort]) {
    for (const type of ["pointerover", "focusin"]) {
      target.addEventListener(type, () => loadColumns(shop), { once: true, passive: true });
    }
  }
  el.sort.addEventListener("change", () => {
    choose(shop, withState(shop.state, { sort: el.sort.value }));
    shop.tracker.track("sort", { sort: shop.state.sort });
  });
}

function wireResults(shop) {
  const { el } = shop.view;
  const position = (link) => shop.view.positionOf(link.closest("li"));
  el.more.addEventListener("click", () => {
    showMore(shop).then((added) => { if (added.length) shop.view.link(added[0]).focus(); });
  });
  // A card's heading links to the product's page; here it opens the dialog instead (unless
  // the customer asks for a new tab or window). Hovering or focusing it fetches the page early.
  el.list.addEventListener("click", (event) => {
    const opener = event.target.closest("article h3 a");
    if (!opener || event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey
      || event.altKey) return;
    event.preventDefault();
    openProduct(shop, position(opener), opener);
  });
  for (const type of ["pointerover", "focusin"]) {
    el.list.addEventListener(type, (event) => {
      const link = event.target.closest && event.target.closest("article h3 a");
      if (link) shop.dialogs.prefetch(position(link));
    }, { passive: true });
  }
  el.empty.addEventListener("click", (event) => {
    const button = event.target.closest("button");
    if (!button) return;
    if (button.dataset.action === "reset") {
      shop.history.change(withState(emptyState(), { sort: shop.state.sort }));
      shop.view.syncControls(shop.state);
      runSearch(shop);
      el.q.focus();
    } else if (button.dataset.suggest) {
      shop.history.change(withState(shop.state, { q: button.dataset.suggest }));
      shop.view.syncControls(shop.state);
      runSearch(shop);
      el.q.focus();
    } else if (button.dataset.open) openProduct(shop, Number(button.dataset.open), button);
  });
}

function wirePage(shop) {
  const { el } = shop.view;
  document.addEventListener("click", (event) => {
    const call = event.target.closest('dialog a[href^="tel:"]');
    if (call && shop.state.product) shop.tracker.track("call", { sku: shop.state.product });
  });
  window.addEventListener("popstate", () => restoreFromUrl(shop));
  // Filters fold away on phones; beside the results on wider screens they stay open. The
  // page opened them already, before its first paint, where the screen is wide (page.html.j2).
  const wide = window.matchMedia("(min-width: 900px)");
  wide.addEventListener("change", () => { el.filters.open = wide.matches; });
}
