/**
 * Structure checks run by the test command:
 *  - no source file over MAX_LINES lines (generated tables excepted);
 *  - layers import downward only (LAYERS below is the rule, docs/ARCHITECTURE.md the picture);
 *  - no import cycles between modules;
 *  - no KMIP tag number written outside the generated registry.
 */
import { readFileSync, readdirSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const MAX_LINES = 400;
const GENERATED = /(^|\/)generated\//;

/** folder under src/ → folders it may import from (itself always allowed). */
const LAYERS: Record<string, string[]> = {
  ttlv: [],
  kmip: ["ttlv"],
  encodings: ["ttlv", "kmip"],
  messages: ["ttlv", "kmip"],
  model: ["ttlv", "kmip", "messages"],
  store: [],
  keys: ["store"],
  operations: ["ttlv", "kmip", "messages", "model", "store", "keys", "auth", "kms"],
  client: ["ttlv", "kmip", "messages", "encodings"],
  config: ["ttlv", "kmip"],
  audit: ["store"],
  auth: ["store"],
  kms: ["store", "keys", "auth"],
  rewrap: ["store", "keys", "kms", "auth"],
  server: ["ttlv", "kmip", "encodings", "messages", "model", "store", "keys", "operations", "config", "audit", "auth", "kms", "rewrap"],
  cli: ["ttlv", "kmip", "encodings", "messages", "model", "store", "keys", "operations", "client", "config", "server", "audit", "auth", "kms", "rewrap"],
};

/** Packages that may be imported only inside one adapter folder. */
const CONFINED: Record<string, string[]> = {
  lmdb: ["src/store/lmdb/"],
  pkcs11js: ["src/keys/pkcs11/"],
  "node:tls": ["src/server/", "src/client/", "src/cli/"],
};

function walk(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (/\.ts$/.test(name)) out.push(p);
  }
  return out;
}

const problems: string[] = [];
const files = ["src", "test", "scripts", "bench", "conformance"].flatMap((d) => {
  try {
    return walk(join(ROOT, d));
  } catch {
    return [];
  }
});
const graph = new Map<string, string[]>();

for (const file of files) {
  const rel = relative(ROOT, file);
  const text = readFileSync(file, "utf8");
  const lines = text.split("\n").length;
  if (lines > MAX_LINES && !GENERATED.test(rel)) problems.push(`${rel}: ${lines} lines (limit ${MAX_LINES})`);

  const imports = [...text.matchAll(/^\s*(?:import|export)\s[^;]*?from\s+["'](\.[^"']+)["']/gm)].map((m) => m[1]!);
  const targets = imports.map((i) => resolve(dirname(file), i.replace(/\.js$/, ".ts")));
  graph.set(file, targets);

  if (rel.startsWith("src/")) {
    for (const m of text.matchAll(/^\s*(?:import|export)\s[^;]*?from\s+["']([^."'][^"']*)["']/gm)) {
      const allowedIn = CONFINED[m[1]!];
      if (allowedIn && !allowedIn.some((d) => rel.startsWith(d))) problems.push(`${rel}: ${m[1]} may be imported only in ${allowedIn.join(", ")}`);
    }
    const layer = rel.split("/")[1]!;
    const allowed = LAYERS[layer];
    if (!allowed) problems.push(`${rel}: folder src/${layer} has no entry in LAYERS (scripts/check-structure.ts)`);
    for (const t of targets) {
      const tl = relative(join(ROOT, "src"), t).split("/")[0]!;
      if (tl !== layer && allowed && !allowed.includes(tl)) problems.push(`${rel}: src/${layer} may not import src/${tl}`);
    }
    if (layer !== "kmip") {
      // src/kmip is the registry: the one place tag numbers live
      for (const m of text.matchAll(/\b0x(42|54)[0-9A-Fa-f]{4}\b/g)) problems.push(`${rel}: tag number ${m[0]} written outside the registry`);
    }
  }
}

// cycle detection: depth-first search with colours
const colour = new Map<string, number>();
function visit(f: string, stack: string[]): void {
  colour.set(f, 1);
  for (const t of graph.get(f) ?? []) {
    if (!graph.has(t)) continue;
    const c = colour.get(t) ?? 0;
    if (c === 1) problems.push(`import cycle: ${[...stack.slice(stack.indexOf(t)), t].map((x) => relative(ROOT, x)).join(" → ")}`);
    else if (c === 0) visit(t, [...stack, t]);
  }
  colour.set(f, 2);
}
for (const f of graph.keys()) if (!colour.get(f)) visit(f, [f]);

if (problems.length > 0) {
  console.error(problems.join("\n"));
  process.exit(1);
}
console.log(`structure ok: ${files.length} files, no cycles, layers respected, none over ${MAX_LINES} lines`);
