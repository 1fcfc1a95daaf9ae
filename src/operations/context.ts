/**
 * What an operation handler gets: who is asking, in which protocol version, the clock, the object
 * repository, and the batch-scoped ID Placeholder. Request state travels here, never on a shared
 * engine object.
 */
import type { KmipVersion } from "../kmip/index.js";
import type { StructReader } from "../messages/index.js";
import type { TtlvNode } from "../ttlv/index.js";
import type { ServerRng } from "./crypto/hmac-drbg.js";
import type { TicketRegistry } from "./login/tickets.js";
import type { PendingOperations } from "./pending.js";
import type { Tenant } from "../auth/types.js";
import type { TenantObjects } from "./repository.js";
import type { ConstraintStore } from "./constraints.js";
import type { Pkcs11Contexts } from "./pkcs11/contexts.js";

export interface OperationContext {
  /** Who is asking (from the certificate): for streams, tickets and pending operations. */
  readonly principal: string;
  /** The principal's account, domain, zone and role; objects belong to the account. */
  readonly tenant: Tenant;
  readonly version: KmipVersion;
  /** Current time, POSIX seconds. */
  readonly now: () => bigint;
  /** The tenant's objects: every read and write is scoped to tenant.account. */
  readonly objects: TenantObjects;
  /** The Unique Identifier of the last object a batch item created or found (KMIP §ID Placeholder). */
  idPlaceholder?: string;
  /** A Locate in this batch found no single object: an item relying on the placeholder names nothing. */
  placeholderCleared?: boolean;
  /** Operations answered Operation Pending, waiting for Poll or Cancel. */
  readonly pending: PendingOperations;
  /** Set by Poll: the batch item answers as this operation (the one that was pending). */
  replyAs?: number;
  /** Login tickets of this server (Login, Delegated Login, Logout). */
  readonly tickets?: TicketRegistry;
  /** Operations this server routes (for Query). */
  readonly operations: readonly number[];
  /** Each account's constraints on its new objects (Set/Get Constraints); absent: not kept here. */
  readonly constraints?: ConstraintStore;
  /** Settings operations need. */
  readonly settings: OperationSettings;
  /** The server's HMAC_DRBG: RNG Retrieve draws from it, RNG Seed feeds it (one per executor). */
  readonly rng: ServerRng;
  /** PKCS#11 contexts opened by C_Initialize (the PKCS#11 operation), per server. */
  readonly pkcs11: Pkcs11Contexts;
}

export interface OperationSettings {
  /** Size of generated symmetric keys when the client names none (kms.dek.size.bits). */
  readonly defaultKeyBits: number;
  /** Most Unique Identifiers one Locate returns when the client sets no Maximum Items. */
  readonly maxLocateItems: number;
  readonly vendorIdentification: string;
  readonly serverVersion: string;
  /** The longest lease Obtain Lease grants, and every key object's Lease Time (kms.lease_time_sec). */
  readonly leaseTimeSec: number;
  /** Locate creates a fresh member for a group that has none (kms.locate_creates_fresh). */
  readonly locateCreatesFresh?: boolean;
  /** Attributes an unfiltered Get Attributes leaves out (see compat.complete_get_attributes). */
  readonly quietAttributes: ReadonlySet<string>;
  /** RNG Seed policy (kms.rng_seed, kms.rng_seed_max_bytes). */
  readonly rngSeed: RngSeedSettings;
}

export interface RngSeedSettings {
  /** "accept": mix the seed into the RNG Retrieve DRBG; "deny": Permission Denied. */
  readonly policy: "accept" | "deny";
  /** The most seed bytes one request uses; the rest are ignored (0: the seed is accepted and not used). */
  readonly maxBytes: number;
}

/** Reads the request payload and returns the children of the response payload. */
export type OperationHandler = (payload: StructReader, ctx: OperationContext) => Promise<TtlvNode[]>;
