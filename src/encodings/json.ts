/**
 * The KMIP JSON encoding (Additional Message Encodings 1.0 §4.1; Profiles 2.1 §5.5.1):
 * each item is {"tag", "type", "value"}; a structure's value is an array of items.
 * The writer uses the forms of the OASIS JSON test vectors: structures without "type", fixed-width
 * numbers as 0x-hex strings, enumeration and mask names, DateTime in ISO 8601.
 */
import { tagByXmlName, type KmipVersion, Tag } from "../kmip/index.js";
import * as n from "../ttlv/index.js";
import { ITEM_TYPE_NAMES, ItemType, itemTypeByName, type TtlvNode } from "../ttlv/index.js";
import { enumFromText, enumToText, maskFromText, maskToParts, messageVersion, namingFor } from "./context.js";
import { JsonEncodingError, ValueError } from "./errors.js";
import {
  bigIntegerToHex, bytesToHex, checkInt32, checkUint32, formatIsoDateTime, parseBigIntegerHex, parseHexBytes, parseInt32, parseInt64, parseIsoDateTime, parseUint32,
} from "./values.js";
import { elementName, tagHex } from "./xml-write.js";
import { primitive, resolvePlaceholder, type PlaceholderResolver } from "./xml-read.js";

export type JsonValue = string | number | boolean | null | JsonItem[];

export interface JsonItem {
  tag: string;
  name?: string;
  type?: string;
  value: JsonValue;
}

export interface JsonOptions {
  /** Version for names when the node has no header ProtocolVersion. */
  readonly version?: KmipVersion;
}

export interface JsonReadOptions extends JsonOptions {
  readonly placeholders?: PlaceholderResolver;
}

const hexLower = (v: bigint | number, digits: number): string => {
  let b = BigInt(v);
  if (b < 0n) b += 1n << BigInt(digits * 4);
  return `0x${b.toString(16).padStart(digits, "0")}`;
};

export function nodeToJson(node: TtlvNode, opts: JsonOptions = {}): JsonItem {
  return toJson(node, undefined, messageVersion(node) ?? opts.version);
}

function toJson(node: TtlvNode, attrName: string | undefined, version: KmipVersion | undefined): JsonItem {
  const tag = elementName(node.tag) ?? tagHex(node.tag);
  if (node.type === ItemType.Structure) {
    let an: string | undefined;
    const value = node.children.map((c) => {
      const j = toJson(c, an, version);
      if (c.tag === Tag.AttributeName && c.type === ItemType.TextString) an = c.value;
      return j;
    });
    return { tag, value };
  }
  const type = ITEM_TYPE_NAMES[node.type];
  const item = (value: JsonValue): JsonItem => ({ tag, type, value });
  switch (node.type) {
    case ItemType.Integer: {
      const { mask } = namingFor(node.tag, node.type, attrName, version);
      const parts = mask && maskToParts(node.value, mask, version);
      return item(parts ? parts.join("|") : hexLower(node.value, 8));
    }
    case ItemType.Enumeration:
      return item(enumToText(node.value, namingFor(node.tag, node.type, attrName, version), version));
    case ItemType.Interval:
      return item(hexLower(node.value, 8));
    case ItemType.LongInteger:
    case ItemType.DateTimeExtended:
      return item(hexLower(node.value, 16));
    case ItemType.BigInteger:
      return item(`0x${bigIntegerToHex(node.value)}`);
    case ItemType.Boolean:
      return item(node.value);
    case ItemType.TextString:
      return item(node.value);
    case ItemType.ByteString:
      return item(bytesToHex(node.value));
    case ItemType.DateTime:
      return item(formatIsoDateTime(node.value));
  }
}

