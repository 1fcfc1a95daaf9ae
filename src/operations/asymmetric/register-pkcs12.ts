/**
 * Register of a Private Key in Key Format Type PKCS#12 (1.4 §4.3 / §2.1.7, 2.1 §6.1.45): the
 * PFX is opened with the password of the Secret Data its PKCS#12 Password Link names (which must
 * be Active), its MAC checked and its bags decrypted (pkcs12-parse.ts). kmipd stores the private
 * key as PKCS#8 — Get returns it so, or as PKCS#12 again on request (pkcs12.ts) — and creates a
 * Certificate object for each certificate in the PFX: the key's PKCS#12 Certificate Link names
 * its own certificate, each chain certificate's PKCS#12 Certificate Link its issuer. The PKCS#12
 * Friendly Name of a bag becomes the attribute unless the client gave one.
 */
import { Enums, Tag } from "../../kmip/index.js";
import { KmipError } from "../../messages/index.js";
import { firstAttr, setServerAttr, type ManagedObject } from "../../model/index.js";
import { ItemType, bytes, enumeration, integer, struct, text, type StructureNode, type TtlvNode } from "../../ttlv/index.js";
import type { OperationContext } from "../context.js";
import { keyBlockOf } from "../key-material.js";
import { link } from "../links.js";
import { algorithmOf, factsOf } from "./formats.js";
import { pkcs12Password } from "./pkcs12.js";
import { openPfx, type Pkcs12Certificate } from "./pkcs12-parse.js";

const FRIENDLY = "PKCS#12 Friendly Name";

export interface OpenedPkcs12 {
  /** The Private Key structure to store: Key Block in PKCS#8. */
  readonly content: StructureNode;
  /** The key's certificate chain, leaf first, then certificates not in the chain. */
  readonly chain: readonly Pkcs12Certificate[];
  readonly others: readonly Pkcs12Certificate[];
}

export const isPkcs12 = (content: TtlvNode): boolean => keyBlockOf(content)?.optEnum(Tag.KeyFormatType) === Enums.KeyFormatType.PKCS_12;

/** The PFX bytes: 1.x cases put them straight into the Key Value, 2.x into Key Material. */
function pfxBytes(content: TtlvNode): Uint8Array {
  const kb = keyBlockOf(content)!;
  if (kb.has(Tag.KeyWrappingData)) throw new KmipError("FeatureNotSupported", "a wrapped PKCS#12 Key Value is not supported");
  const kv = kb.node.children.find((c) => c.tag === Tag.KeyValue);
  if (kv?.type === ItemType.ByteString) return kv.value;
  const km = kb.optStruct(Tag.KeyValue)?.optBytes(Tag.KeyMaterial);
  if (!km) throw new KmipError("InvalidField", "the PKCS#12 Key Value holds no PFX");
  return km;
}

/** Opens the registered PFX (obj holds the request's attributes, with the PKCS#12 Password Link). */
export async function openPkcs12(obj: ManagedObject, content: TtlvNode, ctx: OperationContext): Promise<OpenedPkcs12> {
  const der = pfxBytes(content);
  const password = await pkcs12Password(obj, ctx);
  if (!password) throw new KmipError("InvalidField", "Register of a PKCS#12 private key needs a PKCS#12 Password Link to the password's Secret Data");
  const pfx = await openPfx(der, password);
  if (firstAttr(obj, FRIENDLY) === undefined && pfx.keyInfo.friendlyName !== undefined) setServerAttr(obj, FRIENDLY, text(0, pfx.keyInfo.friendlyName));
  const pkcs8 = pfx.key.export({ format: "der", type: "pkcs8" });
  const block: TtlvNode[] = [enumeration(Tag.KeyFormatType, Enums.KeyFormatType.PKCS_8), struct(Tag.KeyValue, [bytes(Tag.KeyMaterial, pkcs8)])];
  try {
    const facts = factsOf(pfx.key);
    block.push(enumeration(Tag.CryptographicAlgorithm, algorithmOf(facts, ctx.version)), integer(Tag.CryptographicLength, facts.bits));
  } catch {
    // a key kmipd cannot describe (DSA, an unusual curve) is stored without algorithm and length
  }
  const chainEnd = pfx.chainLength;
  return {
    content: struct(Tag.PrivateKey, [struct(Tag.KeyBlock, block)]),
    chain: pfx.certificates.slice(0, chainEnd),
    others: pfx.certificates.slice(chainEnd),
  };
}

/**
 * The Certificate objects of an opened PFX, linked: key → its certificate → issuer → … . `fill`
 * completes each as Register does for a Certificate (attributes from the certificate itself).
 */
export function pkcs12Certificates(
  key: ManagedObject,
  opened: OpenedPkcs12,
  ctx: OperationContext,
  fill: (o: ManagedObject, content: StructureNode) => void,
): ManagedObject[] {
  const make = (c: Pkcs12Certificate): ManagedObject => {
    const o: ManagedObject = { uid: ctx.objects.newUid(), owner: ctx.objects.owner, attrs: [], revision: 0 };
    if (c.friendlyName !== undefined) setServerAttr(o, FRIENDLY, text(0, c.friendlyName));
    fill(o, struct(Tag.Certificate, [enumeration(Tag.CertificateType, Enums.CertificateType.X_509), bytes(Tag.CertificateValue, c.der)]));
    return o;
  };
  const chain = opened.chain.map(make);
  const L = Enums.LinkType.PKCS_12CertificateLink;
  if (chain[0]) key.attrs.push(link(L, chain[0].uid));
  for (let i = 0; i + 1 < chain.length; i++) chain[i]!.attrs.push(link(L, chain[i + 1]!.uid));
  return [...chain, ...opened.others.map(make)];
}
