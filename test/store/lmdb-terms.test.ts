/** LMDB store: the term and owner indexes (order, paging, counts, replacement, long and unicode terms). */
import { expect } from "chai";
import { openLmdbStore, type LmdbObjectStore } from "../../src/store/lmdb/index.js";
import { collect, record, removeTempDirs, tempStoreDir } from "./support.js";

function shuffled<T>(xs: readonly T[]): T[] {
  const a = [...xs];
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a;
}

describe("LMDB store: term index", function () {
  this.timeout(20_000);
  let store: LmdbObjectStore;
  beforeEach(async () => {
    store = await openLmdbStore(tempStoreDir("terms"));
  });
  afterEach(async () => store.close());
  after(removeTempDirs);

  it("findByTerm returns uids in uid order whatever the insertion order, and pages with afterUid", async () => {
    const uids = Array.from({ length: 60 }, () => store.newUid());
    const even = uids.filter((_, i) => i % 2 === 0);
    await Promise.all(shuffled(uids).map((u) => store.insert(record(u, "alice", { terms: uids.indexOf(u) % 2 === 0 ? ["even", "all"] : ["all"] }))));
    expect(collect(store.findByTerm("alice", "all"))).to.deep.equal(uids);
    expect(collect(store.findByTerm("alice", "even"))).to.deep.equal(even);
    expect(collect(store.listByOwner("alice"))).to.deep.equal(uids);

    const pages: string[] = [];
    let after: string | undefined;
    for (;;) {
      const page = collect(store.findByTerm("alice", "all", after)).slice(0, 7);
      if (page.length === 0) break;
      pages.push(...page);
      after = page[page.length - 1];
    }
    expect(pages).to.deep.equal(uids);
    // afterUid need not exist: it is a position in uid order
    expect(collect(store.findByTerm("alice", "even", uids[1]))).to.deep.equal(even.slice(1));
    expect(collect(store.findByTerm("alice", "even", uids[59]))).to.deep.equal([]);
    expect(collect(store.findByTerm("alice", "even", ""))).to.deep.equal(even);
    expect(collect(store.listByOwner("alice", uids[29]))).to.deep.equal(uids.slice(30));
    expect(collect(store.findByTerm("alice", "all", "z".repeat(3000)))).to.deep.equal([]);
  });

  it("an early break of the iteration is fine, and the iterable can be read again", async () => {
    const uids = Array.from({ length: 5 }, () => store.newUid());
    for (const u of uids) await store.insert(record(u, "alice", { terms: ["t"] }));
    const it = store.findByTerm("alice", "t");
    for (const u of it) {
      expect(u).to.equal(uids[0]);
      break;
    }
    expect(collect(it)).to.deep.equal(uids);
  });

  it("countByTerm counts per owner and term, and follows inserts, updates and removes", async () => {
    const uids = Array.from({ length: 30 }, () => store.newUid());
    await store.batch(uids.map((u, i) => ({ kind: "insert" as const, rec: record(u, i < 10 ? "alice" : "bob", { terms: [`m=${i % 3}`] }) })));
    expect(store.countByTerm("alice", "m=0")).to.equal(4);
    expect(store.countByTerm("bob", "m=0")).to.equal(6);
    expect(store.countByTerm("alice", "m=9")).to.equal(0);
    await store.update(record(uids[0]!, "alice", { revision: 2, terms: ["m=1"] }));
    expect(store.countByTerm("alice", "m=0")).to.equal(3);
    expect(store.countByTerm("alice", "m=1")).to.equal(4);
    await store.remove(uids[3]!, "alice");
    expect(store.countByTerm("alice", "m=0")).to.equal(2);
  });

  it("update replaces the terms: old ones are no longer found, new ones are", async () => {
    const uid = store.newUid();
    await store.insert(record(uid, "alice", { terms: ["name=Old", "state=1", "type=2"] }));
    await store.update(record(uid, "alice", { revision: 2, terms: ["name=New", "state=2", "type=2"] }));
    expect(collect(store.findByTerm("alice", "name=Old"))).to.deep.equal([]);
    expect(collect(store.findByTerm("alice", "state=1"))).to.deep.equal([]);
    expect(collect(store.findByTerm("alice", "name=New"))).to.deep.equal([uid]);
    expect(collect(store.findByTerm("alice", "type=2"))).to.deep.equal([uid]);
    expect(store.countByTerm("alice", "type=2")).to.equal(1);
    expect(store.get(uid, "alice")!.terms).to.deep.equal(["name=New", "state=2", "type=2"]);
    await store.update(record(uid, "alice", { revision: 3, terms: [] }));
    expect(store.countByTerm("alice", "type=2")).to.equal(0);
  });

  it("a term repeated in one record is indexed once", async () => {
    const uid = store.newUid();
    await store.insert(record(uid, "alice", { terms: ["x", "x", "y", "x"] }));
    expect(store.countByTerm("alice", "x")).to.equal(1);
    await store.remove(uid, "alice");
    expect(store.countByTerm("alice", "x")).to.equal(0);
  });

  it("4 KB terms index and find exactly, even when they share a long prefix", async () => {
    const base = "x-custom=" + "v".repeat(4096);
    const terms = [base + "A", base + "B", "x-custom=" + "v".repeat(247), "x-custom=" + "v".repeat(248)]; // 256 and 257 bytes
    expect(Buffer.byteLength(terms[2]!)).to.equal(256);
    expect(Buffer.byteLength(terms[3]!)).to.equal(257);
    const uids = terms.map(() => store.newUid());
    for (let i = 0; i < terms.length; i++) await store.insert(record(uids[i]!, "alice", { terms: [terms[i]!] }));
    for (let i = 0; i < terms.length; i++) {
      expect(collect(store.findByTerm("alice", terms[i]!)), `term ${i}`).to.deep.equal([uids[i]]);
      expect(store.countByTerm("alice", terms[i]!)).to.equal(1);
    }
    expect(collect(store.findByTerm("alice", base))).to.deep.equal([]);
    expect(store.get(uids[0]!, "alice")!.terms).to.deep.equal([terms[0]]);
    // a very long owner as well
    const owner = "CN=" + "o".repeat(3000);
    const u = store.newUid();
    await store.insert(record(u, owner, { terms: [base + "A"] }));
    expect(collect(store.findByTerm(owner, base + "A"))).to.deep.equal([u]);
    expect(collect(store.findByTerm("alice", base + "A"))).to.deep.equal([uids[0]]);
    expect(collect(store.listByOwner(owner))).to.deep.equal([u]);
  });

  it("unicode terms and owners (astral, combining, NUL, U+FFFF) stay distinct and exact", async () => {
    const terms = ["name=鍵🔑", "name=e\u0301", "name=é", "name=a\u0000b", "name=a", "name=\uFFFF", "name=Ω".repeat(100)];
    const owners = ["ø", "o\u0308", "O=Tenant 🅰"];
    const want = new Map<string, string>();
    for (const owner of owners) {
      for (const t of terms) {
        const uid = store.newUid();
        want.set(`${owner}|${t}`, uid);
        await store.insert(record(uid, owner, { terms: [t] }));
      }
    }
    for (const owner of owners) {
      for (const t of terms) {
        expect(collect(store.findByTerm(owner, t)), `${owner} ${t}`).to.deep.equal([want.get(`${owner}|${t}`)]);
        expect(store.get(want.get(`${owner}|${t}`)!, owner)!.terms).to.deep.equal([t]);
      }
      expect(collect(store.listByOwner(owner))).to.have.length(terms.length);
    }
  });

  it("refuses terms that cannot be UTF-8 (lone surrogates) and finds nothing for them", async () => {
    let err: unknown;
    await store.insert(record(store.newUid(), "alice", { terms: ["ok", "bad\uDC00"] })).catch((e: unknown) => (err = e));
    expect(err).to.be.instanceOf(TypeError);
    expect(collect(store.listByOwner("alice"))).to.deep.equal([]);
    expect(collect(store.findByTerm("alice", "bad\uDC00"))).to.deep.equal([]);
    expect(store.countByTerm("alice", "\uD800")).to.equal(0);
  });
});
