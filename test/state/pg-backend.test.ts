import { promises as fs } from "node:fs";
import * as path from "node:path";
import { Client } from "pg";
import { DEFAULT_STATE_KEY_FILE, openStateBackend } from "../../providers/state";
import { compileWorkers, spawnWorker, waitForExit, waitForLine } from "./support/compile";
import { lockKeysOf } from "../../providers/state/pg/sql";
import { RecordingLogger, TEST_KEYRING, pgFixture, requirePgConnStr, type BackendFixture } from "./support/fixtures";

let fixture: BackendFixture;
let admin: Client;
let schema: string;

beforeAll(async () => {
  fixture = await pgFixture("pgbackend");
  schema = fixture.address.type === "pg" ? fixture.address.schema : "";
  admin = new Client({ connectionString: requirePgConnStr() });
  await admin.connect();
});
afterAll(async () => {
  await admin.end();
  await fixture.cleanup();
});

interface SessionsOf {
  readonly sessions: number;
  readonly advisoryLocks: number;
}

/** The PostgreSQL sessions of a backend opened as `actor` (told apart by application_name), and the advisory locks they hold. */
async function sessionsOf(actor: { readonly user: string; readonly pid: number }): Promise<SessionsOf> {
  const { rows } = await admin.query<{ sessions: number; advisory_locks: number }>(
    `SELECT count(*)::int AS sessions,
            (SELECT count(*)::int FROM pg_locks l JOIN pg_stat_activity b ON b.pid = l.pid
              WHERE b.application_name = $1 AND l.locktype = 'advisory' AND l.granted) AS advisory_locks
       FROM pg_stat_activity a WHERE a.application_name = $1`,
    [`cdktf-xero ${actor.user} pid ${actor.pid}`],
  );
  return { sessions: rows[0]?.sessions ?? -1, advisoryLocks: rows[0]?.advisory_locks ?? -1 };
}

/** Polls until `probe` answers; the bound (about a minute) is for a broken server, not a busy one. */
async function waitFor<T>(probe: () => Promise<T | undefined>, what: string): Promise<T> {
  for (let i = 0; i < 2_400; i += 1) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`gave up waiting for ${what}`);
}

describe("pg schema", () => {
  it("creates <schema>.states in Terraform's pg backend layout and records numbered migrations", async () => {
    await fixture.open();
    const columns = await admin.query<{ column_name: string; data_type: string }>(
      `SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = $1 AND table_name = 'states' ORDER BY ordinal_position`,
      [schema],
    );
    expect(columns.rows).toEqual([
      { column_name: "id", data_type: "integer" },
      { column_name: "name", data_type: "text" },
      { column_name: "data", data_type: "text" },
    ]);
    const migrations = await admin.query<{ id: number }>(`SELECT id FROM "${schema}".cdktf_xero_migrations ORDER BY id`);
    expect(migrations.rows.map((row) => row.id)).toEqual([1, 2]);
  });

  it("applies the migrations once when several backends open a new schema at the same time", async () => {
    const fresh = await pgFixture("pgbackend_fresh");
    try {
      const backends = await Promise.all(Array.from({ length: 4 }, () => fresh.open()));
      expect(await Promise.all(backends.map((backend) => backend.list()))).toEqual([[], [], [], []]);
      const freshSchema = fresh.address.type === "pg" ? fresh.address.schema : "";
      const migrations = await admin.query<{ id: number }>(`SELECT id FROM "${freshSchema}".cdktf_xero_migrations ORDER BY id`);
      expect(migrations.rows.map((row) => row.id)).toEqual([1, 2]);
    } finally {
      await fresh.cleanup();
    }
  });
});

