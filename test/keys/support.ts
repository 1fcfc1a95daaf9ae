/** Helpers for the key tests: a real LMDB store in a temp dir, and rejection checks. */
import { expect } from "chai";
import { KeyProviderError } from "../../src/keys/types.js";
import { openLmdbStore, type LmdbObjectStore } from "../../src/store/lmdb/index.js";
import { removeTempDirs, tempDir, tempStoreDir } from "../store/support.js";

export { removeTempDirs, tempDir, tempStoreDir };

export async function tempStore(): Promise<{ store: LmdbObjectStore; dir: string }> {
  const dir = tempStoreDir("keys");
  return { store: await openLmdbStore(dir), dir };
}

export async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error("expected a rejection");
}

export async function expectKeyProviderError(p: Promise<unknown>, what?: string): Promise<KeyProviderError> {
  const err = await rejection(p);
  expect(err, what).to.be.instanceOf(KeyProviderError);
  return err as KeyProviderError;
}
