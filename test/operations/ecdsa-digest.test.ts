/** ECDSA over Digested Data (src/operations/crypto/ecdsa-digest.ts, ec-math.ts), cross-checked with node/OpenSSL. */
import { expect } from "chai";
import { createECDH, createHash, createPublicKey, generateKeyPairSync, sign, verify } from "node:crypto";
import { Enums, Masks, Tag } from "../../src/kmip/index.js";
import { bytes } from "../../src/ttlv/index.js";
import { EC_CURVES, onCurve, toBigInt, toBytes } from "../../src/operations/crypto/ec-math.js";
import { decodeSignature, digestToZ, ecdsaEquations, encodeSignature, signDigestEcdsa, verifyDigestEcdsa } from "../../src/operations/crypto/ecdsa-digest.js";
import { OK, engine, val } from "./harness.js";
import { Op, V, asymmetric, field, register, uidOf } from "./crypto-helpers.js";

const hex = (s: string) => Buffer.from(s, "hex");
const sha = (alg: string, m: Uint8Array) => createHash(alg).update(m).digest();
const msg = Buffer.from("kmipd digested data");
/** A flipped bit at byte i. */
const flip = (b: Uint8Array, i: number) => {
  const c = Buffer.from(b);
  c[i] = c[i]! ^ 0x01;
  return c;
};

