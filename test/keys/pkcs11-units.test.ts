/** The PKCS#11 provider's pure parts, no HSM: the CKR table, the blob format, retry and timeout. */
import { expect } from "chai";
import { frameDek, parseBlob, storeBlob, unframeDek } from "../../src/keys/pkcs11/blob.js";
import { ckrKind, ckrName, toKeyProviderError } from "../../src/keys/pkcs11/ckr.js";
import { FAIL_FAST, withRetry } from "../../src/keys/pkcs11/resilience.js";
import { KeyProviderError } from "../../src/keys/types.js";
import { expectKeyProviderError } from "./support.js";

describe("PKCS#11 provider parts", () => {
  describe("CKR table", () => {
    it("reads the CKR name from Pkcs11Error, from pkcs11js's plain 'CKR_X:code' Errors, and from a bare code", () => {
      expect(ckrName(Object.assign(new Error("CKR_GENERAL_ERROR"), { code: 5 }))).to.equal("CKR_GENERAL_ERROR");
      expect(ckrName(new Error("CKR_TEMPLATE_INCOMPLETE:208"))).to.equal("CKR_TEMPLATE_INCOMPLETE");
      expect(ckrName({ code: 0x32 })).to.equal("CKR_DEVICE_REMOVED");
      expect(ckrName(new Error("no code here"))).to.equal(undefined);
      expect(ckrName("CKR_X")).to.equal(undefined);
    });

    it("device, session, stale and busy codes are transient; integrity and config codes are not", () => {
      const cases: Array<[string, boolean, string]> = [
        ["CKR_DEVICE_REMOVED", true, "device"],
        ["CKR_TOKEN_NOT_PRESENT", true, "device"],
        ["CKR_CRYPTOKI_NOT_INITIALIZED", true, "device"],
        ["CKR_SESSION_HANDLE_INVALID", true, "session"],
        ["CKR_WRAPPING_KEY_HANDLE_INVALID", true, "stale"],
        ["CKR_SESSION_COUNT", true, "busy"],
        ["CKR_GENERAL_ERROR", false, "integrity"],
        ["CKR_WRAPPED_KEY_INVALID", false, "integrity"],
        ["CKR_PIN_INCORRECT", false, "config"],
        ["CKR_MECHANISM_INVALID", false, "config"],
      ];
      for (const [name, transient, kind] of cases) {
        const e = toKeyProviderError(new Error(`${name}:1`), "wrap");
        expect(e.transient, name).to.equal(transient);
        expect(e.code).to.equal(name);
        expect(ckrKind(name)).to.equal(kind);
        expect(e.message).to.match(/^wrap: /);
      }
      const unknown = toKeyProviderError(new Error("CKR_VENDOR_THING:2147483649"), "unwrap");
      expect(unknown.transient).to.equal(false);
      expect(unknown.message).to.equal("unwrap: HSM error CKR_VENDOR_THING");
    });

    it("never passes the library's own message on (it could carry anything)", () => {
      const e = toKeyProviderError(new Error("CKR_PIN_INCORRECT: pin=87654321 value=deadbeef"), "login");
      expect(e.message).to.not.include("87654321");
      expect(e.message).to.not.include("deadbeef");
      expect(toKeyProviderError(new Error("secret 87654321"), "x").message).to.equal("x: the PKCS#11 library failed");
    });
  });

  describe("blob format", () => {
    it("multiples of 8 are plain RFC 5649; other lengths are padded and marked", () => {
      const even = frameDek(Buffer.alloc(32, 7), true);
      expect(even.framed).to.equal(false);
      expect(even.data.length).to.equal(32);
      for (const n of [1, 7, 9, 37]) {
        const f = frameDek(Buffer.alloc(n, 0xff), true);
        expect(f.framed).to.equal(true);
        expect(f.data.length % 8).to.equal(0);
        expect(unframeDek(Buffer.from(f.data)).equals(Buffer.alloc(n, 0xff))).to.equal(true);
      }
      expect(frameDek(Buffer.alloc(37), false).framed).to.equal(false);
      const wrapped = Buffer.alloc(48, 1);
      expect(parseBlob(storeBlob(true, wrapped))).to.deep.equal({ framed: true, wrapped });
      expect(parseBlob(storeBlob(false, wrapped)).framed).to.equal(false);
    });

    it("rejects impossible blobs and bad padding as KeyProviderErrors", () => {
      expect(() => parseBlob(Buffer.of(1, 0, 0, 0, 0, 0, 0, 0, 0)), "framed, too short").to.throw(KeyProviderError);
      for (const n of [0, 8, 13, 41]) expect(() => parseBlob(Buffer.alloc(n, 2)), `length ${n}`).to.throw(KeyProviderError);
      expect(() => unframeDek(Buffer.alloc(16))).to.throw(/bad padding/);
      expect(() => unframeDek(Buffer.from("80000000000000000000000000000000", "hex"))).to.throw(/bad padding/);
      expect(() => frameDek(new Uint8Array(0), true)).to.throw(KeyProviderError);
    });
  });

  describe("withRetry", () => {
    const policy = { retryCount: 3, retryDelayMs: 10, operationTimeoutMs: 1_000 };

    it("retries transient errors with doubling delays, then gives up with the last error", async () => {
      const at: number[] = [];
      const t0 = Date.now();
      const err = await expectKeyProviderError(
        withRetry(policy, "op", async () => {
          at.push(Date.now() - t0);
          throw new KeyProviderError("down", true, "CKR_DEVICE_REMOVED");
        }),
      );
      expect(err.message).to.equal("down");
      expect(at).to.have.length(4);
      expect(at[3]! - at[0]!).to.be.at.least(10 + 20 + 40 - 3);
    });

    it("does not retry permanent errors, fail-fast refusals or foreign errors", async () => {
      for (const e of [new KeyProviderError("bad", false), new KeyProviderError("down", true, FAIL_FAST), new TypeError("bug")]) {
        let n = 0;
        try {
          await withRetry(policy, "op", async () => {
            n++;
            throw e;
          });
        } catch (got) {
          expect(got).to.equal(e);
        }
        expect(n).to.equal(1);
      }
    });

    it("a slow attempt is cut at the deadline with a transient timeout; a later success is ignored", async () => {
      let abandoned: (() => boolean) | undefined;
      const t0 = Date.now();
      const err = await expectKeyProviderError(
        withRetry({ ...policy, operationTimeoutMs: 50 }, "wrap", (a) => {
          abandoned = a;
          return new Promise((r) => setTimeout(() => r("late"), 150));
        }),
      );
      expect(Date.now() - t0).to.be.within(45, 120);
      expect(err.transient).to.equal(true);
      expect(err.code).to.equal("TIMEOUT");
      expect(abandoned!()).to.equal(true);
    });

    it("a retry that would end after the deadline is not started", async () => {
      let n = 0;
      const t0 = Date.now();
      await expectKeyProviderError(
        withRetry({ retryCount: 5, retryDelayMs: 40, operationTimeoutMs: 100 }, "op", async () => {
          n++;
          throw new KeyProviderError("down", true);
        }),
      );
      expect(n).to.equal(2); // at 0 and 40 ms; the next would start at 120 ms
      expect(Date.now() - t0).to.be.below(100);
    });
  });
});
