/**
 * Results of a run: the profile × version table, the failing cases with their first difference,
 * and the comparison with the list of cases known not to pass (unsupported.json).
 */
import type { CaseResult } from "./runner.js";
import type { CaseFile } from "./selection.js";

export interface CaseOutcome {
  readonly file: CaseFile;
  readonly result: CaseResult;
  /** The server policy (policies.json) the file ran under; undefined: the default server. */
  readonly policy?: string;
}

/** unsupported.json: case file (relative path, or bare file name) → why it does not pass yet. */
export type UnsupportedList = Readonly<Record<string, string>>;

export type Verdict = "pass" | "known-failure" | "regression" | "unexpected-pass" | "skip";

export interface Judged extends CaseOutcome {
  readonly verdict: Verdict;
  /** The reason from unsupported.json, when listed. */
  readonly listed?: string;
}

export function listedReason(list: UnsupportedList, file: CaseFile): string | undefined {
  return list[file.rel] ?? list[`${file.id}.xml`] ?? list[file.id];
}

export function judge(outcomes: readonly CaseOutcome[], list: UnsupportedList): Judged[] {
  return outcomes.map((o) => {
    const listed = listedReason(list, o.file);
    const passed = o.result.status === "pass";
    const verdict: Verdict =
      o.result.status === "skip" ? "skip" : passed ? (listed !== undefined ? "unexpected-pass" : "pass") : listed !== undefined ? "known-failure" : "regression";
    return { ...o, verdict, ...(listed !== undefined ? { listed } : {}) };
  });
}

export interface Cell {
  passed: number;
  total: number;
  skipped: number;
}

export interface Table {
  readonly versions: string[];
  readonly rows: { profile: string; cells: Map<string, Cell> }[];
}

const PROFILE_ORDER = ["BL", "SKLC", "SKFF", "AKLC", "OMOS", "CS-BC", "CS-AC", "CS-RNG", "TL", "SASED", "AX", "QS", "PKCS11", "SUITEB-128", "SUITEB-192", "MSGENC-HTTPS", "MSGENC-JSON", "MSGENC-XML"];

function profileRank(p: string): [number, string] {
  const base = p.replace(/ \(.*\)$/, "");
  const i = PROFILE_ORDER.indexOf(base);
  return [(i < 0 ? PROFILE_ORDER.length : i) * 2 + (p.includes("(optional)") ? 1 : 0) + (base === "TC" ? 1000 : 0), p];
}

export function tabulate(outcomes: readonly CaseOutcome[]): Table {
  const versions = [...new Set(outcomes.map((o) => o.file.version))].sort();
  const byProfile = new Map<string, Map<string, Cell>>();
  for (const o of outcomes) {
    const row = byProfile.get(o.file.profile) ?? new Map<string, Cell>();
    byProfile.set(o.file.profile, row);
    const cell = row.get(o.file.version) ?? { passed: 0, total: 0, skipped: 0 };
    row.set(o.file.version, cell);
    if (o.result.status === "skip") cell.skipped++;
    else {
      cell.total++;
      if (o.result.status === "pass") cell.passed++;
    }
  }
  const rows = [...byProfile.entries()]
    .map(([profile, cells]) => ({ profile, cells }))
    .sort((a, b) => {
      const [ra, na] = profileRank(a.profile), [rb, nb] = profileRank(b.profile);
      return ra - rb || na.localeCompare(nb);
    });
  return { versions, rows };
}

const cellText = (c: Cell | undefined): string => (c === undefined ? "–" : `${c.passed}/${c.total}${c.skipped ? ` (+${c.skipped} skipped)` : ""}`);

function totals(t: Table): Map<string, Cell> {
  const m = new Map<string, Cell>();
  for (const v of t.versions) {
    const c: Cell = { passed: 0, total: 0, skipped: 0 };
    for (const r of t.rows) {
      const x = r.cells.get(v);
      if (x) {
        c.passed += x.passed;
        c.total += x.total;
        c.skipped += x.skipped;
      }
    }
    m.set(v, c);
  }
  return m;
}

/** Plain-text table for the terminal. */
export function tableText(t: Table): string {
  const head = ["profile", ...t.versions];
  const body = [...t.rows.map((r) => [r.profile, ...t.versions.map((v) => cellText(r.cells.get(v)))]), ["all", ...t.versions.map((v) => cellText(totals(t).get(v)))]];
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((r) => r[i]!.length)));
  const line = (cols: string[]): string => cols.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ");
  return [line(head), widths.map((w) => "-".repeat(w)).join("  "), ...body.map(line)].join("\n");
}

export function tableMarkdown(t: Table): string {
  const head = `| profile | ${t.versions.join(" | ")} |`;
  const sep = `|---|${t.versions.map(() => "---:").join("|")}|`;
  const rows = t.rows.map((r) => `| ${r.profile} | ${t.versions.map((v) => cellText(r.cells.get(v))).join(" | ")} |`);
  const all = `| **all** | ${t.versions.map((v) => `**${cellText(totals(t).get(v))}**`).join(" | ")} |`;
  return [head, sep, ...rows, all].join("\n");
}

