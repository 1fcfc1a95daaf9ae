/**
 * `kmipd migrate --zone Z` (issue 7): objects record no zone, so a legacy object's zone is the
 * zone its owning account's principals work in. An account is in zone Z when it has principals
 * and every one of them works in Z. An account with principals in Z and in another zone has no
 * single zone: it is left out and reported, to be migrated with --account. An account with no
 * principal has no zone at all and is not selected.
 */
import type { PrincipalMapping } from "../auth/types.js";

export interface SkippedAccount {
  readonly account: string;
  /** Every zone its principals work in, sorted. */
  readonly zones: readonly string[];
  readonly reason: string;
}

export const SEVERAL_ZONES = "principals in several zones; migrate with --account";

/** The accounts wholly in `zone`, and those partly in it (skipped), both sorted by name. */
export function accountsOfZone(principals: readonly Pick<PrincipalMapping, "account" | "zone">[], zone: string): { accounts: string[]; skipped: SkippedAccount[] } {
  const zones = new Map<string, Set<string>>();
  for (const p of principals) {
    let s = zones.get(p.account);
    if (!s) zones.set(p.account, (s = new Set()));
    s.add(p.zone);
  }
  const accounts: string[] = [];
  const skipped: SkippedAccount[] = [];
  for (const [account, s] of [...zones].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (!s.has(zone)) continue;
    if (s.size === 1) accounts.push(account);
    else skipped.push({ account, zones: [...s].sort(), reason: SEVERAL_ZONES });
  }
  return { accounts, skipped };
}
