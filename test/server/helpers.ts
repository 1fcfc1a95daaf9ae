/** Shared fixtures for the transport tests: a PKI with good and bad clients, log capture, TLS clients. */
import { mkdtemp, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect, createSecureContext, type ConnectionOptions, type TLSSocket } from "node:tls";
import type { MessageHandler } from "../../src/server/handler.js";
import { startListener, type KmipListener, type ListenerLimits, type ListenerOptions } from "../../src/server/listener.js";
import { createLogger, type Logger } from "../../src/server/log.js";
import { createCa, createDevPki, createSelfSigned, issueCertificate, loadDevCa, type CertAndKey } from "../../src/server/pki.js";
import { TtlvFramer } from "../../src/ttlv/index.js";

export interface TestPki {
  readonly dir: string;
  readonly ca: CertAndKey;
  readonly server: CertAndKey;
  /** The dev PKI's client: CN kmip-client, EKU clientAuth. */
  readonly client: CertAndKey;
  /** A second identity from the same CA: CN kmip-client-2. */
  readonly client2: CertAndKey;
  /** Good-looking client from another CA. */
  readonly foreign: CertAndKey;
  readonly selfSigned: CertAndKey;
  /** From the right CA, but EKU serverAuth only. */
  readonly serverEkuOnly: CertAndKey;
  /** From the right CA, no EKU extension at all. */
  readonly noEku: CertAndKey;
  /** From the right CA, CN "ignored-cn", SANs dns/email/uri. */
  readonly sans: CertAndKey;
  /** From the right CA, expired yesterday. */
  readonly expired: CertAndKey;
}

let pki: Promise<TestPki> | undefined;

/** One PKI per test process (key generation is cheap, but there is no need to repeat it). */
export function testPki(): Promise<TestPki> {
  pki ??= (async () => {
    const dir = await mkdtemp(join(tmpdir(), "kmipd-pki-"));
    const paths = await createDevPki(dir);
    const ca = await loadDevCa(dir);
    const read = async (c: string, k: string) => ({ certPem: await readFile(c, "utf8"), keyPem: await readFile(k, "utf8") });
    const day = 24 * 3600 * 1000;
    return {
      dir,
      ca,
      server: await read(paths.serverCert, paths.serverKey),
      client: await read(paths.clientCert, paths.clientKey),
      client2: await issueCertificate(ca, { commonName: "kmip-client-2", usage: "client" }),
      foreign: await issueCertificate(await createCa("some other CA"), { commonName: "kmip-client", usage: "client" }),
      selfSigned: await createSelfSigned({ commonName: "kmip-client", usage: "client" }),
      serverEkuOnly: await issueCertificate(ca, { commonName: "kmip-client", usage: "server" }),
      noEku: await issueCertificate(ca, { commonName: "no-eku-client", usage: "none" }),
      sans: await issueCertificate(ca, {
        commonName: "ignored-cn",
        usage: "client",
        dnsNames: ["array-7.example.net", "second.example.net"],
        emails: ["ops@example.net"],
        uris: ["spiffe://example.net/backup"],
      }),
      expired: await issueCertificate(ca, { commonName: "kmip-client", usage: "client", notBefore: new Date(Date.now() - 30 * day), notAfter: new Date(Date.now() - day) }),
    };
  })();
  return pki;
}

export interface LogRecord {
  level: string;
  msg: string;
  [k: string]: unknown;
}

export interface CapturedLog {
  readonly log: Logger;
  readonly lines: LogRecord[];
  /** Resolves with the first record matching (from index `from` on), waiting up to ms. */
  waitFor(pred: (r: LogRecord) => boolean, ms?: number, from?: number): Promise<LogRecord>;
}

export function captureLog(): CapturedLog {
  const lines: LogRecord[] = [];
  const log = createLogger({ level: "debug", format: "json" }, { write: (s: string) => lines.push(JSON.parse(s) as LogRecord) });
  return {
    log,
    lines,
    waitFor: (pred, ms = 3000, from = 0) => waitUntil(() => lines.slice(from).find(pred), ms, () => `no log line matched; got:\n${lines.map((l) => JSON.stringify(l)).join("\n")}`),
  };
}