describe("ECDSA over a client-computed digest", () => {
  describe("curve constants agree with OpenSSL", () => {
    for (const c of EC_CURVES) {
      it(`${c.name}: 1·G, (n-1)·G = -G, G on the curve`, () => {
        const e = createECDH(c.name);
        e.setPrivateKey(toBytes(1n, c.size));
        expect(e.getPublicKey("hex")).to.equal(`04${toBytes(c.gx, c.size).toString("hex")}${toBytes(c.gy, c.size).toString("hex")}`);
        e.setPrivateKey(toBytes(c.n - 1n, c.size));
        const neg = e.getPublicKey();
        expect(toBigInt(neg.subarray(1, 1 + c.size))).to.equal(c.gx);
        expect(toBigInt(neg.subarray(1 + c.size))).to.equal(c.p - c.gy);
        expect(onCurve(c, { x: c.gx, y: c.gy })).to.equal(true);
        expect(onCurve(c, { x: c.gx, y: c.gy + 1n })).to.equal(false);
      });
    }
  });

  it("RFC 6979 A.2.5 (P-256, SHA-256, \"sample\"): the equations with its k give its (r, s); the verifier accepts it", () => {
    const c = EC_CURVES.find((x) => x.name === "prime256v1")!;
    const d = toBigInt(hex("c9afa9d845ba75166b5c215767b1d6934e50c3db36e89b127b8a622b120f6721"));
    const k = toBigInt(hex("a6e3c57dd01abe90086538398355dd4c3b17aa873382b0f24d6129493d8aad60"));
    const r = toBigInt(hex("efd48b2aacb6a8fd1140dd9cd45e81d69d2c877b56aaf991c34d0ea84eaf3716"));
    const s = toBigInt(hex("f7cb1c942d657c41d436c7a1b6e29f65f3e900dbb9aff4064dc4ab2f843acda8"));
    const z = digestToZ(c, sha("sha256", Buffer.from("sample")));
    for (const blind of [1n, 12345n, c.n - 2n]) expect(ecdsaEquations(c, d, z, k, blind)).to.deep.equal({ r, s });
    const pub = createPublicKey({
      format: "jwk",
      key: {
        kty: "EC",
        crv: "P-256",
        x: hex("60fed4ba255a9d31c961eb74c6356d68c049b8923b61fa6ce669622e60f29fb6").toString("base64url"),
        y: hex("7903fe1008b8bc99a41ae9e95628bc64f2f1b20c2d7e9f5177a3c294d4462299").toString("base64url"),
      },
    });
    const sig = encodeSignature(r, s);
    expect(verify("sha256", Buffer.from("sample"), pub, sig), "node agrees on the DER form").to.equal(true);
    expect(verifyDigestEcdsa(pub, sha("sha256", Buffer.from("sample")), sig)).to.equal(true);
    expect(verifyDigestEcdsa(pub, sha("sha256", Buffer.from("test")), sig)).to.equal(false);
  });

  const cases: [string, string][] = [
    ["prime256v1", "sha256"],
    ["prime256v1", "sha512"], // digest longer than n: leftmost 256 bits
    ["secp384r1", "sha384"],
    ["secp384r1", "sha1"], // digest shorter than n
    ["secp521r1", "sha512"],
    ["secp256k1", "sha256"],
    ["secp224r1", "sha256"],
  ];
  for (const [curve, hash] of cases) {
    it(`${curve} / ${hash}: node's signatures verify over the digest, ours verify in node, tampering is Invalid`, () => {
      const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: curve });
      const digest = sha(hash, msg);
      for (let i = 0; i < 3; i++) {
        const theirs = sign(hash, msg, privateKey);
        expect(verifyDigestEcdsa(publicKey, digest, theirs), "node → kmipd").to.equal(true);
        const ours = signDigestEcdsa(privateKey, digest);
        expect(verify(hash, msg, publicKey, ours), "kmipd → node").to.equal(true);
        expect(verifyDigestEcdsa(publicKey, digest, ours), "kmipd → kmipd").to.equal(true);
        expect(verifyDigestEcdsa(privateKey, digest, ours), "a private key verifies through its public half").to.equal(true);
        expect(verifyDigestEcdsa(publicKey, flip(digest, 0), ours)).to.equal(false);
        expect(verifyDigestEcdsa(publicKey, digest, flip(ours, ours.length - 1))).to.equal(false);
      }
      const other = generateKeyPairSync("ec", { namedCurve: curve }).publicKey;
      expect(verifyDigestEcdsa(other, digest, signDigestEcdsa(privateKey, digest)), "another key").to.equal(false);
    });
  }

  it("signatures are randomised, and malformed or out-of-range ones are Invalid, not errors", () => {
    const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
    const digest = sha("sha256", msg);
    const a = signDigestEcdsa(privateKey, digest);
    expect(a.equals(signDigestEcdsa(privateKey, digest))).to.equal(false);
    const { r, s } = decodeSignature(a)!;
    const n = EC_CURVES.find((x) => x.name === "prime256v1")!.n;
    for (const bad of [
      Buffer.alloc(0),
      Buffer.from([0x30, 0x00]),
      Buffer.concat([a, Buffer.from([0])]), // trailing byte
      encodeSignature(0n, s),
      encodeSignature(r, 0n),
      encodeSignature(r + n, s),
      encodeSignature(r, n - s + n), // s ≥ n
      sign("sha256", msg, { key: privateKey, dsaEncoding: "ieee-p1363" }), // not DER
    ]) {
      expect(verifyDigestEcdsa(publicKey, digest, bad), bad.toString("hex")).to.equal(false);
    }
    // the same (r, s) with r written with a needless leading zero is refused (DER is minimal)
    let sig = a;
    while (sig[3] !== 0x20 || sig[4]! >= 0x80) sig = signDigestEcdsa(privateKey, digest); // r: 32 bytes, top bit clear
    const padded = Buffer.concat([Buffer.from([0x02, 0x21, 0x00]), sig.subarray(4, 36), sig.subarray(36)]);
    expect(verifyDigestEcdsa(publicKey, digest, sig)).to.equal(true);
    expect(verifyDigestEcdsa(publicKey, digest, Buffer.concat([Buffer.from([0x30, padded.length]), padded]))).to.equal(false);
  });

  it("through Sign / Signature Verify with Digested Data (2.1)", async () => {
    const e = engine();
    const k = generateKeyPairSync("ec", { namedCurve: "secp384r1" });
    const F = Enums.KeyFormatType;
    const A = Enums.CryptographicAlgorithm;
    const priv = await register(e, Enums.ObjectType.PrivateKey, asymmetric(Tag.PrivateKey, F.PKCS_8, k.privateKey.export({ format: "der", type: "pkcs8" }), A.EC, 384), { mask: Masks.CryptographicUsageMask.Sign });
    const pub = await register(e, Enums.ObjectType.PublicKey, asymmetric(Tag.PublicKey, F.X_509, k.publicKey.export({ format: "der", type: "spki" }), A.EC, 384), { mask: Masks.CryptographicUsageMask.Verify });
    const digest = sha("sha384", msg);
    const s = await e.op(Op.Sign, [uidOf(priv), bytes(Tag.DigestedData, digest)], V);
    expect(s.status, s.message).to.equal(OK);
    const sig = field(s, Tag.SignatureData)!;
    expect(verify("sha384", msg, k.publicKey, sig)).to.equal(true);
    const validity = async (d: Uint8Array, g: Uint8Array) => {
      const r = await e.op(Op.SignatureVerify, [uidOf(pub), bytes(Tag.DigestedData, d), bytes(Tag.SignatureData, g)], V);
      expect(r.status, r.message).to.equal(OK);
      return val(r.payload, Tag.ValidityIndicator);
    };
    const VI = Enums.ValidityIndicator;
    expect(await validity(digest, sig)).to.equal(VI.Valid);
    expect(await validity(digest, sign("sha384", msg, k.privateKey))).to.equal(VI.Valid);
    expect(await validity(flip(digest, 5), sig)).to.equal(VI.Invalid);
    expect(await validity(digest, Buffer.from("not a signature"))).to.equal(VI.Invalid);
  });
});
