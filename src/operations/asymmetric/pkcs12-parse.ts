/**
 * Opening a PFX (RFC 7292) in password-integrity mode: the MAC is checked first (HMAC under the
 * Appendix B key, SHA-1/224/256/384/512), then each SafeContents is read — plain or password-
 * encrypted (pkcs12-pbe.ts) — with its key bags (plain or shrouded), certificate bags and nested
 * SafeContents. Public-key integrity or privacy (SignedData / EnvelopedData) is Feature Not
 * Supported. The result is one private key, the X.509 certificates, and their bag attributes.
 */
import { X509Certificate, createHmac, createPrivateKey, createPublicKey, timingSafeEqual, type KeyObject } from "node:crypto";
import { EncryptedContentInfo, ContentInfo, id_data, id_encryptedData } from "@peculiar/asn1-cms";
import { AuthenticatedSafe, CertBag, PFX, PKCS8ShroudedKeyBag, SafeContents, id_certBag, id_keyBag, id_pkcs8ShroudedKeyBag, id_SafeContents, id_x509Certificate, type SafeBag } from "@peculiar/asn1-pfx";
import { AsnConvert, AsnProp, AsnPropTypes, OctetString } from "@peculiar/asn1-schema";
import { KmipError } from "../../messages/index.js";
import { KDF_ID, bmpPassword, pkcs12Kdf } from "./pkcs12-kdf.js";
import { MAX_PKCS12_ITERATIONS, pbeDecrypt, pkcs12Failure } from "./pkcs12-pbe.js";

/** PKCS#7 EncryptedData ::= SEQUENCE { version, encryptedContentInfo } (not in @peculiar/asn1-cms). */
class EncryptedData {
  @AsnProp({ type: AsnPropTypes.Integer }) version = 0;
  @AsnProp({ type: EncryptedContentInfo }) encryptedContentInfo = new EncryptedContentInfo();
}

const FRIENDLY_NAME = "1.2.840.113549.1.9.20";
const LOCAL_KEY_ID = "1.2.840.113549.1.9.21";
const MAC_HASHES: ReadonlyMap<string, string> = new Map([
  ["1.3.14.3.2.26", "sha1"],
  ["2.16.840.1.101.3.4.2.4", "sha224"],
  ["2.16.840.1.101.3.4.2.1", "sha256"],
  ["2.16.840.1.101.3.4.2.2", "sha384"],
  ["2.16.840.1.101.3.4.2.3", "sha512"],
]);
/** Nested SafeContents bags followed this deep. */
const MAX_NESTING = 4;

export interface BagInfo {
  readonly friendlyName?: string;
  readonly localKeyId?: Buffer;
}
export interface Pkcs12Certificate extends BagInfo {
  readonly der: Buffer;
}
export interface Pkcs12Contents {
  readonly key: KeyObject;
  readonly keyInfo: BagInfo;
  /** The key's own certificate first (when the PFX holds it), then its issuers, then any others. */
  readonly certificates: Pkcs12Certificate[];
  /** How many of `certificates` form the key's chain (0: the PFX holds no certificate of the key). */
  readonly chainLength: number;
}

const malformed = () => new KmipError("InvalidField", "the PKCS#12 Key Value is not a well-formed PFX");

function parse<T>(der: ArrayBuffer | ArrayBufferView | undefined, type: new () => T): T {
  if (!der) throw malformed();
  try {
    return AsnConvert.parse(der, type);
  } catch {
    throw malformed();
  }
}
const bytesOf = (o: OctetString): Buffer => Buffer.from(o.buffer);

/** A DER BMPString (tag 0x1e): UTF-16BE. */
function bmpString(der: ArrayBuffer): string {
  const b = Buffer.from(der);
  if (b[0] !== 0x1e || b.length < 2) throw malformed();
  const lenBytes = b[1]! & 0x80 ? b[1]! & 0x7f : 0;
  const len = lenBytes ? b.subarray(2, 2 + lenBytes).reduce((n, x) => n * 256 + x, 0) : b[1]!;
  const body = Buffer.from(b.subarray(2 + lenBytes, 2 + lenBytes + len));
  if (body.length !== len || len % 2) throw malformed();
  return body.swap16().toString("utf16le");
}

function bagInfo(bag: SafeBag): BagInfo {
  let friendlyName: string | undefined;
  let localKeyId: Buffer | undefined;
  for (const a of bag.bagAttributes ?? []) {
    const v = a.attrValues[0];
    if (!v) continue;
    if (a.attrId === FRIENDLY_NAME) friendlyName = bmpString(v);
    if (a.attrId === LOCAL_KEY_ID) localKeyId = bytesOf(parse(v, OctetString));
  }
  return { ...(friendlyName !== undefined ? { friendlyName } : {}), ...(localKeyId ? { localKeyId } : {}) };
}

