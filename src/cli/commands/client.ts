/**
 * `kmipd client …`: the TypeScript client for operators — create, register, get, locate and the
 * lifecycle calls against any KMIP server. Key bytes are never printed: `get` shows the length
 * and a SHA-256 fingerprint, and writes the material only to a file named with --out (mode 0600).
 */
import { createHash } from "node:crypto";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Argv, CommandModule } from "yargs";
import { KmipClient } from "../../client/index.js";
import { nodeToText } from "../../encodings/index.js";
import { Enums, Tag, enumByXmlName, enumName, isKmipVersion, type KmipVersion } from "../../kmip/index.js";
import { struct } from "../../ttlv/index.js";
import { CliError, readAll, type CliIo } from "../io.js";

interface ConnArgs {
  host: string;
  port: number;
  "certs-dir": string;
  cert?: string;
  key?: string;
  ca?: string;
  "kmip-version": string;
}

function connOptions(y: Argv): Argv<ConnArgs> {
  return y
    .option("host", { type: "string", default: "127.0.0.1", describe: "server address" })
    .option("port", { type: "number", default: 5696 })
    .option("certs-dir", { type: "string", default: "./certs", describe: "where client.pem, client-key.pem and ca.pem are" })
    .option("cert", { type: "string", describe: "client certificate (default: <certs-dir>/client.pem)" })
    .option("key", { type: "string", describe: "client key (default: <certs-dir>/client-key.pem)" })
    .option("ca", { type: "string", describe: "CA of the server (default: <certs-dir>/ca.pem)" })
    .option("kmip-version", { type: "string", default: "1.4", describe: "protocol version to speak: 1.0–1.4, 2.0, 2.1" }) as Argv<ConnArgs>;
}

async function withClient<T>(a: ConnArgs, fn: (c: KmipClient) => Promise<T>): Promise<T> {
  if (!isKmipVersion(a["kmip-version"])) throw new CliError(`unknown KMIP version ${a["kmip-version"]}`);
  const dir = a["certs-dir"];
  const client = await KmipClient.connect({
    host: a.host,
    port: a.port,
    cert: await readFile(a.cert ?? join(dir, "client.pem")),
    key: await readFile(a.key ?? join(dir, "client-key.pem")),
    ca: await readFile(a.ca ?? join(dir, "ca.pem")),
    version: a["kmip-version"] as KmipVersion,
  });
  try {
    return await fn(client);
  } finally {
    await client.close();
  }
}

const ALGORITHMS = enumByXmlName("CryptographicAlgorithm")!;

