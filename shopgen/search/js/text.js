// Text folding shared by the page and the search worker. The build folds the index the same
// way (shopgen/search/index.py: NFKD, combining marks removed, lower-cased; words are runs of
// letters and digits), so a query must go through exactly this before it meets the index.

const MARKS = /\p{M}+/gu;
const WORD = /[\p{L}\p{N}]+/gu;

/** "Café Crème" → "cafe creme". */
export function fold(text) {
  return text.normalize("NFKD").replace(MARKS, "").toLowerCase();
}

/** The folded words of `text`, in order, without repeats. */
export function words(text) {
  return [...new Set(fold(text).match(WORD) || [])];
}

/** Split `text` into [piece, isWord] runs, keeping everything (for highlighting). */
export function runs(text) {
  const out = [];
  let last = 0;
  for (const m of text.matchAll(/[\p{L}\p{N}\p{M}]+/gu)) {
    if (m.index > last) out.push([text.slice(last, m.index), false]);
    out.push([m[0], true]);
    last = m.index + m[0].length;
  }
  if (last < text.length) out.push([text.slice(last), false]);
  return out;
}
