/**
 * `kmipd object show ID` / GET /v1/objects/:id: one object's metadata across accounts — type,
 * state, owner account, the KEK (id, name, version) wrapping its material, its dates — never key
 * material (the content is not even unwrapped). The admin API checks the caller may see the
 * owner account.
 */
import type { CatalogDirectory } from "../auth/directory.js";
import { enumByXmlName, enumName } from "../kmip/index.js";
import type { KmsKeyService } from "../kms/index.js";
import type { ObjectRepository } from "../operations/repository.js";
import { ItemType } from "../ttlv/index.js";
import type { ObjectInspector, ObjectView } from "./admin/types.js";

export function createObjectInspector(objects: ObjectRepository, directory: CatalogDirectory, kmsKeys: KmsKeyService): ObjectInspector {
  return {
    async inspect(id: string): Promise<ObjectView | undefined> {
      // Objects are stored per account: ask each (the admin plane is not a hot path).
      for (const account of await directory.listAccounts()) {
        if (!objects.exists(id, account.name)) continue;
        const o = await objects.load(id, account.name);
        const attr = (name: string) => o.attrs.find((a) => a.name === name)?.value;
        const named = (name: string, enumeration: string): string => {
          const v = attr(name);
          const row = enumByXmlName(enumeration);
          return v?.type === ItemType.Enumeration ? ((row && enumName(row, v.value)) ?? String(v.value)) : "-";
        };
        const dates: Record<string, string> = {};
        for (const a of o.attrs) {
          if (a.value.type === ItemType.DateTime) dates[a.name] = new Date(Number(a.value.value) * 1000).toISOString();
        }
        let kek: ObjectView["kek"];
        if (o.material) {
          const name = await kmsKeys.show(o.material.kekId).then((k) => k.name, () => undefined);
          kek = { id: o.material.kekId, version: o.material.kekVersion, ...(name ? { name } : {}) };
        }
        return { id, objectType: named("Object Type", "ObjectType"), state: named("State", "State"), ownerAccount: account.name, dates, ...(kek ? { kek } : {}) };
      }
      return undefined;
    },
  };
}
