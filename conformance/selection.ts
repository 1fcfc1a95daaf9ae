/**
 * Which test-case files a run replays: discovery under the shared kmip-testcases folder, the
 * profile family and level read from each file name (FORMAT.md §1, §5), and the CLI's filters.
 */
import { readdirSync, statSync } from "node:fs";
import { basename, join, relative } from "node:path";

export interface CaseFile {
  readonly path: string;
  /** Relative to the cases folder: `1.4/profiles/mandatory/SKLC-M-1-14.xml` (the key of unsupported.json). */
  readonly rel: string;
  /** Folder version: `1.0` … `2.1`. */
  readonly version: string;
  /** Profile family from the name (`SKLC`, `CS-BC`, `SUITEB-128`), or `TC` for the test-case notes. */
  readonly family: string;
  /** `M` mandatory, `O` optional, `TC` a worked example. */
  readonly level: "M" | "O" | "TC";
  /** Row label of the summary table. */
  readonly profile: string;
  /** File name without `.xml`. */
  readonly id: string;
}

/** Versions whose XML the runner reads (3.0 uses item types the encodings do not have). */
export const RUNNER_VERSIONS = ["1.0", "1.1", "1.2", "1.3", "1.4", "2.0", "2.1"] as const;

/** Folders not replayed unless --files names them. */
const WITHDRAWN = "profiles-csd01-withdrawn";

export function classify(rel: string): Omit<CaseFile, "path" | "rel" | "version"> {
  const id = basename(rel).replace(/\.xml$/i, "");
  if (/^TC[-_]/i.test(id)) return { family: "TC", level: "TC", profile: "TC (test cases)", id };
  const m = /^(.+?)[-_]([MO])[-_]/.exec(id);
  if (!m) return { family: "other", level: "TC", profile: "other", id };
  const family = m[1]!.replace(/_/g, "-").toUpperCase();
  const level = m[2] as "M" | "O";
  return { family, level, profile: level === "O" ? `${family} (optional)` : family, id };
}

function xmlFiles(dir: string, out: string[] = []): string[] {
  let names: string[];
  try {
    names = readdirSync(dir).sort();
  } catch {
    return out;
  }
  for (const name of names) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) xmlFiles(p, out);
    else if (name.toLowerCase().endsWith(".xml")) out.push(p);
  }
  return out;
}

export interface Selection {
  readonly versions: readonly string[];
  /** Families to run (case-insensitive); undefined = every profile family (not TC). */
  readonly profiles?: readonly string[];
  readonly includeOptional: boolean;
  /** Globs over `rel` or the file name; when given, profile/optional filters apply only if set explicitly. */
  readonly files?: readonly string[];
}

export function discoverCases(root: string, sel: Selection): CaseFile[] {
  const globs = sel.files?.map(globToRegExp);
  const wanted = sel.profiles?.map((p) => p.toUpperCase());
  const seen = new Set<string>();
  const out: CaseFile[] = [];
  for (const version of sel.versions) {
    for (const path of xmlFiles(join(root, version))) {
      const rel = relative(root, path).split("\\").join("/");
      const c: CaseFile = { path, rel, version, ...classify(rel) };
      const byGlob = globs?.some((g) => g.test(rel) || g.test(basename(rel)));
      if (globs && !byGlob) continue;
      if (!globs && rel.includes(`/${WITHDRAWN}/`)) continue;
      if (wanted) {
        if (!wanted.includes(c.family)) continue;
      } else if (!globs && c.level === "TC") continue;
      if (c.level === "O" && !sel.includeOptional && !(globs && !sel.profiles)) continue;
      // 1.3 publishes the -O- cases in both mandatory/ and optional/: run one copy
      const key = `${version}/${basename(rel)}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(c);
    }
  }
  return out;
}

/** `*` within a path segment, `**` across segments, `?` one character; anchored. */
export function globToRegExp(glob: string): RegExp {
  let re = "";
  for (let i = 0; i < glob.length; i++) {
    const ch = glob[i]!;
    if (ch === "*" && glob[i + 1] === "*") {
      re += ".*";
      i++;
      if (glob[i + 1] === "/") i++;
    } else if (ch === "*") re += "[^/]*";
    else if (ch === "?") re += "[^/]";
    else re += ch.replace(/[.+^${}()|[\]\\]/g, "\\$&");
  }
  return new RegExp(`^${re}$`, "i");
}
