/**
 * The conformance runner's transport: TTLV bytes over mutual TLS to any KMIP server, through the
 * project's client connection (src/client), with a reconnect when the server has closed it.
 */
import { readFileSync } from "node:fs";
import { KmipConnection, type ConnectOptions } from "../src/client/index.js";

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
