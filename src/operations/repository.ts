/**
 * Managed objects over the store and the KMS: loading decodes attributes and, only when asked,
 * unwraps the content; saving wraps new content under the KEK the router picks for the tenant
 * (the x-kms-key attribute, else the account's default key for the Object Group). Every lookup
 * is by owner (the account), and every miss — absent, or another account's — is the same Item
 * Not Found. Operations get a TenantObjects (forTenant), which fixes the owner.
 */
import type { Tenant } from "../auth/types.js";
import type { KeyProvider } from "../keys/types.js";
import type { UnwrappedCache } from "../kms/cache.js";
import { KmsError, type KekChoice, type KekRouter } from "../kms/types.js";
import { itemNotFound, KmipError } from "../messages/index.js";
import { decodeBody, encodeBody, firstAttr, indexTerms, objectTypeOf, type ManagedObject } from "../model/index.js";
import type { ObjectRecord, ObjectStore, StoreWrite, WrappedMaterial } from "../store/types.js";
import { StaleRevisionError } from "../store/types.js";
import { ItemType, decodeTtlv, encodeTtlv, type TtlvNode } from "../ttlv/index.js";
import { accessDenied, policyAllows } from "./policy.js";
import type { WriteAudit, WriteRecord } from "./write-audit.js";

export interface LoadedObject extends ManagedObject {
  /** The wrapped material as stored, kept so an update that does not touch content re-uses it. */
  readonly material?: WrappedMaterial;
}

/** What the repository needs from the KMS: a KekRouter, or (tests, tools) one key provider's current KEK. */
export type ContentKeys = Pick<KekRouter, "kekForNew" | "wrap" | "unwrap">;

/** The custom attribute (1.x) / Vendor Attribute "x" "kms-key" (2.x) naming the KMS key of a new object. */
export const KMS_KEY_ATTRIBUTE = "x-kms-key";

export class ObjectRepository {
  protected readonly keks: ContentKeys;

  constructor(
    protected readonly store: ObjectStore,
    keys: ContentKeys | KeyProvider,
    protected readonly cache?: UnwrappedCache,
  ) {
    this.keks = "currentKek" in keys ? providerKeys(keys) : keys;
  }

  /**
   * The objects of one tenant: what operations see (ctx.objects). `credential` is the verified
   * header credential of the request ("user:…", "device:…"), if any: it becomes the creator of new
   * objects, and the "default" operation policy is applied to it (policy.ts). `admit` checks
   * every new object before it is written (the account's constraints) and throws to refuse it.
   * `audit` gives each write its audit record, committed in the same transaction (write-audit.ts).
   */
  forTenant(tenant: Tenant, o: { credential?: string; admit?: (o: ManagedObject) => void; audit?: WriteAudit } = {}): TenantObjects {
    return new TenantObjects(this, tenant, o.credential, o.admit, o.audit);
  }

  /**
   * A repository whose writes are held back until commit(): what Batch Error Continuation Option
   * Undo needs — the batch's changes become durable together, or not at all. Reads see the
   * staged writes; the index (Locate) sees only committed ones.
   */
  staged(): StagedRepository {
    return new StagedRepository(this.store, this.keks, this.cache);
  }

  /** The stored record, if it exists and `owner` owns it. */
  protected readRecord(uid: string, owner: string): ObjectRecord | undefined {
    return this.store.get(uid, owner);
  }

  /**
   * Writes records atomically and durably. With `audit`, the write's audit record is part of the
   * same transaction: both are stored or neither is, and a refused write consumes no seq.
   */
  protected async writeRecords(writes: readonly StoreWrite[], audit?: WriteAudit): Promise<void> {
    // Before the reply: a Revoke, Destroy, Re-key or Archive never leaves plaintext cached.
    for (const w of writes) this.cache?.drop(w.kind === "remove" || w.kind === "rematerial" ? w.uid : w.rec.uid);
    const step = audit?.forWrite([...new Set(writes.map((w) => (w.kind === "remove" || w.kind === "rematerial" ? w.uid : w.rec.uid)))]);
    try {
      if (step) await this.store.batch(writes, step.build);
      else if (writes.length === 1 && writes[0]!.kind === "insert") await this.store.insert(writes[0]!.rec);
      else if (writes.length === 1 && writes[0]!.kind === "update" && !writes[0]!.keepStoredMaterial) await this.store.update(writes[0]!.rec);
      else await this.store.batch(writes);
    } catch (e) {
      if (e instanceof StaleRevisionError) throw new KmipError("GeneralFailure", "the object changed concurrently; retry");
      throw e;
    }
    await step?.committed();
  }

