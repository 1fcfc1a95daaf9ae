/**
 * Get of a Private Key in Key Format Type PKCS#12 (1.4 §4.11, RFC 7292): the key and its
 * certificate chain in one PFX, protected with the password of the Secret Data its PKCS#12
 * Password Link names. The chain: the key's PKCS#12 Certificate Link (else its Public Key Link →
 * the public key's Certificate Link), then each certificate's PKCS#12 Certificate Link (else
 * Certificate Link). The key bag is a PKCS#8 EncryptedPrivateKeyInfo (PBES2, AES-256-CBC, as
 * OpenSSL writes it); the certificates are in a plain bag; the PFX MAC is HMAC-SHA256 under the
 * RFC 7292 Appendix B key. The few DER structures are written here by hand.
 */
import { createHash, createHmac, randomBytes, type KeyObject } from "node:crypto";
import { Enums, Tag } from "../../kmip/index.js";
import { KmipError, linkedObjectState } from "../../messages/index.js";
import { firstAttr, objectTypeOf, stateOf, type ManagedObject } from "../../model/index.js";
import { ItemType, bytes, enumeration, struct, type StructureNode } from "../../ttlv/index.js";
import { loadOnline } from "../common.js";
import type { OperationContext } from "../context.js";
import { keyObjectOf } from "../key-objects.js";
import { symmetricKeyBytes, keyBlockOf } from "../key-material.js";
import { linkTarget } from "./certification.js";
import { KDF_ID, bmpPassword, pkcs12Kdf } from "./pkcs12-kdf.js";

const L = Enums.LinkType;
const MAC_ITERATIONS = 2048;
/** Longest chain followed, so that a cycle of links cannot loop. */
const MAX_CHAIN = 10;

// Minimal DER writer.
function tlv(tag: number, content: Uint8Array): Buffer {
  const n = content.length;
  const len = n < 0x80 ? [n] : n < 0x100 ? [0x81, n] : n < 0x10000 ? [0x82, n >> 8, n & 0xff] : [0x83, n >> 16, (n >> 8) & 0xff, n & 0xff];
  return Buffer.concat([Buffer.from([tag, ...len]), content]);
}
const seq = (...items: Uint8Array[]) => tlv(0x30, Buffer.concat(items));
const set = (...items: Uint8Array[]) => tlv(0x31, Buffer.concat(items));
const octets = (b: Uint8Array) => tlv(0x04, b);
const explicit0 = (b: Uint8Array) => tlv(0xa0, b);
const int = (n: number) => tlv(0x02, n < 0x80 ? Buffer.from([n]) : Buffer.from([n >> 8, n & 0xff]));
function oid(dotted: string): Buffer {
  const [a, b, ...rest] = dotted.split(".").map(Number) as [number, number, ...number[]];
  const out = [40 * a + b];
  for (const v of rest) {
    const groups = [v & 0x7f];
    for (let x = v >>> 7; x > 0; x >>>= 7) groups.unshift((x & 0x7f) | 0x80);
    out.push(...groups);
  }
  return tlv(0x06, Buffer.from(out));
}
const bmp = (s: string) => tlv(0x1e, Buffer.from(s, "utf16le").swap16());

const OID = {
  data: "1.2.840.113549.1.7.1",
  keyBag: "1.2.840.113549.1.12.10.1.2",
  certBag: "1.2.840.113549.1.12.10.1.3",
  x509Cert: "1.2.840.113549.1.9.22.1",
  friendlyName: "1.2.840.113549.1.9.20",
  localKeyId: "1.2.840.113549.1.9.21",
  sha256: "2.16.840.1.101.3.4.2.1",
};

const bag = (type: string, value: Uint8Array, attrs: Uint8Array[]) => seq(oid(type), explicit0(value), ...(attrs.length ? [set(...attrs)] : []));
const dataInfo = (content: Uint8Array) => seq(oid(OID.data), explicit0(octets(content)));

