/**
 * Who may do what in the admin API. root-admin: everything. domain-admin: the accounts of its
 * domain, their keys, principals and objects. user: create and list its own account's KMS keys.
 * Scope checks ask the Directory which accounts a domain holds, so they follow changes at once.
 */
import type { Directory, Role, Tenant } from "../../auth/types.js";
import { AdminError } from "./types.js";

export function forbidden(what: string): AdminError {
  return new AdminError(403, "forbidden", `your role may not ${what}`);
}

export function requireRole(t: Tenant, roles: readonly Role[], what: string): void {
  if (!roles.includes(t.role)) throw forbidden(what);
}

export const ADMINS: readonly Role[] = ["root-admin", "domain-admin"];

/** May `t` act on `account`'s keys, principals and objects? */
export async function inScope(t: Tenant, account: string, dir: Directory | undefined): Promise<boolean> {
  if (t.role === "root-admin") return true;
  if (t.role === "user") return account === t.account;
  if (!dir) return false;
  return (await dir.listAccounts({ domain: t.domain })).some((a) => a.name === account);
}

export async function requireScope(t: Tenant, account: string, dir: Directory | undefined, what: string): Promise<void> {
  if (!(await inScope(t, account, dir))) throw new AdminError(403, "forbidden", `${what}: account ${JSON.stringify(account)} is outside your scope`);
}

/** The accounts a domain admin sees (undefined: all, for a root admin). */
export async function visibleAccounts(t: Tenant, dir: Directory | undefined): Promise<ReadonlySet<string> | undefined> {
  if (t.role === "root-admin") return undefined;
  if (t.role === "user" || !dir) return new Set([t.account]);
  return new Set((await dir.listAccounts({ domain: t.domain })).map((a) => a.name));
}
