/**
 * MongoDB: the captured CSFLE createDataKey Register (mongodb-csfle.json) and libmongocrypt's
 * golden requests (mongodb-libmongocrypt.json), both flows, each message on its own connection as
 * libmongocrypt opens one per KMS request.
 * Rewrites: libmongocrypt's uids "39" (default flow) and "39"/"111" (delegated flow) become the
 * uids kmipd returned; Decrypt's Data and IV Counter Nonce become what kmipd's Encrypt returned,
 * since the fixture's ciphertext was made under the test server's key.
 */
import { expect } from "chai";
import { createDecipheriv } from "node:crypto";
import { Enums, Tag } from "../../src/kmip/index.js";
import { ItemType, bytes, integer, parseHex, struct, type StructureNode } from "../../src/ttlv/index.js";
import type { RunningKmipd } from "../integration/harness.js";
import { Replayer, child, decodeHex, expectAnswered, keyOf, loadTranscript, mapTree, numOf, payloadOf, requestItems, rewriteUids, rewriteValue, struct_, textOf, startReplay, stopReplay } from "./replay.js";

const csfle = loadTranscript("mongodb-csfle.json");
const lmc = loadTranscript("mongodb-libmongocrypt.json");
const [REGISTER, ACTIVATE, GET, CREATE, ENCRYPT, DECRYPT] = lmc.exchanges.map((x) => x.request_hex);
const bytesOf = (s: StructureNode | undefined, tag: number): Buffer | undefined => {
  const n = child(s, tag);
  return n?.type === ItemType.ByteString ? Buffer.from(n.value) : undefined;
};
const reqPayload = (hex: string): StructureNode => struct_(requestItems(decodeHex(hex))[0], Tag.RequestPayload)!;