/** The PFX (DER) for a private key and its certificates, first the key's own. */
export function buildPfx(key: KeyObject, certs: readonly Uint8Array[], password: string, friendlyName?: string): Uint8Array {
  const attrs: Uint8Array[] = [];
  if (certs[0]) attrs.push(seq(oid(OID.localKeyId), set(octets(createHash("sha1").update(certs[0]).digest()))));
  if (friendlyName) attrs.push(seq(oid(OID.friendlyName), set(bmp(friendlyName))));
  const shrouded = key.export({ format: "der", type: "pkcs8", cipher: "aes-256-cbc", passphrase: password });
  const keyBags = seq(bag(OID.keyBag, shrouded, attrs));
  const certBags = seq(...certs.map((c, i) => bag(OID.certBag, seq(oid(OID.x509Cert), explicit0(octets(c))), i === 0 ? attrs : [])));
  const authSafe = seq(dataInfo(keyBags), ...(certs.length ? [dataInfo(certBags)] : []));
  const salt = randomBytes(16);
  const macKey = pkcs12Kdf("sha256", bmpPassword(password), salt, KDF_ID.mac, MAC_ITERATIONS, 32);
  const mac = createHmac("sha256", macKey).update(authSafe).digest();
  const macData = seq(seq(seq(oid(OID.sha256), Buffer.from([5, 0])), octets(mac)), octets(salt), int(MAC_ITERATIONS));
  return new Uint8Array(seq(int(3), dataInfo(authSafe), macData));
}

const certValue = (o: ManagedObject): Uint8Array | undefined => {
  const v = o.content?.type === ItemType.Structure ? o.content.children.find((c) => c.tag === Tag.CertificateValue) : undefined;
  return v?.type === ItemType.ByteString ? v.value : undefined;
};

/**
 * The password of an object's PKCS#12 Password Link (undefined without one). The Secret Data must
 * be Active: else Wrong Key Lifecycle State about a linked object (Permission Denied in 1.x).
 */
export async function pkcs12Password(obj: Pick<ManagedObject, "attrs">, ctx: OperationContext): Promise<Uint8Array | undefined> {
  const pwUid = linkTarget(obj.attrs, L.PKCS_12PasswordLink);
  if (pwUid === undefined) return undefined;
  const pwObj = await loadOnline(pwUid, ctx, true);
  if (objectTypeOf(pwObj) !== Enums.ObjectType.SecretData) throw new KmipError("InvalidField", "the PKCS#12 Password Link must name a Secret Data");
  if (stateOf(pwObj) !== Enums.State.Active) throw linkedObjectState("the PKCS#12 password is not Active");
  const pwBlock = pwObj.content && keyBlockOf(pwObj.content);
  const pwBytes = pwBlock && (symmetricKeyBytes(pwBlock) ?? pwBlock.optStruct(Tag.KeyValue)?.optBytes(Tag.KeyMaterial));
  if (!pwBytes) throw new KmipError("KeyValueNotPresent", "the PKCS#12 password has no value");
  return pwBytes;
}

/** Get's answer for Key Format Type PKCS#12: Private Key { Key Block { PKCS#12, Key Value } }. */
export async function pkcs12Content(obj: ManagedObject, ctx: OperationContext): Promise<StructureNode> {
  if (objectTypeOf(obj) !== Enums.ObjectType.PrivateKey || !obj.content || obj.content.type !== ItemType.Structure) {
    throw new KmipError("KeyFormatTypeNotSupported", "only a private key can be returned as PKCS#12");
  }
  const pwBytes = await pkcs12Password(obj, ctx);
  if (!pwBytes) throw new KmipError("KeyFormatTypeNotSupported", "PKCS#12 needs a PKCS#12 Password Link to the password's Secret Data");

  const certs: Uint8Array[] = [];
  let next = linkTarget(obj.attrs, L.PKCS_12CertificateLink);
  if (next === undefined) {
    const pubUid = linkTarget(obj.attrs, L.PublicKeyLink);
    next = pubUid === undefined ? undefined : linkTarget((await loadOnline(pubUid, ctx)).attrs, L.CertificateLink);
  }
  while (next !== undefined && certs.length < MAX_CHAIN) {
    const c = await loadOnline(next, ctx, true);
    const der = certValue(c);
    if (!der) break;
    certs.push(der);
    next = linkTarget(c.attrs, L.PKCS_12CertificateLink) ?? linkTarget(c.attrs, L.CertificateLink);
  }
  const friendly = firstAttr(obj, "PKCS#12 Friendly Name")?.value;
  const pfx = buildPfx(keyObjectOf(obj.content), certs, Buffer.from(pwBytes).toString("utf8"), friendly?.type === ItemType.TextString ? friendly.value : undefined);
  // The OASIS cases differ by version: 1.4 puts the PFX straight into the Key Value, 2.x into Key Material.
  const kv = ctx.version.startsWith("2.") ? struct(Tag.KeyValue, [bytes(Tag.KeyMaterial, pfx)]) : bytes(Tag.KeyValue, pfx);
  return struct(Tag.PrivateKey, [struct(Tag.KeyBlock, [enumeration(Tag.KeyFormatType, Enums.KeyFormatType.PKCS_12), kv])]);
}
