/**
 * Reading the converted spec text (../shared/kmip-spec/*.md, format in its README): headings with
 * their section numbers, and tables with one row per line.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { KmipVersion } from "../../src/kmip/versions.js";

export interface Section {
  /** "9.1.3.2.13", "11.56", or "App. C" for an appendix. */
  readonly num: string;
  readonly title: string;
  readonly depth: number;
  /** 0-based line index of the heading. */
  readonly start: number;
  /** 0-based line index of the next heading of the same or a shallower depth (exclusive). */
  end: number;
}

export interface Table {
  /** 0-based line index of the first row. */
  readonly line: number;
  /** Cleaned cells of every row except the `|---|` separator and all-empty rows. */
  readonly rows: readonly (readonly string[])[];
  /** 1-based line number of each row in `rows`. */
  readonly rowLines: readonly number[];
  /** The innermost numbered section the table sits in. */
  readonly section: Section | undefined;
}

export interface SpecDoc {
  readonly version: KmipVersion;
  readonly file: string;
  readonly lines: readonly string[];
  readonly sections: readonly Section[];
  readonly tables: readonly Table[];
}

const HEADING = /^(#{1,6})\s+(\d+(?:\.\d+)*)\.?\s+(.*)$/;
const APPENDIX = /^(#{1,6})\s+(?:Appendix\s+)?([A-H])\.\s+(.*)$/;
const SEPARATOR = /^\|(\s*:?-{3,}:?\s*\|)+\s*$/;

/** Splits a table line on the pipes that are not escaped as `\|`. */
export function splitRow(line: string): string[] {
  const inner = line.trim().replace(/^\|/, "").replace(/\|$/, "");
  return inner.split(/(?<!\\)\|/).map((c) => cleanCell(c));
}

/** Markdown emphasis and escapes removed, `<br>` kept as "\n", whitespace collapsed. */
export function cleanCell(raw: string): string {
  return raw
    .replace(/<br\s*\/?>/gi, "\n")
    .replace(/<sup>/gi, "^")
    .replace(/<\/?(?:u|sup|sub|span|a)\b[^>]*>/gi, "")
    .replace(/(?<!\\)\*+/g, "")
    .replace(/\\(.)/g, "$1")
    .split("\n")
    .map((s) => s.replace(/[ \t\u00a0]+/g, " ").trim())
    .join("\n")
    .replace(/^\n+|\n+$/g, "");
}

/** Heading text without emphasis or stray markup. */
export function cleanTitle(raw: string): string {
  return cleanCell(raw).replace(/\n/g, " ").replace(/\s+/g, " ").trim();
}

export function parseSpec(version: KmipVersion, dir: string, file: string): SpecDoc {
  const text = readFileSync(join(dir, file), "utf8");
  const lines = text.split(/\r?\n/);
  const sections: Section[] = [];
  const open: Section[] = [];
  lines.forEach((line, i) => {
    const m = HEADING.exec(line) ?? APPENDIX.exec(line);
    if (!m) return;
    const depth = m[1]!.length;
    const num = /^\d/.test(m[2]!) ? m[2]! : `App. ${m[2]!}`;
    while (open.length > 0 && open[open.length - 1]!.depth >= depth) open.pop()!.end = i;
    const s: Section = { num, title: cleanTitle(m[3]!), depth, start: i, end: lines.length };
    sections.push(s);
    open.push(s);
  });
  const tables: Table[] = [];
  let i = 0;
  while (i < lines.length) {
    if (!lines[i]!.startsWith("|")) { i++; continue; }
    const first = i;
    const rows: string[][] = [];
    const rowLines: number[] = [];
    while (i < lines.length && lines[i]!.startsWith("|")) {
      const line = lines[i]!;
      if (!SEPARATOR.test(line)) {
        const cells = splitRow(line);
        if (cells.some((c) => c !== "")) {
          rows.push(cells);
          rowLines.push(i + 1);
        }
      }
      i++;
    }
    tables.push({ line: first, rows, rowLines, section: innermost(sections, first) });
  }
  return { version, file, lines, sections, tables };
}

function innermost(sections: readonly Section[], line: number): Section | undefined {
  let best: Section | undefined;
  for (const s of sections) if (s.start <= line && line < s.end && (!best || s.depth >= best.depth)) best = s;
  return best;
}

export function sectionByNum(doc: SpecDoc, num: string): Section | undefined {
  return doc.sections.find((s) => s.num === num);
}

/** Tables inside a section, its subsections included. */
export function tablesIn(doc: SpecDoc, s: Section): Table[] {
  return doc.tables.filter((t) => t.line > s.start && t.line < s.end);
}

/** The direct subsections of `parent` (one level deeper). */
export function childSections(doc: SpecDoc, parent: Section): Section[] {
  return doc.sections.filter((s) => s.start > parent.start && s.start < parent.end && s.num.startsWith(`${parent.num}.`) && s.num.split(".").length === parent.num.split(".").length + 1);
}
