// What the customer does that the page reports (DESIGN.md "Beacon events"); tracking.js sends
// it. Searches and ranges are typed, so they are reported once the typing settles
// (history.js), not once per key; clicks are reported where they happen (controls.js).

import { createTracker } from "./tracking.js";

/** A product's own page (product.html.j2): its pageview and view, and every call from it. */
export function trackProductPage(main) {
  const tracker = createTracker(main.dataset.tracker);
  const { sku } = main.dataset;
  tracker.track("pageview", { path: location.pathname + location.search, referrer: document.referrer });
  tracker.track("view", { sku });
  document.addEventListener("click", (event) => {
    if (event.target.closest('a[href^="tel:"]')) tracker.track("call", { sku });
  });
}

/** A run of typing in one box ended: report its search (once per query) or its range. */
export function trackSettled(shop, kind) {
  const { state, tracker } = shop;
  const results = shop.result ? shop.result.total : 0;
  if (kind === "search") {
    const query = state.q.trim();
    if (query && query !== shop.trackedQuery) tracker.track("search", { query, results });
    shop.trackedQuery = query;
  } else {
    const r = state.range[kind];
    const value = r ? `${r.min ?? ""}-${r.max ?? ""}` : "";
    tracker.track("filter", { facet: kind, value, selected: Boolean(r), results });
  }
}

/** A filter was chosen or cleared ("all" for Clear all filters), with the matches it left. */
export function trackFilter(shop, facet, value, selected) {
  shop.tracker.track("filter", { facet, value, selected, results: shop.result.total });
}
