/**
 * Rewrap throughput (docs/PERFORMANCE.md, issue 7 acceptance 6), in one run on one machine:
 *
 *  - daemon: N keys registered under a KMS key, rotate, drain() timed — back-to-back batches of
 *    `kms.rewrap.batch.size`, up to `kms.rewrap.concurrency` provider calls of a batch in flight,
 *    each batch's object updates and job record one flushed LMDB transaction;
 *  - provider: right after, in the same process and on the same token and KEK versions, the
 *    provider's own rewrap() of N blobs from version 1 to version 2 — for PKCS#11 C_UnwrapKey
 *    into a sensitive session object + C_WrapKey + C_DestroyObject, in the HSM — with no store,
 *    one call in flight and 4 in flight.
 *
 * On the database provider and, when SoftHSM2 is installed, on a SoftHSM token.
 * Usage: npx tsx bench/rewrap.ts [N (default 3000)] [batch (default 200)] [concurrency (default 4,
 * the kms.rewrap.concurrency default)]; about a minute on 2 CPUs
 */
import { randomBytes } from "node:crypto";
import { cpus } from "node:os";
import type { KekRef } from "../src/keys/types.js";
import { createSoftHsmToken } from "../test/support/softhsm.js";
import { registerMany } from "../test/integration/rewrap-support.js";
import { startTenancyKmipd } from "../test/integration/tenancy-support.js";

const N = Number(process.argv[2] ?? 3000);
const BATCH = Number(process.argv[3] ?? 200);
const CONCURRENCY = Number(process.argv[4] ?? 4);

interface Row {
  readonly profile: string;
  readonly daemon: number;
  readonly provider1: number;
  readonly provider4: number;
}

/** DEKs/s of `rewrap` over every blob, `inflight` calls at a time. */
async function rate(blobs: readonly Uint8Array[], inflight: number, rewrap: (b: Uint8Array) => Promise<unknown>): Promise<number> {
  let next = 0;
  const t = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: inflight }, async () => {
      while (next < blobs.length) await rewrap(blobs[next++]!);
    }),
  );
  return blobs.length / (Number(process.hrtime.bigint() - t) / 1e9);
}

async function run(profile: "database" | "softhsm"): Promise<Row> {
  const srv = await startTenancyKmipd({ overrides: { "limits.max_batch_items": 500, "kms.rewrap.batch.size": BATCH, "kms.rewrap.concurrency": CONCURRENCY, "kms.rewrap.interval.ms": 86_400_000, "logging.level": "warn" } });
  let token: ReturnType<typeof createSoftHsmToken> | undefined;
  try {
    let hsmProfile = "database";
    if (profile === "softhsm") {
      token = createSoftHsmToken("bench-rewrap", "13572468", "86427531");
      await srv.engine.profiles.add({ name: "bench", provider: "pkcs11", scope: { kind: "system" }, details: { library: token.library, token: token.token, pin: token.pin } });
      hsmProfile = "bench";
    }
    const key = await srv.engine.kmsKeys.create({ name: "b", zone: "default", account: "default", hsmProfile });
    await registerMany(await srv.client(), N, "b", 500);
    await srv.engine.rewrap.rotate("b", "default");
    const t = process.hrtime.bigint();
    const ok = await srv.engine.rewrap.drain();
    const sec = Number(process.hrtime.bigint() - t) / 1e9;
    if (!ok) throw new Error("the drain did not complete");

    // The same token and KEK versions, the provider alone: N blobs under v1 (32-byte DEKs, as Register stored), rewrapped to v2.
    const provider = srv.engine.profiles.provider(hsmProfile);
    const [v1, v2]: KekRef[] = [{ id: key.id, version: 1 }, { id: key.id, version: 2 }];
    const blobs = await Promise.all(Array.from({ length: N }, () => provider.wrap(v1!, randomBytes(32))));
    await rate(blobs.slice(0, 200), 1, (b) => provider.rewrap(v1!, v2!, b)); // warm-up
    const provider1 = await rate(blobs, 1, (b) => provider.rewrap(v1!, v2!, b));
    const provider4 = await rate(blobs, 4, (b) => provider.rewrap(v1!, v2!, b));
    return { profile, daemon: N / sec, provider1, provider4 };
  } finally {
    await srv.stop();
    token?.remove();
  }
}

const rows = [await run("database")];
try {
  rows.push(await run("softhsm"));
} catch (e) {
  console.log(`softhsm: skipped (${e instanceof Error ? e.message : String(e)})`);
}
console.log(`${N} DEKs, batch ${BATCH}, daemon concurrency ${CONCURRENCY}; ${cpus().length} CPUs (${cpus()[0]?.model.trim()}), node ${process.version}`);
console.log(`| provider | daemon drain (concurrency ${CONCURRENCY}), DEKs/s | provider.rewrap(), 1 in flight, DEKs/s | provider.rewrap(), 4 in flight, DEKs/s |`);
console.log("|---|---|---|---|");
for (const r of rows) console.log(`| ${r.profile} | ${Math.round(r.daemon)} | ${Math.round(r.provider1)} | ${Math.round(r.provider4)} |`);
