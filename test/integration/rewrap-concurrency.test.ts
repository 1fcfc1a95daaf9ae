/**
 * kms.rewrap.concurrency above the PKCS#11 session pool (4 sessions per token): on SoftHSM, 16
 * rewrap calls of a batch in flight just queue for a session. Every DEK moves, none fails, no
 * session ever serves two calls at once, at most 4 are busy, and every key opens with its bytes.
 */
import { expect } from "chai";
import type { Pkcs11Api } from "../../src/keys/pkcs11/module.js";
import { createSoftHsmToken } from "../support/softhsm.js";
import { checkAll, registerMany } from "./rewrap-support.js";
import { startTenancyKmipd } from "./tenancy-support.js";

const N = 600;

describe("rewrap on SoftHSM with concurrency 16: calls beyond the session pool queue", function () {
  this.timeout(120_000);

  it("moves every DEK with at most 4 sessions busy, each serving one call at a time", async () => {
    const busy = new Set<string>();
    let maxBusy = 0;
    let overlap = 0;
    let watching = false;
    // Watch the in-HSM rewrap: C_UnwrapKeyAsync then C_WrapKeyAsync on one session.
    const watch = (raw: Pkcs11Api): Pkcs11Api =>
      new Proxy(raw, {
        get(target, prop) {
          const v = Reflect.get(target, prop) as unknown;
          if (typeof v !== "function") return v;
          if (prop === "C_UnwrapKeyAsync") {
            return (s: Buffer, ...rest: unknown[]) => {
              if (watching) {
                const k = s.toString("hex");
                if (busy.has(k)) overlap++;
                busy.add(k);
                maxBusy = Math.max(maxBusy, busy.size);
              }
              return (v as (...a: unknown[]) => unknown).call(target, s, ...rest);
            };
          }
          if (prop === "C_WrapKeyAsync") {
            return async (s: Buffer, ...rest: unknown[]) => {
              try {
                return await (v as (...a: unknown[]) => Promise<unknown>).call(target, s, ...rest);
              } finally {
                busy.delete(s.toString("hex"));
              }
            };
          }
          return (v as (...a: unknown[]) => unknown).bind(target);
        },
      });
    const hsm = createSoftHsmToken("rewrap-conc", "11223344", "44332211");
    const srv = await startTenancyKmipd({
      overrides: { "limits.max_batch_items": 300, "kms.rewrap.batch.size": 200, "kms.rewrap.interval.ms": 86_400_000, "kms.rewrap.concurrency": 16 },
      pkcs11Overrides: { wrapModule: watch },
    });
    try {
      await srv.engine.profiles.add({ name: "hsm", provider: "pkcs11", scope: { kind: "system" }, details: { library: hsm.library, token: hsm.token, pin: hsm.pin } });
      await srv.engine.kmsKeys.create({ name: "k", zone: "default", account: "default", hsmProfile: "hsm" });
      const c = await srv.client();
      const originals = await registerMany(c, N, "k", 300);
      const job = await srv.engine.rewrap.rotate("k", "default");
      watching = true;
      expect(await srv.engine.rewrap.drain()).to.equal(true);
      watching = false;
      expect(srv.engine.rewrap.status().find((j) => j.id === job.id)).to.include({ state: "done", total: N, succeeded: N, failed: 0, remaining: 0 });
      expect(overlap, "no session served two rewraps at once").to.equal(0);
      expect(maxBusy, "several sessions busy at once, never more than the pool's 4").to.be.within(2, 4);
      const v = (await srv.engine.kmsKeys.show("k", "default")).versions;
      expect(v.map((x) => [x.version, x.state, x.objects])).to.deep.equal([[1, "retired", 0], [2, "active", N]]);
      expect(await checkAll(c, originals, 300)).to.equal(N);
    } finally {
      await srv.stop();
      hsm.remove();
    }
  });
});
