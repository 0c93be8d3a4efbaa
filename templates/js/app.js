// The page's script, its entry point. The page works without it; this only enhances what the
// build rendered. The shop page flows one way: its state comes from the URL (state.js), is
// searched and filtered into a result (shop.js), rendered into the page (view.js, dialogs.js)
// and written back to the URL (history.js); controls.js turns the customer's input into
// changes of that state, and activity.js tells the tracker about them.

import { trackProductPage } from "./activity.js";
import { wireControls } from "./controls.js";
import { buildModel } from "./model.js";
import { createShop, searchReady, startShop } from "./shop.js";
import { createSearcher } from "../../shopgen/search/js/searcher.js";
import { createTracker } from "./tracking.js";
import { createView } from "./view.js";

const nextTask = () => new Promise((resolve) => setTimeout(resolve, 0));

async function main() {
  const root = document.getElementById("shop");
  if (!root) {
    const product = document.getElementById("product");
    if (product) trackProductPage(product);
    return;
  }
  const tracker = createTracker(root.dataset.tracker);
  tracker.track("pageview", { path: location.pathname + location.search, referrer: document.referrer });
  let shop = null;
  const searcher = createSearcher(root.dataset.index, root.dataset.worker,
    () => shop && searchReady(shop));
  // A search in the address: the engine and its index load now, beside the data file.
  if (new URLSearchParams(location.search).get("q")) searcher.load();
  // The page's data file is small (facets, SKUs): the columns and cards come as needed.
  const response = await fetch(root.dataset.data);
  if (!response.ok) throw new Error(`${root.dataset.data}: HTTP ${response.status}`);
  const model = buildModel(await response.json());
  await nextTask();
  const view = createView(root, model);
  if (!view) return;
  shop = createShop(root, model, view, tracker, searcher);
  wireControls(shop);
  startShop(shop);
}

main().catch((error) => console.error("shop script failed:", error));
