/**
 * The KMIP 1.x "default" operation policy (1.2–1.4 §3.18.2), the one policy kmipd defines. Its
 * owner is the header credential that created the object (ManagedObject.creator). Objects no
 * credential created, and requests that carry no credential (the TLS client itself), are not
 * restricted by it: tenancy (the account) is their boundary. docs/TENANCY.md has the rationale.
 */
import { Enums } from "../kmip/index.js";
import { KmipError } from "../messages/index.js";

const Op = Enums.Operation;
const T = Enums.ObjectType;

/**
 * Certificates and public keys (Table 82/93): everyone may find and read them; changing them is
 * the owner's. Set/Adjust Attribute (2.x) and Import count as the attribute changes they are.
 */
const PUBLIC_OWNER_ONLY: ReadonlySet<number> = new Set([
  Op.AddAttribute, Op.ModifyAttribute, Op.DeleteAttribute, Op.SetAttribute, Op.AdjustAttribute,
  Op.Activate, Op.Revoke, Op.Destroy, Op.Archive, Op.Recover, Op.Import,
]);

/** Object types read by anyone under the default policy; every other type is the owner's alone. */
const PUBLIC_TYPES: ReadonlySet<number> = new Set([T.Certificate, T.PublicKey, T.CertificateRequest]);

/**
 * Whether `operation` on an object of `objectType` is allowed to a credential other than its
 * owner. Secret objects (symmetric, private and split keys, secret data, opaque objects — Table
 * 81/92) and templates (Table 83) are the owner's for every operation: the table's list, and the
 * cryptographic operations later versions added, which use the secret just as Get reveals it.
 */
export function allowedToNonOwner(objectType: number, operation: number | undefined): boolean {
  if (operation === undefined) return false;
  if (PUBLIC_TYPES.has(objectType)) return !PUBLIC_OWNER_ONLY.has(operation);
  return false;
}

/**
 * The decision for one request on one object: allowed when no credential created it, when the
 * request carries none, when it is the creator's, or when the policy lets anyone.
 */
export function policyAllows(o: { readonly creator?: string; readonly objectType: number }, requester: string | undefined, operation: number | undefined): boolean {
  if (o.creator === undefined || requester === undefined || o.creator === requester) return true;
  return allowedToNonOwner(o.objectType, operation);
}

export const accessDenied = (): KmipError => new KmipError("PermissionDenied", "Access denied");
