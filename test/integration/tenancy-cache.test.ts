/**
 * The unwrapped-content cache through the real server: Get fills it; Revoke, Destroy, Re-key and
 * Archive drop the object's entry before the reply; disabling, rotating or deleting a KMS key
 * drops its entries, and a disabled key's objects are refused at once, not served from cache.
 */
import { expect } from "chai";
import { KmipRequestError } from "../../src/client/index.js";
import { Enums, Tag } from "../../src/kmip/index.js";
import { text } from "../../src/ttlv/index.js";
import { startTenancyKmipd, type TenancyKmipd } from "./tenancy-support.js";

describe("tenancy: the unwrapped-content cache", function () {
  this.timeout(60_000);
  let srv: TenancyKmipd;
  before(async () => (srv = await startTenancyKmipd({ overrides: { "kms.cache.max_entries": 100, "kms.cache.ttl_sec": 600 } })));
  after(async () => srv?.stop());

  it("is filled by Get and emptied before the reply by Revoke, Destroy, Re-key, Archive and KMS key changes", async () => {
    const { cache, kmsKeys } = srv.engine;
    await kmsKeys.create({ name: "ck", zone: "default", account: "default", hsmProfile: "database" });
    const c = await srv.client();
    const named = [{ name: "x-kms-key", value: text(Tag.AttributeValue, "ck") }];
    const uids = await Promise.all(Array.from({ length: 6 }, () => c.create({ attributes: named })));
    // The first Get clears Fresh (a write, which drops the entry); the second one fills the cache.
    for (const u of uids) await c.get(u);
    for (const u of uids) await c.get(u);
    expect(cache.size).to.equal(6);

    await c.activate(uids[0]!);
    await c.get(uids[0]!);
    expect(cache.size).to.equal(6);
    await c.revoke(uids[0]!);
    expect(cache.size, "after Revoke").to.equal(5);
    await c.destroy(uids[0]!);
    await c.call(Enums.Operation.ReKey, [text(Tag.UniqueIdentifier, uids[1]!)]);
    expect(cache.size, "after Re-key").to.equal(4);
    await c.call(Enums.Operation.Archive, [text(Tag.UniqueIdentifier, uids[2]!)]);
    expect(cache.size, "after Archive").to.equal(3);

    await kmsKeys.setState("ck", "disabled", "default");
    expect(cache.size, "after disable").to.equal(0);
    const err = await c.get(uids[3]!).then(
      () => undefined,
      (e: unknown) => e as KmipRequestError,
    );
    expect(err?.reason).to.equal(Enums.ResultReason.PermissionDenied);
    expect(err?.message).to.equal("KMS key ck is disabled");
    await kmsKeys.setState("ck", "enabled", "default");
    await c.get(uids[3]!);
    expect(cache.size).to.equal(1);
    await kmsKeys.rotate("ck", "default");
    expect(cache.size, "after rotate").to.equal(0);
    await c.get(uids[3]!);
    expect(cache.size).to.equal(1);
    await kmsKeys.delete("ck", { account: "default", force: true });
    expect(cache.size, "after delete").to.equal(0);
  });
});
