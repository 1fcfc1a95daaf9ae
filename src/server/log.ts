/**
 * Structured logs: pino, one JSON object per line (or one readable line with format "pretty").
 * Anything named like a secret — pin, password, passphrase, key, secret, and compounds such as
 * `hsmPin`, `private_key` — is replaced by "[redacted]" at any depth before it is written.
 * Message bytes are never logged by the transport.
 */
import { pino } from "pino";
import type { LogFormat, LogLevel } from "../config/index.js";

export type LogFields = Record<string, unknown>;

/** What the server's parts log through; pino's logger fits it, so do tests' fakes. */
export interface Logger {
  error(fields: LogFields, msg: string): void;
  warn(fields: LogFields, msg: string): void;
  info(fields: LogFields, msg: string): void;
  debug(fields: LogFields, msg: string): void;
  child(bindings: LogFields): Logger;
}

/** Where log lines go: a stream, or anything with a write method (tests capture lines). */
export interface LogDestination {
  write(line: string): unknown;
}

export interface LoggerOptions {
  readonly level: LogLevel;
  readonly format: LogFormat;
}

/** "key", "private_key", "HSM-PIN": the word alone or after an underscore or hyphen (any case). */
const SNAKE_SECRET = /(?:^|[_-])(?:pin|password|passphrase|passwd|key|secret)s?$/i;
/** "privateKey", "hsmPin": a capitalised word ending a camel-case name ("monkey" is not one). */
const CAMEL_SECRET = /[a-z0-9](?:Pin|Password|Passphrase|Passwd|Key|Secret)s?$/;
const REDACTED = "[redacted]";
const MAX_REDACT_DEPTH = 8;

/** True for a field name that must never be logged with its value. */
export function isSecretName(name: string): boolean {
  return SNAKE_SECRET.test(name) || CAMEL_SECRET.test(name);
}

/** Copies plain objects and arrays, replacing secret-named values; other objects are kept as they are. */
export function redact(v: unknown, depth = 0): unknown {
  if (depth > MAX_REDACT_DEPTH || typeof v !== "object" || v === null) return v;
  if (Array.isArray(v)) return v.map((x) => redact(x, depth + 1));
  const proto = Object.getPrototypeOf(v) as unknown;
  if (proto !== Object.prototype && proto !== null) return v; // Error, Buffer, Date…: left to pino's serializers
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) out[k] = isSecretName(k) ? REDACTED : redact(x, depth + 1);
  return out;
}

export function createLogger(opts: LoggerOptions, destination?: LogDestination): Logger {
  const base = destination ?? pino.destination({ dest: 1, sync: true });
  const dest: LogDestination = opts.format === "pretty" ? { write: (line: string) => base.write(prettyLine(line)) } : base;
  return new PinoLogger(
    pino(
      {
        level: opts.level,
        base: undefined,
        timestamp: pino.stdTimeFunctions.isoTime,
        formatters: {
          level: (label) => ({ level: label }),
          log: (o) => redact(o) as Record<string, unknown>,
        },
      },
      dest as pino.DestinationStream,
    ),
  );
}

/** A logger that drops everything. */
export function silentLogger(): Logger {
  return new PinoLogger(pino({ level: "silent" }));
}

/** pino behind the Logger interface; child bindings are redacted too (pino's formatter skips them). */
class PinoLogger implements Logger {
  constructor(private readonly p: pino.Logger) {}
  error(fields: LogFields, msg: string): void {
    this.p.error(fields, msg);
  }
  warn(fields: LogFields, msg: string): void {
    this.p.warn(fields, msg);
  }
  info(fields: LogFields, msg: string): void {
    this.p.info(fields, msg);
  }
  debug(fields: LogFields, msg: string): void {
    this.p.debug(fields, msg);
  }
  child(bindings: LogFields): Logger {
    return new PinoLogger(this.p.child(redact(bindings) as LogFields));
  }
}

/** One JSON record → `time LEVEL msg key=value …`. */
export function prettyLine(line: string): string {
  let rec: Record<string, unknown>;
  try {
    rec = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line;
  }
  const { time, level, msg, ...rest } = rec;
  const fields = Object.entries(rest)
    .map(([k, v]) => `${k}=${typeof v === "string" && !/[\s"=]/.test(v) ? v : JSON.stringify(v)}`)
    .join(" ");
  return `${String(time ?? "")} ${String(level ?? "").toUpperCase().padEnd(5)} ${String(msg ?? "")}${fields ? " " + fields : ""}\n`;
}
