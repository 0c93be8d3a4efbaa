// The page's script, its entry point. The page works without it; this only enhances what the
// build rendered. The shop page flows one way: its state comes from the URL (state.js), is
// searched and filtered into a result (shop.js), rendered into the page (view.js, dialogs.js)
// and written back to the URL (history.js); controls.js turns the customer's input into
// changes of that state, and activity.js tells the tracker about them.

import { trackProductPage } from "./activity.js";
import { wireControls } from "./controls.js";
import { buildModel } from "./model.js";
import { createShop, startShop } from "./shop.js";
import { createTracker } from "./tracking.js";
import { createView } from "./view.js";

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
  const shop = createShop(root, model, view, tracker);
  wireControls(shop);
  startShop(shop);
}

main().catch((error) => console.error("shop script failed:", error));
