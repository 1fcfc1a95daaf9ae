/**
 * Login tickets at the door (2.0/2.1 Login, Delegated Login): a request whose header carries a
 * Ticket credential is admitted through the TicketRegistry before any batch item runs. The TLS
 * principal stays the caller's identity; the ticket can only refuse the request (unknown,
 * another principal's, expired, Request Count used up, outside its Rights) or narrow what Query
 * reports. A request without a ticket is not affected.
 */
import { Tag } from "../kmip/index.js";
import { KmipError, type RequestMessage } from "../messages/index.js";
import type { TicketRegistry } from "../operations/login/tickets.js";

export interface TicketGate {
  /** Operations Query reports under a Delegated Login ticket; undefined: no narrowing. */
  readonly operations?: readonly number[];
}

/** Admits the request's ticket (if any), counting the request; a refusal is a KmipError to answer for the whole message. */
export function admitTicket(tickets: TicketRegistry, req: RequestMessage, principal: string, now: bigint, routed: readonly number[]): TicketGate | KmipError {
  const value = req.header.ticket;
  if (!value) return {};
  const items = req.items.map((i) => ({ operation: i.operation, uid: i.payload?.optText(Tag.UniqueIdentifier) }));
  try {
    tickets.admit(value, principal, items, now);
  } catch (e) {
    if (e instanceof KmipError) return e;
    throw e;
  }
  const allowed = tickets.operationsOf(value, principal);
  return allowed ? { operations: routed.filter((op) => allowed.has(op)) } : {};
}
