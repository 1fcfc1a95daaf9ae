/**
 * Generates src/kmip/generated/*.ts from the KMIP specification text.
 *
 *   npx tsx scripts/gen-registry.ts            write the files
 *   npx tsx scripts/gen-registry.ts --check    exit 1 (naming them) if the committed files are stale
 *   npx tsx scripts/gen-registry.ts --report   also print what the generator noticed
 *
 * The spec is read from ${KMIP_SPEC_DIR:-../shared/kmip-spec}, relative to the repo root.
 * docs/REGISTRY.md describes the sources, the rules and the override lists.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { emitAll } from "./registry/emit.js";
import { buildRegistry } from "./registry/model.js";
import { REPO_ROOT, specDir } from "./registry/sources.js";

const OUT_DIR = join(REPO_ROOT, "src", "kmip", "generated");

function main(argv: readonly string[]): number {
  const check = argv.includes("--check");
  const registry = buildRegistry(specDir());
  if (argv.includes("--report")) for (const line of registry.report) console.log(line);
  const files = emitAll(registry);
  const stale: string[] = [];
  for (const [name, content] of files) {
    const path = join(OUT_DIR, name);
    const current = existsSync(path) ? readFileSync(path, "utf8") : undefined;
    if (current === content) continue;
    if (check) stale.push(relative(REPO_ROOT, path));
    else writeFileSync(path, content);
  }
  if (check && stale.length > 0) {
    console.error(`stale generated registry files (run \`npx tsx scripts/gen-registry.ts\`):\n  ${stale.join("\n  ")}`);
    return 1;
  }
  const n = (k: "tags" | "enums" | "masks" | "attributes"): number => registry[k].length;
  console.log(`${check ? "checked" : "wrote"} src/kmip/generated: ${n("tags")} tags, ${n("enums")} enumerations, ${n("masks")} masks, ${n("attributes")} attributes`);
  return 0;
}

process.exitCode = main(process.argv.slice(2));
