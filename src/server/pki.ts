/**
 * A development PKI, made in-process (no openssl binary): an ECDSA P-256 CA, a server leaf
 * (SAN DNS localhost, IP 127.0.0.1 and ::1; EKU serverAuth) and a client leaf (CN kmip-client;
 * EKU clientAuth) and an admin leaf (CN kmipd-admin, a root admin; EKU clientAuth). Keys are PKCS#8 PEM files of mode 0600. For development only: the CA key sits
 * next to the certificates it signs.
 *
 * Also what tests need for more identities: issue certificates from any CA (with or without EKU,
 * with SANs), self-signed certificates, and a second CA.
 */
import { createPrivateKey, randomBytes, webcrypto } from "node:crypto";
import { chmod, mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { BOOTSTRAP_ADMIN } from "../auth/types.js";
import { DEFAULT_TLS_FILES, type KmipdConfig } from "../config/index.js";
import { EKU_CLIENT_AUTH, EKU_SERVER_AUTH, x509 } from "./x509.js";
import { pathExists } from "./paths.js";

/** A certificate and its private key, both PEM. */
export interface CertAndKey {
  readonly certPem: string;
  readonly keyPem: string;
}

export interface IssueOptions {
  readonly commonName: string;
  /** Extended Key Usage: "server", "client", "both", "none" (no EKU extension), or explicit OIDs. */
  readonly usage: "server" | "client" | "both" | "none" | readonly string[];
  readonly dnsNames?: readonly string[];
  readonly ips?: readonly string[];
  readonly emails?: readonly string[];
  readonly uris?: readonly string[];
  /** Validity from one hour ago (clock skew) to this many days ahead; default 825. */
  readonly validDays?: number;
  /** Explicit validity, overriding validDays (tests make expired certificates with it). */
  readonly notBefore?: Date;
  readonly notAfter?: Date;
}

export const DEV_PKI_FILES = {
  ca: "ca.pem",
  caKey: "ca-key.pem",
  serverCert: "server.pem",
  serverKey: "server-key.pem",
  clientCert: "client.pem",
  clientKey: "client-key.pem",
  adminCert: "admin.pem",
  adminKey: "admin-key.pem",
} as const;

export type DevPkiPaths = { readonly [K in keyof typeof DEV_PKI_FILES]: string };

export const DEV_CLIENT_NAME = "kmip-client";
/** The admin CLI's identity; the directory maps it to root-admin (BOOTSTRAP_ADMIN in src/auth). */
export const DEV_ADMIN_NAME = BOOTSTRAP_ADMIN.principal;

const ALG = { name: "ECDSA", namedCurve: "P-256" } as const;
const SIGNING = { name: "ECDSA", hash: "SHA-256" } as const;
const DAY = 24 * 3600 * 1000;
const subtle = webcrypto.subtle;

export function devPkiPaths(dir: string): DevPkiPaths {
  const out: Record<string, string> = {};
  for (const [k, f] of Object.entries(DEV_PKI_FILES)) out[k] = join(dir, f);
  return out as DevPkiPaths;
}

/** The development PKI's files that already exist in dir (paths). */
export async function existingDevPkiFiles(dir: string): Promise<string[]> {
  const found: string[] = [];
  for (const p of Object.values(devPkiPaths(dir))) if (await pathExists(p)) found.push(p);
  return found;
}

/** Creates the development PKI in dir. Refuses to overwrite any of its files unless force. */
export async function createDevPki(dir: string, opts: { force?: boolean; serverNames?: readonly string[]; clientName?: string } = {}): Promise<DevPkiPaths> {
  const paths = devPkiPaths(dir);
  if (!opts.force) {
    const existing = await existingDevPkiFiles(dir);
    if (existing.length > 0) throw new Error(`refusing to overwrite ${existing.join(", ")} (use --force)`);
  }
  const ca = await createCa("kmipd development CA");
  const server = await issueCertificate(ca, {
    commonName: "localhost",
    usage: "server",
    dnsNames: ["localhost", ...(opts.serverNames ?? [])],
    ips: ["127.0.0.1", "::1"],
  });
  const client = await issueCertificate(ca, { commonName: opts.clientName ?? DEV_CLIENT_NAME, usage: "client" });
  await mkdir(dir, { recursive: true });
  await writePair(paths.ca, paths.caKey, ca);
  await writePair(paths.serverCert, paths.serverKey, server);
  await writePair(paths.clientCert, paths.clientKey, client);
  await writePair(paths.adminCert, paths.adminKey, await issueCertificate(ca, { commonName: DEV_ADMIN_NAME, usage: "client" }));
  return paths;
}

export const DEV_ONLY_NOTICE =
  "These certificates are for development only (the CA key is kept next to them). For production, use your own CA, server certificate and key (tls.ca, tls.cert, tls.key).";

/** Operator-facing lines naming the files of a development PKI just created. */
export function describeDevPki(p: DevPkiPaths): string {
  return [
    `created a development PKI:`,
    `  ${p.ca}, ${p.caKey}  (CA)`,
    `  ${p.serverCert}, ${p.serverKey}  (server: localhost, 127.0.0.1, ::1)`,
    `  ${p.clientCert}, ${p.clientKey}  (client: CN ${DEV_CLIENT_NAME})`,
    `  ${p.adminCert}, ${p.adminKey}  (admin CLI: CN ${DEV_ADMIN_NAME}, root admin)`,
    DEV_ONLY_NOTICE,
    "",
  ].join("\n");
}

/**
 * For `kmipd serve`: when the TLS files are the defaults inside certs_dir and none of the
 * development PKI's files exist there, creates the PKI and returns its paths. Returns undefined
 * when the TLS files are in place; throws when some are missing (it never overwrites anything).
 */
export async function ensureDevPki(config: KmipdConfig): Promise<DevPkiPaths | undefined> {
  const dir = config.server.certsDir;
  const missing: string[] = [];
  for (const p of [config.tls.cert, config.tls.key, config.tls.ca]) if (!(await pathExists(p))) missing.push(p);
  if (missing.length === 0) return undefined;
  const defaults = (Object.keys(DEFAULT_TLS_FILES) as (keyof typeof DEFAULT_TLS_FILES)[]).every((k) => config.tls[k] === join(dir, DEFAULT_TLS_FILES[k]));
  if (defaults && (await existingDevPkiFiles(dir)).length === 0) return createDevPki(dir);
  throw new Error(`missing TLS file(s): ${missing.join(", ")}${defaults ? " (`kmipd init --force` recreates the development PKI)" : ""}`);
}

/**
 * A development PKI made before admin certificates existed gets one on the next `kmipd serve`:
 * when the CA key is there and neither admin file is. Returns the cert path when it issued one.
 */
export async function ensureAdminCert(dir: string): Promise<string | undefined> {
  const p = devPkiPaths(dir);
  if ((await pathExists(p.adminCert)) || (await pathExists(p.adminKey)) || !(await pathExists(p.caKey))) return undefined;
  await writePair(p.adminCert, p.adminKey, await issueCertificate(await loadDevCa(dir), { commonName: DEV_ADMIN_NAME, usage: "client" }));
  return p.adminCert;
}

/** Writes a certificate (mode 0644) and its key (mode 0600). */
export async function writePair(certPath: string, keyPath: string, pair: CertAndKey): Promise<void> {
  await writeFile(certPath, pair.certPem, { mode: 0o644 });
  await writeFile(keyPath, pair.keyPem, { mode: 0o600 });
  await chmod(keyPath, 0o600); // writeFile's mode applies only to a new file
}

/** Reads the CA of a development PKI (to issue more certificates from it). */
export async function loadDevCa(dir: string): Promise<CertAndKey> {
  const p = devPkiPaths(dir);
  return { certPem: await readFile(p.ca, "utf8"), keyPem: await readFile(p.caKey, "utf8") };
}

/** A self-signed CA certificate (basicConstraints CA, pathLen 0; keyCertSign, cRLSign). */
export async function createCa(commonName: string, validDays = 3650): Promise<CertAndKey> {
  const keys = (await subtle.generateKey(ALG, true, ["sign", "verify"])) as CryptoKeyPair;
  const now = Date.now();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: [{ CN: [commonName] }],
    notBefore: new Date(now - 3600_000),
    notAfter: new Date(now + validDays * DAY),
    keys,
    signingAlgorithm: SIGNING,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { certPem: cert.toString("pem") + "\n", keyPem: await exportKey(keys.privateKey) };
}

/** A leaf certificate signed by ca. */
export async function issueCertificate(ca: CertAndKey, opts: IssueOptions): Promise<CertAndKey> {
  const caCert = new x509.X509Certificate(ca.certPem);
  const caKey = await importKey(ca.keyPem);
  const keys = (await subtle.generateKey(ALG, true, ["sign", "verify"])) as CryptoKeyPair;
  const caSki = caCert.getExtension(x509.SubjectKeyIdentifierExtension);
  const extensions = [...(await leafExtensions(opts, keys.publicKey))];
  if (caSki) extensions.push(new x509.AuthorityKeyIdentifierExtension(caSki.keyId));
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serial(),
    subject: [{ CN: [opts.commonName] }],
    issuer: caCert.subjectName,
    ...validity(opts),
    publicKey: keys.publicKey,
    signingKey: caKey,
    signingAlgorithm: SIGNING,
    extensions,
  });
  return { certPem: cert.toString("pem") + "\n", keyPem: await exportKey(keys.privateKey) };
}

