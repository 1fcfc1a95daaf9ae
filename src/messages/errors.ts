/**
 * Handlers throw a KmipError naming a Result Reason; only the batch executor turns errors into
 * failed batch items (architecture rule "throw reasons, map once"). The message is sent to the
 * client, so it must never carry key bytes, internal paths or another tenant's details.
 */
import { ResultReason } from "../kmip/index.js";

export type ResultReasonName = keyof typeof ResultReason;

export class KmipError extends Error {
  override readonly name = "KmipError";
  constructor(
    readonly reason: ResultReasonName,
    message: string,
    /**
     * "linked": the refusal is about another object the request reaches through a link (a
     * PKCS#12 password), not the object operated on — response.ts maps the two apart for 2.0.
     */
    readonly about: "object" | "linked" = "object",
  ) {
    super(message);
  }
}

/** An object the request names through a link (not the one operated on) is not in a usable state. */
export const linkedObjectState = (message: string): KmipError => new KmipError("WrongKeyLifecycleState", message, "linked");

export const isKmipError = (e: unknown): e is KmipError => e instanceof KmipError;

/**
 * The one "not found" answer, so no code path can hint that another owner's object exists.
 * Object Not Found is the 2.x reason; 1.x clients get Item Not Found (see response.ts).
 */
export const itemNotFound = (): KmipError => new KmipError("ObjectNotFound", "object not found");

/** Get of a destroyed object: Object Destroyed in 2.x, Item Not Found in 1.x. */
export const objectDestroyed = (): KmipError => new KmipError("ObjectDestroyed", "the object has been destroyed");
