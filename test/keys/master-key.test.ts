/** loadMasterKey: environment forms, file creation (0600), and the refusals. */
import { chmodSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { randomBytes, type KeyObject } from "node:crypto";
import { expect } from "chai";
import { loadMasterKey, MasterKeyError, MASTER_KEY_FILE } from "../../src/keys/master-key.js";
import type { KekRecord } from "../../src/store/types.js";
import { rejection, removeTempDirs, tempDir, tempStore } from "./support.js";

const noKeks = { latestKek: (): KekRecord | undefined => undefined };
const someKek: KekRecord = { id: "db-kek", version: 1, wrapped: new Uint8Array(40), createdAt: 0 };
const withKeks = { latestKek: (id: string): KekRecord | undefined => (id === "db-kek" ? someKek : undefined) };
const bytesOf = (k: KeyObject): Buffer => k.export();

const dataDir = (): string => tempDir("master");

async function expectRefusal(p: Promise<unknown>, pattern: RegExp, secret?: string): Promise<void> {
  const err = await rejection(p);
  expect(err).to.be.instanceOf(MasterKeyError);
  expect((err as Error).message).to.match(pattern);
  if (secret) expect((err as Error).message).to.not.include(secret);
}

describe("master key", function () {
  this.timeout(20_000);
  after(removeTempDirs);
  const raw = randomBytes(32);

  it("reads KMIPD_MASTER_KEY as 64 hex characters, base64 or base64url, and ignores the file then", async () => {
    const dir = dataDir();
    for (const text of [raw.toString("hex"), raw.toString("hex").toUpperCase(), raw.toString("base64"), raw.toString("base64url"), ` ${raw.toString("hex")}\n`]) {
      const mk = await loadMasterKey({ dataDir: dir, env: { KMIPD_MASTER_KEY: text }, store: withKeks });
      expect(mk.source).to.equal("env");
      expect(bytesOf(mk.key).equals(raw), text).to.equal(true);
    }
    expect(() => statSync(join(dir, MASTER_KEY_FILE))).to.throw();
  });

  it("refuses a malformed KMIPD_MASTER_KEY without echoing it", async () => {
    const bad = [raw.toString("hex").slice(2), randomBytes(31).toString("base64"), randomBytes(33).toString("hex"), "", "z".repeat(64)];
    for (const text of bad) {
      await expectRefusal(loadMasterKey({ dataDir: dataDir(), env: { KMIPD_MASTER_KEY: text }, store: noKeks }), /KMIPD_MASTER_KEY must be/, text || undefined);
    }
  });

  it("creates <dataDir>/master.key (32 random bytes, 0600) when absent and no KEK exists; then reads it back", async () => {
    const dir = dataDir();
    const first = await loadMasterKey({ dataDir: dir, env: {}, store: noKeks });
    expect(first).to.include({ source: "file", created: true, path: join(dir, MASTER_KEY_FILE) });
    const st = statSync(join(dir, MASTER_KEY_FILE));
    expect(st.mode & 0o777).to.equal(0o600);
    expect(st.size).to.equal(32);
    expect(readFileSync(join(dir, MASTER_KEY_FILE)).equals(bytesOf(first.key))).to.equal(true);
    const second = await loadMasterKey({ dataDir: dir, env: {}, store: withKeks });
    expect(second.created).to.equal(false);
    expect(bytesOf(second.key).equals(bytesOf(first.key))).to.equal(true);
  });

  it("creates the data directory if needed, and concurrent first loads agree on one key", async () => {
    const dir = join(dataDir(), "nested", "data");
    const keys = await Promise.all(Array.from({ length: 5 }, () => loadMasterKey({ dataDir: dir, env: {}, store: noKeks })));
    expect(keys.filter((k) => k.created)).to.have.length(1);
    for (const k of keys) expect(bytesOf(k.key).equals(bytesOf(keys[0]!.key))).to.equal(true);
    expect(statSync(dir).mode & 0o777).to.equal(0o700);
  });

  it("refuses to create a key when the file is missing but KEKs exist (a real LMDB store)", async () => {
    const { store } = await tempStore();
    try {
      await store.putKek(someKek);
      const dir = dataDir();
      await expectRefusal(loadMasterKey({ dataDir: dir, env: {}, store }), /missing, but the store holds KEKs/);
      expect(() => statSync(join(dir, MASTER_KEY_FILE))).to.throw();
      await expectRefusal(loadMasterKey({ dataDir: dir, env: {}, store: withKeks }), /missing/);
    } finally {
      await store.close();
    }
  });

  it("refuses a key file that group or others can access", async () => {
    for (const mode of [0o640, 0o604, 0o644, 0o620, 0o601]) {
      const dir = dataDir();
      const file = join(dir, MASTER_KEY_FILE);
      writeFileSync(file, raw);
      chmodSync(file, mode);
      await expectRefusal(loadMasterKey({ dataDir: dir, env: {}, store: noKeks }), /group and others must have no access/);
    }
    const dir = dataDir();
    writeFileSync(join(dir, MASTER_KEY_FILE), raw, { mode: 0o400 });
    chmodSync(join(dir, MASTER_KEY_FILE), 0o400);
    expect(bytesOf((await loadMasterKey({ dataDir: dir, env: {}, store: noKeks })).key).equals(raw)).to.equal(true);
  });

  it("accepts a hex key file, refuses one of the wrong size", async () => {
    const dir = dataDir();
    writeFileSync(join(dir, MASTER_KEY_FILE), raw.toString("hex") + "\n", { mode: 0o600 });
    expect(bytesOf((await loadMasterKey({ dataDir: dir, env: {}, store: noKeks })).key).equals(raw)).to.equal(true);
    for (const content of [randomBytes(31), randomBytes(33), Buffer.alloc(0)]) {
      writeFileSync(join(dir, MASTER_KEY_FILE), content, { mode: 0o600 });
      await expectRefusal(loadMasterKey({ dataDir: dir, env: {}, store: noKeks }), /must hold 32 bytes/);
    }
  });
});