describe("pg advisory locks", () => {
  it("takes two-key advisory locks, so Terraform's one-key locks on the same row id never collide", async () => {
    const backend = await fixture.open();
    await backend.write("keys/App", undefined, { a: "1" });
    const { rows } = await admin.query<{ id: string }>(`SELECT id::text FROM "${schema}".states WHERE name = 'keys/App'`);
    const rowId = rows[0]?.id ?? "";
    await backend.withLock("keys/App", async () => {
      const ours = await admin.query<{ objsubid: number; objid: string }>(
        `SELECT objsubid, objid::text FROM pg_locks WHERE locktype = 'advisory' AND granted AND objid::text = $1`,
        [rowId],
      );
      expect(ours.rows).toEqual([{ objsubid: 2, objid: rowId }]);
      // What Terraform's pg backend takes for this workspace: pg_try_advisory_lock(<row id>) and the creation lock -1.
      const terraform = await admin.query<{ row: boolean; create: boolean }>(
        `SELECT pg_try_advisory_lock($1::bigint) AS row, pg_try_advisory_lock(-1) AS create`,
        [rowId],
      );
      expect(terraform.rows[0]).toEqual({ row: true, create: true });
      await admin.query(`SELECT pg_advisory_unlock($1::bigint), pg_advisory_unlock(-1)`, [rowId]);
    });
  });

  it("holds a lock on the connection that opened the backend and runs the holder's reads and writes there: one connection in all", async () => {
    // An actor of its own, so its connections are told apart from the fixture's by application_name.
    const actor = { user: "one-connection@build-3", host: "build-3", pid: process.pid };
    const backend = await openStateBackend(fixture.address, { env: fixture.env, cwd: fixture.cwd, actor, logger: new RecordingLogger() });
    const connections = (): Promise<SessionsOf> => sessionsOf(actor);
    try {
      await backend.update("single/App", () => ({ a: "1" }));
      await backend.withLock("single/App", async () => {
        const current = await backend.read("single/App");
        await backend.write("single/App", current?.serial, { a: "2" });
        expect(await connections()).toEqual({ sessions: 1, advisoryLocks: 1 });
      });
      expect(await connections()).toEqual({ sessions: 1, advisoryLocks: 0 });
      expect(await backend.read("single/App")).toMatchObject({ serial: 2, values: { a: "2" } });
    } finally {
      await backend.close();
    }
  });

  it("opens a schema whose migrations are all recorded without taking the migration lock: an open succeeds while another session holds it", async () => {
    await (await fixture.open()).close();
    const keys = lockKeysOf(schema);
    await admin.query("BEGIN");
    try {
      await admin.query("SELECT pg_advisory_xact_lock($1::int, $2::int)", [keys.migrations, keys.schema]);
      const backend = await fixture.open();
      await backend.close();
    } finally {
      await admin.query("ROLLBACK");
    }
  });

  it("releases a lock still held when the backend closes: no advisory lock and no connection remain", async () => {
    const actor = { user: "close-with-lock@build-3", host: "build-3", pid: process.pid };
    const backend = await openStateBackend(fixture.address, { env: fixture.env, cwd: fixture.cwd, actor, logger: new RecordingLogger() });
    const held = (): Promise<SessionsOf> => sessionsOf(actor);
    await backend.update("closing/App", () => ({ a: "1" }));
    await backend.withLock("closing/App", async () => {
      expect((await held()).advisoryLocks).toBe(1);
      await backend.close();
      // Still inside the holder's body: the close itself let the lock go, and its sessions end
      // (a server process ends its session asynchronously once its client has gone).
      await waitFor(async () => ((await held()).sessions === 0 ? true : undefined), "the backend's sessions to end");
      expect(await held()).toEqual({ sessions: 0, advisoryLocks: 0 });
    });
  });

  it("respects a lock held by a live process, and gets it once that process's connection is gone", async () => {
    const workers = await compileWorkers();
    const backend = await fixture.open();
    await backend.write("held/App", undefined, { a: "1" });
    const holder = spawnWorker(workers, "hold-lock", [JSON.stringify(fixture.address), "held/App"], fixture.env);
    const exited = waitForExit(holder);
    await waitForLine(holder, /^locked/);
    await expect(backend.withLock("held/App", async () => "never", { timeoutMs: 300 })).rejects.toMatchObject({
      code: "STATE_LOCKED",
      message: expect.stringMatching(
        new RegExp(`^state document "held/App" is locked by cdktf-xero \\S+ pid ${holder.pid ?? -1} \\(PostgreSQL backend pid \\d+, connected since `),
      ),
    });
    holder.kill("SIGKILL");
    await exited;
    await expect(backend.withLock("held/App", async () => "mine", { timeoutMs: 5000 })).resolves.toBe("mine");
  });
});

describe("pg keys", () => {
  it("never creates the embedded default key file: a pg backend needs a configured key", async () => {
    const keyless = await openStateBackend(fixture.address, { env: { PG_CONN_STR: requirePgConnStr() }, cwd: fixture.cwd });
    try {
      await expect(keyless.sealSecrets("keys/None", { a: "b" })).rejects.toMatchObject({ code: "STATE_KEY_MISSING" });
      await expect(fs.stat(path.join(fixture.cwd, DEFAULT_STATE_KEY_FILE))).rejects.toMatchObject({ code: "ENOENT" });
    } finally {
      await keyless.close();
    }
  });
});

