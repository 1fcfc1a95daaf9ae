/**
 * Unit-test harness for the engine: an in-memory ObjectStore and a software KeyProvider (fakes —
 * integration tests use LMDB and real TLS), and helpers to send one operation through the real
 * executor and read the answer.
 */
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import type { CredentialVerifier } from "../../src/auth/index.js";
import { Enums, Tag, type KmipVersion } from "../../src/kmip/index.js";
import type { KekInfo, KekRef, KekSpec, KeyProvider, ProviderDescription } from "../../src/keys/types.js";
import { ObjectRepository } from "../../src/operations/repository.js";
import type { ConstraintStore } from "../../src/operations/constraints.js";
import type { RngSeedSettings } from "../../src/operations/context.js";
import { createExecutor } from "../../src/server/executor.js";
import { StaleRevisionError, type KekRecord, type ObjectRecord, type ObjectStore, type StoreWrite } from "../../src/store/types.js";
import { DEFAULT_LIMITS, ItemType, bytes, decodeTtlv, encodeTtlv, enumeration, integer, struct, type StructureNode, type TtlvNode } from "../../src/ttlv/index.js";

export class MemoryStore implements ObjectStore {
  readonly records = new Map<string, ObjectRecord>();
  private seq = 0;
  newUid(): string {
    return `uid-${String(++this.seq).padStart(6, "0")}`;
  }
  async insert(rec: ObjectRecord): Promise<void> {
    if (this.records.has(rec.uid)) throw new Error("duplicate uid");
    this.records.set(rec.uid, rec);
  }
  get(uid: string, owner: string): ObjectRecord | undefined {
    const r = this.records.get(uid);
    return r && r.owner === owner ? r : undefined;
  }
  async update(rec: ObjectRecord): Promise<void> {
    const cur = this.records.get(rec.uid);
    if (!cur || cur.revision + 1 !== rec.revision) throw new StaleRevisionError("stale");
    this.records.set(rec.uid, rec);
  }
  async remove(uid: string, owner: string): Promise<boolean> {
    return this.get(uid, owner) ? this.records.delete(uid) : false;
  }
  *findByTerm(owner: string, term: string, after?: string): Iterable<string> {
    for (const r of [...this.records.values()].sort((a, b) => (a.uid < b.uid ? -1 : 1))) {
      if (r.owner === owner && r.terms.includes(term) && (after === undefined || r.uid > after)) yield r.uid;
    }
  }
  *listByOwner(owner: string, after?: string): Iterable<string> {
    for (const r of [...this.records.values()].sort((a, b) => (a.uid < b.uid ? -1 : 1))) {
      if (r.owner === owner && (after === undefined || r.uid > after)) yield r.uid;
    }
  }
  countByTerm(owner: string, term: string): number {
    return [...this.findByTerm(owner, term)].length;
  }
  async batch(ops: readonly StoreWrite[]): Promise<void> {
    for (const op of ops) {
      if (op.kind === "insert") await this.insert(op.rec);
      else if (op.kind === "update") await this.update(op.rec);
      else await this.remove(op.uid, op.owner);
    }
  }
  getKek(): KekRecord | undefined {
    return undefined;
  }
  latestKek(): KekRecord | undefined {
    return undefined;
  }
  async putKek(): Promise<void> {}
  async deleteKek(): Promise<boolean> {
    return false;
  }
  async close(): Promise<void> {}
}

/** RFC 5649 under one random in-memory KEK. */
export class SoftKeys implements KeyProvider {
  readonly kind = "test";
  private readonly kek = randomBytes(32);
  async currentKek(): Promise<KekRef> {
    return { id: "test-kek", version: 1 };
  }
  async wrap(_k: KekRef, plain: Uint8Array): Promise<Uint8Array> {
    const c = createCipheriv("id-aes256-wrap-pad", this.kek, Buffer.from("A65959A6", "hex"));
    return Buffer.concat([c.update(plain), c.final()]);
  }
  async unwrap(_k: KekRef, blob: Uint8Array): Promise<Uint8Array> {
    const d = createDecipheriv("id-aes256-wrap-pad", this.kek, Buffer.from("A65959A6", "hex"));
    return Buffer.concat([d.update(blob), d.final()]);
  }
  async rewrap(from: KekRef, to: KekRef, blob: Uint8Array): Promise<Uint8Array> {
    return this.wrap(to, await this.unwrap(from, blob));
  }
  async generateKek(spec: KekSpec): Promise<KekInfo> {
    return { ref: { id: "test-kek", version: 1 }, bits: spec.bits, label: spec.label };
  }
  async healthy(): Promise<boolean> {
    return true;
  }
  async destroyKek(): Promise<void> {
    throw new Error("the test KEK cannot be destroyed");
  }
  describe(): ProviderDescription {
    return { kind: this.kind };
  }
  async close(): Promise<void> {}
}

