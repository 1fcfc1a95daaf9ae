/**
 * Isolation between accounts through the real server: a seeded, randomized run of at least 1,000
 * (principal, operation, object) triples over two accounts in two zones. Every operation on
 * another account's object must answer exactly as it does for an id that never existed, and
 * must change nothing; Locate finds only the caller's objects; a zone's KEK is unusable from
 * another zone.
 */
import { expect } from "chai";
import { KmipRequestError, type KmipClient } from "../../src/client/index.js";
import { Enums, Tag } from "../../src/kmip/index.js";
import { text } from "../../src/ttlv/index.js";
import { startTenancyKmipd, type TenancyKmipd } from "./tenancy-support.js";

const SEED = Number(process.env["TENANCY_SEED"] ?? 0x6b6d6970);
const TRIPLES = 1000;

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const tag = (v: string) => ({ name: "x-tag", value: text(Tag.AttributeValue, v) });

type Op = (c: KmipClient, uid: string, name: string) => Promise<unknown>;
const OPS: Record<string, Op> = {
  get: (c, u) => c.get(u),
  getAttributes: (c, u) => c.getAttributes(u),
  getAttributeList: (c, u) => c.getAttributeList(u),
  locate: (c, _u, n) => c.locate({ name: n }),
  activate: (c, u) => c.activate(u),
  revoke: (c, u) => c.revoke(u),
  destroy: (c, u) => c.destroy(u),
  rekey: (c, u) => c.call(Enums.Operation.ReKey, [text(Tag.UniqueIdentifier, u)]),
  addAttribute: (c, u) => c.addAttribute(u, { name: "x-note", value: text(Tag.AttributeValue, "mallory") }),
  modifyAttribute: (c, u) => c.modifyAttribute(u, tag("changed")),
  deleteAttribute: (c, u) => c.deleteAttribute(u, "x-tag"),
};

/** The answer, with the object's id and name replaced, so two answers can be compared. */
async function outcome(p: Promise<unknown>, uid: string, name: string): Promise<string> {
  try {
    const r = await p;
    return `ok:${JSON.stringify(Array.isArray(r) ? r : typeof r)}`;
  } catch (e) {
    if (!(e instanceof KmipRequestError)) throw e;
    return `err:${e.reason}:${e.message.split(uid).join("<ID>").split(name).join("<NAME>")}`;
  }
}

describe("tenancy isolation: two accounts, two zones, randomized", function () {
  this.timeout(300_000);
  let srv: TenancyKmipd;
  const principals = [
    { principal: "alice", account: "acct-a", zone: "zone-1" },
    { principal: "bob", account: "acct-b", zone: "zone-2" },
    { principal: "alice-east", account: "acct-a", zone: "zone-2" },
  ];

  before(async () => {
    srv = await startTenancyKmipd({ overrides: { "tenancy.principals": principals } });
  });
  after(async () => srv?.stop());

  it(`${TRIPLES}+ triples: a foreign object answers like a missing one and is never changed (seed ${SEED})`, async () => {
    const rnd = mulberry32(SEED);
    const clients = { alice: await srv.client({ principal: "alice" }), bob: await srv.client({ principal: "bob", version: "2.0" }) };
    const owned: Record<"alice" | "bob", { uid: string; name: string }[]> = { alice: [], bob: [] };
    for (const who of ["alice", "bob"] as const) {
      for (let i = 0; i < 8; i++) {
        const name = `${who}-key-${i}`;
        owned[who].push({ uid: await clients[who].create({ name, attributes: [tag(`t${i}`)] }), name });
      }
    }
    const snapshot = async () => {
      const out: Record<string, unknown> = {};
      for (const who of ["alice", "bob"] as const) {
        for (const o of owned[who]) out[o.uid] = JSON.stringify(await clients[who].getAttributes(o.uid), (_k, v) => (typeof v === "bigint" ? v.toString() : v));
      }
      return out;
    };
    const before = await snapshot();
    const names = Object.keys(OPS);
    const counts: Record<string, number> = {};
    for (let i = 0; i < TRIPLES; i++) {
      const who = rnd() < 0.5 ? "alice" : "bob";
      const other = who === "alice" ? "bob" : "alice";
      const op = names[Math.floor(rnd() * names.length)]!;
      const target = owned[other][Math.floor(rnd() * owned[other].length)]!;
      const missing = { uid: srv.engine.objects.newUid(), name: `nobody-has-${i}` };
      const foreign = await outcome(OPS[op]!(clients[who], target.uid, target.name), target.uid, target.name);
      const absent = await outcome(OPS[op]!(clients[who], missing.uid, missing.name), missing.uid, missing.name);
      expect(foreign, `seed ${SEED}, triple ${i}: ${who} ${op} ${target.uid}`).to.equal(absent);
      if (op !== "locate") expect(foreign, `${op} of a foreign object`).to.match(/^err:/);
      else expect(foreign).to.equal("ok:[]");
      counts[op] = (counts[op] ?? 0) + 1;
    }
    expect(Object.keys(counts)).to.have.members(names);
    expect(await snapshot(), "no object was changed by another account").to.deep.equal(before);
    // Locate without criteria: only one's own objects.
    for (const who of ["alice", "bob"] as const) expect((await clients[who].locate()).sort()).to.deep.equal(owned[who].map((o) => o.uid).sort());
    // The same account in another zone sees the account's objects (objects belong to accounts).
    const east = await srv.client({ principal: "alice-east" });
    expect(Buffer.from((await east.get(owned.alice[0]!.uid)).keyBytes!)).to.deep.equal(Buffer.from((await clients.alice.get(owned.alice[0]!.uid)).keyBytes!));
  });

  it("a KEK of zone 1 is not usable from zone 2 (another account's or the same account's principal)", async () => {
    const key = await srv.engine.kmsKeys.create({ name: "zone1-key", zone: "zone-1", account: "acct-a", hsmProfile: "database" });
    const alice = await srv.client({ principal: "alice" });
    const uid = await alice.create({ attributes: [{ name: "x-kms-key", value: text(Tag.AttributeValue, "zone1-key") }] });
    expect((await srv.engine.objects.load(uid, "acct-a")).material?.kekId).to.equal(key.id);
    for (const principal of ["bob", "alice-east"]) {
      const c = await srv.client({ principal });
      for (const naming of ["zone1-key", key.id]) {
        const err = await c.create({ attributes: [{ name: "x-kms-key", value: text(Tag.AttributeValue, naming) }] }).then(
          () => undefined,
          (e: unknown) => e as KmipRequestError,
        );
        expect(err?.reason, `${principal} naming ${naming}`).to.equal(Enums.ResultReason.InvalidField);
        expect(err?.message).to.equal(`KMS key ${naming} is not usable in zone zone-2`);
      }
    }
  });
});
