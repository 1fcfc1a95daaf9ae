/** A Link attribute value, as the operations that relate objects (Derive Key, split keys) add them. */
import { Tag } from "../kmip/index.js";
import type { Attr } from "../model/index.js";
import { enumeration, struct, text } from "../ttlv/index.js";

export const link = (type: number, uid: string): Attr => ({
  name: "Link",
  value: struct(Tag.Link, [enumeration(Tag.LinkType, type), text(Tag.LinkedObjectIdentifier, uid)]),
});
