/**
 * Register of a Private or Public Key: what the key states about itself becomes its attributes
 * when the client did not say — Cryptographic Algorithm (RSA; EC, or ECDSA before 1.2) and
 * Cryptographic Length (modulus bits, or the curve's size).
 */
import { Tag, type KmipVersion } from "../../kmip/index.js";
import { enumAttr, intAttr, setServerAttr, type ManagedObject } from "../../model/index.js";
import { ItemType, enumeration, integer, type TtlvNode } from "../../ttlv/index.js";
import { keyBlockOf } from "../key-material.js";
import { keyObjectOf } from "../key-objects.js";
import { algorithmOf, factsOf, type KeyFacts } from "./formats.js";

export function asymmetricKeyFacts(obj: ManagedObject, content: TtlvNode, version: KmipVersion): void {
  if (enumAttr(obj, "Cryptographic Algorithm") !== undefined && intAttr(obj, "Cryptographic Length") !== undefined) return;
  const kb = keyBlockOf(content);
  if (content.type !== ItemType.Structure || !kb || kb.has(Tag.KeyWrappingData)) return;
  let facts: KeyFacts;
  try {
    facts = factsOf(keyObjectOf(content));
  } catch {
    return; // a key kmipd cannot parse (DSA, DH, an unusual curve) is stored as given
  }
  if (enumAttr(obj, "Cryptographic Algorithm") === undefined) setServerAttr(obj, "Cryptographic Algorithm", enumeration(0, algorithmOf(facts, version)));
  if (intAttr(obj, "Cryptographic Length") === undefined) setServerAttr(obj, "Cryptographic Length", integer(0, facts.bits));
}
