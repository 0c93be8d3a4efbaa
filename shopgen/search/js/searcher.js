// The page's side of search: starts the engine (search.js) lazily in a Worker, by the URL the
// build gives (so the page never downloads it itself), or on the main thread when Workers
// fail, and turns answers into what the filter needs. Until the index is there, a plain
// substring search over product names keeps the search box useful.

import { words } from "./text.js";

/**
 * @param indexUrl   the index's first piece (assets.index)
 * @param workerUrl  the engine's module (assets.search), started as a Worker
 * @param onReady    called when the index is loaded, and again when the whole of it is (the
 *                   page then re-runs its search)
 * search(q) answers {refs, loose, exact, isMatch(foldedWord)}.
 */
export function createSearcher(indexUrl, workerUrl, onReady) {
  let engine = null;
  let loading = null;
  let whole = false; // the descriptions' piece has arrived too
  const onWhole = () => { whole = true; onReady(); };

  function load() {
    if (!loading) {
      const url = (u) => new URL(u, document.baseURI).href;
      loading = start(url(indexUrl), url(workerUrl), onWhole).then((e) => {
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
    const result = await engine.search(q);
    const terms = new Set(result.nameTerms);
    // The index holds stems: a name word is a match when it or its stem was hit.
    const isMatch = (w) => terms.has(w) || terms.has(engine.stem(w));
    return { refs: result.refs, loose: result.loose, exact: true, isMatch,
      suggestion: result.suggestion || null };
  }

  return { load, search, ready: () => engine !== null, whole: () => whole };
}

async function start(url, workerUrl, onComplete) {
  try {
    // The page highlights name words by their stems: it needs the engine's stemmer (lunr's),
    // so it loads the module too, beside the worker rather than after it.
    const [[search, stemmer], module] = await Promise.all([
      inWorker(workerUrl, url, onComplete), import("./search.js")]);
    return { search, stem: module.stemmerFor(stemmer) };
  } catch (error) {
    console.warn("search worker unavailable, searching on the main thread:", error);
    const module = await import("./search.js");
    const index = await module.loadIndex(url);
    let engine = index.engine;
    const search = async (q) => {
      if (engine === index.engine) {
        index.whole().then((whole) => {
          if (engine === whole) return;
          engine = whole;
          onComplete();
        }, (e) => console.warn("search index: descriptions unavailable:", e));
      }
      return engine.search(q);
    };
    return { search, stem: module.stemmerFor(engine.stemmer) };
  }
}

function inWorker(moduleUrl, indexUrl, onComplete) {
  return new Promise((resolve, reject) => {
    const worker = new Worker(moduleUrl, { type: "module" });
    const pending = new Map();
    let next = 0;
    worker.onerror = (event) => reject(new Error(event.message || "worker failed"));
    worker.onmessage = (event) => {
      const msg = event.data;
      if (msg.type === "ready") {
        resolve([(q) => new Promise((answer) => {
          pending.set(++next, answer);
          worker.postMessage({ type: "search", id: next, q });
        }), msg.stemmer]);
      } else if (msg.type === "complete") {
        onComplete();
      } else if (msg.type === "failed") {
        worker.terminate();
        reject(new Error(msg.error));
      } else if (msg.type === "result") {
        pending.get(msg.id)(msg);
        pending.delete(msg.id);
      }
    };
    worker.postMessage({ type: "load", url: indexUrl });
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
