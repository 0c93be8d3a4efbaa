// Renders a state's results into the server-rendered page. The HTML holds the first page of
// cards (catalog order); any other card is made here from the model when it is first shown
// (cards.js), so the page's cost follows what the customer looks at, not the catalog, and a
// keystroke touches a few dozen nodes, never thousands.

import { createCards } from "./cards.js";
import { formatMoney } from "./model.js";
import { fold, runs } from "../../shopgen/search/js/text.js";

export const PAGE = 48; // cards per page: shopgen/build/render.py LIST_PAGE

/** Bind the page's elements; returns the render functions. Null if the page is not ours. */
export function createView(root, model) {
  const list = root.querySelector("#results");
  const served = [...list.children];
  if (served.length !== Math.min(PAGE, model.n)) return null;
  const $ = (sel) => root.querySelector(sel);
  const el = {
    list, status: $("#count"), empty: $("#empty"), more: $("#more"), sort: $("#sort"),
    q: $("#q"), facets: $("#facets"), filters: $("#filters"), search: $("#search"),
    clear: $("#clear"), pager: root.querySelector(".pager"),
  };
  // The numbered pages are for customers without JavaScript: here "Show more" pages.
  if (el.pager) el.pager.hidden = true;
  const cards = createCards(model, served);
  const controls = facetControls(el.facets, model);
  const screen = watchScreen(served);
  const { renderList, kept } = createListRenderer(el, cards, screen);
  return {
    el, item: cards.item, link: cards.link, positionOf: cards.positionOf, ready: cards.ready,
    renderList, kept, onScreen: screen.reach,
    renderCounts: (counts) => renderCounts(controls, counts),
    renderStatus: (total) => renderStatus(el.status, total),
    renderEmpty: (total, state, close, suggestion) => renderEmpty(el.empty, model, total, state,
      close, suggestion),
    syncControls: (state) => syncControls(el, controls, state),
  };
}

/** renderList(result, limit, isMatch): the first `limit` matches, their names highlighted;
 * returns the positions it added. kept(positions): how many of the first of `positions` the
 * list shows already, in that order. */
function createListRenderer(el, cards, screen) {
  const { list } = el;
  const marks = new Map(); // position → highlight key currently in its name
  // The HTML's cards: the catalog's first products. (Starting from [] appended a loaded
  // address's matches after them: "/?q=boots" listed the first 48 products, then the boots.)
  let shown = Array.from(list.children, (_, k) => k);

  function kept(positions) {
    let k = 0;
    while (k < shown.length && k < positions.length && shown[k] === positions[k]) k++;
    return k;
  }

  function renderList(result, limit, isMatch) {
    const count = Math.min(limit, result.total);
    const next = Array.from(result.list.subarray(0, count));
    const prefix = shown.length <= next.length && shown.every((p, k) => p === next[k]);
    const nodes = next.map(cards.item);
    if (!prefix) reorder(list, nodes);
    else if (next.length > shown.length) list.append(...nodes.slice(shown.length));
    screen.watch(nodes);
    for (const p of next) {
      const link = cards.link(p);
      highlight(link, link.textContent, isMatch, marks, p); // (the name: its marks add no text)
    }
    const added = prefix ? next.slice(shown.length) : next;
    shown = next;
    el.more.hidden = count >= result.total;
    el.more.textContent = `Show more (${result.total - count} more)`;
    return added;
  }

  return { renderList, kept };
}

/**
 * How far down the window reaches into the list: reach() → how many of the list's first cards
 * are on screen or above it (null until known), so that a render can list those before its
 * frame and the ones below the window after it. An IntersectionObserver tells where each card
 * was after each frame, so this reads no layout; a render puts its cards in the same places
 * as the ones it replaces (a grid: same slots), give or take a line of text, which the
 * observer's margin below the window covers.
 * @param served  the cards the HTML holds (watched from the start)
 */
function watchScreen(served) {
  const below = new Map(); // card listed → it was below the window (and the margin), last seen
  const observer = new IntersectionObserver((entries) => {
    for (const entry of entries) {
      if (!below.has(entry.target)) continue; // (taken out of the list since)
      below.set(entry.target, !entry.isIntersecting && entry.boundingClientRect.top > 0);
    }
  }, { rootMargin: "0px 0px 25% 0px" });
  let shown = [];
  // A card taken out of the list is no longer watched: put back, watching it anew tells where
  // it is (an observer speaks only when a card enters or leaves the window).
  const watch = (nodes) => {
    const now = new Set(nodes);
    for (const node of shown) {
      if (!now.has(node)) {
        observer.unobserve(node);
        below.delete(node);
      }
    }
    for (const node of nodes) {
      if (!below.has(node)) {
        below.set(node, undefined);
        observer.observe(node);
      }
    }
    shown = nodes;
  };
  watch(served);
  return {
    watch,
    reach() {
      let known = false;
      for (let k = shown.length - 1; k >= 0; k--) {
        const isBelow = below.get(shown[k]);
        if (isBelow === false) return k + 1;
        known ||= isBelow === true;
      }
      return known ? 0 : null;
    },
  };
}

/** Make the list's children `nodes`, in order, moving as few as it can: a card that stays
 * is not taken out and put back (which would style, lay out and decode it again). Narrowing a
 * sorted list keeps the order of the cards that remain, so only new cards are inserted. */
