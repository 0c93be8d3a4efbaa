// The product cards of the grid. The build renders the first page of them into the HTML
// (_macros.html.j2 `card`); this makes any other one, the same markup, when it is first shown:
// from the product's record, which is the model's (once its columns are in) or its row in a
// card file (shopgen/build/cards.py: cards/<digest>/<n>.json, the cards of 16 products from
// position 16n, a few KB), fetched when one of its cards is first wanted. The picture comes from that file too; until then the card
// keeps the picture's box (4:3), so nothing moves when it arrives.

import { cardRecord, formatMoney } from "./model.js";

const SIZES = "(min-width:700px) 300px,50vw"; // as page.html.j2

/** A product's anchor, as shopgen/catalog/page_address.py names it. */
function anchorOf(sku) {
  return `p-${sku.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "")}`;
}

/** A product's own page, as shopgen/catalog/page_address.py names it. */
export function productPage(sku) {
  return `p/${anchorOf(sku)}.html`;
}

/**
 * @param model   the catalog model (model.files: the folder of the card files and the cards
 *                 each holds)
 * @param served  the <li> cards the HTML holds: the first products, in catalog order
 * item(p) → the card's <li> (p served, or its record there: see ready); link(p) → its
 * heading's link; positionOf(li) → p; ready(cards, records) → null when each position of
 * `cards` can be shown and each of `records` has its record, else a Promise of that.
 */
export function createCards(model, served) {
  const items = new Map(served.map((li, p) => [p, li]));
  const positions = new Map(served.map((li, p) => [li, p]));
  const links = new Map();
  const files = new Map(); // card file number → Promise of its rows
  const brands = labels(model, "brand");

  function item(p) {
    let li = items.get(p);
    if (!li) {
      li = makeCard(model, model.products[p], brands);
      items.set(p, li);
      positions.set(li, p);
      if (model.pictureOf) fillPicture(li, model.pictureOf(p));
      else {
        cardFile(p).then((row) => fillPicture(li, row[5]),
          (error) => console.warn("card picture unavailable:", error));
      }
    }
    return li;
  }

  /** Product p's card, from its card file (fetched once; a failed fetch is tried again). */
  function cardFile(p) {
    const { cards, cardsPerFile } = model.files;
    const number = Math.floor(p / cardsPerFile);
    if (!files.has(number)) {
      const url = new URL(`${cards}${number}.json`, document.baseURI);
      const got = fetch(url).then((response) => {
        if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
        return response.json();
      });
      got.catch(() => files.delete(number));
      files.set(number, got);
    }
    return files.get(number).then((rows) => rows[p % cardsPerFile]);
  }

  function ready(cards, records) {
    const missing = [...cards.filter((p) => !items.has(p)), ...records]
      .filter((p) => !model.products[p]);
    if (!missing.length) return null;
    return Promise.all(missing.map((p) => cardFile(p).then(
      (row) => { model.products[p] ||= cardRecord(model, p, row); },
      (error) => {
        // (A product gone since this page was built: its card says so, not the page.)
        console.warn("card unavailable:", error);
        model.products[p] ||= { sku: model.skus[p], name: model.skus[p], brand: null,
          price: null, was: 0, stock: 0 };
      })));
  }

  function link(p) {
    if (!links.has(p)) links.set(p, item(p).querySelector("h3 a"));
    return links.get(p);
  }

  return { item, link, ready, positionOf: (li) => positions.get(li) };
}

function labels(model, facetId) {
  const facet = model.facets.find((f) => f.id === facetId);
  return new Map(facet ? facet.values.map((v) => [v.id, v.label]) : []);
}

function makeCard(model, product, brands) {
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
  article.append(document.createElement("picture"), h3, brand);
  if (product.price !== null) article.append(priceLine(model, product));
  article.append(stock);
  li.append(article);
  return li;
}

/** The price, and the was-price on sale: as _macros.html.j2 `price`. */
function priceLine(model, product) {
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
