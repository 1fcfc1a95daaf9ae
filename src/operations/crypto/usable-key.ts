/**
 * The checks every keyed crypto operation makes before touching key material: object type, state
 * (1.4 §3.22 / 2.1 §4.57: only Active keys apply protection — encrypt, sign, MAC; Deactivated and
 * Compromised keys may still process — decrypt, verify), Protect Stop / Process Start dates, the
 * Cryptographic Usage Mask, and the Usage Limits allocation (1.4 §4.29: Permission Denied when it
 * cannot be obtained).
 */
import type { KeyObject } from "node:crypto";
import { Enums, Masks } from "../../kmip/index.js";
import { KmipError, objectDestroyed } from "../../messages/index.js";
import { dateAttr, intAttr, isDestroyed, objectTypeOf, setServerAttr, stateOf } from "../../model/index.js";
import { ItemType } from "../../ttlv/index.js";
import { usageLimitsNode, usageLimitsOf } from "../attribute-edit.js";
import { loadOnline } from "../common.js";
import type { OperationContext } from "../context.js";
import { keyObjectOf } from "../key-objects.js";
import type { LoadedObject } from "../repository.js";
import { isOneTimePad } from "./one-time-pad.js";

export type Purpose = "Encrypt" | "Decrypt" | "Sign" | "Verify" | "MACGenerate" | "MACVerify";

const S = Enums.State;
const T = Enums.ObjectType;
const M = Masks.CryptographicUsageMask;

/** Purposes that apply protection (need Active, before Protect Stop Date, draw on Usage Limits). */
const PROTECTS: ReadonlySet<Purpose> = new Set<Purpose>(["Encrypt", "Sign", "MACGenerate"]);

const OBJECT_TYPES: Record<Purpose, readonly number[]> = {
  Encrypt: [T.SymmetricKey, T.PublicKey],
  Decrypt: [T.SymmetricKey, T.PrivateKey],
  Sign: [T.PrivateKey],
  Verify: [T.PublicKey],
  MACGenerate: [T.SymmetricKey],
  MACVerify: [T.SymmetricKey],
};

export interface UsableKey {
  readonly obj: LoadedObject;
  readonly key: KeyObject;
}

/**
 * The key object for a purpose, after every check. `units` is what a protecting operation takes
 * from Usage Limits: bytes of data for a Byte unit; an Object unit counts one per call.
 */
export async function usableKey(uid: string, purpose: Purpose, ctx: OperationContext, units = 0): Promise<UsableKey> {
  const obj = await loadOnline(uid, ctx, true);
  const state = stateOf(obj);
  if (isDestroyed(state)) throw objectDestroyed();
  const pad = (purpose === "Encrypt" || purpose === "Decrypt") && isOneTimePad(obj);
  if (!pad && !OBJECT_TYPES[purpose].includes(objectTypeOf(obj))) {
    throw new KmipError("PermissionDenied", `this object type cannot be used for ${purpose}`);
  }
  const protects = PROTECTS.has(purpose);
  // Wrong Key Lifecycle State; 1.x and 2.0 clients get Permission Denied (messages/response.ts).
  const lifecycle = (msg: string) => new KmipError("WrongKeyLifecycleState", msg);
  const allowed: readonly number[] = protects ? [S.Active] : [S.Active, S.Deactivated, S.Compromised];
  if (state === undefined || !allowed.includes(state)) throw lifecycle(`${purpose} is not allowed in the key's current state`);
  const now = ctx.now();
  const protectStop = dateAttr(obj, "Protect Stop Date");
  if (protects && protectStop !== undefined && protectStop <= now) throw lifecycle("the key's Protect Stop Date has passed");
  const processStart = dateAttr(obj, "Process Start Date");
  if (!protects && processStart !== undefined && processStart > now) throw lifecycle("the key's Process Start Date has not been reached");
  const mask = intAttr(obj, "Cryptographic Usage Mask");
  if (mask !== undefined && (mask & M[purpose]) === 0 && (mask & M.Unrestricted) === 0) {
    throw new KmipError("IncompatibleCryptographicUsageMask", `the key's Cryptographic Usage Mask does not allow ${purpose}`);
  }
  if (!obj.content || obj.content.type !== ItemType.Structure) throw new KmipError("KeyValueNotPresent", "the object holds no key value");
  const key = keyObjectOf(obj.content);
  if (protects) await allocate(obj, units, ctx);
  return { obj, key };
}

async function allocate(obj: LoadedObject, bytes: number, ctx: OperationContext): Promise<void> {
  const limits = usageLimitsOf(obj);
  if (!limits) return;
  const want = BigInt(limits.unit === Enums.UsageLimitsUnit.Object ? 1 : bytes);
  if (want > limits.count) throw new KmipError("PermissionDenied", "the key's Usage Limits are exhausted");
  setServerAttr(obj, "Usage Limits", usageLimitsNode({ ...limits, count: limits.count - want }));
  await ctx.objects.update(obj);
}
