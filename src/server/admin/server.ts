/**
 * The admin HTTPS server (docs/ADMIN.md): mutual TLS with the KMIP port's certificates and CA,
 * the caller's principal from its certificate (x509.ts, as on the KMIP port), its role from
 * Directory.resolve. JSON REST under /v1 (routes.ts), /metrics and /healthz.
 *
 * As in listener.ts, `rejectUnauthorized` is false and the verification result is checked per
 * request, so a refusal is an HTTP 403 with a reason instead of a bare handshake failure.
 * Every /v1 request, allowed or refused, appends one audit record "admin:<action>"; request
 * bodies are never logged (they may carry an HSM PIN) and never echoed.
 */
import { createServer, type Server } from "node:https";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { TLSSocket } from "node:tls";
import type { AuditResult } from "../../audit/index.js";
import { TenancyError, type Tenant } from "../../auth/types.js";
import type { IdentitySource } from "../../config/index.js";
import { KmsError } from "../../kms/types.js";
import type { Logger } from "../log.js";
import type { Metrics } from "../metrics.js";
import { allowsClientAuth, identityOf, inspectCertificate } from "../x509.js";
import { match, type Route } from "./routes.js";
import { AdminError, type AdminServices, type HealthProbe } from "./types.js";

export interface AdminServerOptions {
  readonly host: string;
  readonly port: number;
  readonly tls: { readonly cert: string | Buffer; readonly key: string | Buffer; readonly ca: string | Buffer; readonly minVersion: "TLSv1.2" | "TLSv1.3"; readonly identity: IdentitySource; readonly requireClientAuthEku: boolean };
  readonly services: AdminServices;
  readonly metrics: Metrics;
  /** /healthz: whether the KMIP listener is accepting, and the probes (store, key providers). */
  readonly kmipUp: () => boolean;
  /** A list, or a function giving the current list (HSM profiles come and go while serving). */
  readonly probes: readonly HealthProbe[] | (() => readonly HealthProbe[]);
  readonly log: Logger;
  /** Largest request body accepted (default 64 KiB: admin requests are small). */
  readonly maxBodyBytes?: number;
  /** Whole-request time limit (default 30 s). */
  readonly requestTimeoutMs?: number;
  readonly clock?: () => number;
}

const STATUS: Record<string, number> = { "not-found": 404, exists: 409, forbidden: 403, invalid: 400, "in-use": 409, destroyed: 409, unavailable: 503 };

export async function startAdminServer(opts: AdminServerOptions): Promise<AdminServer> {
  const s = new AdminServer(opts);
  await s.listen();
  return s;
}

export class AdminServer {
  private readonly server: Server;
  private readonly clock: () => number;

  constructor(private readonly opts: AdminServerOptions) {
    this.clock = opts.clock ?? Date.now;
    const timeout = opts.requestTimeoutMs ?? 30_000;
    this.server = createServer(
      {
        cert: opts.tls.cert, key: opts.tls.key, ca: opts.tls.ca, minVersion: opts.tls.minVersion, maxVersion: "TLSv1.3",
        requestCert: true, rejectUnauthorized: false, // checked per request in identify()
        requestTimeout: timeout, headersTimeout: Math.min(timeout, 10_000), keepAliveTimeout: 5_000, maxHeaderSize: 16 * 1024,
      },
      (req, res) => void this.onRequest(req, res),
    );
    this.server.on("tlsClientError", (e: Error) => opts.log.warn({ error: e.message }, "admin: TLS handshake failed"));
  }

  get address(): { host: string; port: number } {
    const a = this.server.address() as AddressInfo;
    return { host: a.address, port: a.port };
  }

  listen(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.once("error", reject);
      this.server.listen({ host: this.opts.host, port: this.opts.port }, () => {
        this.server.off("error", reject);
        this.opts.log.info({ host: this.address.host, port: this.address.port }, "admin API listening");
        resolve();
      });
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  /** The principal of the request's verified client certificate, or why there is none. */
  private identify(req: IncomingMessage): { ok: true; principal: string } | { ok: false; reason: string } {
    const s = req.socket as TLSSocket;
    const cert = s.getPeerCertificate();
    if (!cert || !cert.raw) return { ok: false, reason: "no client certificate" };
    if (!s.authorized) return { ok: false, reason: `client certificate rejected: ${String(s.authorizationError)}` };
    try {
      const info = inspectCertificate(cert.raw);
      if (this.opts.tls.requireClientAuthEku && !allowsClientAuth(info)) return { ok: false, reason: "client certificate lacks the clientAuth EKU" };
      return identityOf(info, this.opts.tls.identity);
    } catch {
      return { ok: false, reason: "unreadable client certificate" };
    }
  }

  private async onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const peer = `${req.socket.remoteAddress}:${req.socket.remotePort}`;
    const url = new URL(req.url ?? "/", "https://admin.invalid");
    try {
      const id = this.identify(req);
      if (!id.ok) {
        this.opts.log.warn({ peer, reason: id.reason }, "admin: request refused");
        return send(res, 403, { error: "unauthenticated", message: id.reason });
      }
      if (url.pathname === "/healthz" && req.method === "GET") return await this.health(res);
      const tenant = await this.resolve(id.principal);
      if (url.pathname === "/metrics" && req.method === "GET") {
        // any registered principal may scrape: counters name operations, never objects or tenants
        if (!tenant) return send(res, 403, { error: "forbidden", message: "principal not registered" });
        return sendText(res, 200, await this.opts.metrics.render(), "text/plain; version=0.0.4; charset=utf-8");
      }
      await this.api(req, res, url, id.principal, tenant, peer);
    } catch (e) {
      this.opts.log.error({ peer, path: url.pathname, err: e }, "admin: request failed unexpectedly");
      if (!res.headersSent) send(res, 500, { error: "internal", message: "internal error" });
    }
  }

