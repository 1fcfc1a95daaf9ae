import { expect } from "chai";
import { Enums, Tag } from "../../src/kmip/index.js";
import { KmipError, StructReader } from "../../src/messages/index.js";
import type { OperationContext } from "../../src/operations/context.js";
import { delegatedLogin } from "../../src/operations/delegated-login.js";
import { login } from "../../src/operations/login.js";
import { TicketRegistry } from "../../src/operations/login/tickets.js";
import { logout } from "../../src/operations/logout.js";
import { OK, engine, result, val, type BatchResult } from "./harness.js";
import { ItemType, enumeration, integer, interval, struct, text, type StructureNode, type TtlvNode } from "../../src/ttlv/index.js";

const Op = Enums.Operation;
let clock = 1_000_000n;
const ctx = (principal: string) => ({ principal, version: "2.0", now: () => clock }) as unknown as OperationContext;
const payload = (children: TtlvNode[]) => StructReader.of(struct(Tag.RequestPayload, children));
const ticketValue = (out: TtlvNode[]): Uint8Array => {
  const t = out[0] as StructureNode;
  expect(t.tag).to.equal(Tag.Ticket);
  const v = t.children.find((c) => c.tag === Tag.TicketValue)!;
  if (v.type !== ItemType.ByteString) throw new Error("no ticket value");
  return v.value;
};
const reasonOf = (f: () => void): string | undefined => {
  try {
    f();
    return undefined;
  } catch (e) {
    return e instanceof KmipError ? e.reason : String(e);
  }
};

describe("login tickets", () => {
  it("Login: bound to its principal, counted per request (TC-LOGIN-3), ended by Logout (TC-LOGIN-2)", async () => {
    const reg = new TicketRegistry();
    const t = ticketValue(await login(reg)(payload([interval(Tag.LeaseTime, 0), integer(Tag.RequestCount, 2)]), ctx("alice")));
    const q = [{ operation: Op.Query }];
    expect(reasonOf(() => reg.admit(t, "mallory", q, clock)), "another principal's ticket is unknown to them").to.equal("InvalidTicket");
    expect(reasonOf(() => reg.admit(t, "alice", q, clock))).to.equal(undefined);
    expect(reasonOf(() => reg.admit(t, "alice", q, clock))).to.equal(undefined);
    expect(reasonOf(() => reg.admit(t, "alice", q, clock))).to.equal("UsageLimitExceeded");

    const u = ticketValue(await login(reg)(payload([]), ctx("alice")));
    await logout(reg)(payload([struct(Tag.Ticket, [enumeration(Tag.TicketType, Enums.TicketType.Login), { tag: Tag.TicketValue, type: ItemType.ByteString, value: u }])]), ctx("alice"));
    expect(reasonOf(() => reg.admit(u, "alice", q, clock))).to.equal("InvalidTicket");
  });

  it("expires after its lease (capped by the server), and mallory cannot log alice out", async () => {
    const reg = new TicketRegistry({ defaultLeaseSeconds: 60, maxLeaseSeconds: 120, maxPerPrincipal: 2 });
    const t = ticketValue(await login(reg)(payload([interval(Tag.LeaseTime, 10_000)]), ctx("alice")));
    expect(reasonOf(() => reg.revoke(t, "mallory"))).to.equal("InvalidTicket");
    expect(reasonOf(() => reg.admit(t, "alice", [{ operation: Op.Get }], clock + 119n))).to.equal(undefined);
    expect(reasonOf(() => reg.admit(t, "alice", [{ operation: Op.Get }], clock + 120n))).to.equal("InvalidTicket");
    await login(reg)(payload([]), ctx("alice"));
    await login(reg)(payload([]), ctx("alice"));
    let refused: string | undefined;
    await login(reg)(payload([]), ctx("alice")).catch((e: KmipError) => (refused = e.reason));
    expect(refused, "a principal's live tickets are bounded").to.equal("PermissionDenied");
  });

  it("Delegated Login: only the Rights' operations, on the listed objects (TC-DLOGIN-1, -2)", async () => {
    const reg = new TicketRegistry();
    const rights = struct(Tag.Rights, [
      struct(Tag.Right, [struct(Tag.Operations, [enumeration(Tag.Operation, Op.Query), enumeration(Tag.Operation, Op.Log)])]),
      struct(Tag.Right, [struct(Tag.Operations, [enumeration(Tag.Operation, Op.GetAttributes)]), struct(Tag.Objects, [text(Tag.UniqueIdentifier, "k1")])]),
    ]);
    const t = ticketValue(await delegatedLogin(reg)(payload([integer(Tag.RequestCount, 0), rights]), ctx("alice")));
    expect(reasonOf(() => reg.admit(t, "alice", [{ operation: Op.Query }], clock))).to.equal(undefined);
    expect(reasonOf(() => reg.admit(t, "alice", [{ operation: Op.GetAttributes, uid: "k1" }], clock))).to.equal(undefined);
    expect(reasonOf(() => reg.admit(t, "alice", [{ operation: Op.GetAttributes, uid: "k2" }], clock))).to.equal("PermissionDenied");
    expect(reasonOf(() => reg.admit(t, "alice", [{ operation: Op.Get, uid: "k1" }], clock))).to.equal("PermissionDenied");
    expect([...reg.operationsOf(t, "alice")!].sort()).to.deep.equal([Op.Query, Op.GetAttributes, Op.Log].sort());
    let refused: string | undefined;
    const withLimits = struct(Tag.Rights, [struct(Tag.Right, [struct(Tag.Operations, [enumeration(Tag.Operation, Op.Get)]), struct(Tag.UsageLimits, [])])]);
    await delegatedLogin(reg)(payload([withLimits]), ctx("alice")).catch((e: KmipError) => (refused = e.reason));
    expect(refused, "a Right field kmipd cannot enforce is refused, not ignored").to.equal("FeatureNotSupported");
  });
});

