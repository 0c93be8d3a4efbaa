// The page's side of search: starts the engine (search.js) lazily in a Worker, by the URL the
// build gives (so the page never downloads it itself), or on the main thread when Workers
// fail, and turns answers into what the filter needs. Until the index is there, a plain
// substring search over product names keeps the search box useful.
//
// A Worker's answer comes in a task of its own, which Chromium runs only after the frame that
// paints the typed letter: the results come a frame later (about 30 ms after the key, at best
// 17). So once the customer types, the same engine also starts on the main thread, over the
// same shards (the module and the shards come from the HTTP cache): a search whose shards it
// holds is answered there at once (a ms or two), in the keystroke's own task, and painted with
// the letter; any other (a word's first letters, a typo) goes to the Worker as before, while
// the main thread fetches the shards it lacked for the next keys.

import { stemmerFor } from "./stem.js";
import { words } from "./text.js";

/**
 * @param indexUrl   the index's meta file (assets.index; its shards are fetched per search)
 * @param workerUrl  the engine's module (assets.search), started as a Worker
 * @param onReady    called when the index is loaded (the page then re-runs its search)
 * search(q) answers {refs, loose, exact, isMatch(foldedWord)}; searchNow(q) gives the same
 * answer at once when the main thread holds what it needs, else null (then use search);
 * typing() starts the main thread's engine (the customer is typing).
 */
export function createSearcher(indexUrl, workerUrl, onReady) {
  let engine = null;
  let loading = null;
  let now = null; // the main thread's engine's searchLoaded, once it is there
  let here = null; // (it is being started)

  function load() {
    if (!loading) {
      const url = (u) => new URL(u, document.baseURI).href;
      loading = start(url(indexUrl), url(workerUrl)).then((e) => {
        engine = e;
        onReady();
        return e;
      }, (error) => {
        loading = null; // a later focus may try again
        console.warn("search index unavailable:", error);
      });
    }
    return loading;
  }

  /** Search with the engine (call only once ready()). */
  async function search(q) {
    return answer(await engine.search(q));
  }

  /** The answer now, from the main thread's engine, or null (call only once ready()). */
  function searchNow(q) {
    const result = now && now(q);
    return result ? answer(result) : null;
  }

  /** The customer types: the engine starts on the main thread too, once the index is in. */
  function typing() {
    if (here) return;
    here = load().then((loaded) => {
      if (!loaded) here = null; // (no index yet: the next key tries again)
      else if (loaded.now) now = loaded.now; // (no Worker: the engine runs here already)
      else {
        return import("./search.js")
          .then((module) => module.loadIndex(new URL(indexUrl, document.baseURI).href))
          .then((engineHere) => { now = engineHere.now; });
      }
    }).catch((error) => console.warn("search on the main thread unavailable:", error));
  }

  function answer(result) {
    const terms = new Set(result.nameTerms);
    // The index holds stems: a name word is a match when it or its stem was hit.
    const isMatch = (w) => terms.has(w) || terms.has(engine.stem(w));
    return { refs: result.refs, loose: result.loose, exact: true, isMatch,
      suggestion: result.suggestion || null };
  }

  // Every answer is the whole index's (the shards hold all of it): "whole" once ready.
  return { load, search, searchNow, typing, ready: () => engine !== null,
    whole: () => engine !== null };
}

// The page highlights name words by their stems: stem.js (small, in the page's script) stems
// as the engine does, so the engine itself is downloaded once, by the Worker.
async function start(url, workerUrl) {
  try {
    const [search, stemmer] = await inWorker(workerUrl, url);
    return { search, stem: stemmerFor(stemmer) };
  } catch (error) {
    console.warn("search worker unavailable, searching on the main thread:", error);
    const module = await import("./search.js");
    const engine = await module.loadIndex(url);
    return { search: engine.search, now: engine.now, stem: stemmerFor(engine.stemmer) };
  }
}

function inWorker(moduleUrl, indexUrl) {
  return new Promise((resolve, reject) => {
    // A search in the address: the page's head started the engine already (page.html.j2),
    // keeping what it said until now.
    const early = window.__shopgenEngine;
    window.__shopgenEngine = null;
    const worker = early ? early.worker : new Worker(moduleUrl, { type: "module" });
    const pending = new Map();
    let next = 0;
    worker.onerror = (event) => reject(new Error(event.message || "worker failed"));
    worker.onmessage = (event) => {
      const msg = event.data;
      if (msg.type === "ready") {
        resolve([(q) => new Promise((answer, fail) => {
          pending.set(++next, [answer, fail]);
          worker.postMessage({ type: "search", id: next, q });
        }), msg.stemmer]);
      } else if (msg.type === "failed") {
        worker.terminate();
        reject(new Error(msg.error));
      } else if (msg.type === "result") {
        const [answer, fail] = pending.get(msg.id);
        pending.delete(msg.id);
        if (msg.error) fail(new Error(msg.error)); // a shard could not be fetched
        else answer(msg);
      }
    };
    if (!early) worker.postMessage({ type: "load", url: indexUrl });
    else for (const event of early.events) worker[`on${event.type}`](event);
  });
}

/** Until the index arrives: every query word must occur in the product's name. */
export function searchNames(q, model) {
  const ws = words(q);
  const refs = [];
  for (let i = 0; i < model.n; i++) {
    if (ws.every((w) => model.names[i].includes(w))) refs.push(i);
  }
  return {
    refs: Int32Array.from(refs), loose: null, exact: false,
    isMatch: (w) => ws.some((t) => w.includes(t)),
  };
}
