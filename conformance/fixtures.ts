/**
 * Test-case families with fixture files (TC-OTP: `TC-OTP-SETUP-n-13`, `TC-OTP-CLEANUP-n-13`): the
 * SETUP files register the objects the family's other files find by name, the CLEANUP files destroy
 * them. A family runs as rounds, one per SETUP file — SETUP-k, the members, the CLEANUPs — because
 * the SETUP files are alternatives: TC-OTP-SETUP-1 and -2 register the same Name, every member and
 * CLEANUP-1 Locate that name expecting exactly one object, and CLEANUP-1 destroys exactly one.
 * A file's result is its first pass over the rounds, else its first round's result.
 *
 * A version folder without SETUP files of its own (1.4 republishes TC-OTP-1..5 byte for byte,
 * protocol version aside, but no SETUP/CLEANUP) joins the rounds of the nearest earlier version
 * that has them: its files expect the 1.3 SETUP-1 pad (the XOR of fc932e1428bd), which no 1.4
 * file registers, and a server's objects do not depend on the protocol version a client speaks.
 */
import type { CaseFile } from "./selection.js";

export type FixtureRole = "setup" | "cleanup" | "member";

/** `TC-OTP-SETUP-1-13` → { base: "TC-OTP", role: "setup" }; `TC-OTP-3-14` → { base: "TC-OTP", role: "member" }. */
export function fixtureRole(id: string): { base: string; role: FixtureRole } {
  const m = /^(.+?)-(SETUP|CLEANUP)-\d+-\d+$/i.exec(id);
  if (m) return { base: m[1]!.toUpperCase(), role: m[2]!.toUpperCase() === "SETUP" ? "setup" : "cleanup" };
  return { base: id.replace(/-\d+-\d+$/, "").toUpperCase(), role: "member" };
}

/** One thing to run: a lone case file, or a fixture family (its rounds). */
export type Unit =
  | { readonly kind: "case"; readonly file: CaseFile }
  | { readonly kind: "family"; readonly setups: readonly CaseFile[]; readonly members: readonly CaseFile[]; readonly cleanups: readonly CaseFile[] };

const byVersion = (a: CaseFile, b: CaseFile): number => Number(a.version) - Number(b.version);

/**
 * Groups the selection into units, in selection order (a family sits where its first file was).
 * `available(base)` lists the family's SETUP/CLEANUP files in every version folder, so a selected
 * member can use fixtures the selection left out (`--versions 1.4` still registers the 1.3 pads).
 */
export function planUnits(cases: readonly CaseFile[], lookup: (base: string) => readonly CaseFile[] = () => []): Unit[] {
  const seen = new Map<string, readonly CaseFile[]>(); // one folder scan per base
  const available = (base: string): readonly CaseFile[] => seen.get(base) ?? (seen.set(base, lookup(base)), seen.get(base)!);
  const fixtureBases = new Set<string>();
  for (const c of cases) {
    const r = fixtureRole(c.id);
    if (r.role !== "member") fixtureBases.add(r.base);
  }
  for (const c of cases) {
    const { base } = fixtureRole(c.id);
    if (!fixtureBases.has(base) && available(base).some((f) => fixtureRole(f.id).role === "setup")) fixtureBases.add(base);
  }
  const units: Unit[] = [];
  const families = new Map<string, { setups: CaseFile[]; members: CaseFile[]; cleanups: CaseFile[] }>();
  for (const c of cases) {
    const { base, role } = fixtureRole(c.id);
    if (!fixtureBases.has(base)) {
      units.push({ kind: "case", file: c });
      continue;
    }
    // the family's versions with SETUP files: a member uses its own version's, else the nearest earlier one's
    const fixtures = dedupe([...cases, ...available(base)].filter((f) => fixtureRole(f.id).base === base && fixtureRole(f.id).role !== "member"));
    const setupVersions = [...new Set(fixtures.filter((f) => fixtureRole(f.id).role === "setup").map((f) => f.version))].sort((a, b) => Number(a) - Number(b));
    const home = role === "member" ? [...setupVersions].reverse().find((v) => Number(v) <= Number(c.version)) ?? setupVersions[0] : c.version;
    const key = `${base}@${home}`;
    let fam = families.get(key);
    if (!fam) {
      const mine = fixtures.filter((f) => f.version === home).sort(byVersion);
      fam = { setups: mine.filter((f) => fixtureRole(f.id).role === "setup"), members: [], cleanups: mine.filter((f) => fixtureRole(f.id).role === "cleanup") };
      families.set(key, fam);
      units.push({ kind: "family", ...fam });
    }
    if (role === "member") fam.members.push(c);
  }
  return units;
}

function dedupe(files: CaseFile[]): CaseFile[] {
  const seen = new Set<string>();
  return files.filter((f) => (seen.has(f.rel) ? false : (seen.add(f.rel), true)));
}

/** What running one file gives: anything with a status (runner.ts CaseResult). */
export interface Ran {
  readonly status: string;
  readonly notes: string[];
}

/**
 * Runs the units and returns each file's result once, in run order. A family without SETUP files
 * in reach runs its files once, in order (members, then CLEANUPs).
 */
export async function runUnits<R extends Ran>(units: readonly Unit[], run: (f: CaseFile) => Promise<R>): Promise<{ file: CaseFile; result: R }[]> {
  const out: { file: CaseFile; result: R }[] = [];
  for (const u of units) {
    if (u.kind === "case") {
      out.push({ file: u.file, result: await run(u.file) });
      continue;
    }
    const best = new Map<string, { file: CaseFile; result: R }>();
    const rounds: (CaseFile | undefined)[] = u.setups.length ? [...u.setups] : [undefined];
    for (const setup of rounds) {
      for (const f of [...(setup ? [setup] : []), ...u.members, ...u.cleanups]) {
        const prev = best.get(f.rel);
        // a member that passed need not run again; SETUP and CLEANUP always run (each round destroys its own objects)
        if (prev?.result.status === "pass" && u.members.includes(f)) continue;
        const result = await run(f);
        if (setup && f !== setup) result.notes.push(`ran after fixture ${setup.id}`);
        if (!prev || (prev.result.status !== "pass" && result.status === "pass")) best.set(f.rel, { file: f, result });
      }
    }
    out.push(...best.values());
  }
  return out;
}
