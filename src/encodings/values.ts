/**
 * Text forms of TTLV primitive values shared by the XML, JSON and text renderings
 * (KMIP Additional Message Encodings 1.0 §4.1/§6.1; Profiles 2.1 §5.4.1/§5.5.1).
 * Every parse failure throws a ValueError; callers attach the position.
 */
import { bigIntegerBytes } from "../ttlv/index.js";
import { ValueError } from "./errors.js";

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;
const UINT32_MAX = 2 ** 32 - 1;
const INT64_MIN = -(1n << 63n);
const INT64_MAX = (1n << 63n) - 1n;

const DECIMAL = /^[+-]?\d+$/;
const HEX_NUMBER = /^0x[0-9a-f]+$/i;

/** `0x` + the value as `digits` upper-case hex digits (two's complement for negative values). */
export function hexFixed(value: number | bigint, digits: number): string {
  let v = BigInt(value);
  if (v < 0n) v += 1n << BigInt(digits * 4);
  return `0x${v.toString(16).toUpperCase().padStart(digits, "0")}`;
}

/** A `0x` hex number of at most `bits` bits, read as two's complement when `signed`. */
function parseHexNumber(text: string, bits: number, signed: boolean): bigint {
  const v = BigInt(text);
  if (text.length - 2 > bits / 4) throw new ValueError(`"${text}" has more than ${bits / 4} hex digits`);
  return signed && v >= 1n << BigInt(bits - 1) ? v - (1n << BigInt(bits)) : v;
}

function parseWhole(text: string, what: string, bits: number, signed: boolean, allowHex: boolean): bigint {
  const t = text.trim();
  let v: bigint;
  if (DECIMAL.test(t)) v = BigInt(t);
  else if (allowHex && HEX_NUMBER.test(t)) v = parseHexNumber(t, bits, signed);
  else throw new ValueError(`"${text}" is not ${allowHex ? "a decimal or 0x-hex" : "a decimal"} ${what}`);
  const min = signed ? -(1n << BigInt(bits - 1)) : 0n;
  const max = signed ? (1n << BigInt(bits - 1)) - 1n : (1n << BigInt(bits)) - 1n;
  if (v < min || v > max) throw new ValueError(`${text} is out of range for ${what}`);
  return v;
}

/** xsd:int (decimal) or 0x + up to 8 hex digits (two's complement). */
export const parseInt32 = (text: string, allowHex = true): number => Number(parseWhole(text, "Integer (signed 32-bit)", 32, true, allowHex));
/** xsd:unsignedInt (decimal) or 0x + up to 8 hex digits. */
export const parseUint32 = (text: string, what: string, allowHex = true): number => Number(parseWhole(text, what, 32, false, allowHex));
/** xsd:long (decimal) or 0x + up to 16 hex digits (two's complement). */
export const parseInt64 = (text: string, what: string, allowHex = true): bigint => parseWhole(text, what, 64, true, allowHex);

export function checkInt32(v: number): number {
  if (!Number.isInteger(v) || v < INT32_MIN || v > INT32_MAX) throw new ValueError(`${v} is not a signed 32-bit integer`);
  return v;
}
export function checkUint32(v: number): number {
  if (!Number.isInteger(v) || v < 0 || v > UINT32_MAX) throw new ValueError(`${v} is not an unsigned 32-bit integer`);
  return v;
}
export function checkInt64(v: bigint): bigint {
  if (v < INT64_MIN || v > INT64_MAX) throw new ValueError(`${v} is not a signed 64-bit integer`);
  return v;
}

/** xsd:boolean: true, false, 1, 0. */
export function parseBoolean(text: string): boolean {
  const t = text.trim();
  if (t === "true" || t === "1") return true;
  if (t === "false" || t === "0") return false;
  throw new ValueError(`"${text}" is not a Boolean (true, false, 1 or 0)`);
}

/** xsd:hexBinary: an even number of hex digits, any case, possibly empty. */
export function parseHexBytes(text: string): Uint8Array {
  const t = text.trim();
  if (t.length % 2 !== 0 || !/^[0-9a-f]*$/i.test(t)) throw new ValueError(`"${text.length > 40 ? `${text.slice(0, 40)}…` : text}" is not hex binary (an even number of hex digits)`);
  return Uint8Array.from(Buffer.from(t, "hex"));
}

export const bytesToHex = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString("hex");

/**
 * BigInteger as hex binary: the TTLV value bytes, i.e. big-endian two's complement whose leading
 * bit is the sign (Additional Message Encodings §6.1.1: "must include all leading zeros or sign
 * extension bits"). Any whole number of bytes is accepted; the TTLV encoder re-extends to 8.
 */
