import { expect } from "chai";
import { decodeRecord, encodeRecord, splitEntry } from "../../src/audit/chain.js";
import type { AuditRecord } from "../../src/audit/index.js";
import { removeTempDirs, tempStoreDir } from "../store/support.js";
import { masterKey, openAudit, rec, tamper } from "./support.js";

const N = 20;

async function filled(n = N) {
  const dir = tempStoreDir("audit");
  const master = masterKey();
  const { store, log } = await openAudit(dir, master);
  for (let i = 1; i <= n; i += 4) await log.append([rec(i), rec(i + 1), rec(i + 2), rec(i + 3)].slice(0, Math.min(4, n - i + 1)));
  await store.close();
  return { dir, master };
}

async function verifyAfter(dir: string, master: ReturnType<typeof masterKey>) {
  const { store, log } = await openAudit(dir, master);
  try {
    return log.verify();
  } finally {
    await store.close();
  }
}

/** Rewrites the canonical part of entry `seq` with `change` applied (keeping the old MAC). */
function alteredEntry(value: Buffer, change: (r: AuditRecord) => AuditRecord): Buffer {
  const { canonical, mac } = splitEntry(value);
  return Buffer.concat([encodeRecord(change(decodeRecord(canonical))), mac]);
}

describe("audit chain (LMDB)", () => {
  after(removeTempDirs);

  it("append N → seqs 1..N, verify ok, lastSeq N", async () => {
    const dir = tempStoreDir("audit");
    const master = masterKey();
    const { store, log } = await openAudit(dir, master);
    const got = await log.append([rec(1), rec(2, { account: "acme", reason: "ItemNotFound", result: "failure", message: "no such object" })]);
    expect(got.map((r) => r.seq)).to.deep.equal([1, 2]);
    for (let i = 3; i <= N; i++) await log.append([rec(i)]);
    expect(log.lastSeq()).to.equal(N);
    expect(log.verify()).to.deep.equal({ ok: true, checked: N, headSeq: N });
    const all = log.list();
    expect(all.map((r) => r.seq)).to.deep.equal(Array.from({ length: N }, (_, i) => i + 1));
    expect(all[1]).to.deep.equal({ ...rec(2, { account: "acme", reason: "ItemNotFound", result: "failure", message: "no such object" }), seq: 2 });
    await store.close();
  });

  it("concurrent appends are serialized into one unbroken chain", async () => {
    const dir = tempStoreDir("audit");
    const master = masterKey();
    const { store, log } = await openAudit(dir, master);
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => log.append([rec(i), rec(i + 100)])));
    const seqs = results.flatMap((rs) => rs.map((r) => r.seq)).sort((a, b) => a - b);
    expect(seqs).to.deep.equal(Array.from({ length: 100 }, (_, i) => i + 1));
    expect(log.verify()).to.include({ ok: true, checked: 100 });
    await store.close();
  });

  it("list filters by time, principal, object, operation; limit and order", async () => {
    const dir = tempStoreDir("audit");
    const { store, log } = await openAudit(dir, masterKey());
    await log.append(Array.from({ length: 12 }, (_, i) => rec(i + 1)));
    expect(log.list({ principal: "alice" }).map((r) => r.seq)).to.deep.equal([2, 4, 6, 8, 10, 12]);
    expect(log.list({ objectId: "uid-5" }).map((r) => r.seq)).to.deep.equal([5]);
    expect(log.list({ operation: "get" }).map((r) => r.seq)).to.deep.equal([3, 6, 9, 12]);
    expect(log.list({ since: rec(4).time, until: rec(6).time }).map((r) => r.seq)).to.deep.equal([4, 5, 6]);
    expect(log.list({ order: "desc", limit: 3 }).map((r) => r.seq)).to.deep.equal([12, 11, 10]);
    await store.close();
  });

  it("an altered field names that record as altered", async () => {
    const { dir, master } = await filled();
    await tamper(dir, (t) => t.put(7, alteredEntry(t.get(7)!, (r) => ({ ...r, principal: "mallory" }))));
    const v = await verifyAfter(dir, master);
    expect(v.ok).to.equal(false);
    expect(v.firstBad).to.include({ seq: 7, problem: "altered" });
    expect(v.checked).to.equal(6);
  });

  it("a flipped byte anywhere in an entry (MAC included) is caught", async () => {
    const { dir, master } = await filled();
    await tamper(dir, (t) => {
      const v = t.get(12)!;
      v[v.length - 1]! ^= 1;
      t.put(12, v);
    });
    expect((await verifyAfter(dir, master)).firstBad).to.include({ seq: 12, problem: "altered" });
  });

  it("a deleted record is named as missing", async () => {
    const { dir, master } = await filled();
    await tamper(dir, (t) => t.del(9));
    expect((await verifyAfter(dir, master)).firstBad).to.include({ seq: 9, problem: "missing" });
  });

  it("a deleted first record is named as missing", async () => {
    const { dir, master } = await filled();
    await tamper(dir, (t) => t.del(1));
    expect((await verifyAfter(dir, master)).firstBad).to.include({ seq: 1, problem: "missing" });
  });

  it("two records swapped are named as reordered", async () => {
    const { dir, master } = await filled();
    await tamper(dir, (t) => {
      const a = t.get(4)!;
      const b = t.get(5)!;
      t.put(4, b);
      t.put(5, a);
    });
    expect((await verifyAfter(dir, master)).firstBad).to.include({ seq: 4, problem: "reordered" });
  });

  it("a truncated tail is detected through the head", async () => {
    const { dir, master } = await filled();
    await tamper(dir, (t) => {
      for (let s = 17; s <= N; s++) t.del(s);
    });
    const v = await verifyAfter(dir, master);
    expect(v.firstBad).to.include({ seq: 17, problem: "truncated" });
    expect(v.headSeq).to.equal(N);
  });

  it("a truncated tail with the head moved back (without the key) is detected", async () => {
    const { dir, master } = await filled();
    await tamper(dir, (t) => {
      const last = splitEntry(t.get(16)!).mac;
      for (let s = 17; s <= N; s++) t.del(s);
      const h = t.head()!;
      h.writeBigUInt64BE(16n, 0);
      last.copy(h, 8);
      t.setHead(h);
    });
    const v = await verifyAfter(dir, master);
    expect(v.ok).to.equal(false);
    expect(v.firstBad).to.include({ seq: 16, problem: "altered" });
  });

  it("a removed head is detected", async () => {
    const { dir, master } = await filled();
    const root = await import("lmdb").then((m) => m.open<Buffer, Buffer>({ path: dir, maxDbs: 16, encoding: "binary", keyEncoding: "binary" }));
    await root.openDB<Buffer, Buffer>({ name: "auditmeta", encoding: "binary", keyEncoding: "binary" }).remove(Buffer.from("head"));
    await root.close();
    expect((await verifyAfter(dir, master)).firstBad).to.include({ problem: "altered", seq: N });
  });

  it("the wrong master key fails verification, and refuses to extend the chain", async () => {
    const { dir } = await filled();
    const { store, log } = await openAudit(dir, masterKey());
    const v = log.verify();
    expect(v.ok).to.equal(false);
    expect(v.firstBad).to.include({ seq: 1, problem: "altered" });
    expect(v.firstBad!.detail).to.match(/master key/);
    let err: unknown;
    await log.append([rec(99)]).catch((e: unknown) => (err = e));
    expect(String(err)).to.match(/does not authenticate/);
    await store.close();
  });

  it("a data dir from before the audit trail (maxDbs 8, no audit sub-databases) opens with an empty trail", async () => {
    const dir = tempStoreDir("audit");
    // The layout openLmdbStore wrote before this change: six sub-databases, format 1.
    const { open } = await import("lmdb");
    const old = open<Buffer, Buffer>({ path: dir, maxDbs: 8, encoding: "binary", keyEncoding: "binary" });
    for (const name of ["objects", "terms", "termcounts", "owners", "keks"]) old.openDB({ name, encoding: "binary", keyEncoding: "binary" });
    await old.openDB<Buffer, Buffer>({ name: "meta", encoding: "binary", keyEncoding: "binary" }).put(Buffer.from("format"), Buffer.of(1));
    await old.close();
    const { store, log } = await openAudit(dir, masterKey());
    expect(log.verify()).to.deep.equal({ ok: true, checked: 0 });
    expect(log.lastSeq()).to.equal(0);
    await log.append([rec(1)]);
    await store.insert({ uid: store.newUid(), owner: "o", body: new Uint8Array([1]), terms: ["t"], revision: 1 });
    expect(log.verify()).to.include({ ok: true, checked: 1 });
    await store.close();
  });

  describe("in the same transaction as object writes (ObjectStore.batch with audit)", () => {
    const obj = (store: { newUid(): string }, uid = store.newUid()) => ({ uid, owner: "o", body: new Uint8Array([1]), terms: ["name=x"], revision: 1 });

    it("commits the objects and the records together", async () => {
      const { store, log } = await openAudit(tempStoreDir("audit"), masterKey());
      const o = obj(store);
      const p = log.prepare([rec(1, { objectIds: [o.uid] })]);
      await store.batch([{ kind: "insert", rec: o }], p.build);
      expect((await p.committed()).map((r) => r.seq)).to.deep.equal([1]);
      expect(store.get(o.uid, "o")).to.not.equal(undefined);
      expect(log.list({ objectId: o.uid })).to.have.length(1);
      await log.append([rec(2)]);
      expect(log.verify()).to.include({ ok: true, checked: 2 });
      await store.close();
    });

    it("a refused object write writes no record, and consumes no seq", async () => {
      const { store, log } = await openAudit(tempStoreDir("audit"), masterKey());
      const o = obj(store);
      await store.insert(o);
      const p = log.prepare([rec(1)]);
      let err: unknown;
      await store.batch([{ kind: "insert", rec: obj(store) }, { kind: "insert", rec: o }], p.build).catch((e: unknown) => (err = e));
      expect(String(err)).to.match(/already exists/);
      expect(log.lastSeq()).to.equal(0);
      await p.committed().then(
        () => expect.fail("committed() after an aborted transaction"),
        (e: unknown) => expect(String(e)).to.match(/not part of a committed transaction/),
      );
      await store.close();
    });

    it("50 concurrent appends, half of them inside object writes, make one unbroken chain", async () => {
      const { store, log } = await openAudit(tempStoreDir("audit"), masterKey());
      const uids: string[] = [];
      await Promise.all(
        Array.from({ length: 50 }, async (_, i) => {
          if (i % 2 === 1) return log.append([rec(i)]);
          const o = obj(store);
          uids.push(o.uid);
          const p = log.prepare([rec(i, { objectIds: [o.uid] })]);
          await store.batch([{ kind: "insert", rec: o }], p.build);
          return p.committed();
        }),
      );
      const all = log.list();
      expect(all.map((r) => r.seq)).to.deep.equal(Array.from({ length: 50 }, (_, i) => i + 1));
      for (const u of uids) expect(log.list({ objectId: u })).to.have.length(1);
      expect(log.verify()).to.include({ ok: true, checked: 50 });
      await store.close();
    });

    it("a failing audit step aborts the object writes", async () => {
      const dir = tempStoreDir("audit");
      const first = await openAudit(dir, masterKey());
      await first.log.append([rec(1)]);
      await first.store.close();
      const { store, log } = await openAudit(dir, masterKey()); // another key: the head does not authenticate
      const o = obj(store);
      let err: unknown;
      await store.batch([{ kind: "insert", rec: o }], log.prepare([rec(2)]).build).catch((e: unknown) => (err = e));
      expect(String(err)).to.match(/does not authenticate/);
      expect(store.get(o.uid, "o")).to.equal(undefined);
      await store.close();
    });
  });
});
