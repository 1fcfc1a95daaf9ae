/**
 * KMIP load generator, aimed at any KMIP server over mutual TLS (kmipd, PyKMIP, …).
 *
 *   npm run bench -- --host H --port P --cert C --key K --ca CA [--servername localhost]
 *     [--kmip-version 1.4] [--connections 1,8,32] [--seconds 10] [--warmup 1]
 *     [--scenarios create-get,get,locate] [--preload 100000] [--pool 1000] [--batch 32]
 *     [--preload-connections 8] [--server-pid PID] [--label NAME] [--timeout-ms 60000] [--json out.json]
 *
 * Scenarios, each run once per connection count, one request in flight per connection, over
 * connections opened before the timing starts (handshakes are timed and reported separately):
 *   create-get  Create an AES-256 key, then Get it; one sample is the pair.
 *   get         Get of a random object from a pool of --pool keys created beforehand.
 *   locate      Locate by Name over a store preloaded with --preload Secret Data objects with unique
 *               names (Register, --batch items per request); each query names a random preloaded
 *               object; anything but exactly that one hit counts as an error.
 *   encrypt-decrypt  AES-256-GCM Encrypt of 1 KiB (server-made IV) then Decrypt with the tag, under
 *               one active key; the plaintext must come back. One sample is the pair.
 *   create-key-pair-rsa / create-key-pair-ec  Create Key Pair RSA-2048 / EC P-256 (key generation
 *               runs on the server's event loop or thread pool: this is its cost).
 * Not in the default --scenarios list: encrypt-decrypt, create-key-pair-rsa, create-key-pair-ec.
 * Figures and the machine go in docs/PERFORMANCE.md.
 */
import { randomBytes, randomInt } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { KmipClient, KmipRequestError, type ConnectOptions } from "../src/client/index.js";
import { Enums, KMIP_VERSIONS, Masks, Tag, type KmipVersion } from "../src/kmip/index.js";
import { enumeration, integer, struct } from "../src/ttlv/index.js";
import { bulk, createAesItem, fmtInt, fmtMs, fmtRate, latencyStats, machineInfo, processCpuSeconds, registerSecretItem, serverVendor, table, type LatencyStats } from "./kmip-load-ops.js";

const SCENARIOS = ["create-get", "get", "locate", "encrypt-decrypt", "create-key-pair-rsa", "create-key-pair-ec"] as const;
type Scenario = (typeof SCENARIOS)[number];

const { values: a } = parseArgs({
  options: {
    host: { type: "string", default: "127.0.0.1" },
    port: { type: "string", default: "5696" },
    cert: { type: "string" },
    key: { type: "string" },
    ca: { type: "string" },
    servername: { type: "string" },
    "kmip-version": { type: "string", default: "1.4" },
    connections: { type: "string", default: "1,8,32" },
    seconds: { type: "string", default: "10" },
    warmup: { type: "string", default: "1" },
    scenarios: { type: "string", default: "create-get,get,locate" },
    preload: { type: "string", default: "100000" },
    pool: { type: "string", default: "1000" },
    batch: { type: "string", default: "32" },
    "preload-connections": { type: "string", default: "8" },
    "server-pid": { type: "string" },
    label: { type: "string" },
    "timeout-ms": { type: "string", default: "60000" },
    json: { type: "string" },
  },
  strict: true,
});

function die(msg: string): never {
  console.error(`kmip-load: ${msg}`);
  process.exit(2);
}
const num = (name: string, v: string | undefined, min = 0): number => {
  const n = Number(v);
  if (!Number.isFinite(n) || n < min) die(`--${name} must be a number ≥ ${min} (got ${v})`);
  return n;
};
if (!a.cert || !a.key || !a.ca) die("--cert, --key and --ca are required (PEM files)");
const version = a["kmip-version"] as KmipVersion;
if (!(KMIP_VERSIONS as readonly string[]).includes(version)) die(`--kmip-version must be one of ${KMIP_VERSIONS.join(", ")}`);
const scenarios = a.scenarios.split(",").map((s) => s.trim()) as Scenario[];
for (const s of scenarios) if (!SCENARIOS.includes(s)) die(`unknown scenario ${s} (known: ${SCENARIOS.join(", ")})`);
const connectionCounts = a.connections.split(",").map((c) => num("connections", c, 1));
const seconds = num("seconds", a.seconds, 0.1);
const warmup = num("warmup", a.warmup);
const preloadCount = num("preload", a.preload, 1);
const poolCount = num("pool", a.pool, 1);
const batchSize = num("batch", a.batch, 1);
const preloadConnections = num("preload-connections", a["preload-connections"], 1);
const serverPid = a["server-pid"] === undefined ? undefined : num("server-pid", a["server-pid"], 1);
const connectOpts: ConnectOptions & { version: KmipVersion } = {
  host: a.host,
  port: num("port", a.port, 1),
  cert: readFileSync(a.cert),
  key: readFileSync(a.key),
  ca: readFileSync(a.ca),
  ...(a.servername === undefined ? {} : { servername: a.servername }),
  timeoutMs: num("timeout-ms", a["timeout-ms"], 1),
  version,
};

