/** Where the shared test data lives: ../shared beside the repo, or KMIP_SHARED_DIR. */
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
export const SHARED_DIR = resolve(REPO_ROOT, process.env.KMIP_SHARED_DIR ?? "../shared");

export interface HexVector {
  test: string;
  kmip_version: string;
  message: "RequestMessage" | "ResponseMessage";
  xml: string;
  ttlv_hex: string;
  json: unknown;
}

export function msgencVectors(): HexVector[] {
  const file = resolve(SHARED_DIR, "kmip-testcases/ttlv-hex/MSGENC-xml-ttlv-pairs-1.0-1.2.json");
  return (JSON.parse(readFileSync(file, "utf8")) as { vectors: HexVector[] }).vectors;
}
