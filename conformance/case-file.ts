/**
 * Reading one OASIS test-case file for replay: the XML tree (kept, because it says where the
 * placeholders are), requests paired with their expected responses, and the data quirks of
 * FORMAT.md §4 rule 7 smoothed over.
 */
import { xmlElementToNode, type PlaceholderResolver } from "../src/encodings/index.js";
import { parseXmlDocument, type XmlElement } from "../src/encodings/xml-dom.js";
import { Tag, type KmipVersion } from "../src/kmip/index.js";
import { ItemType, type TtlvNode } from "../src/ttlv/index.js";
import * as n from "../src/ttlv/index.js";

export type { XmlElement };

/** An expected response item: the TTLV node plus, where the file had one, its placeholder name. */
export interface Expected {
  readonly node: TtlvNode;
  /** `$UNIQUE_IDENTIFIER_0`, `$NOW-60`, … when the element's value was a placeholder. */
  readonly placeholder?: string;
  /** Children of a structure, in file order (empty for primitives). */
  readonly children: readonly Expected[];
  readonly line: number;
}

export interface CaseStep {
  readonly request: XmlElement;
  /** The expected response, or undefined when the file shows none. */
  readonly response: XmlElement | undefined;
}

export interface LoadedCase {
  readonly steps: CaseStep[];
  /** Notes about quirks handled while loading (shown in verbose output). */
  readonly notes: string[];
}

export class CaseDataError extends Error {
  override readonly name = "CaseDataError";
}

/**
 * Parses a case file. Handles a second `</KMIP>` after the root (TC-ECDSA-SIGN-1-14) and nested
 * request/response pairs (TC-DERIVEKEY-4-10: each response answers the latest unanswered request
 * with the same operations, so the inner pair runs first). `#` lines and comments are ignored by
 * the XML reader itself.
 */
export function loadCase(text: string): LoadedCase {
  const notes: string[] = [];
  const trimmed = dropTrailingRootClose(text);
  if (trimmed !== text) notes.push("ignored text after the first </KMIP>");
  let root: XmlElement;
  try {
    root = parseXmlDocument(trimmed);
  } catch (e) {
    throw new CaseDataError(`test data is not well-formed XML: ${(e as Error).message}`);
  }
  const messages = root.name === "KMIP" || root.name === "KmipTestCase" ? root.children : [root];
  const pending: XmlElement[] = [];
  const steps: CaseStep[] = [];
  for (const m of messages) {
    if (m.name === "RequestMessage") pending.push(m);
    else if (m.name === "ResponseMessage") {
      if (pending.length === 0) throw new CaseDataError(`response on line ${m.line} answers no request`);
      const ops = operationsOf(m);
      let idx = pending.length - 1;
      for (let i = pending.length - 1; i >= 0; i--) {
        if (sameOps(operationsOf(pending[i]!), ops)) {
          idx = i;
          break;
        }
      }
      if (idx !== 0 || pending.length > 1) notes.push(`response on line ${m.line} paired with the request on line ${pending[idx]!.line} (nested pairs)`);
      const [request] = pending.splice(idx, 1);
      steps.push({ request: request!, response: m });
    } else throw new CaseDataError(`unexpected <${m.name}> on line ${m.line}`);
  }
  for (const r of pending) steps.push({ request: r, response: undefined });
  return { steps, notes };
}

function dropTrailingRootClose(text: string): string {
  const close = "</KMIP>";
  const first = text.indexOf(close);
  if (first < 0) return text;
  const rest = text.slice(first + close.length);
  return rest.includes(close) ? text.slice(0, first + close.length) + "\n" : text;
}

const operationsOf = (msg: XmlElement): string[] =>
  msg.children.filter((c) => c.name === "BatchItem").map((b) => b.children.find((c) => c.name === "Operation")?.attributes["value"]?.trim() ?? "");

const sameOps = (a: string[], b: string[]): boolean => a.length === b.length && a.every((x, i) => x === b[i] || b[i] === "");

/** Placeholders in expected responses are located through the XML; these stand-ins only make parsing succeed. */
const standIns: PlaceholderResolver = (_name, type) => {
  switch (type) {
    case "DateTime": case "LongInteger": case "BigInteger": case "DateTimeExtended": return 0n;
    case "Integer": case "Enumeration": case "Interval": return 0;
    case "Boolean": return false;
    case "ByteString": return new Uint8Array(0);
    default: return undefined;
  }
};

/** The expected response of a step: the parsed tree annotated with the file's placeholders. */
export function expectedFrom(el: XmlElement, version?: KmipVersion): Expected {
  const node = normalizeAttributeNames(xmlElementToNode(el, { placeholders: standIns, ...(version ? { version } : {}) }));
  return annotate(el, node);
}

function annotate(el: XmlElement, node: TtlvNode): Expected {
  const raw = el.attributes["value"];
  const placeholder = raw !== undefined && raw.startsWith("$") ? raw.trim() : undefined;
  const children = node.type === ItemType.Structure ? node.children.map((c, i) => annotate(el.children[i]!, c)) : [];
  return { node, children, line: el.line, ...(placeholder ? { placeholder } : {}) };
}

/** A request node from its element, placeholders supplied by `resolver`. */
export function requestFrom(el: XmlElement, resolver: PlaceholderResolver): TtlvNode {
  return normalizeAttributeNames(xmlElementToNode(el, { placeholders: resolver }));
}

/**
 * 1.0–1.2 files extracted from the profile documents carry runs of spaces inside attribute names
 * ("Cryptographic   Usage Mask"), an artefact of the HTML; the names mean the single-spaced ones.
 */
export function normalizeAttributeNames(node: TtlvNode): TtlvNode {
  if (node.type === ItemType.Structure) {
    let changed = false;
    const children = node.children.map((c) => {
      const d = normalizeAttributeNames(c);
      changed ||= d !== c;
      return d;
    });
    return changed ? n.struct(node.tag, children) : node;
  }
  if (node.tag === Tag.AttributeName && node.type === ItemType.TextString && /\s{2,}/.test(node.value)) {
    return n.text(node.tag, node.value.replace(/\s+/g, " "));
  }
  return node;
}
