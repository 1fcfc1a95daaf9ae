/**
 * One Time Pad (Cryptographic Algorithm 1.3+, no cipher defined by the spec): Secret Data whose
 * bytes are XORed with the data, from the pad's first byte, as the OASIS TC-OTP cases show
 * (pad fc932e1428bd, data 010203040506 → fd912d102dbb). kmipd does not track how much of a pad
 * has been spent: a client that wants single use sets Usage Limits (Byte) on the pad.
 */
import { Enums } from "../../kmip/index.js";
import { KmipError } from "../../messages/index.js";
import { enumAttr, objectTypeOf } from "../../model/index.js";
import type { LoadedObject } from "../repository.js";

export function isOneTimePad(obj: LoadedObject): boolean {
  return objectTypeOf(obj) === Enums.ObjectType.SecretData && enumAttr(obj, "Cryptographic Algorithm") === Enums.CryptographicAlgorithm.OneTimePad;
}

/** data XOR pad; the data may not be longer than the pad (the pad is never repeated). */
export function padXor(pad: Uint8Array, data: Uint8Array): Buffer {
  if (data.length > pad.length) throw new KmipError("InvalidField", `the data (${data.length} bytes) is longer than the one-time pad (${pad.length} bytes)`);
  const out = Buffer.alloc(data.length);
  for (let i = 0; i < data.length; i++) out[i] = data[i]! ^ pad[i]!;
  return out;
}
