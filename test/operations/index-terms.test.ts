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

describe("engine: server-maintained attributes and the compat setting", () => {
  const create = (e: ReturnType<typeof engine>, version: "1.4" | "2.1") =>
    e.op(
      Op.Create,
      [
        enumeration(Tag.ObjectType, Enums.ObjectType.SymmetricKey),
        version === "2.1"
          ? struct(Tag.Attributes, [enumeration(Tag.CryptographicAlgorithm, Enums.CryptographicAlgorithm.AES)])
          : struct(Tag.TemplateAttribute, [struct(Tag.Attribute, [text(Tag.AttributeName, "Cryptographic Algorithm"), enumeration(Tag.AttributeValue, Enums.CryptographicAlgorithm.AES)])]),
      ],
      version,
    );
  const names = (p: { children: { tag: number; type: number; value?: unknown; children?: unknown }[] } | undefined): string[] =>
    (p?.children ?? []).filter((c) => c.tag === Tag.AttributeName).map((c) => c.value as string);

  it("keeps Fresh true until the key is first returned, and lists the 1.4 attributes in Get Attribute List", async () => {
    const e = engine({ quietAttributes: new Set(["Original Creation Date", "Always Sensitive"]) });
    const uid = val((await create(e, "1.4")).payload, Tag.UniqueIdentifier) as string;
    const list = names((await e.op(Op.GetAttributeList, [text(Tag.UniqueIdentifier, uid)], "1.4")).payload as never);
    expect(list).to.include.members(["Fresh", "Sensitive", "Always Sensitive", "Extractable", "Never Extractable", "Original Creation Date", "Random Number Generator"]);
    expect(list).not.to.include("Short Unique Identifier"); // 2.x only
    const fresh = async () => {
      const r = await e.op(Op.GetAttributes, [text(Tag.UniqueIdentifier, uid), text(Tag.AttributeName, "Fresh")], "1.4");
      const a = r.payload!.children.find((c) => c.tag === Tag.Attribute) as { children: { tag: number; value?: unknown }[] };
      return a.children.find((c) => c.tag === Tag.AttributeValue)!.value;
    };
    expect(await fresh()).to.equal(true);
    expect((await e.op(Op.Get, [text(Tag.UniqueIdentifier, uid)], "1.4")).status).to.equal(OK);
    expect(await fresh()).to.equal(false);
  });

  it("leaves the quiet attributes out of an unfiltered Get Attributes only (named, they are returned)", async () => {
    const quiet = new Set(["Original Creation Date", "Always Sensitive"]);
    const e = engine({ quietAttributes: quiet });
    const uid = val((await create(e, "1.4")).payload, Tag.UniqueIdentifier) as string;
    const all = await e.op(Op.GetAttributes, [text(Tag.UniqueIdentifier, uid)], "1.4");
    const allNames = (all.payload!.children.filter((c) => c.tag === Tag.Attribute) as { children: { tag: number; value?: unknown }[] }[]).map((a) => a.children[0]!.value);
    expect(allNames).not.to.include("Original Creation Date");
    expect(allNames).to.include("Fresh");
    const named = await e.op(Op.GetAttributes, [text(Tag.UniqueIdentifier, uid), text(Tag.AttributeName, "Original Creation Date")], "1.4");
    expect(named.payload!.children.some((c) => c.tag === Tag.Attribute)).to.equal(true);
    const complete = engine();
    const uid2 = val((await create(complete, "1.4")).payload, Tag.UniqueIdentifier) as string;
    const all2 = await complete.op(Op.GetAttributes, [text(Tag.UniqueIdentifier, uid2)], "1.4");
    const all2Names = (all2.payload!.children.filter((c) => c.tag === Tag.Attribute) as { children: { value?: unknown }[] }[]).map((a) => a.children[0]!.value);
    expect(all2Names).to.include("Original Creation Date");
  });
});
