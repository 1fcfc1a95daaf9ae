import { expect } from "chai";
import { MAX_DEPTH_CEILING } from "../../src/ttlv/decode.js";
import { TtlvError, decodeTtlv, encodeTtlv, integer, struct, type TtlvNode } from "../../src/ttlv/index.js";

function nested(depth: number): Buffer {
  let n: TtlvNode = integer(0x420001, 1);
  for (let i = 1; i < depth; i++) n = struct(0x420001, [n]);
  return encodeTtlv(n);
}

describe("ttlv limits: the depth ceiling", () => {
  it("refuses a configured maxDepth above the ceiling (a configuration error, not input's fault)", () => {
    expect(() => decodeTtlv(nested(2), { maxDepth: MAX_DEPTH_CEILING + 1 })).to.throw(RangeError);
  });

  it("decodes exactly to the ceiling and stops one level past it with DEPTH_EXCEEDED, not a stack overflow", () => {
    expect(() => decodeTtlv(nested(MAX_DEPTH_CEILING), { maxDepth: MAX_DEPTH_CEILING })).not.to.throw();
    const deeper = nested(MAX_DEPTH_CEILING * 4);
    try {
      decodeTtlv(deeper, { maxDepth: MAX_DEPTH_CEILING });
      expect.fail("should have thrown");
    } catch (e) {
      expect(e).to.be.instanceOf(TtlvError);
      expect((e as TtlvError).code).to.equal("DEPTH_EXCEEDED");
    }
  });
});
