/**
 * Managed objects over the store and key-provider ports: loading decodes attributes and, only
 * when asked, unwraps the content; saving wraps the content under the current KEK. Every lookup
 * is by owner, and every miss — absent, or someone else's — is the same Item Not Found.
 */
import type { KeyProvider } from "../keys/types.js";
import { itemNotFound, KmipError } from "../messages/index.js";
import { decodeAttrs, encodeAttrs, indexTerms, type ManagedObject } from "../model/index.js";
import type { ObjectRecord, ObjectStore, StoreWrite, WrappedMaterial } from "../store/types.js";
import { StaleRevisionError } from "../store/types.js";
import { decodeTtlv, encodeTtlv, type TtlvNode } from "../ttlv/index.js";

export interface LoadedObject extends ManagedObject {
  /** The wrapped material as stored, kept so an update that does not touch content re-uses it. */
  readonly material?: WrappedMaterial;
}

export class ObjectRepository {
  constructor(
    protected readonly store: ObjectStore,
    protected readonly keys: KeyProvider,
  ) {}

  /**
   * A repository whose writes are held back until commit(): what Batch Error Continuation Option
   * Undo needs — the batch's changes become durable together, or not at all. Reads see the
   * staged writes; the index (Locate) sees only committed ones.
   */
  staged(): StagedRepository {
    return new StagedRepository(this.store, this.keys);
  }

  /** The stored record, if it exists and `owner` owns it. */
  protected readRecord(uid: string, owner: string): ObjectRecord | undefined {
    return this.store.get(uid, owner);
  }

  /** Writes records atomically and durably. */
  protected async writeRecords(writes: readonly StoreWrite[]): Promise<void> {
    try {
      if (writes.length === 1 && writes[0]!.kind === "insert") await this.store.insert(writes[0]!.rec);
      else if (writes.length === 1 && writes[0]!.kind === "update") await this.store.update(writes[0]!.rec);
      else await this.store.batch(writes);
    } catch (e) {
      if (e instanceof StaleRevisionError) throw new KmipError("GeneralFailure", "the object changed concurrently; retry");
      throw e;
    }
  }

  newUid(): string {
    return this.store.newUid();
  }

  /** The object, or Item Not Found. `withContent` unwraps the key material too. */
  async load(uid: string, owner: string, withContent = false): Promise<LoadedObject> {
    const rec = this.readRecord(uid, owner);
    if (!rec) throw itemNotFound();
    const obj: LoadedObject = { uid, owner, attrs: decodeAttrs(rec.body), revision: rec.revision, material: rec.material };
    if (withContent && rec.material) obj.content = await this.unwrapContent(rec.material);
    return obj;
  }

  exists(uid: string, owner: string): boolean {
    return this.readRecord(uid, owner) !== undefined;
  }

  /** Stores a new object; its content (if any) is wrapped first. Durable when this resolves. */
  async insert(obj: ManagedObject): Promise<void> {
    await this.writeRecords([{ kind: "insert", rec: await this.toRecord(obj, undefined, 1) }]);
  }

  /**
   * Writes back an object read with load(). Content is re-wrapped only when `obj.content` is set
   * and `contentChanged`; otherwise the stored wrapped material is kept as it is.
   */
  async update(obj: LoadedObject, contentChanged = false): Promise<void> {
    await this.writeRecords([{ kind: "update", rec: await this.toRecord(obj, contentChanged ? undefined : obj.material, obj.revision + 1) }]);
  }

  /**
   * Writes a changed object and a new one in one atomic, durable commit (Re-key: the old key's
   * Replacement link and the new key appear together or not at all).
   */
  async updateAndInsert(changed: LoadedObject, added: ManagedObject): Promise<void> {
    await this.writeRecords([
      { kind: "update", rec: await this.toRecord(changed, changed.material, changed.revision + 1) },
      { kind: "insert", rec: await this.toRecord(added, undefined, 1) },
    ]);
  }

  /**
   * Writes changed objects and new ones in one atomic, durable commit (a key pair and, for
   * Re-key Key Pair, the links on the pair it replaces).
   */
  async writeAll(changed: readonly LoadedObject[], added: readonly ManagedObject[]): Promise<void> {
    const writes: StoreWrite[] = [];
    for (const c of changed) writes.push({ kind: "update", rec: await this.toRecord(c, c.material, c.revision + 1) });
    for (const a of added) writes.push({ kind: "insert", rec: await this.toRecord(a, undefined, 1) });
    await this.writeRecords(writes);
  }

  findByTerm(owner: string, term: string): Iterable<string> {
    return this.store.findByTerm(owner, term);
  }
  countByTerm(owner: string, term: string): number {
    return this.store.countByTerm(owner, term);
  }
  listByOwner(owner: string): Iterable<string> {
    return this.store.listByOwner(owner);
  }

  protected async toRecord(obj: ManagedObject, keep: WrappedMaterial | undefined, revision: number): Promise<ObjectRecord> {
    let material = keep;
    if (!material && obj.content) material = await this.wrapContent(obj.content);
    return { uid: obj.uid, owner: obj.owner, body: encodeAttrs(obj.attrs), material, terms: indexTerms(obj), revision };
  }

  private async wrapContent(content: TtlvNode): Promise<WrappedMaterial> {
    const kek = await this.keys.currentKek();
    const plain = encodeTtlv(content);
    try {
      const blob = await this.keys.wrap(kek, plain);
      return { kekId: kek.id, kekVersion: kek.version, algorithm: "AES-KWP", blob };
    } finally {
      plain.fill(0);
    }
  }

  private async unwrapContent(m: WrappedMaterial): Promise<TtlvNode> {
    const plain = await this.keys.unwrap({ id: m.kekId, version: m.kekVersion }, m.blob);
    try {
      return decodeTtlv(plain, { maxMessageSize: plain.length, maxItems: 1 << 20 });
    } finally {
      plain.fill(0);
    }
  }
}

/** Writes held in memory until commit(); see ObjectRepository.staged(). */
export class StagedRepository extends ObjectRepository {
  /** Latest staged record per uid, and the stored revision it replaces (undefined: a new object). */
  private readonly pending = new Map<string, { rec: ObjectRecord; base: number | undefined }>();

  protected override readRecord(uid: string, owner: string): ObjectRecord | undefined {
    const p = this.pending.get(uid);
    if (p) return p.rec.owner === owner ? p.rec : undefined;
    return super.readRecord(uid, owner);
  }

  protected override async writeRecords(writes: readonly StoreWrite[]): Promise<void> {
    for (const w of writes) {
      if (w.kind === "insert") {
        this.pending.set(w.rec.uid, { rec: w.rec, base: undefined });
      } else if (w.kind === "update") {
        const cur = this.readRecord(w.rec.uid, w.rec.owner);
        if (!cur || cur.revision + 1 !== w.rec.revision) throw new KmipError("GeneralFailure", "the object changed concurrently; retry");
        const prev = this.pending.get(w.rec.uid);
        this.pending.set(w.rec.uid, { rec: w.rec, base: prev ? prev.base : cur.revision });
      } else {
        throw new Error("internal: removal is not staged");
      }
    }
  }

  /** Makes every staged write durable in one atomic commit. */
  async commit(): Promise<void> {
    const writes: StoreWrite[] = [...this.pending.values()].map(({ rec, base }) =>
      base === undefined ? { kind: "insert", rec: { ...rec, revision: 1 } } : { kind: "update", rec: { ...rec, revision: base + 1 } },
    );
    this.pending.clear();
    if (writes.length > 0) await super.writeRecords(writes);
  }
}

