// The page's side of search: loads the engine (search.js) lazily, in a Worker when possible,
// and turns answers into what the filter needs. Until the index is there, a plain substring
// search over product names keeps the search box useful.

import { words } from "./text.js";

/**
 * @param indexUrl  the lunr index (assets.index)
 * @param onReady   called once the index is loaded (the page then re-runs its search)
 * search(q) answers {refs, loose, exact, isMatch(foldedWord)}.
 */
export function createSearcher(indexUrl, onReady) {
  let engine = null;
  let loading = null;

  function load() {
    if (!loading) {
      loading = start(new URL(indexUrl, document.baseURI).href).then((e) => {
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

  return { load, search, ready: () => engine !== null };
}

async function start(url) {
  const module = await import("./search.js");
  try {
    const [search, stemmer] = await inWorker(module.workerUrl, url);
    return { search, stem: module.stemmerFor(stemmer) };
  } catch (error) {
    console.warn("search worker unavailable, searching on the main thread:", error);
    const response = await fetch(url);
    const engine = module.createEngine(await response.json());
    return { search: async (q) => engine.search(q), stem: module.stemmerFor(engine.stemmer) };
  }
}

function inWorker(moduleUrl, indexUrl) {
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
