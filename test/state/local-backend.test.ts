import { spawnSync } from "node:child_process";
import { promises as fs } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ManualClock } from "../../providers/clock";
import { DEFAULT_STATE_KEY_FILE, openStateBackend, parseKeyring } from "../../providers/state";
import { compileWorkers, spawnWorker, waitForExit, waitForLine } from "./support/compile";
import { payloadFor } from "./workers/crash-writer";
import { RecordingLogger, TEST_ACTOR, TEST_KEYRING, localFixture, type BackendFixture } from "./support/fixtures";

let workers: string;
let fixture: BackendFixture;
beforeAll(async () => {
  workers = await compileWorkers();
});
beforeEach(async () => {
  fixture = await localFixture();
});
afterEach(async () => {
  await fixture.cleanup();
});

const stateDir = (): string => (fixture.address.type === "local" ? fixture.address.dir : "");
const mode = async (file: string): Promise<number> => (await fs.stat(file)).mode & 0o777;

/** A pid that certainly belonged to a process that has exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"]);
  return Number(child.stdout.toString());
}

async function plantLock(
  name: string,
  holder: { owner: string; host: string; pid: number; createdAt: string; bootId?: string; pidNamespace?: string },
): Promise<string> {
  const file = path.join(stateDir(), `${name}.lock`);
  await fs.mkdir(path.dirname(file), { recursive: true });
  await fs.writeFile(file, JSON.stringify({ ...holder, token: "planted", document: name }));
  return file;
}

describe("local backend files", () => {
  it("keeps documents and history at mode 0600 in directories at mode 0700", async () => {
    const backend = await fixture.open();
    await backend.write("billing/Nested/App", undefined, { a: "1" });
    expect(await mode(stateDir())).toBe(0o700);
    expect(await mode(path.join(stateDir(), "billing/Nested"))).toBe(0o700);
    expect(await mode(path.join(stateDir(), "billing/Nested/App.tfstate"))).toBe(0o600);
    expect(await mode(path.join(stateDir(), "billing/Nested/App.history.jsonl"))).toBe(0o600);
    expect((await fs.readdir(path.join(stateDir(), "billing/Nested"))).sort()).toEqual(["App.history.jsonl", "App.tfstate"]);
  });

  it("writes the document where terraform_remote_state's local backend reads it: <dir>/<name>.tfstate", async () => {
    const backend = await fixture.open();
    await backend.write("billing/App", undefined, { tenant_id: "t-1" });
    const text = await fs.readFile(path.join(stateDir(), "billing/App.tfstate"), "utf8");
    expect(JSON.parse(text)).toMatchObject({ version: 4, outputs: { tenant_id: { value: "t-1", type: "string" } } });
  });

  it("skips a torn history line left by a crash and keeps appending on a fresh line", async () => {
    const backend = await fixture.open();
    const logger = new RecordingLogger();
    const first = await backend.write("billing/App", undefined, { a: "1" });
    await fs.appendFile(path.join(stateDir(), "billing/App.history.jsonl"), '{"document":"billing/App","act');
    await backend.write("billing/App", first.serial, { a: "2" });
    const reader = await fixture.open({ logger });
    expect((await reader.history("billing/App")).map((entry) => entry.serialAfter)).toEqual([1, 2]);
    expect(logger.warnings).toEqual([
      `skipped 1 unreadable line(s) in ${path.join(stateDir(), "billing/App.history.jsonl")} (a write interrupted by a crash leaves one).`,
    ]);
  });
});

describe("local backend history after a writer was stopped between the document and its history line", () => {
  /** Drops the history file's last line: what a kill after the document's rename leaves. */
  async function loseLastHistoryLine(name: string): Promise<void> {
    const file = path.join(stateDir(), `${name}.history.jsonl`);
    const lines = (await fs.readFile(file, "utf8")).trimEnd().split("\n");
    await fs.writeFile(file, `${lines.slice(0, -1).join("\n")}\n`);
  }

  it("records the lost change as unrecorded when the lock is next taken, so the history covers every serial", async () => {
    const logger = new RecordingLogger();
    const backend = await fixture.open({ logger });
    const first = await backend.write("billing/App", undefined, { a: "1" });
    await backend.write("billing/App", first.serial, { a: "2" });
    await loseLastHistoryLine("billing/App");
    await backend.withLock("billing/App", async () => undefined);
    const history = await backend.history("billing/App");
    expect(history.map((entry) => [entry.action, entry.serialBefore, entry.serialAfter])).toEqual([
      ["create", null, 1],
      ["unrecorded", 1, 2],
    ]);
    expect(logger.warnings).toContain(
      `billing/App: the change from serial 1 to 2 had no history line (its writer was stopped between the document and the history); recorded it as "unrecorded".`,
    );
  });

  it("adds nothing when the history already ends at the document's serial", async () => {
    const backend = await fixture.open();
    await backend.write("billing/App", undefined, { a: "1" });
    await backend.withLock("billing/App", async () => undefined);
    expect((await backend.history("billing/App")).map((entry) => entry.action)).toEqual(["create"]);
  });
});

