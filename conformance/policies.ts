/**
 * Server policies (policies.json): some OASIS cases exercise a server policy other than the one a
 * server runs by default — CS-RNG-O-1, -2, -3 and -4 send the same RNG Seed and expect 32 bytes
 * used, 16, 0, or Permission Denied. Each policy names the settings a server needs (kmipd config
 * keys), why, and the files (globs, as --files) that must run against a server configured so.
 * A run against a default server leaves those files out; `--policy NAME` runs only that policy's
 * files; the kmipd acceptance test runs them against an extra kmipd started with the settings.
 */
import { readFileSync } from "node:fs";
import { basename } from "node:path";
import type { PolicyNote } from "./report.js";
import { discoverCases, globToRegExp, type CaseFile, type Selection } from "./selection.js";

export interface ServerPolicy {
  readonly name: string;
  /** Setting overrides, by kmipd's dotted config key (`kms.rng_seed_max_bytes`). */
  readonly settings: Readonly<Record<string, unknown>>;
  /** Why these files need it (shown in reports). */
  readonly reason: string;
  /** Globs over the path below the cases folder or the bare file name. */
  readonly files: readonly string[];
}

/** A policy and the selected files it takes. */
export interface PolicyGroup {
  readonly policy: ServerPolicy;
  readonly files: readonly CaseFile[];
}

/** Checks the shape of a parsed policies.json: names unique and non-empty, files non-empty. */
export function parsePolicies(json: unknown, source = "policies.json"): ServerPolicy[] {
  const bad = (why: string): never => {
    throw new Error(`${source}: ${why}`);
  };
  if (!Array.isArray(json)) bad("expected an array of { name, settings, reason, files }");
  const seen = new Set<string>();
  return (json as unknown[]).map((p, i) => {
    if (typeof p !== "object" || p === null || Array.isArray(p)) return bad(`entry ${i} is not an object`);
    const r = p as Record<string, unknown>;
    const extra = Object.keys(r).filter((k) => !["name", "settings", "reason", "files"].includes(k));
    if (extra.length) bad(`entry ${i}: unknown field ${extra.join(", ")}`);
    if (typeof r["name"] !== "string" || !/^[A-Za-z0-9._-]+$/.test(r["name"])) bad(`entry ${i}: name must be letters, digits, '.', '_' or '-'`);
    const name = r["name"] as string;
    if (seen.has(name)) bad(`policy ${name} appears twice`);
    seen.add(name);
    const settings = r["settings"];
    if (typeof settings !== "object" || settings === null || Array.isArray(settings) || Object.keys(settings).length === 0) bad(`policy ${name}: settings must be a non-empty object`);
    if (typeof r["reason"] !== "string" || r["reason"].length === 0) bad(`policy ${name}: reason must be a non-empty string`);
    const files = r["files"];
    if (!Array.isArray(files) || files.length === 0 || !files.every((f) => typeof f === "string" && f.length > 0)) bad(`policy ${name}: files must be a non-empty array of globs`);
    return { name, settings: { ...(settings as object) }, reason: r["reason"] as string, files: [...(files as string[])] };
  });
}

export function loadPolicies(path: string): ServerPolicy[] {
  return parsePolicies(JSON.parse(readFileSync(path, "utf8")) as unknown, path);
}

/** The policy a file needs, or undefined (the default server). A file two policies claim is an error. */
export function policyFor(file: Pick<CaseFile, "rel">, policies: readonly ServerPolicy[]): ServerPolicy | undefined {
  const matches = policies.filter((p) => p.files.some((g) => matchesGlob(g, file.rel)));
  if (matches.length > 1) throw new Error(`${file.rel} is claimed by policies ${matches.map((p) => p.name).join(" and ")}`);
  return matches[0];
}

function matchesGlob(glob: string, rel: string): boolean {
  const re = globToRegExp(glob);
  return re.test(rel) || re.test(basename(rel));
}

/**
 * Splits a selection: the files for the default server (in order), and one group per policy that
 * takes any selected file (in policies.json order).
 */
export function splitByPolicy(cases: readonly CaseFile[], policies: readonly ServerPolicy[]): { plain: CaseFile[]; groups: PolicyGroup[] } {
  const plain: CaseFile[] = [];
  const taken = new Map<string, CaseFile[]>();
  for (const c of cases) {
    const p = policyFor(c, policies);
    if (!p) plain.push(c);
    else taken.set(p.name, [...(taken.get(p.name) ?? []), c]);
  }
  const groups = policies.filter((p) => taken.has(p.name)).map((policy) => ({ policy, files: taken.get(policy.name)! }));
  return { plain, groups };
}

/**
 * Whether a file run against the server of `policy` (undefined: the default server) is reported
 * from that run. A policy run reports only its own files; the default run reports every file but
 * those a policy takes (fixtures a unit pulled in from outside the selection included), so each
 * file is reported once when the runs are merged.
 */
export function reportedBy(file: Pick<CaseFile, "rel">, policy: ServerPolicy | undefined, policies: readonly ServerPolicy[]): boolean {
  return policyFor(file, policies)?.name === policy?.name;
}

/** `kms.rng_seed = "deny"` style text of a policy's settings. */
export function settingsText(settings: Readonly<Record<string, unknown>>): string {
  return Object.entries(settings)
    .map(([k, v]) => `${k} = ${JSON.stringify(v)}`)
    .join(", ");
}

/** The report's view of policy groups: ran against their own servers, or left out of this run. */
export function policyNotes(groups: readonly PolicyGroup[], ran: boolean): PolicyNote[] {
  return groups.map((g) => ({ name: g.policy.name, settings: settingsText(g.policy.settings), reason: g.policy.reason, files: g.files.map((f) => f.rel), ran }));
}

/** What one CLI run replays, given its selection and --policy. */
export interface PolicyRun {
  readonly cases: CaseFile[];
  /** The policy the server is configured with (--policy); undefined: the default server. */
  readonly policy?: ServerPolicy;
  /** Policy groups the selection held that this run leaves out (default-server runs only). */
  readonly leftOut: PolicyGroup[];
  /** For the report: the policy that ran, or those left out. */
  readonly notes: PolicyNote[];
}

/**
 * The CLI's choice of files. Without a policy name: the selection minus every file a policy takes
 * (those are `leftOut`). With one: that policy's files, narrowed by the selection's `profiles` and
 * `files` when given (`includeOptional` is implied: the policy names its files). Throws for an
 * unknown policy name.
 */
export function selectForRun(root: string, sel: Selection, policies: readonly ServerPolicy[], name?: string): PolicyRun {
  if (name === undefined) {
    const { plain, groups } = splitByPolicy(discoverCases(root, sel), policies);
    return { cases: plain, leftOut: groups, notes: policyNotes(groups, false) };
  }
  const policy = policies.find((p) => p.name === name);
  if (!policy) throw new Error(`unknown policy ${name} (known: ${policies.map((p) => p.name).join(", ") || "none"})`);
  const wanted = sel.files?.map(globToRegExp);
  const cases = discoverCases(root, { versions: sel.versions, includeOptional: true, files: policy.files, ...(sel.profiles ? { profiles: sel.profiles } : {}) })
    .filter((c) => !wanted || wanted.some((g) => g.test(c.rel) || g.test(basename(c.rel))))
    .filter((c) => policyFor(c, policies) === policy);
  return { cases, policy, leftOut: [], notes: policyNotes([{ policy, files: cases }], true) };
}