describe("login tickets through the executor (request header Authentication)", () => {
  const V = "2.0" as const;
  const R = Enums.ResultReason;
  const credential = (t: Uint8Array): TtlvNode =>
    struct(Tag.Authentication, [struct(Tag.Credential, [
      enumeration(Tag.CredentialType, Enums.CredentialType.Ticket),
      struct(Tag.CredentialValue, [struct(Tag.Ticket, [enumeration(Tag.TicketType, Enums.TicketType.Login), { tag: Tag.TicketValue, type: ItemType.ByteString, value: t }])]),
    ])]);
  const query = [{ operation: Op.Query, payload: [enumeration(Tag.QueryFunction, Enums.QueryFunction.QueryOperations)] }];
  const itemOf = (m: StructureNode) => result(m.children[1] as StructureNode);
  const ticketFrom = (r: BatchResult) => ticketValue(r.payload!.children);

  it("Login's ticket admits the same principal's requests up to its Request Count (TC-LOGIN-1/3), Logout ends it (TC-LOGIN-2)", async () => {
    const e = engine();
    const t = ticketFrom(await e.op(Op.Login, [interval(Tag.LeaseTime, 0), integer(Tag.RequestCount, 3)], V));
    expect(itemOf(await e.batch(query, V, "alice", [credential(t)])).status).to.equal(OK);
    expect(itemOf(await e.batch(query, V, "mallory", [credential(t)])).reason, "never another principal's").to.equal(R.InvalidTicket);
    expect(itemOf(await e.batch(query, V, "alice", [credential(t)])).status).to.equal(OK);
    const lo = [{ operation: Op.Logout, payload: [struct(Tag.Ticket, [enumeration(Tag.TicketType, Enums.TicketType.Login), { tag: Tag.TicketValue, type: ItemType.ByteString, value: t }])] }];
    expect(itemOf(await e.batch(lo, V, "alice", [credential(t)])).status).to.equal(OK);
    const out = itemOf(await e.batch(query, V, "alice", [credential(t)]));
    expect([out.reason, val(out.node, Tag.Operation)], "refused, echoing the Operation (2.0 §8.6)").to.deep.equal([R.InvalidTicket, Op.Query]);
    const u = ticketFrom(await e.op(Op.Login, [integer(Tag.RequestCount, 1)], V));
    expect(itemOf(await e.batch(query, V, "alice", [credential(u)])).status).to.equal(OK);
    expect(itemOf(await e.batch(query, V, "alice", [credential(u)])).reason).to.equal(R.UsageLimitExceeded);
    expect((await e.op(Op.Query, query[0]!.payload, V)).status, "a request without a ticket is unaffected").to.equal(OK);
  });

  it("a Delegated Login ticket: Query reports its operations (TC-DLOGIN-1), other operations are refused", async () => {
    const e = engine();
    const rights = struct(Tag.Rights, [struct(Tag.Right, [struct(Tag.Operations, [enumeration(Tag.Operation, Op.Query), enumeration(Tag.Operation, Op.Log)])])]);
    const t = ticketFrom(await e.op(Op.DelegatedLogin, [rights], V));
    const q = itemOf(await e.batch(query, V, "alice", [credential(t)]));
    const ops = q.payload!.children.filter((c) => c.tag === Tag.Operation).map((c) => (c.type === ItemType.Enumeration ? c.value : -1));
    expect(ops.sort()).to.deep.equal([Op.Query, Op.Log].sort());
    const get = [{ operation: Op.Get, payload: [text(Tag.UniqueIdentifier, "x")] }];
    expect(itemOf(await e.batch(get, V, "alice", [credential(t)])).reason).to.equal(R.PermissionDenied);
  });
});
