import { expect } from "chai";
import { Enums, Masks, Tag } from "../../src/kmip/index.js";
import { MAX_OPEN_STREAMS, StreamTable, type Job } from "../../src/operations/crypto/streams.js";
import { boolean, bytes, enumeration, integer } from "../../src/ttlv/index.js";
import { OK, engine, val } from "./harness.js";
import { Op, R, V, field, hex, params, register, symmetric, uidOf } from "./crypto-helpers.js";

const M = Masks.CryptographicUsageMask;
const A = Enums.CryptographicAlgorithm;
const MAC = M.MACGenerate | M.MACVerify;

describe("engine: MAC / MAC Verify", () => {
  it("HMAC-SHA256 and HMAC-SHA512: RFC 4231 test case 2", async () => {
    const e = engine();
    const data = bytes(Tag.Data, Buffer.from("what do ya want for nothing?"));
    const k256 = await register(e, Enums.ObjectType.SymmetricKey, symmetric(Buffer.from("Jefe"), A.HMAC_SHA256), { mask: MAC });
    const r = await e.op(Op.MAC, [uidOf(k256), data], V);
    expect(r.status, r.message).to.equal(OK);
    expect(field(r, Tag.MACData)!.toString("hex")).to.equal("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    const k512 = await register(e, Enums.ObjectType.SymmetricKey, symmetric(Buffer.from("Jefe"), A.HMAC_SHA512), { mask: MAC });
    const r512 = await e.op(Op.MAC, [uidOf(k512), data], V);
    expect(field(r512, Tag.MACData)!.toString("hex")).to.equal(
      "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea2505549758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737",
    );
    const ok = await e.op(Op.MACVerify, [uidOf(k256), data, bytes(Tag.MACData, field(r, Tag.MACData)!)], V);
    expect(val(ok.payload, Tag.ValidityIndicator)).to.equal(Enums.ValidityIndicator.Valid);
    const bad = await e.op(Op.MACVerify, [uidOf(k256), data, bytes(Tag.MACData, Buffer.alloc(32))], V);
    expect(val(bad.payload, Tag.ValidityIndicator)).to.equal(Enums.ValidityIndicator.Invalid);
  });

  it("the algorithm may come from Cryptographic Parameters (an AES-typed key used for HMAC, as TC-STREAM-MAC does)", async () => {
    const e = engine();
    const uid = await register(e, Enums.ObjectType.SymmetricKey, symmetric(hex("0123456789abcdef0123456789abcdef")), {
      mask: MAC, params: [enumeration(Tag.CryptographicAlgorithm, A.HMAC_SHA256)],
    });
    const r = await e.op(Op.MAC, [uidOf(uid), bytes(Tag.Data, hex("01020304050607080910111213141516"))], V);
    expect(field(r, Tag.MACData)!.toString("hex")).to.equal("c911e78196d64c30f631bb079ea37b97a95936d4da764d6a171df030c895ecf9");
  });

  it("AES-CMAC: RFC 4493 examples 1–4, single-part and by parts", async () => {
    const e = engine();
    const uid = await register(e, Enums.ObjectType.SymmetricKey, symmetric(hex("2b7e151628aed2a6abf7158809cf4f3c")), { mask: MAC });
    const msg = hex("6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e5130c81c46a35ce411e5fbc1191a0a52eff69f2445df4f9b17ad2b417be66c3710");
    const cmac = params(enumeration(Tag.BlockCipherMode, Enums.BlockCipherMode.CMAC));
    for (const [len, want] of [[0, "bb1d6929e95937287fa37d129b756746"], [16, "070a16b46b4d4144f79bdd9dd04a287c"], [40, "dfa66747de9ae63030ca32611497c827"], [64, "51f0bebf7e3b9d92fc49741779363cfe"]] as const) {
      const r = await e.op(Op.MAC, [uidOf(uid), cmac, bytes(Tag.Data, msg.subarray(0, len))], V);
      expect(field(r, Tag.MACData)?.toString("hex"), `${len} bytes`).to.equal(want);
    }
    const first = await e.op(Op.MAC, [uidOf(uid), cmac, bytes(Tag.Data, msg.subarray(0, 21)), boolean(Tag.InitIndicator, true)], V);
    const cv = bytes(Tag.CorrelationValue, field(first, Tag.CorrelationValue)!);
    await e.op(Op.MAC, [uidOf(uid), bytes(Tag.Data, msg.subarray(21, 32)), cv], V);
    const last = await e.op(Op.MAC, [uidOf(uid), bytes(Tag.Data, msg.subarray(32, 40)), cv, boolean(Tag.FinalIndicator, true)], V);
    expect(field(last, Tag.MACData)!.toString("hex")).to.equal("dfa66747de9ae63030ca32611497c827");
  });

  it("a key without MAC Generate in its mask is refused", async () => {
    const e = engine();
    const uid = await register(e, Enums.ObjectType.SymmetricKey, symmetric(Buffer.alloc(32), A.HMAC_SHA256), { mask: M.MACVerify });
    expect((await e.op(Op.MAC, [uidOf(uid), bytes(Tag.Data, Buffer.from("x"))], V)).reason).to.equal(R.IncompatibleCryptographicUsageMask);
  });
});

describe("engine: Hash, RNG Retrieve, RNG Seed", () => {
  const sha256 = params(enumeration(Tag.HashingAlgorithm, Enums.HashingAlgorithm.SHA_256));

  it("Hash SHA-256 of 'abc', single-part and in three parts (TC-STREAM-HASH-2)", async () => {
    const e = engine();
    const one = await e.op(Op.Hash, [sha256, bytes(Tag.Data, Buffer.from("abc"))], V);
    expect(field(one, Tag.Data)!.toString("hex")).to.equal("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    const init = await e.op(Op.Hash, [sha256, bytes(Tag.Data, Buffer.from("a")), boolean(Tag.InitIndicator, true)], V);
    expect(field(init, Tag.Data), "no output until the final part").to.equal(undefined);
    const cv = bytes(Tag.CorrelationValue, field(init, Tag.CorrelationValue)!);
    await e.op(Op.Hash, [sha256, bytes(Tag.Data, Buffer.from("b")), cv], V);
    const other = await e.op(Op.Hash, [sha256, bytes(Tag.Data, Buffer.from("c")), cv], V, "mallory");
    expect(other.reason, "a Correlation Value belongs to its principal").to.equal(R.ObjectNotFound);
    const fin = await e.op(Op.Hash, [sha256, bytes(Tag.Data, Buffer.from("c")), cv, boolean(Tag.FinalIndicator, true)], V);
    expect(field(fin, Tag.Data)!.toString("hex")).to.equal("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    const again = await e.op(Op.Hash, [sha256, bytes(Tag.Data, Buffer.from("c")), cv], V);
    expect(again.reason, "a finished stream is gone").to.equal(R.ObjectNotFound);
  });

  it("Hash SHA3-256 of the empty string", async () => {
    const e = engine();
    const r = await e.op(Op.Hash, [params(enumeration(Tag.HashingAlgorithm, Enums.HashingAlgorithm.SHA3_256)), bytes(Tag.Data, Buffer.alloc(0))], V);
    expect(field(r, Tag.Data)!.toString("hex")).to.equal("a7ffc6f8bf1ed76651c14756a061d662f580ff4de43b49fa82d80a4b80f8434a");
  });

  it("RNG Retrieve returns Data Length random bytes; zero is refused", async () => {
    const e = engine();
    const r = await e.op(Op.RNGRetrieve, [integer(Tag.DataLength, 32)], V);
    expect(field(r, Tag.Data)).to.have.length(32);
    expect((await e.op(Op.RNGRetrieve, [integer(Tag.DataLength, 0)], V)).reason).to.equal(R.InvalidField);
  });

  it("RNG Seed mixes up to kms.rng_seed_max_bytes into the RNG Retrieve generator and says how many it used", async () => {
    const e = engine(); // accept, at most 64 bytes
    const r = await e.op(Op.RNGSeed, [bytes(Tag.Data, Buffer.alloc(32, 7))], V);
    expect(r.status).to.equal(OK);
    expect(val(r.payload, Tag.DataLength)).to.equal(32);
    expect(val((await e.op(Op.RNGSeed, [bytes(Tag.Data, Buffer.alloc(100, 7))], V)).payload, Tag.DataLength), "beyond the maximum is ignored").to.equal(64);
    const small = engine({ rngSeed: { policy: "accept", maxBytes: 16 } });
    expect(val((await small.op(Op.RNGSeed, [bytes(Tag.Data, Buffer.alloc(32, 7))], V)).payload, Tag.DataLength)).to.equal(16);
    const none = engine({ rngSeed: { policy: "accept", maxBytes: 0 } });
    expect(val((await none.op(Op.RNGSeed, [bytes(Tag.Data, Buffer.alloc(32, 7))], V)).payload, Tag.DataLength), "max 0: accepted, not used").to.equal(0);
  });

  it("RNG Seed is Permission Denied when kms.rng_seed is deny", async () => {
    const e = engine({ rngSeed: { policy: "deny", maxBytes: 64 } });
    const r = await e.op(Op.RNGSeed, [bytes(Tag.Data, Buffer.alloc(32, 7))], V);
    expect(r.reason).to.equal(R.PermissionDenied);
    expect(r.message).to.match(/disabled by policy/);
  });
});

describe("crypto stream table", () => {
  const job: Job = { update: () => Buffer.alloc(0), finish: () => ({}) };

  it("holds at most its maximum, and forgets streams idle past the TTL", () => {
    let now = 0;
    const t = new StreamTable(2, 1000, () => now);
    const a = t.open("alice", 1, "k", job);
    t.open("alice", 1, "k", job);
    expect(() => t.open("alice", 1, "k", job)).to.throw(/too many open streams/);
    now = 500;
    t.resume(a, "alice", 1, "k", false);
    now = 1200;
    expect(t.open("bob", 1, "k", job)).to.have.length(16); // the idle one expired, the touched one stays
    expect(t.size).to.equal(2);
    expect(() => t.resume(a, "bob", 1, "k", false), "not another principal's").to.throw();
    expect(() => t.resume(a, "alice", 2, "k", false), "not another operation's").to.throw();
    expect(MAX_OPEN_STREAMS).to.be.greaterThan(0);
  });

  it("caps the streams one principal may hold", () => {
    const t = new StreamTable(10, 1000, () => 0, 2);
    t.open("alice", 1, "k", job);
    t.open("alice", 1, "k", job);
    expect(() => t.open("alice", 1, "k", job)).to.throw(/for this client/);
    expect(t.open("bob", 1, "k", job)).to.have.length(16);
  });
});
