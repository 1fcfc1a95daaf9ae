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
    out.push(`${head} ${valueForHumans(node, attrName, version, opts)}`);
    return;
  }
  out.push(node.children.length === 0 ? `${head} (empty)` : head);
  let an: string | undefined;
  for (const c of node.children) {
    walk(c, depth + 1, an, version, opts, out);
    if (c.tag === Tag.AttributeName && c.type === ItemType.TextString) an = c.value;
  }
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
