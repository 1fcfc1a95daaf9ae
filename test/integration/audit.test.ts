/**
 * Acceptance 5 through a real kmipd: N KMIP batch items give exactly N audit records (operation,
 * principal, object ids); `kmipd audit verify` reads the trail from another process while the
 * server runs, and names a record altered or deleted directly in LMDB. No record, mirror line or
 * CLI output holds the bytes of the keys the test created.
 */
import { expect } from "chai";
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { PassThrough } from "node:stream";
import { main } from "../../src/cli/main.js";
import { Enums, Masks, Tag } from "../../src/kmip/index.js";
import { DEV_CLIENT_NAME } from "../../src/server/pki.js";
import { enumeration, integer, struct, text } from "../../src/ttlv/index.js";
import { decodeRecord, encodeRecord, splitEntry } from "../../src/audit/chain.js";
import { REPO_ROOT } from "../helpers/shared.js";
import { tamper } from "../audit/support.js";
import { startKmipd, type RunningKmipd } from "./harness.js";

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const code = await main(args, { stdin: new PassThrough(), stdout: (s) => (out += String(s)), stderr: (s) => (err += s) }, {});
  return { code, out, err };
}

function secretForms(k: Uint8Array): string[] {
  const b = Buffer.from(k);
  return [b.toString("hex"), b.toString("hex").toUpperCase(), b.toString("base64"), b.toString("base64url")];
}

