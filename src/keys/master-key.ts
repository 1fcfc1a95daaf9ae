/**
 * The master key of the database key provider: 32 bytes (AES-256) that wrap its KEKs. It comes
 * from the environment (KMIPD_MASTER_KEY: 64 hex characters or the base64 of 32 bytes) or from
 * the file <dataDir>/master.key (32 raw bytes, or the same text forms), which is created — with
 * fresh random bytes, mode 0600 — only when it is absent AND the store holds no KEK yet. It is
 * never written into the store and never appears in a message.
 */
import { createSecretKey, randomBytes, type KeyObject } from "node:crypto";
import { mkdir, open } from "node:fs/promises";
import { join } from "node:path";
import type { KekRecord } from "../store/types.js";
import { DB_KEK_ID } from "./database/provider.js";

export const MASTER_KEY_ENV = "KMIPD_MASTER_KEY";
export const MASTER_KEY_FILE = "master.key";

export class MasterKeyError extends Error {
  override readonly name = "MasterKeyError";
}

export interface MasterKeyOptions {
  readonly dataDir: string;
  /** Defaults to process.env. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /**
   * The store, so that a missing key file is not silently replaced by a new key while KEKs
   * wrapped by the old one exist. `hasKeks()` (the LMDB store has it) is used when present,
   * else the database provider's KEK is looked up.
   */
  readonly store: { hasKeks?(): boolean; latestKek(id: string): KekRecord | undefined };
}

export interface MasterKey {
  readonly key: KeyObject;
  readonly source: "env" | "file";
  /** True when this call created the key file. */
  readonly created: boolean;
  /** The key file, when the key came from one. */
  readonly path?: string;
}

export async function loadMasterKey(opts: MasterKeyOptions): Promise<MasterKey> {
  const env = opts.env ?? process.env;
  const fromEnv = env[MASTER_KEY_ENV];
  if (fromEnv !== undefined) {
    const bytes = parseText(fromEnv);
    if (!bytes) throw new MasterKeyError(`${MASTER_KEY_ENV} must be 64 hexadecimal characters or the base64 encoding of 32 bytes`);
    return { key: toKeyObject(bytes), source: "env", created: false };
  }

  const path = join(opts.dataDir, MASTER_KEY_FILE);
  const existing = await readKeyFile(path);
  if (existing) return { key: existing, source: "file", created: false, path };

  const hasKeks = opts.store.hasKeks ? opts.store.hasKeks() : opts.store.latestKek(DB_KEK_ID) !== undefined;
  if (hasKeks) {
    throw new MasterKeyError(
      `master key file ${path} is missing, but the store holds KEKs wrapped by a master key. ` +
        `Restore the file (or set ${MASTER_KEY_ENV}); a new key would make every stored key unrecoverable.`,
    );
  }
  const created = await createKeyFile(path, opts.dataDir);
  if (created) return { key: created, source: "file", created: true, path };
  // Lost a creation race with another process: read what it wrote.
  const raced = await readKeyFile(path);
  if (!raced) throw new MasterKeyError(`master key file ${path} vanished while being created`);
  return { key: raced, source: "file", created: false, path };
}

/** The key in the file, or undefined if there is no file. */
async function readKeyFile(path: string): Promise<KeyObject | undefined> {
  let fh;
  try {
    fh = await open(path, "r");
  } catch (err) {
    if (errno(err) === "ENOENT") return undefined;
    throw new MasterKeyError(`cannot open master key file ${path}: ${errno(err) ?? "error"}`);
  }
  try {
    const st = await fh.stat();
    if (!st.isFile()) throw new MasterKeyError(`master key file ${path} is not a regular file`);
    if ((st.mode & 0o077) !== 0) {
      const mode = (st.mode & 0o777).toString(8).padStart(4, "0");
      throw new MasterKeyError(`master key file ${path} has mode ${mode}: group and others must have no access (chmod 600 ${path})`);
    }
    const data = await fh.readFile();
    try {
      const bytes = data.length === 32 ? Buffer.from(data) : parseText(data.toString("latin1"));
      if (!bytes) throw new MasterKeyError(`master key file ${path} must hold 32 bytes (raw, 64 hex characters or base64)`);
      return toKeyObject(bytes);
    } finally {
      data.fill(0);
    }
  } finally {
    await fh.close();
  }
}

/** Creates the file with fresh random bytes; undefined if it appeared meanwhile. */
async function createKeyFile(path: string, dataDir: string): Promise<KeyObject | undefined> {
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  let fh;
  try {
    fh = await open(path, "wx", 0o600);
  } catch (err) {
    if (errno(err) === "EEXIST") return undefined;
    throw new MasterKeyError(`cannot create master key file ${path}: ${errno(err) ?? "error"}`);
  }
  const bytes = randomBytes(32);
  try {
    await fh.chmod(0o600);
    await fh.writeFile(bytes);
    await fh.sync();
  } finally {
    await fh.close();
  }
  const dir = await open(dataDir, "r");
  try {
    await dir.sync();
  } finally {
    await dir.close();
  }
  return toKeyObject(bytes);
}

/** 64 hex characters, or base64 / base64url of exactly 32 bytes (surrounding whitespace ignored). */
function parseText(text: string): Buffer | undefined {
  const t = text.trim();
  if (/^[0-9a-fA-F]{64}$/.test(t)) return Buffer.from(t, "hex");
  if (/^[A-Za-z0-9+/]{43}=?$/.test(t) || /^[A-Za-z0-9_-]{43}=?$/.test(t)) {
    const b = Buffer.from(t.replace(/-/g, "+").replace(/_/g, "/"), "base64");
    if (b.length === 32) return b;
    b.fill(0);
  }
  return undefined;
}

function toKeyObject(bytes: Buffer): KeyObject {
  const key = createSecretKey(bytes);
  bytes.fill(0);
  return key;
}

function errno(err: unknown): string | undefined {
  return err instanceof Error && "code" in err && typeof err.code === "string" ? err.code : undefined;
}
