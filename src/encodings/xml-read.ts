/**
 * KMIP XML (Additional Message Encodings 1.0 §6; Profiles 2.1 §5.4.1) → TTLV trees, reading the
 * OASIS test-case files as published (see docs/ENCODINGS.md for every accepted form).
 */
import { tagByValue, tagByXmlName, versionFromNumbers, type ItemTypeName, type KmipVersion, Tag } from "../kmip/index.js";
import * as n from "../ttlv/index.js";
import { ITEM_TYPE_NAMES, ItemType, itemTypeByName, type TtlvNode } from "../ttlv/index.js";
import { enumFromText, maskFromText, namingFor } from "./context.js";
import { ValueError, XmlEncodingError } from "./errors.js";
import { parseXmlDocument, type XmlDomLimits, type XmlElement } from "./xml-dom.js";
import {
  checkInt32, checkInt64, checkUint32, nowPlaceholderOffset, parseBigIntegerHex, parseBoolean, parseHexBytes, parseInt32, parseInt64, parseIsoDateTime, parseUint32,
} from "./values.js";

export type PrimitiveValue = number | bigint | boolean | string | Uint8Array;

/**
 * Supplies the value of a placeholder (a `value` starting with `$`, e.g. `$NOW-60`,
 * `$UNIQUE_IDENTIFIER_0`). `name` is the whole text. Return undefined to leave a TextString
 * placeholder as literal text; for any other type undefined is an error.
 */
export type PlaceholderResolver = (name: string, type: ItemTypeName, tagXmlName: string) => PrimitiveValue | undefined;

/** A resolver for `$NOW`, `$NOW-60`, `$NOW+3600` only (DateTime and DateTimeExtended), relative to `now` (POSIX seconds). */
export function nowPlaceholders(now: bigint = BigInt(Math.floor(Date.now() / 1000))): PlaceholderResolver {
  return (name, type) => {
    const offset = nowPlaceholderOffset(name);
    if (offset === undefined) return undefined;
    if (type === "DateTime") return now + BigInt(offset);
    return type === "DateTimeExtended" ? (now + BigInt(offset)) * 1_000_000n : undefined;
  };
}

export interface XmlReadOptions {
  readonly placeholders?: PlaceholderResolver;
  /** Version for enumeration names when a message carries no ProtocolVersion. */
  readonly version?: KmipVersion;
  readonly limits?: XmlDomLimits;
}

export interface XmlReadResult {
  /** The messages (children of a `<KMIP>`/`<KmipTestCase>` root), or the root item itself. */
  readonly messages: TtlvNode[];
  /** Line of each message's element in the input. */
  readonly lines: number[];
  /** Name of the document's root element. */
  readonly root: string;
}

/** Root elements that hold a sequence of messages rather than being an item themselves. */
export const CONTAINER_ROOTS: readonly string[] = ["KMIP", "KmipTestCase"];

export function xmlToNodes(text: string, opts: XmlReadOptions = {}): XmlReadResult {
  const root = parseXmlDocument(text, opts.limits);
  const items = CONTAINER_ROOTS.includes(root.name) ? root.children : [root];
  return { messages: items.map((el) => xmlElementToNode(el, opts)), lines: items.map((el) => el.line), root: root.name };
}

/** Converts one element (a message or any single item) with the version its header names. */
export function xmlElementToNode(el: XmlElement, opts: XmlReadOptions = {}): TtlvNode {
  return convert(el, { opts, version: headerVersion(el) ?? opts.version }, undefined);
}

interface ReadContext {
  readonly opts: XmlReadOptions;
  readonly version: KmipVersion | undefined;
}

/** ProtocolVersion in the message's first child (its header), read straight from the XML. */
function headerVersion(message: XmlElement): KmipVersion | undefined {
  const pv = message.children[0]?.children.find((c) => c.name === "ProtocolVersion");
  const num = (name: string): number | undefined => {
    const v = pv?.children.find((c) => c.name === name)?.attributes["value"];
    return v !== undefined && /^\d+$/.test(v.trim()) ? Number(v) : undefined;
  };
  const major = num("ProtocolVersionMajor"), minor = num("ProtocolVersionMinor");
  return major === undefined || minor === undefined ? undefined : versionFromNumbers(major, minor);
}

const GENERIC = "TTLV";

function resolveTag(el: XmlElement): number {
  if (el.name === GENERIC) {
    const t = el.attributes["tag"];
    if (t === undefined) throw new XmlEncodingError(`a <TTLV> element needs a tag attribute`, el.path, el.line);
    if (!/^0x[0-9a-f]{6}$/i.test(t.trim())) throw new XmlEncodingError(`tag="${t}" is not 0x + 6 hex digits`, el.path, el.line);
    return Number.parseInt(t.trim().slice(2), 16);
  }
  const row = tagByXmlName(el.name);
  if (row) return row.value;
  // The spec's examples also name elements by hex tag: <x540001 .../>
  if (/^[xX][0-9a-fA-F]{6}$/.test(el.name)) return Number.parseInt(el.name.slice(1), 16);
  throw new XmlEncodingError(`unknown tag name <${el.name}> (use <TTLV tag="0x…"> for tags without a name)`, el.path, el.line);
}

function checkAttributes(el: XmlElement): void {
  for (const a of Object.keys(el.attributes)) {
    if (a === "type" || a === "value" || a === "xmlns" || a.startsWith("xmlns:")) continue;
    if (el.name === GENERIC && (a === "tag" || a === "name")) continue;
    throw new XmlEncodingError(`unexpected attribute ${a}=`, el.path, el.line);
  }
}

