/**
 * Replays real client transcripts (../shared/client-transcripts or $KMIP_SHARED_DIR, read at test time, never
 * copied here) against a real kmipd over real TLS. One TLS connection per session id, opened at
 * its first request, so connection grouping in a capture is kept.
 */
import { expect } from "chai";
import { readFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { KmipConnection } from "../../src/client/index.js";
import { nodeToText } from "../../src/encodings/index.js";
import { Enums, Tag, type KmipVersion } from "../../src/kmip/index.js";
import { ItemType, boolean, bytes, decodeTtlv, encodeTtlv, enumeration, integer, parseHex, struct, type StructureNode, type TtlvNode } from "../../src/ttlv/index.js";
import { SHARED_DIR } from "../helpers/shared.js";
import { startKmipd, type RunningKmipd } from "../integration/harness.js";

export const TRANSCRIPTS_DIR = process.env.KMIPD_TRANSCRIPTS ?? resolve(SHARED_DIR, "client-transcripts");

export interface Exchange {
  readonly request_hex: string;
  readonly response_hex: string | null;
  readonly description: string;
}

export interface Transcript {
  readonly client: string;
  readonly kmip_version: string;
  readonly exchanges: readonly Exchange[];
}

export function loadTranscript(file: string): Transcript {
  return JSON.parse(readFileSync(join(TRANSCRIPTS_DIR, file), "utf8")) as Transcript;
}

export const decodeHex = (hex: string): StructureNode => decodeTtlv(parseHex(hex)) as StructureNode;

export const child = (s: StructureNode | undefined, tag: number): TtlvNode | undefined => s?.children.find((c) => c.tag === tag);
export const children = (s: StructureNode | undefined, tag: number): TtlvNode[] => s?.children.filter((c) => c.tag === tag) ?? [];
export const struct_ = (s: StructureNode | undefined, tag: number): StructureNode | undefined => {
  const n = child(s, tag);
  return n?.type === ItemType.Structure ? n : undefined;
};
export function textOf(s: StructureNode | undefined, tag: number): string | undefined {
  const n = child(s, tag);
  return n?.type === ItemType.TextString ? n.value : undefined;
}
export function numOf(s: StructureNode | undefined, tag: number): number | undefined {
  const n = child(s, tag);
  return n?.type === ItemType.Integer || n?.type === ItemType.Enumeration ? n.value : undefined;
}

/** Returns a copy of `tree` with `fn` applied to every node (children first). */
export function mapTree(tree: TtlvNode, fn: (n: TtlvNode) => TtlvNode): TtlvNode {
  if (tree.type === ItemType.Structure) return fn({ ...tree, children: tree.children.map((c) => mapTree(c, fn)) });
  return fn(tree);
}

/**
 * Swaps uids of the original capture for the ones kmipd returned: every Unique Identifier text
 * found in `uids` is replaced, the rest of the message is left byte for byte as captured.
 */
export function rewriteUids(tree: StructureNode, uids: ReadonlyMap<string, string>): StructureNode {
  return mapTree(tree, (n) => (n.tag === Tag.UniqueIdentifier && n.type === ItemType.TextString && uids.has(n.value) ? { ...n, value: uids.get(n.value)! } : n)) as StructureNode;
}

/** Replaces the value of every node with `tag` (for values that depend on an earlier reply). */
export function rewriteValue(tree: StructureNode, tag: number, value: TtlvNode): StructureNode {
  return mapTree(tree, (n) => (n.tag === tag ? { ...value, tag } : n)) as StructureNode;
}

export const requestItems = (msg: StructureNode): StructureNode[] => children(msg, Tag.BatchItem) as StructureNode[];
export const responseItems = requestItems;

export function versionOf(msg: StructureNode): string {
  const h = struct_(msg, Tag.RequestHeader) ?? struct_(msg, Tag.ResponseHeader);
  const pv = struct_(h, Tag.ProtocolVersion);
  return `${numOf(pv, Tag.ProtocolVersionMajor)}.${numOf(pv, Tag.ProtocolVersionMinor)}`;
}

/** Sends raw request bytes on named sessions; each session is its own TLS connection. */
export class Replayer {
  private readonly sessions = new Map<string, KmipConnection>();
  constructor(private readonly srv: RunningKmipd) {}

  async connection(session: string): Promise<KmipConnection> {
    let c = this.sessions.get(session);
    if (!c || c.closed) {
      const { certs } = this.srv;
      c = await KmipConnection.connect({
        host: "127.0.0.1",
        port: this.srv.port,
        servername: "localhost",
        cert: await readFile(certs.clientCert),
        key: await readFile(certs.clientKey),
        ca: await readFile(certs.ca),
      });
      this.sessions.set(session, c);
    }
    return c;
  }

  /** Sends `request` (bytes as captured, or a rewritten tree) and decodes the response. */
  async send(session: string, request: Uint8Array | StructureNode): Promise<StructureNode> {
    const bytes = request instanceof Uint8Array ? request : encodeTtlv(request);
    const res = await (await this.connection(session)).sendBytes(bytes);
    return decodeTtlv(res, { maxMessageSize: res.length }) as StructureNode;
  }

  async end(session: string): Promise<void> {
    await this.sessions.get(session)?.close();
    this.sessions.delete(session);
  }

  async closeAll(): Promise<void> {
    await Promise.all([...this.sessions.keys()].map((s) => this.end(s)));
  }
}

export const show = (n: TtlvNode): string => nodeToText(n, { showSecrets: true });

/**
 * The checks every replayed message gets: the response is in the request's version, holds one
 * item per request item, each echoes its Unique Batch Item ID and operation, and each answered
 * Success unless `expectReason` names the (justified) error for that item index.
 */
export function expectAnswered(request: StructureNode, response: StructureNode, expectReason: ReadonlyMap<number, number> = new Map()): StructureNode[] {
  const ctx = `request:\n${show(request)}\nresponse:\n${show(response)}`;
  expect(response.tag, ctx).to.equal(Tag.ResponseMessage);
  expect(versionOf(response), ctx).to.equal(versionOf(request));
  const reqs = requestItems(request);
  const res = responseItems(response);
  expect(res.length, ctx).to.equal(reqs.length);
  expect(numOf(struct_(response, Tag.ResponseHeader), Tag.BatchCount), ctx).to.equal(reqs.length);
  reqs.forEach((rq, i) => {
    const rs = res[i]!;
    const id = child(rq, Tag.UniqueBatchItemID);
    const echoed = child(rs, Tag.UniqueBatchItemID);
    if (id?.type === ItemType.ByteString) {
      expect(echoed?.type, `item ${i}: Unique Batch Item ID echoed\n${ctx}`).to.equal(ItemType.ByteString);
      expect(Buffer.from((echoed as { value: Uint8Array }).value).toString("hex"), ctx).to.equal(Buffer.from(id.value).toString("hex"));
    } else {
      expect(echoed, `item ${i}: no Unique Batch Item ID was sent, none comes back\n${ctx}`).to.equal(undefined);
    }
    expect(numOf(rs, Tag.Operation), `item ${i}: operation\n${ctx}`).to.equal(numOf(rq, Tag.Operation));
    const want = expectReason.get(i);
    if (want === undefined) {
      expect(numOf(rs, Tag.ResultStatus), `item ${i}: Success\n${ctx}`).to.equal(Enums.ResultStatus.Success);
    } else {
      expect(numOf(rs, Tag.ResultStatus), `item ${i}: failure\n${ctx}`).to.equal(Enums.ResultStatus.OperationFailed);
      expect(numOf(rs, Tag.ResultReason), `item ${i}: reason\n${ctx}`).to.equal(want);
    }
  });
  return res;
}

/** The response payload of one answered item. */
export const payloadOf = (item: StructureNode): StructureNode => struct_(item, Tag.ResponsePayload) ?? { tag: Tag.ResponsePayload, type: ItemType.Structure, children: [] };

/** Key Material bytes of a Get payload's object, with the Key Format Type next to it. */
export function keyOf(getPayload: StructureNode, objectTag: number): { format?: number; material?: Buffer; algorithm?: number; length?: number } {
  const kb = struct_(struct_(getPayload, objectTag), Tag.KeyBlock);
  const km = child(struct_(kb, Tag.KeyValue), Tag.KeyMaterial);
  return {
    format: numOf(kb, Tag.KeyFormatType),
    material: km?.type === ItemType.ByteString ? Buffer.from(km.value) : undefined,
    algorithm: numOf(kb, Tag.CryptographicAlgorithm),
    length: numOf(kb, Tag.CryptographicLength),
  };
}

/** Protocol versions listed in a Discover Versions payload, as "major.minor". */
export function listedVersions(p: StructureNode): string[] {
  return (children(p, Tag.ProtocolVersion) as StructureNode[]).map((pv) => `${numOf(pv, Tag.ProtocolVersionMajor)}.${numOf(pv, Tag.ProtocolVersionMinor)}`);
}

export interface BuiltItem {
  readonly op: number;
  readonly payload: readonly TtlvNode[];
  /** Unique Batch Item ID bytes, when the item should carry one. */
  readonly id?: Uint8Array;
}

/**
 * A request message for the flows the transcripts only describe (no bytes captured): header
 * with the given version, optional header fields (e.g. Maximum Response Size) and batch options.
 */
export function buildRequest(version: KmipVersion, items: readonly BuiltItem[], o: { header?: readonly TtlvNode[]; batchOrder?: boolean } = {}): StructureNode {
  const [major, minor] = version.split(".").map(Number) as [number, number];
  const header: TtlvNode[] = [struct(Tag.ProtocolVersion, [integer(Tag.ProtocolVersionMajor, major), integer(Tag.ProtocolVersionMinor, minor)]), ...(o.header ?? [])];
  if (o.batchOrder !== undefined) header.push(boolean(Tag.BatchOrderOption, o.batchOrder));
  header.push(integer(Tag.BatchCount, items.length));
  return struct(Tag.RequestMessage, [
    struct(Tag.RequestHeader, header),
    ...items.map((it) =>
      struct(Tag.BatchItem, [
        enumeration(Tag.Operation, it.op),
        ...(it.id ? [bytes(Tag.UniqueBatchItemID, it.id)] : []),
        struct(Tag.RequestPayload, [...it.payload]),
      ]),
    ),
  ]);
}

/** A real kmipd and a Replayer on it, for a describe's before() hook. */
export async function startReplay(o?: Parameters<typeof startKmipd>[0]): Promise<{ srv: RunningKmipd; rp: Replayer }> {
  const srv = await startKmipd(o);
  return { srv, rp: new Replayer(srv) };
}

/** Closes the Replayer's connections, then stops the server (after() hook; either may be unset). */
export async function stopReplay(rp: Replayer | undefined, srv: RunningKmipd | undefined): Promise<void> {
  await rp?.closeAll();
  await srv?.stop();
}
