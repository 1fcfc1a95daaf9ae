/** Small KMIP XML builders and a scripted fake server for the conformance-runner tests. */
import { nowPlaceholders, xmlToNodes } from "../../src/encodings/index.js";
import { parseXmlDocument } from "../../src/encodings/xml-dom.js";
import { decodeTtlv, encodeTtlv, ItemType, type TtlvNode } from "../../src/ttlv/index.js";
import { expectedFrom, type Expected } from "../../conformance/case-file.js";
import type { Sender } from "../../conformance/runner.js";
import { CaseState } from "../../conformance/state.js";

/** A fixed "now" for every test: 2023-11-14T22:13:20Z. */
export const NOW = 1_700_000_000n;
export const clock = (): bigint => NOW;
export const newState = (): CaseState => new CaseState(clock, 300);

const header = (kind: "Request" | "Response", minor: number, batchCount: number): string =>
  `<${kind}Header><ProtocolVersion><ProtocolVersionMajor type="Integer" value="${minor >= 10 ? 2 : 1}"/>` +
  `<ProtocolVersionMinor type="Integer" value="${minor % 10}"/></ProtocolVersion>` +
  (kind === "Response" ? `<TimeStamp type="DateTime" value="$NOW"/>` : "") +
  `<BatchCount type="Integer" value="${batchCount}"/></${kind}Header>`;

export interface Item {
  readonly op: string;
  readonly payload?: string;
  readonly status?: string;
  readonly reason?: string;
  readonly message?: string;
}

/** A request message (KMIP 1.4 unless `minor` says otherwise; 10 = 2.0, 11 = 2.1). */
export function req(op: string, payload: string, minor = 4): string {
  return reqBatch([{ op, payload }], minor);
}

export function reqBatch(items: readonly Item[], minor = 4): string {
  const bis = items.map((i) => `<BatchItem><Operation type="Enumeration" value="${i.op}"/><RequestPayload>${i.payload ?? ""}</RequestPayload></BatchItem>`);
  return `<RequestMessage>${header("Request", minor, items.length)}${bis.join("")}</RequestMessage>`;
}

/** A response message with one batch item. */
export function resp(op: string, payload: string | undefined, more: Omit<Item, "op" | "payload"> = {}, minor = 4): string {
  return respBatch([{ op, ...(payload === undefined ? {} : { payload }), ...more }], minor);
}

export function respBatch(items: readonly Item[], minor = 4): string {
  const bis = items.map(
    (i) =>
      `<BatchItem><Operation type="Enumeration" value="${i.op}"/><ResultStatus type="Enumeration" value="${i.status ?? "Success"}"/>` +
      (i.reason ? `<ResultReason type="Enumeration" value="${i.reason}"/>` : "") +
      (i.message ? `<ResultMessage type="TextString" value="${i.message}"/>` : "") +
      (i.payload === undefined ? "" : `<ResponsePayload>${i.payload}</ResponsePayload>`) +
      `</BatchItem>`,
  );
  return `<ResponseMessage>${header("Response", minor, items.length)}${bis.join("")}</ResponseMessage>`;
}

export const uid = (v: string): string => `<UniqueIdentifier type="TextString" value="${v}"/>`;
export const attr1 = (name: string, type: string, value: string): string =>
  `<Attribute><AttributeName type="TextString" value="${name}"/><AttributeValue type="${type}" value="${value}"/></Attribute>`;

/** The expectation the runner builds from an expected-response element. */
export const expectation = (xml: string): Expected => expectedFrom(parseXmlDocument(xml));

/** What a server would send: the XML read with `$NOW` as the fixed now (no other placeholders allowed). */
export const actual = (xml: string): TtlvNode => xmlToNodes(xml, { placeholders: nowPlaceholders(NOW) }).messages[0]!;

/** A file of messages. */
export const kmipFile = (...messages: string[]): string => `<KMIP>\n${messages.join("\n")}\n</KMIP>\n`;

/** A scripted server: answer i is computed from request i; records every request. */
export function fakeServer(answers: readonly ((request: TtlvNode) => string)[]): { send: Sender; requests: TtlvNode[] } {
  const requests: TtlvNode[] = [];
  const send: Sender = async (bytes) => {
    const r = decodeTtlv(bytes);
    const i = requests.length;
    requests.push(r);
    const answer = answers[i];
    if (!answer) throw new Error(`unexpected request #${i + 1}`);
    return encodeTtlv(actual(answer(r)));
  };
  return { send, requests };
}

/** The first value of `tag` (depth-first) in a tree. */
export function find(node: TtlvNode, tag: number): TtlvNode | undefined {
  if (node.tag === tag) return node;
  if (node.type !== ItemType.Structure) return undefined;
  for (const c of node.children) {
    const f = find(c, tag);
    if (f) return f;
  }
  return undefined;
}
