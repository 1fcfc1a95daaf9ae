/**
 * Query (1.4 §4.25, 2.1 §6.1.37): the operations and object types this server supports in the
 * client's version, and who it is. Query functions we have nothing to say about answer nothing.
 */
import { Enums, Tag, enumByXmlName, inVersion } from "../kmip/index.js";
import { ItemType, enumeration, struct, text, type TtlvNode } from "../ttlv/index.js";
import type { OperationHandler } from "./context.js";

const Q = Enums.QueryFunction;
const O = Enums.ObjectType;
const OBJECT_TYPES: readonly number[] = [O.SymmetricKey, O.SecretData, O.OpaqueObject, O.Certificate, O.PublicKey, O.PrivateKey, O.SplitKey, O.Template];

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
    for (const t of OBJECT_TYPES) if (defined("ObjectType", t)) out.push(enumeration(Tag.ObjectType, t));
  }
  if (fns.has(Q.QueryServerInformation)) {
    out.push(text(Tag.VendorIdentification, ctx.settings.vendorIdentification));
    out.push(struct(Tag.ServerInformation, [text(Tag.ServerName, "kmipd"), text(Tag.ServerVersion, ctx.settings.serverVersion)]));
  }
  return out;
};