function verifyMac(pfx: PFX, authSafe: Buffer, password: Uint8Array): void {
  const md = pfx.macData;
  if (!md) return; // RFC 7292 makes the MAC optional; the encrypted bags still need the password
  const hash = MAC_HASHES.get(md.mac.digestAlgorithm.algorithm);
  if (!hash) throw new KmipError("FeatureNotSupported", "the PKCS#12 MAC algorithm is not supported");
  const n = md.iterations ?? 1;
  if (!Number.isSafeInteger(n) || n < 1 || n > MAX_PKCS12_ITERATIONS) throw new KmipError("InvalidField", "the PKCS#12 MAC iteration count is out of range");
  const expected = Buffer.from(md.mac.digest.buffer);
  const size = createHmac(hash, "").digest().length;
  const key = pkcs12Kdf(hash, bmpPassword(Buffer.from(password).toString("utf8")), bytesOf(md.macSalt), KDF_ID.mac, n, size);
  const got = createHmac(hash, key).update(authSafe).digest();
  if (got.length !== expected.length || !timingSafeEqual(got, expected)) throw pkcs12Failure();
}

interface Found {
  keys: { der: Buffer; info: BagInfo }[];
  certs: Pkcs12Certificate[];
}

async function readBags(contents: SafeContents, password: Uint8Array, found: Found, depth: number): Promise<void> {
  for (const bag of contents) {
    if (bag.bagId === id_keyBag) found.keys.push({ der: Buffer.from(bag.bagValue), info: bagInfo(bag) });
    else if (bag.bagId === id_pkcs8ShroudedKeyBag) {
      const epki = parse(bag.bagValue, PKCS8ShroudedKeyBag);
      found.keys.push({ der: await pbeDecrypt(epki.encryptionAlgorithm, bytesOf(epki.encryptedData), password), info: bagInfo(bag) });
    } else if (bag.bagId === id_certBag) {
      const cb = parse(bag.bagValue, CertBag);
      if (cb.certId === id_x509Certificate) found.certs.push({ der: bytesOf(parse(cb.certValue, OctetString)), ...bagInfo(bag) });
    } else if (bag.bagId === id_SafeContents) {
      if (depth >= MAX_NESTING) throw malformed();
      await readBags(parse(bag.bagValue, SafeContents), password, found, depth + 1);
    }
    // CRL and secret bags are not kept
  }
}

async function safeContentsOf(ci: ContentInfo, password: Uint8Array): Promise<SafeContents> {
  if (ci.contentType === id_data) return parse(bytesOf(parse(ci.content, OctetString)), SafeContents);
  if (ci.contentType !== id_encryptedData) throw new KmipError("FeatureNotSupported", "PKCS#12 contents protected by public-key encryption are not supported");
  const eci = parse(ci.content, EncryptedData).encryptedContentInfo;
  const enc = eci.encryptedContent;
  const data = enc?.value ? bytesOf(enc.value) : Buffer.concat((enc?.constructedValue ?? []).map(bytesOf));
  return parse(await pbeDecrypt(eci.contentEncryptionAlgorithm, data, password), SafeContents);
}

const spki = (k: KeyObject) => (k.type === "private" ? createPublicKey(k) : k).export({ format: "der", type: "spki" });

/** Leaf first: the certificate of the key, then each issuer found in the PFX; others after. */
function orderChain(key: KeyObject, keyInfo: BagInfo, certs: Pkcs12Certificate[]): { certificates: Pkcs12Certificate[]; chainLength: number } {
  const parsed = certs.map((c) => ({ c, x: new X509Certificate(c.der) }));
  const keySpki = spki(key);
  const leaf =
    parsed.find((p) => spki(p.x.publicKey).equals(keySpki)) ??
    (keyInfo.localKeyId ? parsed.find((p) => p.c.localKeyId?.equals(keyInfo.localKeyId!)) : undefined);
  if (!leaf) return { certificates: certs, chainLength: 0 };
  const chain = [leaf];
  for (let cur = leaf; chain.length < parsed.length; ) {
    const issuer = parsed.find((p) => !chain.includes(p) && cur.x.checkIssued(p.x));
    if (!issuer) break;
    chain.push(issuer);
    cur = issuer;
  }
  return { certificates: [...chain, ...parsed.filter((p) => !chain.includes(p))].map((p) => p.c), chainLength: chain.length };
}

/** Opens a PFX with the password (its bytes, UTF-8). */
export async function openPfx(der: Uint8Array, password: Uint8Array): Promise<Pkcs12Contents> {
  const pfx = parse(der, PFX);
  if (pfx.version !== 3) throw malformed();
  if (pfx.authSafe.contentType !== id_data) throw new KmipError("FeatureNotSupported", "PKCS#12 public-key integrity mode is not supported");
  const authSafe = bytesOf(parse(pfx.authSafe.content, OctetString));
  verifyMac(pfx, authSafe, password);
  const found: Found = { keys: [], certs: [] };
  for (const ci of parse(authSafe, AuthenticatedSafe)) await readBags(await safeContentsOf(ci, password), password, found, 0);
  if (found.keys.length !== 1) throw new KmipError("InvalidField", "the PFX must hold exactly one private key");
  const { der: keyDer, info } = found.keys[0]!;
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: keyDer, format: "der", type: "pkcs8" });
  } catch {
    throw pkcs12Failure(); // a wrong password without a MAC decrypts to garbage (or fails the padding)
  }
  try {
    return { key, keyInfo: info, ...orderChain(key, info, found.certs) };
  } catch {
    throw new KmipError("InvalidField", "a certificate in the PFX is not a valid X.509 certificate");
  }
}
