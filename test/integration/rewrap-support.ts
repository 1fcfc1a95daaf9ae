/** Many symmetric keys registered fast (batched Register) under a named KMS key; and read back in batches. */
import { randomBytes } from "node:crypto";
import { expect } from "chai";
import { attributesNode, type KmipClient } from "../../src/client/index.js";
import { Enums, Masks, Tag } from "../../src/kmip/index.js";
import { ItemType, bytes, enumeration, integer, struct, text, type StructureNode } from "../../src/ttlv/index.js";

/** Registers `n` random AES-256 keys under KMS key `kmsKey`, `perBatch` per request; uid → bytes. */
export async function registerMany(c: KmipClient, n: number, kmsKey: string, perBatch: number): Promise<Map<string, Buffer>> {
  const originals = new Map<string, Buffer>();
  for (let done = 0; done < n; done += perBatch) {
    const keys = Array.from({ length: Math.min(perBatch, n - done) }, () => randomBytes(32));
    const res = await c.batch(
      keys.map((k) => ({
        operation: Enums.Operation.Register,
        payload: [
          enumeration(Tag.ObjectType, Enums.ObjectType.SymmetricKey),
          attributesNode([{ name: "Cryptographic Usage Mask", value: integer(0, Masks.CryptographicUsageMask.Encrypt) }, { name: "x-kms-key", value: text(Tag.AttributeValue, kmsKey) }], "1.4"),
          struct(Tag.SymmetricKey, [
            struct(Tag.KeyBlock, [enumeration(Tag.KeyFormatType, Enums.KeyFormatType.Raw), struct(Tag.KeyValue, [bytes(Tag.KeyMaterial, k)]), enumeration(Tag.CryptographicAlgorithm, Enums.CryptographicAlgorithm.AES), integer(Tag.CryptographicLength, 256)]),
          ]),
        ],
      })),
    );
    res.forEach((r, i) => {
      expect(r.status, r.message).to.equal(Enums.ResultStatus.Success);
      const uid = r.payload!.children.find((x) => x.tag === Tag.UniqueIdentifier) as { value: string };
      originals.set(uid.value, keys[i]!);
    });
  }
  return originals;
}

/** Gets every key, `perBatch` per request, and checks its bytes; returns how many matched. */
export async function checkAll(c: KmipClient, originals: ReadonlyMap<string, Buffer>, perBatch: number): Promise<number> {
  const uids = [...originals.keys()];
  let ok = 0;
  for (let i = 0; i < uids.length; i += perBatch) {
    const slice = uids.slice(i, i + perBatch);
    const res = await c.batch(slice.map((u) => ({ operation: Enums.Operation.Get, payload: [text(Tag.UniqueIdentifier, u)] })));
    res.forEach((r, j) => {
      expect(r.status, `Get ${slice[j]}: ${r.message}`).to.equal(Enums.ResultStatus.Success);
      const material = findBytes(r.payload!, Tag.KeyMaterial);
      expect(material && Buffer.from(material).equals(originals.get(slice[j]!)!), `bytes of ${slice[j]}`).to.equal(true);
      ok++;
    });
  }
  return ok;
}

function findBytes(node: StructureNode, tag: number): Uint8Array | undefined {
  for (const c of node.children) {
    if (c.tag === tag && c.type === ItemType.ByteString) return (c as unknown as { value: Uint8Array }).value;
    if ("children" in c) {
      const hit = findBytes(c as StructureNode, tag);
      if (hit) return hit;
    }
  }
  return undefined;
}
