/** Helpers for the audit tests: an audit log on a real LMDB store, and raw tampering with it. */
import { createSecretKey, randomBytes, type KeyObject } from "node:crypto";
import { open } from "lmdb";
import { ChainedAuditLog, deriveAuditKey, type NewAuditRecord } from "../../src/audit/index.js";
import { openLmdbStore, type LmdbObjectStore } from "../../src/store/lmdb/index.js";

export function masterKey(): KeyObject {
  return createSecretKey(randomBytes(32));
}

export async function openAudit(dir: string, master: KeyObject): Promise<{ store: LmdbObjectStore; log: ChainedAuditLog }> {
  const store = await openLmdbStore(dir);
  return { store, log: new ChainedAuditLog({ storage: store.audit, key: deriveAuditKey(master) }) };
}

export function rec(i: number, extra: Partial<NewAuditRecord> = {}): NewAuditRecord {
  return {
    time: 1_700_000_000_000 + i * 1000,
    principal: i % 2 === 0 ? "alice" : "bob",
    clientAddress: "127.0.0.1:40000",
    operation: i % 3 === 0 ? "Get" : "Create",
    objectIds: [`uid-${i}`],
    result: "success",
    ...extra,
  };
}

function seqKey(seq: number): Buffer {
  const k = Buffer.alloc(8);
  k.writeBigUInt64BE(BigInt(seq));
  return k;
}

/**
 * Opens the (closed) store's LMDB environment directly — as an attacker with write access to the
 * files would — and lets `fn` change the audit sub-databases.
 */
export async function tamper(
  dir: string,
  fn: (t: { get(seq: number): Buffer | undefined; put(seq: number, v: Buffer): void; del(seq: number): void; head(): Buffer | undefined; setHead(v: Buffer): void }) => void,
): Promise<void> {
  const root = open<Buffer, Buffer>({ path: dir, maxDbs: 16, encoding: "binary", keyEncoding: "binary" });
  const audit = root.openDB<Buffer, Buffer>({ name: "audit", encoding: "binary", keyEncoding: "binary" });
  const meta = root.openDB<Buffer, Buffer>({ name: "auditmeta", encoding: "binary", keyEncoding: "binary" });
  await root.transaction(() => {
    fn({
      get: (s) => {
        const v = audit.get(seqKey(s));
        return v && Buffer.from(v);
      },
      put: (s, v) => void audit.putSync(seqKey(s), v),
      del: (s) => void audit.removeSync(seqKey(s)),
      head: () => {
        const v = meta.get(Buffer.from("head"));
        return v && Buffer.from(v);
      },
      setHead: (v) => void meta.putSync(Buffer.from("head"), v),
    });
  });
  await root.close();
}
