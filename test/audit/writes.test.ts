/**
 * Write items' audit records committed with their writes (docs/AUDIT.md §2): the real executor,
 * repository and ChainedAuditLog over an LMDB store. One record per item, no duplicate from the
 * hook, seq continuity with the hook's appends, and "object and record both or neither".
 */
import { expect } from "chai";
import { ChainedAuditLog, deriveAuditKey, JsonlMirror, type AuditRecord } from "../../src/audit/index.js";
import { Enums, Masks, Tag } from "../../src/kmip/index.js";
import { ObjectRepository } from "../../src/operations/repository.js";
import { createAuditHook } from "../../src/server/audit-hook.js";
import { createExecutor } from "../../src/server/executor.js";
import { FURTHER_WRITE, MessageAudit } from "../../src/server/write-audit.js";
import { openLmdbStore } from "../../src/store/lmdb/index.js";
import { LmdbObjectStore } from "../../src/store/lmdb/store.js";
import type { AuditAppend, StoreWrite } from "../../src/store/types.js";
import { DEFAULT_LIMITS, decodeTtlv, encodeTtlv, enumeration, integer, struct, text, type StructureNode, type TtlvNode } from "../../src/ttlv/index.js";
import { request, result, SoftKeys, val, type BatchResult, type Item } from "../operations/harness.js";
import { removeTempDirs, tempStoreDir } from "../store/support.js";
import { masterKey } from "./support.js";

const Op = Enums.Operation;
const OK = Enums.ResultStatus.Success;
const aes = (): TtlvNode[] => [
  enumeration(Tag.ObjectType, Enums.ObjectType.SymmetricKey),
  struct(Tag.Attributes, [
    enumeration(Tag.CryptographicAlgorithm, Enums.CryptographicAlgorithm.AES),
    integer(Tag.CryptographicLength, 256),
    integer(Tag.CryptographicUsageMask, Masks.CryptographicUsageMask.Encrypt),
  ]),
];
const uidOf = (r: BatchResult) => val(r.payload, Tag.UniqueIdentifier) as string;

interface Setup {
  store: LmdbObjectStore;
  log: ChainedAuditLog;
  /** Appends made by the hook (each one a durable write of its own). */
  hookAppends: number;
  errors: unknown[];
  send(items: Item[], header?: TtlvNode[]): Promise<BatchResult[]>;
  records(): AuditRecord[];
}

async function setup(o: { batch?: (ops: readonly StoreWrite[], audit?: AuditAppend) => Promise<void>; mirror?: JsonlMirror } = {}): Promise<Setup> {
  const store = await openLmdbStore(tempStoreDir("audit-writes"));
  if (o.batch) store.batch = o.batch.bind(store);
  const log = new ChainedAuditLog({ storage: store.audit, key: deriveAuditKey(masterKey()), ...(o.mirror ? { mirror: o.mirror } : {}) });
  const s: Setup = {
    store, log, hookAppends: 0, errors: [],
    async send(items, header = []) {
      const out = await handler(encodeTtlv(request(2, 1, items, header)), { principal: "alice", peer: "10.0.0.9:4000", connectionId: 3 });
      return ((decodeTtlv(out) as StructureNode).children.slice(1) as StructureNode[]).map(result);
    },
    records: () => log.list(),
  };
  const counted = { append: (rs: Parameters<ChainedAuditLog["append"]>[0]) => (s.hookAppends++, log.append(rs)), list: () => [], verify: () => log.verify(), lastSeq: () => log.lastSeq(), close: async () => undefined };
  const errors = { error: (obj: object) => void s.errors.push(obj) };
  const handler = createExecutor({
    objects: new ObjectRepository(store, new SoftKeys()),
    settings: {
      defaultKeyBits: 256, maxLocateItems: 1000, leaseTimeSec: 3600, vendorIdentification: "kmipd", serverVersion: "test", quietAttributes: new Set(),
      locateCreatesFresh: false, rngSeed: { policy: "accept", maxBytes: 64 },
    },
    limits: { ...DEFAULT_LIMITS, maxBatchItems: 64 },
    log: { warn: () => undefined, error: () => undefined },
    audit: createAuditHook(counted, errors),
    auditWrites: (rctx, account) => new MessageAudit(log, errors, rctx, account),
  });
  return s;
}

