/**
 * Resilience of the PKCS#11 provider on SoftHSM2: the token directory moved away mid-run, a
 * hanging HSM, device errors from a failing wrapper, a wrong PIN, a missing token. Every failure
 * is a KeyProviderError within the operation timeout, nothing crashes, and the same provider
 * object works again once the HSM is back.
 */
import { randomBytes } from "node:crypto";
import { expect } from "chai";
import { createPkcs11KeyProvider, type Pkcs11Api, type Pkcs11KeyProvider, type Pkcs11ProviderOptions } from "../../src/keys/pkcs11/index.js";
import type { KeyProviderError } from "../../src/keys/types.js";
import { createSoftHsmToken, type SoftHsmToken } from "../support/softhsm.js";
import { expectKeyProviderError } from "./support.js";

interface Faults {
  /** Calls of these methods throw this CKR (as pkcs11js's plain Errors do: "CKR_X:code"). */
  throwOn?: { methods: RegExp; error: string; times: number };
  /** C_WrapKeyAsync never answers until released. */
  hang?: boolean;
  held: Array<() => void>;
  count: Map<string, number>;
}

function faulty(api: Pkcs11Api, f: Faults): Pkcs11Api {
  return new Proxy(api, {
    get(target, prop) {
      const v = Reflect.get(target, prop, target) as unknown;
      if (typeof v !== "function" || typeof prop !== "string") return v;
      return (...args: unknown[]) => {
        f.count.set(prop, (f.count.get(prop) ?? 0) + 1);
        const t = f.throwOn;
        if (t && t.times > 0 && t.methods.test(prop)) {
          t.times--;
          throw new Error(t.error);
        }
        const out = (v as (...a: unknown[]) => unknown).apply(target, args);
        if (f.hang && prop === "C_WrapKeyAsync") {
          // Hold the answer back (the native call itself finishes; its session stays busy).
          return new Promise((resolve, reject) => f.held.push(() => (out as Promise<unknown>).then(resolve, reject)));
        }
        return out;
      };
    },
  });
}

