/**
 * The KMIP listener: mutual TLS (1.2 and 1.3), client authentication with the reason logged,
 * identity from the certificate, connection limits, and a graceful stop.
 *
 * `rejectUnauthorized` is false on purpose: with true, a TLS 1.3 client is refused after its
 * handshake "succeeded" and the server sees only "socket hang up" (notes P18). Here every
 * verification result is checked explicitly and the reason logged before the socket is closed.
 */
import { readFile } from "node:fs/promises";
import type { AddressInfo, Socket } from "node:net";
import { createServer, type Server, type TLSSocket } from "node:tls";
import type { IdentitySource, KmipdConfig, LimitSettings, TlsVersion } from "../config/index.js";
import { Connection } from "./connection.js";
import { HttpKmip, looksLikeHttp } from "./http.js";
import { newCounters, snapshot, type ListenerCounters, type RejectReason } from "./counters.js";
import type { MessageHandler, RequestContext } from "./handler.js";
import type { Logger } from "./log.js";
import { allowsClientAuth, identityOf, inspectCertificate, type PeerCertificateInfo } from "./x509.js";

export interface ListenerTlsOptions {
  /** Server certificate chain, PEM (leaf first). */
  readonly cert: string | Buffer;
  readonly key: string | Buffer;
  /** Trusted CA certificate(s) for client certificates, PEM. */
  readonly ca: string | Buffer;
  readonly minVersion: TlsVersion;
  readonly identity: IdentitySource;
  readonly requireClientAuthEku: boolean;
}

export type ListenerLimits = Pick<
  LimitSettings,
  "maxMessageSize" | "maxConnections" | "maxConnectionsPerClient" | "handshakeTimeoutMs" | "idleTimeoutMs" | "requestTimeoutMs"
>;

export interface ListenerOptions {
  readonly host: string;
  readonly port: number;
  readonly tls: ListenerTlsOptions;
  readonly limits: ListenerLimits;
  readonly handler: MessageHandler;
  readonly log: Logger;
  /** close(): how long requests already received may take to be answered (default 30 s). */
  readonly drainTimeoutMs?: number;
  /** Requests queued on one connection before it stops reading (default 32). */
  readonly maxQueuedPerConnection?: number;
  /** After the server ends a connection, how long the client gets to close its side (default 2 s). */
  readonly closeGraceMs?: number;
  /** Also serve KMIP over HTTPS on this port, at this request path (server.https). */
  readonly httpsPath?: string;
}

