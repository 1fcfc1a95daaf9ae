/**
 * The HMAC_DRBG (SHA-256) behind RNG Retrieve and RNG Seed: NIST CAVP vectors for the mechanism,
 * and the server generator's seeding and reseeding.
 */
import { expect } from "chai";
import { HmacDrbg, MAX_BYTES_PER_REQUEST, ServerRng } from "../../src/operations/crypto/hmac-drbg.js";

const hex = (s: string): Buffer => Buffer.from(s, "hex");

/**
 * NIST CAVP DRBG test vectors (drbgtestvectors.zip, HMAC_DRBG.rsp, [SHA-256], PredictionResistance
 * False, EntropyInputLen 256, NonceLen 128, PersonalizationStringLen 0, ReturnedBitsLen 1024):
 * instantiate, (reseed,) generate twice, compare the second output.
 */
describe("HMAC_DRBG SHA-256: NIST CAVP vectors (no prediction resistance)", () => {
  it("no reseed, no additional input (drbgvectors_no_reseed, COUNT 0)", () => {
    const d = new HmacDrbg(hex("ca851911349384bffe89de1cbdc46e6831e44d34a4fb935ee285dd14b71a7488"), hex("659ba96c601dc69fc902940805ec0ca8"));
    d.generate(128);
    expect(d.generate(128).toString("hex")).to.equal(
      "e528e9abf2dece54d47c7e75e5fe302149f817ea9fb4bee6f4199697d04d5b89d54fbb978a15b5c443c9ec21036d2460b6f73ebad0dc2aba6e624abf07745bc1" +
        "07694bb7547bb0995f70de25d6b29e2d3011bb19d27676c07162c8b5ccde0668961df86803482cb37ed6d5c0bb8d50cf1f50d476aa0458bdaba806f48be9dcb8",
    );
  });

  it("reseed, no additional input (drbgvectors_pr_false, AdditionalInputLen 0, COUNT 0)", () => {
    const d = new HmacDrbg(hex("06032cd5eed33f39265f49ecb142c511da9aff2af71203bffaf34a9ca5bd9c0d"), hex("0e66f71edc43e42a45ad3c6fc6cdc4df"));
    d.reseed(hex("01920a4e669ed3a85ae8a33b35a74ad7fb2a6bb4cf395ce00334a9c9a5a5d552"));
    d.generate(128);
    expect(d.generate(128).toString("hex")).to.equal(
      "76fc79fe9b50beccc991a11b5635783a83536add03c157fb30645e611c2898bb2b1bc215000209208cd506cb28da2a51bdb03826aaf2bd2335d576d519160842" +
        "e7158ad0949d1a9ec3e66ea1b1a064b005de914eac2e9d4f2d72a8616a80225422918250ff66a41bd2f864a6a38cc5b6499dc43f7f2bd09e1e0f8f5885935124",
    );
  });

  it("reseed with additional input, and additional input on both generates (drbgvectors_pr_false, AdditionalInputLen 256, COUNT 0)", () => {
    const d = new HmacDrbg(hex("05ac9fc4c62a02e3f90840da5616218c6de5743d66b8e0fbf833759c5928b53d"), hex("2b89a17904922ed8f017a63044848545"));
    d.reseed(hex("2791126b8b52ee1fd9392a0a13e0083bed4186dc649b739607ac70ec8dcecf9b"), hex("43bac13bae715092cf7eb280a2e10a962faf7233c41412f69bc74a35a584e54c"));
    d.generate(128, hex("3f2fed4b68d506ecefa21f3f5bb907beb0f17dbc30f6ffbba5e5861408c53a1e"));
    expect(d.generate(128, hex("529030df50f410985fde068df82b935ec23d839cb4b269414c0ede6cffea5b68")).toString("hex")).to.equal(
      "02ddff5173da2fcffa10215b030d660d61179e61ecc22609b1151a75f1cbcbb4363c3a89299b4b63aca5e581e73c860491010aa35de3337cc6c09ebec8c91a62" +
        "87586f3a74d9694b462d2720ea2e11bbd02af33adefb4a16e6b370fa0effd57d607547bdcfbb7831f54de7073ad2a7da987a0016a82fa958779a168674b56524",
    );
  });

  it("refuses more than 2^19 bits in one request (SP 800-90A table 2)", () => {
    const d = new HmacDrbg(Buffer.alloc(32, 1), Buffer.alloc(16, 2));
    expect(d.generate(MAX_BYTES_PER_REQUEST)).to.have.length(MAX_BYTES_PER_REQUEST);
    expect(() => d.generate(MAX_BYTES_PER_REQUEST + 1)).to.throw(RangeError);
  });
});

