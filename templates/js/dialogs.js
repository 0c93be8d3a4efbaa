// The details dialog: the shop page's one native <dialog> (#dlg), filled with a product's
// details from its own page (p/<anchor>.html, the build's product.html.j2: its #details
// element's .media and .info), fetched when first opened and kept. The dialog opens at once
// with what the product's card shows (name, price, stock, picture); the rest follows when the
// product page arrives (the picture keeps its size, so nothing jumps). The script opens it from
// the state (?product=SKU) and reports opens and closes (Escape, Close), so that the URL, the
// history and the beacon follow; focus goes back to whatever opened the dialog.

const BIG = "(min-width:800px) 360px,94vw";

/**
 * @param dialog   the page's <dialog id="dlg">
 * @param pageOf   position → the product page's URL (the card link's href)
 * @param cardOf   position → the product's card (its <li>), for the first paint
 * @param on       {open(p), close(p)}: the dialog opened for / was closed by the customer
 */
export function createDialogs(dialog, pageOf, cardOf, on) {
  const title = dialog.querySelector("#dlg-t");
  const body = dialog.querySelector("#dlg-body");
  const pages = new Map(); // position → Promise of the product page's #details element
  let current = -1;
  let opener = null;

  // The close event comes a task after close(): when show() closed the dialog (to switch
  // products, or for Back), current is already -1 or the dialog is open again.
  dialog.addEventListener("close", () => {
    if (dialog.open || current < 0) return;
    const p = current;
    current = -1;
    refocus();
    on.close(p);
  });

  function refocus() {
    const back = opener;
    opener = null;
    if (back && back.isConnected && document.activeElement !== back) back.focus();
  }

  /** The product page's #details (fetched once; a failed fetch is tried again next time). */
  function load(p) {
    if (!pages.has(p)) {
      const got = fetchDetails(new URL(pageOf(p), document.baseURI));
      got.catch(() => pages.delete(p));
      pages.set(p, got);
    }
    return pages.get(p);
  }

  /** Show the dialog for position p (or close it for -1); `from` is what opened it. */
  function show(p, from) {
    if (p === current && (p < 0 || dialog.open)) return;
    const wasOpen = dialog.open;
    current = -1;
    if (wasOpen) dialog.close();
    if (p < 0) {
      refocus();
      return;
    }
    if (from) opener = from;
    else if (!wasOpen) {
      const active = document.activeElement;
      opener = active && active !== document.body ? active : null;
    }
    current = p;
    const card = cardOf(p);
    title.textContent = card.querySelector("h3 a").textContent;
    body.replaceChildren(...firstPaint(card));
    fillDetails(body, load(p), pageOf(p), () => current === p);
    dialog.showModal();
    on.open(p);
  }

  return { show, prefetch: (p) => { load(p).catch(() => {}); }, element: () => dialog };
}

function fetchDetails(url) {
  return fetch(url).then((response) => {
    if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
    return response.text();
  }).then((html) => {
    const found = new DOMParser().parseFromString(html, "text/html").getElementById("details");
    if (!found) throw new Error(`${url}: no #details`);
    return found;
  });
}

/** What the page knows already: the card's picture, price and stock. */
function firstPaint(card) {
  const media = document.createElement("div");
  media.className = "media";
  const picture = card.querySelector("picture");
  if (picture && picture.querySelector("img")) { // (a card's picture may still be coming)
    const copy = picture.cloneNode(true);
    for (const el of copy.querySelectorAll("[sizes]")) el.sizes = BIG;
    const img = copy.querySelector("img");
    img.loading = "eager";
    media.append(copy);
  }
  const info = document.createElement("div");
  info.className = "info";
  for (const known of card.querySelectorAll("article > .pr, article > .in, article > .out")) {
    info.append(known.cloneNode(true));
  }
  const wait = document.createElement("p");
  wait.className = "wait";
  wait.textContent = "Loading details…";
  info.append(wait);
  return [media, info];
}

/** Replace the first paint with the product page's details once they arrive (if the dialog
 * still shows that product), or offer a link to the page when they cannot be loaded. */
function fillDetails(body, details, page, stillShown) {
  body.setAttribute("aria-busy", "true");
  details.then((found) => {
    if (!stillShown()) return;
    const parts = [".media", ".info"].map((sel) => found.querySelector(sel)).filter(Boolean);
    body.replaceChildren(...parts.map((el) => document.importNode(el, true)));
  }, (error) => {
    if (!stillShown()) return;
    console.warn("product details unavailable:", error);
    const note = document.createElement("p");
    note.className = "wait";
    const link = document.createElement("a");
    link.href = page;
    link.textContent = "the product's page";
    note.append("The details could not be loaded. Try ", link, ".");
    body.querySelector(".wait")?.replaceWith(note);
  }).finally(() => {
    if (stillShown()) body.removeAttribute("aria-busy");
  });
}
