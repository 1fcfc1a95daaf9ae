import { expect } from "chai";
import { execFile } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { promisify } from "node:util";
import { main } from "../../src/cli/main.js";
import { readFileSync } from "node:fs";
import { xmlToNodes } from "../../src/encodings/index.js";
import { Tag } from "../../src/kmip/index.js";
import * as kmip from "../../src/kmip/index.js";
import * as ttlv from "../../src/ttlv/index.js";
import { encodeTtlv, toHex } from "../../src/ttlv/index.js";
import { allCaseFiles, deterministicPlaceholders } from "../helpers/oasis.js";
import { REPO_ROOT, msgencVectors } from "../helpers/shared.js";

interface Run {
  status: number;
  out: string;
  err: string;
}

async function run(args: string[], stdin = ""): Promise<Run> {
  let out = "";
  let err = "";
  const status = await main(args, {
    stdin: Readable.from([Buffer.from(stdin)]),
    stdout: (s) => (out += typeof s === "string" ? s : Buffer.from(s).toString("hex")),
    stderr: (s) => (err += s),
  });
  return { status, out, err };
}

const vectors = msgencVectors();
const query = vectors.find((v) => v.message === "RequestMessage")!;

describe("kmipd ttlv (in process)", () => {
  it("decodes hex given as an argument into a named tree", async () => {
    const r = await run(["ttlv", "decode", query.ttlv_hex]);
    expect(r.status, r.err).to.equal(0);
    expect(r.out).to.match(/RequestMessage/);
    expect(r.out).to.match(/Operation.*Query/);
    expect(r.out).to.match(/QueryFunction.*QueryOperations/);
  });

  it("accepts hex split over several arguments and on stdin", async () => {
    const spaced = query.ttlv_hex.match(/.{1,8}/g)!;
    const a = await run(["ttlv", "decode", ...spaced]);
    const b = await run(["ttlv", "decode"], query.ttlv_hex + "\n");
    expect(a.status).to.equal(0);
    expect(b.status).to.equal(0);
    expect(a.out).to.equal(b.out);
  });

  it("reads a binary file with --in", async () => {
    const dir = mkdtempSync(join(tmpdir(), "kmipd-cli-"));
    const file = join(dir, "q.bin");
    writeFileSync(file, Buffer.from(query.ttlv_hex, "hex"));
    const r = await run(["ttlv", "decode", "--in", file, "--format", "json"]);
    expect(r.status, r.err).to.equal(0);
    expect(JSON.parse(r.out)).to.have.property("tag", "RequestMessage");
  });

  it("decode --format xml then encode gives back the same bytes, for every MSGENC message", async () => {
    for (const v of vectors) {
      const xml = await run(["ttlv", "decode", "--format", "xml", v.ttlv_hex]);
      expect(xml.status, `${v.test} ${xml.err}`).to.equal(0);
      const hex = await run(["ttlv", "encode"], xml.out);
      expect(hex.status, `${v.test} ${hex.err}`).to.equal(0);
      expect(hex.out.trim(), v.test).to.equal(v.ttlv_hex.toLowerCase());
    }
  });

  it("splits concatenated messages", async () => {
    const two = vectors[0]!.ttlv_hex + vectors[1]!.ttlv_hex;
    const r = await run(["ttlv", "decode", "--format", "json", two]);
    expect(r.status, r.err).to.equal(0);
    expect(r.out.match(/"tag": "(Request|Response)Message"/g)).to.have.length(2);
  });

  it("reports malformed input with the codec's error code and exit status 2", async () => {
    const truncated = await run(["ttlv", "decode", query.ttlv_hex.slice(0, 40)]);
    expect(truncated.status).to.equal(2);
    expect(truncated.err).to.match(/TRUNCATED_VALUE/);
    const huge = await run(["ttlv", "decode", "42007801ffffffff"]);
    expect(huge.status).to.equal(2);
    expect(huge.err).to.match(/MESSAGE_TOO_LARGE/);
    const notHex = await run(["ttlv", "decode", "zz"]);
    expect(notHex.status).to.equal(2);
    expect(notHex.err).to.match(/not hex/);
  });

  it("refuses an unknown --kmip-version and an unknown format", async () => {
    expect((await run(["ttlv", "decode", "--kmip-version", "9.9", query.ttlv_hex])).status).to.equal(2);
    expect((await run(["ttlv", "decode", "--format", "yaml", query.ttlv_hex])).status).to.equal(2);
  });
});

