import { expect } from "chai";
import { constants, createHash, generateKeyPairSync, privateDecrypt, publicEncrypt, sign, verify, type KeyObject } from "node:crypto";
import { Enums, Masks, Tag } from "../../src/kmip/index.js";
import { boolean, bytes, enumeration } from "../../src/ttlv/index.js";
import { OK, engine, val } from "./harness.js";
import { Op, R, V, asymmetric, field, params, register, uidOf, type Engine } from "./crypto-helpers.js";

const M = Masks.CryptographicUsageMask;
const A = Enums.CryptographicAlgorithm;
const F = Enums.KeyFormatType;
const H = Enums.HashingAlgorithm;
const P = Enums.PaddingMethod;
const Valid = Enums.ValidityIndicator.Valid;
const Invalid = Enums.ValidityIndicator.Invalid;

const rsa = generateKeyPairSync("rsa", { modulusLength: 2048 });

async function rsaPair(e: Engine, privMask: number, pubMask: number): Promise<[string, string]> {
  const priv = await register(e, Enums.ObjectType.PrivateKey,
    asymmetric(Tag.PrivateKey, F.PKCS_1, rsa.privateKey.export({ format: "der", type: "pkcs1" }), A.RSA, 2048), { mask: privMask });
  const pub = await register(e, Enums.ObjectType.PublicKey,
    asymmetric(Tag.PublicKey, F.X_509, rsa.publicKey.export({ format: "der", type: "spki" }), A.RSA, 2048), { mask: pubMask });
  return [priv, pub];
}

async function ecPair(e: Engine, curve: string): Promise<[string, string, KeyObject]> {
  const k = generateKeyPairSync("ec", { namedCurve: curve });
  const priv = await register(e, Enums.ObjectType.PrivateKey, asymmetric(Tag.PrivateKey, F.PKCS_8, k.privateKey.export({ format: "der", type: "pkcs8" }), A.EC, 256), { mask: M.Sign });
  const pub = await register(e, Enums.ObjectType.PublicKey, asymmetric(Tag.PublicKey, F.X_509, k.publicKey.export({ format: "der", type: "spki" }), A.EC, 256), { mask: M.Verify });
  return [priv, pub, k.publicKey];
}

const validity = (r: Awaited<ReturnType<Engine["op"]>>) => ({ value: val(r.payload, Tag.ValidityIndicator) as number | undefined });

describe("engine: RSA Encrypt / Decrypt", () => {
  it("OAEP SHA-256 interoperates with node in both directions", async () => {
    const e = engine();
    const [priv, pub] = await rsaPair(e, M.Decrypt, M.Encrypt);
    const p = params(enumeration(Tag.PaddingMethod, P.OAEP), enumeration(Tag.HashingAlgorithm, H.SHA_256));
    const enc = await e.op(Op.Encrypt, [uidOf(pub), p, bytes(Tag.Data, Buffer.from("hello"))], V);
    expect(enc.status, enc.message).to.equal(OK);
    const plain = privateDecrypt({ key: rsa.privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: "sha256" }, field(enc, Tag.Data)!);
    expect(plain.toString()).to.equal("hello");
    const c = publicEncrypt({ key: rsa.publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: "sha256" }, Buffer.from("world"));
    const dec = await e.op(Op.Decrypt, [uidOf(priv), p, bytes(Tag.Data, c)], V);
    expect(field(dec, Tag.Data)!.toString()).to.equal("world");
  });

  it("OAEP with a different MGF1 hash and a label round-trips, and a wrong label fails", async () => {
    const e = engine();
    const [priv, pub] = await rsaPair(e, M.Decrypt, M.Encrypt);
    const p = (label: string) => params(
      enumeration(Tag.PaddingMethod, P.OAEP), enumeration(Tag.HashingAlgorithm, H.SHA_384), enumeration(Tag.MaskGenerator, Enums.MaskGenerator.MGF1),
      enumeration(Tag.MaskGeneratorHashingAlgorithm, H.SHA_256), bytes(Tag.PSource, Buffer.from(label)),
    );
    const enc = await e.op(Op.Encrypt, [uidOf(pub), p("Kilroy"), bytes(Tag.Data, Buffer.from("payload"))], V);
    expect(enc.status, enc.message).to.equal(OK);
    const dec = await e.op(Op.Decrypt, [uidOf(priv), p("Kilroy"), bytes(Tag.Data, field(enc, Tag.Data)!)], V);
    expect(field(dec, Tag.Data)!.toString()).to.equal("payload");
    const wrong = await e.op(Op.Decrypt, [uidOf(priv), p("Other"), bytes(Tag.Data, field(enc, Tag.Data)!)], V);
    expect(wrong.reason).to.equal(R.CryptographicFailure);
  });

  it("PKCS#1 v1.5 encryption works; its decryption is refused (padding oracle)", async () => {
    const e = engine();
    const [priv, pub] = await rsaPair(e, M.Decrypt, M.Encrypt);
    const p = params(enumeration(Tag.PaddingMethod, P.PKCS1V1_5));
    const enc = await e.op(Op.Encrypt, [uidOf(pub), p, bytes(Tag.Data, Buffer.from("x"))], V);
    expect(enc.status, enc.message).to.equal(OK);
    const dec = await e.op(Op.Decrypt, [uidOf(priv), p, bytes(Tag.Data, field(enc, Tag.Data)!)], V);
    expect(dec.reason).to.equal(R.FeatureNotSupported);
  });

  it("a private key cannot Encrypt (Permission Denied)", async () => {
    const e = engine();
    const [priv] = await rsaPair(e, M.Decrypt | M.Encrypt, M.Encrypt);
    expect((await e.op(Op.Encrypt, [uidOf(priv), bytes(Tag.Data, Buffer.from("x"))], V)).reason).to.equal(R.PermissionDenied);
  });
});

