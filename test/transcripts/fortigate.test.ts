/**
 * FortiGate / FortiOS 7.6 (README "Gaps": Cosmian's JSON simulations only, no bytes). Rebuilt:
 * KMIP 1.0, a header with Username/Password Authentication and Batch Order Option true, four
 * Locates by Name with Maximum Items 1 each. Covers the "Authentication in header" quirk: kmipd
 * ignores it (identity comes from the TLS certificate) and must not refuse the message.
 */
import { expect } from "chai";
import { Enums, Tag } from "../../src/kmip/index.js";
import { enumeration, integer, struct, text, type TtlvNode } from "../../src/ttlv/index.js";
import type { RunningKmipd } from "../integration/harness.js";
import { Replayer, buildRequest, children, expectAnswered, payloadOf, startReplay, stopReplay } from "./replay.js";

const Op = Enums.Operation;
const auth = struct(Tag.Authentication, [
  struct(Tag.Credential, [
    enumeration(Tag.CredentialType, Enums.CredentialType.UsernameAndPassword),
    struct(Tag.CredentialValue, [text(Tag.Username, "fortigate"), text(Tag.Password, "not-checked")]),
  ]),
]);
const byName = (name: string): TtlvNode[] => [
  integer(Tag.MaximumItems, 1),
  struct(Tag.Attribute, [text(Tag.AttributeName, "Name"), struct(Tag.AttributeValue, [text(Tag.NameValue, name), enumeration(Tag.NameType, Enums.NameType.UninterpretedTextString)])]),
];

describe("transcripts: FortiGate (KMIP 1.0, rebuilt: Authentication header, batched Locate)", function () {
  this.timeout(60_000);
  let srv: RunningKmipd;
  let rp: Replayer;
  before(async () => {
    ({ srv, rp } = await startReplay());
  });
  after(async () => {
    await stopReplay(rp, srv);
  });

  it("four ordered Locates by exact Name under an Authentication header find the right key or none", async () => {
    const c = await srv.client("1.0");
    const a = await c.create({ name: "fgt-ssl-key-a" });
    const b = await c.create({ name: "fgt-ssl-key-b" });
    const req = buildRequest(
      "1.0",
      ["fgt-ssl-key-a", "fgt-ssl-key-b", "fgt-ssl-key", "fgt-ssl-key-c"].map((n, i) => ({ op: Op.Locate, payload: byName(n), id: Buffer.from([i + 1]) })),
      { header: [auth], batchOrder: true },
    );
    const res = expectAnswered(req, await rp.send("fgt", req));
    const found = res.map((r) => children(payloadOf(r), Tag.UniqueIdentifier).map((n) => (n as { value: string }).value));
    // Exact matching: a prefix of a name finds nothing.
    expect(found).to.deep.equal([[a], [b], [], []]);
  });

  it("a Locate whose Name filter is wrapped in a Template-Attribute (as the simulations describe) still matches exactly", async () => {
    const c = await srv.client("1.0");
    const a = await c.create({ name: "fgt-wrapped" });
    const [max, filter] = byName("fgt-wrapped");
    const req = buildRequest("1.0", [{ op: Op.Locate, payload: [max!, struct(Tag.TemplateAttribute, [filter!])] }], { header: [auth] });
    const [item] = expectAnswered(req, await rp.send("fgt", req));
    expect(children(payloadOf(item!), Tag.UniqueIdentifier).map((n) => (n as { value: string }).value)).to.deep.equal([a]);
  });
});