describe("audit records committed with the writes", () => {
  const open: Setup[] = [];
  const make = async (o?: Parameters<typeof setup>[0]) => {
    const s = await setup(o);
    open.push(s);
    return s;
  };
  afterEach(async () => {
    for (const s of open.splice(0)) {
      await s.log.close(); // the mirror, if any
      await s.store.close();
    }
  });
  after(removeTempDirs);

  it("a write item gives exactly one record, written with the write: the hook appends nothing", async () => {
    const s = await make();
    const [c] = await s.send([{ operation: Op.Create, payload: aes() }]);
    expect(c!.status, c!.message).to.equal(OK);
    expect(s.hookAppends).to.equal(0);
    const uid = uidOf(c!);
    expect(s.records()).to.deep.equal([
      { seq: 1, time: s.records()[0]!.time, principal: "alice", account: "alice", clientAddress: "10.0.0.9:4000", operation: "Create", objectIds: [uid], result: "success" },
    ]);
    for (const op of [Op.Activate, Op.Get, Op.GetAttributes]) expect((await s.send([{ operation: op, payload: [text(Tag.UniqueIdentifier, uid)] }]))[0]!.status).to.equal(OK);
    // Activate is a write; Get writes too (Fresh goes false the first time); Get Attributes is a read.
    expect(s.hookAppends).to.equal(1);
    expect(s.records().map((r) => [r.seq, r.operation, r.objectIds])).to.deep.equal([[1, "Create", [uid]], [2, "Activate", [uid]], [3, "Get", [uid]], [4, "GetAttributes", [uid]]]);
    expect(s.log.verify()).to.include({ ok: true, checked: 4 });
  });

  it("the common write operations record the same ids the hook would (request ids, then the response's)", async () => {
    const s = await make();
    const uid = uidOf((await s.send([{ operation: Op.Create, payload: aes() }]))[0]!);
    const name = (v: string) => struct(Tag.Name, [text(Tag.NameValue, v), enumeration(Tag.NameType, Enums.NameType.UninterpretedTextString)]);
    const id = [text(Tag.UniqueIdentifier, uid)];
    const answers = await s.send([
      { operation: Op.AddAttribute, payload: [...id, struct(Tag.NewAttribute, [name("n1")])] },
      { operation: Op.ModifyAttribute, payload: [...id, struct(Tag.CurrentAttribute, [name("n1")]), struct(Tag.NewAttribute, [name("n2")])] },
      { operation: Op.DeleteAttribute, payload: [...id, struct(Tag.CurrentAttribute, [name("n2")])] },
      { operation: Op.Activate, payload: id },
      { operation: Op.ReKey, payload: id },
    ]);
    answers.forEach((a) => expect(a.status, a.message).to.equal(OK));
    const rekeyed = uidOf(answers[4]!);
    const more = await s.send([
      { operation: Op.Revoke, payload: [...id, struct(Tag.RevocationReason, [enumeration(Tag.RevocationReasonCode, Enums.RevocationReasonCode.Unspecified)])] },
      { operation: Op.Destroy, payload: id },
    ]);
    more.forEach((a) => expect(a.status, a.message).to.equal(OK));
    expect(s.hookAppends).to.equal(0);
    expect(s.records().map((r) => [r.operation, r.objectIds])).to.deep.equal([
      ["Create", [uid]], ["AddAttribute", [uid]], ["ModifyAttribute", [uid]], ["DeleteAttribute", [uid]], ["Activate", [uid]], ["ReKey", [uid, rekeyed]], ["Revoke", [uid]], ["Destroy", [uid]],
    ]);
    expect(s.records().map((r) => r.seq)).to.deep.equal([1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it("an item that writes several objects writes them in one commit with one record naming them all (Create Split Key of a key)", async () => {
    const s = await make();
    const base = uidOf((await s.send([{ operation: Op.Create, payload: aes() }]))[0]!);
    const [r] = await s.send([{
      operation: Op.CreateSplitKey,
      payload: [enumeration(Tag.ObjectType, Enums.ObjectType.SplitKey), text(Tag.UniqueIdentifier, base), integer(Tag.SplitKeyParts, 3), integer(Tag.SplitKeyThreshold, 3), enumeration(Tag.SplitKeyMethod, Enums.SplitKeyMethod.XOR)],
    }]);
    expect(r!.status, r!.message).to.equal(OK);
    const parts = r!.payload!.children.map((c) => (c as { value: string }).value);
    const recs = s.records();
    expect(recs).to.have.length(2);
    expect(recs[1]).to.include({ seq: 2, operation: "CreateSplitKey", result: "success" });
    expect(recs[1]!.objectIds).to.deep.equal([base, ...parts]);
    expect(recs.some((x) => x.message === FURTHER_WRITE)).to.equal(false);
  });

  it("a write whose commit fails stores neither object nor record, and consumes no seq; the item's failure is recorded", async () => {
    let fail = true;
    const s = await make({
      async batch(this: LmdbObjectStore, ops, audit) {
        // A second insert of the same uid: the store refuses the transaction, the audit step included.
        const extra: StoreWrite[] = fail && ops[0]?.kind === "insert" ? [ops[0]] : [];
        return LmdbObjectStore.prototype.batch.call(this, [...ops, ...extra], audit);
      },
    });
    const [c] = await s.send([{ operation: Op.Create, payload: aes() }]);
    expect(c!.status).to.equal(Enums.ResultStatus.OperationFailed);
    expect([...s.store.listByOwner("alice")]).to.deep.equal([]);
    expect(s.records().map((r) => [r.seq, r.operation, r.result, r.objectIds])).to.deep.equal([[1, "Create", "failure", []]]);
    fail = false;
    const [d] = await s.send([{ operation: Op.Create, payload: aes() }]);
    expect(d!.status, d!.message).to.equal(OK);
    expect(s.records().map((r) => [r.seq, r.result])).to.deep.equal([[1, "failure"], [2, "success"]]);
    expect(s.log.verify()).to.include({ ok: true, checked: 2 });
  });

  it("an audit step that throws refuses the object write: object and record both absent, the client told of a failure", async () => {
    const s = await make();
    const prepare = s.log.prepare.bind(s.log);
    let failures = 1; // the write's step fails; the hook's append after it works
    s.log.prepare = (rs) => {
      const p = prepare(rs);
      return { ...p, build: (head) => (failures-- > 0 ? fail() : p.build(head)) };
    };
    const [c] = await s.send([{ operation: Op.Create, payload: aes() }]);
    expect(c!.status).to.equal(Enums.ResultStatus.OperationFailed);
    expect([...s.store.listByOwner("alice")]).to.deep.equal([]);
    expect(s.log.lastSeq()).to.equal(1); // the hook's failure record only
    expect(s.records()[0]).to.include({ operation: "Create", result: "failure" });
  });

  it("an Undo batch's records commit with the batch; a batch undone is recorded by the hook", async () => {
    const s = await make();
    const undo = [enumeration(Tag.BatchErrorContinuationOption, Enums.BatchErrorContinuationOption.Undo)];
    const ok = await s.send([{ operation: Op.Create, payload: aes() }, { operation: Op.Create, payload: aes() }], undo);
    expect(ok.map((r) => r.status)).to.deep.equal([OK, OK]);
    expect(s.hookAppends).to.equal(0);
    expect(s.records().map((r) => [r.seq, r.operation, r.objectIds, r.result])).to.deep.equal([[1, "Create", [uidOf(ok[0]!)], "success"], [2, "Create", [uidOf(ok[1]!)], "success"]]);
    const bad = await s.send([{ operation: Op.Create, payload: aes() }, { operation: Op.Get, payload: [text(Tag.UniqueIdentifier, "absent")] }], undo);
    expect(bad.map((r) => r.status)).to.deep.equal([Enums.ResultStatus.OperationUndone, Enums.ResultStatus.OperationFailed]);
    expect(s.hookAppends).to.equal(1);
    expect(s.records().slice(2).map((r) => [r.seq, r.operation, r.result])).to.deep.equal([[3, "Create", "undone"], [4, "Get", "failure"]]);
    expect(s.log.verify()).to.include({ ok: true, checked: 4 });
  });

  it("50 concurrent messages, writes recorded in their transaction and reads by the hook, make one unbroken chain", async () => {
    const s = await make();
    const uid = uidOf((await s.send([{ operation: Op.Create, payload: aes() }]))[0]!);
    const answers = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        i % 2 === 0 ? s.send([{ operation: Op.Create, payload: aes() }]) : s.send([{ operation: Op.GetAttributes, payload: [text(Tag.UniqueIdentifier, uid)] }, { operation: Op.Create, payload: aes() }]),
      ),
    );
    answers.flat().forEach((a) => expect(a.status, a.message).to.equal(OK));
    const recs = s.records();
    expect(recs.map((r) => r.seq)).to.deep.equal(Array.from({ length: 1 + 25 + 50 }, (_, i) => i + 1));
    // every created object has exactly one record
    const created = answers.map((a, i) => uidOf(a[i % 2 === 0 ? 0 : 1]!));
    for (const u of created) expect(recs.filter((r) => r.objectIds.includes(u)), u).to.have.length(1);
    expect(s.log.verify()).to.include({ ok: true, checked: 76 });
  });

  it("an item that still writes twice gives its later writes records of their own, noted as such; outside an item, no record", async () => {
    const prepared: string[][] = [];
    const log = { prepare: (rs: readonly { objectIds: readonly string[]; message?: string }[]) => (prepared.push(rs.map((r) => `${r.objectIds.join(",")}|${r.message ?? ""}`)), { build: fail, committed: async () => [] }) };
    const m = new MessageAudit(log as never, { error: () => undefined }, { principal: "p", peer: "a:1", connectionId: 1 }, "acct");
    expect(m.forWrite(["x"])).to.equal(undefined);
    m.begin(0, { operation: Op.Create, extensions: [] });
    await m.forWrite(["a"])!.committed();
    m.forWrite(["b"]);
    m.end();
    expect(prepared).to.deep.equal([["a|"], [`b|${FURTHER_WRITE}`]]);
    expect([...m.recorded]).to.deep.equal([0]);
  });

  it("a mirror that fails after the commit is logged; the write, durable with its record, is still answered Success", async function () {
    if (process.platform !== "linux") this.skip();
    const s = await make({ mirror: await JsonlMirror.open("/dev/full") });
    const [c] = await s.send([{ operation: Op.Create, payload: aes() }]);
    expect(c!.status, c!.message).to.equal(OK);
    expect(s.records()).to.have.length(1);
    expect(s.errors).to.have.length(1);
  });
});

function fail(): never {
  throw new Error("the audit step failed");
}
