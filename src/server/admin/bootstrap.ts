/**
 * The directory the admin API uses until the engine provides the real one (tenancy, issue 6):
 * it knows only BOOTSTRAP_ADMIN, the development PKI's admin certificate, as a root admin — so
 * /metrics, /healthz and the audit endpoints work on a fresh server — and answers everything
 * else "unavailable" rather than pretending to manage accounts.
 */
import { BOOTSTRAP_ADMIN, type Directory, type Tenant } from "../../auth/types.js";
import { AdminError } from "./types.js";

export function bootstrapDirectory(): Directory {
  const unavailable = async (): Promise<never> => {
    throw new AdminError(503, "unavailable", "accounts and principals are not available in this server yet");
  };
  return {
    async resolve(principal: string): Promise<Tenant | undefined> {
      if (principal !== BOOTSTRAP_ADMIN.principal) return undefined;
      return { principal, account: BOOTSTRAP_ADMIN.account, domain: "default", zone: BOOTSTRAP_ADMIN.zone, role: BOOTSTRAP_ADMIN.role };
    },
    listAccounts: unavailable,
    createAccount: unavailable,
    deleteAccount: unavailable,
    listPrincipals: unavailable,
    mapPrincipal: unavailable,
    unmapPrincipal: unavailable,
  };
}
