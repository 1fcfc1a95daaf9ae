/**
 * A minimal KMIP-over-TLS connection for the conformance runner: mutual TLS (node:tls), TTLV bytes
 * out, exactly one framed TTLV message back per request. No KMIP knowledge beyond framing, so it
 * works against any server (KMIP Spec 1.4 §8 / 2.1 §9: TTLV over TLS, default port 5696).
 */
import { checkServerIdentity, connect, type TLSSocket } from "node:tls";
import { readFileSync } from "node:fs";
import { TtlvFramer } from "../src/ttlv/index.js";

export interface TlsEndpoint {
  readonly host: string;
  readonly port: number;
  /** Client certificate chain, private key and the CA that signed the server's certificate (PEM). */
  readonly cert: string | Buffer;
  readonly key: string | Buffer;
  readonly ca: string | Buffer;
  /** Name checked against the server certificate (default: host). */
  readonly servername?: string;
  /** Connect + handshake limit (default 10 s). */
  readonly connectTimeoutMs?: number;
  /** Limit for one response (default 30 s). */
  readonly responseTimeoutMs?: number;
  /** Largest response accepted (default 16 MiB). */
  readonly maxMessageSize?: number;
}

/** PEM files named on a command line. */
export function endpointFromFiles(host: string, port: number, files: { cert: string; key: string; ca: string }, extra: Partial<TlsEndpoint> = {}): TlsEndpoint {
  return { host, port, cert: readFileSync(files.cert), key: readFileSync(files.key), ca: readFileSync(files.ca), ...extra };
}

export class TransportError extends Error {
  override readonly name = "TransportError";
}

interface Waiter {
  resolve(msg: Buffer): void;
  reject(e: Error): void;
}

/** One TLS connection; requests are answered strictly in order (KMIP has no pipelining ids). */
export class KmipConnection {
  private readonly framer: TtlvFramer;
  private readonly inbox: Buffer[] = [];
  private waiter: Waiter | undefined;
  private closedWith: Error | undefined;

  private constructor(
    private readonly socket: TLSSocket,
    private readonly endpoint: TlsEndpoint,
  ) {
    this.framer = new TtlvFramer({ maxMessageSize: endpoint.maxMessageSize ?? 16 * 1024 * 1024 });
    socket.on("data", (chunk: Buffer) => {
      let msgs: Buffer[];
      try {
        msgs = this.framer.push(chunk);
      } catch (e) {
        this.fail(new TransportError(`response framing: ${(e as Error).message}`));
        socket.destroy();
        return;
      }
      for (const m of msgs) this.deliver(m);
    });
    socket.on("error", (e) => this.fail(new TransportError(`connection error: ${e.message}`)));
    socket.on("close", () => this.fail(new TransportError("the server closed the connection")));
  }

  /** Opens the connection and completes the TLS handshake (server certificate verified against `ca`). */
  static open(endpoint: TlsEndpoint): Promise<KmipConnection> {
    return new Promise((resolve, reject) => {
      const socket = connect({
        host: endpoint.host,
        port: endpoint.port,
        cert: endpoint.cert,
        key: endpoint.key,
        ca: endpoint.ca,
        ...sniAndIdentity(endpoint),
        rejectUnauthorized: true,
      });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new TransportError(`TLS connect to ${endpoint.host}:${endpoint.port} timed out`));
      }, endpoint.connectTimeoutMs ?? 10_000);
      const onError = (e: Error): void => {
        clearTimeout(timer);
        reject(new TransportError(`TLS connect to ${endpoint.host}:${endpoint.port}: ${e.message}`));
      };
      socket.once("error", onError);
      socket.once("secureConnect", () => {
        clearTimeout(timer);
        socket.off("error", onError);
        resolve(new KmipConnection(socket, endpoint));
      });
    });
  }

  get closed(): boolean {
    return this.closedWith !== undefined;
  }

  /** Sends one TTLV message and resolves with exactly one TTLV message from the server. */
  roundTrip(request: Uint8Array, timeoutMs = this.endpoint.responseTimeoutMs ?? 30_000): Promise<Buffer> {
    if (this.waiter) return Promise.reject(new TransportError("a request is already in flight"));
    if (this.inbox.length > 0) return Promise.reject(new TransportError("the server sent a message nobody asked for"));
    if (this.closedWith) return Promise.reject(this.closedWith);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiter = undefined;
        reject(new TransportError(`no response within ${timeoutMs} ms`));
        this.socket.destroy();
      }, timeoutMs);
      this.waiter = {
        resolve: (m) => {
          clearTimeout(timer);
          resolve(m);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      };
      this.socket.write(request);
    });
  }

  close(): void {
    this.closedWith ??= new TransportError("connection closed by the client");
    this.socket.end();
    this.socket.destroy();
  }

  private deliver(m: Buffer): void {
    const w = this.waiter;
    if (w) {
      this.waiter = undefined;
      w.resolve(m);
    } else {
      this.inbox.push(m);
    }
  }

  private fail(e: Error): void {
    this.closedWith ??= e;
    const w = this.waiter;
    this.waiter = undefined;
    w?.reject(e);
  }
}

/**
 * A request/response function over one connection, opened on first use and opened again if the
 * server has closed it since (some servers close after an error response or an idle timeout).
 */
export function connectionSender(endpoint: TlsEndpoint): { send: (req: Uint8Array) => Promise<Uint8Array>; close: () => void } {
  let conn: KmipConnection | undefined;
  return {
    send: async (req) => {
      if (!conn || conn.closed) conn = await KmipConnection.open(endpoint);
      return conn.roundTrip(req);
    },
    close: () => conn?.close(),
  };
}

const isIp = (h: string): boolean => /^[\d.]+$/.test(h) || h.includes(":");

/** SNI only for names (RFC 6066 forbids IP literals); identity checked against `servername` when given. */
function sniAndIdentity(e: TlsEndpoint): { servername?: string; checkServerIdentity?: typeof checkServerIdentity } {
  const name = e.servername ?? e.host;
  const sni = isIp(name) ? {} : { servername: name };
  if (e.servername === undefined) return sni;
  const expected = e.servername;
  return { ...sni, checkServerIdentity: (_host, cert) => checkServerIdentity(expected, cert) };
}
