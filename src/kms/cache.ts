/**
 * The unwrapped-content cache: plaintext object content by uid, so a hot key is not unwrapped
 * by the HSM on every Get or Encrypt. Bounded by entries (least recently used goes first) and by
 * age. An entry is used only for the very wrapped blob it was made from; it is dropped when the
 * object changes (the repository does that on every write, before the reply) and when its KMS
 * key is disabled, rotated or deleted. The trade-off — plaintext DEKs in process memory for up to
 * ttl — is in docs/TENANCY.md. Evicted plaintext is zeroed.
 */
export interface CacheSettings {
  /** 0 disables the cache. */
  readonly maxEntries: number;
  readonly ttlSec: number;
}

interface Entry {
  readonly kekId: string;
  readonly kekVersion: number;
  readonly blob: Buffer;
  readonly plain: Buffer;
  readonly at: number;
}

export class UnwrappedCache {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly settings: CacheSettings,
    private readonly clock: () => number = Date.now,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  /** A copy of the cached plaintext for `uid`, if it was unwrapped from this very material. */
  get(uid: string, m: { kekId: string; kekVersion: number; blob: Uint8Array }): Buffer | undefined {
    const e = this.entries.get(uid);
    if (!e) return undefined;
    if (this.clock() - e.at > this.settings.ttlSec * 1000 || e.kekId !== m.kekId || e.kekVersion !== m.kekVersion || !e.blob.equals(m.blob)) {
      this.drop(uid);
      return undefined;
    }
    this.entries.delete(uid); // re-insert: Map order is the LRU order
    this.entries.set(uid, e);
    return Buffer.from(e.plain);
  }

  set(uid: string, m: { kekId: string; kekVersion: number; blob: Uint8Array }, plain: Uint8Array): void {
    if (this.settings.maxEntries <= 0 || this.settings.ttlSec <= 0) return;
    this.drop(uid);
    this.entries.set(uid, { kekId: m.kekId, kekVersion: m.kekVersion, blob: Buffer.from(m.blob), plain: Buffer.from(plain), at: this.clock() });
    while (this.entries.size > this.settings.maxEntries) this.drop(this.entries.keys().next().value as string);
  }

  drop(uid: string): void {
    const e = this.entries.get(uid);
    if (!e) return;
    e.plain.fill(0);
    this.entries.delete(uid);
  }

  /** Drops every entry wrapped under a KMS key (any version). */
  dropKek(kekId: string): void {
    for (const [uid, e] of this.entries) if (e.kekId === kekId) this.drop(uid);
  }

  clear(): void {
    for (const uid of [...this.entries.keys()]) this.drop(uid);
  }
}