describe("embedded default key", () => {
  it("creates .cdktf-xero/state.key with mode 0600 on the first secret and says so once", async () => {
    const logger = new RecordingLogger();
    const backend = await openStateBackend(fixture.address, { env: {}, cwd: fixture.cwd, logger, actor: TEST_ACTOR });
    const first = await backend.write("billing/App", undefined, { secrets: await backend.sealSecrets("billing/App", { a: "1" }) });
    await backend.sealSecrets("billing/App", { a: "2" });
    const keyFile = path.join(fixture.cwd, DEFAULT_STATE_KEY_FILE);
    expect(await mode(keyFile)).toBe(0o600);
    expect(await mode(path.dirname(keyFile))).toBe(0o700);
    expect(parseKeyring(await fs.readFile(keyFile, "utf8"), keyFile).keys).toHaveLength(1);
    expect(logger.warnings).toEqual([
      `created a state key at ${keyFile} (mode 0600) to encrypt secrets in the local state backend. Keep it out of version control and back it up; without it the stored secrets cannot be read. Set CDKTF_XERO_STATE_KEY or CDKTF_XERO_STATE_KEY_FILE to use your own key.`,
    ]);
    const later = await openStateBackend(fixture.address, { env: {}, cwd: fixture.cwd, logger, actor: TEST_ACTOR });
    expect(await later.openSecrets(first)).toEqual({ a: "1" });
    expect(logger.warnings).toHaveLength(1);
  });

  it("keeps the default key in the project root when a hook resolves the backend from its stack directory", async () => {
    const stackDir = path.join(fixture.cwd, "cdktf.out/stacks/billing");
    await fs.mkdir(stackDir, { recursive: true });
    const backend = await openStateBackend(
      { type: "local", dir: "../../../.cdktf-xero/state" },
      { env: {}, cwd: stackDir, projectRoot: fixture.cwd, logger: new RecordingLogger() },
    );
    await backend.write("billing/App", undefined, { secrets: await backend.sealSecrets("billing/App", { a: "1" }) });
    expect(await mode(path.join(fixture.cwd, ".cdktf-xero/state.key"))).toBe(0o600);
    expect(await mode(path.join(fixture.cwd, ".cdktf-xero/state/billing/App.tfstate"))).toBe(0o600);
  });

  it("ends up with one default key when several backends create it at once", async () => {
    const logger = new RecordingLogger();
    const backends = await Promise.all(
      Array.from({ length: 4 }, () => openStateBackend(fixture.address, { env: {}, cwd: fixture.cwd, logger, actor: TEST_ACTOR })),
    );
    const sealed = await Promise.all(backends.map((backend, i) => backend.sealSecrets(`race/Key${i}`, { i: String(i) })));
    const written = await Promise.all(sealed.map((secrets, i) => backends[0]?.write(`race/Key${i}`, undefined, { secrets })));
    const reader = await openStateBackend(fixture.address, { env: {}, cwd: fixture.cwd, logger });
    expect(await Promise.all(written.map((stored) => (stored === undefined ? undefined : reader.openSecrets(stored))))).toEqual([
      { i: "0" },
      { i: "1" },
      { i: "2" },
      { i: "3" },
    ]);
    expect(logger.warnings).toHaveLength(1);
  });

  it("reads a key from CDKTF_XERO_STATE_KEY_FILE relative to the project root", async () => {
    await fs.writeFile(path.join(fixture.cwd, "my.key"), `${TEST_KEYRING}\n`, { mode: 0o600 });
    const fromFile = await openStateBackend(fixture.address, { env: { CDKTF_XERO_STATE_KEY_FILE: "my.key" }, cwd: fixture.cwd });
    const fromEnv = await fixture.open();
    const written = await fromFile.write("billing/App", undefined, { secrets: await fromFile.sealSecrets("billing/App", { a: "1" }) });
    expect(await fromEnv.openSecrets(written)).toEqual({ a: "1" });
  });
});

