/**
 * PKCS#11 provider rates on SoftHSM2: wrap, unwrap and in-HSM rewrap of 32-byte DEKs through the
 * provider (async calls, session pool), at several numbers of calls in flight.
 *
 *   npx tsx bench/pkcs11.ts [--seconds 3] [--inflight 1,2,4,8] [--sessions 4] [--dek 32]
 *
 * A first row calls pkcs11js synchronously on one session (no pool, no retry wrapper, no thread
 * hop): the floor the provider's overhead is measured against, on the same machine and run.
 * Makes its own token in a temp dir (private SOFTHSM2_CONF) and removes it afterwards.
 */
import { randomBytes } from "node:crypto";
import { cpus } from "node:os";
import { parseArgs } from "node:util";
import pkcs11js from "pkcs11js";
import { createPkcs11KeyProvider, kekObjectId, type Pkcs11Api } from "../src/keys/pkcs11/index.js";
import { createSoftHsmToken } from "../test/support/softhsm.js";

const { values: a } = parseArgs({
  options: {
    seconds: { type: "string", default: "3" },
    inflight: { type: "string", default: "1,2,4,8" },
    sessions: { type: "string", default: "4" },
    dek: { type: "string", default: "32" },
  },
});
const seconds = Number(a.seconds);
const inflight = a.inflight!.split(",").map(Number);
const dekBytes = Number(a.dek);

const hsm = createSoftHsmToken("kmipd-bench");
let api: Pkcs11Api | undefined;
const kp = createPkcs11KeyProvider({ library: hsm.library, token: hsm.token, pin: hsm.pin, maxSessions: Number(a.sessions), wrapModule: (raw) => (api = raw) });

/** Run `op` with `n` loops in flight for `seconds`; ops/s. */
async function rate(n: number, op: () => Promise<unknown>): Promise<number> {
  for (let i = 0; i < 200; i++) await op(); // warm-up
  const end = Date.now() + seconds * 1000;
  let done = 0;
  const t0 = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: n }, async () => {
      while (Date.now() < end) {
        await op();
        done++;
      }
    }),
  );
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  return done / s;
}

try {
  const v1 = await kp.currentKek();
  const v2 = (await kp.generateKek({ label: v1.id, bits: 256 })).ref;
  const dek = randomBytes(dekBytes);
  const blob = await kp.wrap(v1, dek);
  console.log(`SoftHSM2 via pkcs11js, ${cpus().length} CPUs (${cpus()[0]?.model.trim()}), node ${process.version}, DEK ${dekBytes} B, ${a.sessions} sessions, ${seconds} s per cell`);
  console.log(["", "wrap ops/s", "unwrap ops/s", "rewrap ops/s"].map((h) => h.padStart(13)).join(""));
  const row = (label: string, w: number, u: number, r: number) => console.log([label, w.toFixed(0), u.toFixed(0), r.toFixed(0)].map((c) => c.padStart(13)).join(""));
  {
    const p = api!;
    const P = pkcs11js;
    const slot = p.C_GetSlotList(true).find((x) => p.C_GetTokenInfo(x).label.trim() === hsm.token)!;
    const s = p.C_OpenSession(slot, P.CKF_SERIAL_SESSION | P.CKF_RW_SESSION);
    const find = (ref: typeof v1) => {
      p.C_FindObjectsInit(s, [{ type: P.CKA_LABEL, value: ref.id }, { type: P.CKA_ID, value: kekObjectId(ref) }]);
      const [h] = p.C_FindObjects(s, 1);
      p.C_FindObjectsFinal(s);
      return h!;
    };
    const k1 = find(v1);
    const k2 = find(v2);
    const base = [
      { type: P.CKA_CLASS, value: P.CKO_SECRET_KEY },
      { type: P.CKA_KEY_TYPE, value: P.CKK_GENERIC_SECRET },
      { type: P.CKA_TOKEN, value: false },
      { type: P.CKA_EXTRACTABLE, value: true },
    ];
    const mech = { mechanism: 0x210a };
    const w = await rate(1, async () => {
      const h = p.C_CreateObject(s, [...base, { type: P.CKA_SENSITIVE, value: false }, { type: P.CKA_VALUE, value: dek }]);
      p.C_WrapKey(s, mech, k1, h, Buffer.alloc(dekBytes + 16));
      p.C_DestroyObject(s, h);
    });
    const u = await rate(1, async () => {
      const h = p.C_UnwrapKey(s, mech, k1, Buffer.from(blob), [...base, { type: P.CKA_SENSITIVE, value: false }]);
      p.C_GetAttributeValue(s, h, [{ type: P.CKA_VALUE }]);
      p.C_DestroyObject(s, h);
    });
    const r = await rate(1, async () => {
      const h = p.C_UnwrapKey(s, mech, k1, Buffer.from(blob), [...base, { type: P.CKA_SENSITIVE, value: true }]);
      p.C_WrapKey(s, mech, k2, h, Buffer.alloc(dekBytes + 16));
      p.C_DestroyObject(s, h);
    });
    p.C_CloseSession(s);
    row("raw sync, 1", w, u, r);
  }
  for (const n of inflight) {
    const w = await rate(n, () => kp.wrap(v1, dek));
    const u = await rate(n, () => kp.unwrap(v1, blob));
    const r = await rate(n, () => kp.rewrap(v1, v2, blob));
    row(`provider, ${n}`, w, u, r);
  }
} finally {
  await kp.close();
  hsm.remove();
}