export interface Item {
  operation: number;
  payload: TtlvNode[];
  id?: Uint8Array;
}

export function engine(opts: { principal?: string; quietAttributes?: ReadonlySet<string>; locateCreatesFresh?: boolean; credentials?: CredentialVerifier; rngSeed?: RngSeedSettings } = {}) {
  const store = new MemoryStore();
  const kept = new Map<string, StructureNode>();
  const constraints: ConstraintStore = { get: (a) => kept.get(a), set: async (a, c) => void (c ? kept.set(a, c) : kept.delete(a)) };
  const handler = createExecutor({
    constraints,
    ...(opts.credentials ? { credentials: opts.credentials } : {}),
    objects: new ObjectRepository(store, new SoftKeys()),
    settings: {
      defaultKeyBits: 256, maxLocateItems: 1000, leaseTimeSec: 3600, vendorIdentification: "kmipd", serverVersion: "test", quietAttributes: opts.quietAttributes ?? new Set(),
      locateCreatesFresh: opts.locateCreatesFresh ?? false, rngSeed: opts.rngSeed ?? { policy: "accept", maxBytes: 64 },
    },
    limits: { ...DEFAULT_LIMITS, maxBatchItems: 64 },
    log: { warn: () => undefined, error: () => undefined },
  });
  const principal = opts.principal ?? "alice";
  async function raw(request: TtlvNode, who = principal): Promise<StructureNode> {
    const out = await handler(encodeTtlv(request), { principal: who, peer: "test", connectionId: 1 });
    return decodeTtlv(out) as StructureNode;
  }
  async function batch(items: Item[], version: KmipVersion = "1.4", who = principal, header: TtlvNode[] = []): Promise<StructureNode> {
    const [major, minor] = version.split(".").map(Number) as [number, number];
    return raw(request(major, minor, items, header), who);
  }
  /** One operation; returns the response batch item. */
  async function op(operation: number, payload: TtlvNode[], version: KmipVersion = "1.4", who = principal): Promise<BatchResult> {
    return result((await batch([{ operation, payload }], version, who)).children[1] as StructureNode);
  }
  return { store, handler, raw, batch, op };
}

export function request(major: number, minor: number, items: Item[], header: TtlvNode[] = []): StructureNode {
  return struct(Tag.RequestMessage, [
    struct(Tag.RequestHeader, [
      struct(Tag.ProtocolVersion, [integer(Tag.ProtocolVersionMajor, major), integer(Tag.ProtocolVersionMinor, minor)]),
      ...header,
      integer(Tag.BatchCount, items.length),
    ]),
    ...items.map((i) =>
      struct(Tag.BatchItem, [
        enumeration(Tag.Operation, i.operation),
        ...(i.id ? [bytes(Tag.UniqueBatchItemID, i.id)] : []),
        struct(Tag.RequestPayload, i.payload),
      ]),
    ),
  ]);
}

export interface BatchResult {
  status: number;
  reason?: number;
  message?: string;
  payload?: StructureNode;
  node: StructureNode;
}

export function result(item: StructureNode): BatchResult {
  const find = (t: number) => item.children.find((c) => c.tag === t);
  const v = (t: number) => {
    const n = find(t);
    return n && n.type !== ItemType.Structure ? n.value : undefined;
  };
  return {
    status: v(Tag.ResultStatus) as number,
    reason: v(Tag.ResultReason) as number | undefined,
    message: v(Tag.ResultMessage) as string | undefined,
    payload: find(Tag.ResponsePayload) as StructureNode | undefined,
    node: item,
  };
}

/** A child's primitive value by tag. */
export function val(s: StructureNode | undefined, tag: number): unknown {
  const n = s?.children.find((c) => c.tag === tag);
  return n && n.type !== ItemType.Structure ? n.value : undefined;
}

export const OK = Enums.ResultStatus.Success;
export const FAILED = Enums.ResultStatus.OperationFailed;
