/**
 * Every CKR_* return value the provider cares about, in one table: what kind of failure it is,
 * whether retrying may help, and a message safe to log (the HSM's own text is never passed on,
 * so no PIN, label-with-secret or key byte can leak through it).
 *
 * Kinds decide what the provider does next:
 *  - device:    the token or library is gone → drop the sessions, re-initialize the module, retry
 *  - session:   the session or login is gone → drop the sessions, log in again, retry
 *  - stale:     an object handle no longer names the KEK → forget cached handles, retry
 *  - busy:      resources exhausted for now → retry after back-off
 *  - integrity: the blob does not open under this KEK → fail, never retry
 *  - config:    the profile, template or mechanism is wrong for this HSM → fail, never retry
 */
import { KeyProviderError } from "../types.js";

export type CkrKind = "device" | "session" | "stale" | "busy" | "integrity" | "config";

interface Entry {
  readonly code: number;
  readonly kind: CkrKind;
  readonly message: string;
}

const T: Record<string, Entry> = {
  // device: the token is unreachable; the provider reconnects by itself
  CKR_DEVICE_REMOVED: { code: 0x32, kind: "device", message: "the HSM token was removed" },
  CKR_DEVICE_ERROR: { code: 0x30, kind: "device", message: "the HSM reported a device error" },
  CKR_DEVICE_MEMORY: { code: 0x31, kind: "device", message: "the HSM ran out of memory" },
  CKR_TOKEN_NOT_PRESENT: { code: 0xe0, kind: "device", message: "the HSM token is not present" },
  CKR_TOKEN_NOT_RECOGNIZED: { code: 0xe1, kind: "device", message: "the HSM token is not recognized" },
  CKR_SLOT_ID_INVALID: { code: 0x03, kind: "device", message: "the HSM slot is gone" },
  CKR_CRYPTOKI_NOT_INITIALIZED: { code: 0x190, kind: "device", message: "the PKCS#11 library is not initialized" },
  CKR_FUNCTION_FAILED: { code: 0x06, kind: "device", message: "the HSM function failed" },
  // session: log in again on fresh sessions
  CKR_SESSION_HANDLE_INVALID: { code: 0xb3, kind: "session", message: "the HSM session is no longer valid" },
  CKR_SESSION_CLOSED: { code: 0xb0, kind: "session", message: "the HSM session was closed" },
  CKR_USER_NOT_LOGGED_IN: { code: 0x101, kind: "session", message: "the HSM session is not logged in" },
  // stale: cached object handles are per library instance
  CKR_OBJECT_HANDLE_INVALID: { code: 0x82, kind: "stale", message: "an HSM object handle is no longer valid" },
  CKR_KEY_HANDLE_INVALID: { code: 0x60, kind: "stale", message: "the KEK handle is no longer valid" },
  CKR_WRAPPING_KEY_HANDLE_INVALID: { code: 0x113, kind: "stale", message: "the KEK handle is no longer valid" },
  CKR_UNWRAPPING_KEY_HANDLE_INVALID: { code: 0xf0, kind: "stale", message: "the KEK handle is no longer valid" },
  // busy
  CKR_HOST_MEMORY: { code: 0x02, kind: "busy", message: "out of host memory in the PKCS#11 library" },
  CKR_SESSION_COUNT: { code: 0xb1, kind: "busy", message: "the HSM has no free sessions" },
  CKR_FUNCTION_CANCELED: { code: 0x50, kind: "busy", message: "the HSM call was cancelled" },
  CKR_OPERATION_ACTIVE: { code: 0x90, kind: "busy", message: "an HSM operation is already active on the session" },
  CKR_CANT_LOCK: { code: 0x0a, kind: "busy", message: "the PKCS#11 library could not lock" },
  // integrity: SoftHSM reports a failed RFC 5649 check as CKR_GENERAL_ERROR (stack-check P11)
  CKR_GENERAL_ERROR: { code: 0x05, kind: "integrity", message: "integrity check failed (tampered blob or wrong KEK)" },
  CKR_WRAPPED_KEY_INVALID: { code: 0x110, kind: "integrity", message: "integrity check failed (tampered blob or wrong KEK)" },
  CKR_WRAPPED_KEY_LEN_RANGE: { code: 0x112, kind: "integrity", message: "the wrapped blob has an impossible length" },
  CKR_ENCRYPTED_DATA_INVALID: { code: 0x40, kind: "integrity", message: "integrity check failed (tampered blob or wrong KEK)" },
  CKR_ENCRYPTED_DATA_LEN_RANGE: { code: 0x41, kind: "integrity", message: "the wrapped blob has an impossible length" },
  CKR_DATA_INVALID: { code: 0x20, kind: "integrity", message: "the HSM refused the data" },
  CKR_DATA_LEN_RANGE: { code: 0x21, kind: "integrity", message: "the key is too long or too short for this HSM" },
  // config: fix the profile or the KEK, retrying will not help
  CKR_PIN_INCORRECT: { code: 0xa0, kind: "config", message: "HSM login refused: incorrect PIN" },
  CKR_PIN_LOCKED: { code: 0xa4, kind: "config", message: "HSM login refused: the PIN is locked" },
  CKR_PIN_EXPIRED: { code: 0xa3, kind: "config", message: "HSM login refused: the PIN has expired" },
  CKR_PIN_INVALID: { code: 0xa1, kind: "config", message: "HSM login refused: invalid PIN" },
  CKR_PIN_LEN_RANGE: { code: 0xa2, kind: "config", message: "HSM login refused: PIN length out of range" },
  CKR_USER_TYPE_INVALID: { code: 0x103, kind: "config", message: "HSM login refused: invalid user type" },
  CKR_USER_PIN_NOT_INITIALIZED: { code: 0x102, kind: "config", message: "the token's user PIN is not initialized" },
  CKR_TOKEN_WRITE_PROTECTED: { code: 0xe2, kind: "config", message: "the HSM token is write-protected" },
  CKR_MECHANISM_INVALID: { code: 0x70, kind: "config", message: "the HSM does not support the configured wrap mechanism" },
  CKR_MECHANISM_PARAM_INVALID: { code: 0x71, kind: "config", message: "the HSM refused the wrap mechanism's parameters" },
  CKR_KEY_FUNCTION_NOT_PERMITTED: { code: 0x68, kind: "config", message: "the KEK may not be used for this function" },
  CKR_KEY_TYPE_INCONSISTENT: { code: 0x63, kind: "config", message: "the KEK's type does not fit the wrap mechanism" },
  CKR_KEY_SIZE_RANGE: { code: 0x62, kind: "config", message: "key size out of range for this HSM" },
  CKR_KEY_UNEXTRACTABLE: { code: 0x6a, kind: "config", message: "the key may not be wrapped (not extractable)" },
  CKR_KEY_NOT_WRAPPABLE: { code: 0x69, kind: "config", message: "the key may not be wrapped" },
  CKR_WRAPPING_KEY_TYPE_INCONSISTENT: { code: 0x115, kind: "config", message: "the KEK's type does not fit the wrap mechanism" },
  CKR_UNWRAPPING_KEY_TYPE_INCONSISTENT: { code: 0xf2, kind: "config", message: "the KEK's type does not fit the wrap mechanism" },
  CKR_ATTRIBUTE_READ_ONLY: { code: 0x10, kind: "config", message: "the HSM refused a key template attribute (read-only)" },
  CKR_ATTRIBUTE_SENSITIVE: { code: 0x11, kind: "config", message: "the HSM refused to reveal a sensitive attribute" },
  CKR_ATTRIBUTE_TYPE_INVALID: { code: 0x12, kind: "config", message: "the HSM refused a key template attribute (type)" },
  CKR_ATTRIBUTE_VALUE_INVALID: { code: 0x13, kind: "config", message: "the HSM refused a key template attribute (value)" },
  CKR_TEMPLATE_INCOMPLETE: { code: 0xd0, kind: "config", message: "the HSM found a key template incomplete" },
  CKR_TEMPLATE_INCONSISTENT: { code: 0xd1, kind: "config", message: "the HSM found a key template inconsistent" },
  CKR_BUFFER_TOO_SMALL: { code: 0x150, kind: "config", message: "the output buffer was too small for the wrapped key" },
  CKR_ARGUMENTS_BAD: { code: 0x07, kind: "config", message: "the PKCS#11 library refused the call's arguments" },
  CKR_FUNCTION_NOT_SUPPORTED: { code: 0x54, kind: "config", message: "the PKCS#11 library does not support this function" },
};

