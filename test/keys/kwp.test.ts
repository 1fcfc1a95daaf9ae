/** RFC 5649 key wrap with padding through node:crypto: known answers, round trips, tampering. */
import { createSecretKey, randomBytes } from "node:crypto";
import { expect } from "chai";
import { kwpUnwrap, kwpWrap } from "../../src/keys/database/index.js";
import { KeyProviderError } from "../../src/keys/types.js";

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ""), "hex");

/** RFC 5649 §6: both examples use this 192-bit KEK. */
const RFC_KEK = createSecretKey(hex("5840df6e29b02af1 ab493b705bf16ea1 ae8338f4dcc176a8"));
const RFC_VECTORS = [
  { key: "c37b7e6492584340 bed1220780894115 5068f738", wrapped: "138bdeaa9b8fa7fc 61f97742e72248ee 5ae6ae5360d1ae6a 5f54f373fa543b6a" },
  { key: "466f7250617369", wrapped: "afbeb0f07dfbf541 9200f2ccb50bb24f" },
];

function expectKeyProviderError(f: () => unknown, what: string): KeyProviderError {
  try {
    f();
  } catch (e) {
    expect(e, what).to.be.instanceOf(KeyProviderError);
    return e as KeyProviderError;
  }
  throw new Error(`${what}: no error`);
}

describe("RFC 5649 (id-aes*-wrap-pad)", function () {
  this.timeout(20_000);
  for (const [i, v] of RFC_VECTORS.entries()) {
    it(`RFC 5649 §6 example ${i + 1} (${hex(v.key).length}-byte key): wrap and unwrap give the published values`, () => {
      expect(kwpWrap(RFC_KEK, hex(v.key)).toString("hex")).to.equal(hex(v.wrapped).toString("hex"));
      expect(kwpUnwrap(RFC_KEK, hex(v.wrapped)).toString("hex")).to.equal(hex(v.key).toString("hex"));
    });
  }

  it("round-trips 1..100 bytes and multiples of 8 up to 4 KiB under an AES-256 key", () => {
    const kek = createSecretKey(randomBytes(32));
    const lengths = [...Array.from({ length: 100 }, (_, i) => i + 1), ...Array.from({ length: 512 }, (_, i) => (i + 1) * 8)];
    for (const n of lengths) {
      const plain = randomBytes(n);
      const blob = kwpWrap(kek, plain);
      expect(blob.length, `length ${n}`).to.equal(Math.ceil(n / 8) * 8 + 8);
      expect(kwpUnwrap(kek, blob).equals(plain), `length ${n}`).to.equal(true);
    }
  });

  it("every flipped bit, truncation or extension of a blob is a KeyProviderError", () => {
    const kek = createSecretKey(randomBytes(32));
    const plain = randomBytes(32);
    const blob = kwpWrap(kek, plain);
    for (let byte = 0; byte < blob.length; byte++) {
      const bad = Buffer.from(blob);
      bad[byte] = bad[byte]! ^ (1 << byte % 8);
      const err = expectKeyProviderError(() => kwpUnwrap(kek, bad), `flip in byte ${byte}`);
      expect(err.transient).to.equal(false);
      expect(err.message).to.not.include(plain.toString("hex"));
    }
    expectKeyProviderError(() => kwpUnwrap(kek, blob.subarray(0, 32)), "truncated by a block");
    expectKeyProviderError(() => kwpUnwrap(kek, blob.subarray(0, 39)), "truncated by a byte");
    expectKeyProviderError(() => kwpUnwrap(kek, Buffer.concat([blob, Buffer.alloc(8)])), "extended");
    expectKeyProviderError(() => kwpUnwrap(kek, Buffer.alloc(8)), "one block");
    expectKeyProviderError(() => kwpUnwrap(kek, Buffer.alloc(0)), "empty");
  });

  it("unwrapping under another key is a KeyProviderError", () => {
    const blob = kwpWrap(createSecretKey(randomBytes(32)), randomBytes(32));
    expectKeyProviderError(() => kwpUnwrap(createSecretKey(randomBytes(32)), blob), "wrong key");
  });

  it("refuses an empty plaintext and keys that are not AES keys", () => {
    expectKeyProviderError(() => kwpWrap(createSecretKey(randomBytes(32)), new Uint8Array(0)), "empty plaintext");
    expectKeyProviderError(() => kwpWrap(createSecretKey(randomBytes(20)), randomBytes(16)), "20-byte key");
  });
});
