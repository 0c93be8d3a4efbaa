// Reference for benchmarks/build.py: how long lunr.js (Node) takes to build the same index.
// Usage: node lunr_js_build.mjs DOCUMENTS.json  → prints {"seconds": s, "bytes": n}
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

const lunr = createRequire(import.meta.url)("lunr");
const { fields, documents } = JSON.parse(readFileSync(process.argv[2], "utf8"));
const started = process.hrtime.bigint();
const index = lunr(function () {
  this.pipeline.reset();        // the same empty pipeline: documents arrive tokenised
  this.searchPipeline.reset();
  this.ref("id");
  for (const [name, boost] of fields) this.field(name, { boost });
  for (const doc of documents) {
    const joined = { id: doc.id };
    for (const [name] of fields) joined[name] = doc[name].join(" ");
    this.add(joined);
  }
});
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
console.log(JSON.stringify({ seconds, bytes: JSON.stringify(index).length }));
