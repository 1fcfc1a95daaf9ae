/**
 * Login (2.0/2.1 §6.1.30): a ticket for later requests of the same principal, with an optional
 * lifetime (Lease Time) and Request Count. See login/tickets.ts for what a ticket may and may
 * not do. The executor admits a ticket presented in a request header (server/ticket-gate.ts).
 */
import { Enums, Tag } from "../kmip/index.js";
import { KmipError, type StructReader } from "../messages/index.js";
import { bytes, enumeration, struct, type TtlvNode } from "../ttlv/index.js";
import type { OperationHandler } from "./context.js";
import type { TicketRegistry, TicketRequest } from "./login/tickets.js";

/** Lease Time and Request Count of a Login or Delegated Login request. */
export function ticketTerms(p: StructReader): TicketRequest {
  if (p.has(Tag.UsageLimits)) throw new KmipError("FeatureNotSupported", "Usage Limits on tickets are not supported");
  return { leaseSeconds: p.optInterval(Tag.LeaseTime), requestCount: p.optInt(Tag.RequestCount) };
}

export const ticketNode = (value: Uint8Array): TtlvNode =>
  struct(Tag.Ticket, [enumeration(Tag.TicketType, Enums.TicketType.Login), bytes(Tag.TicketValue, value)]);

export const login =
  (tickets: TicketRegistry): OperationHandler =>
  async (p, ctx) => [ticketNode(tickets.issue(ctx.principal, ticketTerms(p), ctx.now()))];
