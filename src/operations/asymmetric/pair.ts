/**
 * What Create Key Pair and Re-key Key Pair share: reading the Common / Private / Public
 * attributes of the request (1.x Template-Attributes, 2.x Attributes), the precedence between
 * them, and filling in one half of a pair once its key exists.
 */
import type { KeyObject } from "node:crypto";
import { Enums, Tag } from "../../kmip/index.js";
import type { StructReader } from "../../messages/index.js";
import { enumAttr, firstAttr, isCustomName, ruleFor, setServerAttr, type Attr, type ManagedObject } from "../../model/index.js";
import { ItemType, enumeration, integer, struct, text, type TtlvNode } from "../../ttlv/index.js";
import { digestAttr, initialAttrs, keyObjectAttrs, requestAttrsWithTemplates } from "../common.js";
import type { OperationContext } from "../context.js";
import { digestInput } from "../key-material.js";
import { defaultFormat, factsOf, keyContent, materialOf } from "./formats.js";
import type { PairSpec } from "./generate.js";

export interface PairAttrs {
  readonly priv: Attr[];
  readonly pub: Attr[];
}

/**
 * Each half's attributes: its own, then the Common ones — a single-valued Common attribute only
 * where the half does not set it (the half takes precedence), multi-valued ones as a union
 * (1.4 §4.2, 2.1 §6.1.9).
 */
export async function pairAttrs(p: StructReader, ctx: OperationContext): Promise<PairAttrs> {
  const common = await requestAttrsWithTemplates(p, ctx, Tag.CommonTemplateAttribute, Tag.CommonAttributes);
  const merge = (own: Attr[]): Attr[] => [
    ...own,
    ...common.filter((a) => ruleFor(a.name, isCustomName(a.name)).multi || !own.some((o) => o.name === a.name)),
  ];
  return {
    priv: merge(await requestAttrsWithTemplates(p, ctx, Tag.PrivateKeyTemplateAttribute, Tag.PrivateKeyAttributes)),
    pub: merge(await requestAttrsWithTemplates(p, ctx, Tag.PublicKeyTemplateAttribute, Tag.PublicKeyAttributes)),
  };
}

/** The Recommended Curve a Cryptographic Domain Parameters attribute names, if any. */
export function curveOf(o: ManagedObject): number | undefined {
  const v = firstAttr(o, "Cryptographic Domain Parameters")?.value;
  if (v?.type !== ItemType.Structure) return undefined;
  const c = v.children.find((x) => x.tag === Tag.RecommendedCurve);
  return c?.type === ItemType.Enumeration ? c.value : undefined;
}

export const linkAttr = (type: number, uid: string): Attr => ({
  name: "Link",
  value: struct(Tag.Link, [enumeration(Tag.LinkType, type), text(Tag.LinkedObjectIdentifier, uid)]),
});

/**
 * Gives a half its key: content in the default format for its kind (PKCS#1 for RSA, ECPrivateKey
 * / X.509 for EC), Cryptographic Algorithm and Length, the standard and key-object attributes, the
 * Digest, and the Link to its other half.
 */
export function fillHalf(o: ManagedObject, key: KeyObject, isPrivate: boolean, spec: PairSpec, otherUid: string, ctx: OperationContext): void {
  const fmt = defaultFormat(factsOf(key), isPrivate);
  o.content = keyContent(isPrivate, fmt, materialOf(key, isPrivate, fmt), spec.algorithm, spec.bits);
  if (enumAttr(o, "Cryptographic Algorithm") === undefined) setServerAttr(o, "Cryptographic Algorithm", enumeration(0, spec.algorithm));
  setServerAttr(o, "Cryptographic Length", integer(0, spec.bits));
  initialAttrs(o, isPrivate ? Enums.ObjectType.PrivateKey : Enums.ObjectType.PublicKey, ctx);
  const d = digestInput(o.content);
  if (d) o.attrs.push({ name: "Digest", value: digestAttr(d.value, d.format) });
  keyObjectAttrs(o, fmt, true, ctx.settings.leaseTimeSec);
  o.attrs.push(linkAttr(isPrivate ? Enums.LinkType.PublicKeyLink : Enums.LinkType.PrivateKeyLink, otherUid));
}

/** The response payload of both operations. */
export const pairReply = (privUid: string, pubUid: string): TtlvNode[] => [
  text(Tag.PrivateKeyUniqueIdentifier, privUid),
  text(Tag.PublicKeyUniqueIdentifier, pubUid),
];
