/**
 * MySQL keyring (KMIP 1.1): no bytes were captured (README "Gaps"); Cosmian's mysql.rs holds the
 * two requests as JSON-TTLV. They are rebuilt here field for field: header with Maximum Response
 * Size 280000; a Create whose template Attributes put Attribute Index 0 before Attribute Value;
 * a Create whose template holds "Storage Status Mask" as an Integer.
 */
import { expect } from "chai";
import { Enums, Tag } from "../../src/kmip/index.js";
import { enumeration, integer, struct, text, type StructureNode, type TtlvNode } from "../../src/ttlv/index.js";
import type { RunningKmipd } from "../integration/harness.js";
import { Replayer, buildRequest, expectAnswered, keyOf, numOf, payloadOf, struct_, textOf, startReplay, stopReplay } from "./replay.js";

const Op = Enums.Operation;
const header = [integer(Tag.MaximumResponseSize, 280000)];
/** Attribute with Attribute Index 0 placed before Attribute Value, as MySQL orders it. */
const indexedFirst = (name: string, value: TtlvNode): StructureNode =>
  struct(Tag.Attribute, [text(Tag.AttributeName, name), integer(Tag.AttributeIndex, 0), { ...value, tag: Tag.AttributeValue } as TtlvNode]);
const create = (attrs: StructureNode[]): StructureNode =>
  buildRequest("1.1", [{ op: Op.Create, payload: [enumeration(Tag.ObjectType, Enums.ObjectType.SymmetricKey), struct(Tag.TemplateAttribute, attrs)] }], { header });

describe("transcripts: MySQL keyring (KMIP 1.1, rebuilt from JSON-TTLV)", function () {
  this.timeout(60_000);
  let srv: RunningKmipd;
  let rp: Replayer;
  before(async () => {
    ({ srv, rp } = await startReplay());
  });
  after(async () => {
    await stopReplay(rp, srv);
  });

  const getKey = async (uid: string) => {
    const req = buildRequest("1.1", [{ op: Op.Get, payload: [text(Tag.UniqueIdentifier, uid)] }], { header });
    return keyOf(payloadOf(expectAnswered(req, await rp.send("mysql", req))[0]!), Tag.SymmetricKey);
  };

  it("Create with Attribute Index 0 before Attribute Value (AES, 256, Encrypt|Decrypt) makes an AES-256 key", async () => {
    const req = create([
      indexedFirst("Cryptographic Algorithm", enumeration(0, Enums.CryptographicAlgorithm.AES)),
      indexedFirst("Cryptographic Length", integer(0, 256)),
      indexedFirst("Cryptographic Usage Mask", integer(0, 12)),
    ]);
    const [item] = expectAnswered(req, await rp.send("mysql", req));
    const uid = textOf(payloadOf(item!), Tag.UniqueIdentifier)!;
    expect(numOf(payloadOf(item!), Tag.ObjectType)).to.equal(Enums.ObjectType.SymmetricKey);
    const k = await getKey(uid);
    expect(k.algorithm).to.equal(Enums.CryptographicAlgorithm.AES);
    expect(k.length).to.equal(256);
    expect(k.material).to.have.length(32);
    const ga = buildRequest("1.1", [{ op: Op.GetAttributes, payload: [text(Tag.UniqueIdentifier, uid), text(Tag.AttributeName, "Cryptographic Usage Mask")] }]);
    const [gi] = expectAnswered(ga, await rp.send("mysql", ga));
    expect(numOf(struct_(payloadOf(gi!), Tag.Attribute), Tag.AttributeValue)).to.equal(12);
  });

  it("Create whose template also holds Storage Status Mask as an Integer is tolerated: the key is made, the field ignored", async () => {
    // Cosmian's JSON is a parser repro with Storage Status Mask alone; a real keyring Create
    // carries the algorithm too, so the field is added to the template of the request above.
    const req = create([
      indexedFirst("Storage Status Mask", integer(0, 1)),
      indexedFirst("Cryptographic Algorithm", enumeration(0, Enums.CryptographicAlgorithm.AES)),
      indexedFirst("Cryptographic Length", integer(0, 256)),
      indexedFirst("Cryptographic Usage Mask", integer(0, 12)),
    ]);
    const [item] = expectAnswered(req, await rp.send("mysql", req));
    const uid = textOf(payloadOf(item!), Tag.UniqueIdentifier)!;
    const k = await getKey(uid);
    expect(k.algorithm).to.equal(Enums.CryptographicAlgorithm.AES);
    expect(k.material).to.have.length(32);
    const ga = buildRequest("1.1", [{ op: Op.GetAttributes, payload: [text(Tag.UniqueIdentifier, uid), text(Tag.AttributeName, "Storage Status Mask")] }]);
    const [gi] = expectAnswered(ga, await rp.send("mysql", ga));
    expect(payloadOf(gi!).children, "nothing named Storage Status Mask was stored").to.have.length(1);
  });

  it("Cosmian's exact repro (Storage Status Mask alone) fails only for the missing Cryptographic Algorithm", async () => {
    // Expected error: 1.1 §3.4 makes Cryptographic Algorithm client-set and required for a
    // symmetric key, and kmipd has no policy default. The message shows the mask was not the problem.
    const req = create([indexedFirst("Storage Status Mask", integer(0, 1))]);
    const [item] = expectAnswered(req, await rp.send("mysql", req), new Map([[0, Enums.ResultReason.InvalidField]]));
    expect(textOf(item, Tag.ResultMessage)).to.match(/Cryptographic Algorithm/);
  });
});