interface Opened {
  readonly clients: KmipClient[];
  readonly handshakeMs: number[];
}

/** Opens n connections one after another, timing each handshake. */
async function open(n: number): Promise<Opened> {
  const clients: KmipClient[] = [];
  const handshakeMs: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    clients.push(await KmipClient.connect(connectOpts));
    handshakeMs.push(performance.now() - t);
  }
  return { clients, handshakeMs };
}
const closeAll = (cs: readonly KmipClient[]): Promise<unknown> => Promise.all(cs.map((c) => c.close().catch(() => undefined)));

// ---- state built before the scenarios that need it ----
const runId = randomBytes(4).toString("hex");
const nameOf = (i: number): string => `bench-${runId}-${i}`;
let pool: string[] | undefined;
/** The active AES-256 key the encrypt-decrypt scenario uses. */
let cryptoKey: string | undefined;
const PLAINTEXT = randomBytes(1024);
let preloaded: (string | undefined)[] | undefined;
/** Objects this run has created so far (the store holds at least these). */
let created = 0;
const setup: Record<string, { objects: number; seconds: number; perSecond: number; errors: number; storeAfter: number; firstError?: string }> = {};

async function build(what: "pool" | "preload"): Promise<(string | undefined)[]> {
  const count = what === "pool" ? poolCount : preloadCount;
  const { clients } = await open(preloadConnections);
  let shown = 0;
  const progress = (done: number) => {
    if (done - shown >= Math.max(count / 10, 1000) || done === count) {
      shown = done;
      process.stderr.write(`  ${what}: ${fmtInt(done)} / ${fmtInt(count)}\n`);
    }
  };
  const secret = randomBytes(16);
  const r = await bulk(clients, count, batchSize, (i) => (what === "pool" ? createAesItem(version) : registerSecretItem(version, nameOf(i), secret)), progress);
  await closeAll(clients);
  const ok = count - r.errors;
  created += ok;
  setup[what] = { objects: ok, seconds: r.seconds, perSecond: ok / r.seconds, errors: r.errors, storeAfter: created, ...(r.firstError === undefined ? {} : { firstError: r.firstError }) };
  const how = what === "pool" ? "Create AES-256" : "Register Secret Data with a Name";
  console.log(`${what}: ${fmtInt(ok)} objects (${how}, ${batchSize} per request, ${preloadConnections} connections) in ${r.seconds.toFixed(1)} s = ${fmtInt(ok / r.seconds)} objects/s, ${r.errors} errors${r.firstError ? ` (first: ${r.firstError})` : ""}; this run has now created ${fmtInt(created)} objects`);
  if (ok === 0) die(`${what}: no object was created`);
  return r.uids;
}

class Mismatch extends Error {}

