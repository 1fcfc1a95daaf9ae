import { expect } from "chai";
import { Enums, Masks, Tag } from "../../src/kmip/index.js";
import { boolean, bytes, dateTime, enumeration, integer, longInteger, struct } from "../../src/ttlv/index.js";
import { FAILED, OK, engine, val } from "./harness.js";
import { Op, R, V, field, hex, params, register, symmetric, uidOf, type Engine } from "./crypto-helpers.js";

const M = Masks.CryptographicUsageMask;
const B = Enums.BlockCipherMode;
const ED = M.Encrypt | M.Decrypt;

async function aes(e: Engine, key: string, mask = ED, extra: Parameters<typeof register>[3] = { mask }) {
  return register(e, Enums.ObjectType.SymmetricKey, symmetric(hex(key)), { ...extra, mask });
}

describe("engine: Encrypt / Decrypt with symmetric keys", () => {
  it("AES-128 ECB matches the CS-BC known answer, both ways", async () => {
    const e = engine();
    const uid = await aes(e, "0123456789abcdef0123456789abcdef");
    const enc = await e.op(Op.Encrypt, [uidOf(uid), params(enumeration(Tag.BlockCipherMode, B.ECB)), bytes(Tag.Data, hex("01020304050607080910111213141516"))], V);
    expect(enc.status, enc.message).to.equal(OK);
    expect(field(enc, Tag.Data)!.toString("hex")).to.equal("d9bcce11b0b437b90239552df3a360c9");
    const dec = await e.op(Op.Decrypt, [uidOf(uid), params(enumeration(Tag.BlockCipherMode, B.ECB)), bytes(Tag.Data, field(enc, Tag.Data)!)], V);
    expect(field(dec, Tag.Data)!.toString("hex")).to.equal("01020304050607080910111213141516");
  });

  it("AES-GCM: NIST test case 2, a tampered tag is Cryptographic Failure, an impossible Tag Length General Failure", async () => {
    const e = engine();
    const uid = await aes(e, "00000000000000000000000000000000");
    const gcm = (tagLen: number) => params(enumeration(Tag.BlockCipherMode, B.GCM), integer(Tag.TagLength, tagLen));
    const iv = bytes(Tag.IVCounterNonce, Buffer.alloc(12));
    const enc = await e.op(Op.Encrypt, [uidOf(uid), gcm(16), bytes(Tag.Data, Buffer.alloc(16)), iv], V);
    expect(enc.status, enc.message).to.equal(OK);
    expect(field(enc, Tag.Data)!.toString("hex")).to.equal("0388dace60b6a392f328c2b971b2fe78");
    expect(field(enc, Tag.AuthenticatedEncryptionTag)!.toString("hex")).to.equal("ab6e47d42cec13bdf53a67b21257bddf");
    const ok = await e.op(Op.Decrypt, [uidOf(uid), gcm(12), bytes(Tag.Data, field(enc, Tag.Data)!), iv, bytes(Tag.AuthenticatedEncryptionTag, hex("ab6e47d42cec13bdf53a67b2"))], V);
    expect(field(ok, Tag.Data)!.equals(Buffer.alloc(16))).to.equal(true);
    const bad = await e.op(Op.Decrypt, [uidOf(uid), gcm(16), bytes(Tag.Data, field(enc, Tag.Data)!), iv, bytes(Tag.AuthenticatedEncryptionTag, hex("006e47d42cec13bdf53a67b21257bddf"))], V);
    expect(bad.reason).to.equal(R.CryptographicFailure);
    expect(bad.message).to.not.match(/0388|ab6e/);
    const tooLong = await e.op(Op.Encrypt, [uidOf(uid), gcm(32), bytes(Tag.Data, Buffer.alloc(16)), iv], V);
    expect(tooLong.reason).to.equal(R.GeneralFailure);
  });

  it("AES-GCM before KMIP 1.4 is Feature Not Supported: 1.0–1.3 have no Authenticated Encryption Tag field", async () => {
    const e = engine();
    const uid = await aes(e, "00000000000000000000000000000000");
    const p = params(enumeration(Tag.BlockCipherMode, B.GCM));
    for (const v of ["1.2", "1.3"] as const) {
      const r = await e.op(Op.Encrypt, [uidOf(uid), p, bytes(Tag.Data, Buffer.alloc(16))], v);
      expect([r.status, r.reason], v).to.deep.equal([FAILED, R.FeatureNotSupported]);
    }
    expect((await e.op(Op.Encrypt, [uidOf(uid), p, bytes(Tag.Data, Buffer.alloc(16))], "1.4")).status).to.equal(OK);
  });

  it("AES-GCM with AAD round-trips; the AAD is authenticated", async () => {
    const e = engine();
    const uid = await aes(e, "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");
    const p = params(enumeration(Tag.BlockCipherMode, B.GCM));
    const aad = bytes(Tag.AuthenticatedEncryptionAdditionalData, Buffer.from("header"));
    const enc = await e.op(Op.Encrypt, [uidOf(uid), p, bytes(Tag.Data, Buffer.from("secret")), aad], V);
    const iv = field(enc, Tag.IVCounterNonce)!;
    expect(iv, "a generated 96-bit nonce is returned").to.have.length(12);
    const rest = [bytes(Tag.Data, field(enc, Tag.Data)!), bytes(Tag.IVCounterNonce, iv), bytes(Tag.AuthenticatedEncryptionTag, field(enc, Tag.AuthenticatedEncryptionTag)!)];
    const dec = await e.op(Op.Decrypt, [uidOf(uid), p, ...rest, aad], V);
    expect(field(dec, Tag.Data)!.toString()).to.equal("secret");
    const wrongAad = await e.op(Op.Decrypt, [uidOf(uid), p, ...rest, bytes(Tag.AuthenticatedEncryptionAdditionalData, Buffer.from("other"))], V);
    expect(wrongAad.reason).to.equal(R.CryptographicFailure);
  });

  it("CBC/PKCS5 from the key's Cryptographic Parameters with Random IV: the IV is generated and returned; Decrypt needs it", async () => {
    const e = engine();
    const uid = await aes(e, "0123456789abcdef0123456789abcdef", ED, {
      mask: ED, params: [enumeration(Tag.BlockCipherMode, B.CBC), enumeration(Tag.PaddingMethod, Enums.PaddingMethod.PKCS5), boolean(Tag.RandomIV, true)],
    });
    const data = hex("010203040506070809101112131415160102030405060708091011121314151601");
    const enc = await e.op(Op.Encrypt, [uidOf(uid), bytes(Tag.Data, data)], V);
    expect(enc.status, enc.message).to.equal(OK);
    expect(field(enc, Tag.Data)).to.have.length(48);
    const iv = field(enc, Tag.IVCounterNonce)!;
    expect(iv).to.have.length(16);
    const missing = await e.op(Op.Decrypt, [uidOf(uid), bytes(Tag.Data, field(enc, Tag.Data)!)], V);
    expect(missing.reason).to.equal(R.InvalidMessage);
    const dec = await e.op(Op.Decrypt, [uidOf(uid), bytes(Tag.Data, field(enc, Tag.Data)!), bytes(Tag.IVCounterNonce, iv)], V);
    expect(field(dec, Tag.Data)!.equals(data)).to.equal(true);
  });

  it("CBC with the CS-BC-M-10 IV gives its ciphertext; ECB without padding refuses a partial block", async () => {
    const e = engine();
    const uid = await aes(e, "0123456789abcdef0123456789abcdef");
    const p = params(enumeration(Tag.BlockCipherMode, B.CBC), enumeration(Tag.PaddingMethod, Enums.PaddingMethod.PKCS5));
    const enc = await e.op(Op.Encrypt, [uidOf(uid), p, bytes(Tag.Data, hex("010203040506070809101112131415160102030405060708091011121314151601")), bytes(Tag.IVCounterNonce, hex("01020304050607080910111213141516"))], V);
    expect(field(enc, Tag.Data)!.toString("hex")).to.equal("79abc5c23868ad84d388ce61110a62742bda19d694bbcb757dd06617c0d80fb1df2e71864ad9633d7d797e30860df00d");
    expect(field(enc, Tag.IVCounterNonce), "a client IV is not echoed").to.equal(undefined);
    const partial = await e.op(Op.Encrypt, [uidOf(uid), params(enumeration(Tag.BlockCipherMode, B.ECB)), bytes(Tag.Data, hex("0102"))], V);
    expect(partial.reason).to.equal(R.CryptographicFailure);
  });

  it("ChaCha20-Poly1305 (RFC 8439 §2.8.2) and ChaCha20 with the 64-bit nonce (CS-BC-M-CHACHA20-1)", async () => {
    const e = engine();
    const key = hex("808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f");
    const uid = await register(e, Enums.ObjectType.SymmetricKey, symmetric(key, Enums.CryptographicAlgorithm.ChaCha20Poly1305), { mask: ED });
    const text = Buffer.from("Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, sunscreen would be it.");
    const enc = await e.op(Op.Encrypt, [
      uidOf(uid), params(enumeration(Tag.BlockCipherMode, B.AEAD), integer(Tag.TagLength, 16)), bytes(Tag.Data, text),
      bytes(Tag.IVCounterNonce, hex("070000004041424344454647")), bytes(Tag.AuthenticatedEncryptionAdditionalData, hex("50515253c0c1c2c3c4c5c6c7")),
    ], V);
    expect(enc.status, enc.message).to.equal(OK);
    expect(field(enc, Tag.Data)!.toString("hex").slice(0, 32)).to.equal("d31a8d34648e60db7b86afbc53ef7ec2");
    expect(field(enc, Tag.AuthenticatedEncryptionTag)!.toString("hex")).to.equal("1ae10b594f09e26a7e902ecbd0600691");
    const c20 = await register(e, Enums.ObjectType.SymmetricKey, symmetric(Buffer.alloc(32), Enums.CryptographicAlgorithm.ChaCha20), { mask: ED });
    const ks = await e.op(Op.Encrypt, [uidOf(c20), bytes(Tag.Data, Buffer.alloc(64)), bytes(Tag.IVCounterNonce, Buffer.alloc(8))], V);
    expect(field(ks, Tag.Data)!.toString("hex").slice(0, 32)).to.equal("76b8e0ada0f13d90405d6ae55386bd28");
  });

  it("3DES ECB (CS-BC-M-4-12-3DES known answer shape) round-trips", async () => {
    const e = engine();
    const uid = await register(e, Enums.ObjectType.SymmetricKey, symmetric(hex("0123456789abcdeffedcba987654321089abcdef01234567"), Enums.CryptographicAlgorithm.DES3), { mask: ED });
    const p = params(enumeration(Tag.BlockCipherMode, B.ECB));
    const data = hex("010203040506070809101112131415161718192021222324");
    const enc = await e.op(Op.Encrypt, [uidOf(uid), p, bytes(Tag.Data, data)], V);
    expect(enc.status, enc.message).to.equal(OK);
    const dec = await e.op(Op.Decrypt, [uidOf(uid), p, bytes(Tag.Data, field(enc, Tag.Data)!)], V);
    expect(field(dec, Tag.Data)!.equals(data)).to.equal(true);
  });
});

