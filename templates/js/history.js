// The state back into the URL, so that Back returns to the previous state: a discrete change
// (a click, a select) is one history entry; a run of typing in one box pushes one entry and
// then replaces it, and settles (is reported, activity.js) after a pause, a submit or any
// other change.

import { trackSettled } from "./activity.js";
import { stateToSearch } from "./state.js";
import { PAGE } from "./view.js";

const SETTLE_MS = 1000;

/** The URL side of `shop` (shop.js): {write, change, typed, settle}. */
export function createHistory(shop) {
  let burst = null; // a run of typing in one box: {kind, pushed, timer}

  /** Write shop.state to the URL (a new entry when `push`); false if it is there already. */
  function write(push, extra = null) {
    const search = stateToSearch(shop.state, shop.model);
    if (search === location.search && !extra) return false;
    const url = location.pathname + search;
    window.history[push ? "pushState" : "replaceState"](extra, "", url);
    return true;
  }

  /** A discrete change (click, select): one history entry. */
  function change(next) {
    settle();
    shop.state = next;
    shop.limit = PAGE;
    write(true);
  }

  /** Typing: the first change of a run pushes a history entry, the rest replace it. */
  function typed(kind, next) {
    if (burst && burst.kind !== kind) settle();
    if (!burst) burst = { kind, pushed: false, timer: 0 };
    shop.state = next;
    shop.limit = PAGE;
    // The URL once the handler is done (a microtask): the search the keystroke starts is on its
    // way to the worker first, and replaceState's milliseconds overlap that search.
    const run = burst;
    queueMicrotask(() => {
      if (write(!run.pushed)) run.pushed = true;
    });
    clearTimeout(burst.timer);
    burst.timer = setTimeout(settle, SETTLE_MS);
  }

  /** End the run of typing, if any, and report it. */
  function settle() {
    if (!burst) return;
    clearTimeout(burst.timer);
    const { kind } = burst;
    burst = null;
    trackSettled(shop, kind);
  }

  return { write, change, typed, settle };
}
