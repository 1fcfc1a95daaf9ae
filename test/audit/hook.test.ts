import { expect } from "chai";
import type { AuditLog, NewAuditRecord } from "../../src/audit/index.js";
import { Enums, Tag } from "../../src/kmip/index.js";
import type { RequestBatchItem, ResponseItem } from "../../src/messages/index.js";
import { StructReader } from "../../src/messages/index.js";
import { AUDIT_UNAVAILABLE, createAuditHook } from "../../src/server/audit-hook.js";
import { struct, text } from "../../src/ttlv/index.js";

const rctx = { principal: "p1", peer: "10.0.0.1:5000", connectionId: 7 };

function fakeLog(fail = false): AuditLog & { got: NewAuditRecord[] } {
  const got: NewAuditRecord[] = [];
  return {
    got,
    async append(rs) {
      if (fail) throw new Error("disk full");
      got.push(...rs);
      return rs.map((r, i) => ({ ...r, seq: i + 1 }));
    },
    list: () => [],
    verify: () => ({ ok: true, checked: 0 }),
    lastSeq: () => 0,
    close: async () => undefined,
  };
}

const item = (operation: number, uid?: string): RequestBatchItem => ({
  operation,
  extensions: [],
  ...(uid === undefined ? {} : { payload: new StructReader(struct(Tag.RequestPayload, [text(Tag.UniqueIdentifier, uid)])) }),
});

describe("audit hook", () => {
  it("one record per answered item: operation name, ids from request and response, result and reason (not the error text)", async () => {
    const log = fakeLog();
    const hook = createAuditHook(log, { error: () => undefined }, () => 1234);
    const items = [item(Enums.Operation.Create), item(Enums.Operation.Get, "u-1"), item(Enums.Operation.CreateKeyPair), item(Enums.Operation.Locate)];
    const results: ResponseItem[] = [
      { operation: Enums.Operation.Create, status: Enums.ResultStatus.Success, payload: [text(Tag.UniqueIdentifier, "u-1")] },
      { operation: Enums.Operation.Get, status: Enums.ResultStatus.OperationFailed, reason: "ItemNotFound", message: "not found" },
      { operation: Enums.Operation.CreateKeyPair, status: Enums.ResultStatus.OperationUndone, payload: [text(Tag.PrivateKeyUniqueIdentifier, "priv"), text(Tag.PublicKeyUniqueIdentifier, "pub")] },
    ];
    const out = await hook(items, results, rctx);
    expect(out).to.deep.equal(results);
    expect(log.got).to.deep.equal([
      { time: 1234, principal: "p1", clientAddress: "10.0.0.1:5000", operation: "Create", objectIds: ["u-1"], result: "success" },
      { time: 1234, principal: "p1", clientAddress: "10.0.0.1:5000", operation: "Get", objectIds: ["u-1"], result: "failure", reason: "ItemNotFound" },
      { time: 1234, principal: "p1", clientAddress: "10.0.0.1:5000", operation: "CreateKeyPair", objectIds: ["priv", "pub"], result: "undone" },
    ]);
  });

  it("a Locate with more ids than a record keeps says how many it left out", async () => {
    const log = fakeLog();
    const ids = Array.from({ length: 300 }, (_, i) => text(Tag.UniqueIdentifier, `u-${i}`));
    await createAuditHook(log, { error: () => undefined })([item(Enums.Operation.Locate)], [{ operation: Enums.Operation.Locate, status: Enums.ResultStatus.Success, payload: ids }], rctx);
    expect(log.got[0]!.objectIds).to.have.length(256);
    expect(log.got[0]!.message).to.equal("44 more object ids not recorded");
  });

  it("when the append fails, every item is answered General Failure and the error is logged", async () => {
    const errors: unknown[] = [];
    const hook = createAuditHook(fakeLog(true), { error: (o) => errors.push(o) });
    const uid = new Uint8Array([1, 2]);
    const out = await hook([item(Enums.Operation.Get, "x")], [{ operation: Enums.Operation.Get, uniqueBatchItemId: uid, status: Enums.ResultStatus.Success, payload: [] }], rctx);
    expect(out).to.deep.equal([{ operation: Enums.Operation.Get, uniqueBatchItemId: uid, status: Enums.ResultStatus.OperationFailed, reason: "GeneralFailure", message: AUDIT_UNAVAILABLE }]);
    expect(errors).to.have.length(1);
  });

  it("skips items already recorded with their write when they succeeded; a failed append fails only the items it would have recorded", async () => {
    const log = fakeLog();
    const items = [item(Enums.Operation.Create), item(Enums.Operation.Get, "u-1"), item(Enums.Operation.Activate, "u-2")];
    const results: ResponseItem[] = [
      { operation: Enums.Operation.Create, status: Enums.ResultStatus.Success, payload: [text(Tag.UniqueIdentifier, "u-1")] },
      { operation: Enums.Operation.Get, status: Enums.ResultStatus.Success, payload: [] },
      // wrote (recorded), then failed: its failure is recorded too
      { operation: Enums.Operation.Activate, status: Enums.ResultStatus.OperationFailed, reason: "GeneralFailure", message: "x" },
    ];
    const recorded = new Set([0, 2]);
    await createAuditHook(log, { error: () => undefined }, () => 1)(items, results, rctx, { account: "acme", recorded });
    expect(log.got.map((r) => [r.operation, r.result, r.account])).to.deep.equal([["Get", "success", "acme"], ["Activate", "failure", "acme"]]);
    const out = await createAuditHook(fakeLog(true), { error: () => undefined })(items, results, rctx, { recorded });
    expect(out.map((r) => r.message)).to.deep.equal([undefined, AUDIT_UNAVAILABLE, AUDIT_UNAVAILABLE]);
    expect(out[0]).to.equal(results[0]);
  });
});
