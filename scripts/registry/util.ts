/** Small helpers shared by the generator modules. */
import { KMIP_VERSIONS, versionBit, type KmipVersion, type VersionMask } from "../../src/kmip/versions.js";

/** A place in one version's spec, e.g. { version: "1.4", num: "9.1.3.2.13" }. */
export interface SpecPlace {
  readonly version: KmipVersion;
  readonly num: string;
}

/** "1.0–1.4 §9.1.3.1; 2.0 §11.54; 2.1 §11.56": runs of consecutive versions citing the same section. */
export function cite(places: readonly SpecPlace[]): string {
  const byVersion = new Map<KmipVersion, string>();
  for (const p of places) if (!byVersion.has(p.version)) byVersion.set(p.version, p.num);
  const parts: string[] = [];
  let run: { from: KmipVersion; to: KmipVersion; num: string } | undefined;
  let prevIndex = -2;
  KMIP_VERSIONS.forEach((v, i) => {
    const num = byVersion.get(v);
    if (num === undefined) return;
    if (run && run.num === num && prevIndex === i - 1) run.to = v;
    else {
      if (run) parts.push(fmtRun(run));
      run = { from: v, to: v, num };
    }
    prevIndex = i;
  });
  if (run) parts.push(fmtRun(run));
  return parts.join("; ");
}

function fmtRun(r: { from: KmipVersion; to: KmipVersion; num: string }): string {
  const vs = r.from === r.to ? r.from : `${r.from}–${r.to}`;
  return r.num.startsWith("App.") ? `${vs} ${r.num}` : `${vs} §${r.num}`;
}

export function maskOf(versions: Iterable<KmipVersion>): VersionMask {
  let m = 0;
  for (const v of versions) m |= versionBit(v);
  return m;
}

export function hex(n: number, digits: number): string {
  return `0x${n.toString(16).toUpperCase().padStart(digits, "0")}`;
}

/** Map.get with a default inserted on first use. */
export function getOrAdd<K, V>(m: Map<K, V>, k: K, make: () => V): V {
  let v = m.get(k);
  if (v === undefined) {
    v = make();
    m.set(k, v);
  }
  return v;
}

/** Locale-independent string order, so the output does not depend on the machine. */
export function byCodeUnit(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
