import { expect } from "chai";
import { Enums, Tag } from "../../src/kmip/index.js";
import { dateTime, enumeration, struct, text } from "../../src/ttlv/index.js";
import { Op, R, createKey, getAttrs } from "./attr-helpers.js";
import { OK, engine, val } from "./harness.js";

describe("engine: Lease Time and Obtain Lease", () => {
  it("sets Lease Time from the setting and grants it; no lease on a compromised key", async () => {
    const e = engine();
    const uid = await createKey(e, "1.4");
    const lease = (await getAttrs(e, "1.4", uid, ["Lease Time"]))[0]!.value as { value: number };
    expect(lease.value).to.equal(3600);
    const r = await e.op(Op.ObtainLease, [text(Tag.UniqueIdentifier, uid)], "1.4");
    expect(r.status, r.message).to.equal(OK);
    expect(val(r.payload, Tag.LeaseTime)).to.equal(3600);
    expect(typeof val(r.payload, Tag.LastChangeDate)).to.equal("bigint");
    const revoke = await e.op(Op.Revoke, [
      text(Tag.UniqueIdentifier, uid),
      struct(Tag.RevocationReason, [enumeration(Tag.RevocationReasonCode, Enums.RevocationReasonCode.KeyCompromise)]),
      dateTime(Tag.CompromiseOccurrenceDate, 1n),
    ], "1.4");
    expect(revoke.status, revoke.message).to.equal(OK);
    expect((await e.op(Op.ObtainLease, [text(Tag.UniqueIdentifier, uid)], "1.4")).reason).to.equal(R.PermissionDenied);
    expect((await e.op(Op.ObtainLease, [text(Tag.UniqueIdentifier, uid)], "2.1")).reason).to.equal(R.WrongKeyLifecycleState);
  });
});
