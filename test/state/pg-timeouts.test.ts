import { Client } from "pg";
import { openStateBackend, type StateBackend } from "../../providers/state";
import { lockKeysOf } from "../../providers/state/pg/sql";
import { RecordingLogger, TEST_ACTOR, pgFixture, requirePgConnStr, type BackendFixture } from "./support/fixtures";

/**
 * A session that never ends its transaction must not make a write or a migration wait forever:
 * PostgreSQL's lock_timeout (injected small here) ends the wait, however busy the machine is. The
 * test's own connection holds the lock in an open transaction until the backend call has failed.
 */

const HOLDER = "pg-timeouts test holder";
let fixture: BackendFixture;
let holder: Client;

beforeAll(async () => {
  fixture = await pgFixture("pgtimeouts");
  holder = new Client({ connectionString: requirePgConnStr(), application_name: HOLDER });
  await holder.connect();
});
afterAll(async () => {
  await holder.end();
  await fixture.cleanup();
});

function schemaOf(f: BackendFixture): string {
  return f.address.type === "pg" ? f.address.schema : "";
}

describe("pg lock_timeout", () => {
  it("fails a write with STATE_LOCKED naming the document's row and the session holding it, then writes once it is released", async () => {
    const schema = schemaOf(fixture);
    const backend: StateBackend = await fixture.open({ pgTimeouts: { lockTimeoutMs: 200 } });
    const first = await backend.write("rows/App", undefined, { count: 1 });
    await holder.query("BEGIN");
    let released = false;
    try {
      await holder.query(`SELECT id FROM "${schema}".states WHERE name = 'rows/App' FOR UPDATE`);
      const { rows } = await holder.query<{ pid: number }>("SELECT pg_backend_pid() AS pid");
      const error = (await backend.write("rows/App", first.serial, { count: 2 }).catch((e: unknown) => e)) as Error & { code: string };
      await holder.query("ROLLBACK");
      released = true;
      expect(error.code).toBe("STATE_LOCKED");
      expect(error.message).toMatch(
        new RegExp(
          `^the row of state document "rows/App" in pg:${schema} \\(table "${schema}"\\.states, workspace "rows/App"\\) is locked by ` +
            `${HOLDER} \\(PostgreSQL backend pid ${rows[0]?.pid ?? -1}, in a transaction since \\S+\\); waited 200 ms\\. ` +
            `That session changed or locked the row in a transaction it has not ended; nothing was written\\. Wait for it and retry; ` +
            `if it hangs, end it \\(\`SELECT pg_terminate_backend\\(<its backend pid>\\)\`\\) and retry: its transaction rolls back whole\\.$`,
        ),
      );
      expect(error).toMatchObject({ context: { document: "rows/App", timeoutMs: 200 } });
    } finally {
      if (!released) await holder.query("ROLLBACK");
    }
    await expect(backend.write("rows/App", first.serial, { count: 2 })).resolves.toMatchObject({ serial: 2 });
  });

  it("fails opening a schema with STATE_LOCKED naming the schema and the session migrating it, then opens once it is released", async () => {
    const fresh = await pgFixture("pgtimeouts_fresh");
    const schema = schemaOf(fresh);
    const keys = lockKeysOf(schema);
    const open = (): Promise<StateBackend> =>
      openStateBackend(fresh.address, { env: fresh.env, cwd: fresh.cwd, actor: TEST_ACTOR, logger: new RecordingLogger(), pgTimeouts: { lockTimeoutMs: 200 } });
    try {
      await holder.query("BEGIN");
      let released = false;
      try {
        await holder.query("SELECT pg_advisory_xact_lock($1::int, $2::int)", [keys.migrations, keys.schema]);
        const { rows } = await holder.query<{ pid: number }>("SELECT pg_backend_pid() AS pid");
        const error = (await open().catch((e: unknown) => e)) as Error & { code: string };
        await holder.query("ROLLBACK");
        released = true;
        expect(error.code).toBe("STATE_LOCKED");
        expect(error.message).toMatch(
          new RegExp(
            `^schema "${schema}" \\(pg:${schema}\\) is locked by ${HOLDER} \\(PostgreSQL backend pid ${rows[0]?.pid ?? -1}, ` +
              `in a transaction since \\S+\\); waited 200 ms\\. That session is creating or upgrading the schema's tables in a ` +
              `transaction it has not ended\\. Wait for it and retry; if it hangs, end it`,
          ),
        );
      } finally {
        if (!released) await holder.query("ROLLBACK");
      }
      const backend = await open();
      try {
        await expect(backend.list()).resolves.toEqual([]);
      } finally {
        await backend.close();
      }
    } finally {
      await fresh.cleanup();
    }
  });

  it("refuses a lock timeout of 0, which PostgreSQL reads as waiting forever", async () => {
    await expect(fixture.open({ pgTimeouts: { lockTimeoutMs: 0 } })).rejects.toMatchObject({
      code: "CONFIG_INVALID",
      message: 'pgTimeouts.lockTimeoutMs must be a whole number of milliseconds of at least 1 (PostgreSQL reads 0 as "wait forever"), got 0',
    });
  });

  it("runs a write's statements with the injected lock_timeout and statement_timeout", async () => {
    const backend = await fixture.open({ pgTimeouts: { lockTimeoutMs: 1234, statementTimeoutMs: 5678 } });
    const schema = schemaOf(fixture);
    // A trigger records the settings the write's own statements ran with.
    await holder.query(`CREATE TABLE "${schema}".seen_settings (lock_timeout text, statement_timeout text)`);
    await holder.query(
      `CREATE FUNCTION "${schema}".record_settings() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN INSERT INTO "${schema}".seen_settings VALUES (current_setting('lock_timeout'), current_setting('statement_timeout')); RETURN NEW; END $$`,
    );
    await holder.query(`CREATE TRIGGER record_settings BEFORE INSERT ON "${schema}".states FOR EACH ROW EXECUTE FUNCTION "${schema}".record_settings()`);
    await backend.write("settings/App", undefined, { count: 1 });
    const seen = await holder.query(`SELECT lock_timeout, statement_timeout FROM "${schema}".seen_settings`);
    expect(seen.rows).toEqual([{ lock_timeout: "1234ms", statement_timeout: "5678ms" }]);
  });
});