function reorder(list, nodes) {
  const keep = new Set(nodes);
  for (const child of [...list.children]) if (!keep.has(child)) child.remove();
  let cursor = list.firstElementChild;
  for (const node of nodes) {
    if (node === cursor) cursor = cursor.nextElementSibling;
    else list.insertBefore(node, cursor);
  }
}

/** Mark the words of `name` that the search matched; `marks` skips what is there already. */
function highlight(link, name, isMatch, marks, p) {
  const pieces = runs(name).map(([text, word]) => [text, word && isMatch !== null && isMatch(fold(text))]);
  const key = pieces.map(([, m]) => (m ? 1 : 0)).join("");
  if ((marks.get(p) || "") === (key.includes("1") ? key : "")) return;
  if (!key.includes("1")) {
    link.textContent = name;
    marks.delete(p);
    return;
  }
  link.replaceChildren(...pieces.map(([text, m]) => {
    if (!m) return document.createTextNode(text);
    const mark = document.createElement("mark");
    mark.textContent = text;
    return mark;
  }));
  marks.set(p, key);
}

/** Each facet value's count; a value that would match nothing is disabled (unless chosen).
 * Counts null: not known yet (the columns are coming), shown as none. */
function renderCounts(controls, counts) {
  for (const [facetId, { inputs, spans }] of controls) {
    const c = counts ? counts.get(facetId) : null;
    if (counts && !c) continue;
    for (let v = 0; v < inputs.length; v++) {
      if (!inputs[v]) continue;
      const text = c ? `(${c[v]})` : "";
      if (spans[v] && spans[v].textContent !== text) spans[v].textContent = text;
      const off = c !== null && c[v] === 0 && !inputs[v].checked;
      if (inputs[v].disabled !== off) inputs[v].disabled = off;
    }
  }
}

function renderStatus(status, total) {
  const text = total === 0 ? "No products match" : `${total} product${total === 1 ? "" : "s"}`;
  if (status.textContent !== text) status.textContent = text;
}

/** The empty state: an offer to clear, and close matches (positions) as detail buttons. */
function renderEmpty(empty, model, total, state, close, suggestion) {
  empty.hidden = total !== 0;
  if (total !== 0) return;
  const h = document.createElement("h3");
  h.textContent = state.q.trim() ? `Nothing matches “${state.q.trim()}”` : "Nothing matches these filters";
  const offer = document.createElement("p");
  const reset = document.createElement("button");
  reset.type = "button";
  reset.dataset.action = "reset";
  reset.textContent = "Clear filters and search";
  offer.append("Try fewer words or filters, or ", reset);
  const box = [h, offer];
  if (suggestion) box.push(didYouMean(suggestion));
  if (close.length) {
    const title = document.createElement("p");
    title.textContent = "Close matches:";
    box.push(title, closeMatchList(model, close));
  }
  empty.replaceChildren(...box);
}

/** "Did you mean jacket?": a button that searches for the index's closest words. */
function didYouMean(suggestion) {
  const p = document.createElement("p");
  const b = document.createElement("button");
  b.type = "button";
  b.className = "linkish";
  b.dataset.suggest = suggestion;
  b.textContent = suggestion;
  p.append("Did you mean ", b, "?");
  return p;
}

function closeMatchList(model, close) {
  const ul = document.createElement("ul");
  for (const p of close) {
    const li = document.createElement("li");
    const b = document.createElement("button");
    b.type = "button";
    b.className = "linkish";
    b.dataset.open = String(p);
    const product = model.products[p];
    b.textContent = `${product.name}, ${formatMoney(model, product.price)}`;
    li.append(b);
    ul.append(li);
  }
  return ul;
}

/** Put the state into the controls (after a load or Back). */
function syncControls(el, controls, state) {
  if (el.q.value !== state.q) el.q.value = state.q;
  for (const [facetId, { inputs }] of controls) {
    const chosen = new Set(state.sel[facetId] || []);
    inputs.forEach((input) => { if (input) input.checked = chosen.has(input.value); });
  }
  for (const input of el.facets.querySelectorAll('input[type="number"]')) {
    const [id, end] = input.name === "min" || input.name === "max"
      ? ["price", input.name] : splitBound(input.name);
    const r = state.range[id];
    const value = r && r[end] !== null ? String(r[end]) : "";
    if (input.value !== value && Number(input.value) !== Number(value || NaN)) input.value = value;
  }
  el.facets.elements.stock.checked = state.stock;
  el.sort.value = state.sort;
}

/** "weight-min" → ["weight", "min"]. */
export function splitBound(name) {
  const cut = name.lastIndexOf("-");
  return [name.slice(0, cut), name.slice(cut + 1)];
}

function facetControls(form, model) {
  const controls = new Map();
  for (const facet of model.facets) {
    if (facet.kind === "number") continue;
    const inputs = new Array(facet.values.length).fill(null);
    const spans = new Array(facet.values.length).fill(null);
    for (const input of form.querySelectorAll(`input[type="checkbox"]`)) {
      if (input.name !== facet.id) continue;
      const v = facet.index.get(input.value);
      if (v === undefined) continue;
      inputs[v] = input;
      spans[v] = input.parentElement.querySelector(".n");
    }
    controls.set(facet.id, { inputs, spans });
  }
  return controls;
}
