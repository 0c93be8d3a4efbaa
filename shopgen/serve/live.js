// `shopgen serve` only (never in a build): reload the page when a rebuild finishes, and show
// the catalog's problems over the page until they are fixed. Server-sent events from
// /__shopgen/live: "hello" (the build's number, on every connection), "reload", "problems".
(() => {
  const source = new EventSource("/__shopgen/live");
  let build = null;
  let panel = null;

  function showProblems(text) {
    if (!panel) {
      panel = document.createElement("div");
      panel.id = "shopgen-problems";
      panel.setAttribute("role", "alert");
      panel.style.cssText = "position:fixed;inset:auto 0 0 0;max-height:60vh;overflow:auto;" +
        "margin:0;padding:1rem;background:#fff3f3;color:#7a0000;border-top:3px solid #c00;" +
        "font:14px/1.4 ui-monospace,monospace;white-space:pre-wrap;z-index:2147483647";
      document.body.append(panel);
    }
    panel.textContent = `shopgen serve: the page shows the previous build.\n\n${text}`;
  }

  source.addEventListener("hello", (event) => {
    const state = JSON.parse(event.data);
    // A new build since this page loaded (or a restarted server): show it.
    if (build !== null && state.build !== build) location.reload();
    build = state.build;
    if (state.problems) showProblems(state.problems);
  });
  source.addEventListener("reload", () => location.reload());
  source.addEventListener("problems", (event) => showProblems(JSON.parse(event.data).problems));
})();
