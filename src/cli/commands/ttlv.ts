/**
 * `kmipd ttlv decode|encode`: the operator's first tool when a client misbehaves.
 * decode: hex (arguments or stdin) or a binary file → readable tree (text, XML or JSON).
 * encode: the KMIP XML form → hex (or binary with --out).
 */
import { readFile, writeFile } from "node:fs/promises";
import type { CommandModule } from "yargs";
import { hasSecrets, nodeToJson, nodeToText, nodeToXml, nodesToXmlDocument, nowPlaceholders, xmlToNodes } from "../../encodings/index.js";
import { isKmipVersion, type KmipVersion } from "../../kmip/index.js";
import { DEFAULT_LIMITS, TtlvFramer, decodeTtlv, encodeTtlv, parseHex, toHex, type TtlvNode } from "../../ttlv/index.js";
import { CliError, readAll, type CliIo } from "../io.js";

const FORMATS = ["text", "xml", "json"] as const;
type Format = (typeof FORMATS)[number];
/** Input the CLI will read at most; larger captures can be split first. */
const MAX_INPUT = 64 * 1024 * 1024;

interface DecodeArgs {
  hex?: string[];
  in?: string;
  format: Format;
  "kmip-version"?: string;
  "max-message-size": number;
  "show-secrets": boolean;
}

interface EncodeArgs {
  file?: string;
  out?: string;
}

export function ttlvCommand(io: CliIo, setStatus: (code: number) => void): CommandModule {
  return {
    command: "ttlv <action>",
    describe: "decode TTLV bytes to a readable tree, or encode the KMIP XML form to TTLV",
    builder: (y) =>
      y
        .command<DecodeArgs>({
          command: "decode [hex..]",
          describe: "decode TTLV given as hex arguments, hex on stdin, or a binary file (--in)",
          builder: (b) =>
            b
              .positional("hex", { type: "string", array: true, describe: "hex bytes (spaces allowed); omit to read hex from stdin" })
              .option("in", { type: "string", describe: "read binary TTLV from this file instead" })
              .option("format", { alias: "f", choices: FORMATS, default: "text" as Format, describe: "output form" })
              .option("kmip-version", { type: "string", describe: "version for names when a message carries no Protocol Version (e.g. 1.4)" })
              .option("max-message-size", { type: "number", default: DEFAULT_LIMITS.maxMessageSize, describe: "largest message accepted, bytes" })
              .option("show-secrets", { type: "boolean", default: false, describe: "print key material and other secrets in the text view (masked by default)" }),
          handler: async (a) => setStatus(await decode(a, io)),
        })
        .command<EncodeArgs>({
          command: "encode [file]",
          describe: "encode KMIP XML (a file, or stdin) to TTLV hex, one message per line",
          builder: (b) =>
            b
              .positional("file", { type: "string", describe: "XML file; omit to read stdin" })
              .option("out", { type: "string", describe: "write the binary TTLV (messages concatenated) to this file instead" }),
          handler: async (a) => setStatus(await encode(a, io)),
        })
        .demandCommand(1, "ttlv needs an action: decode or encode"),
    handler: () => undefined,
  };
}

async function decode(a: DecodeArgs, io: CliIo): Promise<number> {
  const version = parseVersion(a["kmip-version"]);
  const bytes = await decodeInput(a, io);
  if (bytes.length === 0) throw new CliError("no input bytes");
  // The framer splits concatenated captures into messages and applies the size limit on each header.
  const framer = new TtlvFramer({ maxMessageSize: a["max-message-size"], requireStructure: false });
  const messages = framer.push(bytes);
  framer.end();
  const trees: TtlvNode[] = messages.map((m) => decodeTtlv(m, { maxMessageSize: a["max-message-size"] }));
  if (a.format !== "text" && trees.some(hasSecrets)) {
    // XML and JSON are exact encodings (they must re-encode to the same bytes), so nothing is masked
    io.stderr("kmipd: note: this output contains key material or other secrets verbatim\n");
  }
  io.stdout(render(trees, a.format, version, a["show-secrets"]));
  return 0;
}

async function decodeInput(a: DecodeArgs, io: CliIo): Promise<Buffer> {
  if (a.in !== undefined) {
    if (a.hex && a.hex.length > 0) throw new CliError("give hex arguments or --in, not both");
    return readFile(a.in);
  }
  const text = a.hex && a.hex.length > 0 ? a.hex.join("") : (await readAll(io.stdin, MAX_INPUT)).toString("utf8");
  try {
    return parseHex(text);
  } catch {
    throw new CliError("input is not hex (use --in FILE for binary TTLV)");
  }
}

function render(trees: TtlvNode[], format: Format, version: KmipVersion | undefined, showSecrets: boolean): string {
  switch (format) {
    case "text":
      return trees.map((t) => nodeToText(t, { version, showSecrets })).join("\n");
    case "xml":
      // several messages become one well-formed document, as the OASIS files hold them
      return trees.length === 1 ? nodeToXml(trees[0]!, { version }) : nodesToXmlDocument(trees, { version });
    case "json":
      return trees.map((t) => JSON.stringify(nodeToJson(t, { version }), null, 2) + "\n").join("");
  }
}

async function encode(a: EncodeArgs, io: CliIo): Promise<number> {
  const xml = a.file !== undefined ? await readFile(a.file, "utf8") : (await readAll(io.stdin, MAX_INPUT)).toString("utf8");
  // `$NOW`, `$NOW-60`… (as in the OASIS test cases) become the current time; other placeholders
  // stay literal in Text Strings and are refused elsewhere.
  const { messages } = xmlToNodes(xml, { placeholders: nowPlaceholders() });
  if (messages.length === 0) throw new CliError("no KMIP message found in the XML");
  const encoded = messages.map((m) => encodeTtlv(m));
  if (a.out !== undefined) {
    await writeFile(a.out, Buffer.concat(encoded));
    io.stderr(`wrote ${encoded.length} message(s) to ${a.out}\n`);
  } else {
    io.stdout(encoded.map((e) => toHex(e) + "\n").join(""));
  }
  return 0;
}

function parseVersion(v: string | undefined): KmipVersion | undefined {
  if (v === undefined) return undefined;
  if (!isKmipVersion(v)) throw new CliError(`unknown KMIP version ${v}; one of 1.0 1.1 1.2 1.3 1.4 2.0 2.1`);
  return v;
}
