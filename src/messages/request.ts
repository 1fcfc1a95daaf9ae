/**
 * The request message: header fields and batch items, read from the generic tree. Payloads stay
 * generic (StructReader): each operation reads its own.
 */
import { Enums, Tag } from "../kmip/index.js";
import { ItemType, type TtlvNode } from "../ttlv/index.js";
import { KmipError } from "./errors.js";
import type { ProtocolVersion } from "./protocol.js";
import { StructReader } from "./reader.js";

export interface RequestHeader {
  readonly protocolVersion: ProtocolVersion;
  readonly maximumResponseSize?: number;
  readonly clientCorrelationValue?: string;
  readonly serverCorrelationValue?: string;
  /** 1.x Boolean, 2.x Enumeration (Mandatory/Optional/Prohibited) — kept as given. */
  readonly asynchronousIndicator?: boolean | number;
  readonly batchOrderOption?: boolean;
  readonly batchErrorContinuationOption: number;
  readonly batchCount: number;
  readonly timeStamp?: bigint;
  /** Whether the header has an Authentication: the certificate still decides who the client is. */
  readonly hasAuthentication: boolean;
  /** Username and Password / Device credentials: which user or device of the client asks (checked by the executor). */
  readonly credentials: readonly HeaderCredential[];
  /** Ticket Value of an Authentication Credential of type Ticket (2.0+): a Login ticket, admitted by the executor. */
  readonly ticket?: Uint8Array;
}

/** A Username and Password or Device credential as presented; the password is only ever compared, never shown. */
export type HeaderCredential =
  | { readonly type: "password"; readonly username: string; readonly password?: string }
  | {
      readonly type: "device";
      readonly password?: string;
      readonly serialNumber?: string;
      readonly deviceIdentifier?: string;
      readonly networkIdentifier?: string;
      readonly machineIdentifier?: string;
      readonly mediaIdentifier?: string;
    };

export interface RequestBatchItem {
  readonly operation: number;
  readonly uniqueBatchItemId?: Uint8Array;
  readonly payload?: StructReader;
  readonly extensions: readonly TtlvNode[];
}

export interface RequestMessage {
  readonly header: RequestHeader;
  readonly items: readonly RequestBatchItem[];
}

/** Best effort, for answering even a request we cannot parse in the client's own version. */
export function sniffProtocolVersion(root: TtlvNode): ProtocolVersion | undefined {
  try {
    return readProtocolVersion(StructReader.of(root).struct(Tag.RequestHeader).struct(Tag.ProtocolVersion));
  } catch {
    return undefined;
  }
}

function readProtocolVersion(r: StructReader): ProtocolVersion {
  return { major: r.int(Tag.ProtocolVersionMajor), minor: r.int(Tag.ProtocolVersionMinor) };
}

/** The first Credential of type Ticket in the header's Authentication; its Ticket Value. */
function ticketOf(h: StructReader): Uint8Array | undefined {
  const auth = h.optStruct(Tag.Authentication);
  for (const c of auth?.structs(Tag.Credential) ?? []) {
    if (c.optEnum(Tag.CredentialType) !== Enums.CredentialType.Ticket) continue;
    const t = c.optStruct(Tag.CredentialValue)?.optStruct(Tag.Ticket);
    if (!t) throw new KmipError("InvalidMessage", "a Ticket credential needs a Ticket");
    return t.bytes(Tag.TicketValue);
  }
  return undefined;
}

/** The header's Username and Password and Device credentials (other types are left to their own handling). */
function credentialsOf(h: StructReader): HeaderCredential[] {
  const out: HeaderCredential[] = [];
  for (const c of h.optStruct(Tag.Authentication)?.structs(Tag.Credential) ?? []) {
    const type = c.optEnum(Tag.CredentialType);
    if (type !== Enums.CredentialType.UsernameAndPassword && type !== Enums.CredentialType.Device) continue;
    const v = c.optStruct(Tag.CredentialValue);
    if (!v) throw new KmipError("InvalidMessage", "a Credential needs a Credential Value");
    const password = v.optText(Tag.Password);
    if (type === Enums.CredentialType.UsernameAndPassword) {
      out.push({ type: "password", username: v.text(Tag.Username), ...(password !== undefined ? { password } : {}) });
      continue;
    }
    const fields = {
      serialNumber: v.optText(Tag.DeviceSerialNumber),
      deviceIdentifier: v.optText(Tag.DeviceIdentifier),
      networkIdentifier: v.optText(Tag.NetworkIdentifier),
      machineIdentifier: v.optText(Tag.MachineIdentifier),
      mediaIdentifier: v.optText(Tag.MediaIdentifier),
    };
    const given = Object.fromEntries(Object.entries(fields).filter(([, x]) => x !== undefined));
    if (Object.keys(given).length === 0) throw new KmipError("InvalidMessage", "a Device credential needs at least one identifier");
    out.push({ type: "device", ...given, ...(password !== undefined ? { password } : {}) });
  }
  return out;
}

export function parseRequest(root: TtlvNode, limits: { readonly maxBatchItems: number }): RequestMessage {
  if (root.tag !== Tag.RequestMessage) throw new KmipError("InvalidMessage", "not a Request Message");
  const msg = StructReader.of(root);
  const h = msg.struct(Tag.RequestHeader);
  const asyncNode = h.opt(Tag.AsynchronousIndicator);
  const header: RequestHeader = {
    protocolVersion: readProtocolVersion(h.struct(Tag.ProtocolVersion)),
    maximumResponseSize: h.optInt(Tag.MaximumResponseSize),
    clientCorrelationValue: h.optText(Tag.ClientCorrelationValue),
    serverCorrelationValue: h.optText(Tag.ServerCorrelationValue),
    asynchronousIndicator:
      asyncNode?.type === ItemType.Boolean || asyncNode?.type === ItemType.Enumeration ? asyncNode.value : undefined,
    batchOrderOption: h.optBool(Tag.BatchOrderOption),
    batchErrorContinuationOption: h.optEnum(Tag.BatchErrorContinuationOption) ?? Enums.BatchErrorContinuationOption.Stop,
    batchCount: h.optInt(Tag.BatchCount) ?? -1,
    timeStamp: h.optDateTime(Tag.TimeStamp),
    hasAuthentication: h.has(Tag.Authentication),
    ticket: ticketOf(h),
    credentials: credentialsOf(h),
  };
  const itemNodes = msg.all(Tag.BatchItem);
  if (itemNodes.length === 0) throw new KmipError("InvalidMessage", "a request needs at least one Batch Item");
  if (itemNodes.length > limits.maxBatchItems) {
    throw new KmipError("InvalidMessage", `${itemNodes.length} batch items; this server accepts at most ${limits.maxBatchItems}`);
  }
  // KMIP 3.0 dropped Batch Count; for 1.x–2.1 it is required and must match.
  if (header.batchCount !== itemNodes.length) {
    throw new KmipError("InvalidMessage", `Batch Count ${header.batchCount} but ${itemNodes.length} batch items`);
  }
  const items = itemNodes.map((n, i): RequestBatchItem => {
    const r = StructReader.of(n, `BatchItem[${i}]`);
    return {
      operation: r.enum(Tag.Operation),
      uniqueBatchItemId: r.optBytes(Tag.UniqueBatchItemID),
      payload: r.optStruct(Tag.RequestPayload),
      extensions: r.all(Tag.MessageExtension),
    };
  });
  return { header, items };
}