  newUid(): string {
    return this.store.newUid();
  }

  /**
   * The object, or Item Not Found. `withContent` unwraps the key material too, after `check`
   * (which may refuse the object) has seen its attributes.
   */
  async load(uid: string, owner: string, withContent = false, check?: (o: ManagedObject) => void): Promise<LoadedObject> {
    const rec = this.readRecord(uid, owner);
    if (!rec) throw itemNotFound();
    const { attrs, creator } = decodeBody(rec.body);
    const obj: LoadedObject = { uid, owner, attrs, revision: rec.revision, material: rec.material, ...(creator !== undefined ? { creator } : {}) };
    check?.(obj);
    if (withContent && rec.material) obj.content = await this.unwrapContent(uid, rec.material);
    return obj;
  }

  exists(uid: string, owner: string): boolean {
    return this.readRecord(uid, owner) !== undefined;
  }

  /** Stores a new object; its content (if any) is wrapped first. Durable when this resolves. */
  async insert(obj: ManagedObject, tenant?: Tenant, audit?: WriteAudit): Promise<void> {
    await this.writeRecords([{ kind: "insert", rec: await this.toRecord(obj, undefined, 1, tenant) }], audit);
  }

  /**
   * Writes back an object read with load(). Content is re-wrapped only when `obj.content` is set
   * and `contentChanged`; otherwise the stored wrapped material is kept as it is.
   */
  async update(obj: LoadedObject, contentChanged = false, tenant?: Tenant, audit?: WriteAudit): Promise<void> {
    // Unchanged content keeps the stored material as of the commit: a rewrap since the load stays.
    const rec = await this.toRecord(obj, contentChanged ? undefined : obj.material, obj.revision + 1, tenant);
    await this.writeRecords([{ kind: "update", rec, keepStoredMaterial: !contentChanged }], audit);
  }

  /**
   * Writes a changed object and a new one in one atomic, durable commit (Re-key: the old key's
   * Replacement link and the new key appear together or not at all).
   */
  async updateAndInsert(changed: LoadedObject, added: ManagedObject, tenant?: Tenant, audit?: WriteAudit): Promise<void> {
    await this.writeAll([changed], [added], tenant, audit);
  }

  /**
   * Writes changed objects and new ones in one atomic, durable commit (a key pair and, for
   * Re-key Key Pair, the links on the pair it replaces).
   */
  async writeAll(changed: readonly LoadedObject[], added: readonly ManagedObject[], tenant?: Tenant, audit?: WriteAudit): Promise<void> {
    const writes: StoreWrite[] = [];
    for (const c of changed) writes.push({ kind: "update", rec: await this.toRecord(c, c.material, c.revision + 1, tenant), keepStoredMaterial: true });
    for (const a of added) writes.push({ kind: "insert", rec: await this.toRecord(a, undefined, 1, tenant) });
    await this.writeRecords(writes, audit);
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

  protected async toRecord(obj: ManagedObject, keep: WrappedMaterial | undefined, revision: number, tenant?: Tenant): Promise<ObjectRecord> {
    let material = keep;
    if (!material && obj.content) material = await this.wrapContent(obj, tenant ?? ownerTenant(obj.owner));
    // Objects per KEK version are counted by the store's (KEK, version) index, from `material`.
    const terms = indexTerms(obj);
    return { uid: obj.uid, owner: obj.owner, body: encodeBody(obj.attrs, obj.creator), material, terms, revision };
  }

  private async wrapContent(obj: ManagedObject, tenant: Tenant): Promise<WrappedMaterial> {
    const requested = textAttr(obj, KMS_KEY_ATTRIBUTE);
    // The server's default group ("default", common.ts) is no group: service "kmip".
    const group = textAttr(obj, "Object Group");
    const service = group === "default" ? undefined : group;
    const kek = await kms(() => this.keks.kekForNew(tenant, { ...(requested !== undefined ? { requested } : {}), ...(service ? { service } : {}) }));
    const plain = encodeTtlv(obj.content!);
    try {
      const blob = await kms(() => this.keks.wrap(kek, plain));
      return { kekId: kek.keyId, kekVersion: kek.version, algorithm: "AES-KWP", blob };
    } finally {
      plain.fill(0);
    }
  }

  private async unwrapContent(uid: string, m: WrappedMaterial): Promise<TtlvNode> {
    const plain = this.cache?.get(uid, m) ?? (await kms(() => this.keks.unwrap({ keyId: m.kekId, version: m.kekVersion }, m.blob)));
    try {
      this.cache?.set(uid, m, plain);
      return decodeTtlv(plain, { maxMessageSize: plain.length, maxItems: 1 << 20 });
    } finally {
      plain.fill(0);
    }
  }
}

/** KMS failures as KMIP answers; their messages name no secret and no other account's key. */
async function kms<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (!(e instanceof KmsError)) throw e;
    const reason = e.code === "invalid" ? "InvalidField" : e.code === "forbidden" ? "PermissionDenied" : "GeneralFailure";
    throw new KmipError(reason, e.message);
  }
}

