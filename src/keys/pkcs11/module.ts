/**
 * Loading and initializing a PKCS#11 library. C_Initialize and C_Finalize are process-wide
 * (stack-check P7): C_Finalize anywhere ends every session in the process. So one loaded module
 * is shared per library path, reference-counted, and re-initialized at most once per failure:
 * a `generation` counter lets every provider on it see that its sessions died.
 */
import pkcs11js from "pkcs11js";
import { ckrName } from "./ckr.js";

/** The pkcs11js surface the provider uses (a Proxy of it in tests). */
export type Pkcs11Api = pkcs11js.PKCS11;
export type Handle = Buffer;

// Default import: with `import * as`, the constants are undefined under ESM (stack-check P5).
export const P = pkcs11js;

export interface LoadedModule {
  readonly path: string;
  readonly api: Pkcs11Api;
  /** Bumped by every re-initialization: sessions and handles of an older generation are dead. */
  generation: number;
  initialized: boolean;
  /** Calls in progress on it: C_Finalize under a running call could crash the native library. */
  busy: number;
  refs: number;
  readonly shared: boolean;
}

const loaded = new Map<string, LoadedModule>();
/** Modules alive per library path, shared or not: the library is finalized when the last goes. */
const alive = new Map<string, number>();

/**
 * The module for `path`, loaded on first use. `wrap` (tests: a Proxy that watches or breaks
 * calls) gives a private module instead of the shared one.
 */
export function acquireModule(path: string, wrap?: (api: Pkcs11Api) => Pkcs11Api): LoadedModule {
  const existing = wrap ? undefined : loaded.get(path);
  if (existing) {
    existing.refs++;
    return existing;
  }
  const raw = new pkcs11js.PKCS11();
  raw.load(path);
  const m: LoadedModule = { path, api: wrap ? wrap(raw) : raw, generation: 0, initialized: false, busy: 0, refs: 1, shared: !wrap };
  if (m.shared) loaded.set(path, m);
  alive.set(path, (alive.get(path) ?? 0) + 1);
  return m;
}

/** C_Initialize with OS locking (the *Async calls run on libuv threads: P7). */
export function ensureInitialized(m: LoadedModule): void {
  if (m.initialized) return;
  try {
    m.api.C_Initialize({ flags: pkcs11js.CKF_OS_LOCKING_OK });
  } catch (err) {
    if (ckrName(err) !== "CKR_CRYPTOKI_ALREADY_INITIALIZED") throw err;
  }
  m.initialized = true;
}

/**
 * Finalize and initialize again, unless someone already did since `seen` (then their fresh
 * state is used). Throws what C_Initialize throws, leaving the module uninitialized.
 */
export function reinitialize(m: LoadedModule, seen: number): void {
  if (m.generation === seen) {
    m.generation++;
    finalizeQuietly(m);
  }
  ensureInitialized(m);
}

export function releaseModule(m: LoadedModule): void {
  if (--m.refs > 0) return;
  if (m.shared && loaded.get(m.path) === m) loaded.delete(m.path);
  m.generation++;
  const left = (alive.get(m.path) ?? 1) - 1;
  if (left > 0) alive.set(m.path, left);
  else alive.delete(m.path);
  // C_Finalize is process-wide: only when no other module on this library is still in use.
  if (left === 0) finalizeQuietly(m);
  try {
    m.api.close();
  } catch {
    // already closed: nothing left to release
  }
}

function finalizeQuietly(m: LoadedModule): void {
  m.initialized = false;
  try {
    m.api.C_Finalize();
  } catch {
    // CKR_CRYPTOKI_NOT_INITIALIZED after a failed C_Initialize: the state we want anyway
  }
}

/** The slot holding the token labelled `label` (slot ids change at token init: P9). */
export function findSlot(api: Pkcs11Api, label: string): Handle | undefined {
  for (const slot of api.C_GetSlotList(true)) {
    if (api.C_GetTokenInfo(slot).label.trim() === label) return slot;
  }
  return undefined;
}

/** A slot handle (8-byte little-endian CK_ULONG) as a decimal string, for describe(). */
export function slotNumber(slot: Handle): string {
  return slot.length === 8 ? slot.readBigUInt64LE(0).toString() : slot.toString("hex");
}