describe("local locks", () => {
  it("takes over a lock whose process is gone and says whose it was", async () => {
    const pid = deadPid();
    await plantLock("billing/App", { owner: "carol@ci-7", host: os.hostname(), pid, createdAt: new Date().toISOString() });
    const logger = new RecordingLogger();
    const backend = await fixture.open({ logger });
    await expect(backend.withLock("billing/App", async () => "mine", { timeoutMs: 1000 })).resolves.toBe("mine");
    expect(logger.warnings).toEqual([
      expect.stringMatching(
        new RegExp(
          `^took over the lock of state document "billing/App" held by carol@ci-7 \\(pid ${pid}\\) since \\S+: process ${pid} on ${os.hostname()} is gone\\.$`,
        ),
      ),
    ]);
  });

  it("respects a lock held by a live process and names it, then recovers the lock once that process is killed", async () => {
    const holder = spawnWorker(workers, "hold-lock", [JSON.stringify(fixture.address), "billing/App"], fixture.env);
    const exited = waitForExit(holder);
    await waitForLine(holder, /^locked/);
    const logger = new RecordingLogger();
    const backend = await fixture.open({ logger });
    await expect(backend.withLock("billing/App", async () => "never", { timeoutMs: 300 })).rejects.toMatchObject({
      code: "STATE_LOCKED",
      message: expect.stringMatching(new RegExp(`^state document "billing/App" is locked by \\S+ \\(pid ${holder.pid ?? -1}\\) since `)),
    });
    holder.kill("SIGKILL");
    await exited;
    await expect(backend.withLock("billing/App", async () => "recovered", { timeoutMs: 2000 })).resolves.toBe("recovered");
    expect(logger.warnings).toEqual([expect.stringContaining(`process ${holder.pid ?? -1} on ${os.hostname()} is gone`)]);
  });

  const HERE = { bootId: "boot-a", pidNamespace: "pid:[4026531836]" };

  it("records this process's boot id and PID namespace in its lock file", async () => {
    const backend = await fixture.open({ processIdentity: () => HERE });
    const recorded = await backend.withLock("billing/App", async () => JSON.parse(await fs.readFile(path.join(stateDir(), "billing/App.lock"), "utf8")) as unknown);
    expect(recorded).toMatchObject({ host: os.hostname(), pid: process.pid, bootId: "boot-a", pidNamespace: "pid:[4026531836]" });
  });

  it("takes over a lock whose process is gone when it was taken in this same boot and PID namespace", async () => {
    const pid = deadPid();
    await plantLock("billing/App", { owner: "carol@ci-7", host: os.hostname(), pid, createdAt: new Date().toISOString(), ...HERE });
    const logger = new RecordingLogger();
    const backend = await fixture.open({ logger, processIdentity: () => HERE });
    await expect(backend.withLock("billing/App", async () => "mine", { timeoutMs: 1000 })).resolves.toBe("mine");
    expect(logger.warnings).toEqual([expect.stringContaining(`: process ${pid} on ${os.hostname()} is gone.`)]);
  });

  it("respects a lock from another PID namespace on the same host name, though its pid is not alive here", async () => {
    const pid = deadPid();
    await plantLock("billing/App", { owner: "erin@ci-7", host: os.hostname(), pid, createdAt: new Date().toISOString(), bootId: "boot-a", pidNamespace: "pid:[4026532999]" });
    const logger = new RecordingLogger();
    const backend = await fixture.open({ logger, processIdentity: () => HERE });
    await expect(backend.withLock("billing/App", async () => "never", { timeoutMs: 0 })).rejects.toMatchObject({
      code: "STATE_LOCKED",
      message: expect.stringMatching(new RegExp(`^state document "billing/App" is locked by erin@ci-7 \\(pid ${pid}\\) since `)),
    });
    expect(logger.warnings).toEqual([]);
  });

  it("respects a lock from another boot on the same host name, though its pid is not alive now", async () => {
    const pid = deadPid();
    await plantLock("billing/App", { owner: "erin@ci-7", host: os.hostname(), pid, createdAt: new Date().toISOString(), bootId: "boot-b", pidNamespace: HERE.pidNamespace });
    const backend = await fixture.open({ processIdentity: () => HERE });
    await expect(backend.withLock("billing/App", async () => "never", { timeoutMs: 0 })).rejects.toMatchObject({ code: "STATE_LOCKED" });
  });

  it("takes over a lock from another PID namespace once it is older than the bound", async () => {
    const clock = new ManualClock(new Date("2026-03-01T12:00:00Z"));
    await plantLock("billing/App", { owner: "erin@ci-7", host: os.hostname(), pid: deadPid(), createdAt: "2026-03-01T11:49:00Z", bootId: "boot-a", pidNamespace: "pid:[4026532999]" });
    const logger = new RecordingLogger();
    const backend = await fixture.open({ logger, clock, staleLockAfterMs: 10 * 60_000, processIdentity: () => HERE });
    await expect(backend.withLock("billing/App", async () => "mine", { timeoutMs: 1000 })).resolves.toBe("mine");
    expect(logger.warnings).toEqual([expect.stringMatching(/: it is 660 s old \(the bound is 600 s\)\.$/)]);
  });

  it("takes over a lock older than the bound even when it is from another host", async () => {
    const clock = new ManualClock(new Date("2026-03-01T12:00:00Z"));
    await plantLock("billing/App", { owner: "dave@other", host: "other-host", pid: 1, createdAt: "2026-03-01T11:49:00Z" });
    const logger = new RecordingLogger();
    const backend = await fixture.open({ logger, clock, staleLockAfterMs: 10 * 60_000 });
    await expect(backend.withLock("billing/App", async () => "mine", { timeoutMs: 1000 })).resolves.toBe("mine");
    expect(logger.warnings).toEqual([
      'took over the lock of state document "billing/App" held by dave@other (pid 1) since 2026-03-01T11:49:00Z: it is 660 s old (the bound is 600 s).',
    ]);
  });

  it("takes over a lock file it cannot read once the file is old", async () => {
    const file = path.join(stateDir(), "billing/App.lock");
    await fs.mkdir(path.dirname(file), { recursive: true });
    await fs.writeFile(file, "garbage");
    const old = new Date(Date.now() - 60_000);
    await fs.utimes(file, old, old);
    const logger = new RecordingLogger();
    const backend = await fixture.open({ logger });
    await expect(backend.withLock("billing/App", async () => "mine", { timeoutMs: 1000 })).resolves.toBe("mine");
    expect(logger.warnings).toEqual([
      'took over the lock of state document "billing/App" held by an unknown process (its lock file is unreadable): its lock file is unreadable and old.',
    ]);
  });

  it("respects a lock from another host that is younger than the bound", async () => {
    const clock = new ManualClock(new Date("2026-03-01T12:00:00Z"));
    await plantLock("billing/App", { owner: "dave@other", host: "other-host", pid: 1, createdAt: "2026-03-01T11:55:00Z" });
    const backend = await fixture.open({ clock });
    await expect(backend.withLock("billing/App", async () => "never", { timeoutMs: 200 })).rejects.toMatchObject({
      code: "STATE_LOCKED",
      message:
        'state document "billing/App" is locked by dave@other (pid 1) since 2026-03-01T11:55:00Z; waited 200 ms. Wait for that process to finish and retry, or stop it if it hangs (a lock whose process is gone is taken over automatically).',
    });
  });
});

