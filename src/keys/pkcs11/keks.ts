/**
 * KEK versions as token objects. A KEK named N has one object per version, all with
 * CKA_LABEL = N and CKA_ID = "N#v<version>" (UTF-8), so one FindObjects by label lists the
 * versions and label + id names exactly one. Object handles are cached (a few per KEK) for the
 * life of one connection epoch: a re-initialized module hands out new handles.
 */
import { KeyProviderError, type KekBits, type KekRef } from "../types.js";
import { P, type Handle, type Pkcs11Api } from "./module.js";
import { kekSearch, kekTemplate } from "./templates.js";

const MAX_CACHED = 256;

export function kekObjectId(ref: KekRef): Buffer {
  return Buffer.from(`${ref.id}#v${ref.version}`, "utf8");
}

export class KekDirectory {
  private readonly handles = new Map<string, Handle>();
  private epoch = -1;

  /**
   * The handle of a KEK version; `probe` is called when none is found, to tell a token that
   * stopped answering (transient) from a KEK that does not exist (permanent).
   */
  find(api: Pkcs11Api, s: Handle, epoch: number, ref: KekRef, probe: () => void): Handle {
    this.sync(epoch);
    const key = `${ref.id}\0${ref.version}`;
    const cached = this.handles.get(key);
    if (cached) return cached;
    const found = findAll(api, s, kekSearch(ref.id, kekObjectId(ref)), 2);
    if (found.length === 0) {
      probe();
      throw new KeyProviderError(`KEK ${ref.id} version ${ref.version} is not in the HSM token`);
    }
    if (found.length > 1) throw new KeyProviderError(`KEK ${ref.id} version ${ref.version} is ambiguous: ${found.length} token objects carry its id`);
    if (this.handles.size >= MAX_CACHED) this.handles.delete(this.handles.keys().next().value!);
    this.handles.set(key, found[0]!);
    return found[0]!;
  }

  /** The highest version of the KEK named `label` in the token, or 0 when there is none. */
  latestVersion(api: Pkcs11Api, s: Handle, label: string): number {
    let latest = 0;
    const prefix = `${label}#v`;
    for (const h of findAll(api, s, kekSearch(label), 1000)) {
      const [attr] = api.C_GetAttributeValue(s, h, [{ type: P.CKA_ID }]);
      const id = attr?.value instanceof Buffer ? attr.value.toString("utf8") : "";
      if (!id.startsWith(prefix)) continue; // an object of the same label not made by kmipd
      const v = Number(id.slice(prefix.length));
      if (Number.isSafeInteger(v) && v > latest) latest = v;
    }
    return latest;
  }

  /** Generate a KEK version inside the token (never extractable) and cache its handle. */
  async generate(api: Pkcs11Api, s: Handle, epoch: number, ref: KekRef, bits: KekBits): Promise<Handle> {
    this.sync(epoch);
    const h = await api.C_GenerateKeyAsync(s, { mechanism: P.CKM_AES_KEY_GEN }, kekTemplate(ref.id, kekObjectId(ref), bits));
    this.handles.set(`${ref.id}\0${ref.version}`, h);
    return h;
  }

  /**
   * C_DestroyObject on every token object of a KEK version (normally one) and forget its handle;
   * how many were destroyed (0: already gone).
   */
  destroy(api: Pkcs11Api, s: Handle, epoch: number, ref: KekRef): number {
    this.sync(epoch);
    this.handles.delete(`${ref.id}\0${ref.version}`);
    const found = findAll(api, s, kekSearch(ref.id, kekObjectId(ref)), 16);
    for (const h of found) api.C_DestroyObject(s, h);
    return found.length;
  }

  /** Forget every handle (a stale-handle error, or a new epoch). */
  clear(): void {
    this.handles.clear();
  }

  private sync(epoch: number): void {
    if (epoch === this.epoch) return;
    this.handles.clear();
    this.epoch = epoch;
  }
}

function findAll(api: Pkcs11Api, s: Handle, template: Parameters<Pkcs11Api["C_FindObjectsInit"]>[1], max: number): Handle[] {
  api.C_FindObjectsInit(s, template);
  try {
    return api.C_FindObjects(s, max);
  } finally {
    api.C_FindObjectsFinal(s);
  }
}
