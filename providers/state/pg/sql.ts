import { createHash } from "node:crypto";
import { PG_SCHEMA_PATTERN } from "../../../spec/state-address";
import { CdktfXeroError } from "../../errors";
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
