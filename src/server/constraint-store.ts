/**
 * Each account's constraints (Set/Get Constraints, operations/constraints.ts), kept in the catalog
 * as the TTLV the client sent, and cached in memory: every new object is checked against them.
 */
import type { ConstraintStore } from "../operations/constraints.js";
import type { CatalogStorage } from "../store/types.js";
import { decodeTtlv, encodeTtlv, type StructureNode } from "../ttlv/index.js";

const keyOf = (account: string): string => `constraints:${account}`;

export function catalogConstraintStore(catalog: CatalogStorage): ConstraintStore {
  const cache = new Map<string, StructureNode | null>();
  return {
    get(account) {
      let c = cache.get(account);
      if (c === undefined) {
        const b = catalog.catalogGet("catalogmeta", keyOf(account));
        c = b ? (decodeTtlv(b, { maxMessageSize: b.length, maxItems: 1 << 16 }) as StructureNode) : null;
        cache.set(account, c);
      }
      return c ?? undefined;
    },
    async set(account, constraints) {
      await catalog.catalogWrite([{ table: "catalogmeta", key: keyOf(account), value: constraints ? encodeTtlv(constraints) : undefined }]);
      cache.set(account, constraints ?? null);
    },
  };
}