describe("audit trail through a real kmipd", function () {
  this.timeout(120_000);
  let srv: RunningKmipd | undefined;
  let tmp: string;

  before(async () => {
    tmp = await mkdtemp(join(tmpdir(), "kmipd-audit-"));
  });
  after(async () => {
    await srv?.stop();
    await rm(tmp, { recursive: true, force: true });
  });

  it("N operations → N records; verify passes live, then names an altered and a deleted record", async () => {
    const mirror = join(tmp, "audit.jsonl");
    srv = await startKmipd({ overrides: { "audit.jsonl_path": mirror } });
    const c = await srv.client("1.4");
    const expected: { op: string; ids: string[]; result: string }[] = [];
    const a = await c.create({ name: `audit-a-${Date.now()}` });
    expected.push({ op: "Create", ids: [a], result: "success" });
    const b = await c.create({ name: `audit-b-${Date.now()}` });
    expected.push({ op: "Create", ids: [b], result: "success" });
    const keyA = (await c.get(a)).keyBytes!;
    expected.push({ op: "Get", ids: [a], result: "success" });
    const keyB = (await c.get(b)).keyBytes!;
    expected.push({ op: "Get", ids: [b], result: "success" });
    await c.activate(a);
    expected.push({ op: "Activate", ids: [a], result: "success" });
    await c.getAttributes(a);
    expected.push({ op: "GetAttributes", ids: [a], result: "success" });
    await c.get("no-such-object").catch(() => undefined);
    expected.push({ op: "Get", ids: ["no-such-object"], result: "failure" });
    // One message, three items: three records.
    await c.batch([a, b, a].map((u) => ({ operation: Enums.Operation.Get, payload: [text(Tag.UniqueIdentifier, u)] })));
    expected.push({ op: "Get", ids: [a], result: "success" }, { op: "Get", ids: [b], result: "success" }, { op: "Get", ids: [a], result: "success" });
    // Writes recorded in their own transaction, mixed with reads the hook records afterwards.
    const pair = await c.createKeyPair({
      common: [{ name: "Cryptographic Algorithm", value: enumeration(0, Enums.CryptographicAlgorithm.RSA) }, { name: "Cryptographic Length", value: integer(0, 2048) }],
      privateAttrs: [{ name: "Cryptographic Usage Mask", value: integer(0, Masks.CryptographicUsageMask.Sign) }],
      publicAttrs: [{ name: "Cryptographic Usage Mask", value: integer(0, Masks.CryptographicUsageMask.Verify) }],
    });
    expected.push({ op: "CreateKeyPair", ids: [pair.privateUid, pair.publicUid], result: "success" });
    const mixed = await c.batch([
      { operation: Enums.Operation.Get, payload: [text(Tag.UniqueIdentifier, b)] },
      { operation: Enums.Operation.Activate, payload: [text(Tag.UniqueIdentifier, b)] },
      { operation: Enums.Operation.Get, payload: [text(Tag.UniqueIdentifier, "nothing-here")] },
    ], [enumeration(Tag.BatchErrorContinuationOption, Enums.BatchErrorContinuationOption.Continue)]);
    expect(mixed.map((r) => r.status)).to.deep.equal([Enums.ResultStatus.Success, Enums.ResultStatus.Success, Enums.ResultStatus.OperationFailed]);
    // The Activate's record is written with the Activate, before the Gets' records: seq order is commit order.
    expected.push({ op: "Activate", ids: [b], result: "success" }, { op: "Get", ids: [b], result: "success" }, { op: "Get", ids: ["nothing-here"], result: "failure" });
    const undone = await c.batch([
      { operation: Enums.Operation.Revoke, payload: [text(Tag.UniqueIdentifier, b), struct(Tag.RevocationReason, [enumeration(Tag.RevocationReasonCode, Enums.RevocationReasonCode.Unspecified)])] },
      { operation: Enums.Operation.GetAttributes, payload: [text(Tag.UniqueIdentifier, b)] },
    ], [enumeration(Tag.BatchErrorContinuationOption, Enums.BatchErrorContinuationOption.Undo)]);
    expect(undone.map((r) => r.status)).to.deep.equal([Enums.ResultStatus.Success, Enums.ResultStatus.Success]);
    expected.push({ op: "Revoke", ids: [b], result: "success" }, { op: "GetAttributes", ids: [b], result: "success" });
    await c.revoke(a);
    expected.push({ op: "Revoke", ids: [a], result: "success" });
    await c.destroy(a);
    expected.push({ op: "Destroy", ids: [a], result: "success" });
    expect(keyA.length).to.equal(32);

    // Another process reads the trail while the server runs (lmdb-js allows it).
    const script = `const m = await import(${JSON.stringify(join(REPO_ROOT, "src/cli/main.ts"))}); let out = ""; ` +
      `const code = await m.main(["audit", "list", "--json", "--data-dir", ${JSON.stringify(srv.dataDir)}], { stdin: process.stdin, stdout: (s) => (out += s), stderr: (s) => process.stderr.write(s) }, {}); ` +
      `process.stdout.write(out); process.exitCode = code;`;
    const child = await promisify(execFile)(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], { cwd: REPO_ROOT });
    const listed = JSON.parse(child.stdout) as { seq: number; operation: string; principal: string; objectIds: string[]; result: string; clientAddress: string; account: string | null }[];
    expect(listed.map((r) => r.seq)).to.deep.equal(expected.map((_, i) => i + 1));
    expect(listed.map((r) => r.operation)).to.deep.equal(expected.map((e) => e.op));
    expect(listed.map((r) => r.result)).to.deep.equal(expected.map((e) => e.result));
    listed.forEach((r, i) => {
      expect(r.principal).to.equal(DEV_CLIENT_NAME);
      expect(r.account).to.equal("default"); // the development client's account
      expect(r.clientAddress).to.match(/^(::ffff:)?127\.0\.0\.1:\d+$/);
      expect(r.objectIds, `record ${i + 1}`).to.deep.equal(expected[i]!.ids);
    });

    const live = await cli(["audit", "verify", "--data-dir", srv.dataDir]);
    expect(live.code, live.err).to.equal(0);
    expect(live.out).to.include(`${expected.length} records verified`);
    const byObject = await cli(["audit", "list", "--data-dir", srv.dataDir, "--object", b, "--operation", "get"]);
    expect(byObject.out.trim().split("\n")).to.have.length(3);

    await srv.stop(true);
    const mirrorText = await readFile(mirror, "utf8");
    const lines = mirrorText.trim().split("\n").map((l) => JSON.parse(l) as { seq: number; operation: string; mac: string });
    expect(lines.map((l) => l.seq).sort((x, y) => x - y)).to.deep.equal(expected.map((_, i) => i + 1));
    expect(lines.every((l) => /^[0-9a-f]{64}$/.test(l.mac))).to.equal(true);

    // Secrets: no form of the test keys' bytes in the trail, the mirror or the CLI's output.
    const store = join(srv.dataDir, "store");
    const entries: string[] = [];
    await tamper(store, (t) => {
      for (let s = 1; s <= expected.length; s++) entries.push(t.get(s)!.toString("latin1"));
    });
    const haystacks = [...entries, mirrorText, child.stdout, byObject.out];
    for (const k of [keyA, keyB]) {
      for (const h of haystacks) {
        expect(h.includes(Buffer.from(k).toString("latin1"))).to.equal(false);
        for (const f of secretForms(k)) expect(h.includes(f)).to.equal(false);
      }
    }

    // Alter one record directly in LMDB (an operation name rewritten): verify names it.
    const altered = 5;
    let original: Buffer | undefined;
    await tamper(store, (t) => {
      original = t.get(altered)!;
      const { canonical, mac } = splitEntry(original);
      t.put(altered, Buffer.concat([encodeRecord({ ...decodeRecord(canonical), operation: "Locate" }), mac]));
    });
    const bad = await cli(["audit", "verify", "--data-dir", srv.dataDir]);
    expect(bad.code).to.equal(1);
    expect(bad.out).to.match(new RegExp(`record ${altered} altered`));

    // Put it back and delete another one: verify names the gap.
    await tamper(store, (t) => {
      t.put(altered, original!);
      t.del(3);
    });
    const gap = await cli(["audit", "verify", "--json", "--data-dir", srv.dataDir]);
    expect(gap.code).to.equal(1);
    expect(JSON.parse(gap.out).firstBad).to.include({ seq: 3, problem: "missing" });
  });

  it("the server refuses to start on a trail whose head does not authenticate", async () => {
    const first = await startKmipd();
    await (await first.client("1.4")).discoverVersions();
    await first.stop(true);
    await tamper(join(first.dataDir, "store"), (t) => {
      const h = t.head()!;
      h[h.length - 1]! ^= 1;
      t.setHead(h);
    });
    let err: unknown;
    await startKmipd({ dataDir: first.dataDir }).then((s) => s.stop(), (e: unknown) => (err = e));
    expect(String(err)).to.match(/audit trail's head does not authenticate/);
    await rm(first.dataDir, { recursive: true, force: true });
  });

  it("when the audit record cannot be written the item fails with General Failure, and the error is logged", async function () {
    if (process.platform !== "linux") this.skip();
    // /dev/full opens for appending and fails every write with ENOSPC.
    const broken = await startKmipd({ overrides: { "audit.jsonl_path": "/dev/full" } });
    try {
      const c = await broken.client("1.4");
      const [r] = await c.batch([{ operation: Enums.Operation.DiscoverVersions, payload: [] }]);
      expect(r!.status).to.equal(Enums.ResultStatus.OperationFailed);
      expect(r!.reason).to.equal(Enums.ResultReason.GeneralFailure);
      expect(r!.message).to.equal("audit trail unavailable");
      expect(broken.logLines.some((l) => l.includes("audit trail unavailable"))).to.equal(true);
    } finally {
      await broken.stop();
    }
  });
});
