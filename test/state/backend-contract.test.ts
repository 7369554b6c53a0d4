import {
  StateConflictError,
  StateCorruptError,
  type OutputValues,
  type StateBackend,
  type StoredDocument,
} from "../../providers/state";
import { TEST_ACTOR, TEST_KEY_B, fixtureFor, type BackendFixture } from "./support/fixtures";

/** The generic recreate advice (the CLI swaps in the exact Init resource; test/e2e/corrupt-document.test.ts). */
function recreateAdviceText(name: string): string {
  return (
    "remove it, then run its construct's Init hook again, which recreates it: `terraform apply -replace=<address>` in the " +
    "stack's directory (cdktf.out/stacks/<stack>), or `TF_CLI_ARGS_apply=-replace=<address> npx cdktf deploy <stack>`, " +
    "where <address> is the construct's Init resource (`terraform state list` there lists it as <type>.<construct>_Init_<hash>; " +
    `the one whose triggers name "${name}"); a plain \`cdktf deploy\` does not run an Init hook that already ran`
  );
}

/** The one suite both backends must pass: the rest of the code never knows which it has. */
describe.each(["local", "pg"] as const)("state backend contract (%s)", (kind) => {
  let fixture: BackendFixture;
  let backend: StateBackend;

  beforeAll(async () => {
    fixture = await fixtureFor(kind, "contract");
    backend = await fixture.open();
  });
  afterAll(async () => {
    await fixture.cleanup();
  });

  let counter = 0;
  /** A fresh document name per test, so tests share one backend without sharing documents. */
  const freshName = (): string => `stack${(counter += 1)}/App`;

  describe("compare-and-swap", () => {
    it("creates a document with serial 1, a lineage and Terraform's output types", async () => {
      const name = freshName();
      const written = await backend.write(name, undefined, {
        tenant_id: "t-1",
        scopes: ["accounting.transactions", "offline_access"],
        labels: { env: "prod" },
        attempts: 2,
        ok: true,
      });
      expect(written.serial).toBe(1);
      const stored = JSON.parse((await fixture.getRaw(name)) ?? "null") as Record<string, unknown>;
      expect(stored).toEqual({
        version: 4,
        terraform_version: "1.11.4",
        serial: 1,
        lineage: expect.stringMatching(/^[0-9a-f-]{36}$/),
        outputs: {
          attempts: { value: 2, type: "number" },
          labels: { value: { env: "prod" }, type: ["map", "string"] },
          ok: { value: true, type: "bool" },
          scopes: { value: ["accounting.transactions", "offline_access"], type: ["list", "string"] },
          tenant_id: { value: "t-1", type: "string" },
        },
        resources: [],
      });
    });

    it("replaces the document when the writer read the stored serial, keeping the lineage", async () => {
      const name = freshName();
      const first = await backend.write(name, undefined, { tenant_id: "t-1" });
      const second = await backend.write(name, first.serial, { tenant_id: "t-2" });
      expect(second.serial).toBe(2);
      expect(second.document.lineage).toBe(first.document.lineage);
      expect((await backend.read(name))?.values).toEqual({ tenant_id: "t-2" });
    });

    it("rejects a writer whose serial is stale with STATE_CONFLICT and writes nothing", async () => {
      const name = freshName();
      const first = await backend.write(name, undefined, { tenant_id: "t-1" });
      await backend.write(name, first.serial, { tenant_id: "t-2" });
      const before = await fixture.getRaw(name);
      const attempt = backend.write(name, first.serial, { tenant_id: "stale" });
      await expect(attempt).rejects.toBeInstanceOf(StateConflictError);
      await expect(attempt).rejects.toMatchObject({
        code: "STATE_CONFLICT",
        message: `state document "${name}" changed while it was being updated (expected serial 1, found serial 2); nothing was written. Read it again and retry (StateBackend.update does this under the lock).`,
      });
      expect(await fixture.getRaw(name)).toBe(before);
    });

    it("rejects creating a document that already exists", async () => {
      const name = freshName();
      await backend.write(name, undefined, { tenant_id: "t-1" });
      await expect(backend.write(name, undefined, { tenant_id: "t-2" })).rejects.toMatchObject({
        code: "STATE_CONFLICT",
        context: { document: name, expectedSerial: null, actualSerial: 1 },
      });
    });

    it("rejects replacing a document that does not exist", async () => {
      const name = freshName();
      await expect(backend.write(name, 3, { tenant_id: "t-1" })).rejects.toMatchObject({
        code: "STATE_CONFLICT",
        context: { document: name, expectedSerial: 3, actualSerial: null },
      });
      expect(await backend.read(name)).toBeUndefined();
    });

    it("reads undefined for a document that was never written", async () => {
      expect(await backend.read(freshName())).toBeUndefined();
    });

    it("refuses a document name that is not segments joined by slashes", async () => {
      await expect(backend.read("../etc/passwd")).rejects.toMatchObject({ code: "CONFIG_INVALID" });
    });
  });

  describe("update", () => {
    it("creates the document, then applies each change to the current one", async () => {
      const name = freshName();
      const increment = (current: StoredDocument | undefined): OutputValues => ({ count: Number(current?.values.count ?? 0) + 1 });
      await backend.update(name, increment);
      const second = await backend.update(name, increment);
      expect(second?.serial).toBe(2);
      expect(second?.values).toEqual({ count: 2 });
    });

    it("leaves the document as it is when the change returns undefined", async () => {
      const name = freshName();
      await backend.write(name, undefined, { count: 1 });
      const result = await backend.update(name, () => undefined);
      expect(result?.serial).toBe(1);
      expect((await backend.history(name)).map((entry) => entry.action)).toEqual(["create"]);
    });

    it("reapplies the change when a writer slipped in between its read and its write", async () => {
      const name = freshName();
      await backend.write(name, undefined, { count: 1 });
      const seen: number[] = [];
      const result = await backend.update(name, async (current) => {
        seen.push(current?.serial ?? 0);
        if (seen.length === 1 && current !== undefined) await backend.write(name, current.serial, { count: 10 });
        return { count: Number(current?.values.count ?? 0) + 1 };
      });
      expect(seen).toEqual([1, 2]);
      expect(result?.values).toEqual({ count: 11 });
    });
  });

  describe("locks", () => {
    it("makes a second holder wait and then fail with STATE_LOCKED naming the holder", async () => {
      const name = freshName();
      await backend.write(name, undefined, { count: 1 });
      const other = await fixture.open({ actor: { ...TEST_ACTOR, user: "bob@build-2" } });
      await backend.withLock(name, async () => {
        const attempt = other.withLock(name, async () => "never", { timeoutMs: 300 });
        await expect(attempt).rejects.toMatchObject({ code: "STATE_LOCKED", context: { document: name, timeoutMs: 300 } });
        const message = ((await attempt.catch((error: unknown) => error)) as Error).message;
        const holder =
          kind === "local"
            ? `alice@build-1 \\(pid ${process.pid}\\) since \\S+`
            : `cdktf-xero alice@build-1 pid ${process.pid} \\(PostgreSQL backend pid \\d+, connected since \\S+\\)`;
        expect(message).toMatch(
          new RegExp(
            `^state document "${name.replace("/", "\\/")}" is locked by ${holder}; waited 300 ms\\. Wait for that process to finish and retry`,
          ),
        );
      });
      await expect(other.withLock(name, async () => "after release", { timeoutMs: 2000 })).resolves.toBe("after release");
    });

    it("locks a document that does not exist yet against a second creator", async () => {
      const name = freshName();
      const other = await fixture.open();
      await backend.withLock(name, async () => {
        await expect(other.withLock(name, async () => undefined, { timeoutMs: 200 })).rejects.toMatchObject({ code: "STATE_LOCKED" });
        await backend.write(name, undefined, { count: 1 });
        await expect(other.withLock(name, async () => undefined, { timeoutMs: 200 })).rejects.toMatchObject({ code: "STATE_LOCKED" });
      });
    });

    it("waits for a lock on the injected lock-polling clock and sleep, so a long timeout passes without real waiting", async () => {
      const name = freshName();
      await backend.write(name, undefined, { count: 1 });
      let now = 0;
      const sleeps: number[] = [];
      const other = await fixture.open({
        lockPolling: {
          monotonicNow: () => now,
          sleep: async (ms) => {
            sleeps.push(ms);
            now += ms;
          },
          random: () => 0.5,
        },
      });
      await backend.withLock(name, async () => {
        await expect(other.withLock(name, async () => "never", { timeoutMs: 30_000 })).rejects.toMatchObject({
          code: "STATE_LOCKED",
          context: { document: name, timeoutMs: 30_000 },
        });
      });
      expect(sleeps.reduce((sum, ms) => sum + ms, 0)).toBeGreaterThanOrEqual(30_000);
    });

    it("lets code holding a lock call update and write without waiting for itself", async () => {
      const name = freshName();
      const result = await backend.withLock(name, () => backend.update(name, () => ({ count: 1 })), { timeoutMs: 500 });
      expect(result?.serial).toBe(1);
    });

    it("releases the lock when the locked function throws", async () => {
      const name = freshName();
      await expect(backend.withLock(name, async () => Promise.reject(new Error("boom")))).rejects.toThrow("boom");
      await expect(backend.withLock(name, async () => "free", { timeoutMs: 500 })).resolves.toBe("free");
    });
  });

  describe("listing, history, retire and delete", () => {
    it("lists every document by name, sorted", async () => {
      const own = await fixture.open();
      await own.write("zeta/App", undefined, { a: "1" });
      await own.write("alpha/Nested/Deep", undefined, { a: "1" });
      const names = await own.list();
      expect(names).toEqual([...names].sort());
      expect(names).toEqual(expect.arrayContaining(["alpha/Nested/Deep", "zeta/App"]));
    });

    it("lists in batches exactly the documents it lists at once", async () => {
      const own = await fixture.open();
      await own.write("batches/App", undefined, { a: "1" });
      await own.write("batches/App/rotation", undefined, { a: "1" });
      await own.write("batches/Other/Link", undefined, { a: "1" });
      const batched: string[] = [];
      for await (const batch of own.listInBatches()) batched.push(...batch);
      expect(batched.sort()).toEqual(await own.list());
    });

    it("records every change with serials, actor and time, and secret fingerprints instead of values", async () => {
      const name = freshName();
      const secrets = await backend.sealSecrets(name, { client_secret: "s3cr3t-value-1" });
      const first = await backend.write(name, undefined, { tenant_id: "t-1", secrets });
      await backend.write(name, first.serial, { tenant_id: "t-2" }, { action: "rotate" });
      await backend.retire(name);
      await backend.delete(name);
      const history = await backend.history(name);
      expect(history.map(({ action, serialBefore, serialAfter }) => ({ action, serialBefore, serialAfter }))).toEqual([
        { action: "create", serialBefore: null, serialAfter: 1 },
        { action: "rotate", serialBefore: 1, serialAfter: 2 },
        { action: "retire", serialBefore: 2, serialAfter: 3 },
        { action: "delete", serialBefore: 3, serialAfter: null },
      ]);
      expect(history[0]).toEqual({
        document: name,
        action: "create",
        serialBefore: null,
        serialAfter: 1,
        actor: "alice@build-1",
        pid: process.pid,
        at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        secretFingerprints: { client_secret: expect.stringMatching(/^hmac-sha256:a:[0-9a-f]{32}$/) },
      });
      expect(JSON.stringify(history)).not.toContain("s3cr3t-value-1");
    });

    it("retires a document by keeping its outputs and adding retired = true", async () => {
      const name = freshName();
      await backend.write(name, undefined, { tenant_id: "t-1", secrets: await backend.sealSecrets(name, { a: "b" }) });
      const retired = await backend.retire(name, { drop: ["secrets"] });
      expect(retired?.values).toEqual({ tenant_id: "t-1", retired: true });
      expect((await backend.read(name))?.serial).toBe(2);
    });

    it("retires a missing document as a no-op", async () => {
      expect(await backend.retire(freshName())).toBeUndefined();
    });

    it("deletes a document and says whether there was one", async () => {
      const name = freshName();
      await backend.write(name, undefined, { a: "1" });
      expect(await backend.delete(name)).toBe(true);
      expect(await backend.read(name)).toBeUndefined();
      expect(await backend.delete(name)).toBe(false);
    });
  });

  describe("secrets", () => {
    /** A fresh document whose secrets are sealed with the fixture's key "a". */
    const documentWithSecrets = async (): Promise<string> => {
      const name = freshName();
      await backend.write(name, undefined, { tenant_id: "t-1", secrets: await backend.sealSecrets(name, { a: "original" }) });
      return name;
    };
    /** What a caller of `bad` does to store new secrets: read, seal with its own keyring, compare-and-swap. */
    const replaceSecrets = async (bad: StateBackend, name: string): Promise<StoredDocument> => {
      const stored = (await bad.read(name)) as StoredDocument;
      return bad.write(name, stored.serial, { ...stored.values, secrets: await bad.sealSecrets(name, { a: "replaced" }) });
    };

    it("stores secrets only as a sensitive AES-256-GCM envelope and opens them again", async () => {
      const name = freshName();
      const written = await backend.write(name, undefined, {
        secrets: await backend.sealSecrets(name, { refresh_token: "rt-very-secret", client_secret: "cs-very-secret" }),
      });
      const raw = (await fixture.getRaw(name)) ?? "";
      expect(raw).not.toContain("very-secret");
      const output = (JSON.parse(raw) as { outputs: Record<string, { value: string; type: string; sensitive: boolean }> }).outputs.secrets;
      expect(output?.type).toBe("string");
      expect(output?.sensitive).toBe(true);
      expect(Object.keys(JSON.parse(output?.value ?? "{}") as object)).toEqual(["v", "kid", "iv", "ct", "tag"]);
      expect(await backend.openSecrets(written)).toEqual({ client_secret: "cs-very-secret", refresh_token: "rt-very-secret" });
    });

    it("returns no secrets for a document without a secrets output", async () => {
      const name = freshName();
      expect(await backend.openSecrets(await backend.write(name, undefined, { a: "1" }))).toEqual({});
    });

    it("does not open an envelope copied into another document", async () => {
      const source = freshName();
      const target = freshName();
      const sealed = await backend.sealSecrets(source, { a: "b" });
      const stored = await backend.write(target, undefined, { secrets: sealed });
      await expect(backend.openSecrets(stored)).rejects.toMatchObject({ code: "STATE_KEY_MISMATCH" });
    });

    it("fails with STATE_UNKNOWN_KID naming the kid when the keyring lacks the envelope's key", async () => {
      const name = freshName();
      await backend.write(name, undefined, { secrets: await backend.sealSecrets(name, { a: "b" }) });
      const other = await fixture.open({ env: { ...fixture.env, CDKTF_XERO_STATE_KEY: `b:${TEST_KEY_B}` } });
      const stored = await other.read(name);
      await expect(other.openSecrets(stored as StoredDocument)).rejects.toMatchObject({
        code: "STATE_UNKNOWN_KID",
        message: `cannot read the secrets of state document "${name}": they are encrypted with key id "a", which is not in the configured keyring ("b"). Add that key to CDKTF_XERO_STATE_KEY as "a:<base64 key>" (after the key that writes), then run \`cdktf-xero state rekey\`.`,
      });
    });

    it("refuses with STATE_UNKNOWN_KID to replace secrets sealed with a key the keyring lacks, leaving the stored bytes as they were", async () => {
      const name = await documentWithSecrets();
      const before = await fixture.getRaw(name);
      const other = await fixture.open({ env: { ...fixture.env, CDKTF_XERO_STATE_KEY: `b:${TEST_KEY_B}` } });
      await expect(replaceSecrets(other, name)).rejects.toMatchObject({ code: "STATE_UNKNOWN_KID" });
      expect(await fixture.getRaw(name)).toBe(before);
    });

    it("fails with STATE_KEY_MISMATCH when the key under the envelope's kid is a different key", async () => {
      const name = freshName();
      await backend.write(name, undefined, { secrets: await backend.sealSecrets(name, { a: "b" }) });
      const other = await fixture.open({ env: { ...fixture.env, CDKTF_XERO_STATE_KEY: `a:${TEST_KEY_B}` } });
      await expect(other.openSecrets((await other.read(name)) as StoredDocument)).rejects.toMatchObject({
        code: "STATE_KEY_MISMATCH",
        message: `cannot read the secrets of state document "${name}": key id "a" in the keyring is not the key they were encrypted with (or the envelope was altered). Configure the original key for "a" in CDKTF_XERO_STATE_KEY or CDKTF_XERO_STATE_KEY_FILE; nothing was changed.`,
      });
    });

    it("refuses with STATE_KEY_MISMATCH to replace secrets when the key under their kid is a different key, leaving the stored bytes as they were", async () => {
      const name = await documentWithSecrets();
      const before = await fixture.getRaw(name);
      const other = await fixture.open({ env: { ...fixture.env, CDKTF_XERO_STATE_KEY: `a:${TEST_KEY_B}` } });
      await expect(replaceSecrets(other, name)).rejects.toMatchObject({ code: "STATE_KEY_MISMATCH" });
      expect(await fixture.getRaw(name)).toBe(before);
    });

    it("refuses to write a secret without a key and says how to set one", async () => {
      const name = freshName();
      const keyless = await fixture.open({ env: { ...fixture.env, CDKTF_XERO_STATE_KEY: "" }, createDefaultKey: false });
      await expect(keyless.sealSecrets(name, { a: "b" })).rejects.toMatchObject({
        code: "STATE_KEY_MISSING",
        message: `cannot write the secrets of state document "${name}": no state key is configured. Set CDKTF_XERO_STATE_KEY to a base64-encoded 32-byte key (for example \`openssl rand -base64 32\`), or a keyring \`kid:key,kid:key\` whose first key writes, or set CDKTF_XERO_STATE_KEY_FILE to a file holding either.`,
      });
    });

    it("refuses with STATE_KEY_MISSING to replace secrets without a key, leaving the stored bytes as they were", async () => {
      const name = await documentWithSecrets();
      const before = await fixture.getRaw(name);
      const keyless = await fixture.open({ env: { ...fixture.env, CDKTF_XERO_STATE_KEY: "" }, createDefaultKey: false });
      await expect(replaceSecrets(keyless, name)).rejects.toMatchObject({ code: "STATE_KEY_MISSING" });
      expect(await fixture.getRaw(name)).toBe(before);
    });

    it("writes with the first key of a keyring and still reads envelopes of the others", async () => {
      const name = freshName();
      await backend.write(name, undefined, { secrets: await backend.sealSecrets(name, { a: "old" }) });
      const rotated = await fixture.open({ env: { ...fixture.env, CDKTF_XERO_STATE_KEY: `b:${TEST_KEY_B},${fixture.env.CDKTF_XERO_STATE_KEY}` } });
      const stored = (await rotated.read(name)) as StoredDocument;
      expect(await rotated.openSecrets(stored)).toEqual({ a: "old" });
      const resealed = await rotated.write(name, stored.serial, { secrets: await rotated.sealSecrets(name, { a: "new" }) });
      expect(JSON.parse(String(resealed.values.secrets))).toMatchObject({ v: 1, kid: "b" });
    });
  });

  describe("bad stored documents", () => {
    it("reports corrupt JSON with STATE_CORRUPT naming the document and the fix, and overwrites nothing", async () => {
      const name = freshName();
      await fixture.putRaw(name, '{"version": 4, "serial": ');
      const attempt = backend.read(name);
      await expect(attempt).rejects.toBeInstanceOf(StateCorruptError);
      const error = (await attempt.catch((e: unknown) => e)) as StateCorruptError;
      expect(error.code).toBe("STATE_CORRUPT");
      expect(error.message).toMatch(new RegExp(`^state document "${name.replace("/", "\\/")}" at .+ is not valid JSON \\(.+\\); it was left untouched\\. `));
      expect(error.message.replace(/^.*it was left untouched\. /, "")).toBe(
        `Restore it from a backup, or ${recreateAdviceText(name)} (\`cdktf-xero state history ${name}\` shows what last changed it).`,
      );
      await expect(backend.update(name, () => ({ a: "1" }))).rejects.toMatchObject({ code: "STATE_CORRUPT" });
      await expect(backend.write(name, undefined, { a: "1" })).rejects.toMatchObject({ code: "STATE_CORRUPT" });
      expect(await fixture.getRaw(name)).toBe('{"version": 4, "serial": ');
    });

    it("reports a document of another state version with STATE_UNSUPPORTED_VERSION and overwrites nothing", async () => {
      const name = freshName();
      const v3 = JSON.stringify({ version: 3, serial: 1, lineage: "x", modules: [] });
      await fixture.putRaw(name, v3);
      await expect(backend.read(name)).rejects.toMatchObject({
        code: "STATE_UNSUPPORTED_VERSION",
        message: expect.stringContaining(
          "has state format version 3, but only version 4 is supported; it was left untouched. Point the backend at documents " +
            `written by cdktf-xero (Terraform state version 4), or ${recreateAdviceText(name)}.`,
        ),
      });
      await expect(backend.update(name, () => ({ a: "1" }))).rejects.toMatchObject({ code: "STATE_UNSUPPORTED_VERSION" });
      expect(await fixture.getRaw(name)).toBe(v3);
    });

    it("refuses a stack's own Terraform state (one with resources) as a credential document", async () => {
      const name = freshName();
      await fixture.putRaw(
        name,
        JSON.stringify({ version: 4, terraform_version: "1.11.4", serial: 3, lineage: "x", outputs: {}, resources: [{ mode: "managed" }] }),
      );
      await expect(backend.read(name)).rejects.toMatchObject({
        code: "STATE_CORRUPT",
        context: { reason: "holds Terraform resources: it is a stack's own state, not a cdktf-xero credential document" },
      });
    });

    it("reads the empty state Terraform itself writes for a new workspace", async () => {
      const name = freshName();
      await fixture.putRaw(
        name,
        JSON.stringify({ version: 4, terraform_version: "1.11.4", serial: 0, lineage: "l-1", outputs: {}, resources: [], check_results: null }),
      );
      const stored = await backend.read(name);
      expect(stored?.serial).toBe(0);
      const next = await backend.write(name, 0, { a: "1" });
      expect(next.document.lineage).toBe("l-1");
      expect(next.serial).toBe(1);
    });
  });
});
