// The state back into the URL, so that Back returns to the previous state: a discrete change
// (a click, a select) is one history entry; a run of typing in one box pushes one entry and
// then replaces it, and settles (is reported, activity.js) after a pause, a submit or any
// other change.

import { trackSettled } from "./activity.js";
import { stateToSearch } from "./state.js";
import { PAGE } from "./view.js";

const SETTLE_MS = 1000;
// A run of typing replaces its URL once the keys pause this long: replaceState takes
// milliseconds, which every keystroke's results would otherwise wait for.
const URL_AFTER_MS = 150;

/** The URL side of `shop` (shop.js): {write, change, typed, settle, drop}. */
export function createHistory(shop) {
  let burst = null; // a run of typing in one box: {kind, pushed, timer, writing}

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

  /** Typing: the first change of a run pushes a history entry at once (so that Back leaves
   * the run), the rest replace it when the keys pause, or before any other write. */
  function typed(kind, next) {
    if (burst && burst.kind !== kind) settle();
    if (!burst) burst = { kind, pushed: false, timer: 0, writing: 0 };
    shop.state = next;
    shop.limit = PAGE;
    const run = burst;
    clearTimeout(run.writing);
    // (The first once the handler is done, a microtask: its search is on its way first.)
    if (!run.pushed) queueMicrotask(() => { if (burst === run && !run.pushed) writeTyped(run); });
    else run.writing = setTimeout(() => writeTyped(run), URL_AFTER_MS);
    clearTimeout(run.timer);
    run.timer = setTimeout(settle, SETTLE_MS);
  }

  function writeTyped(run) {
    clearTimeout(run.writing);
    run.writing = 0;
    if (write(!run.pushed)) run.pushed = true;
  }

  /** End the run of typing, if any: its URL now, and report it. */
  function settle() {
    if (!burst) return;
    clearTimeout(burst.timer);
    if (burst.writing || !burst.pushed) writeTyped(burst);
    const { kind } = burst;
    burst = null;
    trackSettled(shop, kind);
  }

  /** Back or Forward: the URL is the state now; nothing more of the typing is written. */
  function drop() {
    if (!burst) return;
    clearTimeout(burst.writing);
    burst.writing = 0;
    burst.pushed = true; // (settle writes nothing)
  }

  return { write, change, typed, settle, drop };
}