export async function waitUntil<T>(f: () => T | undefined | false, ms = 3000, what: () => string = () => "condition"): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = f();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what()}`);
    await sleep(5);
  }
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export const TEST_LIMITS: ListenerLimits = {
  maxMessageSize: 64 * 1024,
  maxConnections: 50,
  maxConnectionsPerClient: 20,
  handshakeTimeoutMs: 2000,
  idleTimeoutMs: 5000,
  requestTimeoutMs: 2000,
};

export const echo: MessageHandler = async (req) => req;

export interface TestServer {
  readonly listener: KmipListener;
  readonly port: number;
  readonly logs: CapturedLog;
}

export async function startTestServer(
  o: { handler?: MessageHandler; limits?: Partial<ListenerLimits>; tls?: Partial<ListenerOptions["tls"]> } & Partial<Omit<ListenerOptions, "tls" | "limits">> = {},
): Promise<TestServer> {
  const p = await testPki();
  const logs = captureLog();
  const listener = await startListener({
    host: "127.0.0.1",
    port: 0,
    handler: o.handler ?? echo,
    log: logs.log,
    closeGraceMs: 500,
    ...o,
    tls: { cert: p.server.certPem, key: p.server.keyPem, ca: p.ca.certPem, minVersion: "TLSv1.2", identity: "cn", requireClientAuthEku: true, ...o.tls },
    limits: { ...TEST_LIMITS, ...o.limits },
  });
  return { listener, port: listener.address.port, logs };
}

/** A TLS client; resolves once the client's handshake is done (which a refused TLS 1.3 client also reaches, P18). */
export async function connectClient(port: number, pair: CertAndKey | undefined, opts: Partial<ConnectionOptions> = {}): Promise<TLSSocket> {
  const p = await testPki();
  const secureContext = createSecureContext({
    ca: p.ca.certPem,
    ...(pair ? { cert: pair.certPem, key: pair.keyPem } : {}),
    ...(opts.minVersion ? { minVersion: opts.minVersion } : {}),
    ...(opts.maxVersion ? { maxVersion: opts.maxVersion } : {}),
  });
  return new Promise((resolve, reject) => {
    const s = connect({ host: "127.0.0.1", port, servername: "localhost", secureContext, ...opts }, () => {
      s.off("error", reject);
      resolve(s);
    });
    s.once("error", reject);
    s.on("session", (t: Buffer) => sessions.set(s, t)); // TLS 1.2: during the handshake; 1.3: after it
  });
}

const sessions = new WeakMap<TLSSocket, Buffer>();

/** The last session (ticket) the server gave this client, for resumption. */
export function lastSession(s: TLSSocket): Buffer | undefined {
  return sessions.get(s);
}

/** Resolves when the socket has closed (errors such as ECONNRESET are swallowed). */
export function closed(s: { once(e: "close", f: () => void): unknown; on(e: "error", f: () => void): unknown; destroyed?: boolean; closed?: boolean }): Promise<void> {
  s.on("error", () => undefined);
  if (s.closed) return Promise.resolve();
  return new Promise((r) => s.once("close", () => r()));
}

/** A well-framed TTLV Structure carrying n as its body (the transport does not look further). */
export function message(n: number, bodyLength = 8): Buffer {
  const m = Buffer.alloc(8 + bodyLength);
  m.set([0x42, 0x00, 0x78, 0x01]);
  m.writeUInt32BE(bodyLength, 4);
  m.writeUInt32BE(n, 8);
  return m;
}

/** Reads whole messages from a client socket. */
export class Reader {
  private readonly framer = new TtlvFramer({ maxMessageSize: 16 * 1024 * 1024 });
  private readonly got: Buffer[] = [];
  private waiting: (() => void) | undefined;
  private ended = false;

  constructor(s: TLSSocket) {
    s.on("data", (c: Buffer) => {
      this.got.push(...this.framer.push(c));
      this.waiting?.();
    });
    s.on("close", () => {
      this.ended = true;
      this.waiting?.();
    });
  }

  async next(ms = 3000): Promise<Buffer> {
    const end = Date.now() + ms;
    while (this.got.length === 0) {
      if (this.ended) throw new Error("connection closed");
      if (Date.now() > end) throw new Error("no response in time");
      await new Promise<void>((r) => {
        this.waiting = r;
        setTimeout(r, 20);
      });
    }
    return this.got.shift()!;
  }
}

const readers = new WeakMap<TLSSocket, Reader>();

/** The one Reader of a socket. */
export function readerOf(s: TLSSocket): Reader {
  let r = readers.get(s);
  if (!r) readers.set(s, (r = new Reader(s)));
  return r;
}

/** Sends one message and returns the response. */
export async function roundTrip(s: TLSSocket, n: number): Promise<Buffer> {
  const r = readerOf(s);
  s.write(message(n));
  return r.next();
}
