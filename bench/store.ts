/**
 * LMDB object store throughput: inserts (batched, one-at-a-time durable, concurrent durable),
 * findByTerm on selective terms, countByTerm, get — on a real environment in a temp dir.
 * Run: npx tsx bench/store.ts [--n 100000] [--seconds 3]. Figures go in docs/STORAGE.md.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { openLmdbStore, type LmdbObjectStore } from "../src/store/lmdb/index.js";
import type { ObjectRecord } from "../src/store/types.js";

const arg = (name: string, dflt: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const N = arg("n", 100_000);
const SECONDS = arg("seconds", 3);
const BATCH = 1000;
const CONCURRENCY = 64;

const body = randomBytes(300);
const blob = randomBytes(40);
/** 3 terms: unique name, one of 1,000 groups (100 objects each at 100k), one of 8 types. */
function rec(store: LmdbObjectStore, i: number): ObjectRecord {
  const uid = store.newUid();
  return {
    uid,
    owner: "CN=bench-client,O=Tenant A",
    body,
    material: { kekId: "db-kek", kekVersion: 1, algorithm: "AES-KWP", blob },
    terms: [`name=object-${i}`, `group=${i % 1000}`, `type=${i % 8}`],
    revision: 1,
  };
}

function rate(n: number, ms: number): string {
  return `${Math.round((n * 1000) / ms).toLocaleString("en-US")} /s`;
}

async function fresh(label: string): Promise<{ store: LmdbObjectStore; dir: string; cleanup: () => Promise<void> }> {
  const parent = mkdtempSync(join(tmpdir(), `kmipd-bench-${label}-`));
  const dir = join(parent, "db");
  const store = await openLmdbStore(dir);
  return {
    store,
    dir,
    cleanup: async () => {
      await store.close();
      rmSync(parent, { recursive: true, force: true });
    },
  };
}

function loop(name: string, op: (i: number) => void): void {
  for (let i = 0; i < 1000; i++) op(i);
  const until = performance.now() + SECONDS * 1000;
  const start = performance.now();
  let n = 0;
  while (performance.now() < until) {
    for (let i = 0; i < 100; i++) op(n + i);
    n += 100;
  }
  console.log(`| ${name} | ${rate(n, performance.now() - start)} |`);
}

console.log(`machine: ${cpus().length} × ${cpus()[0]?.model}, Node ${process.version}; N = ${N.toLocaleString("en-US")}, 3 terms per record\n`);
console.log("| operation | result |\n|---|---|");

// 1. batched: batch() of 1,000 inserts, one transaction and one flush each
{
  const { store, dir, cleanup } = await fresh("batched");
  const t0 = performance.now();
  for (let i = 0; i < N; i += BATCH) {
    const ops = Array.from({ length: Math.min(BATCH, N - i) }, (_, j) => ({ kind: "insert" as const, rec: rec(store, i + j) }));
    await store.batch(ops);
  }
  console.log(`| insert, batch() of ${BATCH} (durable per batch) | ${rate(N, performance.now() - t0)} |`);
  console.log(`| data.mdb after ${N.toLocaleString("en-US")} records | ${(statSync(join(dir, "data.mdb")).size / 2 ** 20).toFixed(1)} MiB |`);

  // reads on the loaded store
  const uids = [...store.listByOwner("CN=bench-client,O=Tenant A")];
  const owner = "CN=bench-client,O=Tenant A";
  const pick = (): string => uids[Math.floor(Math.random() * uids.length)]!;
  loop("get, random uid (sync)", () => {
    if (!store.get(pick(), owner)) throw new Error("missing");
  });
  loop("get by another owner (→ undefined)", () => {
    if (store.get(pick(), "someone else")) throw new Error("leak");
  });
  loop("findByTerm name=… (1 hit), iterate all", (i) => {
    let k = 0;
    for (const _ of store.findByTerm(owner, `name=object-${i % N}`)) k++;
    if (k !== 1) throw new Error(`name: ${k}`);
  });
  loop(`findByTerm group=… (${Math.ceil(N / 1000)} hits), iterate all`, (i) => {
    let k = 0;
    for (const _ of store.findByTerm(owner, `group=${i % 1000}`)) k++;
    if (k === 0) throw new Error("group");
  });
  loop(`findByTerm type=… (${Math.ceil(N / 8)} hits), first 10`, (i) => {
    let k = 0;
    for (const _ of store.findByTerm(owner, `type=${i % 8}`)) if (++k === 10) break;
  });
  loop("countByTerm", (i) => {
    if (store.countByTerm(owner, `type=${i % 8}`) === 0) throw new Error("count");
  });
  await cleanup();
}

// 2. one at a time, each awaited (committed + flushed) before the next
{
  const { store, cleanup } = await fresh("serial");
  const t0 = performance.now();
  for (let i = 0; i < N; i++) await store.insert(rec(store, i));
  console.log(`| insert one at a time, each awaited durable | ${rate(N, performance.now() - t0)} |`);
  await cleanup();
}

// 3. CONCURRENCY requests in flight, each awaiting its own durable insert (lmdb-js groups commits)
{
  const { store, cleanup } = await fresh("concurrent");
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < N) await store.insert(rec(store, next++));
    }),
  );
  console.log(`| insert, ${CONCURRENCY} in flight, each awaited durable | ${rate(N, performance.now() - t0)} |`);
  await cleanup();
}
