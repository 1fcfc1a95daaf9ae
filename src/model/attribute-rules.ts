/**
 * Who may do what to each attribute — the "rules" tables of the spec's attribute sections
 * (1.4 §3, 2.1 §4), reduced to what the server enforces. Attributes not listed here follow
 * DEFAULT_RULE (client-owned, single-valued); custom attributes are multi-valued and client-owned.
 */
export interface AttrRule {
  /** More than one instance allowed. */
  readonly multi: boolean;
  /** A client may supply it on Create/Register/Add. */
  readonly clientSet: boolean;
  /** A client may Modify it once set. */
  readonly clientModify: boolean;
  /** A client may Delete it. */
  readonly clientDelete: boolean;
}

const rule = (multi: boolean, clientSet: boolean, clientModify: boolean, clientDelete: boolean): AttrRule => ({ multi, clientSet, clientModify, clientDelete });

const SERVER_ONLY = rule(false, false, false, false);
const AT_CREATION = rule(false, true, false, false);
const CLIENT_MULTI = rule(true, true, true, true);
export const DEFAULT_RULE = rule(false, true, true, true);
export const CUSTOM_RULE = CLIENT_MULTI;

const RULES: Readonly<Record<string, AttrRule>> = {
  "Unique Identifier": SERVER_ONLY,
  "Object Type": SERVER_ONLY,
  State: SERVER_ONLY,
  "Initial Date": SERVER_ONLY,
  "Last Change Date": SERVER_ONLY,
  "Destroy Date": SERVER_ONLY,
  "Compromise Date": SERVER_ONLY,
  "Compromise Occurrence Date": SERVER_ONLY,
  "Archive Date": SERVER_ONLY,
  "Revocation Reason": SERVER_ONLY,
  "Lease Time": SERVER_ONLY,
  // A client registering an object may say whether it is fresh (2.1 BL-M-13); it cannot change it later.
  Fresh: AT_CREATION,
  "Key Value Present": SERVER_ONLY,
  "Always Sensitive": SERVER_ONLY,
  "Never Extractable": SERVER_ONLY,
  "Original Creation Date": SERVER_ONLY,
  "Short Unique Identifier": SERVER_ONLY,
  "Key Format Type": SERVER_ONLY,
  // 2.x clients state it when registering a certificate (2.1 BL-M-10); it must match the content.
  "Certificate Type": AT_CREATION,
  "Certificate Length": SERVER_ONLY,
  "Certificate Identifier": SERVER_ONLY,
  "Certificate Subject": SERVER_ONLY,
  "Certificate Issuer": SERVER_ONLY,
  "X.509 Certificate Identifier": SERVER_ONLY,
  "X.509 Certificate Subject": SERVER_ONLY,
  "X.509 Certificate Issuer": SERVER_ONLY,
  "Digital Signature Algorithm": SERVER_ONLY,
  Digest: rule(true, false, false, false),
  "Cryptographic Algorithm": AT_CREATION,
  "Cryptographic Length": AT_CREATION,
  "Cryptographic Domain Parameters": AT_CREATION,
  "Cryptographic Usage Mask": AT_CREATION,
  "Usage Limits": rule(false, true, false, false),
  "Activation Date": rule(false, true, true, false),
  "Process Start Date": rule(false, true, true, false),
  "Protect Stop Date": rule(false, true, true, false),
  "Deactivation Date": rule(false, true, true, false),
  Name: CLIENT_MULTI,
  "Object Group": CLIENT_MULTI,
  "Application Specific Information": CLIENT_MULTI,
  Link: CLIENT_MULTI,
  "Alternative Name": CLIENT_MULTI,
  "Key Value Location": CLIENT_MULTI,
  "Cryptographic Parameters": CLIENT_MULTI,
};

export function ruleFor(name: string, custom: boolean): AttrRule {
  return custom ? CUSTOM_RULE : (RULES[name] ?? DEFAULT_RULE);
}

/**
 * Server-maintained attributes added in KMIP 1.2 and later that some deployed clients (PyKMIP
 * 0.10) cannot parse: left out of an unfiltered Get Attributes unless compat.complete_get_attributes.
 */
export const INFORMATIONAL_ATTRIBUTES: ReadonlySet<string> = new Set([
  "Original Creation Date", "Always Sensitive", "Never Extractable", "Extractable", "Random Number Generator",
  "Short Unique Identifier", "Key Format Type", "Protection Storage Mask",
]);

