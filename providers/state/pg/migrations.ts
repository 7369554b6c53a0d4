import type { PoolClient } from "pg";
import { StateLockedError } from "../errors";
import { describeSession, isLockTimeout, quoteIdent, setLocalTimeouts, type LockKeys, type PgTimeouts, type Tables } from "./sql";

/**
 * Numbered, idempotent migrations of a state schema, applied in one transaction under an advisory
 * transaction lock, so processes opening the backend at once neither race nor half-apply them.
 * Never edit a shipped migration: add the next number.
 */
interface Migration {
  readonly id: number;
  readonly description: string;
  readonly statements: (tables: Tables) => readonly string[];
}

const MIGRATIONS: readonly Migration[] = [
  {
    id: 1,
    description: "states table in Terraform's pg backend layout (one row per workspace = document)",
    statements: ({ states }) => [`CREATE TABLE IF NOT EXISTS ${states} (id serial PRIMARY KEY, name text UNIQUE, data text)`],
  },
  {
    id: 2,
    description: "history of every change (serials, actor, secret fingerprints; never values)",
    statements: ({ history }) => [
      `CREATE TABLE IF NOT EXISTS ${history} (
         id bigserial PRIMARY KEY,
         name text NOT NULL,
         action text NOT NULL,
         serial_before bigint,
         serial_after bigint,
         actor text NOT NULL,
         pid integer NOT NULL,
         at timestamptz NOT NULL,
         secret_fingerprints jsonb
       )`,
      `CREATE INDEX IF NOT EXISTS cdktf_xero_history_by_name ON ${history} (name, id)`,
    ],
  },
];

/**
 * Brings the schema up to date; returns the ids applied by this call. Waits for another migrator at
 * most `timeouts.lockTimeoutMs` (then StateLockedError naming the schema and the holder).
 */
export async function migrate(
  client: PoolClient,
  schema: string,
  tables: Tables,
  keys: LockKeys,
  timeouts: PgTimeouts,
  label: string,
): Promise<number[]> {
  if (await upToDate(client, tables, timeouts)) return [];
  const applied: number[] = [];
  await client.query("BEGIN");
  try {
    await setLocalTimeouts(client, timeouts);
    await client.query("SELECT pg_advisory_xact_lock($1::int, $2::int)", [keys.migrations, keys.schema]);
    // Like Terraform's backend: CREATE SCHEMA only when missing, so a role without CREATE on the
    // database can use a schema prepared for it.
    const exists = await client.query("SELECT 1 FROM information_schema.schemata WHERE schema_name = $1", [schema]);
    if (exists.rowCount === 0) await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)}`);
    await client.query(
      `CREATE TABLE IF NOT EXISTS ${tables.migrations} (id integer PRIMARY KEY, description text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`,
    );
    const done = new Set((await client.query<{ id: number }>(`SELECT id FROM ${tables.migrations}`)).rows.map((row) => row.id));
    for (const migration of MIGRATIONS) {
      if (done.has(migration.id)) continue;
      for (const statement of migration.statements(tables)) await client.query(statement);
      await client.query(`INSERT INTO ${tables.migrations} (id, description) VALUES ($1, $2)`, [migration.id, migration.description]);
      applied.push(migration.id);
    }
    await client.query("COMMIT");
  } catch (error) {
    await client.query("ROLLBACK").catch(() => undefined);
    if (isLockTimeout(error)) {
      const holder = await describeMigrationLockHolder(client, keys).catch(() => "another session");
      throw new StateLockedError("(all)", holder, {
        timeoutMs: timeouts.lockTimeoutMs,
        cause: error,
        locked: `schema "${schema}" (${label})`,
        fix:
          `That session is creating or upgrading the schema's tables in a transaction it has not ended. Wait for it and ` +
          `retry; if it hangs, end it (\`SELECT pg_terminate_backend(<its backend pid>)\`) and retry: its transaction ` +
          `rolls back whole.`,
      });
    }
    throw error;
  }
  return applied;
}

/**
 * Whether every migration is recorded already: what almost every open finds, answered by two reads
 * instead of the migration lock, an information_schema query and DDL (each open is usually a process
 * of its own: a hook, a `token`). Ids are recorded only by a committed migration, so seeing all of
 * them means there is nothing to do. The reads run under the same timeouts as a migration, so they
 * never wait forever either; any doubt (no table, no privilege to read it, a timeout) is left to the
 * full path, which says what is wrong.
 */
async function upToDate(client: PoolClient, tables: Tables, timeouts: PgTimeouts): Promise<boolean> {
  try {
    await client.query("BEGIN");
    try {
      await setLocalTimeouts(client, timeouts);
      const found = await client.query<{ present: boolean }>("SELECT to_regclass($1) IS NOT NULL AS present", [tables.migrations]);
      if (found.rows[0]?.present !== true) return false;
      const done = new Set((await client.query<{ id: number }>(`SELECT id FROM ${tables.migrations}`)).rows.map((row) => row.id));
      return MIGRATIONS.every((migration) => done.has(migration.id));
    } finally {
      await client.query("ROLLBACK");
    }
  } catch {
    return false;
  }
}

/** The session holding the schema's migration lock (an advisory transaction lock). */
async function describeMigrationLockHolder(client: PoolClient, keys: LockKeys): Promise<string> {
  const result = await client.query<{ application_name: string; pid: number; xact_start: Date | null }>(
    `SELECT a.application_name, a.pid, a.xact_start
       FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
      WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 2
        AND l.classid = $1::int::oid AND l.objid = $2::int::oid
      LIMIT 1`,
    [keys.migrations, keys.schema],
  );
  const row = result.rows[0];
  if (row === undefined) return "another session (it ended its transaction just now)";
  return describeSession(row, row.xact_start === null ? "" : `, in a transaction since ${row.xact_start.toISOString()}`);
}
