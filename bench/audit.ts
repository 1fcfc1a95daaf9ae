/**
 * Cost of the audit trail: appends of one record each awaited durable (what a lone client's
 * request adds), 64 in flight (concurrent clients: lmdb-js shares commits), a store insert with
 * and without an append after it, an insert with its record in the same transaction (what a
 * write item costs since docs/AUDIT.md §2 closed the gap), and verify/list over the whole trail.
 * Run: npx tsx bench/audit.ts [--n 2000]. Figures go in docs/AUDIT.md.
 */
import { createSecretKey, randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ChainedAuditLog, deriveAuditKey, type NewAuditRecord } from "../src/audit/index.js";
import { openLmdbStore } from "../src/store/lmdb/index.js";

const i = process.argv.indexOf("--n");
const N = i > 0 ? Number(process.argv[i + 1]) : 2000;

const rec = (k: number): NewAuditRecord => ({
  time: Date.now(), principal: "kmip-client", clientAddress: "127.0.0.1:50000", operation: "Get",
  objectIds: [`0190f3c2-7a4b-7c3d-8e5f-${String(k).padStart(12, "0")}`], result: "success",
});

async function timed(label: string, n: number, fn: () => Promise<void>): Promise<void> {
  const t0 = performance.now();
  await fn();
  const ms = performance.now() - t0;
  console.log(`${label.padEnd(44)} ${Math.round((n * 1000) / ms).toLocaleString("en-US").padStart(8)} /s  ${((ms * 1000) / n).toFixed(0).padStart(6)} µs each`);
}

const dir = mkdtempSync(join(tmpdir(), "kmipd-bench-audit-"));
try {
  const store = await openLmdbStore(join(dir, "store"));
  const log = new ChainedAuditLog({ storage: store.audit, key: deriveAuditKey(createSecretKey(randomBytes(32))) });
  const obj = (k: number) => ({ uid: store.newUid(), owner: "o", body: randomBytes(300), terms: [`name=${k}`], revision: 1 });
  await timed("append 1 record, awaited durable", N, async () => {
    for (let k = 0; k < N; k++) await log.append([rec(k)]);
  });
  await timed("append 1 record, 64 in flight", N, async () => {
    let next = 0;
    await Promise.all(Array.from({ length: 64 }, async () => {
      while (next < N) await log.append([rec(next++)]);
    }));
  });
  await timed("store insert alone, awaited", N, async () => {
    for (let k = 0; k < N; k++) await store.insert(obj(k));
  });
  await timed("store insert then append, awaited", N, async () => {
    for (let k = 0; k < N; k++) {
      await store.insert(obj(k));
      await log.append([rec(k)]);
    }
  });
  await timed("store insert with its record, one transaction", N, async () => {
    for (let k = 0; k < N; k++) {
      const p = log.prepare([rec(k)]);
      await store.batch([{ kind: "insert", rec: obj(k) }], p.build);
      await p.committed();
    }
  });
  const total = log.lastSeq();
  await timed(`verify (${total} records)`, total, async () => {
    if (!log.verify().ok) throw new Error("verify failed");
  });
  await timed(`list --object (scan of ${total})`, total, async () => {
    log.list({ objectId: "nope" });
  });
  await store.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