describe("pg failures", () => {
  it("leaves the previous row when the connection is terminated mid-transaction", async () => {
    const backend = await fixture.open();
    const first = await backend.write("crash/App", undefined, { tenant_id: "before" });
    const before = await fixture.getRaw("crash/App");
    // Hold the history table so the write blocks after its UPDATE, inside its transaction.
    await admin.query("BEGIN");
    await admin.query(`LOCK TABLE "${schema}".cdktf_xero_history IN ACCESS EXCLUSIVE MODE`);
    const attempt = backend.write("crash/App", first.serial, { tenant_id: "after" });
    const settled = attempt.catch((error: unknown) => error);
    const pid = await waitFor(async () => {
      // Waiting for the history table while holding its UPDATE's lock on states: mid-transaction, row already changed.
      const { rows } = await admin.query<{ pid: number }>(
        `SELECT a.pid FROM pg_stat_activity a
          WHERE a.application_name LIKE 'cdktf-xero %'
            AND EXISTS (SELECT 1 FROM pg_locks l WHERE l.pid = a.pid AND NOT l.granted AND l.relation = $1::regclass)
            AND EXISTS (SELECT 1 FROM pg_locks l WHERE l.pid = a.pid AND l.granted AND l.mode = 'RowExclusiveLock' AND l.relation = $2::regclass)`,
        [`"${schema}".cdktf_xero_history`, `"${schema}".states`],
      );
      return rows[0]?.pid;
    }, "the write to block inside its transaction");
    await admin.query("SELECT pg_terminate_backend($1)", [pid]);
    await admin.query("ROLLBACK");
    expect(await settled).toMatchObject({
      code: "STATE_UNAVAILABLE",
      message: `state backend pg:${schema} is unavailable for document "crash/App": terminating connection due to administrator command. Nothing was half-written (each change is one transaction: applied whole or not at all). Check that PostgreSQL is running and that PG_CONN_STR (or the PG* variables) point at it, then retry.`,
    });
    expect(await fixture.getRaw("crash/App")).toBe(before);
    // The dead connection is closed, not reused (the pool's, or the document lock's); the next write goes through.
    await expect(backend.write("crash/App", first.serial, { tenant_id: "after" })).resolves.toMatchObject({ serial: 2 });
  });

  it("fails with STATE_UNAVAILABLE when PostgreSQL cannot be reached, never printing the connection string", async () => {
    const attempt = openStateBackend(
      { type: "pg", schema: "unreachable" },
      { env: { PG_CONN_STR: "postgres://alice:hunter2-password@127.0.0.1:1/db", CDKTF_XERO_STATE_KEY: TEST_KEYRING } },
    );
    const error = (await attempt.catch((e: unknown) => e)) as Error & { code: string };
    expect(error.code).toBe("STATE_UNAVAILABLE");
    expect(error.message).toBe(
      "state backend pg:unreachable is unavailable: connect ECONNREFUSED 127.0.0.1:1. Nothing was half-written (each change is one transaction: applied whole or not at all). Check that PostgreSQL is running and that PG_CONN_STR (or the PG* variables) point at it, then retry.",
    );
    expect(JSON.stringify({ ...error, message: error.message })).not.toContain("hunter2");
  });
});

describe("a malformed PG_CONN_STR", () => {
  it("fails with STATE_UNAVAILABLE and keeps the password out of the error and its cause", async () => {
    const { openStateBackend } = await import("../../providers/state");
    const password = "hunter2-not-in-errors";
    const conn = `postgres://app:${password}@127.0.0.1:notaport/db`;
    let caught: unknown;
    try {
      const backend = await openStateBackend({ type: "pg", schema: "malformed_conn" }, { env: { PG_CONN_STR: conn } });
      await backend.close();
    } catch (error) {
      caught = error;
    }
    expect((caught as { code?: unknown }).code).toBe("STATE_UNAVAILABLE");
    const seen = [caught, (caught as Error).cause].map((e) => `${String((e as Error).message)} ${JSON.stringify(e)} ${require("node:util").inspect(e, { depth: 5 })}`);
    for (const text of seen) expect(text).not.toContain(password);
  });
});
