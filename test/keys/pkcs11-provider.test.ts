/** The PKCS#11 key provider on a real SoftHSM2 token the test creates: KEKs, wrap, unwrap, in-HSM rewrap. */
import { randomBytes } from "node:crypto";
import { inspect } from "node:util";
import { expect } from "chai";
import pkcs11js from "pkcs11js";
import { createPkcs11KeyProvider, kekObjectId, type Pkcs11Api, type Pkcs11KeyProvider } from "../../src/keys/pkcs11/index.js";
import { createSoftHsmToken, type SoftHsmToken } from "../support/softhsm.js";
import { expectKeyProviderError } from "./support.js";

/** Method names that hand key bytes (or anything derived from them in the clear) to this process. */
const PLAINTEXT_RETURNING = /^C_(Decrypt|Digest|Encrypt|Sign|Verify|CreateObject|CopyObject|DeriveKey|SetAttributeValue)/;

interface Call {
  name: string;
  args: unknown[];
}

/** A Proxy over the pkcs11js module that records calls and throws on forbidden ones while armed. */
function watch(api: Pkcs11Api, calls: Call[], forbid: { on: boolean }): Pkcs11Api {
  return new Proxy(api, {
    get(target, prop) {
      const v = Reflect.get(target, prop, target) as unknown;
      if (typeof v !== "function" || typeof prop !== "string") return v;
      return (...args: unknown[]) => {
        calls.push({ name: prop, args });
        if (forbid.on && (PLAINTEXT_RETURNING.test(prop) || readsValue(prop, args))) throw new Error(`plaintext-returning call during rewrap: ${prop}`);
        return (v as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}

function readsValue(name: string, args: unknown[]): boolean {
  if (!name.startsWith("C_GetAttributeValue")) return false;
  const template = args[2] as { type: number }[];
  return template.some((a) => a.type === pkcs11js.CKA_VALUE);
}

describe("PKCS#11 key provider (SoftHSM2)", function () {
  this.timeout(60_000);
  let hsm: SoftHsmToken;
  let kp: Pkcs11KeyProvider;
  let api: Pkcs11Api;
  const calls: Call[] = [];
  const forbid = { on: false };
  const errors: string[] = [];

  before(() => {
    hsm = createSoftHsmToken("kmipd-unit");
    kp = createPkcs11KeyProvider({
      library: hsm.library,
      token: hsm.token,
      pin: hsm.pin,
      retryCount: 1,
      retryDelayMs: 20,
      operationTimeoutMs: 10_000,
      maxSessions: 2,
      wrapModule: (raw) => (api = watch(raw, calls, forbid)),
    });
  });
  after(async () => {
    await kp?.close();
    hsm?.remove();
    for (const m of errors) expect(m).to.not.include(hsm.pin);
  });

  /** A session of our own on the provider's module (login is per application: P8). */
  function withTestSession<T>(fn: (s: Buffer) => T): T {
    const slot = api.C_GetSlotList(true).find((x) => api.C_GetTokenInfo(x).label.trim() === hsm.token)!;
    const s = api.C_OpenSession(slot, pkcs11js.CKF_SERIAL_SESSION);
    try {
      return fn(s);
    } finally {
      api.C_CloseSession(s);
    }
  }

  async function failing(p: Promise<unknown>, what: string) {
    const err = await expectKeyProviderError(p, what);
    errors.push(err.message);
    return err;
  }

  it("currentKek creates kmipd-kek v1 once; generateKek adds versions; describe() masks the PIN", async () => {
    const [a, b] = await Promise.all([kp.currentKek(), kp.currentKek()]);
    expect(a).to.deep.equal({ id: "kmipd-kek", version: 1 });
    expect(b).to.deep.equal(a);
    const v2 = await kp.generateKek({ label: "kmipd-kek", bits: 256 });
    expect(v2.ref).to.deep.equal({ id: "kmipd-kek", version: 2 });
    expect(v2.objectId).to.equal(Buffer.from("kmipd-kek#v2").toString("hex"));
    expect(await kp.currentKek()).to.deep.equal(v2.ref);
    const d = kp.describe();
    expect(d).to.include({ kind: "pkcs11", library: hsm.library, token: hsm.token, pin: "****" });
    expect(d.slot).to.match(/^\d+$/);
    expect(JSON.stringify(d)).to.not.include(hsm.pin);
    // Nor does the provider object itself, however deeply it is logged.
    expect(inspect(kp, { depth: 30, showHidden: true })).to.not.include(hsm.pin);
  });

  it("a generated KEK is an AES token key: sensitive, never extractable, value unreadable", async () => {
    for (const bits of [128, 192, 256] as const) {
      const info = await kp.generateKek({ label: `attrs-${bits}`, bits });
      withTestSession((s) => {
        api.C_FindObjectsInit(s, [
          { type: pkcs11js.CKA_LABEL, value: `attrs-${bits}` },
          { type: pkcs11js.CKA_ID, value: kekObjectId(info.ref) },
        ]);
        const found = api.C_FindObjects(s, 5);
        api.C_FindObjectsFinal(s);
        expect(found).to.have.length(1);
        const want = [pkcs11js.CKA_KEY_TYPE, pkcs11js.CKA_VALUE_LEN, pkcs11js.CKA_TOKEN, pkcs11js.CKA_SENSITIVE, pkcs11js.CKA_ALWAYS_SENSITIVE, pkcs11js.CKA_EXTRACTABLE, pkcs11js.CKA_NEVER_EXTRACTABLE, pkcs11js.CKA_WRAP, pkcs11js.CKA_UNWRAP, pkcs11js.CKA_ENCRYPT, pkcs11js.CKA_DECRYPT];
        const attrs = api.C_GetAttributeValue(s, found[0]!, want.map((type) => ({ type })));
        const [keyType, len, token, sensitive, alwaysSensitive, extractable, neverExtractable, wrap, unwrap, encrypt, decrypt] = attrs.map((a) => a.value as Buffer);
        expect(keyType!.readUInt32LE(0)).to.equal(pkcs11js.CKK_AES);
        expect(len!.readUInt32LE(0)).to.equal(bits / 8);
        expect([token, sensitive, alwaysSensitive, neverExtractable, wrap, unwrap].map((b) => b![0])).to.deep.equal([1, 1, 1, 1, 1, 1]);
        expect([extractable, encrypt, decrypt].map((b) => b![0])).to.deep.equal([0, 0, 0]);
        expect(() => api.C_GetAttributeValue(s, found[0]!, [{ type: pkcs11js.CKA_VALUE }])).to.throw(/CKR_ATTRIBUTE_SENSITIVE/);
      });
    }
  });

  it("wrap/unwrap round-trips DEKs of 16, 24, 32, 37 and 4096 bytes, and many in parallel", async () => {
    const kek = await kp.currentKek();
    for (const n of [16, 24, 32, 37, 4096, 1, 7, 9, 20, 31, 33, 64]) {
      const dek = randomBytes(n);
      const blob = Buffer.from(await kp.wrap(kek, dek));
      if (n >= 8) expect(blob.includes(dek.subarray(0, 8)), `length ${n}`).to.equal(false);
      expect(blob.length % 8, `length ${n}`).to.equal(n % 8 === 0 ? 0 : 1);
      expect(Buffer.from(await kp.unwrap(kek, blob)).equals(dek), `length ${n}`).to.equal(true);
    }
    const deks = Array.from({ length: 40 }, () => randomBytes(32));
    const blobs = await Promise.all(deks.map((d) => kp.wrap(kek, d)));
    const back = await Promise.all(blobs.map((b) => kp.unwrap(kek, b)));
    back.forEach((b, i) => expect(Buffer.from(b).equals(deks[i]!)).to.equal(true));
  });

  it("wrong KEK, tampered blob, unknown KEK version: non-transient KeyProviderErrors without key bytes", async () => {
    const kek = await kp.currentKek();
    const other = (await kp.generateKek({ label: "other", bits: 256 })).ref;
    for (const n of [32, 37]) {
      const dek = randomBytes(n);
      const blob = Buffer.from(await kp.wrap(kek, dek));
      const wrongKek = await failing(kp.unwrap(other, blob), "wrong KEK");
      expect(wrongKek.transient).to.equal(false);
      const tampered = Buffer.from(blob);
      tampered[tampered.length - 3] = tampered[tampered.length - 3]! ^ 0x01;
      const bad = await failing(kp.unwrap(kek, tampered), "tampered");
      expect(bad.transient).to.equal(false);
      expect(bad.message).to.match(/integrity/);
      for (const e of [wrongKek, bad]) expect(e.message).to.not.include(dek.toString("hex"));
    }
    const missing = await failing(kp.unwrap({ id: "kmipd-kek", version: 99 }, await kp.wrap(kek, randomBytes(32))), "missing version");
    expect(missing.transient).to.equal(false);
    expect(missing.message).to.match(/not in the HSM token/);
    await failing(kp.wrap(kek, new Uint8Array(0)), "empty DEK");
    await failing(kp.unwrap(kek, randomBytes(13)), "not a blob");
  });

  it("rewrap v1 → v2 happens in the HSM: no plaintext-returning call, and v2 opens the new blob", async () => {
    const v1 = { id: "kmipd-kek", version: 1 };
    const v2 = { id: "kmipd-kek", version: 2 };
    for (const n of [32, 37]) {
      const dek = randomBytes(n);
      const old = await kp.wrap(v1, dek);
      calls.length = 0;
      forbid.on = true;
      let moved: Uint8Array;
      try {
        moved = await kp.rewrap(v1, v2, old);
      } finally {
        forbid.on = false;
      }
      const names = calls.map((c) => c.name);
      expect(names).to.include.members(["C_UnwrapKeyAsync", "C_WrapKeyAsync", "C_DestroyObject"]);
      expect(names.filter((x) => PLAINTEXT_RETURNING.test(x))).to.deep.equal([]);
      expect(calls.filter((c) => readsValue(c.name, c.args))).to.deep.equal([]);
      // The transient was unwrapped as sensitive.
      const template = calls.find((c) => c.name === "C_UnwrapKeyAsync")!.args[4] as { type: number; value: unknown }[];
      expect(template.find((a) => a.type === pkcs11js.CKA_SENSITIVE)!.value).to.equal(true);
      expect(Buffer.from(moved).equals(Buffer.from(old))).to.equal(false);
      expect(Buffer.from(await kp.unwrap(v2, moved)).equals(dek)).to.equal(true);
      const stale = await failing(kp.unwrap(v1, moved), "old version on the new blob");
      expect(stale.transient).to.equal(false);
    }
  });

  it("the guard is not vacuous: an unwrap under it is caught", async () => {
    const kek = await kp.currentKek();
    const blob = await kp.wrap(kek, randomBytes(32));
    forbid.on = true;
    try {
      await expectKeyProviderError(kp.unwrap(kek, blob), "unwrap reads CKA_VALUE");
    } finally {
      forbid.on = false;
    }
  });

  it("destroyKek removes that version's token object: unwrap under it fails, other versions work; never the newest", async () => {
    const label = "destroy-me";
    const [v1, v2, v3] = [await kp.generateKek({ label, bits: 256 }), await kp.generateKek({ label, bits: 256 }), await kp.generateKek({ label, bits: 256 })].map((i) => i.ref);
    const dek = randomBytes(32);
    const under1 = await kp.wrap(v1!, dek);
    const under2 = await kp.wrap(v2!, dek);
    expect(Buffer.from(await kp.unwrap(v1!, under1)).equals(dek)).to.equal(true); // its handle is cached now
    const objects = (ref: typeof v1) =>
      withTestSession((s) => {
        api.C_FindObjectsInit(s, [{ type: pkcs11js.CKA_LABEL, value: label }, { type: pkcs11js.CKA_ID, value: kekObjectId(ref!) }]);
        const found = api.C_FindObjects(s, 5);
        api.C_FindObjectsFinal(s);
        return found.length;
      });
    expect([objects(v1), objects(v2), objects(v3)]).to.deep.equal([1, 1, 1]);
    await kp.destroyKek(v1!);
    expect([objects(v1), objects(v2), objects(v3)], "only v1's token object is gone").to.deep.equal([0, 1, 1]);
    const err = await failing(kp.unwrap(v1!, under1), "unwrap under a destroyed version");
    expect(err.message).to.include("not in the HSM token");
    expect(err.transient).to.equal(false);
    expect(Buffer.from(await kp.unwrap(v2!, under2)).equals(dek)).to.equal(true);
    await kp.destroyKek(v1!); // already gone: a retry is not an error
    await failing(kp.destroyKek(v3!), "the newest version");
    expect(objects(v3)).to.equal(1);
    expect((await kp.generateKek({ label, bits: 256 })).ref.version, "numbering goes on after the newest").to.equal(4);
  });

  it("leaves no session objects behind", async () => {
    const kek = await kp.currentKek();
    await kp.rewrap(kek, kek, await kp.wrap(kek, randomBytes(24)));
    await kp.unwrap(kek, randomBytes(40)).catch(() => undefined);
    withTestSession((s) => {
      api.C_FindObjectsInit(s, [{ type: pkcs11js.CKA_TOKEN, value: false }]);
      const left = api.C_FindObjects(s, 10);
      api.C_FindObjectsFinal(s);
      expect(left).to.have.length(0);
    });
  });
});