  private async resolve(principal: string): Promise<Tenant | undefined> {
    const dir = this.opts.services.directory;
    return dir ? dir.resolve(principal) : undefined;
  }

  private async api(req: IncomingMessage, res: ServerResponse, url: URL, principal: string, tenant: Tenant | undefined, peer: string): Promise<void> {
    let found: ReturnType<typeof match>;
    try {
      found = match(req.method ?? "", url.pathname);
    } catch {
      return send(res, 400, { error: "invalid", message: "malformed path" });
    }
    if ("status" in found) return send(res, found.status, { error: found.status === 404 ? "not-found" : "method-not-allowed", message: `${req.method} ${url.pathname} is not an admin API endpoint` });
    const { route, params } = found;
    let body: Record<string, unknown> = {};
    let objectName: string | undefined;
    let status: number;
    let answer: unknown;
    try {
      objectName = route.object?.({ params, query: url.searchParams, body: {} });
      if (req.method === "POST") {
        body = await this.readJson(req);
        objectName = route.object?.({ params, query: url.searchParams, body });
      }
      if (!this.opts.services.directory) throw new AdminError(503, "unavailable", "the directory is not available in this server");
      if (!tenant) throw new AdminError(403, "forbidden", `principal ${JSON.stringify(principal)} is not registered`);
      const a = await route.run({ tenant, params, query: url.searchParams, body, services: this.opts.services });
      status = a.status ?? 200;
      answer = a.body;
    } catch (e) {
      const mapped = mapError(e);
      if (!mapped) throw e;
      [status, answer] = [mapped.status, { error: mapped.code, message: mapped.message }];
      // the rest of an oversized body is left unread: the connection cannot be reused
      if (status === 413) res.setHeader("Connection", "close");
    }
    // the action is recorded before it is answered; a trail that cannot be written fails the request
    if (!(await this.audit(route, principal, tenant, peer, objectName, status, answer))) {
      return send(res, 503, { error: "unavailable", message: "audit trail unavailable; the action may have taken effect — check before retrying" });
    }
    send(res, status, answer);
  }

  private async audit(route: Route, principal: string, tenant: Tenant | undefined, peer: string, object: string | undefined, status: number, answer: unknown): Promise<boolean> {
    const audit = this.opts.services.audit;
    if (!audit) return true;
    const result: AuditResult = status < 400 ? "success" : "failure";
    try {
      await audit.append([{
        time: this.clock(), principal, ...(tenant ? { account: tenant.account } : {}), clientAddress: peer,
        operation: `admin:${route.action}`, objectIds: object ? [object] : [], result,
        ...(result === "failure" ? { reason: (answer as { error: string }).error } : {}),
      }]);
      return true;
    } catch (err) {
      this.opts.log.error({ principal, action: route.action, err }, "audit trail unavailable");
      return false;
    }
  }

  private async health(res: ServerResponse): Promise<void> {
    const providers: Record<string, string> = {};
    let ok = this.opts.kmipUp();
    const probes = typeof this.opts.probes === "function" ? this.opts.probes() : this.opts.probes;
    for (const p of probes) {
      const state = await p.check().catch(() => "unavailable" as const);
      providers[p.name] = state;
      if (state !== "ok" && p.critical) ok = false;
    }
    send(res, ok ? 200 : 503, { status: ok ? "ok" : "unavailable", kmip: this.opts.kmipUp() ? "ok" : "unavailable", checks: providers });
  }

  /** The body as a JSON object, refusing a large one before reading it all. */
  private readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
    const max = this.opts.maxBodyBytes ?? 64 * 1024;
    const type = (req.headers["content-type"] ?? "").split(";")[0]!.trim().toLowerCase();
    if (type !== "application/json" && Number(req.headers["content-length"] ?? 0) > 0) return Promise.reject(new AdminError(415, "unsupported-media-type", "send application/json"));
    if (Number(req.headers["content-length"] ?? 0) > max) return Promise.reject(new AdminError(413, "too-large", `request bodies are limited to ${max} bytes`));
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      req.on("data", (c: Buffer) => {
        size += c.length;
        if (size > max) {
          req.pause();
          reject(new AdminError(413, "too-large", `request bodies are limited to ${max} bytes`));
        } else chunks.push(c);
      });
      req.on("error", () => reject(new AdminError(400, "invalid", "the request body could not be read")));
      req.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        if (text.trim() === "") return resolve({});
        try {
          const v: unknown = JSON.parse(text);
          if (typeof v !== "object" || v === null || Array.isArray(v)) throw new Error();
          resolve(v as Record<string, unknown>);
        } catch {
          // the text itself is not quoted back: it may hold a PIN
          reject(new AdminError(400, "invalid", "the body must be a JSON object"));
        }
      });
    });
  }
}

/** Service and API errors to HTTP; undefined for anything unexpected (a 500, logged). */
export function mapError(e: unknown): { status: number; code: string; message: string } | undefined {
  if (e instanceof AdminError) return { status: e.status, code: e.code, message: e.message };
  if (e instanceof TenancyError || e instanceof KmsError) return { status: STATUS[e.code] ?? 400, code: e.code, message: e.message };
  return undefined;
}

function send(res: ServerResponse, status: number, body: unknown): void {
  sendText(res, status, JSON.stringify(body) + "\n", "application/json; charset=utf-8");
}

function sendText(res: ServerResponse, status: number, text: string, type: string): void {
  const b = Buffer.from(text, "utf8");
  res.writeHead(status, { "Content-Type": type, "Content-Length": b.length, "Cache-Control": "no-store" });
  res.end(b);
}