export interface ReportMeta {
  readonly server: string;
  readonly date: string;
  readonly command: string;
  readonly unsupportedFile?: string;
  /** What produced the report (default: the CLI). */
  readonly generator?: string;
  /** Server policies (policies.json) of the selection: which files ran under which, or were left out. */
  readonly policies?: readonly PolicyNote[];
}

/** One server policy in a report. */
export interface PolicyNote {
  readonly name: string;
  /** The settings, as text (`kms.rng_seed = "deny"`). */
  readonly settings: string;
  readonly reason: string;
  /** Its files in the selection (paths below the cases folder). */
  readonly files: readonly string[];
  /** false: left out of this run (it was against a server without the policy). */
  readonly ran: boolean;
}

function policySection(notes: readonly PolicyNote[] | undefined): string[] {
  if (!notes || notes.length === 0) return [];
  const ran = notes.filter((n) => n.ran), left = notes.filter((n) => !n.ran);
  const entry = (n: PolicyNote): string =>
    `- **${n.name}** (\`${mdEscape(n.settings)}\`): ${mdEscape(n.reason)}\n${n.files.map((f) => `  - \`${f}\``).join("\n")}`;
  return [
    "## Server policies",
    "",
    "Some cases exercise a server policy other than the default (conformance/policies.json). Every other file ran against the default server.",
    "",
    ...(ran.length ? ["Ran against a server configured with the policy's settings:", "", ...ran.map(entry), ""] : []),
    ...(left.length ? ["Left out of this run (they need a server configured with the policy; `--policy NAME`):", "", ...left.map(entry), ""] : []),
  ];
}

const mdEscape = (s: string): string => s.replace(/\|/g, "\\|").replace(/\n/g, " ");

/** The generated markdown report (--report). */
/** "Mandatory: a of b pass. Optional and test cases: c of d (p%). All: e of f." — skipped files left out. */
export function totalsLine(judged: readonly Judged[]): string {
  const ran = judged.filter((j) => j.result.status !== "skip");
  const count = (xs: readonly Judged[]) => `${xs.filter((j) => j.result.status === "pass").length} of ${xs.length}`;
  const mandatory = ran.filter((j) => j.file.level === "M");
  const rest = ran.filter((j) => j.file.level !== "M");
  const restPassed = rest.filter((j) => j.result.status === "pass").length;
  const pct = rest.length === 0 ? "–" : `${((100 * restPassed) / rest.length).toFixed(1)}%`;
  return `**Mandatory cases: ${count(mandatory)} pass. Optional and test cases: ${count(rest)} pass (${pct}). All: ${count(ran)}.**`;
}

export function markdownReport(judged: readonly Judged[], meta: ReportMeta): string {
  const t = tabulate(judged);
  const by = (v: Verdict): Judged[] => judged.filter((j) => j.verdict === v);
  const list = (items: Judged[], withReason: boolean): string =>
    items.length === 0 ? "None.\n" : `| case | first difference |${withReason ? " listed reason |" : ""}\n|---|---|${withReason ? "---|" : ""}\n${items.map((j) => `| \`${j.file.rel}\` | ${mdEscape(j.result.difference ?? "")} |${withReason ? ` ${mdEscape(j.listed ?? "")} |` : ""}`).join("\n")}\n`;
  const unexpected = by("unexpected-pass");
  return [
    "# KMIP conformance run",
    "",
    `Generated by ${meta.generator ?? "`npm run conformance` (conformance/cli.ts)"} on ${meta.date} against ${meta.server}.`,
    `Command: \`${meta.command}\``,
    "The comparison rules are described in docs/CONFORMANCE-RUNNER.md. Cells are passed/total per profile and protocol version.",
    "",
    tableMarkdown(t),
    "",
    totalsLine(judged),
    "",
    ...policySection(meta.policies),
    `## Regressions (failing, not listed in ${meta.unsupportedFile ?? "unsupported.json"})`,
    "",
    list(by("regression"), false),
    "## Unexpected passes (listed as unsupported, but passing)",
    "",
    unexpected.length === 0 ? "None.\n" : `${unexpected.map((j) => `- \`${j.file.rel}\` (listed: ${mdEscape(j.listed ?? "")})`).join("\n")}\n`,
    "## Known failures",
    "",
    list(by("known-failure"), true),
    "## Skipped (defective test data)",
    "",
    by("skip").length === 0 ? "None.\n" : `${by("skip").map((j) => `- \`${j.file.rel}\`: ${mdEscape(j.result.difference ?? "")}`).join("\n")}\n`,
  ].join("\n");
}

/** The --json output: one record per case. */
export function jsonReport(judged: readonly Judged[], meta: ReportMeta): unknown {
  return {
    ...meta,
    cases: judged.map((j) => ({
      file: j.file.rel,
      version: j.file.version,
      profile: j.file.profile,
      status: j.result.status,
      verdict: j.verdict,
      ...(j.policy ? { policy: j.policy } : {}),
      ...(j.result.difference ? { difference: j.result.difference } : {}),
      ...(j.listed ? { listed: j.listed } : {}),
      ...(j.result.response ? { response: j.result.response } : {}),
      ms: j.result.ms,
      steps: j.result.steps,
      notes: j.result.notes,
    })),
  };
}
