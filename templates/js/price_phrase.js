// A price phrase typed in the search box ("boots under 50", "between 20 and 40") becomes the
// price range, as if the customer had typed it in the price inputs: the state's range (and so
// the URL) at once, the inputs at once, and the search box loses the phrase once typing
// pauses (never mid-word: the next key would land in a changed box). Deleting the phrase
// before then gives the range back as it was. An address that holds a phrase
// ("/?q=boots+under+50": a link, the address bar, Back/Forward) is read the same way.

import { parsePrice } from "../../shopgen/search/js/query.js";
import { withState } from "./state.js";

const TIDY_MS = 1000;

/** The state for the search box's text `typed` (shop.js's shop). */
export function typedQuery(shop, typed) {
  const found = parsePrice(typed);
  clearTimeout(shop.phraseTimer);
  if (!found) {
    if (shop.phraseBase === undefined) return withState(shop.state, { q: typed });
    const range = withRange(shop.state.range, shop.phraseBase);
    shop.phraseBase = undefined;
    showPrice(shop, range.price);
    return withState(shop.state, { q: typed, range });
  }
  if (shop.phraseBase === undefined) shop.phraseBase = shop.state.range.price || null;
  const base = shop.phraseBase || { min: null, max: null };
  const price = { min: found.min ?? base.min, max: found.max ?? base.max };
  const range = withRange(shop.state.range, price);
  showPrice(shop, price);
  shop.phraseTimer = setTimeout(() => tidyPricePhrase(shop), TIDY_MS);
  return withState(shop.state, { q: found.text, range });
}

/**
 * A state read from the URL (a link, the address bar, Back/Forward) whose q holds a price
 * phrase ("?q=boots+under+50"): the phrase becomes the range, as typing it would (its bounds
 * over the URL's own min/max), and leaves the text query. The same state when there is none.
 */
export function withPricePhrase(state) {
  const found = parsePrice(state.q);
  if (!found) return state;
  const base = state.range.price || { min: null, max: null };
  const price = { min: found.min ?? base.min, max: found.max ?? base.max };
  return withState(state, { q: found.text, range: withRange(state.range, price) });
}

/** Read a price phrase in the address's q as typing it is read: shop.state takes the range
 * and the rest of the query, and the address is normalised in place (no new entry). */
export function takeUrlPricePhrase(shop) {
  const next = withPricePhrase(shop.state);
  if (next === shop.state) return;
  shop.state = next;
  shop.history.write(false);
}

/** The phrase is kept: the box shows the rest of the query. */
export function tidyPricePhrase(shop) {
  clearTimeout(shop.phraseTimer);
  if (shop.phraseBase === undefined) return;
  shop.phraseBase = undefined;
  const box = shop.view.el.q;
  if (box.value !== shop.state.q) box.value = shop.state.q;
}

function withRange(ranges, price) {
  const range = { ...ranges };
  if (price && (price.min !== null || price.max !== null)) range.price = price;
  else delete range.price;
  return range;
}

function showPrice(shop, price) {
  const inputs = shop.view.el.facets.elements;
  inputs.min.value = price && price.min !== null ? String(price.min) : "";
  inputs.max.value = price && price.max !== null ? String(price.max) : "";
}
