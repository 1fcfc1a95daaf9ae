/**
 * The seam between the transport (listener, connections) and the KMIP engine (batch executor):
 * the transport hands over one whole request message and sends back the bytes it is given.
 */

/** Who is asking and from where — taken from the TLS session, never from request fields. */
export interface RequestContext {
  /** Client identity from its verified certificate (subject CN by default, a SAN by setting). */
  readonly principal: string;
  /** Remote address and port, for logs and audit. */
  readonly peer: string;
  /** Connection number, unique for the process lifetime, for logs. */
  readonly connectionId: number;
}

/**
 * Answers one request message. Must always resolve with a response message (errors become KMIP
 * error responses); rejects only if no KMIP response can be formed at all (the connection is then
 * closed).
 */
export type MessageHandler = (request: Buffer, ctx: RequestContext) => Promise<Buffer>;