const BY_CODE = new Map(Object.entries(T).map(([name, e]) => [e.code, name]));

/** The CKR name an error from pkcs11js carries, if any (Pkcs11Error, or a plain Error "CKR_X:208"). */
export function ckrName(err: unknown): string | undefined {
  if (typeof err !== "object" || err === null) return undefined;
  const msg = (err as { message?: unknown }).message;
  const m = typeof msg === "string" ? /\b(CKR_[A-Z0-9_]+)/.exec(msg) : null;
  if (m) return m[1];
  const code = (err as { code?: unknown }).code;
  return typeof code === "number" ? BY_CODE.get(code) : undefined;
}

export function ckrKind(name: string | undefined): CkrKind | undefined {
  return name === undefined ? undefined : T[name]?.kind;
}

/** A KeyProviderError for an error thrown by a PKCS#11 call made while doing `what`. */
export function toKeyProviderError(err: unknown, what: string): KeyProviderError {
  if (err instanceof KeyProviderError) return err;
  const name = ckrName(err);
  const e = name ? T[name] : undefined;
  if (!name) return new KeyProviderError(`${what}: the PKCS#11 library failed`, false);
  if (!e) return new KeyProviderError(`${what}: HSM error ${name}`, false, name);
  const transient = e.kind === "device" || e.kind === "session" || e.kind === "stale" || e.kind === "busy";
  return new KeyProviderError(`${what}: ${e.message} (${name})`, transient, name);
}