/** Reads the JSON encoding (text or an already parsed value) into a tree. */
export function jsonToNode(input: string | unknown, opts: JsonReadOptions = {}): TtlvNode {
  let v: unknown = input;
  if (typeof input === "string") {
    try {
      v = JSON.parse(input);
    } catch (e) {
      throw new JsonEncodingError(`not JSON: ${(e as Error).message}`, "");
    }
  }
  return fromJson(v, "", undefined, opts, jsonHeaderVersion(v) ?? opts.version);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function jsonHeaderVersion(root: unknown): KmipVersion | undefined {
  try {
    const probe = isObject(root) && Array.isArray(root["value"]) ? { ...root, value: (root["value"] as unknown[]).slice(0, 1) } : undefined;
    return probe ? messageVersion(fromJson(probe, "", undefined, {}, undefined)) : undefined;
  } catch {
    return undefined;
  }
}

function fromJson(v: unknown, parentPath: string, attrName: string | undefined, opts: JsonReadOptions, version: KmipVersion | undefined, index?: number): TtlvNode {
  if (!isObject(v)) throw new JsonEncodingError("an item must be an object with tag, type and value", parentPath);
  const tagText = v["tag"];
  if (typeof tagText !== "string") throw new JsonEncodingError(`"tag" must be a string`, parentPath);
  const path = `${parentPath}/${tagText}${index === undefined ? "" : `[${index}]`}`;
  const tag = /^0x[0-9a-f]{6}$/i.test(tagText) ? Number.parseInt(tagText.slice(2), 16) : tagByXmlName(tagText)?.value;
  if (tag === undefined) throw new JsonEncodingError(`unknown tag name "${tagText}" (use "0x" + 6 hex digits)`, path);
  const typeText = v["type"] ?? "Structure";
  const type = typeof typeText === "string" ? itemTypeByName(typeText) : undefined;
  if (type === undefined) throw new JsonEncodingError(`unknown type ${JSON.stringify(typeText)}`, path);
  const value = v["value"];
  if (type === ItemType.Structure) {
    if (value !== null && value !== undefined && !Array.isArray(value)) throw new JsonEncodingError("a Structure's value must be an array", path);
    const children: TtlvNode[] = [];
    let an: string | undefined;
    (value ?? []).forEach((c: unknown, i: number) => {
      const node = fromJson(c, path, an, opts, version, i);
      if (node.tag === Tag.AttributeName && node.type === ItemType.TextString) an = node.value;
      children.push(node);
    });
    return n.struct(tag, children);
  }
  try {
    if (typeof value === "string" && value.startsWith("$")) {
      const p = resolvePlaceholder(tag, type, value, opts.placeholders);
      if (p !== undefined) return p;
    }
    return jsonPrimitive(tag, type, value, attrName, version);
  } catch (e) {
    if (e instanceof ValueError) throw new JsonEncodingError(`${ITEM_TYPE_NAMES[type]} ${e.message}`, path);
    throw e;
  }
}

function jsonPrimitive(tag: number, type: ItemType, value: unknown, attrName: string | undefined, version: KmipVersion | undefined): TtlvNode {
  const isHex = typeof value === "string" && /^0x[0-9a-f]+$/i.test(value);
  const str = (): string => {
    if (typeof value !== "string") throw new ValueError(`value ${JSON.stringify(value)} must be a string`);
    return value;
  };
  const whole = (): number => {
    if (typeof value !== "number" || !Number.isSafeInteger(value)) throw new ValueError(`value ${JSON.stringify(value)} must be a whole number or a 0x-hex string`);
    return value;
  };
  switch (type) {
    case ItemType.Integer: {
      if (isHex) return n.integer(tag, parseInt32(str()));
      const { mask } = namingFor(tag, type, attrName, version);
      if (mask && typeof value === "string") return n.integer(tag, maskFromText(value, mask, /\|/) | 0);
      return n.integer(tag, checkInt32(whole()));
    }
    case ItemType.Interval:
      return n.interval(tag, isHex ? parseUint32(str(), "Interval") : checkUint32(whole()));
    case ItemType.Enumeration:
      if (typeof value === "number") return n.enumeration(tag, checkUint32(whole()));
      return n.enumeration(tag, enumFromText(str(), namingFor(tag, type, attrName, version), version));
    case ItemType.LongInteger:
    case ItemType.DateTimeExtended:
      return primitive(tag, type, isHex ? parseInt64(str(), ITEM_TYPE_NAMES[type]) : BigInt(whole()));
    case ItemType.BigInteger:
      return n.bigInteger(tag, isHex ? parseBigIntegerHex(str().slice(2)) : BigInt(whole()));
    case ItemType.Boolean: {
      if (typeof value === "boolean") return n.boolean(tag, value);
      const b = isHex ? BigInt(str()) : -1n;
      if (b !== 0n && b !== 1n) throw new ValueError(`value ${JSON.stringify(value)} must be true, false or a 0x-hex 0 or 1`);
      return n.boolean(tag, b === 1n);
    }
    case ItemType.TextString:
      return n.text(tag, str());
    case ItemType.ByteString:
      return n.bytes(tag, parseHexBytes(str()));
    case ItemType.DateTime:
      return n.dateTime(tag, isHex ? parseInt64(str(), "DateTime") : parseIsoDateTime(str()).seconds);
    case ItemType.Structure:
      throw new ValueError("a Structure has no scalar value");
  }
}
