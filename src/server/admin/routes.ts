/**
 * The admin API's routes under /v1: one entry per action, each naming the audit operation
 * ("admin:<action>") and the object it touches. Handlers check the caller's role and scope
 * (access.ts), then call the services; TenancyError / KmsError pass through to server.ts, which
 * maps their codes to HTTP statuses. Nothing here echoes a request's secret fields: profile
 * views come from HsmProfiles already masked.
 */
import type { AuditFilter } from "../../audit/index.js";
import type { Role, Tenant } from "../../auth/types.js";
import type { NewHsmProfile, ProfileScope } from "../../kms/types.js";
import { accountsOfZone } from "../../rewrap/index.js";
import { ADMINS, forbidden, requireRole, requireScope, visibleAccounts } from "./access.js";
import { AdminError, type AdminServices } from "./types.js";

export interface Call {
  readonly tenant: Tenant;
  readonly params: Readonly<Record<string, string>>;
  readonly query: URLSearchParams;
  readonly body: Readonly<Record<string, unknown>>;
  readonly services: AdminServices;
}

export interface Answer {
  readonly status?: number;
  readonly body: unknown;
}

export interface Route {
  readonly method: "GET" | "POST" | "DELETE";
  readonly pattern: RegExp;
  /** Audit operation suffix: "hsm-profile.add" → "admin:hsm-profile.add". */
  readonly action: string;
  /** The name or id the action is about, for the audit record. */
  readonly object?: (c: Omit<Call, "tenant" | "services">) => string | undefined;
  run(c: Call): Promise<Answer>;
}

const NAME = "([^/]+)";

const ROLES: readonly Role[] = ["root-admin", "domain-admin", "user"];
const BITS = [128, 192, 256] as const;

function need<T>(svc: T | undefined, what: string): T {
  if (svc === undefined) throw new AdminError(503, "unavailable", `${what} is not available in this server`);
  return svc;
}

function str(body: Readonly<Record<string, unknown>>, key: string, required: true): string;
function str(body: Readonly<Record<string, unknown>>, key: string, required?: false): string | undefined;
function str(body: Readonly<Record<string, unknown>>, key: string, required = false): string | undefined {
  const v = body[key];
  if (v === undefined || v === null) {
    if (required) throw new AdminError(400, "invalid", `${key} is required`);
    return undefined;
  }
  if (typeof v !== "string" || v.length === 0 || v.length > 256) throw new AdminError(400, "invalid", `${key} must be a non-empty string of at most 256 characters`);
  return v;
}

function scopeOf(v: unknown): ProfileScope {
  const s = (v ?? { kind: "system" }) as Record<string, unknown>;
  if (s.kind === "system") return { kind: "system" };
  if (s.kind === "zone" && typeof s.zone === "string" && s.zone) return { kind: "zone", zone: s.zone };
  if (s.kind === "account" && typeof s.account === "string" && s.account) return { kind: "account", account: s.account };
  throw new AdminError(400, "invalid", 'scope must be {"kind":"system"}, {"kind":"zone","zone":Z} or {"kind":"account","account":A}');
}

function details(v: unknown): Record<string, string> {
  if (v === undefined) return {};
  if (typeof v !== "object" || v === null || Array.isArray(v)) throw new AdminError(400, "invalid", "details must be an object of strings");
  const out: Record<string, string> = {};
  for (const [k, x] of Object.entries(v)) {
    if (typeof x !== "string" || x.length > 4096) throw new AdminError(400, "invalid", `details.${k} must be a string`);
    out[k] = x;
  }
  return out;
}

function bitsOf(v: unknown): 128 | 192 | 256 | undefined {
  if (v === undefined) return undefined;
  if (!BITS.includes(v as 128)) throw new AdminError(400, "invalid", "bits must be 128, 192 or 256");
  return v as 128 | 192 | 256;
}

