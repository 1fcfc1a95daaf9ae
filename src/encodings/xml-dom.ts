/**
 * A strict XML 1.0 parse (saxes) into a minimal element tree: names, attributes, child elements
 * and line numbers. Character data (`# TIME 0` notes), comments, processing instructions and the
 * XML declaration are dropped; anything not well-formed is an XmlEncodingError with its line.
 */
import { SaxesParser } from "saxes";
import { XmlEncodingError } from "./errors.js";

export interface XmlElement {
  readonly name: string;
  readonly attributes: Readonly<Record<string, string>>;
  readonly children: XmlElement[];
  readonly line: number;
  readonly column: number;
  /** Path from the document root, e.g. `/KMIP/RequestMessage[2]/BatchItem`. */
  readonly path: string;
}

interface Building {
  name: string;
  attributes: Record<string, string>;
  children: XmlElement[];
  line: number;
  column: number;
  path: string;
  counts: Map<string, number>;
}

export interface XmlDomLimits {
  /** Deepest element nesting accepted (default 64, as for TTLV). */
  readonly maxDepth?: number;
  /** Most elements accepted (default 65536, as for TTLV). */
  readonly maxElements?: number;
}

/** Parses a whole document; returns its root element. */
export function parseXmlDocument(text: string, limits: XmlDomLimits = {}): XmlElement {
  const maxDepth = limits.maxDepth ?? 64;
  const maxElements = limits.maxElements ?? 65536;
  const parser = new SaxesParser<{ position: true; xmlns: false }>({ position: true, xmlns: false });
  const stack: Building[] = [];
  let root: XmlElement | undefined;
  let elements = 0;
  let lastClosed: Building | undefined;
  const where = (): string => stack.map((b) => b.path).at(-1) ?? "";
  const fail = (reason: string): never => {
    throw new XmlEncodingError(reason, where(), parser.line, parser.column);
  };
  parser.on("error", (e: Error) => {
    // saxes prefixes "line:column: "; the position is reported separately.
    const msg = e.message.replace(/^\d+:\d+: /, "");
    if (msg.startsWith("unexpected close tag") && lastClosed) {
      fail(`malformed XML: closing tag does not match <${lastClosed.name}> opened on line ${lastClosed.line}`);
    }
    fail(`malformed XML: ${msg}`);
  });
  parser.on("doctype", () => fail("a DOCTYPE is not accepted in KMIP XML"));
  parser.on("opentag", (tag) => {
    if (++elements > maxElements) fail(`more than ${maxElements} elements`);
    if (stack.length >= maxDepth) fail(`elements nested deeper than ${maxDepth}`);
    const parent = stack.at(-1);
    const name = tag.name;
    let path = `/${name}`;
    if (parent) {
      const n = (parent.counts.get(name) ?? 0) + 1;
      parent.counts.set(name, n);
      path = `${parent.path}/${name}${n > 1 ? `[${n}]` : ""}`;
    }
    stack.push({ name, attributes: { ...tag.attributes }, children: [], line: parser.line, column: parser.column, path, counts: new Map() });
  });
  parser.on("closetag", () => {
    const b = stack.pop();
    if (!b) return;
    lastClosed = b;
    const el: XmlElement = { name: b.name, attributes: b.attributes, children: b.children, line: b.line, column: b.column, path: b.path };
    const parent = stack.at(-1);
    if (parent) parent.children.push(el);
    else root = el;
  });
  parser.write(text).close();
  if (!root) throw new XmlEncodingError("no root element", "", parser.line);
  return root;
}