describe("crash safety", () => {
  it("leaves the previous or the next document, never a torn one, when a writer is killed at random points", async () => {
    const backend = await fixture.open();
    // Seeded first, so every kill has a document to keep: the question is only whether it tears.
    await backend.write("crash/App", undefined, { count: 1, payload: payloadFor(1) });
    let lastSerial = 1;
    for (let round = 0; round < 6; round += 1) {
      const writer = spawnWorker(workers, "crash-writer", [JSON.stringify(fixture.address), "crash/App"], fixture.env);
      const exited = waitForExit(writer);
      // Once it has written once, the kill lands at a random point of the writes that follow.
      await waitForLine(writer, /^wrote/);
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 250));
      writer.kill("SIGKILL");
      expect((await exited).signal).toBe("SIGKILL");
      const stored = await backend.read("crash/App");
      expect(stored).toBeDefined();
      expect(stored?.values.count).toBe(stored?.serial);
      expect(stored?.values.payload).toBe(payloadFor(stored?.serial ?? -1));
      expect(stored?.serial).toBeGreaterThanOrEqual(lastSerial);
      lastSerial = stored?.serial ?? 0;
    }
    // Each killed writer left its lock behind; the next one took it over, so writing went on.
    expect(lastSerial).toBeGreaterThanOrEqual(7);
    expect(await backend.list()).toEqual(["crash/App"]);
  });
});

