/**
 * VMware vSphere 7.0.3 (vmware-vsphere.json, KMIP 1.1): all 58 requests replayed in capture order,
 * each on the TLS connection of its PyKMIP session id, a connection closed after its last request.
 * Rewrite: uids "1" and "2" (PyKMIP's) become the uids kmipd returned for the two Creates.
 */
import { expect } from "chai";
import { Enums, KMIP_VERSIONS, Tag } from "../../src/kmip/index.js";
import { parseHex, type StructureNode } from "../../src/ttlv/index.js";
import type { RunningKmipd } from "../integration/harness.js";
import { Replayer, decodeHex, expectAnswered, keyOf, listedVersions, loadTranscript, numOf, payloadOf, requestItems, rewriteUids, struct_, textOf, type Exchange, startReplay, stopReplay } from "./replay.js";

const t = loadTranscript("vmware-vsphere.json");
const sessionOf = (x: Exchange): string => /^\[conn (\d+),/.exec(x.description)![1]!;
const lastIndex = new Map<string, number>();
t.exchanges.forEach((x, i) => lastIndex.set(sessionOf(x), i));

const opOf = (msg: StructureNode): number | undefined => numOf(requestItems(msg)[0], Tag.Operation);
const Op = Enums.Operation;

/** The x- attributes each AddAttribute batch sets, per original uid, for the re-read at the end. */
function addedValues(): Map<string, Map<string, string>> {
  const out = new Map<string, Map<string, string>>();
  for (const x of t.exchanges) {
    const msg = decodeHex(x.request_hex);
    if (opOf(msg) !== Op.AddAttribute) continue;
    for (const it of requestItems(msg)) {
      const p = struct_(it, Tag.RequestPayload);
      const a = struct_(p, Tag.Attribute);
      const uid = textOf(p, Tag.UniqueIdentifier)!;
      if (!out.has(uid)) out.set(uid, new Map());
      out.get(uid)!.set(textOf(a, Tag.AttributeName)!, textOf(a, Tag.AttributeValue)!);
    }
  }
  return out;
}

describe("transcripts: VMware vSphere 7.0.3 (KMIP 1.1)", function () {
  this.timeout(60_000);
  let srv: RunningKmipd;
  let rp: Replayer;
  /** PyKMIP uid → kmipd uid, filled as the captured Creates are replayed. */
  const uids = new Map<string, string>();
  before(async () => {
    ({ srv, rp } = await startReplay());
  });
  after(async () => {
    await stopReplay(rp, srv);
  });

  it("the capture holds the sequence this test expects (58 requests, 21 connections, 2 Creates)", () => {
    expect(t.exchanges).to.have.length(58);
    expect(new Set(t.exchanges.map(sessionOf)).size).to.equal(21);
    expect(t.exchanges.filter((x) => opOf(decodeHex(x.request_hex)) === Op.Create)).to.have.length(2);
  });

  t.exchanges.forEach((x, i) => {
    it(`[${i}] ${x.description.slice(0, 150)}`, async () => {
      const session = sessionOf(x);
      const captured = decodeHex(x.request_hex);
      const original = x.response_hex ? decodeHex(x.response_hex) : undefined;
      const op = opOf(captured);
      // Only the uid is rewritten; everything else goes out as captured (bytes as-is when nothing changes).
      const request = rewriteUids(captured, uids);
      const untouched = op === Op.Create || op === Op.DiscoverVersions || op === Op.Query;
      const response = await rp.send(session, untouched ? parseHex(x.request_hex) : request);
      const items = expectAnswered(request, response);
      const uidSent = textOf(struct_(requestItems(request)[0], Tag.RequestPayload), Tag.UniqueIdentifier);
      const p = payloadOf(items[0]!);

      switch (op) {
        case Op.DiscoverVersions: {
          const proposed = struct_(requestItems(captured)[0], Tag.RequestPayload)!.children;
          expect(proposed, "vSphere proposes no versions").to.have.length(0);
          expect(listedVersions(p)).to.deep.equal([...KMIP_VERSIONS].reverse());
          break;
        }
        case Op.Query:
          expect(textOf(p, Tag.VendorIdentification), "Query Server Information names the vendor").to.be.a("string").and.not.equal("");
          break;
        case Op.Create: {
          expect(numOf(p, Tag.ObjectType)).to.equal(Enums.ObjectType.SymmetricKey);
          const ours = textOf(p, Tag.UniqueIdentifier)!;
          const theirs = textOf(payloadOf(requestItems(original!)[0]!), Tag.UniqueIdentifier)!;
          expect(ours).to.be.a("string").and.not.equal("");
          uids.set(theirs, ours);
          break;
        }
        case Op.GetAttributes: {
          const asked = textOf(struct_(requestItems(request)[0], Tag.RequestPayload), Tag.AttributeName)!;
          if (asked === "State") {
            // vSphere reads State before Activate: a created key starts Pre-Active.
            const attr = struct_(p, Tag.Attribute);
            expect(textOf(attr, Tag.AttributeName)).to.equal("State");
            expect(numOf(attr, Tag.AttributeValue)).to.equal(Enums.State.PreActive);
          } else {
            // The x- attribute is not set yet: Success holding just the Unique Identifier.
            expect(p.children).to.have.length(1);
            expect(textOf(p, Tag.UniqueIdentifier)).to.equal(uidSent);
          }
          break;
        }
        case Op.AddAttribute:
          // PyKMIP answered Invalid Message here; a correct server stores each value and echoes it.
          expect(items).to.have.length(3);
          items.forEach((it, k) => {
            const sent = struct_(struct_(requestItems(request)[k], Tag.RequestPayload), Tag.Attribute)!;
            const got = struct_(payloadOf(it), Tag.Attribute);
            expect(textOf(payloadOf(it), Tag.UniqueIdentifier)).to.equal(uidSent);
            expect(textOf(got, Tag.AttributeName)).to.equal(textOf(sent, Tag.AttributeName));
            expect(textOf(got, Tag.AttributeValue)).to.equal(textOf(sent, Tag.AttributeValue));
          });
          break;
        case Op.Get: {
          // No Key Format Type asked: vSphere expects a Raw AES-256 key.
          expect(numOf(p, Tag.ObjectType)).to.equal(Enums.ObjectType.SymmetricKey);
          expect(textOf(p, Tag.UniqueIdentifier)).to.equal(uidSent);
          const k = keyOf(p, Tag.SymmetricKey);
          expect(k.format).to.equal(Enums.KeyFormatType.Raw);
          expect(k.algorithm).to.equal(Enums.CryptographicAlgorithm.AES);
          expect(k.length).to.equal(256);
          expect(k.material).to.have.length(32);
          break;
        }
        case Op.Activate:
          expect(textOf(p, Tag.UniqueIdentifier)).to.equal(uidSent);
          break;
        default:
          expect.fail(`operation ${op} is not in the capture summary`);
      }
      if (lastIndex.get(session) === i) await rp.end(session);
    });
  });

  it("after the replay both keys are Active and vSphere's own GetAttributes requests find every value it added", async () => {
    const added = addedValues();
    expect([...added.keys()].sort()).to.deep.equal(["1", "2"]);
    for (const [theirUid, values] of added) {
      expect(values.size).to.equal(6);
      for (const x of t.exchanges) {
        const captured = decodeHex(x.request_hex);
        const p = struct_(requestItems(captured)[0], Tag.RequestPayload);
        if (opOf(captured) !== Op.GetAttributes || textOf(p, Tag.UniqueIdentifier) !== theirUid) continue;
        const name = textOf(p, Tag.AttributeName)!;
        const request = rewriteUids(captured, uids);
        const [item] = expectAnswered(request, await rp.send("check", request));
        const attr = struct_(payloadOf(item!), Tag.Attribute);
        expect(textOf(attr, Tag.AttributeName)).to.equal(name);
        if (name === "State") expect(numOf(attr, Tag.AttributeValue)).to.equal(Enums.State.Active);
        else expect(textOf(attr, Tag.AttributeValue), name).to.equal(values.get(name));
      }
    }
  });

  it("the two Creates vSphere sends at the same moment on two connections both succeed with distinct uids", async () => {
    const creates = t.exchanges.filter((x) => opOf(decodeHex(x.request_hex)) === Op.Create);
    const replies = await Promise.all(creates.map((x, k) => rp.send(`parallel-${k}`, parseHex(x.request_hex))));
    const got = replies.map((r, k) => textOf(payloadOf(expectAnswered(decodeHex(creates[k]!.request_hex), r)[0]!), Tag.UniqueIdentifier));
    expect(got.every((u) => typeof u === "string" && u !== "")).to.equal(true);
    expect(new Set(got).size).to.equal(2);
  });
});