describe("transcripts: MongoDB CSFLE and libmongocrypt (KMIP 1.0 / 1.2)", function () {
  this.timeout(60_000);
  let srv: RunningKmipd;
  let rp: Replayer;
  let n = 0;
  /** Sends on a fresh connection, as libmongocrypt does per KMS request. */
  const once = async (req: Uint8Array | StructureNode): Promise<StructureNode> => {
    const s = `c${n++}`;
    const res = await rp.send(s, req);
    await rp.end(s);
    return res;
  };
  before(async () => {
    ({ srv, rp } = await startReplay());
  });
  after(async () => {
    await stopReplay(rp, srv);
  });

  it("the golden requests are Register, Activate, Get, Create, Encrypt, Decrypt", () => {
    const ops = lmc.exchanges.map((x) => numOf(requestItems(decodeHex(x.request_hex))[0], Tag.Operation));
    const O = Enums.Operation;
    expect(ops).to.deep.equal([O.Register, O.Activate, O.Get, O.Create, O.Encrypt, O.Decrypt]);
  });

  describe("CSFLE createDataKey capture", () => {
    it("Register of 96-byte Seed Secret Data with usage mask 0 succeeds; Get returns the same 96 bytes", async () => {
      const hex = csfle.exchanges[0]!.request_hex;
      const [item] = expectAnswered(decodeHex(hex), await once(parseHex(hex)));
      const uid = textOf(payloadOf(item!), Tag.UniqueIdentifier)!;
      expect(uid).to.be.a("string").and.not.equal("");
      const sent = keyOf(reqPayload(hex), Tag.SecretData).material!;
      expect(sent).to.have.length(96);
      // Get built by the TS client in the capture's version (1.0), as the driver does next.
      const c = await srv.client("1.0");
      const got = await c.get(uid);
      expect(got.objectType).to.equal(Enums.ObjectType.SecretData);
      expect(Buffer.from(got.keyBytes!).equals(sent)).to.equal(true);
    });
  });

  describe("libmongocrypt default flow: Register → Activate → Get", () => {
    let uid: string;
    it("Register (1.0) of 96 zero bytes, mask 0, answers a uid", async () => {
      const [item] = expectAnswered(decodeHex(REGISTER!), await once(parseHex(REGISTER!)));
      uid = textOf(payloadOf(item!), Tag.UniqueIdentifier)!;
      expect(uid).to.be.a("string").and.not.equal("");
    });
    it('Activate (1.0, uid "39" rewritten) succeeds and names the object', async () => {
      const req = rewriteUids(decodeHex(ACTIVATE!), new Map([["39", uid]]));
      const [item] = expectAnswered(req, await once(req));
      expect(textOf(payloadOf(item!), Tag.UniqueIdentifier)).to.equal(uid);
    });
    it('Get (1.0, uid "39" rewritten) returns Secret Data Seed, Opaque, the 96 registered bytes', async () => {
      const req = rewriteUids(decodeHex(GET!), new Map([["39", uid]]));
      const [item] = expectAnswered(req, await once(req));
      const p = payloadOf(item!);
      expect(textOf(p, Tag.UniqueIdentifier)).to.equal(uid);
      expect(numOf(p, Tag.ObjectType)).to.equal(Enums.ObjectType.SecretData);
      expect(numOf(struct_(p, Tag.SecretData), Tag.SecretDataType)).to.equal(Enums.SecretDataType.Seed);
      const k = keyOf(p, Tag.SecretData);
      expect(k.format).to.equal(Enums.KeyFormatType.Opaque);
      expect(k.material?.equals(Buffer.alloc(96))).to.equal(true);
    });
  });

  it('older libmongocrypt builds: the golden Register as KMIP 1.4 with Unique Batch Item ID "A" is answered in 1.4 and echoes "A"', async () => {
    // Built from the golden bytes: header minor 0 → 4, and the ID the 2021 kms-message test shows.
    let req = rewriteValue(decodeHex(REGISTER!), Tag.ProtocolVersionMinor, integer(Tag.ProtocolVersionMinor, 4));
    req = mapTree(req, (n) =>
      n.tag === Tag.BatchItem && n.type === ItemType.Structure ? struct(Tag.BatchItem, [n.children[0]!, bytes(Tag.UniqueBatchItemID, Buffer.from("A")), ...n.children.slice(1)]) : n,
    ) as StructureNode;
    const [item] = expectAnswered(req, await once(req));
    expect(textOf(payloadOf(item!), Tag.UniqueIdentifier)).to.be.a("string").and.not.equal("");
  });

  describe("libmongocrypt delegated flow: Create → Activate → Encrypt → Decrypt", () => {
    let uid: string;
    let encrypted: { data: Buffer; iv: Buffer } | undefined;
    const plaintext = bytesOf(reqPayload(ENCRYPT!), Tag.Data)!;

    it("Create (1.2) of an AES-256 key, mask Encrypt|Decrypt, answers a uid", async () => {
      const [item] = expectAnswered(decodeHex(CREATE!), await once(parseHex(CREATE!)));
      expect(numOf(payloadOf(item!), Tag.ObjectType)).to.equal(Enums.ObjectType.SymmetricKey);
      uid = textOf(payloadOf(item!), Tag.UniqueIdentifier)!;
      expect(uid).to.be.a("string").and.not.equal("");
    });
    it('Activate (1.0, uid "39" rewritten to the created key) succeeds', async () => {
      const req = rewriteUids(decodeHex(ACTIVATE!), new Map([["39", uid]]));
      const [item] = expectAnswered(req, await once(req));
      expect(textOf(payloadOf(item!), Tag.UniqueIdentifier)).to.equal(uid);
    });
    it('Encrypt (1.2, uid "111" rewritten; AES-CBC PKCS5, Random IV, no IV sent) returns Data and a 16-byte IV that decrypt locally', async () => {
      expect(plaintext).to.have.length(96);
      const req = rewriteUids(decodeHex(ENCRYPT!), new Map([["111", uid]]));
      const [item] = expectAnswered(req, await once(req));
      const p = payloadOf(item!);
      expect(textOf(p, Tag.UniqueIdentifier)).to.equal(uid);
      const data = bytesOf(p, Tag.Data);
      const iv = bytesOf(p, Tag.IVCounterNonce);
      expect(iv, "the server generates the IV and returns it").to.have.length(16);
      expect(data, "96 bytes + a full PKCS#5 padding block").to.have.length(112);
      const key = (await (await srv.client("1.2")).get(uid)).keyBytes!;
      const d = createDecipheriv("aes-256-cbc", key, iv!);
      expect(Buffer.concat([d.update(data!), d.final()]).equals(plaintext)).to.equal(true);
      encrypted = { data: data!, iv: iv! };
    });
    it('Decrypt (1.2, uid "111", Data and IV rewritten to the Encrypt reply) returns the original 96 bytes', async () => {
      expect(encrypted, "the Encrypt step must have succeeded").to.not.equal(undefined);
      let req = rewriteUids(decodeHex(DECRYPT!), new Map([["111", uid]]));
      req = rewriteValue(req, Tag.Data, bytes(Tag.Data, encrypted!.data));
      req = rewriteValue(req, Tag.IVCounterNonce, bytes(Tag.IVCounterNonce, encrypted!.iv));
      const [item] = expectAnswered(req, await once(req));
      const p = payloadOf(item!);
      expect(textOf(p, Tag.UniqueIdentifier)).to.equal(uid);
      expect(bytesOf(p, Tag.Data)?.equals(plaintext)).to.equal(true);
    });
  });
});