function time(q: URLSearchParams, key: string): number | undefined {
  const v = q.get(key);
  if (v === null) return undefined;
  const t = /^\d+$/.test(v) ? Number(v) : Date.parse(v);
  if (Number.isNaN(t)) throw new AdminError(400, "invalid", `${key} must be an ISO 8601 time or Unix milliseconds`);
  return t;
}

const byName = (c: { params: Readonly<Record<string, string>> }) => c.params["1"];
const bodyName = (key: string) => (c: { body: Readonly<Record<string, unknown>> }) => (typeof c.body[key] === "string" ? (c.body[key] as string) : undefined);

/** The account a key action is about: the query's, else the caller's own. */
async function keyAccount(c: Call, what: string): Promise<string> {
  const account = c.query.get("account") ?? c.tenant.account;
  await requireScope(c.tenant, account, c.services.directory, what);
  return account;
}

export const ROUTES: readonly Route[] = [
  {
    method: "POST", pattern: /^\/v1\/hsm-profiles$/, action: "hsm-profile.add", object: bodyName("name"),
    async run(c) {
      requireRole(c.tenant, ["root-admin"], "add HSM profiles");
      const provider = str(c.body, "provider", true);
      if (provider !== "pkcs11" && provider !== "database") throw new AdminError(400, "invalid", 'provider must be "pkcs11" or "database"');
      const vendor = str(c.body, "vendor");
      const p: NewHsmProfile = { name: str(c.body, "name", true), provider, scope: scopeOf(c.body.scope), details: details(c.body.details), ...(vendor ? { vendor } : {}) };
      return { status: 201, body: await need(c.services.profiles, "HSM profiles").add(p) };
    },
  },
  {
    method: "GET", pattern: /^\/v1\/hsm-profiles$/, action: "hsm-profile.list",
    async run(c) {
      requireRole(c.tenant, ADMINS, "list HSM profiles");
      return { body: await need(c.services.profiles, "HSM profiles").list() };
    },
  },
  {
    method: "GET", pattern: new RegExp(`^/v1/hsm-profiles/${NAME}$`), action: "hsm-profile.show", object: byName,
    async run(c) {
      requireRole(c.tenant, ADMINS, "read HSM profiles");
      return { body: await need(c.services.profiles, "HSM profiles").show(c.params["1"]!) };
    },
  },
  {
    method: "DELETE", pattern: new RegExp(`^/v1/hsm-profiles/${NAME}$`), action: "hsm-profile.delete", object: byName,
    async run(c) {
      requireRole(c.tenant, ["root-admin"], "delete HSM profiles");
      await need(c.services.profiles, "HSM profiles").delete(c.params["1"]!);
      return { body: { deleted: c.params["1"] } };
    },
  },
  {
    method: "POST", pattern: /^\/v1\/keys$/, action: "key.create", object: bodyName("name"),
    async run(c) {
      const t = c.tenant;
      const account = str(c.body, "account") ?? t.account;
      const zone = str(c.body, "zone") ?? t.zone;
      await requireScope(t, account, c.services.directory, "create a key");
      if (t.role === "user" && zone !== t.zone) throw forbidden(`create keys outside zone ${t.zone}`);
      const bits = bitsOf(c.body.bits);
      const description = str(c.body, "description");
      const k = { name: str(c.body, "name", true), zone, account, hsmProfile: str(c.body, "hsmProfile", true), ...(bits ? { bits } : {}), ...(description ? { description } : {}) };
      return { status: 201, body: await need(c.services.keys, "KMS keys").create(k) };
    },
  },
  {
    method: "GET", pattern: /^\/v1\/keys$/, action: "key.list",
    async run(c) {
      const keys = need(c.services.keys, "KMS keys");
      const account = c.query.get("account") ?? (c.tenant.role === "user" ? c.tenant.account : undefined);
      const zone = c.query.get("zone") ?? undefined;
      if (account !== undefined) await requireScope(c.tenant, account, c.services.directory, "list keys");
      const all = await keys.list({ ...(account === undefined ? {} : { account }), ...(zone === undefined ? {} : { zone }) });
      const visible = await visibleAccounts(c.tenant, c.services.directory);
      return { body: visible ? all.filter((k) => visible.has(k.account)) : all };
    },
  },
  {
    method: "GET", pattern: new RegExp(`^/v1/keys/${NAME}$`), action: "key.show", object: byName,
    async run(c) {
      requireRole(c.tenant, ADMINS, "read keys");
      const account = c.tenant.role === "root-admin" ? (c.query.get("account") ?? undefined) : await keyAccount(c, "read a key");
      return { body: await need(c.services.keys, "KMS keys").show(c.params["1"]!, account) };
    },
  },
  ...(["disable", "enable"] as const).map(
    (verb): Route => ({
      method: "POST", pattern: new RegExp(`^/v1/keys/${NAME}/${verb}$`), action: `key.${verb}`, object: byName,
      async run(c) {
        requireRole(c.tenant, ADMINS, `${verb} keys`);
        const account = c.tenant.role === "root-admin" ? (c.query.get("account") ?? undefined) : await keyAccount(c, `${verb} a key`);
        return { body: await need(c.services.keys, "KMS keys").setState(c.params["1"]!, verb === "disable" ? "disabled" : "enabled", account) };
      },
    }),
  ),
  {
    method: "POST", pattern: new RegExp(`^/v1/keys/${NAME}/rotate$`), action: "key.rotate", object: byName,
    async run(c) {
      requireRole(c.tenant, ADMINS, "rotate keys");
      const account = c.tenant.role === "root-admin" ? (c.query.get("account") ?? undefined) : await keyAccount(c, "rotate a key");
      // A new version at once; the job that moves older objects to it runs in the background.
      const job = await need(c.services.rewrap, "key rotation").rotate(c.params["1"]!, account);
      return { body: { key: await need(c.services.keys, "KMS keys").show(job.keyId), job } };
    },
  },
  {
    method: "DELETE", pattern: new RegExp(`^/v1/keys/${NAME}/versions/${NAME}$`), action: "key.destroy-version", object: (c) => c.params["1"] && `${c.params["1"]}@${c.params["2"]}`,
    async run(c) {
      requireRole(c.tenant, ADMINS, "destroy key versions");
      const account = c.tenant.role === "root-admin" ? (c.query.get("account") ?? undefined) : await keyAccount(c, "destroy a key version");
      const n = c.params["2"]!;
      if (!/^[1-9]\d{0,9}$/.test(n) || Number(n) > 0xffffffff) throw new AdminError(400, "invalid", "the version must be a positive integer");
      // Refused (409) for the current version, one still wrapping objects or named by an unfinished rewrap job, one already destroyed.
      return { body: await need(c.services.keys, "KMS keys").destroyVersion(c.params["1"]!, Number(n), account) };
    },
  },
  {
    method: "POST", pattern: /^\/v1\/migrate$/, action: "migrate", object: bodyName("toKey"),
    async run(c) {
      requireRole(c.tenant, ["root-admin"], "migrate objects");
      const toKey = str(c.body, "toKey", true);
      const account = str(c.body, "account");
      const domain = str(c.body, "domain");
      const zone = str(c.body, "zone");
      const ids = c.body.ids;
      if (ids !== undefined && (!Array.isArray(ids) || ids.length === 0 || ids.length > 100_000 || ids.some((x) => typeof x !== "string"))) throw new AdminError(400, "invalid", "ids must be a non-empty list of object ids");
      if ([account, domain, ids, zone].filter((x) => x !== undefined).length !== 1) throw new AdminError(400, "invalid", "name exactly one of account, domain, ids or zone");
      const dir = () => need(c.services.directory, "the directory");
      // A zone's accounts: those all of whose principals work in it (docs/REWRAP.md); the others are reported.
      const byZone = zone !== undefined ? accountsOfZone(await dir().listPrincipals(), zone) : undefined;
      const owners = account !== undefined ? [account] : domain !== undefined ? (await dir().listAccounts({ domain })).map((a) => a.name) : byZone?.accounts;
      const keyAccount = str(c.body, "keyAccount");
      const job = await need(c.services.rewrap, "migration").migrate({
        toKey, ...(keyAccount ? { account: keyAccount } : {}), ...(owners ? { owners } : {}), ...(ids ? { ids: ids as string[] } : {}), ...(zone !== undefined ? { zone } : {}),
      });
      if (byZone) return { status: 201, body: { ...job, accounts: byZone.accounts, skippedAccounts: byZone.skipped } };
      return { status: 201, body: job };
    },
  },
  {
    method: "GET", pattern: /^\/v1\/rewrap$/, action: "rewrap.status",
    async run(c) {
      requireRole(c.tenant, ADMINS, "read rewrap jobs");
      const rw = need(c.services.rewrap, "rewrap jobs");
      const visible = await visibleAccounts(c.tenant, c.services.directory);
      const jobs = rw.status();
      return { body: { drain: rw.drainState(), jobs: visible ? jobs.filter((j) => visible.has(j.account)) : jobs } };
    },
  },
  {
    method: "POST", pattern: /^\/v1\/rewrap\/run$/, action: "rewrap.run",
    async run(c) {
      requireRole(c.tenant, ["root-admin"], "run rewrap jobs");
      // Answers at once; the CLI polls GET /v1/rewrap for progress and for the drain's end.
      const rw = need(c.services.rewrap, "rewrap jobs");
      rw.startDrain();
      return { status: 202, body: { drain: rw.drainState() } };
    },
  },
  {
    method: "DELETE", pattern: new RegExp(`^/v1/keys/${NAME}$`), action: "key.delete", object: byName,
    async run(c) {
      requireRole(c.tenant, ADMINS, "delete keys");
      const account = c.tenant.role === "root-admin" ? (c.query.get("account") ?? undefined) : await keyAccount(c, "delete a key");
      const force = c.query.get("force") === "true";
      await need(c.services.keys, "KMS keys").delete(c.params["1"]!, { ...(account ? { account } : {}), force });
      return { body: { deleted: c.params["1"] } };
    },
  },
  {
    method: "GET", pattern: /^\/v1\/accounts$/, action: "account.list",
    async run(c) {
      requireRole(c.tenant, ADMINS, "list accounts");
      const domain = c.tenant.role === "root-admin" ? (c.query.get("domain") ?? undefined) : c.tenant.domain;
      return { body: await need(c.services.directory, "the directory").listAccounts(domain === undefined ? {} : { domain }) };
    },
  },
  {
    method: "POST", pattern: /^\/v1\/accounts$/, action: "account.create", object: bodyName("name"),
    async run(c) {
      requireRole(c.tenant, ADMINS, "create accounts");
      const domain = str(c.body, "domain") ?? c.tenant.domain;
      if (c.tenant.role !== "root-admin" && domain !== c.tenant.domain) throw forbidden(`create accounts outside domain ${c.tenant.domain}`);
      return { status: 201, body: await need(c.services.directory, "the directory").createAccount({ name: str(c.body, "name", true), domain }) };
    },
  },
  {
    method: "DELETE", pattern: new RegExp(`^/v1/accounts/${NAME}$`), action: "account.delete", object: byName,
    async run(c) {
      requireRole(c.tenant, ADMINS, "delete accounts");
      await requireScope(c.tenant, c.params["1"]!, c.services.directory, "delete an account");
      await need(c.services.directory, "the directory").deleteAccount(c.params["1"]!);
      return { body: { deleted: c.params["1"] } };
    },
  },
  {
    method: "GET", pattern: /^\/v1\/principals$/, action: "principal.list",
    async run(c) {
      requireRole(c.tenant, ADMINS, "list principals");
      const account = c.query.get("account") ?? undefined;
      const domain = c.tenant.role === "root-admin" ? (c.query.get("domain") ?? undefined) : c.tenant.domain;
      return { body: await need(c.services.directory, "the directory").listPrincipals({ ...(account ? { account } : {}), ...(domain ? { domain } : {}) }) };
    },
  },
  {
    method: "POST", pattern: /^\/v1\/principals$/, action: "principal.map", object: bodyName("principal"),
    async run(c) {
      requireRole(c.tenant, ADMINS, "map principals");
      const role = str(c.body, "role") ?? "user";
      if (!ROLES.includes(role as Role)) throw new AdminError(400, "invalid", `role must be one of ${ROLES.join(", ")}`);
      if (role === "root-admin" && c.tenant.role !== "root-admin") throw forbidden("grant root-admin");
      const account = str(c.body, "account", true);
      await requireScope(c.tenant, account, c.services.directory, "map a principal");
      const m = { principal: str(c.body, "principal", true), account, zone: str(c.body, "zone") ?? "default", role: role as Role };
      return { status: 201, body: await need(c.services.directory, "the directory").mapPrincipal(m) };
    },
  },
  {
    method: "DELETE", pattern: new RegExp(`^/v1/principals/${NAME}$`), action: "principal.unmap", object: byName,
    async run(c) {
      requireRole(c.tenant, ADMINS, "unmap principals");
      const dir = need(c.services.directory, "the directory");
      if (c.tenant.role !== "root-admin") {
        const mine = await dir.listPrincipals({ domain: c.tenant.domain });
        const m = mine.find((p) => p.principal === c.params["1"]);
        if (!m || m.role === "root-admin") throw forbidden(`unmap ${c.params["1"]}`);
      }
      await dir.unmapPrincipal(c.params["1"]!);
      return { body: { unmapped: c.params["1"] } };
    },
  },
  {
    method: "GET", pattern: new RegExp(`^/v1/objects/${NAME}$`), action: "object.show", object: byName,
    async run(c) {
      requireRole(c.tenant, ADMINS, "inspect objects");
      const o = await need(c.services.objects, "object inspection").inspect(c.params["1"]!);
      // another domain's object is answered as absent: its existence is not the caller's to learn
      const visible = await visibleAccounts(c.tenant, c.services.directory);
      if (!o || (visible && !visible.has(o.ownerAccount))) throw new AdminError(404, "not-found", `no object ${c.params["1"]}`);
      return { body: o };
    },
  },
  {
    method: "GET", pattern: /^\/v1\/audit$/, action: "audit.list",
    async run(c) {
      requireRole(c.tenant, ["root-admin"], "read the audit trail");
      const q = c.query;
      const limit = q.get("limit");
      if (limit !== null && !/^[1-9]\d{0,6}$/.test(limit)) throw new AdminError(400, "invalid", "limit must be a positive integer");
      const [since, until] = [time(q, "since"), time(q, "until")];
      const f: AuditFilter = {
        ...(since === undefined ? {} : { since }),
        ...(until === undefined ? {} : { until }),
        ...(q.get("principal") ? { principal: q.get("principal")! } : {}),
        ...(q.get("object") ? { objectId: q.get("object")! } : {}),
        ...(q.get("operation") ? { operation: q.get("operation")! } : {}),
        limit: limit === null ? 1000 : Number(limit),
        order: q.get("order") === "desc" ? "desc" : "asc",
      };
      return { body: need(c.services.audit, "the audit trail").list(f) };
    },
  },
  {
    method: "GET", pattern: /^\/v1\/audit\/verify$/, action: "audit.verify",
    async run(c) {
      requireRole(c.tenant, ["root-admin"], "verify the audit trail");
      return { body: need(c.services.audit, "the audit trail").verify() };
    },
  },
];

/** The route for a method and path, with its captured parameters; or why there is none. */
export function match(method: string, path: string): { route: Route; params: Record<string, string> } | { status: 404 | 405 } {
  let pathMatched = false;
  for (const route of ROUTES) {
    const m = route.pattern.exec(path);
    if (!m) continue;
    pathMatched = true;
    if (route.method !== method) continue;
    const params: Record<string, string> = {};
    m.slice(1).forEach((v, i) => (params[String(i + 1)] = decodeURIComponent(v)));
    return { route, params };
  }
  return { status: pathMatched ? 405 : 404 };
}
