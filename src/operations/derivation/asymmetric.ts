/**
 * The Asymmetric Key derivation method (2.x; 1.4 servers see it as an extension): the shared
 * secret Z of an (EC)DH exchange between a Private Key and a Public Key the caller holds, both
 * read through key-objects.ts, so any key format Get and the crypto operations accept works here.
 */
import { diffieHellman } from "node:crypto";
import { KmipError } from "../../messages/index.js";
import type { StructureNode } from "../../ttlv/index.js";
import { keyObjectOf } from "../key-objects.js";

export function sharedSecret(privateContent: StructureNode, publicContent: StructureNode): Buffer {
  const privateKey = keyObjectOf(privateContent);
  const publicKey = keyObjectOf(publicContent);
  if (privateKey.type !== "private" || publicKey.type !== "public") throw new KmipError("InvalidObjectType", "Asymmetric Key derivation takes a private key and a public key");
  try {
    return diffieHellman({ privateKey, publicKey });
  } catch {
    throw new KmipError("CryptographicFailure", "the two keys cannot agree on a secret (different curves or algorithms?)");
  }
}