export function parseBigIntegerHex(text: string): bigint {
  const bytes = parseHexBytes(text.replace(/^0x/i, ""));
  if (bytes.length === 0) throw new ValueError("an empty BigInteger");
  const v = BigInt(`0x${bytesToHex(bytes)}`);
  return (bytes[0]! & 0x80) !== 0 ? v - (1n << BigInt(bytes.length * 8)) : v;
}

/** The TTLV bytes of a BigInteger (two's complement, sign-extended to a multiple of 8) as hex. */
export const bigIntegerToHex = (v: bigint): string => bytesToHex(bigIntegerBytes(v));

// ---- DateTime: xsd:dateTime with a time zone <-> POSIX seconds ----

const ISO = /^(-?\d{4,})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-]\d{2}:\d{2})?$/;

/** Days since 1970-01-01 of a proleptic Gregorian date (all arithmetic exact below 2^53). */
function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m > 2 ? m - 3 : m + 9) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

function civilFromDays(days: number): [number, number, number] {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  return [yoe + era * 400 + (m <= 2 ? 1 : 0), m, d];
}

export interface IsoParts {
  /** POSIX seconds (UTC), fractional seconds truncated. */
  readonly seconds: bigint;
  /** The fractional-second digits as written ("" when none). */
  readonly fraction: string;
}

/**
 * xsd:dateTime → POSIX seconds. The time zone is required (Profiles 2.1 §5.4.1.6.11: "SHALL always
 * be time zoned"); `Z` and any ±hh:mm offset are accepted and normalised to UTC.
 */
export function parseIsoDateTime(text: string): IsoParts {
  const m = ISO.exec(text.trim());
  if (!m) throw new ValueError(`"${text}" is not an ISO 8601 date-time like 2012-04-27T08:12:24+00:00`);
  const [, ys, mos, ds, hs, mis, ss, frac, zone] = m;
  if (zone === undefined) throw new ValueError(`"${text}" has no time zone (add Z or +00:00)`);
  const y = Number(ys), mo = Number(mos), d = Number(ds), h = Number(hs), mi = Number(mis), s = Number(ss);
  if (Math.abs(y) > 300_000_000_000) throw new ValueError(`year ${ys} is out of range`);
  const days = daysFromCivil(y, mo, d);
  const [cy, cm, cd] = civilFromDays(days);
  if (mo < 1 || mo > 12 || cy !== y || cm !== mo || cd !== d) throw new ValueError(`"${text}" is not a valid date`);
  if (h > 23 || mi > 59 || s > 59) throw new ValueError(`"${text}" is not a valid time of day`);
  let offset = 0;
  if (zone !== "Z") {
    const oh = Number(zone.slice(1, 3)), om = Number(zone.slice(4, 6));
    if (oh > 14 || om > 59) throw new ValueError(`"${zone}" is not a valid time zone offset`);
    offset = (zone[0] === "-" ? -1 : 1) * (oh * 3600 + om * 60);
  }
  const seconds = BigInt(days) * 86400n + BigInt(h * 3600 + mi * 60 + s - offset);
  return { seconds: checkInt64(seconds), fraction: frac ? frac.slice(1) : "" };
}

/** POSIX seconds → `YYYY-MM-DDThh:mm:ss+00:00` (with `.ffffff` when `micros` is given). */
export function formatIsoDateTime(seconds: bigint, micros?: number): string {
  const dayCount = seconds >= 0n ? seconds / 86400n : -((-seconds + 86399n) / 86400n);
  const sod = Number(seconds - dayCount * 86400n);
  const [y, m, d] = civilFromDays(Number(dayCount));
  const p2 = (n: number): string => String(n).padStart(2, "0");
  const year = y < 0 ? `-${String(-y).padStart(4, "0")}` : String(y).padStart(4, "0");
  const frac = micros === undefined ? "" : `.${String(micros).padStart(6, "0")}`;
  return `${year}-${p2(m)}-${p2(d)}T${p2(Math.floor(sod / 3600))}:${p2(Math.floor(sod / 60) % 60)}:${p2(sod % 60)}${frac}+00:00`;
}

/** DateTimeExtended (microseconds) → ISO with six fraction digits. */
export function formatIsoMicros(micros: bigint): string {
  const s = micros >= 0n ? micros / 1_000_000n : -((-micros + 999_999n) / 1_000_000n);
  return formatIsoDateTime(s, Number(micros - s * 1_000_000n));
}

/** `$NOW`, `$NOW-60`, `$NOW+3600` → the offset in seconds; undefined for other text. */
export function nowPlaceholderOffset(name: string): number | undefined {
  const m = /^\$NOW(?:([+-])(\d+))?$/.exec(name);
  if (!m) return undefined;
  return m[1] === undefined ? 0 : (m[1] === "-" ? -1 : 1) * Number(m[2]);
}