function convert(el: XmlElement, ctx: ReadContext, attrName: string | undefined): TtlvNode {
  checkAttributes(el);
  const tag = resolveTag(el);
  const typeName = el.attributes["type"]?.trim() ?? "Structure";
  const type = itemTypeByName(typeName);
  if (type === undefined) throw new XmlEncodingError(`unknown type="${typeName}"`, el.path, el.line);
  const raw = el.attributes["value"];
  if (type === ItemType.Structure) {
    if (raw !== undefined) throw new XmlEncodingError(`a Structure has no value attribute`, el.path, el.line);
    const children: TtlvNode[] = [];
    let name: string | undefined;
    for (const c of el.children) {
      const node = convert(c, ctx, name);
      if (node.tag === Tag.AttributeName && node.type === ItemType.TextString) name = node.value;
      children.push(node);
    }
    return n.struct(tag, children);
  }
  if (el.children.length > 0) throw new XmlEncodingError(`a ${typeName} cannot hold child elements`, el.path, el.line);
  if (raw === undefined) throw new XmlEncodingError(`a ${typeName} needs a value attribute`, el.path, el.line);
  try {
    if (raw.startsWith("$")) {
      const p = resolvePlaceholder(tag, type, raw, ctx.opts.placeholders);
      if (p !== undefined) return p;
    }
    return primitive(tag, type, parseValue(tag, type, raw, attrName, ctx.version));
  } catch (e) {
    if (e instanceof ValueError) throw new XmlEncodingError(`${typeName} ${e.message}`, el.path, el.line);
    throw e;
  }
}

function parseValue(tag: number, type: ItemType, raw: string, attrName: string | undefined, version: KmipVersion | undefined): PrimitiveValue {
  switch (type) {
    case ItemType.Integer: {
      const { mask } = namingFor(tag, type, attrName, version);
      if (mask && !/^\s*[+-]?\d+\s*$/.test(raw)) return maskFromText(raw, mask, /\s+/) | 0;
      return parseInt32(raw);
    }
    case ItemType.Enumeration:
      return enumFromText(raw, namingFor(tag, type, attrName, version), version);
    case ItemType.LongInteger:
      return parseInt64(raw, "LongInteger (signed 64-bit)");
    case ItemType.DateTimeExtended:
      return parseInt64(raw, "DateTimeExtended (signed 64-bit microseconds)");
    case ItemType.BigInteger:
      return parseBigIntegerHex(raw);
    case ItemType.Boolean:
      return parseBoolean(raw);
    case ItemType.TextString:
      return raw;
    case ItemType.ByteString:
      return parseHexBytes(raw);
    case ItemType.DateTime:
      return parseIsoDateTime(raw).seconds;
    case ItemType.Interval:
      return parseUint32(raw, "Interval (unsigned 32-bit seconds)");
    case ItemType.Structure:
      throw new ValueError("a Structure has no value");
  }
}

/** A placeholder's node, or undefined for a TextString left as literal text; throws a ValueError otherwise. */
export function resolvePlaceholder(tag: number, type: ItemType, name: string, resolver: PlaceholderResolver | undefined): TtlvNode | undefined {
  const typeName = ITEM_TYPE_NAMES[type] as ItemTypeName;
  const v = resolver?.(name, typeName, tagByValue(tag)?.xmlName ?? `0x${tag.toString(16).padStart(6, "0")}`);
  if (v === undefined) {
    if (type === ItemType.TextString) return undefined;
    throw new ValueError(`placeholder ${name} has no value (pass a placeholders resolver that supplies a ${typeName})`);
  }
  return primitive(tag, type, v, ` for placeholder ${name}`);
}

/** Builds a primitive node, checking that the JS value fits the item type. */
export function primitive(tag: number, type: ItemType, v: PrimitiveValue, what = ""): TtlvNode {
  const wrong = (): never => {
    throw new ValueError(`value ${typeof v === "bigint" ? `${v}n` : String(v)}${what} does not fit the type`);
  };
  const big = (): bigint => (typeof v === "bigint" ? v : typeof v === "number" && Number.isInteger(v) ? BigInt(v) : wrong());
  const num = (): number => (typeof v === "number" ? v : typeof v === "bigint" && v >= -(2n ** 53n) && v <= 2n ** 53n ? Number(v) : wrong());
  switch (type) {
    case ItemType.Integer: return n.integer(tag, checkInt32(num()));
    case ItemType.Enumeration: return n.enumeration(tag, checkUint32(num()));
    case ItemType.Interval: return n.interval(tag, checkUint32(num()));
    case ItemType.LongInteger: return n.longInteger(tag, checkInt64(big()));
    case ItemType.DateTime: return n.dateTime(tag, checkInt64(big()));
    case ItemType.DateTimeExtended: return n.dateTimeExtended(tag, checkInt64(big()));
    case ItemType.BigInteger: return n.bigInteger(tag, big());
    case ItemType.Boolean: return typeof v === "boolean" ? n.boolean(tag, v) : wrong();
    case ItemType.TextString: return typeof v === "string" ? n.text(tag, v) : wrong();
    case ItemType.ByteString: return v instanceof Uint8Array ? n.bytes(tag, v) : wrong();
    case ItemType.Structure: return wrong();
  }
}
