/**
 * Managed objects over the store and key-provider ports: loading decodes attributes and, only
 * when asked, unwraps the content; saving wraps the content under the current KEK. Every lookup
 * is by owner, and every miss — absent, or someone else's — is the same Item Not Found.
 */
import type { KeyProvider } from "../keys/types.js";
import { itemNotFound, KmipError } from "../messages/index.js";
import { decodeAttrs, encodeAttrs, indexTerms, type ManagedObject } from "../model/index.js";
import type { ObjectRecord, ObjectStore, WrappedMaterial } from "../store/types.js";
import { StaleRevisionError } from "../store/types.js";
import { decodeTtlv, encodeTtlv, type TtlvNode } from "../ttlv/index.js";

export interface LoadedObject extends ManagedObject {
  /** The wrapped material as stored, kept so an update that does not touch content re-uses it. */
  readonly material?: WrappedMaterial;
}

export class ObjectRepository {
  constructor(
    private readonly store: ObjectStore,
    private readonly keys: KeyProvider,
  ) {}

  newUid(): string {
    return this.store.newUid();
  }

  /** The object, or Item Not Found. `withContent` unwraps the key material too. */
  async load(uid: string, owner: string, withContent = false): Promise<LoadedObject> {
    const rec = this.store.get(uid, owner);
    if (!rec) throw itemNotFound();
    const obj: LoadedObject = { uid, owner, attrs: decodeAttrs(rec.body), revision: rec.revision, material: rec.material };
    if (withContent && rec.material) obj.content = await this.unwrapContent(rec.material);
    return obj;
  }

  exists(uid: string, owner: string): boolean {
    return this.store.get(uid, owner) !== undefined;
  }

  /** Stores a new object; its content (if any) is wrapped first. Durable when this resolves. */
  async insert(obj: ManagedObject): Promise<void> {
    await this.store.insert(await this.toRecord(obj, undefined, 1));
  }

  /**
   * Writes back an object read with load(). Content is re-wrapped only when `obj.content` is set
   * and `contentChanged`; otherwise the stored wrapped material is kept as it is.
   */
  async update(obj: LoadedObject, contentChanged = false): Promise<void> {
    const rec = await this.toRecord(obj, contentChanged ? undefined : obj.material, obj.revision + 1);
    try {
      await this.store.update(rec);
    } catch (e) {
      if (e instanceof StaleRevisionError) throw new KmipError("GeneralFailure", "the object changed concurrently; retry");
      throw e;
    }
  }

  /**
   * Writes a changed object and a new one in one atomic, durable commit (Re-key: the old key's
   * Replacement link and the new key appear together or not at all).
   */
  async updateAndInsert(changed: LoadedObject, added: ManagedObject): Promise<void> {
    const upd = await this.toRecord(changed, changed.material, changed.revision + 1);
    const ins = await this.toRecord(added, undefined, 1);
    try {
      await this.store.batch([
        { kind: "update", rec: upd },
        { kind: "insert", rec: ins },
      ]);
    } catch (e) {
      if (e instanceof StaleRevisionError) throw new KmipError("GeneralFailure", "the object changed concurrently; retry");
      throw e;
    }
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

  private async toRecord(obj: ManagedObject, keep: WrappedMaterial | undefined, revision: number): Promise<ObjectRecord> {
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
