/**
 * What the admin API (docs/ADMIN.md) is built against: the tenancy and KMS contracts
 * (src/auth/types.ts, src/kms/types.ts), plus two small interfaces of its own that the engine
 * provides — object inspection and health. Every service is optional: one that this build or
 * this engine does not provide answers 503 "unavailable" instead of the server failing to start.
 */
import type { AuditLog } from "../../audit/index.js";
import type { Directory } from "../../auth/types.js";
import type { HsmProfiles, KmsKeys } from "../../kms/types.js";
import type { JobStatus } from "../../rewrap/index.js";

/** One managed object as an admin sees it: metadata only, never key bytes. */
export interface ObjectView {
  readonly id: string;
  /** KMIP Object Type name, e.g. "SymmetricKey". */
  readonly objectType: string;
  /** KMIP State name, e.g. "Active". */
  readonly state: string;
  readonly ownerAccount: string;
  /** The KEK that wraps its material, if it has any. */
  readonly kek?: { readonly id: string; readonly name?: string; readonly version: number };
  /** KMIP dates as ISO 8601 strings, by attribute name ("Initial Date", "Activation Date", …). */
  readonly dates: Readonly<Record<string, string>>;
}

/**
 * Reads one object's metadata by Unique Identifier, across accounts (the admin API checks the
 * caller may see `ownerAccount`). Implemented over the object repository by the engine.
 */
export interface ObjectInspector {
  /** undefined when no object has that id. */
  inspect(id: string): Promise<ObjectView | undefined>;
}

export type ProbeState = "ok" | "unavailable";

/** A dependency /healthz reports on (the store, each key provider). */
export interface HealthProbe {
  readonly name: string;
  /** Resolves "unavailable" (never rejects) when the dependency cannot serve. */
  check(): Promise<ProbeState>;
  /** Whether "unavailable" makes the whole server unhealthy (the store) or is only reported (one HSM). */
  readonly critical: boolean;
}

export interface AdminServices {
  readonly directory?: Directory;
  readonly profiles?: HsmProfiles;
  readonly keys?: KmsKeys;
  readonly objects?: ObjectInspector;
  readonly audit?: AuditLog;
  readonly rewrap?: RewrapAdmin;
}

/** Rotation and rewrap jobs (src/rewrap/): what the admin API drives. */
export interface RewrapAdmin {
  rotate(name: string, account?: string): Promise<JobStatus>;
  /** A job moving legacy ("db-kek") objects of some accounts, or some uids, under a KMS key; with `zone`, the key must be of that zone. */
  migrate(o: { toKey: string; account?: string; owners?: readonly string[]; ids?: readonly string[]; zone?: string }): Promise<JobStatus>;
  status(): JobStatus[];
  /** Starts, in the background, passes back to back until every job is done or nothing more can move now. */
  startDrain(): void;
  /** Whether that drain runs, and whether the last one ended with every job done. */
  drainState(): { running: boolean; complete?: boolean };
}

/** Refusals of the admin API itself (the services throw TenancyError / KmsError). */
export class AdminError extends Error {
  override readonly name = "AdminError";
  constructor(
    readonly status: 400 | 403 | 404 | 405 | 409 | 413 | 415 | 503,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}
