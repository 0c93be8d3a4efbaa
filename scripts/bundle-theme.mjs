// Bundles and minifies the theme (templates/js, templates/css) into templates/dist/ with esbuild.
// The page's script imports the search modules from shopgen/search/js/ (with ranking.json) by
// relative path; search.js, imported dynamically, becomes its own chunk, which the page also
// starts as a module Worker through its `import.meta.url` (kept as is in ESM output).
// Output names carry a content hash; dist/manifest.json maps each entry to its file so that
// `shopgen build` can link them without knowing esbuild.
import { build } from "esbuild";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { basename, dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "templates");
const outdir = join(root, "dist");
rmSync(outdir, { recursive: true, force: true });
mkdirSync(outdir, { recursive: true });

const result = await build({
  entryPoints: [join(root, "js", "app.js"), join(root, "css", "style.css")],
  outdir,
  bundle: true,
  splitting: true,
  format: "esm",
  minify: true,
  target: ["es2020"],
  entryNames: "[name]-[hash]",
  chunkNames: "[name]-[hash]",
  metafile: true,
  legalComments: "none",
  logLevel: "warning",
});

// `imports`: each entry's static imports (shared chunks), which the pages preload
// (<link rel="modulepreload">) so they are not requested only once the entry is parsed.
const manifest = { entries: {}, files: [], imports: {} };
for (const [out, info] of Object.entries(result.metafile.outputs)) {
  const file = relative(outdir, out);
  manifest.files.push(file);
  if (!info.entryPoint) continue;
  manifest.entries[basename(info.entryPoint)] = file;
  manifest.imports[file] = info.imports
    .filter((i) => i.kind === "import-statement" && !i.external)
    .map((i) => relative(outdir, i.path)).sort();
}
manifest.files.sort();

// The beacon on its own (it is bundled into the page's script): its minified and gzip size,
// which `shopgen build` prints (the budget is 1 KB gzip).
const beacon = await build({
  entryPoints: [join(root, "js", "beacon.js")], bundle: true, format: "esm", minify: true,
  target: ["es2020"], write: false, legalComments: "none",
});
const beaconCode = beacon.outputFiles[0].contents;
manifest.beacon = { raw: beaconCode.length, gzip: gzipSync(beaconCode, { level: 9 }).length };
writeFileSync(join(outdir, "manifest.json"), JSON.stringify(manifest, null, 2) + "\n");
console.log(`theme bundled: ${manifest.files.join(", ")}`);
