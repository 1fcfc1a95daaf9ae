/**
 * HMAC_DRBG with SHA-256 (NIST SP 800-90A Rev. 1 §10.1.2), without prediction resistance, and the
 * server's generator built on it: the source of RNG Retrieve, and what RNG Seed feeds.
 *
 * Keys are not made here: Create, Create Key Pair, Re-key … use node:crypto (OpenSSL's CTR_DRBG,
 * which node gives no way to seed). This generator exists so that RNG Seed can honestly report the
 * bytes it used: they go into *this* DRBG's state, and RNG Retrieve draws from it.
 *
 * Client data never replaces the operating system's entropy. Every instantiation and every reseed
 * takes fresh entropy from crypto.randomBytes (the OS source); a client's seed is only mixed in as
 * SP 800-90A "additional input" of a reseed (§9.2: entropy_input || additional_input). A client
 * that sends predictable or hostile seed bytes therefore gets a state at least as unpredictable as
 * one it did not touch: HMAC of an unknown key over anything stays unknown.
 */
import { createHmac, randomBytes } from "node:crypto";

/** SHA-256 output, the DRBG's K and V length (outlen, §10.1 table 2). */
const OUTLEN = 32;
/** SP 800-90A table 2: at most 2^19 bits per Generate call. */
export const MAX_BYTES_PER_REQUEST = (1 << 19) / 8;
/** Security strength of HMAC_DRBG SHA-256 (SP 800-57: 256 bits); entropy input is this long. */
export const SECURITY_STRENGTH_BYTES = 32;

const hmac = (key: Buffer, ...parts: Uint8Array[]): Buffer => {
  const h = createHmac("sha256", key);
  for (const p of parts) h.update(p);
  return h.digest();
};

/**
 * The bare mechanism of §10.1.2: Instantiate, Reseed and Generate from given inputs. Deterministic
 * (the CAVP vectors test it); the caller supplies entropy. Use {@link ServerRng} to get random bytes.
 */
export class HmacDrbg {
  private k: Buffer = Buffer.alloc(OUTLEN, 0x00);
  private v: Buffer = Buffer.alloc(OUTLEN, 0x01);
  /** reseed_counter: Generate calls since the last (re)seed, plus one. */
  private counter = 1;

  /** §10.1.2.3 Instantiate: seed_material = entropy_input || nonce || personalization_string. */
  constructor(entropy: Uint8Array, nonce: Uint8Array, personalization: Uint8Array = new Uint8Array(0)) {
    this.update(Buffer.concat([entropy, nonce, personalization]));
  }

  /** Generate calls since the last (re)seed. */
  get requestsSinceReseed(): number {
    return this.counter - 1;
  }

  /** §10.1.2.4 Reseed: seed_material = entropy_input || additional_input. */
  reseed(entropy: Uint8Array, additional: Uint8Array = new Uint8Array(0)): void {
    this.update(Buffer.concat([entropy, additional]));
    this.counter = 1;
  }

  /** §10.1.2.5 Generate (the caller reseeds when its interval is reached). */
  generate(n: number, additional: Uint8Array = new Uint8Array(0)): Buffer {
    if (!Number.isInteger(n) || n < 0 || n > MAX_BYTES_PER_REQUEST) throw new RangeError(`HMAC_DRBG: ${n} bytes requested (0 to ${MAX_BYTES_PER_REQUEST})`);
    if (additional.length > 0) this.update(additional);
    const blocks: Buffer[] = [];
    for (let got = 0; got < n; got += OUTLEN) {
      this.v = hmac(this.k, this.v);
      blocks.push(this.v);
    }
    this.update(additional);
    this.counter++;
    return Buffer.concat(blocks).subarray(0, n);
  }

  /** §10.1.2.2 HMAC_DRBG_Update. */
  private update(provided: Uint8Array): void {
    this.k = hmac(this.k, this.v, Uint8Array.of(0x00), provided);
    this.v = hmac(this.k, this.v);
    if (provided.length === 0) return;
    this.k = hmac(this.k, this.v, Uint8Array.of(0x01), provided);
    this.v = hmac(this.k, this.v);
  }
}

/** Where fresh entropy comes from; crypto.randomBytes (the OS source) unless a test says otherwise. */
export type EntropySource = (n: number) => Uint8Array;

export interface ServerRngOptions {
  /** Generate calls between reseeds from the OS (default {@link DEFAULT_RESEED_INTERVAL}). */
  readonly reseedInterval?: number;
  readonly entropy?: EntropySource;
  /** Personalization string (default: names the process and the start time). */
  readonly personalization?: Uint8Array;
}

/**
 * Reseed from the OS after this many RNG Retrieve calls. SP 800-90A allows up to 2^48; a small
 * interval costs one 32-byte randomBytes call per 1024 requests and bounds how much output any one
 * state produces.
 */
export const DEFAULT_RESEED_INTERVAL = 1024;

/**
 * The server's HMAC_DRBG: instantiated from OS entropy (32 bytes) and a nonce (16 bytes), with a
 * personalization string naming the process; reseeded from the OS every `reseedInterval` requests
 * and whenever a client seeds it. One instance is shared by every client of an executor (KMIP RNG
 * Mode "Shared Instantiation").
 */
export class ServerRng {
  private readonly drbg: HmacDrbg;
  private readonly interval: number;
  private readonly entropy: EntropySource;

  constructor(opts: ServerRngOptions = {}) {
    this.entropy = opts.entropy ?? randomBytes;
    this.interval = opts.reseedInterval ?? DEFAULT_RESEED_INTERVAL;
    const personalization = opts.personalization ?? Buffer.from(`kmipd rng ${process.pid} ${Date.now()}`);
    this.drbg = new HmacDrbg(this.entropy(SECURITY_STRENGTH_BYTES), this.entropy(SECURITY_STRENGTH_BYTES / 2), personalization);
  }

  /** n random bytes (1 to {@link MAX_BYTES_PER_REQUEST}). */
  generate(n: number): Buffer {
    if (this.drbg.requestsSinceReseed >= this.interval) this.drbg.reseed(this.entropy(SECURITY_STRENGTH_BYTES));
    return this.drbg.generate(n);
  }

  /**
   * Mixes a client's seed in: a reseed with fresh OS entropy, the client's bytes as additional
   * input. Returns how many bytes were used (all of `data`; the caller trims to its policy).
   * The OS entropy is always there, so the client's bytes add to the state and never replace it.
   */
  seed(data: Uint8Array): number {
    this.drbg.reseed(this.entropy(SECURITY_STRENGTH_BYTES), data);
    return data.length;
  }
}
