/**
 * Create Key Pair (1.4 §4.2, 2.1 §6.1.9): an RSA or EC key pair generated here, stored as two
 * objects linked to each other (Private Key → Public Key Link, Public Key → Private Key Link),
 * written in one commit. The ID Placeholder is the private key.
 */
import { KmipError } from "../messages/index.js";
import { addClientAttrs, enumAttr, intAttr, type ManagedObject } from "../model/index.js";
import { generatePair, pairSpec } from "./asymmetric/generate.js";
import { curveOf, fillHalf, pairAttrs, pairReply } from "./asymmetric/pair.js";
import type { OperationHandler } from "./context.js";

export const createKeyPair: OperationHandler = async (p, ctx) => {
  const { priv: privAttrs, pub: pubAttrs } = await pairAttrs(p, ctx);
  const half = (attrs: typeof privAttrs): ManagedObject => {
    const o: ManagedObject = { uid: ctx.objects.newUid(), owner: ctx.objects.owner, attrs: [], revision: 0 };
    addClientAttrs(o, attrs);
    return o;
  };
  const priv = half(privAttrs);
  const pub = half(pubAttrs);
  // Algorithm, length and curve must be the same for both halves (1.4 Table 168, 2.1 Table 191).
  const same = <T>(a: T | undefined, b: T | undefined, what: string): T | undefined => {
    if (a !== undefined && b !== undefined && a !== b) throw new KmipError("InvalidField", `${what} differs between the private and public key`);
    return a ?? b;
  };
  const alg = same(enumAttr(priv, "Cryptographic Algorithm"), enumAttr(pub, "Cryptographic Algorithm"), "Cryptographic Algorithm");
  if (alg === undefined) throw new KmipError("InvalidField", "Cryptographic Algorithm is required");
  const bits = same(intAttr(priv, "Cryptographic Length"), intAttr(pub, "Cryptographic Length"), "Cryptographic Length");
  const spec = pairSpec(alg, bits, same(curveOf(priv), curveOf(pub), "Recommended Curve"));

  const keys = await generatePair(spec);
  fillHalf(priv, keys.privateKey, true, spec, pub.uid, ctx);
  fillHalf(pub, keys.publicKey, false, spec, priv.uid, ctx);
  await ctx.objects.writeAll([], [priv, pub]);
  ctx.idPlaceholder = priv.uid;
  return pairReply(priv.uid, pub.uid);
};
