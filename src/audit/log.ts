/**
 * The AuditLog over the store's AuditStorage: seals records into the chain inside the store's
 * write transaction (so the previous MAC read and the new entries + head written are one atomic
 * step), optionally mirrors them to a JSON-lines file, lists and verifies.
 */
import type { KeyObject } from "node:crypto";
import type { AuditAppend, AuditStorage, AuditWrite } from "../store/types.js";
import { GENESIS_MAC, decodeHead, decodeRecord, encodeHead, sealEntry, splitEntry, verifyChain } from "./chain.js";
import type { JsonlMirror } from "./mirror.js";
import type { AuditFilter, AuditLog, AuditRecord, NewAuditRecord, VerifyResult } from "./types.js";

export interface ChainedAuditLogOptions {
  readonly storage: AuditStorage;
  /** From deriveAuditKey(master key). */
  readonly key: KeyObject;
  readonly mirror?: JsonlMirror;
}

export class ChainedAuditLog implements AuditLog {
  private readonly storage: AuditStorage;
  private readonly key: KeyObject;
  private readonly mirror: JsonlMirror | undefined;

  constructor(o: ChainedAuditLogOptions) {
    this.storage = o.storage;
    this.key = o.key;
    this.mirror = o.mirror;
  }

  async append(records: readonly NewAuditRecord[]): Promise<readonly AuditRecord[]> {
    if (records.length === 0) return [];
    const p = this.prepare(records);
    await this.storage.appendAudit(p.build);
    return p.committed();
  }

  /**
   * The records as a store-transaction step: hand `build` to ObjectStore.batch (or appendAudit)
   * so they commit with that transaction, then call `committed()` (mirror, sealed records).
   */
  prepare(records: readonly NewAuditRecord[]): { build: AuditAppend; committed(): Promise<readonly AuditRecord[]> } {
    let sealed: (AuditRecord & { mac: Buffer })[] | undefined;
    return {
      build: (rawHead) => {
        const w = this.seal(rawHead, records);
        sealed = w.sealed;
        return w.write;
      },
      committed: async () => {
        if (!sealed) throw new Error("the audit records were not part of a committed transaction");
        await this.mirror?.write(sealed);
        return sealed.map(({ mac: _mac, ...r }) => r);
      },
    };
  }

  /**
   * Builds the entries and head for `records` after `rawHead`; runs inside the store's write
   * transaction (lmdb-js may retry nothing here: a throw aborts the whole transaction).
   */
  seal(rawHead: Uint8Array | undefined, records: readonly NewAuditRecord[]): { write: AuditWrite; sealed: (AuditRecord & { mac: Buffer })[] } {
    // A head that does not authenticate means the trail was tampered with (or the key is wrong):
    // refuse to extend it rather than bless the damage with fresh MACs.
    const head = rawHead === undefined ? undefined : decodeHead(this.key, rawHead);
    if (head && !head.authentic) throw new Error("the audit head does not authenticate (tampered, or a different master key)");
    let seq = head?.seq ?? 0;
    let prev: Uint8Array = head?.mac ?? GENESIS_MAC;
    const entries = [];
    const sealed = [];
    for (const r of records) {
      const rec: AuditRecord = { ...r, seq: ++seq };
      const { value, mac } = sealEntry(this.key, prev, rec);
      entries.push({ seq, value });
      sealed.push({ ...rec, mac });
      prev = mac;
    }
    return { write: { entries, head: encodeHead(this.key, { seq, mac: Buffer.from(prev) }) }, sealed };
  }

  list(filter: AuditFilter = {}): AuditRecord[] {
    const out: AuditRecord[] = [];
    const limit = filter.limit ?? Infinity;
    if (limit <= 0) return out;
    // A linear scan: records are in seq order, which is time order only as far as the clock is.
    for (const e of this.storage.auditEntries({ reverse: filter.order === "desc" })) {
      let r: AuditRecord;
      try {
        r = decodeRecord(splitEntry(e.value).canonical);
      } catch {
        continue; // listing is best effort; verify names damaged entries
      }
      if (filter.since !== undefined && r.time < filter.since) continue;
      if (filter.until !== undefined && r.time > filter.until) continue;
      if (filter.principal !== undefined && r.principal !== filter.principal) continue;
      if (filter.operation !== undefined && r.operation.toLowerCase() !== filter.operation.toLowerCase()) continue;
      if (filter.objectId !== undefined && !r.objectIds.includes(filter.objectId)) continue;
      out.push(r);
      if (out.length >= limit) break;
    }
    return out;
  }

  verify(): VerifyResult {
    return verifyChain(this.key, this.storage.auditEntries(), this.storage.auditHead());
  }

  /** Throws unless the head is absent or authenticates under this key (a cheap start-up check). */
  checkHead(): void {
    const h = this.storage.auditHead();
    if (h !== undefined && !decodeHead(this.key, h).authentic) {
      throw new Error("the audit trail's head does not authenticate with this master key (run `kmipd audit verify`)");
    }
  }

  lastSeq(): number {
    const h = this.storage.auditHead();
    return h === undefined ? 0 : decodeHead(undefined, h).seq;
  }

  async close(): Promise<void> {
    await this.mirror?.close();
  }
}
