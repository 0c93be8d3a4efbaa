// The index pieces (shopgen/search/pieces.py) back into lunr's serialised index, which
// lunr.Index.load takes: the same terms, `_index`es, postings and field vectors as lunr.py
// wrote, for the fields of the pieces given (in the index's own field order).

/**
 * @param first   the first piece (terms, their _index, the short fields)
 * @param more    further pieces ({piece, postings, scores}), e.g. the descriptions
 * @returns a serialised lunr index over first's fields and every piece's
 */
export function toLunr(first, ...more) {
  const pieces = [first, ...more];
  const fields = first.fields.filter((f) => pieces.some((p) => p.piece.includes(f)));
  const { terms, index, docs } = first;
  const inverted = terms.map((term, t) => [term, { _index: index[t] }]);
  const fieldVectors = [];
  for (const field of fields) {
    const piece = pieces.find((p) => p.piece.includes(field));
    const perDoc = Array.from({ length: docs }, () => []);
    piece.postings[field].forEach((gaps, t) => {
      const posting = {};
      let doc = 0;
      for (const gap of gaps) {
        doc += gap;
        posting[doc] = {};
        perDoc[doc].push(index[t]);
      }
      inverted[t][1][field] = posting;
    });
    const scores = piece.scores[field];
    for (let doc = 0; doc < docs; doc++) {
      const ids = perDoc[doc].sort((a, b) => a - b);
      const elements = new Array(ids.length * 2);
      ids.forEach((id, k) => {
        const s = scores[doc][k];
        elements[2 * k] = id;
        elements[2 * k + 1] = Number.isInteger(s) ? s / 1000 : s;
      });
      fieldVectors.push([`${field}/${doc}`, elements]);
    }
  }
  const lunrIndex = { version: first.version, fields, fieldVectors, invertedIndex: inverted,
    pipeline: [] };
  if (first.shopgen) lunrIndex.shopgen = first.shopgen; // the query rules (search.js)
  return lunrIndex;
}
