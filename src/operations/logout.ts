/** Logout (2.0/2.1 §6.1.31): ends one of the caller's tickets. */
import { Tag } from "../kmip/index.js";
import type { OperationHandler } from "./context.js";
import type { TicketRegistry } from "./login/tickets.js";

export const logout =
  (tickets: TicketRegistry): OperationHandler =>
  async (p, ctx) => {
    tickets.revoke(p.struct(Tag.Ticket).bytes(Tag.TicketValue), ctx.principal);
    return [];
  };
