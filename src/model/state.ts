/**
 * The object state machine (1.4 §3.22, 2.1 §4.57): which states an operation may start from and
 * where it leads. Dates that drive transitions are set by the operations, not here.
 */
import { Enums } from "../kmip/index.js";
import { KmipError } from "../messages/index.js";

const S = Enums.State;

/** Throws Wrong Key Lifecycle State (Permission Denied in 1.x) unless `state` is one of `allowed`. */
export function requireState(state: number | undefined, allowed: readonly number[], what: string): void {
  if (state === undefined || !allowed.includes(state)) throw new KmipError("WrongKeyLifecycleState", `${what} is not allowed in the object's current state`);
}

/** States in which an object still holds key material a client may fetch. */
export const HAS_MATERIAL: readonly number[] = [S.PreActive, S.Active, S.Deactivated, S.Compromised];

/** States Destroy may start from: anything not already destroyed, and not Active (revoke first). */
export const DESTROYABLE: readonly number[] = [S.PreActive, S.Deactivated, S.Compromised];

export const isDestroyed = (state: number | undefined): boolean => state === S.Destroyed || state === S.DestroyedCompromised;
