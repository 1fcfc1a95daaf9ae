import { expect } from "chai";
import { Enums, Tag } from "../../src/kmip/index.js";
import { boolean, bytes, enumeration, type StructureNode } from "../../src/ttlv/index.js";
import { Op, createKey, nameAttr, query } from "./attr-helpers.js";
import { OK, engine, result, val } from "./harness.js";

const S = Enums.ResultStatus;

describe("engine: asynchronous operations (Operation Pending, Poll, Cancel)", () => {
  it("defers a Locate the client allows to be asynchronous; Poll runs it and answers as Locate", async () => {
    const e = engine();
    const uid = await createKey(e, "1.1", [nameAttr("async-1")]);
    const locate = { operation: Op.Locate, payload: query("1.1", [nameAttr("async-1")]) };
    const pending = result((await e.batch([locate], "1.1", "alice", [boolean(Tag.AsynchronousIndicator, true)])).children[1] as StructureNode);
    expect(pending.status).to.equal(S.OperationPending);
    const acv = pending.node.children.find((c) => c.tag === Tag.AsynchronousCorrelationValue) as { value: Uint8Array };
    expect(acv.value).to.have.length(16);
    expect(await e.op(Op.Poll, [bytes(Tag.AsynchronousCorrelationValue, acv.value)], "1.1", "bob").then((r) => r.status)).to.equal(S.OperationFailed);
    const polled = await e.op(Op.Poll, [bytes(Tag.AsynchronousCorrelationValue, acv.value)], "1.1");
    expect(polled.status, polled.message).to.equal(OK);
    expect(val(polled.node, Tag.Operation)).to.equal(Op.Locate);
    expect(val(polled.payload, Tag.UniqueIdentifier)).to.equal(uid);
    expect((await e.op(Op.Poll, [bytes(Tag.AsynchronousCorrelationValue, acv.value)], "1.1")).status, "a result is given once").to.equal(S.OperationFailed);
  });

  it("Cancel drops a pending operation; an unknown value is Unavailable", async () => {
    const e = engine();
    const r = await e.batch([{ operation: Op.Locate, payload: [] }], "2.1", "alice", [enumeration(Tag.AsynchronousIndicator, Enums.AsynchronousIndicator.Optional)]);
    const acv = (r.children[1] as StructureNode).children.find((c) => c.tag === Tag.AsynchronousCorrelationValue) as { value: Uint8Array };
    const c1 = await e.op(Op.Cancel, [bytes(Tag.AsynchronousCorrelationValue, acv.value)], "2.1");
    expect(val(c1.payload, Tag.CancellationResult)).to.equal(Enums.CancellationResult.Canceled);
    const c2 = await e.op(Op.Cancel, [bytes(Tag.AsynchronousCorrelationValue, acv.value)], "2.1");
    expect(val(c2.payload, Tag.CancellationResult)).to.equal(Enums.CancellationResult.Unavailable);
  });

  it("answers at once without the indicator, when Prohibited, and for operations it never defers", async () => {
    const e = engine();
    const now = await e.batch([{ operation: Op.Locate, payload: [] }], "2.1", "alice", [enumeration(Tag.AsynchronousIndicator, Enums.AsynchronousIndicator.Prohibited)]);
    expect(val(now.children[1] as StructureNode, Tag.ResultStatus)).to.equal(OK);
    const get = await e.batch([{ operation: Op.Query, payload: [enumeration(Tag.QueryFunction, Enums.QueryFunction.QueryOperations)] }], "1.4", "alice", [boolean(Tag.AsynchronousIndicator, true)]);
    expect(val(get.children[1] as StructureNode, Tag.ResultStatus)).to.equal(OK);
  });
});
