/**
 * Loading settings: defaults, then a TOML file, then command-line flags (highest priority).
 * Every value is checked; a key that is not a setting is an error naming the key, so a typo
 * never silently falls back to a default.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { TomlError, parse } from "smol-toml";
import { DEFAULT_TLS_FILES, SETTINGS, snakeToCamel, type KmipdConfig, type SettingSpec } from "./schema.js";

/** A setting that cannot be used; the message names the source and the key. */
export class ConfigError extends Error {
  override readonly name = "ConfigError";
}

export interface LoadOptions {
  /** Path of a TOML file to read. */
  readonly file?: string;
  /** TOML text (instead of, or when there is no, file; `file` then only names it in errors). */
  readonly text?: string;
  /** Values by dotted key (`server.port`), e.g. from CLI flags; applied last. */
  readonly overrides?: Readonly<Record<string, unknown>>;
  /** How overrides are named in errors ("command line" by default). */
  readonly overridesSource?: string;
}

const SPEC_BY_KEY = new Map(SETTINGS.map((s) => [s.key, s]));
/** Table paths that exist (`server`, `limits`, …): anything else at a table position is unknown. */
const TABLES = new Set(SETTINGS.flatMap((s) => s.key.split(".").slice(0, -1).map((_, i, parts) => parts.slice(0, i + 1).join("."))));

/** The settings with nothing configured. */
export function defaultConfig(): KmipdConfig {
  return build(new Map());
}

/** Reads the file (if any), applies overrides, checks everything, fills in defaults. */
export async function loadConfig(opts: LoadOptions = {}): Promise<KmipdConfig> {
  let text = opts.text;
  if (text === undefined && opts.file !== undefined) {
    try {
      text = await readFile(opts.file, "utf8");
    } catch (e) {
      throw new ConfigError(`cannot read config file ${opts.file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
    }
  }
  return configFrom(text, opts);
}

/** Synchronous core of loadConfig, for text already in hand. */
export function configFrom(text: string | undefined, opts: Omit<LoadOptions, "text"> = {}): KmipdConfig {
  const values = new Map<string, unknown>();
  if (text !== undefined) {
    const source = opts.file ?? "config";
    let doc: Record<string, unknown>;
    try {
      doc = parse(text, { unsafeKeyBehaviour: "throw" }) as Record<string, unknown>;
    } catch (e) {
      const where = e instanceof TomlError ? `:${e.line}:${e.column}` : "";
      throw new ConfigError(`${source}${where}: not valid TOML: ${e instanceof Error ? e.message.split("\n")[0] : String(e)}`);
    }
    flatten(doc, "", source, values);
  }
  const flagSource = opts.overridesSource ?? "command line";
  for (const [key, v] of Object.entries(opts.overrides ?? {})) {
    if (v === undefined) continue;
    const spec = SPEC_BY_KEY.get(key);
    if (!spec) throw new ConfigError(`${flagSource}: unknown setting ${key}`);
    values.set(key, checked(spec, v, flagSource));
  }
  return build(values);
}

function flatten(table: Record<string, unknown>, prefix: string, source: string, out: Map<string, unknown>): void {
  for (const [name, v] of Object.entries(table)) {
    const key = prefix + name;
    const spec = SPEC_BY_KEY.get(key);
    if (spec) {
      out.set(key, checked(spec, v, source));
    } else if (TABLES.has(key)) {
      if (typeof v !== "object" || v === null || Array.isArray(v) || v instanceof Date) throw new ConfigError(`${source}: ${key} must be a table ([${key}])`);
      flatten(v as Record<string, unknown>, key + ".", source, out);
    } else {
      throw new ConfigError(`${source}: unknown setting ${key}`);
    }
  }
}

function checked(spec: SettingSpec, v: unknown, source: string): unknown {
  const r = spec.check(v);
  if (!r.ok) throw new ConfigError(`${source}: ${spec.key} must be ${r.expected}, got ${show(v)}`);
  return r.value;
}

function show(v: unknown): string {
  if (typeof v === "string") return JSON.stringify(v.length > 60 ? v.slice(0, 60) + "…" : v);
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  if (Array.isArray(v)) return "an array";
  if (v instanceof Date) return "a date";
  return typeof v === "object" && v !== null ? "a table" : typeof v;
}

function build(values: ReadonlyMap<string, unknown>): KmipdConfig {
  const out: Record<string, unknown> = {};
  for (const spec of SETTINGS) {
    const parts = spec.key.split(".").map(snakeToCamel);
    let table = out;
    for (const p of parts.slice(0, -1)) table = (table[p] ??= {}) as Record<string, unknown>;
    table[parts[parts.length - 1]!] = values.has(spec.key) ? values.get(spec.key) : spec.default;
  }
  const server = out["server"] as Record<string, unknown>;
  const tls = out["tls"] as Record<string, unknown>;
  for (const [prop, file] of Object.entries(DEFAULT_TLS_FILES)) tls[prop] ??= join(server["certsDir"] as string, file);
  return deepFreeze(out) as unknown as KmipdConfig;
}

function deepFreeze<T extends object>(o: T): T {
  for (const v of Object.values(o)) if (typeof v === "object" && v !== null) deepFreeze(v);
  return Object.freeze(o);
}
