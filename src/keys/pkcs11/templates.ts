/**
 * Attribute templates (stack-check §3, verified on SoftHSM 2.6.1). DEK objects are
 * CKK_GENERIC_SECRET so any length fits, and their usage flags are set to false explicitly:
 * SoftHSM defaults them to true, which would let a DEK act as a wrapping key (P9).
 */
import type pkcs11js from "pkcs11js";
import type { KekBits } from "../types.js";
import { P } from "./module.js";

type Template = pkcs11js.Template;

const NO_USAGE: Template = [
  { type: P.CKA_WRAP, value: false },
  { type: P.CKA_UNWRAP, value: false },
  { type: P.CKA_ENCRYPT, value: false },
  { type: P.CKA_DECRYPT, value: false },
];

const SESSION_SECRET: Template = [
  { type: P.CKA_CLASS, value: P.CKO_SECRET_KEY },
  { type: P.CKA_KEY_TYPE, value: P.CKK_GENERIC_SECRET },
  { type: P.CKA_TOKEN, value: false },
  ...NO_USAGE,
];

/** A KEK version in the token: generated inside, sensitive, never extractable, wrap/unwrap only. */
export function kekTemplate(label: string, id: Buffer, bits: KekBits): Template {
  return [
    { type: P.CKA_CLASS, value: P.CKO_SECRET_KEY },
    { type: P.CKA_KEY_TYPE, value: P.CKK_AES },
    { type: P.CKA_VALUE_LEN, value: bits / 8 },
    { type: P.CKA_TOKEN, value: true },
    { type: P.CKA_PRIVATE, value: true },
    { type: P.CKA_SENSITIVE, value: true },
    { type: P.CKA_EXTRACTABLE, value: false },
    { type: P.CKA_MODIFIABLE, value: false },
    { type: P.CKA_WRAP, value: true },
    { type: P.CKA_UNWRAP, value: true },
    { type: P.CKA_ENCRYPT, value: false },
    { type: P.CKA_DECRYPT, value: false },
    { type: P.CKA_LABEL, value: label },
    { type: P.CKA_ID, value: id },
  ];
}

/** Search template for KEK objects by label, and optionally by id (one version). */
export function kekSearch(label: string, id?: Buffer): Template {
  const t: Template = [
    { type: P.CKA_CLASS, value: P.CKO_SECRET_KEY },
    { type: P.CKA_LABEL, value: label },
  ];
  if (id) t.push({ type: P.CKA_ID, value: id });
  return t;
}

/** The DEK as a session object, only so that C_WrapKey can wrap it; destroyed right after. */
export function dekToWrap(value: Buffer): Template {
  return [...SESSION_SECRET, { type: P.CKA_SENSITIVE, value: false }, { type: P.CKA_EXTRACTABLE, value: true }, { type: P.CKA_VALUE, value }];
}

/**
 * Unwrap target whose CKA_VALUE can be read: only SENSITIVE=false with EXTRACTABLE=true allows
 * it. No CKA_VALUE_LEN: SoftHSM refuses it in unwrap templates (P12).
 */
export const DEK_READABLE: Template = [...SESSION_SECRET, { type: P.CKA_SENSITIVE, value: false }, { type: P.CKA_EXTRACTABLE, value: true }];

/** Rewrap transient: sensitive, so its value can never be read, yet extractable, so it can be wrapped. */
export const DEK_TRANSIENT: Template = [...SESSION_SECRET, { type: P.CKA_SENSITIVE, value: true }, { type: P.CKA_EXTRACTABLE, value: true }];
