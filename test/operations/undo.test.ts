import { expect } from "chai";
import { Enums, Masks, Tag } from "../../src/kmip/index.js";
import { enumeration, integer, struct, text, type StructureNode } from "../../src/ttlv/index.js";
import { OK, engine, val } from "./harness.js";

const Op = Enums.Operation;
const undo = [enumeration(Tag.BatchErrorContinuationOption, Enums.BatchErrorContinuationOption.Undo)];
const aes = () => [
  enumeration(Tag.ObjectType, Enums.ObjectType.SymmetricKey),
  struct(Tag.Attributes, [
    enumeration(Tag.CryptographicAlgorithm, Enums.CryptographicAlgorithm.AES),
    integer(Tag.CryptographicLength, 256),
    integer(Tag.CryptographicUsageMask, Masks.CryptographicUsageMask.Encrypt),
  ]),
];
const items = (res: StructureNode) => res.children.slice(1) as StructureNode[];
const stateOf = async (e: ReturnType<typeof engine>, uid: string) => {
  const r = await e.op(Op.GetAttributes, [text(Tag.UniqueIdentifier, uid), enumeration(Tag.AttributeReference, Tag.State)], "2.1");
  const attrs = r.payload!.children.find((c) => c.tag === Tag.Attributes) as StructureNode;
  return val(attrs, Tag.State);
};

describe("engine: Batch Error Continuation Option Undo", () => {
  it("a failure undoes the batch: earlier items answer Operation Undone and nothing changed", async () => {
    const e = engine();
    const uid = val((await e.op(Op.Create, aes(), "2.1")).payload, Tag.UniqueIdentifier) as string;
    const before = e.store.records.size;
    const res = await e.batch(
      [
        { operation: Op.Activate, payload: [text(Tag.UniqueIdentifier, uid)], id: Buffer.from([1]) },
        { operation: Op.Create, payload: aes(), id: Buffer.from([2]) },
        { operation: Op.Check, payload: [text(Tag.UniqueIdentifier, uid), integer(Tag.CryptographicUsageMask, Masks.CryptographicUsageMask.Decrypt)], id: Buffer.from([3]) },
      ],
      "2.1",
      "alice",
      undo,
    );
    const [a, c, k] = items(res);
    expect(val(a!, Tag.ResultStatus)).to.equal(Enums.ResultStatus.OperationUndone);
    expect(val(c!, Tag.ResultStatus)).to.equal(Enums.ResultStatus.OperationUndone);
    expect(val(k!, Tag.ResultStatus)).to.equal(Enums.ResultStatus.OperationFailed);
    expect(await stateOf(e, uid)).to.equal(Enums.State.PreActive);
    expect(e.store.records.size, "the Create inside the undone batch left nothing").to.equal(before);
  });

  it("a batch that succeeds is committed whole, and later items see earlier ones", async () => {
    const e = engine();
    const uid = val((await e.op(Op.Create, aes(), "2.1")).payload, Tag.UniqueIdentifier) as string;
    const res = await e.batch(
      [
        { operation: Op.Activate, payload: [text(Tag.UniqueIdentifier, uid)], id: Buffer.from([1]) },
        { operation: Op.Check, payload: [text(Tag.UniqueIdentifier, uid), integer(Tag.CryptographicUsageMask, Masks.CryptographicUsageMask.Encrypt)], id: Buffer.from([2]) },
        { operation: Op.Get, payload: [text(Tag.UniqueIdentifier, uid)], id: Buffer.from([3]) },
      ],
      "2.1",
      "alice",
      undo,
    );
    for (const it of items(res)) expect(val(it, Tag.ResultStatus), String(val(it, Tag.ResultMessage))).to.equal(OK);
    expect(await stateOf(e, uid)).to.equal(Enums.State.Active);
    // Get in the batch cleared Fresh on the staged copy; the commit kept both changes
    const fresh = await e.op(Op.GetAttributes, [text(Tag.UniqueIdentifier, uid), enumeration(Tag.AttributeReference, Tag.Fresh)], "2.1");
    expect(val(fresh.payload!.children.find((c) => c.tag === Tag.Attributes) as StructureNode, Tag.Fresh)).to.equal(false);
  });
});
