/** Helpers for the store tests: temporary LMDB directories (removed after the run) and records. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ObjectRecord } from "../../src/store/types.js";

const made: string[] = [];

/** A fresh, empty directory under the OS temp dir, removed by removeTempDirs(). */
export function tempDir(label: string): string {
  const dir = mkdtempSync(join(tmpdir(), `kmipd-${label}-`));
  made.push(dir);
  return dir;
}

/** A fresh directory path for a store; it does not exist yet (the store creates it). */
export function tempStoreDir(label = "store"): string {
  return join(tempDir(label), "db");
}

export function removeTempDirs(): void {
  for (const d of made.splice(0)) rmSync(d, { recursive: true, force: true });
}

export function record(uid: string, owner: string, extra: Partial<ObjectRecord> = {}): ObjectRecord {
  return {
    uid,
    owner,
    body: new TextEncoder().encode(`body of ${uid}`),
    terms: [],
    revision: 1,
    ...extra,
  };
}

export function collect(it: Iterable<string>): string[] {
  return [...it];
}