/** A self-signed leaf (not a CA): what a client that skipped enrolment presents. */
export async function createSelfSigned(opts: IssueOptions): Promise<CertAndKey> {
  const keys = (await subtle.generateKey(ALG, true, ["sign", "verify"])) as CryptoKeyPair;
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: [{ CN: [opts.commonName] }],
    ...validity(opts),
    keys,
    signingAlgorithm: SIGNING,
    extensions: await leafExtensions(opts, keys.publicKey),
  });
  return { certPem: cert.toString("pem") + "\n", keyPem: await exportKey(keys.privateKey) };
}

async function leafExtensions(opts: IssueOptions, publicKey: CryptoKey): Promise<x509.Extension[]> {
  const ext: x509.Extension[] = [
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
    await x509.SubjectKeyIdentifierExtension.create(publicKey),
  ];
  const eku =
    typeof opts.usage !== "string"
      ? [...opts.usage]
      : { server: [EKU_SERVER_AUTH], client: [EKU_CLIENT_AUTH], both: [EKU_SERVER_AUTH, EKU_CLIENT_AUTH], none: [] }[opts.usage];
  if (eku.length > 0) ext.push(new x509.ExtendedKeyUsageExtension(eku, false));
  const san: x509.JsonGeneralName[] = [
    ...(opts.dnsNames ?? []).map((value) => ({ type: "dns" as const, value })),
    ...(opts.ips ?? []).map((value) => ({ type: "ip" as const, value })),
    ...(opts.emails ?? []).map((value) => ({ type: "email" as const, value })),
    ...(opts.uris ?? []).map((value) => ({ type: "url" as const, value })),
  ];
  if (san.length > 0) ext.push(new x509.SubjectAlternativeNameExtension(san, false));
  return ext;
}

function validity(opts: IssueOptions): { notBefore: Date; notAfter: Date } {
  const now = Date.now();
  return {
    notBefore: opts.notBefore ?? new Date(now - 3600_000),
    notAfter: opts.notAfter ?? new Date(now + (opts.validDays ?? 825) * DAY),
  };
}

/** 16 random bytes, positive (high bit clear) and without a leading zero byte. */
function serial(): string {
  const b = randomBytes(16);
  b[0] = (b[0]! & 0x7f) | 0x40;
  return b.toString("hex");
}

async function exportKey(key: CryptoKey): Promise<string> {
  const der = Buffer.from(await subtle.exportKey("pkcs8", key));
  const body = der.toString("base64").replace(/(.{64})/g, "$1\n").replace(/\n$/, "");
  return `-----BEGIN PRIVATE KEY-----\n${body}\n-----END PRIVATE KEY-----\n`;
}

/** Accepts PKCS#8 or SEC 1 ("EC PRIVATE KEY") PEM. */
async function importKey(pem: string): Promise<CryptoKey> {
  const der = createPrivateKey(pem).export({ format: "der", type: "pkcs8" });
  return subtle.importKey("pkcs8", der, ALG, false, ["sign"]);
}
