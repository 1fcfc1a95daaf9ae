/**
 * An indented, human-readable rendering for operators (`kmipd ttlv decode`): one line per item,
 * `TagName (Type) value`, with enumeration and mask names and ISO dates next to the raw numbers.
 */
import { Tag, type KmipVersion } from "../kmip/index.js";
import { ITEM_TYPE_NAMES, ItemType, type TtlvNode } from "../ttlv/index.js";
import { enumToText, maskToParts, messageVersion, namingFor } from "./context.js";
import { bigIntegerToHex, bytesToHex, formatIsoDateTime, formatIsoMicros } from "./values.js";
import { elementName, tagHex } from "./xml-write.js";

export interface TextOptions {
  /** Version for names when the node has no header ProtocolVersion. */
  readonly version?: KmipVersion;
  /** One level of indentation (default two spaces). */
  readonly indent?: string;
  /** Shorten Byte Strings longer than this many bytes (default: never shorten). */
  readonly maxBytes?: number;
  /** Print secret values (key material, private key parts, passwords, plaintext) instead of masking them. */
  readonly showSecrets?: boolean;
}

/**
 * Items whose value is secret: key material in the clear, private-key components, passwords and
 * plaintext data. The text view masks them by default (length and a short fingerprint-free
 * marker), so a decoded capture can be pasted into a ticket without leaking a key.
 */
export const SECRET_TAGS: ReadonlySet<number> = new Set([
  Tag.KeyMaterial, Tag.Key, Tag.PrivateExponent, Tag.P, Tag.Q, Tag.PrimeExponentP, Tag.PrimeExponentQ,
  Tag.CRTCoefficient, Tag.D, Tag.X, Tag.Password, Tag.Data, Tag.OpaqueDataValue, Tag.CredentialValue,
]);

/** Whether a tree holds any secret value (so callers can warn before printing it in full). */
export function hasSecrets(node: TtlvNode): boolean {
  if (SECRET_TAGS.has(node.tag) && node.type !== ItemType.Structure) return true;
  return node.type === ItemType.Structure && node.children.some(hasSecrets);
}

/** The tree, one line per item, each line ending in "\n". */
export function nodeToText(node: TtlvNode, opts: TextOptions = {}): string {
  const lines: string[] = [];
  walk(node, 0, undefined, messageVersion(node) ?? opts.version, opts, lines);
  return lines.map((l) => `${l}\n`).join("");
}

function walk(node: TtlvNode, depth: number, attrName: string | undefined, version: KmipVersion | undefined, opts: TextOptions, out: string[]): void {
  const head = `${(opts.indent ?? "  ").repeat(depth)}${elementName(node.tag) ?? tagHex(node.tag)} (${ITEM_TYPE_NAMES[node.type]})`;
  if (node.type !== ItemType.Structure) {
    const secret = !opts.showSecrets && SECRET_TAGS.has(node.tag);
    out.push(`${head} ${secret ? masked(node) : valueForHumans(node, attrName, version, opts)}`);
    return;
  }
  out.push(node.children.length === 0 ? `${head} (empty)` : head);
  let an: string | undefined;
  for (const c of node.children) {
    walk(c, depth + 1, an, version, opts, out);
    if (c.tag === Tag.AttributeName && c.type === ItemType.TextString) an = c.value;
  }
}

function masked(node: Exclude<TtlvNode, { type: ItemType.Structure }>): string {
  const size = node.type === ItemType.ByteString ? `${node.value.length} bytes` : node.type === ItemType.TextString ? `${Buffer.byteLength(node.value)} bytes` : "value";
  return `**** (${size} hidden; --show-secrets to print)`;
}

function valueForHumans(node: Exclude<TtlvNode, { type: ItemType.Structure }>, attrName: string | undefined, version: KmipVersion | undefined, opts: TextOptions): string {
  switch (node.type) {
    case ItemType.Integer: {
      const { mask } = namingFor(node.tag, node.type, attrName, version);
      const parts = mask && maskToParts(node.value, mask, version);
      return parts ? `${parts.join("|")} (${node.value >>> 0})` : String(node.value);
    }
    case ItemType.Enumeration:
      return enumToText(node.value, namingFor(node.tag, node.type, attrName, version), version);
    case ItemType.LongInteger:
    case ItemType.Interval:
      return String(node.value);
    case ItemType.BigInteger:
      return `0x${bigIntegerToHex(node.value)}`;
    case ItemType.Boolean:
      return String(node.value);
    case ItemType.TextString:
      return JSON.stringify(node.value);
    case ItemType.ByteString: {
      const max = opts.maxBytes;
      if (max !== undefined && node.value.length > max) return `${bytesToHex(node.value.subarray(0, max))}… (${node.value.length} bytes)`;
      return node.value.length === 0 ? "(empty)" : bytesToHex(node.value);
    }
    case ItemType.DateTime:
      return `${formatIsoDateTime(node.value)} (${node.value})`;
    case ItemType.DateTimeExtended:
      return `${formatIsoMicros(node.value)} (${node.value})`;
  }
}
