/**
 * Login tickets (2.0/2.1 Login, Delegated Login, Logout). A ticket never changes who the caller
 * is: it is bound to the principal of the TLS client certificate that obtained it, and a request
 * presenting it is admitted only from that same principal. A ticket can only narrow what its
 * holder may do — a lifetime, a request count, and for Delegated Login the Rights (operations,
 * optionally limited to listed objects). A ticket shown by another principal is the same Invalid
 * Ticket as an unknown one, so tickets are no oracle. Tickets live in memory: a restart logs
 * everyone out. Only a SHA-256 of each ticket value is kept.
 */
import { createHash, randomBytes } from "node:crypto";
import { KmipError } from "../../messages/index.js";

/** One Right: the operations it allows, and (if given) the only objects it allows them on. */
export interface TicketRight {
  readonly operations: ReadonlySet<number>;
  readonly objects?: ReadonlySet<string>;
}

export interface TicketRequest {
  /** Seconds; 0 or absent: the registry's default. */
  readonly leaseSeconds?: number;
  /** Requests the ticket may authenticate; 0 or absent: no count limit. */
  readonly requestCount?: number;
  /** Delegated Login: what the holder may do. Absent (Login): anything the principal may do. */
  readonly rights?: readonly TicketRight[];
}

interface Entry {
  readonly principal: string;
  readonly expires: bigint;
  remaining?: number;
  readonly rights?: readonly TicketRight[];
}

export interface TicketLimits {
  /** Lifetime when the client asks for none (seconds). */
  readonly defaultLeaseSeconds: number;
  /** Longest lifetime granted, whatever the client asks. */
  readonly maxLeaseSeconds: number;
  /** Live tickets one principal may hold (bounds memory). */
  readonly maxPerPrincipal: number;
}

export const DEFAULT_TICKET_LIMITS: TicketLimits = { defaultLeaseSeconds: 3600, maxLeaseSeconds: 86_400, maxPerPrincipal: 256 };

const keyOf = (value: Uint8Array): string => createHash("sha256").update(value).digest("hex");
const invalid = (): KmipError => new KmipError("InvalidTicket", "the ticket is not valid");

export class TicketRegistry {
  private readonly tickets = new Map<string, Entry>();

  constructor(private readonly limits: TicketLimits = DEFAULT_TICKET_LIMITS) {}

  /** A new ticket value (32 random bytes) for `principal`. */
  issue(principal: string, req: TicketRequest, now: bigint): Uint8Array {
    this.prune(now);
    const held = [...this.tickets.values()].filter((e) => e.principal === principal).length;
    if (held >= this.limits.maxPerPrincipal) throw new KmipError("PermissionDenied", "too many live tickets; log out first");
    const lease = req.leaseSeconds ? Math.min(req.leaseSeconds, this.limits.maxLeaseSeconds) : this.limits.defaultLeaseSeconds;
    if (req.requestCount !== undefined && req.requestCount < 0) throw new KmipError("InvalidField", "Request Count cannot be negative");
    const value = randomBytes(32);
    this.tickets.set(keyOf(value), {
      principal,
      expires: now + BigInt(lease),
      remaining: req.requestCount ? req.requestCount : undefined,
      rights: req.rights,
    });
    return value;
  }

  /**
   * Admits one request message presenting `value`, made by `principal`, with the given batch
   * items (operation, and the Unique Identifier each names if any). Counts the request.
   */
  admit(value: Uint8Array, principal: string, items: readonly { operation: number; uid?: string }[], now: bigint): void {
    const k = keyOf(value);
    const e = this.tickets.get(k);
    if (!e || e.principal !== principal) throw invalid();
    if (e.expires <= now) {
      this.tickets.delete(k);
      throw invalid();
    }
    if (e.remaining !== undefined && e.remaining <= 0) throw new KmipError("UsageLimitExceeded", "the ticket's Request Count is used up");
    for (const it of items) {
      const allowed = !e.rights || e.rights.some((r) => r.operations.has(it.operation) && (!r.objects || (it.uid !== undefined && r.objects.has(it.uid))));
      if (!allowed) throw new KmipError("PermissionDenied", "the ticket's Rights do not allow this operation");
    }
    if (e.remaining !== undefined) e.remaining -= 1;
  }

  /** The operations a ticket allows (Query answers with these), or undefined for no restriction. */
  operationsOf(value: Uint8Array, principal: string): ReadonlySet<number> | undefined {
    const e = this.tickets.get(keyOf(value));
    if (!e || e.principal !== principal || !e.rights) return undefined;
    return new Set(e.rights.flatMap((r) => [...r.operations]));
  }

  /** Logout: ends the caller's own ticket. */
  revoke(value: Uint8Array, principal: string): void {
    const k = keyOf(value);
    const e = this.tickets.get(k);
    if (!e || e.principal !== principal) throw invalid();
    this.tickets.delete(k);
  }

  private prune(now: bigint): void {
    for (const [k, e] of this.tickets) if (e.expires <= now) this.tickets.delete(k);
  }
}