function textAttr(obj: ManagedObject, name: string): string | undefined {
  const v = firstAttr(obj, name)?.value;
  return v && v.type === ItemType.TextString ? v.value : undefined;
}

/** The tenant an owner stands for when no directory is in play (tests, tools): its own account. */
function ownerTenant(owner: string): Tenant {
  return { principal: owner, account: owner, domain: "default", zone: "default", role: "user" };
}

/** One key provider's current KEK for everything: the repository without a KMS (tests, tools). */
function providerKeys(p: KeyProvider): ContentKeys {
  return {
    async kekForNew(): Promise<KekChoice> {
      const r = await p.currentKek();
      return { keyId: r.id, version: r.version };
    },
    wrap: (k, plain) => p.wrap({ id: k.keyId, version: k.version }, plain),
    unwrap: (k, blob) => p.unwrap({ id: k.keyId, version: k.version }, blob),
  };
}

/**
 * One tenant's view of the repository: the owner is the tenant's account, fixed here, so an
 * operation cannot name another owner. New objects must be owned by that account.
 */
export class TenantObjects {
  /** The operation of the batch item being run (set by the executor): what the operation policy decides on. */
  operation?: number;

  constructor(
    readonly repository: ObjectRepository,
    readonly tenant: Tenant,
    /** The request's verified header credential, if any. */
    readonly credential?: string,
    /** Checks every new object before it is written (the account's constraints); throws to refuse. */
    private readonly admit?: (o: ManagedObject) => void,
    /** Gives each write its audit record in the same transaction (the executor's, per message). */
    private readonly audit?: WriteAudit,
  ) {}

  /**
   * The same view for another batch item run apart (a deferred one): its own operation. Its
   * writes carry no audit record of their own (the item was recorded as pending; see docs/AUDIT.md).
   */
  fork(): TenantObjects {
    // the account's constraints still apply; the message's audit does not (it moved on to other items)
    const f = new TenantObjects(this.repository, this.tenant, this.credential, this.admit);
    f.operation = this.operation;
    return f;
  }

  /** Whether the operation policy lets this request's credential run the current operation on `o`. */
  permits(o: ManagedObject): boolean {
    return policyAllows({ objectType: objectTypeOf(o), ...(o.creator !== undefined ? { creator: o.creator } : {}) }, this.credential, this.operation);
  }