describe("engine: Encrypt / Decrypt by parts", () => {
  it("ECB by parts returns whole blocks as they are ready (TC-STREAM-ENC-1)", async () => {
    const e = engine();
    const uid = await aes(e, "0123456789abcdef0123456789abcdef", ED, { mask: ED, params: [enumeration(Tag.BlockCipherMode, B.ECB)] });
    const init = await e.op(Op.Encrypt, [uidOf(uid), bytes(Tag.Data, hex("0102030405060708")), boolean(Tag.InitIndicator, true)], V);
    expect(init.status, init.message).to.equal(OK);
    expect(field(init, Tag.Data), "half a block: nothing yet").to.equal(undefined);
    const cv = bytes(Tag.CorrelationValue, field(init, Tag.CorrelationValue)!);
    const mid = await e.op(Op.Encrypt, [uidOf(uid), bytes(Tag.Data, hex("0910111213141516")), cv], V);
    expect(field(mid, Tag.Data)!.toString("hex")).to.equal("d9bcce11b0b437b90239552df3a360c9");
    const fin = await e.op(Op.Encrypt, [uidOf(uid), cv, boolean(Tag.FinalIndicator, true)], V);
    expect(fin.status).to.equal(OK);
    expect(field(fin, Tag.Data)).to.equal(undefined);
    expect(field(fin, Tag.CorrelationValue), "the final reply closes the stream").to.equal(undefined);
  });

  it("GCM Decrypt by parts takes the tag with the final part", async () => {
    const e = engine();
    const uid = await aes(e, "00000000000000000000000000000000");
    const gcm = params(enumeration(Tag.BlockCipherMode, B.GCM));
    const iv = bytes(Tag.IVCounterNonce, Buffer.alloc(12));
    const c = hex("0388dace60b6a392f328c2b971b2fe78");
    const init = await e.op(Op.Decrypt, [uidOf(uid), gcm, iv, bytes(Tag.Data, c.subarray(0, 5)), boolean(Tag.InitIndicator, true)], V);
    expect(init.status, init.message).to.equal(OK);
    const cv = bytes(Tag.CorrelationValue, field(init, Tag.CorrelationValue)!);
    const fin = await e.op(Op.Decrypt, [uidOf(uid), bytes(Tag.Data, c.subarray(5)), cv, bytes(Tag.AuthenticatedEncryptionTag, hex("ab6e47d42cec13bdf53a67b21257bddf")), boolean(Tag.FinalIndicator, true)], V);
    expect(fin.status, fin.message).to.equal(OK);
    const all = Buffer.concat([field(init, Tag.Data) ?? Buffer.alloc(0), field(fin, Tag.Data)!]);
    expect(all.equals(Buffer.alloc(16))).to.equal(true);
  });
});

