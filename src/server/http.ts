/**
 * KMIP over HTTPS (Additional Message Encodings 1.0 §2): on the KMIP port, after the same mutual
 * TLS handshake and identity check, a connection whose first bytes are an HTTP request line is
 * handed to an HTTP/1.1 parser instead of the TTLV framer (§2.2 allows one port for both).
 * `POST <server.https_path>` with a body of TTLV (application/octet-stream), KMIP XML (text/xml)
 * or KMIP JSON (application/json); the answer is HTTP 200 in the same encoding, with
 * Content-Length and Cache-Control: no-cache (§2.5). The body goes through the same
 * MessageHandler as a TTLV connection: one engine, one set of limits.
 *
 * What HTTP itself refuses: another method (405), another path (404), another content type
 * (415), a body over limits.max_message_size (413), a body that is not a KMIP message in its
 * encoding (400). Message bytes are never logged.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { Socket } from "node:net";
import { jsonToNode, nodeToJson, nodeToXml, xmlToNodes } from "../encodings/index.js";
import { decodeTtlv, encodeTtlv, type TtlvNode } from "../ttlv/index.js";
import type { MessageHandler, RequestContext } from "./handler.js";
import type { Logger } from "./log.js";

export interface HttpKmipOptions {
  readonly handler: MessageHandler;
  /** The request URI KMIP is served at (§2.3 recommends /kmip). */
  readonly path: string;
  readonly maxMessageSize: number;
  readonly requestTimeoutMs: number;
  readonly idleTimeoutMs: number;
  readonly log: Logger;
}

/** The three encodings, by media type: how a body becomes TTLV bytes and back. */
const ENCODINGS: Record<string, { toTtlv: (body: Buffer) => Buffer; fromTtlv: (ttlv: Buffer) => Buffer }> = {
  "application/octet-stream": { toTtlv: (b) => b, fromTtlv: (t) => t },
  "text/xml": {
    toTtlv: (b) => Buffer.from(encodeTtlv(single(xmlToNodes(b.toString("utf8")).messages))),
    fromTtlv: (t) => Buffer.from(nodeToXml(decodeTtlv(t)), "utf8"),
  },
  "application/json": {
    toTtlv: (b) => Buffer.from(encodeTtlv(jsonToNode(b.toString("utf8")))),
    fromTtlv: (t) => Buffer.from(JSON.stringify(nodeToJson(decodeTtlv(t))), "utf8"),
  },
};

function single(nodes: readonly TtlvNode[]): TtlvNode {
  if (nodes.length !== 1) throw new Error("the body must hold exactly one message");
  return nodes[0]!;
}

/** Does a connection's first chunk start an HTTP request (rather than a TTLV message, 0x42…)? */
export function looksLikeHttp(first: Buffer): boolean {
  return /^(POST|GET|PUT|HEAD|DELETE|OPTIONS|PATCH|CONNECT|TRACE) /.test(first.subarray(0, 8).toString("latin1"));
}

export class HttpKmip {
  private readonly server: Server;
  private readonly contexts = new WeakMap<Socket, RequestContext>();

  constructor(private readonly opts: HttpKmipOptions) {
    this.server = createServer(
      {
        maxHeaderSize: 16 * 1024,
        requestTimeout: opts.requestTimeoutMs,
        headersTimeout: Math.min(opts.requestTimeoutMs, 30_000),
        keepAliveTimeout: opts.idleTimeoutMs,
      },
      (req, res) => void this.onRequest(req, res),
    );
    this.server.on("clientError", (_e, s: Socket) => s.destroy());
  }

  /** Takes over an authenticated TLS socket whose first chunk (already read) is `first`. */
  adopt(socket: Socket, first: Buffer, ctx: RequestContext): void {
    this.contexts.set(socket, ctx);
    socket.unshift(first);
    this.server.emit("connection", socket);
  }

  /** Ends idle keep-alive connections (a graceful stop); active requests finish first. */
  closeIdle(): void {
    this.server.closeIdleConnections();
  }

  private async onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const ctx = this.contexts.get(req.socket);
    if (!ctx) return void res.socket?.destroy();
    const log = this.opts.log.child({ conn: ctx.connectionId, principal: ctx.principal, transport: "https" });
    if (req.method !== "POST") return this.refuse(res, 405, "use POST", { Allow: "POST" });
    if ((req.url ?? "").split("?")[0] !== this.opts.path) return this.refuse(res, 404, `KMIP is served at ${this.opts.path}`);
    const mediaType = (req.headers["content-type"] ?? "").split(";")[0]!.trim().toLowerCase();
    const encoding = ENCODINGS[mediaType];
    if (!encoding) return this.refuse(res, 415, "Content-Type must be application/octet-stream, text/xml or application/json");
    const declared = Number(req.headers["content-length"] ?? NaN);
    if (declared > this.opts.maxMessageSize) return this.refuse(res, 413, "message too large", {}, true);
    const body = await this.readBody(req);
    if (!body) return this.refuse(res, 413, "message too large", {}, true);
    let request: Buffer;
    try {
      request = encoding.toTtlv(body);
    } catch (e) {
      log.warn({ mediaType, detail: e instanceof Error ? e.message : String(e) }, "malformed KMIP message over HTTPS");
      return this.refuse(res, 400, "the body is not a KMIP message in its Content-Type's encoding", {}, true);
    }
    let answer: Buffer;
    try {
      answer = encoding.fromTtlv(await this.opts.handler(request, ctx));
    } catch (e) {
      // the handler could form no KMIP response: as on a TTLV connection, the connection ends
      log.warn({ detail: e instanceof Error ? e.message : String(e) }, "no KMIP response could be formed; closing");
      return void res.socket?.destroy();
    }
    res.writeHead(200, { "Content-Type": mediaType, "Content-Length": answer.length, "Cache-Control": "no-cache" });
    res.end(answer);
  }

  /** The whole body, or undefined once it passes the message size limit (then stop reading). */
  private readBody(req: IncomingMessage): Promise<Buffer | undefined> {
    return new Promise((resolve) => {
      const chunks: Buffer[] = [];
      let size = 0;
      req.on("data", (c: Buffer) => {
        size += c.length;
        if (size > this.opts.maxMessageSize) {
          req.pause();
          resolve(undefined);
        } else chunks.push(c);
      });
      req.on("end", () => resolve(Buffer.concat(chunks)));
      req.on("error", () => resolve(undefined));
    });
  }

  private refuse(res: ServerResponse, status: number, text: string, headers: Record<string, string> = {}, close = false): void {
    const body = Buffer.from(text + "\n", "utf8");
    res.writeHead(status, { "Content-Type": "text/plain; charset=utf-8", "Content-Length": body.length, "Cache-Control": "no-cache", ...(close ? { Connection: "close" } : {}), ...headers });
    res.end(body);
  }
}
