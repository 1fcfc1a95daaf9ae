/** The LMDB value formats: round trips (property-based) and corruption detection. */
import { expect } from "chai";
import fc from "fast-check";
import { CorruptRecordError, decodeKek, decodeRecord, encodeKek, encodeRecord } from "../../src/store/lmdb/codec.js";
import type { ObjectRecord } from "../../src/store/types.js";

const text = fc.string({ unit: "grapheme", maxLength: 300 });
const bytes = fc.uint8Array({ maxLength: 5000 });
const material = fc.record({ kekId: text, kekVersion: fc.nat(), algorithm: fc.constant("AES-KWP" as const), blob: bytes });
const rec = fc.record(
  {
    uid: fc.string({ minLength: 1, maxLength: 40 }),
    owner: text,
    body: bytes,
    material,
    terms: fc.array(text, { maxLength: 40 }),
    revision: fc.nat(),
  },
  { requiredKeys: ["uid", "owner", "body", "terms", "revision"] },
);

describe("LMDB store: record format", function () {
  this.timeout(20_000);
  it("object records round-trip (1,000 random records, up to 40 terms and 5 KB bodies)", () => {
    fc.assert(
      fc.property(rec, (r: ObjectRecord) => {
        expect(decodeRecord(r.uid, encodeRecord(r))).to.deep.equal(r);
      }),
      { numRuns: 1000 },
    );
  });

  it("a 1 MiB body round-trips", () => {
    const body = Uint8Array.from({ length: 1 << 20 }, (_, i) => i & 0xff);
    const r: ObjectRecord = { uid: "u", owner: "o", body, terms: ["a"], revision: 1 };
    expect(Buffer.from(decodeRecord("u", encodeRecord(r)).body).equals(Buffer.from(body))).to.equal(true);
  });

  it("KEK records round-trip", () => {
    const k = { id: "db-kek", version: 7, wrapped: Uint8Array.from([1, 2, 3]), createdAt: 1_700_000_000_123.5 };
    expect(decodeKek(encodeKek(k))).to.deep.equal(k);
  });

  it("every truncation, a trailing byte and an unknown format are CorruptRecordError", () => {
    const r: ObjectRecord = {
      uid: "u",
      owner: "o",
      body: Buffer.from("body"),
      terms: ["t1", "t2"],
      revision: 3,
      material: { kekId: "db-kek", kekVersion: 1, algorithm: "AES-KWP", blob: Buffer.alloc(40) },
    };
    const enc = encodeRecord(r);
    for (let n = 0; n < enc.length; n++) expect(() => decodeRecord("u", enc.subarray(0, n)), `${n} bytes`).to.throw(CorruptRecordError);
    expect(() => decodeRecord("u", Buffer.concat([enc, Buffer.of(0)]))).to.throw(CorruptRecordError);
    expect(() => decodeRecord("u", Buffer.concat([Buffer.of(2), enc.subarray(1)]))).to.throw(CorruptRecordError);
  });

  it("refuses values that do not fit the format", () => {
    const base: ObjectRecord = { uid: "u", owner: "o", body: new Uint8Array(0), terms: [], revision: 1 };
    expect(() => encodeRecord({ ...base, revision: -1 })).to.throw(RangeError);
    expect(() => encodeRecord({ ...base, revision: 2 ** 32 })).to.throw(RangeError);
    expect(() => encodeRecord({ ...base, revision: 1.5 })).to.throw(RangeError);
    expect(() => encodeRecord({ ...base, owner: "\uD800x" })).to.throw(TypeError);
  });
});