describe("engine: key-use checks for Encrypt / Decrypt", () => {
  const data = bytes(Tag.Data, Buffer.alloc(16));
  const ecb = params(enumeration(Tag.BlockCipherMode, B.ECB));

  it("the usage mask must allow the operation", async () => {
    const e = engine();
    const uid = await aes(e, "00000000000000000000000000000000", M.Encrypt);
    expect((await e.op(Op.Encrypt, [uidOf(uid), ecb, data], V)).status).to.equal(OK);
    const dec = await e.op(Op.Decrypt, [uidOf(uid), ecb, data], V);
    expect(dec.reason).to.equal(R.IncompatibleCryptographicUsageMask);
    const v14 = await e.op(Op.Decrypt, [uidOf(uid), ecb, data], "1.4");
    expect(v14.reason, "1.x has no such reason").to.equal(R.PermissionDenied);
  });

  it("a Pre-Active key cannot encrypt or decrypt; a Deactivated one can still decrypt", async () => {
    const e = engine();
    const uid = await aes(e, "00000000000000000000000000000000", ED, { mask: ED, active: false });
    expect((await e.op(Op.Encrypt, [uidOf(uid), ecb, data], V)).reason).to.equal(R.WrongKeyLifecycleState);
    expect((await e.op(Op.Decrypt, [uidOf(uid), ecb, data], V)).reason).to.equal(R.WrongKeyLifecycleState);
    const active = await aes(e, "00000000000000000000000000000000");
    const revoke = await e.op(Op.Revoke, [uidOf(active), struct(Tag.RevocationReason, [enumeration(Tag.RevocationReasonCode, Enums.RevocationReasonCode.CessationOfOperation)])], V);
    expect(revoke.status, revoke.message).to.equal(OK);
    expect((await e.op(Op.Encrypt, [uidOf(active), ecb, data], V)).reason).to.equal(R.WrongKeyLifecycleState);
    expect((await e.op(Op.Decrypt, [uidOf(active), ecb, data], V)).status).to.equal(OK);
  });

  it("Protect Stop Date stops Encrypt, Process Start Date holds back Decrypt (CS-BC-M-14)", async () => {
    const e = engine();
    const now = BigInt(Math.floor(Date.now() / 1000));
    const uid = await aes(e, "00000000000000000000000000000000", ED, {
      mask: ED, extra: [dateTime(Tag.ProcessStartDate, now + 3600n), dateTime(Tag.ProtectStopDate, now - 3600n)],
    });
    expect((await e.op(Op.Encrypt, [uidOf(uid), ecb, data], V)).reason).to.equal(R.WrongKeyLifecycleState);
    expect((await e.op(Op.Decrypt, [uidOf(uid), ecb, data], V)).reason).to.equal(R.WrongKeyLifecycleState);
    expect((await e.op(Op.Encrypt, [uidOf(uid), ecb, data], "2.0")).reason, "the 2.0 cases expect Permission Denied").to.equal(R.PermissionDenied);
  });

  it("Usage Limits in bytes are drawn down by Encrypt; an exhausted key is Permission Denied (CS-BC-M-7)", async () => {
    const e = engine();
    const uid = await aes(e, "00000000000000000000000000000000", ED, {
      mask: ED, extra: [struct(Tag.UsageLimits, [longInteger(Tag.UsageLimitsTotal, 16n), enumeration(Tag.UsageLimitsUnit, Enums.UsageLimitsUnit.Byte)])],
    });
    expect((await e.op(Op.Encrypt, [uidOf(uid), ecb, data], V)).status).to.equal(OK);
    expect((await e.op(Op.Encrypt, [uidOf(uid), ecb, data], V)).reason).to.equal(R.PermissionDenied);
    expect((await e.op(Op.Decrypt, [uidOf(uid), ecb, data], V)).status, "Decrypt does not consume").to.equal(OK);
  });

  it("another principal's key is Object Not Found", async () => {
    const e = engine();
    const uid = await aes(e, "00000000000000000000000000000000");
    const r = await e.op(Op.Encrypt, [uidOf(uid), ecb, data], V, "mallory");
    expect(r.status).to.equal(FAILED);
    expect(r.reason).to.equal(R.ObjectNotFound);
    expect(val(r.payload, Tag.Data)).to.equal(undefined);
  });
});
