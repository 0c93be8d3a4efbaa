// The product cards of the grid. The build renders the first page of them into the HTML
// (_macros.html.j2 `card`); this makes any other one, the same markup, from the model when it
// is first shown. Pictures come from small files (shopgen/build/cards.py), each fetched when
// one of its cards is shown; until then the card keeps the picture's box (4:3), so nothing
// moves when it arrives.

import { formatMoney } from "./model.js";

const SIZES = "(min-width:700px) 300px,50vw"; // as page.html.j2

/** A product's own page, as shopgen/catalog/page_address.py names it. */
export function productPage(sku) {
  const anchor = sku.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "");
  return `p/p-${anchor}.html`;
}

/**
 * @param model   the catalog model (model.cards: {per, files} of the pictures)
 * @param served  the <li> cards the HTML holds: the first products, in catalog order
 * item(p) → the card's <li>; link(p) → its heading's link; positionOf(li) → p.
 */
export function createCards(model, served) {
  const items = new Map(served.map((li, p) => [p, li]));
  const positions = new Map(served.map((li, p) => [li, p]));
  const links = new Map();
  const files = new Map(); // file number → Promise of its pictures
  const brands = labels(model, "brand");

  function item(p) {
    let li = items.get(p);
    if (!li) {
      li = makeCard(model, p, brands);
      items.set(p, li);
      positions.set(li, p);
      pictures(Math.floor(p / model.cards.per)).then((rows) => {
        fillPicture(li, rows[p % model.cards.per]);
      }, (error) => console.warn("card pictures unavailable:", error));
    }
    return li;
  }

  function pictures(k) {
    if (!files.has(k)) {
      const url = new URL(model.cards.files[k], document.baseURI);
      const got = fetch(url).then((response) => {
        if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
        return response.json();
      });
      got.catch(() => files.delete(k)); // tried again with the next card of that file
      files.set(k, got);
    }
    return files.get(k);
  }

  function link(p) {
    if (!links.has(p)) links.set(p, item(p).querySelector("h3 a"));
    return links.get(p);
  }

  return { item, link, positionOf: (li) => positions.get(li) };
}

function labels(model, facetId) {
  const facet = model.facets.find((f) => f.id === facetId);
  return new Map(facet ? facet.values.map((v) => [v.id, v.label]) : []);
}

function makeCard(model, p, brands) {
  const product = model.products[p];
  const li = document.createElement("li");
  const article = document.createElement("article");
  const h3 = document.createElement("h3");
  const a = document.createElement("a");
  a.href = productPage(product.sku);
  a.textContent = product.name;
  h3.append(a);
  const brand = document.createElement("p");
  brand.className = "br";
  brand.textContent = brands.get(product.brand) || product.brand;
  const stock = document.createElement("p");
  stock.className = product.stock ? "in" : "out";
  stock.textContent = product.stock ? "In stock" : "Out of stock";
  article.append(document.createElement("picture"), h3, brand, priceLine(model, product), stock);
  li.append(article);
  return li;
}

/** The price, and the was-price on sale: as _macros.html.j2 `price`. */
export function priceLine(model, product) {
  const price = document.createElement("p");
  price.className = "pr";
  const now = document.createElement("span");
  now.className = "now";
  now.textContent = formatMoney(model, product.price);
  price.append(now);
  if (product.was) {
    const was = document.createElement("s");
    const hidden = document.createElement("span");
    hidden.className = "vh";
    hidden.textContent = "Was ";
    was.append(hidden, formatMoney(model, product.was));
    price.append(" ", was);
  }
  return price;
}

/** Put the picture [src, webp srcset, width, height] into the card's empty <picture>. */
function fillPicture(li, row) {
  const picture = li.querySelector("picture");
  if (!picture || picture.firstChild) return;
  if (!row) {
    picture.remove(); // the product has no picture (the build's card has none either)
    return;
  }
  const [src, webp, width, height] = row;
  const source = document.createElement("source");
  source.type = "image/webp";
  source.srcset = webp.split(", ").map((item) => `images/${item}`).join(", ");
  source.sizes = SIZES;
  const img = document.createElement("img");
  img.src = `images/${src}`;
  img.width = width;
  img.height = height;
  img.alt = li.querySelector("h3 a").textContent;
  img.loading = "lazy";
  img.decoding = "async";
  picture.append(source, img);
}
