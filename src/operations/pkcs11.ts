/**
 * PKCS#11 (2.0/2.1 §6.1.37): a PKCS#11 call carried over KMIP. kmipd answers as a PKCS#11 library
 * with no slots of its own: C_Initialize opens a context (pkcs11/contexts.ts) named by the
 * Correlation Value it returns, C_GetInfo describes the library (CK_INFO), C_Finalize closes the
 * context. Every other function of CK_FUNCTION_LIST_3_0 answers CKR_FUNCTION_NOT_SUPPORTED — a
 * PKCS#11 answer, so the KMIP operation itself succeeds. kmipd's HSMs are never exposed this way:
 * they hold KEKs, which no client may use directly.
 *
 * Refusals with a KMIP Result Reason: an interface other than the default "PKCS 11" (PKCS#11
 * Invalid Interface), a function value PKCS#11 3.0 does not define or a vendor function given as
 * an Integer (PKCS#11 Invalid Function).
 */
import { Enums, Tag } from "../kmip/index.js";
import { KmipError } from "../messages/index.js";
import { ItemType, bytes, enumeration, text, type TtlvNode } from "../ttlv/index.js";
import type { OperationHandler } from "./context.js";

const F = Enums.PKCS_11Function;
const RV = Enums.PKCS_11ReturnCode;
/** The interface name of PKCS#11 3.0's default interface (C_GetInterface "PKCS 11"). */
const DEFAULT_INTERFACE = "PKCS 11";
const KNOWN_FUNCTIONS = new Set<number>(Object.values(F));

export const pkcs11: OperationHandler = async (p, ctx) => {
  const iface = p.optText(Tag.PKCS_11Interface);
  if (iface !== undefined && iface !== DEFAULT_INTERFACE) throw new KmipError("PKCS_11InvalidInterface", `kmipd offers only the default interface "${DEFAULT_INTERFACE}"`);
  const fnNode = p.req(Tag.PKCS_11Function);
  if (fnNode.type !== ItemType.Enumeration || !KNOWN_FUNCTIONS.has(fnNode.value)) {
    throw new KmipError("PKCS_11InvalidFunction", "not a PKCS#11 3.0 function (kmipd defines no vendor functions)");
  }
  p.optBytes(Tag.PKCS_11InputParameters); // type check; no function kmipd answers reads any input
  const correlation = p.optBytes(Tag.CorrelationValue);
  const contexts = ctx.pkcs11;
  const out: TtlvNode[] = [];
  let rv: number;
  switch (fnNode.value) {
    case F.C_Initialize:
      if (contexts.use(ctx.principal, correlation)) rv = RV.CRYPTOKI_ALREADY_INITIALIZED;
      else {
        out.push(bytes(Tag.CorrelationValue, contexts.open(ctx.principal)));
        rv = RV.OK;
      }
      break;
    case F.C_GetInfo:
      if (!contexts.use(ctx.principal, correlation)) rv = RV.CRYPTOKI_NOT_INITIALIZED;
      else {
        out.push(bytes(Tag.PKCS_11OutputParameters, ckInfo(ctx.settings.vendorIdentification, ctx.settings.serverVersion)));
        rv = RV.OK;
      }
      break;
    case F.C_Finalize:
      rv = contexts.close(ctx.principal, correlation) ? RV.OK : RV.CRYPTOKI_NOT_INITIALIZED;
      break;
    default:
      rv = RV.FUNCTION_NOT_SUPPORTED;
  }
  return [
    ...(iface !== undefined ? [text(Tag.PKCS_11Interface, iface)] : []),
    enumeration(Tag.PKCS_11Function, fnNode.value),
    ...out,
    enumeration(Tag.PKCS_11ReturnCode, rv),
  ];
};

/**
 * CK_INFO as the PKCS11-M-1 cases lay it out: cryptokiVersion (2 bytes), manufacturerID (32,
 * blank padded), flags (CK_FLAGS, 8 bytes, big-endian; none defined), libraryDescription (32),
 * libraryVersion (2). kmipd reports Cryptoki 3.0 (its function numbering) and its own version.
 */
export function ckInfo(vendor: string, serverVersion: string): Buffer {
  const [major = 0, minor = 0] = serverVersion.split(".").map((n) => Math.min(255, Number.parseInt(n, 10) || 0));
  const padded = (s: string) => Buffer.from(s.padEnd(32, " ").slice(0, 32), "ascii");
  return Buffer.concat([Buffer.of(3, 0), padded(vendor), Buffer.alloc(8), padded(`${vendor} KMIP server`), Buffer.of(major, minor)]);
}
