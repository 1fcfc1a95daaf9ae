/**
 * A regex scan of the OASIS XML test cases (../shared/kmip-testcases, FORMAT.md) against the
 * registry: element names, Enumeration values, mask names. No XML library: the files are flat
 * `<Name type="…" value="…"/>` elements.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { SHARED_DIR } from "../helpers/shared.js";
import {
  attributeByName,
  enumForTag,
  enumValue,
  inVersion,
  maskForTag,
  maskFromNames,
  tagByXmlName,
  type EnumRow,
  type KmipVersion,
  type MaskRow,
  versionFromNumbers,
} from "../../src/kmip/index.js";

export { REPO_ROOT, SHARED_DIR } from "../helpers/shared.js";
export const TESTCASE_DIR = join(SHARED_DIR, "kmip-testcases");
export const SCANNED_VERSIONS = ["1.0", "1.1", "1.2", "1.3", "1.4", "2.0", "2.1"] as const;
const WRAPPERS = new Set(["KMIP", "KmipTestCase", "TTLV"]);

export interface Leftover {
  readonly file: string;
  readonly line: number;
  readonly kind: "element" | "enumeration" | "mask" | "attribute";
  readonly element: string;
  readonly value: string;
}

export interface ScanResult {
  files: number;
  elements: number;
  enumValues: number;
  /** `0x…` and `$…` enumeration values, which need no name. */
  enumSkipped: number;
  maskValues: number;
  attributeReferences: number;
  /** Enumeration values known to the registry but not in the message's protocol version. */
  versionMismatches: Leftover[];
  leftovers: Leftover[];
}

export function xmlFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...xmlFiles(p));
    else if (name.endsWith(".xml")) out.push(p);
  }
  return out;
}

const ELEMENT = /<([A-Za-z_][\w.-]*)((?:\s+[\w:-]+\s*=\s*"[^"]*")*)\s*\/?>/g;
const ATTR = /([\w:-]+)\s*=\s*"([^"]*)"/g;

function attrs(s: string): Map<string, string> {
  return new Map([...s.matchAll(ATTR)].map((m) => [m[1]!, decode(m[2]!)]));
}

function decode(s: string): string {
  return s.replace(/&#(\d+);/g, (_, d: string) => String.fromCodePoint(Number(d))).replace(/&quot;/g, '"').replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&apos;/g, "'").replace(/&amp;/g, "&");
}

/** The protocol version a file's messages carry (its first ProtocolVersion), if any. */
function protocolVersion(text: string): KmipVersion | undefined {
  const major = /<ProtocolVersionMajor\s[^>]*value="(\d+)"/.exec(text)?.[1];
  const minor = /<ProtocolVersionMinor\s[^>]*value="(\d+)"/.exec(text)?.[1];
  return major === undefined || minor === undefined ? undefined : versionFromNumbers(Number(major), Number(minor));
}

export function scanTestCases(root: string = TESTCASE_DIR): ScanResult {
  const r: ScanResult = { files: 0, elements: 0, enumValues: 0, enumSkipped: 0, maskValues: 0, attributeReferences: 0, versionMismatches: [], leftovers: [] };
  for (const v of SCANNED_VERSIONS) {
    for (const file of xmlFiles(join(root, v))) {
      r.files++;
      scanFile(file, relative(root, file), r);
    }
  }
  return r;
}

function scanFile(path: string, file: string, r: ScanResult): void {
  const text = readFileSync(path, "utf8").replace(/<!--[\s\S]*?-->/g, (c) => c.replace(/[^\n]/g, " "));
  const version = protocolVersion(text);
  const lineAt = (i: number): number => text.slice(0, i).split("\n").length;
  let attributeName: string | undefined;
  for (const m of text.matchAll(ELEMENT)) {
    const element = m[1]!;
    if (WRAPPERS.has(element)) continue;
    r.elements++;
    const at = attrs(m[2] ?? "");
    const type = at.get("type");
    const value = at.get("value");
    const left = (kind: Leftover["kind"], v: string): void => void r.leftovers.push({ file, line: lineAt(m.index!), kind, element, value: v });
    const tag = tagByXmlName(element);
    if (!tag) {
      left("element", "");
      continue;
    }
    if (element === "AttributeName" && value !== undefined) attributeName = value;
    if (value === undefined) continue;
    let valueTag = tag.value;
    if (element === "AttributeValue") {
      const a = attributeName === undefined ? undefined : attributeByName(attributeName);
      if (!a) {
        if (type === "Enumeration" || (type === "Integer" && !/^-?\d+$/.test(value))) left("attribute", `${attributeName ?? "?"}=${value}`);
        continue;
      }
      valueTag = a.tag;
    }
    if (type === "Enumeration") {
      if (/^(0x|\$)/i.test(value)) {
        r.enumSkipped++;
        continue;
      }
      r.enumValues++;
      if (element === "AttributeReference") r.attributeReferences++;
      const e = enumForTag(valueTag);
      const n = e === undefined ? undefined : enumValue(e, value);
      if (n === undefined) left("enumeration", value);
      else if (version !== undefined && !inVersionOf(e!, value, version)) r.versionMismatches.push({ file, line: lineAt(m.index!), kind: "enumeration", element, value: `${value} (${version})` });
    } else if (type === "Integer" && !/^-?\d+$/.test(value)) {
      const mask: MaskRow | undefined = maskForTag(valueTag);
      r.maskValues++;
      if (!mask || maskFromNames(mask, value.split(/[\s|]+/).filter((s) => s.length > 0)) === undefined) left("mask", value);
    }
  }
}

function inVersionOf(e: EnumRow, xmlName: string, version: KmipVersion): boolean {
  return e.values.some((r) => (r.xmlName === xmlName || r.aliases?.includes(xmlName) === true) && inVersion(r.versions, version));
}
