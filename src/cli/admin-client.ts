/**
 * The admin API's client (docs/ADMIN.md), for the CLI and tests: JSON over HTTPS with a client
 * certificate. Where it finds the server and the certificate: --server, else https://<admin.host>:
 * <admin.port> from the same --config / --certs-dir defaults as `kmipd serve`, with admin.pem /
 * admin-key.pem / ca.pem in the certs dir.
 */
import { readFile } from "node:fs/promises";
import { request } from "node:https";
import { join } from "node:path";
import { loadConfig } from "../config/index.js";
import { pathExists } from "../server/paths.js";
import { DEV_PKI_FILES } from "../server/pki.js";
import { CliError } from "./io.js";

export interface AdminClientOptions {
  readonly url: string;
  readonly cert: string | Buffer;
  readonly key: string | Buffer;
  readonly ca: string | Buffer;
  readonly timeoutMs?: number;
}

export interface AdminAnswer {
  readonly status: number;
  readonly body: unknown;
}

export class AdminClient {
  constructor(private readonly opts: AdminClientOptions) {}

  call(method: "GET" | "POST" | "DELETE", path: string, body?: unknown): Promise<AdminAnswer> {
    const url = new URL(path, this.opts.url);
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body), "utf8");
    return new Promise((resolve, reject) => {
      const req = request(
        url,
        {
          method, cert: this.opts.cert, key: this.opts.key, ca: this.opts.ca, agent: false,
          headers: payload ? { "Content-Type": "application/json", "Content-Length": payload.length } : {},
          timeout: this.opts.timeoutMs ?? 30_000,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () => {
            const text = Buffer.concat(chunks).toString("utf8");
            const type = String(res.headers["content-type"] ?? "");
            let parsed: unknown = text;
            if (type.startsWith("application/json")) {
              try {
                parsed = JSON.parse(text);
              } catch {
                // left as text
              }
            }
            resolve({ status: res.statusCode ?? 0, body: parsed });
          });
          res.on("error", reject);
        },
      );
      req.on("timeout", () => req.destroy(new Error(`no answer from ${url.origin} in time`)));
      req.on("error", reject);
      req.end(payload);
    });
  }

  /** The answer's body on 2xx; otherwise a CliError carrying the server's message. */
  async ok(method: "GET" | "POST" | "DELETE", path: string, body?: unknown): Promise<unknown> {
    let a: AdminAnswer;
    try {
      a = await this.call(method, path, body);
    } catch (e) {
      throw new CliError(`cannot reach the admin API at ${this.opts.url}: ${e instanceof Error ? e.message : String(e)}`);
    }
    if (a.status >= 200 && a.status < 300) return a.body;
    const b = a.body as { error?: string; message?: string } | string;
    const msg = typeof b === "string" ? b.trim() : `${b.message ?? "request failed"} (${b.error ?? a.status})`;
    throw new CliError(`${msg} [HTTP ${a.status}]`);
  }
}

export interface ConnectArgs {
  config?: string;
  "certs-dir"?: string;
  server?: string;
}

/** Settings file read when --config is not given (as `kmipd serve`). */
const DEFAULT_CONFIG_FILE = "kmipd.toml";

export async function adminClientFrom(a: ConnectArgs): Promise<AdminClient> {
  let file = a.config;
  if (file === undefined && (await pathExists(DEFAULT_CONFIG_FILE))) file = DEFAULT_CONFIG_FILE;
  const config = await loadConfig({ ...(file === undefined ? {} : { file }), overrides: { "server.certs_dir": a["certs-dir"] } }).catch((e: unknown) => {
    throw new CliError(e instanceof Error ? e.message : String(e));
  });
  const dir = config.server.certsDir;
  const read = async (p: string) =>
    readFile(p).catch(() => {
      throw new CliError(`cannot read ${p} (the admin CLI presents admin.pem / admin-key.pem from the certs dir; \`kmipd init\` creates them)`);
    });
  const host = config.admin.host === "0.0.0.0" ? "127.0.0.1" : config.admin.host === "::" ? "::1" : config.admin.host;
  const url = a.server ?? `https://${host.includes(":") ? `[${host}]` : host}:${config.admin.port}`;
  if (!/^https:\/\//.test(url)) throw new CliError("--server must be an https:// URL");
  return new AdminClient({ url, cert: await read(join(dir, DEV_PKI_FILES.adminCert)), key: await read(join(dir, DEV_PKI_FILES.adminKey)), ca: await read(config.tls.ca) });
}
