/**
 * Rewrap throughput (docs/PERFORMANCE.md, issue 7): N keys registered under a KMS key on the
 * database provider and, when SoftHSM2 is installed, on a SoftHSM token; rotate; drain() timed
 * (back-to-back batches of `kms.rewrap.batch.size`, each one store transaction).
 * Usage: npx tsx bench/rewrap.ts [N] [batch]
 */
import { createSoftHsmToken } from "../test/support/softhsm.js";
import { registerMany } from "../test/integration/rewrap-support.js";
import { startTenancyKmipd } from "../test/integration/tenancy-support.js";

const N = Number(process.argv[2] ?? 5000);
const BATCH = Number(process.argv[3] ?? 200);

async function run(profile: "database" | "softhsm"): Promise<void> {
  const srv = await startTenancyKmipd({ overrides: { "limits.max_batch_items": 500, "kms.rewrap.batch.size": BATCH, "kms.rewrap.interval.ms": 86_400_000, "logging.level": "warn" } });
  let token: ReturnType<typeof createSoftHsmToken> | undefined;
  try {
    let hsmProfile = "database";
    if (profile === "softhsm") {
      token = createSoftHsmToken("bench-rewrap", "13572468", "86427531");
      await srv.engine.profiles.add({ name: "bench", provider: "pkcs11", scope: { kind: "system" }, details: { library: token.library, token: token.token, pin: token.pin } });
      hsmProfile = "bench";
    }
    await srv.engine.kmsKeys.create({ name: "b", zone: "default", account: "default", hsmProfile });
    await registerMany(await srv.client(), N, "b", 500);
    await srv.engine.rewrap.rotate("b", "default");
    const t = process.hrtime.bigint();
    const ok = await srv.engine.rewrap.drain();
    const sec = Number(process.hrtime.bigint() - t) / 1e9;
    console.log(`${profile}: ${N} DEKs rewrapped in ${sec.toFixed(2)} s = ${Math.round(N / sec)} DEKs/s (batch ${BATCH}, complete ${ok})`);
  } finally {
    await srv.stop();
    token?.remove();
  }
}

await run("database");
await run("softhsm").catch((e) => console.log(`softhsm: skipped (${e instanceof Error ? e.message : String(e)})`));