  /** The owner of everything this view reads and writes. */
  get owner(): string {
    return this.tenant.account;
  }
  newUid(): string {
    return this.repository.newUid();
  }
  /** The object the operation acts on: Permission Denied when the operation policy keeps it from this credential. */
  load(uid: string, withContent = false): Promise<LoadedObject> {
    return this.repository.load(uid, this.owner, withContent, (o) => {
      if (!this.permits(o)) throw accessDenied();
    });
  }
  /** The object's attributes without the policy check: for looking at other objects (name uniqueness, Locate's filter). */
  peek(uid: string): Promise<LoadedObject> {
    return this.repository.load(uid, this.owner);
  }
  exists(uid: string): boolean {
    return this.repository.exists(uid, this.owner);
  }
  insert(obj: ManagedObject): Promise<void> {
    return this.repository.insert(this.admitted(obj), this.tenant, this.audit);
  }
  update(obj: LoadedObject, contentChanged = false): Promise<void> {
    return this.repository.update(this.mine(obj), contentChanged, this.tenant, this.audit);
  }
  updateAndInsert(changed: LoadedObject, added: ManagedObject): Promise<void> {
    return this.repository.updateAndInsert(this.mine(changed), this.admitted(added), this.tenant, this.audit);
  }
  /** Changed and new objects in one atomic write (so one audit record names them all). */
  writeAll(changed: readonly LoadedObject[], added: readonly ManagedObject[]): Promise<void> {
    return this.repository.writeAll(changed.map((c) => this.mine(c)), added.map((a) => this.admitted(a)), this.tenant, this.audit);
  }
  findByTerm(term: string): Iterable<string> {
    return this.repository.findByTerm(this.owner, term);
  }
  countByTerm(term: string): number {
    return this.repository.countByTerm(this.owner, term);
  }
  list(): Iterable<string> {
    return this.repository.listByOwner(this.owner);
  }

  /**
   * A new object: it records the credential that created it (kept if set, e.g. Import over an
   * object), then passes the account's constraints.
   */
  private admitted<T extends ManagedObject>(o: T): T {
    this.mine(o);
    if (this.credential !== undefined && o.creator === undefined) o.creator = this.credential;
    this.admit?.(o);
    return o;
  }

  private mine<T extends ManagedObject>(o: T): T {
    if (o.owner !== this.owner) throw new Error("internal: an object of another owner reached a tenant's repository");
    return o;
  }
}

/** Writes held in memory until commit(); see ObjectRepository.staged(). */
export class StagedRepository extends ObjectRepository {
  /** Latest staged record per uid, and the stored revision it replaces (undefined: a new object). */
  private readonly pending = new Map<string, { rec: ObjectRecord; base: number | undefined; keep?: boolean }>();

  protected override readRecord(uid: string, owner: string): ObjectRecord | undefined {
    const p = this.pending.get(uid);
    if (p) return p.rec.owner === owner ? p.rec : undefined;
    return super.readRecord(uid, owner);
  }

  /** Staged writes carry no audit record: the batch's records go with commit(). */
  protected override async writeRecords(writes: readonly StoreWrite[]): Promise<void> {
    for (const w of writes) {
      if (w.kind === "insert") {
        this.pending.set(w.rec.uid, { rec: w.rec, base: undefined });
      } else if (w.kind === "update") {
        const cur = this.readRecord(w.rec.uid, w.rec.owner);
        if (!cur || cur.revision + 1 !== w.rec.revision) throw new KmipError("GeneralFailure", "the object changed concurrently; retry");
        const prev = this.pending.get(w.rec.uid);
        // Keeps the stored material only if no staged write of this object changed the content.
        const keep = w.keepStoredMaterial === true && (prev ? prev.keep === true : true);
        this.pending.set(w.rec.uid, { rec: w.rec, base: prev ? prev.base : cur.revision, keep });
      } else {
        throw new Error("internal: removal is not staged");
      }
    }
  }

  /**
   * Makes every staged write durable in one atomic commit; with `audit`, the batch's records are
   * written in that same transaction (even when the batch wrote nothing).
   */
  async commit(audit?: WriteRecord): Promise<void> {
    const writes: StoreWrite[] = [...this.pending.values()].map(({ rec, base, keep }) =>
      base === undefined ? { kind: "insert", rec: { ...rec, revision: 1 } } : { kind: "update", rec: { ...rec, revision: base + 1 }, keepStoredMaterial: keep === true },
    );
    this.pending.clear();
    if (writes.length > 0 || audit) await super.writeRecords(writes, audit && { forWrite: () => audit });
  }
}