/** Reads the TLS files named by the config into listener options. */
export async function listenerOptionsFromConfig(config: KmipdConfig, handler: MessageHandler, log: Logger): Promise<ListenerOptions> {
  const read = async (what: string, path: string) => {
    try {
      return await readFile(path);
    } catch (e) {
      throw new Error(`cannot read the TLS ${what} ${path}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
    }
  };
  return {
    host: config.server.host,
    port: config.server.port,
    tls: {
      cert: await read("certificate (tls.cert)", config.tls.cert),
      key: await read("key (tls.key)", config.tls.key),
      ca: await read("CA (tls.ca)", config.tls.ca),
      minVersion: config.tls.minVersion,
      identity: config.tls.identity,
      requireClientAuthEku: config.tls.requireClientAuthEku,
    },
    limits: config.limits,
    handler,
    log,
    ...(config.server.https ? { httpsPath: config.server.httpsPath } : {}),
  };
}

/** Starts listening; resolves once the port is bound. */
export async function startListener(opts: ListenerOptions): Promise<KmipListener> {
  const l = new KmipListener(opts);
  await l.listen();
  return l;
}

export class KmipListener {
  private readonly server: Server;
  private readonly counters = newCounters();
  private readonly connections = new Set<Connection>();
  private readonly perClient = new Map<string, number>();
  /** TCP sockets whose TLS handshake has not completed, by remote address:port. */
  private readonly handshaking = new Map<string, Socket>();
  private readonly log: Logger;
  private nextId = 1;
  private stopping: Promise<void> | undefined;
  /** KMIP over HTTPS on this port, when server.https is on; and the sockets it has taken. */
  private readonly http: HttpKmip | undefined;
  private readonly httpSockets = new Set<Socket>();

  constructor(private readonly opts: ListenerOptions) {
    this.log = opts.log;
    this.http = opts.httpsPath === undefined ? undefined : new HttpKmip({
      handler: opts.handler, path: opts.httpsPath, maxMessageSize: opts.limits.maxMessageSize,
      requestTimeoutMs: opts.limits.requestTimeoutMs, idleTimeoutMs: opts.limits.idleTimeoutMs, log: opts.log,
    });
    this.server = createServer({
      cert: opts.tls.cert,
      key: opts.tls.key,
      ca: opts.tls.ca,
      minVersion: opts.tls.minVersion,
      maxVersion: "TLSv1.3",
      requestCert: true,
      rejectUnauthorized: false, // checked in onSecure, so the reason can be logged
      handshakeTimeout: opts.limits.handshakeTimeoutMs,
      sessionIdContext: "kmipd",
      // session resumption: TLS 1.3 tickets and TLS 1.2 tickets are on by default in node:tls
    });
    this.server.maxConnections = opts.limits.maxConnections;
    this.server.on("connection", (s: Socket) => this.onTcp(s));
    this.server.on("drop", (d?: { remoteAddress?: string; remotePort?: number }) => {
      this.counters.connectionsTotal++;
      this.reject("max_connections", { peer: `${d?.remoteAddress}:${d?.remotePort}`, maxConnections: opts.limits.maxConnections }, "too many connections; closed at accept");
    });
    this.server.on("tlsClientError", (e: NodeJS.ErrnoException, s: TLSSocket) => {
      // node:tls leaves the socket open when this event has a listener (a handshake timeout included)
      this.refuse(s, "tls_handshake", { peer: peerOf(s), code: e.code ?? "ERR_TLS", error: e.message }, "TLS handshake failed");
    });
    this.server.on("secureConnection", (s: TLSSocket) => this.onSecure(s));
    this.server.on("error", (e) => this.log.error({ error: e.message }, "listener error"));
  }

  /** The bound address (port 0 in the options becomes the port picked). */
  get address(): { host: string; port: number } {
    const a = this.server.address() as AddressInfo;
    return { host: a.address, port: a.port };
  }

  /** Accepting connections (for /healthz): bound and not stopping. */
  get listening(): boolean {
    return this.server.listening && !this.stopping;
  }

  /** A copy of the counters. */
  stats(): ListenerCounters {
    return snapshot(this.counters);
  }

  listen(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.once("error", reject);
      this.server.listen({ host: this.opts.host, port: this.opts.port }, () => {
        this.server.off("error", reject);
        this.log.info({ host: this.address.host, port: this.address.port, minVersion: this.opts.tls.minVersion, identity: this.opts.tls.identity }, "listening");
        resolve();
      });
    });
  }

  /**
   * Graceful stop: accept nothing more, close connections still in their handshake, let every
   * connection answer the requests it has already received (bounded by the drain timeout, after
   * which the rest are cut), then close. Calling it again returns the same promise.
   */
  close(drainTimeoutMs = this.opts.drainTimeoutMs ?? 30_000): Promise<void> {
    this.stopping ??= this.stop(drainTimeoutMs);
    return this.stopping;
  }

  private async stop(drainTimeoutMs: number): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.log.info({ connections: this.connections.size, drainTimeoutMs }, "stopping: draining connections");
    for (const s of this.handshaking.values()) s.destroy();
    this.http?.closeIdle();
    const httpClosed = [...this.httpSockets].map((s) => new Promise<void>((resolve) => s.once("close", () => resolve())));
    const drained = Promise.all([...this.connections].map((c) => c.drain()).concat(httpClosed));
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), drainTimeoutMs)));
    if (await Promise.race([drained.then(() => false), timedOut])) {
      this.log.warn({ connections: this.connections.size }, "drain timeout; closing the remaining connections");
      for (const c of this.connections) c.destroy();
      for (const s of this.handshaking.values()) s.destroy();
      for (const s of this.httpSockets) s.destroy();
    }
    clearTimeout(timer);
    await closed;
    this.log.info({}, "stopped");
  }

  private onTcp(s: Socket): void {
    this.counters.connectionsTotal++;
    this.counters.connectionsOpen++;
    s.setNoDelay(true);
    const key = `${s.remoteAddress}:${s.remotePort}`;
    this.handshaking.set(key, s);
    s.once("close", () => {
      this.counters.connectionsOpen--;
      if (this.handshaking.get(key) === s) this.handshaking.delete(key);
    });
  }

  private onSecure(s: TLSSocket): void {
    const peer = peerOf(s);
    this.handshaking.delete(peer);
    if (this.stopping) return this.refuse(s, "stopping", { peer }, "listener is stopping");
    const cert = s.getPeerCertificate();
    if (!s.authorized || !cert || !cert.raw) {
      const reason = !cert || !cert.raw ? "NO_CLIENT_CERTIFICATE" : String(s.authorizationError ?? "UNKNOWN");
      return this.refuse(s, "unauthenticated", { peer, reason, subject: cert?.subject?.CN }, "client certificate rejected");
    }
    let info: PeerCertificateInfo;
    try {
      info = inspectCertificate(cert.raw);
    } catch (e) {
      return this.refuse(s, "unauthenticated", { peer, reason: "UNREADABLE_CERTIFICATE", error: e instanceof Error ? e.message : String(e) }, "client certificate rejected");
    }
    if (this.opts.tls.requireClientAuthEku && !allowsClientAuth(info)) {
      return this.refuse(s, "client_auth_eku", { peer, subject: info.subject, eku: info.extendedKeyUsages }, "client certificate rejected: its Extended Key Usage lacks clientAuth");
    }
    const id = identityOf(info, this.opts.tls.identity);
    if (!id.ok) return this.refuse(s, "no_identity", { peer, subject: info.subject, reason: id.reason }, "client certificate rejected: no identity");
    const principal = id.principal;
    const open = this.perClient.get(principal) ?? 0;
    if (open >= this.opts.limits.maxConnectionsPerClient) {
      return this.refuse(s, "max_connections_per_client", { peer, principal, max: this.opts.limits.maxConnectionsPerClient }, "too many connections from this client");
    }
    this.perClient.set(principal, open + 1);
    this.counters.connectionsEstablished++;
    const ctx: RequestContext = Object.freeze({ principal, peer, connectionId: this.nextId++ });
    const log = this.log.child({ conn: ctx.connectionId, principal });
    log.info({ peer, protocol: s.getProtocol(), cipher: s.getCipher().name, resumed: s.isSessionReused(), serial: info.serialNumber }, "connection open");
    s.once("close", () => {
      this.counters.connectionsEstablished--;
      const n = (this.perClient.get(principal) ?? 1) - 1;
      if (n > 0) this.perClient.set(principal, n);
      else this.perClient.delete(principal);
      log.info({}, "connection closed");
    });
    const http = this.http;
    if (!http) return void this.openTtlv(s, ctx, log);
    // KMIP over HTTPS shares the port: the first bytes say which protocol this connection speaks
    const silent = () => s.destroy();
    s.setTimeout(this.opts.limits.idleTimeoutMs);
    s.once("timeout", silent);
    s.once("data", (first: Buffer) => {
      s.off("timeout", silent);
      s.setTimeout(0);
      if (!looksLikeHttp(first)) return void this.openTtlv(s, ctx, log).receive(first);
      this.httpSockets.add(s);
      s.once("close", () => this.httpSockets.delete(s));
      http.adopt(s, first, ctx);
    });
  }

  /** A TTLV connection on an authenticated socket. */
  private openTtlv(s: TLSSocket, ctx: RequestContext, log: Logger): Connection {
    const conn = new Connection(
      s,
      ctx,
      {
        handler: this.opts.handler,
        maxMessageSize: this.opts.limits.maxMessageSize,
        idleTimeoutMs: this.opts.limits.idleTimeoutMs,
        requestTimeoutMs: this.opts.limits.requestTimeoutMs,
        maxQueued: this.opts.maxQueuedPerConnection ?? 32,
        closeGraceMs: this.opts.closeGraceMs ?? 2000,
      },
      log,
      this.counters,
    );
    this.connections.add(conn);
    void conn.closed.then(() => this.connections.delete(conn));
    return conn;
  }

  private refuse(s: TLSSocket, reason: RejectReason, fields: Record<string, unknown>, msg: string): void {
    this.reject(reason, fields, msg);
    s.destroy();
  }

  private reject(reason: RejectReason, fields: Record<string, unknown>, msg: string): void {
    this.counters.connectionsRejected++;
    this.counters.rejectedByReason[reason]++;
    this.log.warn({ ...fields, rejected: reason }, msg);
  }
}

function peerOf(s: Socket): string {
  return `${s.remoteAddress}:${s.remotePort}`;
}