/** One sample of a scenario on one connection; throws on an error or a wrong answer. */
async function sample(s: Scenario, c: KmipClient): Promise<void> {
  if (s === "create-get") {
    const uid = await c.create();
    created++;
    if ((await c.get(uid)).uid !== uid) throw new Mismatch("Get returned another object");
  } else if (s === "get") {
    const uid = pool![randomInt(pool!.length)]!;
    if ((await c.get(uid)).uid !== uid) throw new Mismatch("Get returned another object");
  } else if (s === "encrypt-decrypt") {
    const gcm = { blockCipherMode: Enums.BlockCipherMode.GCM, tagLength: 16 };
    const enc = await c.encrypt(cryptoKey!, PLAINTEXT, gcm);
    const back = await c.decrypt(cryptoKey!, enc.data, { ...gcm, iv: enc.iv, tag: enc.tag });
    if (!Buffer.from(back).equals(PLAINTEXT)) throw new Mismatch("Decrypt did not return the plaintext");
  } else if (s === "create-key-pair-rsa" || s === "create-key-pair-ec") {
    const common = s === "create-key-pair-rsa"
      ? [{ name: "Cryptographic Algorithm", value: enumeration(0, Enums.CryptographicAlgorithm.RSA) }, { name: "Cryptographic Length", value: integer(0, 2048) }]
      : [{ name: "Cryptographic Algorithm", value: enumeration(0, Enums.CryptographicAlgorithm.EC) }, { name: "Cryptographic Length", value: integer(0, 256) }, { name: "Cryptographic Domain Parameters", value: struct(0, [enumeration(Tag.RecommendedCurve, Enums.RecommendedCurve.P_256)]) }];
    const pair = await c.createKeyPair({
      common,
      privateAttrs: [{ name: "Cryptographic Usage Mask", value: integer(0, Masks.CryptographicUsageMask.Sign) }],
      publicAttrs: [{ name: "Cryptographic Usage Mask", value: integer(0, Masks.CryptographicUsageMask.Verify) }],
    });
    created += 2;
    if (!pair.privateUid || pair.privateUid === pair.publicUid) throw new Mismatch("Create Key Pair returned no distinct identifiers");
  } else {
    let i = randomInt(preloaded!.length);
    while (preloaded![i] === undefined) i = randomInt(preloaded!.length);
    const hits = await c.locate({ name: nameOf(i) });
    if (hits.length !== 1 || hits[0] !== preloaded![i]) throw new Mismatch(`Locate found ${hits.length} objects, expected exactly ${preloaded![i]}`);
  }
}

interface Driven {
  readonly ms: number[];
  readonly errors: number;
  readonly errorKinds: Map<string, number>;
  readonly elapsed: number;
  readonly reconnects: number;
}

/**
 * Every connection loops (one request in flight) until the deadline; requests already sent are
 * awaited and counted, so the rate is samples ÷ (start → last answer).
 */
async function drive(s: Scenario, clients: KmipClient[], secs: number): Promise<Driven> {
  const ms: number[] = [];
  const errorKinds = new Map<string, number>();
  let errors = 0;
  let reconnects = 0;
  const start = performance.now();
  const deadline = start + secs * 1000;
  const worker = async (slot: number): Promise<void> => {
    while (performance.now() < deadline) {
      const t = performance.now();
      try {
        await sample(s, clients[slot]!);
        ms.push(performance.now() - t);
      } catch (e) {
        errors++;
        const kind = e instanceof KmipRequestError ? `reason ${e.reason ?? "-"}: ${e.message}` : e instanceof Error ? e.message : String(e);
        errorKinds.set(kind, (errorKinds.get(kind) ?? 0) + 1);
        if (!(e instanceof KmipRequestError) && !(e instanceof Mismatch)) {
          // the connection is gone or stuck: replace it (a handshake inside the window, counted)
          await clients[slot]!.close().catch(() => undefined);
          try {
            clients[slot] = await KmipClient.connect(connectOpts);
            reconnects++;
          } catch {
            return;
          }
        }
      }
    }
  };
  await Promise.all(clients.map((_, i) => worker(i)));
  return { ms, errors, errorKinds, elapsed: (performance.now() - start) / 1000, reconnects };
}

interface Cell extends LatencyStats {
  readonly scenario: Scenario;
  readonly connections: number;
  readonly samples: number;
  readonly seconds: number;
  readonly opsPerSec: number;
  readonly errors: number;
  readonly errorKinds: Record<string, number>;
  readonly handshakes: number;
  readonly handshakeMeanMs: number;
  readonly reconnects: number;
  /** CPU used during the timed window, in cores (1.0 = one core busy). */
  readonly clientCpuCores: number;
  readonly serverCpuCores?: number;
  /** Objects created by this run when the cell ended (the store holds at least these). */
  readonly storeAfter: number;
}

