/**
 * Delegated Login (2.0/2.1 §6.1.12): a ticket limited to the Rights listed — each Right names
 * Operations and, optionally, the Objects (Unique Identifiers) they may touch. The ticket stays
 * bound to the caller's own principal: "delegation" narrows what a request made with it may do,
 * it never lets another principal act as the caller. Right fields kmipd cannot enforce (Usage
 * Limits, Attributes) are refused rather than ignored.
 */
import { Tag } from "../kmip/index.js";
import { KmipError } from "../messages/index.js";
import { ItemType } from "../ttlv/index.js";
import type { OperationHandler } from "./context.js";
import { ticketNode, ticketTerms } from "./login.js";
import type { TicketRegistry, TicketRight } from "./login/tickets.js";

export const delegatedLogin =
  (tickets: TicketRegistry): OperationHandler =>
  async (p, ctx) => {
    const rights: TicketRight[] = p.struct(Tag.Rights).structs(Tag.Right).map((r) => {
      if (r.children.some((c) => c.tag !== Tag.Operations && c.tag !== Tag.Objects)) {
        throw new KmipError("FeatureNotSupported", "a Right may name Operations and Objects only");
      }
      const ops = r.optStruct(Tag.Operations)?.all(Tag.Operation).map((n) => (n.type === ItemType.Enumeration ? n.value : -1)) ?? [];
      if (ops.length === 0 || ops.includes(-1)) throw new KmipError("InvalidField", "a Right must list its Operations");
      const objs = r.optStruct(Tag.Objects)?.all(Tag.UniqueIdentifier).map((n) => (n.type === ItemType.TextString ? n.value : ""));
      return { operations: new Set(ops), objects: objs ? new Set(objs) : undefined };
    });
    if (rights.length === 0) throw new KmipError("InvalidField", "Delegated Login needs at least one Right");
    return [ticketNode(tickets.issue(ctx.principal, { ...ticketTerms(p), rights }, ctx.now()))];
  };
