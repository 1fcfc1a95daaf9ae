/**
 * Decisions the spec text does not settle by itself. Every entry says why; docs/REGISTRY.md
 * repeats the lists. Keys are tag xmlNames. The generator fails if an entry no longer matches a
 * tag, so stale entries cannot linger.
 */
import type { ItemTypeName } from "../../src/kmip/tables.js";
import type { KmipVersion } from "../../src/kmip/versions.js";

/** Enumeration sections that are not enumerations of their own. */
export const NOT_ENUMERATIONS: ReadonlySet<string> = new Set([
  // 2.x §11.54/§11.56 is the tag table; tags.ts reads it, and the registry serves it as the
  // "Tag" enumeration (the values of Attribute Reference, "Enumeration (Tag)") built from the tag rows.
  "Tag",
]);

/** Corrections of value names the text gets wrong; the text's spelling remains an alias of the value. */
export const ENUM_TEXT_FIXES: readonly { version: KmipVersion; section: string; from: string; to: string; why: string }[] = [
  { version: "2.0", section: "11.9", from: "(PGP", to: "PGP", why: "unbalanced bracket in the 2.0 Certificate Type table; 1.x and 2.1 read PGP" },
  // Mask Generator: 1.4 §9.1.3.2.49 reads MGF1 (RFC 8017's name); 2.x §11.30 reads "MFG1". The 2.x
  // test files (CS-AC-M-OAEP-1-20/21) send MGF1. MFG1 stays an alias of the value.
  { version: "2.0", section: "11.30", from: "MFG1", to: "MGF1", why: "transposed letters in 2.0 §11.30; 1.4 and RFC 8017 read MGF1" },
  { version: "2.1", section: "11.30", from: "MFG1", to: "MGF1", why: "as 2.0 (2.1 §11.30)" },
];

/** Item types for tags that no table, appendix row or description types (or types wrongly). */
export const TYPE_OVERRIDES: Readonly<Record<string, { type: ItemTypeName; why: string }>> = {
  RandomNumberGenerator: { type: "Structure", why: "its encoding cell names the RNG Parameters structure (1.3 §3.44, 2.1 §4.46)" },
  AlternateFailoverEndpoints: { type: "TextString", why: "2.x Server Information (2.0 §7.31, 2.1 §7.37) spells the row 'Alternative failover endpoints | Text String, MAY be repeated'" },
  RequestCount: { type: "Integer", why: "2.x Login/Delegated Login payloads: 'The integer count of the number of requests …'; TC-LOGIN files use Integer" },
  ServerHashedPassword: { type: "ByteString", why: "2.x Login response: 'Hash(Timestamp || S1 || Hash(S2))', a hash like the Byte String Hashed Password field" },
  CommonProtectionStorageMasks: { type: "Structure", why: "holds Protection Storage Mask selections like Protection Storage Masks (2.1 §7.33, Structure)" },
  PrivateProtectionStorageMasks: { type: "Structure", why: "as Common Protection Storage Masks" },
  PublicProtectionStorageMasks: { type: "Structure", why: "as Common Protection Storage Masks" },
};

/** Tag → enumeration where neither a "see" reference nor the tag's own name settles it. */
export const ENUM_OVERRIDES: Readonly<Record<string, { enumeration: string; why: string }>> = {
  LinkedObjectIdentifier: { enumeration: "UniqueIdentifier", why: "2.x types it 'Text String, Enumeration or Integer'; the Link encoding table (2.1 §4.31) reads 'Enumeration | Unique Identifier Enumeration'" },
  KeyWrapType: { enumeration: "KeyWrapType", why: "1.4 Get/Export rows say 'see 9.1.3.2.3' (Key Format Type); the Import row, 2.x and the name say Key Wrap Type (1.4 §9.1.3.2.48)" },
};

/** Tag → bit mask beyond the tags named like a mask (Cryptographic Usage Mask, Storage Status Mask, Protection Storage Mask). */
export const MASK_OVERRIDES: Readonly<Record<string, { mask: string; why: string }>> = {};