describe("kmipd ttlv over every OASIS request message (1.0–2.1)", function () {
  this.timeout(300_000);

  it("decode --format xml, fed back to encode, gives the same bytes", async () => {
    let checked = 0;
    const bad: string[] = [];
    for (const file of allCaseFiles()) {
      let requests;
      try {
        requests = xmlToNodes(readFileSync(file, "utf8"), { placeholders: deterministicPlaceholders }).messages.filter((m) => m.tag === Tag.RequestMessage);
      } catch {
        continue; // the unreadable files are listed, with reasons, in test/encodings/oasis-roundtrip.test.ts
      }
      if (requests.length === 0) continue;
      // all of a file's requests at once: concatenated hex in, one <KMIP> document out, and back
      const hexes = requests.map((m) => toHex(encodeTtlv(m)));
      const xml = await run(["ttlv", "decode", "--format", "xml", hexes.join("")]);
      const back = await run(["ttlv", "encode"], xml.out);
      checked += hexes.length;
      if (xml.status !== 0 || back.status !== 0 || back.out !== hexes.map((h) => h + "\n").join("")) bad.push(`${file}: ${xml.err}${back.err}`);
    }
    console.log(`      ${checked} request messages through the CLI, ${bad.length} differ`);
    expect(checked).to.be.greaterThan(4000);
    expect(bad).to.deep.equal([]);
  });
});

describe("kmipd ttlv (the installed bin)", () => {
  it("runs as a command and decodes", async () => {
    const { stdout } = await promisify(execFile)(process.execPath, [join(REPO_ROOT, "bin/kmipd.js"), "ttlv", "decode", query.ttlv_hex]);
    expect(stdout).to.match(/Operation.*Query/);
  });
});

describe("kmipd ttlv decode keeps secrets out of the text view", () => {
  const key = Buffer.from("00112233445566778899aabbccddeeff", "hex");
  const register = (): string => {
    const { Tag: T, Enums: E } = kmip;
    const n = ttlv;
    return toHex(
      encodeTtlv(
        n.struct(T.RequestMessage, [
          n.struct(T.RequestHeader, [n.struct(T.ProtocolVersion, [n.integer(T.ProtocolVersionMajor, 1), n.integer(T.ProtocolVersionMinor, 4)]), n.integer(T.BatchCount, 1)]),
          n.struct(T.BatchItem, [
            n.enumeration(T.Operation, E.Operation.Register),
            n.struct(T.RequestPayload, [
              n.enumeration(T.ObjectType, E.ObjectType.SymmetricKey),
              n.struct(T.SymmetricKey, [n.struct(T.KeyBlock, [n.enumeration(T.KeyFormatType, E.KeyFormatType.Raw), n.struct(T.KeyValue, [n.bytes(T.KeyMaterial, key)])])]),
            ]),
          ]),
        ]),
      ),
    );
  };

  it("masks Key Material by default and shows it with --show-secrets", async () => {
    const hex = register();
    const plain = await run(["ttlv", "decode", hex]);
    expect(plain.status).to.equal(0);
    expect(plain.out).to.match(/KeyMaterial \(ByteString\) \*\*\*\* \(16 bytes hidden/);
    expect(plain.out).not.to.include(key.toString("hex"));
    const shown = await run(["ttlv", "decode", "--show-secrets", hex]);
    expect(shown.out).to.include(key.toString("hex"));
  });

  it("XML output stays exact (it must re-encode) and says on stderr that it holds secrets", async () => {
    const xml = await run(["ttlv", "decode", "--format", "xml", register()]);
    expect(xml.out).to.include(key.toString("hex"));
    expect(xml.err).to.match(/secrets verbatim/);
  });
});