describe("PKCS#11 key provider: outages and failures (SoftHSM2)", function () {
  this.timeout(60_000);
  let hsm: SoftHsmToken;
  const open: Pkcs11KeyProvider[] = [];
  const messages: string[] = [];
  let faults: Faults;

  before(() => (hsm = createSoftHsmToken("kmipd-outage")));
  beforeEach(() => (faults = { held: [], count: new Map() }));
  afterEach(async () => {
    for (const f of faults.held.splice(0)) f();
    for (const p of open.splice(0)) await p.close();
  });
  after(() => {
    for (const m of messages) expect(m).to.not.include(hsm.pin);
    hsm?.remove();
  });

  function provider(extra: Partial<Pkcs11ProviderOptions> = {}): Pkcs11KeyProvider {
    const p = createPkcs11KeyProvider({
      library: hsm.library,
      token: hsm.token,
      pin: hsm.pin,
      retryCount: 3,
      retryDelayMs: 50,
      operationTimeoutMs: 2_000,
      wrapModule: (raw) => faulty(raw, faults),
      ...extra,
    });
    open.push(p);
    return p;
  }

  async function timedFailure(p: Promise<unknown>, what: string): Promise<{ err: KeyProviderError; ms: number }> {
    const t0 = Date.now();
    const err = await expectKeyProviderError(p, what);
    messages.push(err.message);
    return { err, ms: Date.now() - t0 };
  }

  it("token directory moved away: transient errors within the timeout, fast failures while down, recovery in place", async () => {
    const kp = provider();
    const kek = await kp.currentKek();
    const dek = randomBytes(32);
    const blob = await kp.wrap(kek, dek);

    hsm.takeAway();
    try {
      const first = await timedFailure(kp.wrap(kek, randomBytes(32)), "wrap while away");
      expect(first.err.transient).to.equal(true);
      expect(first.ms).to.be.below(2_000 + 200);
      expect(first.err.message).to.match(/unavailable|stopped answering|no longer valid/);
      const second = await timedFailure(kp.unwrap(kek, blob), "unwrap while away");
      expect(second.err.transient).to.equal(true);
      expect(second.ms).to.be.below(2_000 + 200);
      // While the token is known down, a call fails at once instead of retrying.
      const fast = await timedFailure(kp.wrap(kek, dek), "right after");
      expect(fast.ms).to.be.below(100);
    } finally {
      hsm.bringBack();
    }
    await new Promise((r) => setTimeout(r, 60)); // past the probe interval
    expect(Buffer.from(await kp.unwrap(kek, blob)).equals(dek)).to.equal(true);
    const again = await kp.wrap(kek, dek);
    expect(Buffer.from(await kp.unwrap(kek, again)).equals(dek)).to.equal(true);
    expect(faults.count.get("C_Initialize")).to.be.greaterThan(1); // it re-initialized by itself
  });

  it("two providers on one library share the module: an outage and its recovery reach both, closing one leaves the other working", async () => {
    const shared = { wrapModule: undefined };
    const a = provider(shared);
    const b = provider({ ...shared, kekLabel: "kek-b" });
    const [ka, kb] = [await a.currentKek(), await b.currentKek()];
    const dek = randomBytes(24);
    const [ba, bb] = [await a.wrap(ka, dek), await b.wrap(kb, dek)];
    hsm.takeAway();
    try {
      expect((await timedFailure(a.unwrap(ka, ba), "a while away")).err.transient).to.equal(true);
      expect((await timedFailure(b.unwrap(kb, bb), "b while away")).err.transient).to.equal(true);
    } finally {
      hsm.bringBack();
    }
    await new Promise((r) => setTimeout(r, 60));
    expect(Buffer.from(await a.unwrap(ka, ba)).equals(dek)).to.equal(true);
    expect(Buffer.from(await b.unwrap(kb, bb)).equals(dek)).to.equal(true);
    await a.close();
    expect(Buffer.from(await b.unwrap(kb, await b.wrap(kb, dek))).equals(dek)).to.equal(true);
    await expectKeyProviderError(a.wrap(ka, dek), "a after close");
  });

  it("a hanging HSM: the call fails with a transient timeout, others still get sessions, then it answers again", async () => {
    const kp = provider({ operationTimeoutMs: 300, maxSessions: 2 });
    const kek = await kp.currentKek();
    faults.hang = true;
    const { err, ms } = await timedFailure(kp.wrap(kek, randomBytes(32)), "hung wrap");
    expect(err.transient).to.equal(true);
    expect(err.code).to.equal("TIMEOUT");
    expect(ms).to.be.within(250, 600);
    const dek = randomBytes(16);
    faults.hang = false;
    const blob = await kp.wrap(kek, dek); // the second session
    for (const f of faults.held.splice(0)) f(); // the first session comes back to the pool
    await new Promise((r) => setTimeout(r, 20));
    const many = await Promise.all(Array.from({ length: 10 }, () => kp.unwrap(kek, blob)));
    for (const b of many) expect(Buffer.from(b).equals(dek)).to.equal(true);
  });

  it("CKR_DEVICE_REMOVED / CKR_SESSION_HANDLE_INVALID: the provider reconnects, logs in again and the call succeeds", async () => {
    const kp = provider();
    const kek = await kp.currentKek();
    const logins = faults.count.get("C_Login") ?? 0;
    faults.throwOn = { methods: /^C_WrapKeyAsync$/, error: "CKR_DEVICE_REMOVED:50", times: 1 };
    const dek = randomBytes(32);
    const blob = await kp.wrap(kek, dek);
    expect(faults.count.get("C_Initialize")).to.equal(2);
    expect(faults.count.get("C_Login")).to.be.greaterThan(logins);
    faults.throwOn = { methods: /^C_UnwrapKeyAsync$/, error: "CKR_SESSION_HANDLE_INVALID:179", times: 2 };
    expect(Buffer.from(await kp.unwrap(kek, blob)).equals(dek)).to.equal(true);
    expect(faults.count.get("C_Initialize")).to.equal(2); // a session error needs new sessions, not a new module
    // More failures than retries: a transient error, and the provider still works afterwards.
    faults.throwOn = { methods: /^C_WrapKeyAsync$/, error: "CKR_DEVICE_ERROR:48", times: 10 };
    const { err } = await timedFailure(kp.wrap(kek, dek), "persistent device error");
    expect(err.transient).to.equal(true);
    expect(err.code).to.equal("CKR_DEVICE_ERROR");
    faults.throwOn = undefined;
    await new Promise((r) => setTimeout(r, 60));
    expect(Buffer.from(await kp.unwrap(kek, await kp.wrap(kek, dek))).equals(dek)).to.equal(true);
  });

  it("a wrong PIN fails for good, says so without the PIN, and is not tried again (no PIN lockout)", async () => {
    const kp = provider({ pin: "11112222" });
    const { err } = await timedFailure(kp.currentKek(), "wrong PIN");
    expect(err.transient).to.equal(false);
    expect(err.code).to.equal("CKR_PIN_INCORRECT");
    expect(err.message).to.match(/incorrect PIN/);
    expect(err.message).to.not.include("11112222");
    const logins = faults.count.get("C_Login");
    const { err: again } = await timedFailure(kp.wrap({ id: "kmipd-kek", version: 1 }, randomBytes(32)), "again");
    expect(again.code).to.equal("CKR_PIN_INCORRECT");
    expect(faults.count.get("C_Login")).to.equal(logins);
    expect(JSON.stringify(kp.describe())).to.not.include("11112222");
  });

  it("an unknown token label or library: clear errors, no crash", async () => {
    const kp = provider({ token: "no-such-token", operationTimeoutMs: 400 });
    const { err, ms } = await timedFailure(kp.currentKek(), "no token");
    expect(err.transient).to.equal(true);
    expect(err.message).to.match(/no-such-token/);
    expect(ms).to.be.below(600);
    expect(() => createPkcs11KeyProvider({ library: "/nonexistent/libpkcs11.so", token: "x", pin: hsm.pin })).to.throw(/cannot load the PKCS#11 library/);
  });
});
