/** The transport's counters, kept for /metrics (a later issue) and for tests. */

/** Why a connection was refused or cut; each is a counter. */
export type RejectReason =
  | "max_connections" // over limits.max_connections (closed at accept, before TLS)
  | "max_connections_per_client" // over limits.max_connections_per_client (closed after the handshake)
  | "tls_handshake" // handshake failed or timed out
  | "unauthenticated" // no certificate, or one that does not chain to the CA
  | "client_auth_eku" // EKU present without clientAuth
  | "no_identity" // no CN / SAN of the configured kind
  | "stopping"; // handshake completed while the listener was closing

/** Why an established connection was closed by the server. */
export type CloseReason = "framing_error" | "idle_timeout" | "request_timeout" | "handler_error" | "shutdown";

export interface ListenerCounters {
  /** TCP connections open now, TLS handshakes in progress included. */
  connectionsOpen: number;
  /** Established (authenticated) connections open now. */
  connectionsEstablished: number;
  /** TCP connections accepted since start (those closed at once for max_connections included). */
  connectionsTotal: number;
  /** Connections refused, in total and by reason. */
  connectionsRejected: number;
  rejectedByReason: Record<RejectReason, number>;
  /** Established connections the server closed, by reason (a client closing is not counted). */
  closedByReason: Record<CloseReason, number>;
  /** Complete request messages received. */
  requestsTotal: number;
  /** Received and not yet answered. */
  requestsInFlight: number;
  /** Requests whose handler rejected or timed out. */
  requestsFailed: number;
}

export function newCounters(): ListenerCounters {
  return {
    connectionsOpen: 0,
    connectionsEstablished: 0,
    connectionsTotal: 0,
    connectionsRejected: 0,
    rejectedByReason: { max_connections: 0, max_connections_per_client: 0, tls_handshake: 0, unauthenticated: 0, client_auth_eku: 0, no_identity: 0, stopping: 0 },
    closedByReason: { framing_error: 0, idle_timeout: 0, request_timeout: 0, handler_error: 0, shutdown: 0 },
    requestsTotal: 0,
    requestsInFlight: 0,
    requestsFailed: 0,
  };
}

export function snapshot(c: ListenerCounters): ListenerCounters {
  return { ...c, rejectedByReason: { ...c.rejectedByReason }, closedByReason: { ...c.closedByReason } };
}
