/**
 * Issue 6, acceptance 6: the suite's secrets and everything it logged, gathered while it runs,
 * so that one root-level check (test/secrets-scan.test.ts) can look for every test PIN and every
 * key the tests handled — raw, hex, base64 — in every server log line and CLI output.
 *
 * Harnesses record their log lines and CLI captures here; SoftHSM tokens record their PINs; the
 * harness clients record the key bytes they got back or registered.
 */
import type { KmipClient } from "../../src/client/index.js";
import { ItemType, type TtlvNode } from "../../src/ttlv/index.js";
import { Tag } from "../../src/kmip/index.js";

const secrets = new Set<string>();
const keys: Buffer[] = [];
const outputs: string[][] = [];

/** A PIN or password a test used (at least 8 characters, so it cannot match by chance). */
export function recordPin(pin: string): void {
  if (pin.length >= 8) secrets.add(pin);
}

/** Key material a test handled; shorter than 16 bytes is too likely to match by chance. */
export function recordKey(bytes: Uint8Array | undefined): void {
  if (bytes && bytes.length >= 16 && keys.length < 100_000) keys.push(Buffer.from(bytes));
}

/** A live array of log lines or CLI output to scan at the end (the caller keeps appending). */
export function recordOutput(lines: string[]): void {
  outputs.push(lines);
}

/** Records the key bytes of every Get and Register a client makes. */
export function watchClient(c: KmipClient): KmipClient {
  const get = c.get.bind(c);
  c.get = async (...a: Parameters<KmipClient["get"]>) => {
    const r = await get(...a);
    recordKey(r.keyBytes);
    return r;
  };
  const register = c.register.bind(c);
  c.register = async (objectType: number, content: TtlvNode, o?: Parameters<KmipClient["register"]>[2]) => {
    visitKeyMaterial(content);
    return register(objectType, content, o);
  };
  return c;
}

function visitKeyMaterial(n: TtlvNode): void {
  if (n.type === ItemType.Structure) n.children.forEach(visitKeyMaterial);
  else if (n.type === ItemType.ByteString && (n.tag === Tag.KeyMaterial || n.tag === Tag.Key)) recordKey(n.value);
}

/** Where any form of the PINs or keys (raw, hex, base64, base64url) stands in the outputs. */
export function findSecrets(outputs: readonly (readonly string[])[], pins: Iterable<string>, keyList: readonly Buffer[]): string[] {
  const needles: { what: string; text: string }[] = [...pins].map((s) => ({ what: "a PIN", text: s }));
  for (const [i, k] of keyList.entries()) {
    for (const [form, text] of [["hex", k.toString("hex")], ["base64", k.toString("base64")], ["base64url", k.toString("base64url")], ["raw", k.toString("latin1")]] as const) {
      needles.push({ what: `key #${i} (${form})`, text });
    }
  }
  const hits: string[] = [];
  for (const [i, lines] of outputs.entries()) {
    const text = lines.join("\n");
    for (const n of needles) if (text.includes(n.text)) hits.push(`${n.what} in output #${i}`);
  }
  return hits;
}

/** The suite-wide scan over everything recorded so far. */
export function scanForSecrets(): { hits: string[]; scannedBytes: number; secrets: number; keys: number } {
  const scannedBytes = outputs.reduce((n, lines) => n + lines.reduce((m, l) => m + l.length, 0), 0);
  return { hits: findSecrets(outputs, secrets, keys), scannedBytes, secrets: secrets.size, keys: keys.length };
}
