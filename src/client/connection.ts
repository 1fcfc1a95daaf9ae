/**
 * One mutual-TLS connection to a KMIP server: send a request message, get its response. Requests
 * may be pipelined; responses are matched to requests in order, as KMIP servers answer them.
 */
import { checkServerIdentity, connect, type ConnectionOptions, type TLSSocket } from "node:tls";
import { DEFAULT_LIMITS, TtlvFramer, decodeTtlv, encodeTtlv, type StructureNode, type TtlvNode } from "../ttlv/index.js";

export interface ConnectOptions {
  readonly host: string;
  readonly port: number;
  /** PEM client certificate (leaf, then intermediates), its key, and the CA that signed the server. */
  readonly cert: string | Buffer;
  readonly key: string | Buffer;
  readonly ca: string | Buffer;
  /** Name to verify the server certificate against (default: host). */
  readonly servername?: string;
  /** Default for both limits below (handshake 10 s, response 30 s when nothing is given). */
  readonly timeoutMs?: number;
  readonly connectTimeoutMs?: number;
  readonly responseTimeoutMs?: number;
  readonly maxMessageSize?: number;
}

interface Pending {
  resolve(b: Buffer): void;
  reject(e: Error): void;
}

export class KmipConnection {
  private readonly pending: Pending[] = [];
  private readonly framer: TtlvFramer;
  private closed_: Error | undefined;

  private constructor(
    private readonly socket: TLSSocket,
    private readonly opts: ConnectOptions,
  ) {
    this.framer = new TtlvFramer({ maxMessageSize: opts.maxMessageSize ?? 16 * DEFAULT_LIMITS.maxMessageSize });
    socket.on("data", (chunk: Buffer) => this.onData(chunk));
    socket.on("error", (e) => this.fail(e));
    socket.on("close", () => this.fail(new Error("connection closed by the server")));
  }

  static connect(opts: ConnectOptions): Promise<KmipConnection> {
    const tlsOpts: ConnectionOptions = {
      host: opts.host,
      port: opts.port,
      cert: opts.cert,
      key: opts.key,
      ca: opts.ca,
      ...sniAndIdentity(opts),
      minVersion: "TLSv1.2",
    };
    return new Promise((resolve, reject) => {
      const socket = connect(tlsOpts);
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new Error(`TLS handshake with ${opts.host}:${opts.port} timed out`));
      }, opts.connectTimeoutMs ?? opts.timeoutMs ?? 10_000);
      socket.once("secureConnect", () => {
        clearTimeout(timer);
        socket.setNoDelay(true);
        resolve(new KmipConnection(socket, opts));
      });
      socket.once("error", (e) => {
        clearTimeout(timer);
        reject(e);
      });
    });
  }

  /** Sends one request message and resolves with the response message. */
  send(request: TtlvNode): Promise<StructureNode> {
    return this.sendBytes(encodeTtlv(request)).then((b) => decodeTtlv(b, { maxMessageSize: b.length }) as StructureNode);
  }

  /** Raw form, for tools that build or check bytes themselves. */
  sendBytes(request: Uint8Array): Promise<Buffer> {
    if (this.closed_) return Promise.reject(this.closed_);
    return new Promise<Buffer>((resolve, reject) => {
      const timer = setTimeout(() => this.fail(new Error("no response within the timeout")), this.opts.responseTimeoutMs ?? this.opts.timeoutMs ?? 30_000);
      this.pending.push({
        resolve: (b) => (clearTimeout(timer), resolve(b)),
        reject: (e) => (clearTimeout(timer), reject(e)),
      });
      this.socket.write(request);
    });
  }

  /** True once the connection has failed or been closed; send() then rejects. */
  get closed(): boolean {
    return this.closed_ !== undefined;
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      if (this.socket.destroyed) return resolve();
      this.socket.once("close", () => resolve());
      this.socket.end();
      setTimeout(() => this.socket.destroy(), 1000).unref();
    });
  }

  private onData(chunk: Buffer): void {
    let messages: Buffer[];
    try {
      messages = this.framer.push(chunk);
    } catch (e) {
      this.fail(e instanceof Error ? e : new Error(String(e)));
      this.socket.destroy();
      return;
    }
    for (const m of messages) {
      const p = this.pending.shift();
      if (!p) return this.fail(new Error("a response arrived with no request waiting"));
      p.resolve(m);
    }
  }

  private fail(e: Error): void {
    this.closed_ ??= e;
    for (const p of this.pending.splice(0)) p.reject(e);
  }
}

const isIp = (h: string): boolean => /^[\d.]+$/.test(h) || h.includes(":");

/** SNI only for names (RFC 6066 forbids IP literals); the server identity checked against `servername` when given. */
function sniAndIdentity(o: ConnectOptions): Pick<ConnectionOptions, "servername" | "checkServerIdentity"> {
  const name = o.servername ?? o.host;
  const sni = isIp(name) ? {} : { servername: name };
  if (o.servername === undefined) return sni;
  const expected = o.servername;
  return { ...sni, checkServerIdentity: (_host, cert) => checkServerIdentity(expected, cert) };
}
