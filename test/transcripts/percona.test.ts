/**
 * Percona pg_tde (percona-pg_tde.json): Register (1.4) → Locate (1.0) → Get (1.0), each message
 * with Maximum Response Size 8192 and a Time Stamp from 2025, Register carrying Key Compression
 * Type on an AES key. Rewrite: the Get's uid (Cosmian's) becomes the uid kmipd returned.
 */
import { expect } from "chai";
import { Enums, Tag } from "../../src/kmip/index.js";
import { encodeTtlv, integer, parseHex } from "../../src/ttlv/index.js";
import type { RunningKmipd } from "../integration/harness.js";
import { Replayer, children, decodeHex, expectAnswered, keyOf, loadTranscript, numOf, payloadOf, requestItems, rewriteUids, rewriteValue, struct_, textOf, versionOf, startReplay, stopReplay } from "./replay.js";

const t = loadTranscript("percona-pg_tde.json");
const [register, locate, get] = t.exchanges;

describe("transcripts: Percona pg_tde (KMIP 1.4 / 1.0)", function () {
  this.timeout(60_000);
  let srv: RunningKmipd;
  let rp: Replayer;
  let uid: string;
  before(async () => {
    ({ srv, rp } = await startReplay());
  });
  after(async () => {
    await stopReplay(rp, srv);
  });

  it("the capture is Register, Locate, Get with the quirks this test relies on", () => {
    expect(t.exchanges).to.have.length(3);
    const ops = t.exchanges.map((x) => numOf(requestItems(decodeHex(x.request_hex))[0], Tag.Operation));
    expect(ops).to.deep.equal([Enums.Operation.Register, Enums.Operation.Locate, Enums.Operation.Get]);
    expect(t.exchanges.map((x) => versionOf(decodeHex(x.request_hex)))).to.deep.equal(["1.4", "1.0", "1.0"]);
    for (const x of t.exchanges) expect(numOf(struct_(decodeHex(x.request_hex), Tag.RequestHeader), Tag.MaximumResponseSize)).to.equal(8192);
    const kb = struct_(struct_(struct_(requestItems(decodeHex(register!.request_hex))[0], Tag.RequestPayload), Tag.SymmetricKey), Tag.KeyBlock);
    expect(numOf(kb, Tag.KeyCompressionType)).to.equal(Enums.KeyCompressionType.ECPublicKeyTypeUncompressed);
  });

  it("Register (1.4) of an AES-128 key with Key Compression Type answers Success with a uid, in 1.4", async () => {
    const res = await rp.send("pg", parseHex(register!.request_hex));
    const [item] = expectAnswered(decodeHex(register!.request_hex), res);
    uid = textOf(payloadOf(item!), Tag.UniqueIdentifier)!;
    expect(uid).to.be.a("string").and.not.equal("");
  });

  it("Locate (1.0) by Object Type and Name structure finds exactly the registered key, in 1.0", async () => {
    const res = await rp.send("pg", parseHex(locate!.request_hex));
    const [item] = expectAnswered(decodeHex(locate!.request_hex), res);
    const found = children(payloadOf(item!), Tag.UniqueIdentifier).map((n) => (n as { value: string }).value);
    expect(found).to.deep.equal([uid]);
  });

  it("Get (1.0, uid rewritten, no Key Format Type) returns the client's 16 key bytes as Raw AES-128, in 1.0", async () => {
    const request = rewriteUids(decodeHex(get!.request_hex), new Map([["9dbf2ba6-36d6-49ed-9bae-905a66fd009f", uid]]));
    const res = await rp.send("pg", request);
    const [item] = expectAnswered(request, res);
    const p = payloadOf(item!);
    expect(textOf(p, Tag.UniqueIdentifier)).to.equal(uid);
    expect(numOf(p, Tag.ObjectType)).to.equal(Enums.ObjectType.SymmetricKey);
    const k = keyOf(p, Tag.SymmetricKey);
    expect(k.format).to.equal(Enums.KeyFormatType.Raw);
    expect(k.algorithm).to.equal(Enums.CryptographicAlgorithm.AES);
    expect(k.length).to.equal(128);
    expect(k.material?.toString("hex")).to.equal("c1be2b9c939788a7cd09a50d5870d6c0");
  });

  it("every reply fits the client's Maximum Response Size of 8192 bytes", async () => {
    // Re-sent on a fresh connection: the same answers, each under the limit the header sets.
    const request = rewriteUids(decodeHex(get!.request_hex), new Map([["9dbf2ba6-36d6-49ed-9bae-905a66fd009f", uid]]));
    const conn = await rp.connection("size");
    for (const bytes of [parseHex(locate!.request_hex), encodeTtlv(request)]) {
      const raw = await conn.sendBytes(bytes);
      expect(raw.length).to.be.at.most(8192);
    }
  });

  it("the same Get with Maximum Response Size lowered to 64 fails Response Too Large instead of a cut reply", async () => {
    // Rewrite of the header value only, to show the limit the client relies on is enforced.
    const base = rewriteUids(decodeHex(get!.request_hex), new Map([["9dbf2ba6-36d6-49ed-9bae-905a66fd009f", uid]]));
    const request = rewriteValue(base, Tag.MaximumResponseSize, integer(Tag.MaximumResponseSize, 64));
    const res = await rp.send("pg", request);
    expectAnswered(request, res, new Map([[0, Enums.ResultReason.ResponseTooLarge]]));
  });
});
