/**
 * Header credentials at the door (KMIP Credential: Username and Password, Device): after the
 * certificate's principal is resolved to its account, a request of an account that has
 * `[[tenancy.credentials]]` must present only credentials that verify; one that does not refuses
 * the whole message (Authentication Not Successful), logged with the username or device fields
 * and never the password. The verified credential names the user or device within the client
 * (OperationContext → TenantObjects.credential). docs/TENANCY.md, "Header credentials".
 */
import type { CredentialVerifier, Tenant } from "../auth/index.js";
import { KmipError, type HeaderCredential, type RequestMessage } from "../messages/index.js";

export interface CredentialGateLog {
  warn(obj: object, msg: string): void;
}

/** What a presented credential is known by in logs: its username or device fields, without the password. */
export function describeCredential(c: HeaderCredential): Record<string, string> {
  const { password: _password, ...named } = c;
  return Object.fromEntries(Object.entries(named).filter(([, v]) => v !== undefined)) as Record<string, string>;
}

/**
 * The request's verified credential identity (undefined when it presents none, or its account
 * checks none), or a KmipError to answer for every batch item.
 */
export async function admitCredentials(
  verifier: CredentialVerifier | undefined,
  req: RequestMessage,
  tenant: Tenant,
  log: CredentialGateLog,
  conn: number | string,
): Promise<{ readonly credential?: string } | KmipError> {
  const presented = req.header.credentials;
  if (!verifier || presented.length === 0 || !verifier.enforces(tenant.account)) return {};
  let identity: string | undefined;
  for (const c of presented) {
    const v = await verifier.verify(tenant.account, c);
    if ("refused" in v) {
      log.warn({ conn, principal: tenant.principal, account: tenant.account, credential: describeCredential(c), why: v.refused }, "header credential not accepted: request refused");
      return new KmipError("AuthenticationNotSuccessful", "authentication not successful");
    }
    identity ??= v.identity;
  }
  return identity === undefined ? {} : { credential: identity };
}
