/**
 * TTLV trees → KMIP XML in the form of the OASIS test-case files: one element per item, `type=`
 * omitted for structures, names from the registry in the message's version.
 */
import { tagByValue, tagByXmlName, type KmipVersion, Tag } from "../kmip/index.js";
import { ITEM_TYPE_NAMES, ItemType, type TtlvNode } from "../ttlv/index.js";
import { enumToText, maskToParts, messageVersion, namingFor } from "./context.js";
import { XmlEncodingError } from "./errors.js";
import { bigIntegerToHex, bytesToHex, formatIsoDateTime } from "./values.js";

export interface XmlWriteOptions {
  /** Version for enumeration and mask names when the node has no header ProtocolVersion. */
  readonly version?: KmipVersion;
  /** One level of indentation (default two spaces); "" writes everything on one line. */
  readonly indent?: string;
}

/** One item (usually a message) as an XML element, newline-terminated unless indent is "". */
export function nodeToXml(node: TtlvNode, opts: XmlWriteOptions = {}): string {
  const w = new Writer(opts.indent ?? "  ", messageVersion(node) ?? opts.version);
  w.item(node, 0, undefined, "");
  return w.out.join("");
}

/** Several messages inside a `<KMIP>` root (the test-case file form). */
export function nodesToXmlDocument(nodes: readonly TtlvNode[], opts: XmlWriteOptions & { readonly root?: string } = {}): string {
  const indent = opts.indent ?? "  ";
  const nl = indent === "" ? "" : "\n";
  const root = opts.root ?? "KMIP";
  const body = nodes.map((m) => {
    const w = new Writer(indent, messageVersion(m) ?? opts.version);
    w.item(m, 1, undefined, `/${root}`);
    return w.out.join("");
  });
  return `<${root}>${nl}${body.join("")}</${root}>${nl}`;
}

/** The element name for a tag, when the registry has one that reads back to the same tag. */
export function elementName(tag: number): string | undefined {
  const name = tagByValue(tag)?.xmlName;
  return name !== undefined && name !== "TTLV" && /^[A-Za-z_][A-Za-z0-9_.-]*$/.test(name) && tagByXmlName(name)?.value === tag ? name : undefined;
}

export const tagHex = (tag: number): string => `0x${tag.toString(16).toUpperCase().padStart(6, "0")}`;

class Writer {
  readonly out: string[] = [];
  constructor(
    private readonly indent: string,
    private readonly version: KmipVersion | undefined,
  ) {}

  item(node: TtlvNode, depth: number, attrName: string | undefined, parentPath: string): void {
    const name = elementName(node.tag);
    const path = `${parentPath}/${name ?? tagHex(node.tag)}`;
    const pad = this.indent.repeat(depth);
    const nl = this.indent === "" ? "" : "\n";
    const open = name === undefined ? `TTLV tag="${tagHex(node.tag)}"` : name;
    const elName = name ?? "TTLV";
    if (node.type === ItemType.Structure) {
      if (node.children.length === 0) {
        this.out.push(`${pad}<${open}/>${nl}`);
        return;
      }
      this.out.push(`${pad}<${open}>${nl}`);
      let an: string | undefined;
      for (const c of node.children) {
        this.item(c, depth + 1, an, path);
        if (c.tag === Tag.AttributeName && c.type === ItemType.TextString) an = c.value;
      }
      this.out.push(`${pad}</${elName}>${nl}`);
      return;
    }
    const value = valueText(node, attrName, this.version);
    this.out.push(`${pad}<${open} type="${ITEM_TYPE_NAMES[node.type]}" value="${escapeAttribute(value, path)}"/>${nl}`);
  }
}

/** The `value=` text of a primitive item (shared with the text rendering). */
export function valueText(node: Exclude<TtlvNode, { type: ItemType.Structure }>, attrName: string | undefined, version: KmipVersion | undefined): string {
  switch (node.type) {
    case ItemType.Integer: {
      const { mask } = namingFor(node.tag, node.type, attrName, version);
      const parts = mask && maskToParts(node.value, mask, version);
      return parts ? parts.join(" ") : String(node.value);
    }
    case ItemType.Enumeration:
      return enumToText(node.value, namingFor(node.tag, node.type, attrName, version), version);
    case ItemType.LongInteger:
    case ItemType.DateTimeExtended:
    case ItemType.Interval:
      return String(node.value);
    case ItemType.BigInteger:
      return bigIntegerToHex(node.value);
    case ItemType.Boolean:
      return node.value ? "true" : "false";
    case ItemType.TextString:
      return node.value;
    case ItemType.ByteString:
      return bytesToHex(node.value);
    case ItemType.DateTime:
      return formatIsoDateTime(node.value);
  }
}

// Characters XML 1.0 cannot carry at all, even as character references.
// eslint-disable-next-line no-control-regex
const NOT_XML_CHAR = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF\uD800-\uDFFF]/u;

/** Escapes an attribute value so attribute-value normalisation gives it back unchanged. */
export function escapeAttribute(s: string, path: string): string {
  const bad = NOT_XML_CHAR.exec(s);
  if (bad) throw new XmlEncodingError(`text with character U+${bad[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, "0")} cannot be written in XML 1.0`, path);
  return s.replace(/[&<>"\t\n\r]/g, (c) => ESCAPES[c]!);
}

const ESCAPES: Readonly<Record<string, string>> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "\t": "&#9;", "\n": "&#10;", "\r": "&#13;" };