describe("engine: Sign / Signature Verify", () => {
  const data = Buffer.from("0102030405060708", "hex");

  for (const [name, p, check] of [
    ["PKCS#1 v1.5 SHA-256 (default)", [], (sig: Buffer) => verify("sha256", data, rsa.publicKey, sig)],
    ["PSS SHA-384", [enumeration(Tag.PaddingMethod, P.PSS), enumeration(Tag.HashingAlgorithm, H.SHA_384)],
      (sig: Buffer) => verify("sha384", data, { key: rsa.publicKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 48 }, sig)],
    ["SHA-512 with RSA by Digital Signature Algorithm", [enumeration(Tag.DigitalSignatureAlgorithm, Enums.DigitalSignatureAlgorithm.SHA_512WithRSAEncryption)],
      (sig: Buffer) => verify("sha512", data, rsa.publicKey, sig)],
  ] as const) {
    it(`RSA ${name}: node verifies it, Verify says Valid, a flipped bit Invalid`, async () => {
      const e = engine();
      const [priv, pub] = await rsaPair(e, M.Sign, M.Verify);
      const s = await e.op(Op.Sign, [uidOf(priv), params(...p), bytes(Tag.Data, data)], V);
      expect(s.status, s.message).to.equal(OK);
      const sig = field(s, Tag.SignatureData)!;
      expect(check(sig)).to.equal(true);
      const ok = await e.op(Op.SignatureVerify, [uidOf(pub), params(...p), bytes(Tag.Data, data), bytes(Tag.SignatureData, sig)], V);
      expect(validity(ok)?.value).to.equal(Valid);
      sig[10]! ^= 1;
      const bad = await e.op(Op.SignatureVerify, [uidOf(pub), params(...p), bytes(Tag.Data, data), bytes(Tag.SignatureData, sig)], V);
      expect(validity(bad)?.value).to.equal(Invalid);
    });
  }

  for (const curve of ["P-256", "P-384", "P-521"]) {
    it(`ECDSA on ${curve}: DER signature node accepts; Verify Valid / Invalid`, async () => {
      const e = engine();
      const [priv, pub, pk] = await ecPair(e, curve);
      const p = params(enumeration(Tag.DigitalSignatureAlgorithm, Enums.DigitalSignatureAlgorithm.ECDSAWithSHA384));
      const s = await e.op(Op.Sign, [uidOf(priv), p, bytes(Tag.Data, data)], V);
      expect(s.status, s.message).to.equal(OK);
      const sig = field(s, Tag.SignatureData)!;
      expect(verify("sha384", data, pk, sig)).to.equal(true);
      expect(validity(await e.op(Op.SignatureVerify, [uidOf(pub), p, bytes(Tag.Data, data), bytes(Tag.SignatureData, sig)], V))?.value).to.equal(Valid);
      const other = await e.op(Op.SignatureVerify, [uidOf(pub), p, bytes(Tag.Data, Buffer.from("x")), bytes(Tag.SignatureData, sig)], V);
      expect(validity(other)?.value).to.equal(Invalid);
    });
  }

  it("RSA over Digested Data: a SHA-256 digest signs like the data itself", async () => {
    const e = engine();
    const [priv, pub] = await rsaPair(e, M.Sign, M.Verify);
    const digest = createHash("sha256").update(data).digest();
    const s = await e.op(Op.Sign, [uidOf(priv), bytes(Tag.DigestedData, digest)], V);
    expect(s.status, s.message).to.equal(OK);
    expect(verify("sha256", data, rsa.publicKey, field(s, Tag.SignatureData)!)).to.equal(true);
    const v = await e.op(Op.SignatureVerify, [uidOf(pub), bytes(Tag.DigestedData, digest), bytes(Tag.SignatureData, field(s, Tag.SignatureData)!)], V);
    expect(validity(v)?.value).to.equal(Valid);
  });

  it("RSA-PSS over Digested Data: node verifies the signature over the data; Verify agrees", async () => {
    const e = engine();
    const [priv, pub] = await rsaPair(e, M.Sign, M.Verify);
    const pss = params(enumeration(Tag.PaddingMethod, P.PSS), enumeration(Tag.HashingAlgorithm, H.SHA_384));
    const digest = createHash("sha384").update(data).digest();
    const s = await e.op(Op.Sign, [uidOf(priv), pss, bytes(Tag.DigestedData, digest)], V);
    expect(s.status, s.message).to.equal(OK);
    const sig = field(s, Tag.SignatureData)!;
    expect(verify("sha384", data, { key: rsa.publicKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 48 }, sig)).to.equal(true);
    const nodeSig = sign("sha384", data, { key: rsa.privateKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 20 });
    const v = await e.op(Op.SignatureVerify, [uidOf(pub), pss, bytes(Tag.DigestedData, digest), bytes(Tag.SignatureData, nodeSig)], V);
    expect(validity(v).value, "any salt length is recovered").to.equal(Valid);
    const other = await e.op(Op.SignatureVerify, [uidOf(pub), pss, bytes(Tag.DigestedData, Buffer.alloc(48)), bytes(Tag.SignatureData, nodeSig)], V);
    expect(validity(other).value).to.equal(Invalid);
  });

  it("the Sign bit is required; a public key cannot sign", async () => {
    const e = engine();
    const [priv, pub] = await rsaPair(e, M.Decrypt, M.Verify);
    expect((await e.op(Op.Sign, [uidOf(priv), bytes(Tag.Data, data)], V)).reason).to.equal(R.IncompatibleCryptographicUsageMask);
    expect((await e.op(Op.Sign, [uidOf(pub), bytes(Tag.Data, data)], V)).reason).to.equal(R.PermissionDenied);
  });

  it("Sign and Verify by parts give the single-part result", async () => {
    const e = engine();
    const [priv, pub] = await rsaPair(e, M.Sign, M.Verify);
    const first = await e.op(Op.Sign, [uidOf(priv), bytes(Tag.Data, data.subarray(0, 3)), boolean(Tag.InitIndicator, true)], V);
    expect(first.status, first.message).to.equal(OK);
    const cv = field(first, Tag.CorrelationValue)!;
    const last = await e.op(Op.Sign, [uidOf(priv), bytes(Tag.Data, data.subarray(3)), bytes(Tag.CorrelationValue, cv), boolean(Tag.FinalIndicator, true)], V);
    const sig = field(last, Tag.SignatureData)!;
    expect(verify("sha256", data, rsa.publicKey, sig), "PKCS#1 v1.5 is deterministic").to.equal(true);
    const v1 = await e.op(Op.SignatureVerify, [uidOf(pub), bytes(Tag.Data, data.subarray(0, 5)), bytes(Tag.SignatureData, sig), boolean(Tag.InitIndicator, true)], V);
    const v2 = await e.op(Op.SignatureVerify, [uidOf(pub), bytes(Tag.Data, data.subarray(5)), bytes(Tag.CorrelationValue, field(v1, Tag.CorrelationValue)!), boolean(Tag.FinalIndicator, true)], V);
    expect(validity(v2)?.value).to.equal(Valid);
  });
});
