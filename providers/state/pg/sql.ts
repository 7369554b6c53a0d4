import { createHash } from "node:crypto";
import { PG_SCHEMA_PATTERN } from "../../../contract/state-address";
import type { ClientBase } from "pg";
import { CdktfXeroError, ConfigError } from "../../errors";
import { StatePermissionError, StateUnavailableError } from "../errors";

/**
 * SQL helpers for the pg backend: identifiers are quoted here and only here; values are always `$n`.
 */

/** `"schema"`; the schema was validated by PG_SCHEMA_PATTERN, quoting is belt and braces. */
export function quoteIdent(identifier: string): string {
  if (!PG_SCHEMA_PATTERN.test(identifier)) throw new TypeError(`not a valid schema name: ${JSON.stringify(identifier)}`);
  return `"${identifier.replace(/"/g, '""')}"`;
}

/** Fully qualified, quoted table names of one schema. */
export interface Tables {
  /** Terraform's pg backend layout: `states(id, name, data)`; a row is a workspace. */
  readonly states: string;
  readonly history: string;
  readonly migrations: string;
}

export function tablesOf(schema: string): Tables {
  const q = quoteIdent(schema);
  return { states: `${q}.states`, history: `${q}.cdktf_xero_history`, migrations: `${q}.cdktf_xero_migrations` };
}

/**
 * A signed 32-bit advisory-lock key from a label. Our locks use the two-key form
 * `pg_try_advisory_lock(int, int)`, which PostgreSQL keeps apart from the one-`bigint` form that
 * Terraform's own pg backend uses (`pg_try_advisory_lock(<row id>)` and `-1`), so they never collide.
 */
export function lockKey(label: string): number {
  return createHash("sha256").update(label, "utf8").digest().readInt32BE(0);
}

/** A row id as the second key (ids past 2^31 wrap; a wrapped collision only serializes two documents). */
export function rowKey(id: string | number): number {
  return Number(BigInt.asIntN(32, BigInt(id)));
}

export interface LockKeys {
  /** First key for locks on existing documents: (documents, row id). */
  readonly documents: number;
  /** First key for creating a document that has no row yet: (creation, hash of the name). */
  readonly creation: number;
  /** Migrations of this schema: (migrations, hash of the schema). */
  readonly migrations: number;
  readonly schema: number;
}

export function lockKeysOf(schema: string): LockKeys {
  return {
    documents: lockKey(`cdktf-xero:documents:${schema}`),
    creation: lockKey(`cdktf-xero:create:${schema}`),
    migrations: lockKey("cdktf-xero:migrations"),
    schema: lockKey(`cdktf-xero:schema:${schema}`),
  };
}

const PERMISSION_SQLSTATES = new Set(["42501"]);

/**
 * Turns a driver or server error into a typed one. The connection string never appears: pg's messages
 * name at most host and port.
 */
export function translatePgError(error: unknown, label: string, document: string | undefined): unknown {
  // Duck-typed: errors from the driver's sockets may come from another realm (e.g. under jest).
  if (error instanceof CdktfXeroError || typeof error !== "object" || error === null || !("message" in error)) return error;
  const message = String(error.message);
  const sqlState = (error as { code?: unknown }).code;
  // A copy, not the driver's error: a malformed PG_CONN_STR makes URL parsing throw an error whose
  // `input` holds the whole connection string, password included.
  const cause = Object.assign(new Error(message), typeof sqlState === "string" ? { code: sqlState } : {});
  if (typeof sqlState === "string" && PERMISSION_SQLSTATES.has(sqlState)) {
    return new StatePermissionError(document ?? "(all)", label, {
      cause,
      errno: `SQLSTATE ${sqlState}: ${message}`,
      fix: `Grant the PostgreSQL role USAGE and CREATE on the schema (or create it and its tables as an owner), then retry.`,
    });
  }
  return new StateUnavailableError(label, document, message, { cause });
}

/**
 * Bounds on the statements of one transaction that could otherwise wait forever: a row lock
 * (`SELECT … FOR UPDATE`) or a migration's advisory transaction lock held by a session that never
 * ends its transaction.
 */
export interface PgTimeouts {
  /** PostgreSQL's `lock_timeout`: the longest wait for any one lock. @default 60000 */
  readonly lockTimeoutMs: number;
  /** PostgreSQL's `statement_timeout`: the longest any one statement runs, its lock waits included. @default 120000 */
  readonly statementTimeoutMs: number;
}

export const DEFAULT_PG_TIMEOUTS: PgTimeouts = Object.freeze({ lockTimeoutMs: 60_000, statementTimeoutMs: 120_000 });

/** The defaults with `overrides` on top, each checked: PostgreSQL reads 0 as "no limit", which is what these exist to prevent. */
export function pgTimeouts(overrides: Partial<PgTimeouts> = {}): PgTimeouts {
  const timeouts = { ...DEFAULT_PG_TIMEOUTS, ...overrides };
  for (const [name, value] of Object.entries(timeouts)) {
    if (!Number.isInteger(value) || value < 1) {
      throw new ConfigError(
        `pgTimeouts.${name} must be a whole number of milliseconds of at least 1 (PostgreSQL reads 0 as "wait forever"), got ${String(value)}`,
        { context: { name, value: String(value) } },
      );
    }
  }
  return timeouts;
}

/** `SET LOCAL` of both timeouts, as parameters: they end with the transaction, so pooled connections keep their defaults. */
export async function setLocalTimeouts(client: ClientBase, timeouts: PgTimeouts): Promise<void> {
  await client.query("SELECT set_config('lock_timeout', $1, true), set_config('statement_timeout', $2, true)", [
    `${timeouts.lockTimeoutMs}ms`,
    `${timeouts.statementTimeoutMs}ms`,
  ]);
}

/** Whether a server error is `lock_timeout` firing (SQLSTATE 55P03, lock_not_available). */
export function isLockTimeout(error: unknown): boolean {
  return typeof error === "object" && error !== null && (error as { code?: unknown }).code === "55P03";
}

/** A session as a lock message names it: `cdktf-xero alice@build-1 pid 42 (PostgreSQL backend pid 7, …)`. */
export function describeSession(row: { application_name: string; pid: number }, since: string): string {
  const who = row.application_name === "" ? "an unnamed PostgreSQL session" : row.application_name;
  return `${who} (PostgreSQL backend pid ${row.pid}${since})`;
}

/**
 * Who may hold a row of `table` locked: the other sessions with an open transaction that locked or
 * changed rows of it (a row lock itself is not listed in pg_locks once granted). Run on a connection
 * outside the failed transaction.
 */
export async function describeRowLockHolders(client: ClientBase, table: string): Promise<string> {
  const result = await client.query<{ application_name: string; pid: number; xact_start: Date | null }>(
    `SELECT DISTINCT a.application_name, a.pid, a.xact_start
       FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
      WHERE l.locktype = 'relation' AND l.granted AND l.relation = $1::regclass
        AND l.mode IN ('RowShareLock', 'RowExclusiveLock', 'ShareRowExclusiveLock', 'ExclusiveLock', 'AccessExclusiveLock')
        AND a.pid <> pg_backend_pid()
      ORDER BY a.pid`,
    [table],
  );
  if (result.rows.length === 0) return "another session (it ended its transaction just now)";
  return result.rows
    .map((row) => describeSession(row, row.xact_start === null ? "" : `, in a transaction since ${row.xact_start.toISOString()}`))
    .join(" or ");
}