describe("directories without permission", () => {
  it("fails with STATE_PERMISSION naming the document and the fix when the directory is under a regular file", async () => {
    const blocker = path.join(fixture.cwd, "not-a-dir");
    await fs.writeFile(blocker, "x");
    const backend = await openStateBackend({ type: "local", dir: path.join(blocker, "state") }, { env: fixture.env, cwd: fixture.cwd });
    const attempt = backend.write("billing/App", undefined, { a: "1" });
    const lockFile = path.join(blocker, "state/billing/App.lock");
    await expect(attempt).rejects.toMatchObject({
      code: "STATE_PERMISSION",
      message: `cannot access state document "billing/App": ${lockFile} refused access (ENOTDIR); nothing was changed. Point --backend at a directory this user can write (local:<dir>), or fix the owner and mode of ${path.dirname(lockFile)} and its parents (the backend keeps directories at 0700 and files at 0600).`,
    });
    expect(await fs.readFile(blocker, "utf8")).toBe("x");
  });

  it("fails with STATE_PERMISSION for a user who may not enter the directory, and overwrites nothing", async () => {
    const backend = await fixture.open();
    await backend.write("billing/App", undefined, { tenant_id: "t-1" });
    const before = await fixture.getRaw("billing/App");
    // As root, permission bits do not bind: run the attempt as `nobody` instead. As anyone else, the
    // 0700 directory owned by root is out of reach just the same.
    const asNobody = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
    if (process.getuid?.() !== 0) await fs.chmod(stateDir(), 0o000);
    await fs.chmod(workers, 0o755);
    const child = spawnWorker(workers, "try-write", [JSON.stringify(fixture.address), "billing/App"], fixture.env, asNobody);
    const result = await waitForExit(child);
    if (process.getuid?.() !== 0) await fs.chmod(stateDir(), 0o700);
    expect(result.stderr).toBe("");
    const file = path.join(stateDir(), "billing/App.tfstate");
    expect(JSON.parse(result.stdout)).toEqual({
      read: {
        code: "STATE_PERMISSION",
        message: `cannot access state document "billing/App": ${file} refused access (EACCES); nothing was changed. Point --backend at a directory this user can write (local:<dir>), or fix the owner and mode of ${path.dirname(file)} and its parents (the backend keeps directories at 0700 and files at 0600).`,
      },
      write: { code: "STATE_PERMISSION", message: expect.stringContaining('cannot access state document "billing/App"') },
    });
    expect(await fixture.getRaw("billing/App")).toBe(before);
  });
});

describe("listing in batches", () => {
  it("reads a directory only when the caller asks for its batch, so a caller starts on the first documents before the rest are listed", async () => {
    const own = await fixture.open();
    await own.write("team/App", undefined, { a: "1" });
    await own.write("other/Link", undefined, { a: "1" });
    const batches = own.listInBatches()[Symbol.asyncIterator]();
    const found = [...((await batches.next()).value ?? [])];
    // Written after the first batch, in a directory not read yet: a walk that read every directory
    // before its first batch would not see it.
    await own.write("team/Late/Doc", undefined, { a: "1" });
    for (let next = await batches.next(); next.done !== true; next = await batches.next()) found.push(...next.value);
    expect(found.sort()).toEqual(["other/Link", "team/App", "team/Late/Doc"]);
  });
});
