/**
 * The conformance runner's transport: TTLV bytes over mutual TLS to any KMIP server, through the
 * project's client connection (src/client), with a reconnect when the server has closed it; and,
 * for the message-encoding profiles, KMIP over HTTPS with TTLV, XML or JSON bodies.
 */
import { readFileSync } from "node:fs";
import { Agent, request } from "node:https";
import { KmipConnection, type ConnectOptions } from "../src/client/index.js";
import { jsonToNode, nodeToJson, nodeToXml, xmlToNodes } from "../src/encodings/index.js";
import { decodeTtlv, encodeTtlv } from "../src/ttlv/index.js";

/** Where and how to connect: host, port, PEM client chain/key and the server's CA, limits. */
export type TlsEndpoint = ConnectOptions;

/** PEM files named on a command line. */
export function endpointFromFiles(host: string, port: number, files: { cert: string; key: string; ca: string }, extra: Partial<TlsEndpoint> = {}): TlsEndpoint {
  return { host, port, cert: readFileSync(files.cert), key: readFileSync(files.key), ca: readFileSync(files.ca), ...extra };
}

/** Opens and closes one connection: is the server there, and does it accept our certificate? */
export async function checkReachable(endpoint: TlsEndpoint): Promise<void> {
  await (await KmipConnection.connect(endpoint)).close();
}

/**
 * A request/response function over one connection, opened on first use and opened again if the
 * server has closed it since (some servers close after an error response or an idle timeout).
 */
export function connectionSender(endpoint: TlsEndpoint): { send: (req: Uint8Array) => Promise<Uint8Array>; close: () => void } {
  let conn: KmipConnection | undefined;
  return {
    send: async (req) => {
      if (!conn || conn.closed) conn = await KmipConnection.connect(endpoint);
      return conn.sendBytes(req);
    },
    close: () => void conn?.close(),
  };
}

/** How a MSGENC case travels: KMIP over HTTPS with a TTLV, XML or JSON body (Additional Message Encodings 1.0). */
export type HttpsEncoding = "ttlv" | "xml" | "json";

/** The encoding a profile family's cases are meant to be carried in over HTTPS (FORMAT.md §4.1). */
export const HTTPS_FAMILIES: Readonly<Record<string, HttpsEncoding>> = { "MSGENC-HTTPS": "ttlv", "MSGENC-XML": "xml", "MSGENC-JSON": "json" };

const MEDIA: Record<HttpsEncoding, string> = { ttlv: "application/octet-stream", xml: "text/xml", json: "application/json" };

/**
 * A request/response function that POSTs each TTLV request to `path` over HTTPS in `encoding`
 * and hands back the answer as TTLV bytes (so the runner compares it like any other). A non-200
 * status, or a Content-Type that is not the request's, is an error.
 */
export function httpsSender(endpoint: TlsEndpoint, encoding: HttpsEncoding, path = "/kmip"): { send: (req: Uint8Array) => Promise<Uint8Array>; close: () => void } {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const toBody = (ttlv: Uint8Array): Buffer =>
    encoding === "ttlv" ? Buffer.from(ttlv) : encoding === "xml" ? Buffer.from(nodeToXml(decodeTtlv(ttlv)), "utf8") : Buffer.from(JSON.stringify(nodeToJson(decodeTtlv(ttlv))), "utf8");
  const fromBody = (body: Buffer): Uint8Array => {
    if (encoding === "ttlv") return body;
    const node = encoding === "xml" ? xmlToNodes(body.toString("utf8")).messages[0] : jsonToNode(body.toString("utf8"));
    if (!node) throw new Error("the HTTPS response body holds no message");
    return encodeTtlv(node);
  };
  return {
    send: (req) =>
      new Promise((resolve, reject) => {
        const body = toBody(req);
        const r = request(
          {
            host: endpoint.host, port: endpoint.port, servername: endpoint.servername ?? endpoint.host, cert: endpoint.cert, key: endpoint.key, ca: endpoint.ca,
            agent, method: "POST", path, headers: { "Content-Type": MEDIA[encoding], "Content-Length": body.length, "Cache-Control": "no-cache" },
          },
          (res) => {
            const chunks: Buffer[] = [];
            res.on("data", (c: Buffer) => chunks.push(c));
            res.on("end", () => {
              const type = (res.headers["content-type"] ?? "").split(";")[0]!.trim();
              if (res.statusCode !== 200) return reject(new Error(`HTTP ${res.statusCode}: ${Buffer.concat(chunks).toString("utf8").slice(0, 200)}`));
              if (type !== MEDIA[encoding]) return reject(new Error(`HTTP response Content-Type ${type}, expected ${MEDIA[encoding]}`));
              try {
                resolve(fromBody(Buffer.concat(chunks)));
              } catch (e) {
                reject(e instanceof Error ? e : new Error(String(e)));
              }
            });
          },
        );
        r.on("error", reject);
        r.end(body);
      }),
    close: () => agent.destroy(),
  };
}

/** The sender for one case file: HTTPS in its encoding for MSGENC families when `https` is on, else TTLV over TLS. */
export function senderFor(family: string, endpoint: TlsEndpoint, https: boolean): { send: (req: Uint8Array) => Promise<Uint8Array>; close: () => void } {
  const enc = HTTPS_FAMILIES[family];
  return https && enc ? httpsSender(endpoint, enc) : connectionSender(endpoint);
}
