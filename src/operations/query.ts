/**
 * Query (1.4 §4.25, 2.1 §6.1.37): what this server is, in the client's version. Operations come
 * from the route table and object types from what Register accepts, so the answer cannot drift
 * from the code. Functions kmipd has nothing to report for (attestation types, validations,
 * extensions, application namespaces, defaults, storage protection masks) answer nothing.
 */
import { Enums, Tag, enumByXmlName, inVersion, tagByValue, type KmipVersion } from "../kmip/index.js";
import { ItemType, boolean, enumeration, struct, text, type TtlvNode } from "../ttlv/index.js";
import { isV2 } from "../messages/index.js";
import { RETRIEVE_RNG_FIELDS, RNG_FIELDS } from "./common.js";
import type { OperationContext, OperationHandler } from "./context.js";
import { REGISTRABLE_TYPES } from "./register.js";

const Q = Enums.QueryFunction;

/**
 * Profiles kmipd claims, by the 2.x profile name; the 1.3/1.4 names are these plus
 * "KMIP v1.x" (Baseline: the TLS v1.2 variant — kmipd speaks TTLV over mutual TLS only).
 */
const PROFILES: readonly string[] = [
  "BaselineServerTLSV1_2", "SymmetricKeyLifecycleServer", "SymmetricKeyFoundryServer", "OpaqueManagedObjectStoreServer",
  "TapeLibraryServer", "StorageArrayWithSelfEncryptingDriveServer",
];

export const query: OperationHandler = async (p, ctx) => {
  const fns = new Set(p.all(Tag.QueryFunction).map((n) => (n.type === ItemType.Enumeration ? n.value : -1)));
  const out: TtlvNode[] = [];
  const defined = (enumName: string, value: number): boolean => {
    const row = enumByXmlName(enumName)?.values.find((v) => v.value === value);
    return row !== undefined && inVersion(row.versions, ctx.version);
  };
  if (fns.has(Q.QueryOperations)) {
    for (const op of ctx.operations) if (defined("Operation", op)) out.push(enumeration(Tag.Operation, op));
  }
  if (fns.has(Q.QueryObjects)) {
    for (const t of REGISTRABLE_TYPES) if (defined("ObjectType", t)) out.push(enumeration(Tag.ObjectType, t));
  }
  if (fns.has(Q.QueryServerInformation)) {
    out.push(text(Tag.VendorIdentification, ctx.settings.vendorIdentification));
    // Server Name / Server Version exist from 2.0 on; a 1.x Server Information is vendor-specific,
    // and a strict 1.x decoder refuses tags its version lacks: it stays empty there.
    const info = isV2(ctx.version) ? [text(Tag.ServerName, "kmipd"), text(Tag.ServerVersion, ctx.settings.serverVersion)] : [];
    out.push(struct(Tag.ServerInformation, info));
  }
  // Two generators: OpenSSL's CTR_DRBG makes keys; kmipd's HMAC_DRBG answers RNG Retrieve and takes RNG Seed.
  if (fns.has(Q.QueryRNGs)) out.push(struct(Tag.RNGParameters, RNG_FIELDS()), struct(Tag.RNGParameters, RETRIEVE_RNG_FIELDS()));
  if (fns.has(Q.QueryProfiles)) out.push(...profiles(ctx.version));
  if (fns.has(Q.QueryCapabilities)) out.push(capabilities(ctx));
  // Identity is the TLS client certificate, issued outside KMIP by the operator's CA.
  if (fns.has(Q.QueryClientRegistrationMethods)) out.push(enumeration(Tag.ClientRegistrationMethod, Enums.ClientRegistrationMethod.Unspecified));
  return out;
};

function profiles(version: KmipVersion): TtlvNode[] {
  const names = enumByXmlName("ProfileName")!.values.filter((v) => inVersion(v.versions, version));
  const suffix = version.startsWith("1.") ? `KMIPV${version.replace(".", "_")}` : "";
  const out: TtlvNode[] = [];
  for (const p of PROFILES) {
    const row = names.find((n) => n.xmlName === p + suffix);
    if (row) out.push(struct(Tag.ProfileInformation, [enumeration(Tag.ProfileName, row.value)]));
  }
  return out;
}

function capabilities(ctx: OperationContext): TtlvNode {
  const fields = [
    boolean(Tag.StreamingCapability, false),
    boolean(Tag.AsynchronousCapability, true), // Locate and Archive may answer Operation Pending (executor)
    boolean(Tag.AttestationCapability, false),
    boolean(Tag.BatchUndoCapability, true),
    boolean(Tag.BatchContinueCapability, true),
    enumeration(Tag.UnwrapMode, Enums.UnwrapMode.NotProcessed), // wrapped keys are stored as registered
    enumeration(Tag.DestroyAction, Enums.DestroyAction.KeyMaterialDeleted), // metadata is kept
    enumeration(Tag.ShreddingAlgorithm, Enums.ShreddingAlgorithm.Unsupported),
    // one instance of each generator serves every client: OpenSSL's process-wide DRBG (keys), the executor's HMAC_DRBG (RNG Retrieve)
    enumeration(Tag.RNGMode, Enums.RNGMode.SharedInstantiation),
    boolean(Tag.QuantumSafeCapability, false),
  ];
  return struct(Tag.CapabilityInformation, fields.filter((f) => inVersion(tagByValue(f.tag)?.versions ?? 0, ctx.version)));
}
