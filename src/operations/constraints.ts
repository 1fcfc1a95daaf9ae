/**
 * Constraints (2.1 §6.1.52 Set Constraints, §6.1.22 Get Constraints, §7.6): rules an account sets
 * on the objects it creates afterwards. kmipd scopes them to the account of the client that sets
 * them (one tenant never constrains another) and reads each Constraint as:
 *
 *   it applies to a new object whose Object Type is among its Object Types (or it names none) and
 *   one of whose Object Groups is among its Object Groups (or it names none);
 *   an object to which constraints apply must carry every attribute value of at least one of them.
 *
 * So two constraints for the same objects are alternatives ("AES-256 in Group1, or AES-192"), and
 * an object no constraint applies to is unconstrained. A violation is Constraint Violation. Every
 * new object is checked (Create, Register, Create Key Pair, Re-key, Derive Key, Certify, Import …):
 * the check sits in the repository's tenant view, which every insert goes through.
 */
import { Tag, attributeByTag, tagByValue } from "../kmip/index.js";
import { KmipError } from "../messages/index.js";
import { attrsNamed, valueKey, type ManagedObject } from "../model/index.js";
import { ItemType, struct, type StructureNode, type TtlvNode } from "../ttlv/index.js";

/** Where an account's constraints are kept (the engine backs it with the catalog). */
export interface ConstraintStore {
  get(account: string): StructureNode | undefined;
  /** `undefined` clears them. Durable when it resolves. */
  set(account: string, constraints: StructureNode | undefined): Promise<void>;
}

interface Rule {
  readonly types: ReadonlySet<number>;
  readonly groups: ReadonlySet<string>;
  readonly attrs: readonly { readonly name: string; readonly key: string }[];
}

/** Most Constraint structures one account may set: they are checked on every new object. */
export const MAX_CONSTRAINTS = 64;

/** Checks a Constraints structure and returns its rules; Invalid Field for anything kmipd cannot apply. */
export function rulesOf(c: StructureNode): Rule[] {
  const items = c.children;
  if (items.length > MAX_CONSTRAINTS) throw new KmipError("InvalidField", `at most ${MAX_CONSTRAINTS} constraints`);
  return items.map((item) => {
    if (item.tag !== Tag.Constraint || item.type !== ItemType.Structure) throw new KmipError("InvalidField", "Constraints holds only Constraint structures");
    const types = new Set<number>();
    const groups = new Set<string>();
    const attrs: { name: string; key: string }[] = [];
    for (const part of item.children) {
      if (part.type !== ItemType.Structure) throw new KmipError("InvalidField", "a Constraint holds Object Types, Object Groups and Attributes structures");
      if (part.tag === Tag.ObjectTypes) {
        for (const t of part.children) {
          if (t.tag !== Tag.ObjectType || t.type !== ItemType.Enumeration) throw new KmipError("InvalidField", "Object Types holds Object Type values");
          types.add(t.value);
        }
      } else if (part.tag === Tag.ObjectGroups) {
        for (const g of part.children) {
          if (g.tag !== Tag.ObjectGroup || g.type !== ItemType.TextString) throw new KmipError("InvalidField", "Object Groups holds Object Group values");
          groups.add(g.value);
        }
      } else if (part.tag === Tag.Attributes) {
        for (const a of part.children) attrs.push({ name: attributeName(a), key: valueKey(a) });
      } else {
        throw new KmipError("InvalidField", `${tagByValue(part.tag)?.name ?? "an unknown field"} is not part of a Constraint`);
      }
    }
    return { types, groups, attrs };
  });
}

function attributeName(a: TtlvNode): string {
  const row = attributeByTag(a.tag);
  if (!row) throw new KmipError("InvalidField", `${tagByValue(a.tag)?.name ?? "an unknown tag"} is not an attribute kmipd can constrain`);
  return row.name;
}

/** Throws Constraint Violation when `o` breaks the account's constraints. */
export function checkConstraints(rules: readonly Rule[], o: ManagedObject): void {
  if (rules.length === 0) return;
  const type = attrsNamed(o, "Object Type")[0]?.value;
  const groups = attrsNamed(o, "Object Group").flatMap((a) => (a.value.type === ItemType.TextString ? [a.value.value] : []));
  const applying = rules.filter(
    (r) => (r.types.size === 0 || (type?.type === ItemType.Enumeration && r.types.has(type.value))) && (r.groups.size === 0 || groups.some((g) => r.groups.has(g))),
  );
  if (applying.length === 0) return;
  const has = (name: string, key: string) => attrsNamed(o, name).some((a) => valueKey(a.value) === key);
  if (applying.some((r) => r.attrs.every((a) => has(a.name, a.key)))) return;
  throw new KmipError("ConstraintViolation", "the new object does not meet the constraints set for this account (Get Constraints lists them)");
}

/** The admission check for an account's new objects: undefined when it has no constraints. */
export function admissionFor(store: ConstraintStore | undefined, account: string): ((o: ManagedObject) => void) | undefined {
  const c = store?.get(account);
  if (!c || c.children.length === 0) return undefined;
  const rules = rulesOf(c);
  return (o) => checkConstraints(rules, o);
}

export const emptyConstraints = (): StructureNode => struct(Tag.Constraints, []) as StructureNode;