async function cell(s: Scenario, n: number): Promise<Cell> {
  const { clients, handshakeMs } = await open(n);
  try {
    if (warmup > 0) await drive(s, clients, warmup);
    const cpu0 = process.cpuUsage();
    const srv0 = processCpuSeconds(serverPid);
    const d = await drive(s, clients, seconds);
    const cpu = process.cpuUsage(cpu0);
    const srv1 = processCpuSeconds(serverPid);
    const serverCpu = srv0 !== undefined && srv1 !== undefined ? { serverCpuCores: (srv1 - srv0) / d.elapsed } : {};
    return {
      scenario: s,
      connections: n,
      samples: d.ms.length,
      seconds: d.elapsed,
      opsPerSec: d.ms.length / d.elapsed,
      ...latencyStats(d.ms),
      errors: d.errors,
      errorKinds: Object.fromEntries(d.errorKinds),
      handshakes: n,
      handshakeMeanMs: handshakeMs.reduce((x, y) => x + y, 0) / n,
      reconnects: d.reconnects,
      clientCpuCores: (cpu.user + cpu.system) / 1e6 / d.elapsed,
      ...serverCpu,
      storeAfter: created,
    };
  } finally {
    await closeAll(clients);
  }
}

// ---- main ----
const machine = machineInfo();
const probe = await KmipClient.connect(connectOpts);
const vendor = await serverVendor(probe);
await probe.close();
const server = { label: a.label ?? vendor ?? "unknown", vendor: vendor ?? null, host: a.host, port: connectOpts.port, kmipVersion: version, pid: serverPid ?? null };
console.log(`machine: ${machine.cpuModel} × ${machine.cores}, ${machine.memoryGiB} GiB, ${machine.os}, node ${machine.node}`);
console.log(`server: ${server.label}${vendor && vendor !== server.label ? ` (${vendor})` : ""} at ${a.host}:${server.port}, KMIP ${version}`);
console.log(`settings: connections ${connectionCounts.join(",")}, ${seconds} s per cell after ${warmup} s warm-up, scenarios ${scenarios.join(",")}`);

const cells: Cell[] = [];
for (const s of scenarios) {
  if (s === "get" && !pool) pool = (await build("pool")).filter((u): u is string => u !== undefined);
  if (s === "locate" && !preloaded) preloaded = await build("preload");
  if (s === "encrypt-decrypt" && !cryptoKey) {
    const k = await KmipClient.connect(connectOpts);
    cryptoKey = await k.create();
    await k.activate(cryptoKey);
    await k.close();
  }
  for (const n of connectionCounts) {
    const c = await cell(s, n);
    cells.push(c);
    const kinds = Object.entries(c.errorKinds).map(([k, v]) => `${v}× ${k}`).join("; ");
    console.log(`${s} × ${n}: ${fmtRate(c.opsPerSec)} ops/s, p50 ${fmtMs(c.p50Ms)} ms, p99 ${fmtMs(c.p99Ms)} ms, max ${fmtMs(c.maxMs)} ms, ${c.errors} errors${kinds ? ` (${kinds})` : ""}`);
  }
}

console.log(`\n${server.label}, KMIP ${version}, ${seconds} s per cell` + (preloaded ? `, locate over ${fmtInt(setup["preload"]?.objects ?? 0)} named objects` : ""));
const header = ["scenario", "conns", "ops/s", "p50 ms", "p99 ms", "max ms", "errors", "samples", "handshake ms", "client cpu", ...(serverPid ? ["server cpu"] : [])];
const rows = cells.map((c) => [
  c.scenario,
  String(c.connections),
  fmtRate(c.opsPerSec),
  fmtMs(c.p50Ms),
  fmtMs(c.p99Ms),
  fmtMs(c.maxMs),
  String(c.errors),
  fmtInt(c.samples),
  fmtMs(c.handshakeMeanMs),
  c.clientCpuCores.toFixed(2),
  ...(serverPid ? [c.serverCpuCores === undefined ? "-" : c.serverCpuCores.toFixed(2)] : []),
]);
console.log(table(header, rows));

if (a.json) {
  const settings = { connections: connectionCounts, seconds, warmup, scenarios, preload: preloadCount, pool: poolCount, batch: batchSize, preloadConnections };
  writeFileSync(a.json, JSON.stringify({ date: new Date().toISOString(), machine, server, settings, setup, results: cells }, null, 2) + "\n");
  console.log(`\nJSON written to ${a.json}`);
}