/** An entropy source that counts its calls and returns a fixed pattern (so two instances can be equal). */
function fixedEntropy(): { source: (n: number) => Buffer; calls: number[] } {
  const calls: number[] = [];
  return { calls, source: (n) => (calls.push(n), Buffer.alloc(n, 0x5a)) };
}

describe("ServerRng: the server's HMAC_DRBG", () => {
  it("two instances produce different streams", () => {
    const a = new ServerRng(), b = new ServerRng();
    expect(a.generate(32).equals(b.generate(32))).to.equal(false);
  });

  it("takes entropy and a nonce from the OS source when instantiated", () => {
    const e = fixedEntropy();
    new ServerRng({ entropy: e.source });
    expect(e.calls).to.deep.equal([32, 16]);
  });

  it("a client seed changes the output stream, and is mixed with fresh OS entropy", () => {
    // two instances with the same (fixed) entropy and personalization: identical until one is seeded
    const e = fixedEntropy();
    const opts = { entropy: e.source, personalization: Buffer.from("test") };
    const a = new ServerRng(opts), b = new ServerRng(opts);
    expect(a.generate(32).equals(b.generate(32)), "control: same inputs, same stream").to.equal(true);
    expect(b.seed(Buffer.from("333c06587706225099a67438f263f8f932f64b860c3a7dbb21bc2bd56685d8bc", "hex"))).to.equal(32);
    a.seed(new Uint8Array(0)); // the same OS reseed without client bytes
    expect(e.calls, "each seed reseeds with 32 fresh bytes from the OS source").to.deep.equal([32, 16, 32, 16, 32, 32]);
    expect(a.generate(32).equals(b.generate(32))).to.equal(false);
  });

  it("the same state seeded with different client bytes diverges (the seed reaches the state)", () => {
    const mk = (): HmacDrbg => new HmacDrbg(Buffer.alloc(32, 1), Buffer.alloc(16, 2));
    const a = mk(), b = mk(), c = mk();
    a.reseed(Buffer.alloc(32, 3), Buffer.from("client seed one"));
    b.reseed(Buffer.alloc(32, 3), Buffer.from("client seed two"));
    c.reseed(Buffer.alloc(32, 3));
    const [x, y, z] = [a.generate(32), b.generate(32), c.generate(32)];
    expect(x.equals(y)).to.equal(false);
    expect(x.equals(z)).to.equal(false);
  });

  it("a client cannot reproduce the state by seeding: the same seed into two instances gives different streams", () => {
    const a = new ServerRng(), b = new ServerRng();
    const seed = Buffer.alloc(32, 0x42);
    a.seed(seed);
    b.seed(seed);
    expect(a.generate(32).equals(b.generate(32))).to.equal(false);
  });

  it("reseeds from the OS after reseedInterval requests", () => {
    const e = fixedEntropy();
    const rng = new ServerRng({ entropy: e.source, reseedInterval: 3 });
    for (let i = 0; i < 3; i++) rng.generate(8);
    expect(e.calls).to.deep.equal([32, 16]);
    rng.generate(8);
    expect(e.calls).to.deep.equal([32, 16, 32]);
    for (let i = 0; i < 2; i++) rng.generate(8);
    expect(e.calls, "the counter restarts at the reseed").to.deep.equal([32, 16, 32]);
  });
});
