/**
 * Building the response message in the request's own protocol version. Only fields the version
 * defines are written; a Result Reason the version does not know is mapped to the nearest one it
 * does (a 1.x client never sees a 2.x-only reason code).
 */
import { Enums, Tag, enumByXmlName, inVersion, type KmipVersion } from "../kmip/index.js";
import { bytes, dateTime, enumeration, integer, struct, text, type StructureNode, type TtlvNode } from "../ttlv/index.js";
import type { ResultReasonName } from "./errors.js";
import type { ProtocolVersion } from "./protocol.js";

export interface ResponseItem {
  readonly operation?: number;
  readonly uniqueBatchItemId?: Uint8Array;
  readonly status: number;
  readonly reason?: ResultReasonName;
  readonly message?: string;
  /** Set with status Operation Pending: what the client Polls or Cancels with. */
  readonly asyncCorrelationValue?: Uint8Array;
  /** The refusal concerns a linked object, not the one operated on (KmipError.about). */
  readonly aboutLinked?: boolean;
  /** Children of the Response Payload; undefined = no payload element at all. */
  readonly payload?: readonly TtlvNode[];
}

export interface ResponseHeaderExtras {
  readonly clientCorrelationValue?: string;
  readonly serverCorrelationValue?: string;
}

/** Where a reason is newer than the client's version: the closest older reason (else General Failure). */
const OLDER_REASON: Partial<Record<ResultReasonName, ResultReasonName>> = {
  ObjectNotFound: "ItemNotFound",
  AttributeNotFound: "ItemNotFound",
  AttributeInstanceNotFound: "ItemNotFound",
  InvalidAttribute: "InvalidField",
  InvalidAttributeValue: "InvalidField",
  UnsupportedAttribute: "InvalidField",
  InvalidObjectType: "InvalidField",
  IllegalObjectType: "InvalidField",
  InvalidDataType: "InvalidField",
  NumericRange: "InvalidField",
  UnknownEnumeration: "InvalidField",
  UnknownTag: "InvalidMessage",
  CodecError: "InvalidMessage",
  UnsupportedProtocolVersion: "InvalidMessage",
  ReadOnlyAttribute: "PermissionDenied",
  AttributeReadOnly: "PermissionDenied",
  AttributeSingleValued: "IndexOutOfBounds",
  MultiValuedAttribute: "IndexOutOfBounds",
  WrongKeyLifecycleState: "PermissionDenied",
  ObjectDestroyed: "ItemNotFound",
  NotAuthorised: "PermissionDenied",
  ServerLimitExceeded: "GeneralFailure",
  InternalServerError: "GeneralFailure",
  UnsupportedCryptographicParameters: "CryptographicFailure",
  BadCryptographicParameters: "CryptographicFailure",
  IncompatibleCryptographicUsageMask: "PermissionDenied",
  NonUniqueNameAttribute: "InvalidField",
  ConstraintViolation: "InvalidField",
  UsageLimitExceeded: "PermissionDenied",
  KeyValueNotPresent: "ItemNotFound",
  ObjectArchived: "PermissionDenied",
  Sensitive: "PermissionDenied",
  NotExtractable: "PermissionDenied",
  // 1.0–1.4 §11 error tables: a critical extension the server does not understand is Feature Not Supported.
  UnknownMessageExtension: "FeatureNotSupported",
};

const REASONS = enumByXmlName("ResultReason")!;

/**
 * Reasons a version defines but whose OASIS conformance cases expect another: the KMIP 2.0 cases
 * (AKLC-M-2/3-20, CS-AC-M-8-20, CS-BC-M-14-20) answer every lifecycle refusal *of the object
 * operated on* with Permission Denied, where 2.1 and its cases use Wrong Key Lifecycle State.
 * 2.0 clients get what their cases — and the servers they were written against — expect. A
 * refusal about a *linked* object (TC-PKCS12-2-20: the PKCS#12 password is not Active) keeps
 * Wrong Key Lifecycle State in 2.0, as that case expects; 1.x has no such reason and gets
 * Permission Denied either way (TC-PKCS12-2-14).
 */
const AS_CASES_EXPECT: Partial<Record<KmipVersion, Partial<Record<ResultReasonName, ResultReasonName>>>> = {
  "2.0": { WrongKeyLifecycleState: "PermissionDenied" },
};

export function reasonValue(name: ResultReasonName, version: KmipVersion, aboutLinked = false): number {
  let n: ResultReasonName | undefined = (aboutLinked ? undefined : AS_CASES_EXPECT[version]?.[name]) ?? name;
  for (let hops = 0; n !== undefined && hops < 4; hops++) {
    const row = REASONS.values.find((r) => r.xmlName === n);
    if (row && inVersion(row.versions, version)) return row.value;
    n = OLDER_REASON[n];
  }
  return Enums.ResultReason.GeneralFailure;
}

export function buildResponse(
  pv: ProtocolVersion,
  version: KmipVersion,
  timeStamp: bigint,
  items: readonly ResponseItem[],
  extras: ResponseHeaderExtras = {},
): StructureNode {
  const header: TtlvNode[] = [
    struct(Tag.ProtocolVersion, [integer(Tag.ProtocolVersionMajor, pv.major), integer(Tag.ProtocolVersionMinor, pv.minor)]),
    dateTime(Tag.TimeStamp, timeStamp),
  ];
  // Correlation values exist from 1.4 on; echo the client's, as the spec asks.
  if (extras.clientCorrelationValue !== undefined && version >= "1.4") header.push(text(Tag.ClientCorrelationValue, extras.clientCorrelationValue));
  if (extras.serverCorrelationValue !== undefined && version >= "1.4") header.push(text(Tag.ServerCorrelationValue, extras.serverCorrelationValue));
  header.push(integer(Tag.BatchCount, items.length));
  return struct(Tag.ResponseMessage, [struct(Tag.ResponseHeader, header), ...items.map((i) => batchItem(i, version))]);
}

function batchItem(i: ResponseItem, version: KmipVersion): StructureNode {
  const c: TtlvNode[] = [];
  if (i.operation !== undefined) c.push(enumeration(Tag.Operation, i.operation));
  if (i.uniqueBatchItemId !== undefined) c.push(bytes(Tag.UniqueBatchItemID, i.uniqueBatchItemId));
  c.push(enumeration(Tag.ResultStatus, i.status));
  if (i.reason !== undefined) c.push(enumeration(Tag.ResultReason, reasonValue(i.reason, version, i.aboutLinked)));
  if (i.message !== undefined) c.push(text(Tag.ResultMessage, i.message));
  if (i.asyncCorrelationValue !== undefined) c.push(bytes(Tag.AsynchronousCorrelationValue, i.asyncCorrelationValue));
  if (i.payload !== undefined) c.push(struct(Tag.ResponsePayload, [...i.payload]));
  return struct(Tag.BatchItem, c);
}
