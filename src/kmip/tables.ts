/** Shapes of the generated registry tables (src/kmip/generated/*, written by scripts/gen-registry.ts). */
import type { VersionMask } from "./versions.js";

/** Item type names as the XML encoding spells them (the `type=` attribute). */
export type ItemTypeName =
  | "Structure" | "Integer" | "LongInteger" | "BigInteger" | "Enumeration" | "Boolean"
  | "TextString" | "ByteString" | "DateTime" | "Interval" | "DateTimeExtended";

export interface TagRow {
  /** 3-byte tag value, e.g. 0x420094. */
  readonly value: number;
  /** The spec's display name, e.g. "Unique Identifier" (the latest version's, if it was renamed). */
  readonly name: string;
  /** Normalised XML element name, e.g. "UniqueIdentifier". */
  readonly xmlName: string;
  /** The item type the spec gives this tag, when it gives exactly one. */
  readonly type?: ItemTypeName;
  /**
   * Every item type the spec gives, with the versions that give it — present only when there is
   * more than one (e.g. Asynchronous Indicator: Boolean in 1.x, Enumeration in 2.x).
   */
  readonly types?: Readonly<Partial<Record<ItemTypeName, VersionMask>>>;
  /** xmlName of the enumeration an Enumeration-typed tag draws its values from. */
  readonly enumeration?: string;
  /** xmlName of the mask an Integer-typed tag holds. */
  readonly mask?: string;
  /** Versions in which the spec defines the tag (deprecated counts, reserved does not). */
  readonly versions: VersionMask;
  /** Versions whose tag table marks the tag deprecated. */
  readonly deprecated?: VersionMask;
  /** Names an older version's tag table gave the same value (resolved by tagByXmlName/tagByName). */
  readonly formerNames?: readonly string[];
  /** Where the spec defines it, e.g. "1.0–1.4 §9.1.3.1; 2.0 §11.54; 2.1 §11.56". */
  readonly section: string;
}

export interface EnumValueRow {
  readonly name: string;
  readonly xmlName: string;
  readonly value: number;
  readonly versions: VersionMask;
  /** Versions whose table marks the value deprecated. */
  readonly deprecated?: VersionMask;
  /**
   * Other xmlNames of the same value: the name in older versions' tables (1.1–1.4 "SHA-1 with RSA
   * Encryption (PKCS#1 v1.5)"), or the text's spelling where the generator corrects it (2.x "MFG1").
   */
  readonly aliases?: readonly string[];
}

export interface EnumRow {
  readonly name: string;
  readonly xmlName: string;
  /** One row per value, in value order; `versions` says where each is defined. */
  readonly values: readonly EnumValueRow[];
  readonly section: string;
  /** Versions that define the enumeration. */
  readonly versions?: VersionMask;
  /** Title differences between versions, missing value tables. */
  readonly note?: string;
}

/** Masks share the enumeration shape: each value is one bit (or a documented multi-bit value). */
export type MaskRow = EnumRow;

export interface AttributeRow {
  /** The name a 1.x Attribute Name carries, e.g. "Cryptographic Usage Mask". */
  readonly name: string;
  /** Tag of the attribute (its element in the 2.x Attributes structure). */
  readonly tag: number;
  readonly type: ItemTypeName;
  readonly versions: VersionMask;
  readonly section: string;
}
