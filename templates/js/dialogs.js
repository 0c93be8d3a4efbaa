// The details dialogs (one native <dialog> per product, rendered by the build inside the
// product's <li>, which the list may detach: a dialog moves to <body> before it opens). The
// script opens them as modals from the state (?product=SKU) and reports closes (Escape, Close), so
// that the URL and the history follow; focus goes back to whatever opened the dialog.

/**
 * @param dialogs  every product's <dialog>, by position
 * @param onClose  called with the product position when the customer closes a dialog
 */
export function createDialogs(dialogs, onClose) {
  let current = -1;
  let opener = null;
  let quiet = false;

  document.addEventListener("close", (event) => {
    const p = dialogs.indexOf(event.target);
    if (p < 0) return;
    if (p === current) current = -1;
    const back = opener;
    opener = null;
    if (back && back.isConnected && document.activeElement !== back) back.focus();
    if (!quiet) onClose(p);
  }, true);

  /** Show the dialog of position p (or none for -1). */
  function show(p, from) {
    if (p === current && (p < 0 || dialogs[p].open)) return;
    if (current >= 0 && dialogs[current].open) {
      quiet = true;
      dialogs[current].close();
      quiet = false;
    }
    current = p;
    if (p < 0) return;
    const active = from || document.activeElement;
    opener = active && active !== document.body ? active : null;
    if (dialogs[p].parentElement !== document.body) document.body.append(dialogs[p]);
    if (!dialogs[p].open) dialogs[p].showModal();
  }

  return { show, count: dialogs.length, element: (p) => dialogs[p] };
}
