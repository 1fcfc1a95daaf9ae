/** Uids: UUIDv7 layout, strictly increasing within a process, unique across generators. */
import { expect } from "chai";
import { UidGenerator, uidTimestamp } from "../../src/store/lmdb/index.js";

const V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe("uids (UUIDv7 layout)", function () {
  this.timeout(20_000);
  it("100,000 ids: well-formed, unique, strictly increasing, carrying the current time", () => {
    const gen = new UidGenerator();
    const before = Date.now();
    const ids: string[] = [];
    for (let i = 0; i < 100_000; i++) ids.push(gen.next());
    const after = Date.now();
    expect(new Set(ids).size).to.equal(ids.length);
    expect(ids.filter((id) => !V7.test(id))).to.deep.equal([]);
    expect(ids.filter((id, i) => i > 0 && !(ids[i - 1]! < id))).to.deep.equal([]);
    expect(uidTimestamp(ids[0]!)).to.be.within(before, after + 1);
    // the counter may carry into the next millisecond, but not far
    expect(uidTimestamp(ids[ids.length - 1]!)).to.be.within(before, after + 100);
  });

  it("stays increasing when the clock stands still or steps back", () => {
    let t = 1_700_000_000_000;
    const gen = new UidGenerator(() => t);
    const ids: string[] = [];
    for (let i = 0; i < 20_000; i++) {
      if (i === 10_000) t -= 60_000; // clock stepped back a minute
      ids.push(gen.next());
    }
    expect(ids.filter((id, i) => i > 0 && !(ids[i - 1]! < id))).to.deep.equal([]);
    expect(uidTimestamp(ids[0]!)).to.equal(1_700_000_000_000);
  });

  it("two generators (two processes, or a restart) with the same clock never collide", () => {
    const t = 1_700_000_000_000;
    const a = new UidGenerator(() => t);
    const b = new UidGenerator(() => t);
    const seen = new Set<string>();
    for (let i = 0; i < 50_000; i++) {
      seen.add(a.next());
      seen.add(b.next());
    }
    expect(seen.size).to.equal(100_000);
  });
});