export function clientCommand(io: CliIo, setStatus: (code: number) => void): CommandModule {
  // yargs' parsed arguments are untyped here; each handler states the shape it reads.
  const run = <A extends ConnArgs>(fn: (a: A, c: KmipClient) => Promise<string>) => async (parsed: unknown) => {
    const a = parsed as A;
    io.stdout((await withClient(a, (c) => fn(a, c))) + "\n");
    setStatus(0);
  };
  return {
    command: "client <action>",
    describe: "talk to a KMIP server as a client (uses <certs-dir>/client.pem by default)",
    builder: (y) =>
      connOptions(y)
        .command({
          command: "create",
          describe: "create a symmetric key; prints its Unique Identifier",
          builder: (b: Argv) => b.option("name", { type: "string" }).option("algorithm", { type: "string", default: "AES" }).option("length", { type: "number", default: 256 }),
          handler: run(async (a: { name?: string; algorithm: string; length: number } & ConnArgs, c: KmipClient) => {
            const alg = ALGORITHMS.values.find((v) => v.xmlName.toLowerCase() === a.algorithm.toLowerCase())?.value;
            if (alg === undefined) throw new CliError(`unknown algorithm ${a.algorithm}`);
            return c.create({ algorithm: alg, length: a.length, name: a.name });
          }),
        })
        .command({
          command: "register-secret",
          describe: "register secret data (a password) read from --file or stdin; prints its Unique Identifier",
          builder: (b: Argv) => b.option("name", { type: "string" }).option("file", { type: "string", describe: "read the secret from this file (default: stdin)" }),
          handler: run(async (a: { name?: string; file?: string } & ConnArgs, c: KmipClient) => {
            const secret = a.file !== undefined ? await readFile(a.file) : await readAll(io.stdin, 1 << 20);
            return c.registerSecretData(secret, { name: a.name });
          }),
        })
        .command({
          command: "get <uid>",
          describe: "fetch an object; prints its type, length and SHA-256 fingerprint (never the key); --out writes the material",
          builder: (b: Argv) => b.positional("uid", { type: "string", demandOption: true }).option("out", { type: "string" }).option("format", { choices: ["raw", "transparent"] }),
          handler: run(async (a: { uid: string; out?: string; format?: string } & ConnArgs, c: KmipClient) => {
            const fmt = a.format === "transparent" ? Enums.KeyFormatType.TransparentSymmetricKey : a.format === "raw" ? Enums.KeyFormatType.Raw : undefined;
            const r = await c.get(a.uid, { format: fmt });
            const mat = r.keyBytes;
            if (a.out !== undefined && mat) await writeFile(a.out, mat, { mode: 0o600 });
            return JSON.stringify({
              uid: r.uid,
              objectType: enumName(enumByXmlName("ObjectType")!, r.objectType) ?? r.objectType,
              bytes: mat?.length,
              sha256: mat ? createHash("sha256").update(mat).digest("hex") : undefined,
              writtenTo: a.out !== undefined && mat ? a.out : undefined,
            });
          }),
        })
        .command({
          command: "get-attributes <uid>",
          describe: "print an object's attributes",
          builder: (b: Argv) => b.positional("uid", { type: "string", demandOption: true }),
          handler: run(async (a: { uid: string } & ConnArgs, c: KmipClient) => {
            const attrs = await c.getAttributes(a.uid);
            return attrs.map((x) => `${x.name}: ${nodeToText(struct(Tag.AttributeValue, [x.value]), { version: c.version }).split("\n").slice(1).join("\n").trim()}`).join("\n");
          }),
        })
        .command({
          command: "locate",
          describe: "find objects (by --name); prints one Unique Identifier per line",
          builder: (b: Argv) => b.option("name", { type: "string" }).option("max", { type: "number" }),
          handler: run(async (a: { name?: string; max?: number } & ConnArgs, c: KmipClient) => (await c.locate({ name: a.name, maxItems: a.max })).join("\n")),
        })
        .command({
          command: "activate <uid>",
          describe: "activate an object",
          builder: (b: Argv) => b.positional("uid", { type: "string", demandOption: true }),
          handler: run(async (a: { uid: string } & ConnArgs, c: KmipClient) => (await c.activate(a.uid), `activated ${a.uid}`)),
        })
        .command({
          command: "revoke <uid>",
          describe: "revoke an object (cessation of operation, or --compromise)",
          builder: (b: Argv) => b.positional("uid", { type: "string", demandOption: true }).option("compromise", { type: "boolean", default: false }).option("message", { type: "string" }),
          handler: run(async (a: { uid: string; compromise: boolean; message?: string } & ConnArgs, c: KmipClient) => {
            const code = a.compromise ? Enums.RevocationReasonCode.KeyCompromise : Enums.RevocationReasonCode.CessationOfOperation;
            await c.revoke(a.uid, code, a.message);
            return `revoked ${a.uid}`;
          }),
        })
        .command({
          command: "destroy <uid>",
          describe: "destroy an object's key material",
          builder: (b: Argv) => b.positional("uid", { type: "string", demandOption: true }),
          handler: run(async (a: { uid: string } & ConnArgs, c: KmipClient) => (await c.destroy(a.uid), `destroyed ${a.uid}`)),
        })
        .command({
          command: "discover-versions",
          describe: "list the protocol versions the server speaks",
          handler: run(async (_a: ConnArgs, c: KmipClient) => (await c.discoverVersions()).map(([x, y]) => `${x}.${y}`).join("\n")),
        })
        .demandCommand(1, "client needs an action"),
    handler: () => undefined,
  };
}
