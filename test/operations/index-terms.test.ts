import { expect } from "chai";
import { Enums, Tag } from "../../src/kmip/index.js";
import { text, struct, enumeration, integer } from "../../src/ttlv/index.js";
import { OK, engine, val } from "./harness.js";

const Op = Enums.Operation;

describe("engine: what is indexed, and Locate on what is not", () => {
  async function created() {
    const e = engine();
    const r = await e.op(
      Op.Create,
      [
        enumeration(Tag.ObjectType, Enums.ObjectType.SymmetricKey),
        struct(Tag.Attributes, [enumeration(Tag.CryptographicAlgorithm, Enums.CryptographicAlgorithm.AES), integer(Tag.CryptographicLength, 256)]),
      ],
      "2.1",
    );
    expect(r.status, r.message).to.equal(OK);
    return { e, uid: val(r.payload, Tag.UniqueIdentifier) as string };
  }

  it("keeps unique values and dates out of the index (they cost a key and a counter each)", async () => {
    const { e, uid } = await created();
    const terms = e.store.records.get(uid)!.terms;
    expect(terms.some((t) => t.startsWith("Unique Identifier="))).to.equal(false);
    expect(terms.some((t) => t.startsWith("Digest"))).to.equal(false);
    expect(terms.some((t) => t.startsWith("Initial Date=") || t.startsWith("Last Change Date="))).to.equal(false);
    expect(terms.some((t) => t.startsWith("Cryptographic Algorithm="))).to.equal(true);
  });

  it("Locate by an unindexed attribute (Unique Identifier) still finds the object by scanning", async () => {
    const { e, uid } = await created();
    await created(); // another engine: irrelevant; and a second object here:
    await e.op(Op.Create, [enumeration(Tag.ObjectType, Enums.ObjectType.SymmetricKey), struct(Tag.Attributes, [enumeration(Tag.CryptographicAlgorithm, Enums.CryptographicAlgorithm.AES)])], "2.1");
    const r = await e.op(Op.Locate, [struct(Tag.Attributes, [text(Tag.UniqueIdentifier, uid)])], "2.1");
    expect(r.status, r.message).to.equal(OK);
    expect(r.payload!.children.filter((c) => c.tag === Tag.UniqueIdentifier).map((c) => (c as { value: string }).value)).to.deep.equal([uid]);
  });
});
