/**
 * Key pair generation for Create Key Pair and Re-key Key Pair: RSA (1024–4096 bits, e = 65537)
 * and EC on P-256/P-384/P-521, by OpenSSL through node (asynchronously: a 4096-bit RSA key takes
 * long enough to stall every other connection if generated on the event loop).
 */
import { generateKeyPair, type KeyObject } from "node:crypto";
import { promisify } from "node:util";
import { Enums } from "../../kmip/index.js";
import { KmipError } from "../../messages/index.js";
import { curveByBits, curveByKmip, type Curve } from "./curves.js";

const A = Enums.CryptographicAlgorithm;
const RSA_BITS: ReadonlySet<number> = new Set([1024, 2048, 3072, 4096]);
/** KMIP algorithms whose keys are EC keys (the algorithm names the key's intended use). */
const EC_ALGORITHMS: ReadonlySet<number> = new Set([A.EC, A.ECDSA, A.ECDH, A.ECMQV]);

export interface PairSpec {
  readonly algorithm: number;
  /** RSA modulus bits; for EC the curve's size. */
  readonly bits: number;
  readonly curve?: Curve;
}

/** What the request asks for, checked: an RSA length, or an EC curve (named, or implied by the length). */
export function pairSpec(algorithm: number, bits: number | undefined, curve: number | undefined): PairSpec {
  if (algorithm === A.RSA) {
    const b = bits ?? 2048;
    if (!RSA_BITS.has(b)) throw new KmipError("InvalidField", "RSA keys are 1024, 2048, 3072 or 4096 bits");
    return { algorithm, bits: b };
  }
  if (EC_ALGORITHMS.has(algorithm)) {
    const c = curve !== undefined ? curveByKmip(curve) : curveByBits(bits ?? 256);
    if (!c) throw new KmipError("InvalidField", "EC keys are generated on P-256, P-384 or P-521");
    if (bits !== undefined && bits !== c.bits) throw new KmipError("InvalidField", "Cryptographic Length does not match the curve");
    return { algorithm, bits: c.bits, curve: c };
  }
  throw new KmipError("InvalidField", "Create Key Pair makes RSA and EC keys");
}

const generate = promisify(generateKeyPair) as (type: string, options: object) => Promise<{ privateKey: KeyObject; publicKey: KeyObject }>;

export async function generatePair(spec: PairSpec): Promise<{ privateKey: KeyObject; publicKey: KeyObject }> {
  try {
    if (spec.curve) return await generate("ec", { namedCurve: spec.curve.node });
    return await generate("rsa", { modulusLength: spec.bits, publicExponent: 65537 });
  } catch {
    throw new KmipError("CryptographicFailure", "key pair generation failed");
  }
}
