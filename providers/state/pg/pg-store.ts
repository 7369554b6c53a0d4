import type { ClientBase, ClientConfig, Pool, PoolClient } from "pg";
import { pg } from "./pg-driver";
import { checkDocumentName } from "../../../contract/state-address";
import { StateBackendNotFoundError, StateConflictError, StateLockedError } from "../errors";
import { parseDocument, serializeDocument, type StoredDocument } from "../document";
import { parseHistoryEntry, type Actor, type HistoryEntry } from "../history";
import type { StateLogger } from "../logger";
import type { DocumentStore, LockRelease, SwapPlan } from "../store-primitives";
import { acquireAdvisoryLock, type HeldAdvisoryLock, type LockConnection } from "./advisory-lock";
import { pgConnectionConfig } from "./connection";
import { migrate } from "./migrations";
import type { LockPollTiming } from "../poll-lock";
import {
  describeRowLockHolders,
  isLockTimeout,
  lockKeysOf,
  pgTimeouts,
  setLocalTimeouts,
  tablesOf,
  translatePgError,
  type LockKeys,
  type PgTimeouts,
  type Tables,
} from "./sql";

/**
 * `pg:<schema>`: Terraform's pg backend layout, so `terraform_remote_state` with `backend = "pg"`,
 * `schema_name = <schema>` and `workspace = <document name>` reads a document with no provider.
 */

export interface PgStoreOptions {
  readonly schema: string;
  /** The connection: PG_CONN_STR, else libpq's PG* variables, from here rather than `process.env` (see pgConnectionConfig). */
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly actor: Actor;
  readonly logger: StateLogger;
  readonly label: string;
  /**
   * false: the schema and its tables must exist already (read-only commands); nothing is created or migrated.
   * @default true
   */
  readonly createIfMissing?: boolean;
  /** The lock wait's clock, sleep and jitter. @default realLockPollTiming */
  readonly lockPolling?: Partial<LockPollTiming>;
  /** lock_timeout and statement_timeout of migrations and writes. @default DEFAULT_PG_TIMEOUTS (60 s, 120 s) */
  readonly timeouts?: Partial<PgTimeouts>;
}

/** The pool's connections; locks borrow at most all but one of them (see PgDocumentStore.lockConnection). */
const POOL_MAX = 4;

/** Opens a pool, migrates the schema (or, with createIfMissing false, checks that it exists) and returns the store. */
export async function openPgStore(options: PgStoreOptions): Promise<PgDocumentStore> {
  const timeouts = pgTimeouts(options.timeouts);
  const clientConfig: ClientConfig = {
    ...pgConnectionConfig(options.env),
    // Shows up in pg_stat_activity, which is how a waiting process names the lock holder.
    application_name: `cdktf-xero ${options.actor.user} pid ${options.actor.pid}`.slice(0, 63),
    connectionTimeoutMillis: 15_000,
  };
  const pool = new pg.Pool({ ...clientConfig, max: POOL_MAX, idleTimeoutMillis: 10_000 });
  // An idle pooled connection that the server terminates emits 'error' on the pool; the next query reconnects.
  pool.on("error", () => undefined);
  const tables = tablesOf(options.schema);
  const keys = lockKeysOf(options.schema);
  try {
    const client = await pool.connect();
    let failure: unknown;
    try {
      if (options.createIfMissing === false) await expectSchema(client, options.schema, tables, options.label);
      else await migrate(client, options.schema, tables, keys, timeouts, options.label);
    } catch (error) {
      failure = error;
      throw error;
    } finally {
      client.release(failure instanceof Error ? failure : undefined);
    }
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw translatePgError(error, options.label, undefined);
  }
  return new PgDocumentStore(pool, clientConfig, tables, keys, timeouts, options);
}

/** For read-only use: the schema and the tables cdktf-xero reads must exist; creates nothing. */
async function expectSchema(client: PoolClient, schema: string, tables: Tables, label: string): Promise<void> {
  const found = await client.query<{ schema: boolean; states: string | null; history: string | null }>(
    "SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1) AS schema, to_regclass($2)::text AS states, to_regclass($3)::text AS history",
    [schema, tables.states, tables.history],
  );
  const row = found.rows[0];
  const create = `a deploy's hooks create it, and so does \`cdktf-xero state init --backend ${label}\``;
  if (row?.schema !== true) {
    throw new StateBackendNotFoundError(label, `the database has no schema "${schema}"`, `Check the schema name in --backend (${create})`);
  }
  if (row.states === null || row.history === null) {
    throw new StateBackendNotFoundError(
      label,
      `schema "${schema}" has no cdktf-xero tables (${tables.states}, ${tables.history})`,
      `Check the schema name in --backend (${create})`,
    );
  }
}

interface HistoryRow {
  name: string;
  action: string;
  serial_before: string | null;
  serial_after: string | null;
  actor: string;
  pid: number;
  at: Date;
  secret_fingerprints: unknown;
}

/**
 * A document lock this store holds, and the connection holding it. While it is held, the store's
 * statements on that document run on this connection, one at a time, rather than on another pooled
 * one: a process that opens the backend, locks a document, reads and writes it and releases it then
 * needs one connection to PostgreSQL instead of two (each a server process started and torn down).
 * Statements go back to the pool once the connection is lost or failed.
 */
class LockSession {
  private tail: Promise<unknown> = Promise.resolve();
  private failed: Error | undefined;

  constructor(readonly held: HeldAdvisoryLock) {}

  usable(): boolean {
    return this.failed === undefined && this.held.lost() === undefined;
  }

  /**
   * Runs `work` on the lock's connection once the statements queued before it are done, or
   * `elsewhere` should a statement before it have failed the connection meanwhile.
   */
  run<T>(work: (client: ClientBase) => Promise<T>, elsewhere: () => Promise<T>): Promise<T> {
    const result = this.tail.then(() => (this.usable() ? work(this.held.client) : elsewhere()));
    this.tail = result.catch(() => undefined);
    return result;
  }

  /** A statement broke the connection: nothing more runs on it, and the release closes it. */
  fail(error: Error): void {
    this.failed ??= error;
  }

  private released: Promise<void> | undefined;

  /** Releases the lock after the statements already queued on its connection; once, however often called. */
  release(): Promise<void> {
    if (this.released === undefined) {
      this.released = this.tail.then(() => this.held.release(this.failed));
      this.tail = this.released.catch(() => undefined);
    }
    return this.released;
  }
}

export class PgDocumentStore implements DocumentStore {
  readonly label: string;
  readonly swapNeedsLock = false;
  /** The locks this store holds, by document name. */
  private readonly lockSessions = new Map<string, LockSession>();
  /** How many of the pool's connections hold locks now. */
  private pooledLocks = 0;

  constructor(
    private readonly pool: Pool,
    private readonly clientConfig: ClientConfig,
    private readonly tables: Tables,
    private readonly keys: LockKeys,
    private readonly timeouts: PgTimeouts,
    private readonly options: PgStoreOptions,
  ) {
    this.label = options.label;
  }

  locationOf(name: string): string {
    return `${this.label} (table ${this.tables.states}, workspace "${name}")`;
  }

  async read(name: string): Promise<StoredDocument | undefined> {
    const result = await this.query<{ data: string | null }>(name, `SELECT data FROM ${this.tables.states} WHERE name = $1`, [name]);
    const row = result.rows[0];
    return row === undefined ? undefined : parseDocument(name, this.locationOf(name), row.data ?? "");
  }

  /**
   * One transaction: lock the row (FOR UPDATE), decide, write the row and the history entry. A lost
   * connection anywhere before COMMIT rolls all of it back on the server. A row held by a session
   * that never ends its transaction fails the write after lock_timeout with StateLockedError.
   */
  async swap(name: string, decide: (current: StoredDocument | undefined) => SwapPlan): Promise<void> {
    const { states } = this.tables;
    await this.transaction(name, async (client) => {
      const row = (await client.query<{ id: number; data: string | null }>(`SELECT id, data FROM ${states} WHERE name = $1 FOR UPDATE`, [name]))
        .rows[0];
      const current = row === undefined ? undefined : parseDocument(name, this.locationOf(name), row.data ?? "");
      const plan = decide(current);
      if (plan.next === undefined) {
        if (row !== undefined) await client.query(`DELETE FROM ${states} WHERE id = $1`, [row.id]);
      } else if (row !== undefined) {
        await client.query(`UPDATE ${states} SET data = $2 WHERE id = $1`, [row.id, serializeDocument(plan.next)]);
      } else {
        const inserted = await client.query(
          `INSERT INTO ${states} (name, data) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING RETURNING id`,
          [name, serializeDocument(plan.next)],
        );
        if (inserted.rowCount === 0) {
          // Another writer created it after our SELECT: the same conflict a changed serial is.
          const winner = (await client.query<{ data: string | null }>(`SELECT data FROM ${states} WHERE name = $1`, [name])).rows[0];
          const serial = winner === undefined ? undefined : parseDocument(name, this.locationOf(name), winner.data ?? "").serial;
          throw new StateConflictError(name, undefined, serial);
        }
      }
      const { entry } = plan;
      await client.query(
        `INSERT INTO ${this.tables.history} (name, action, serial_before, serial_after, actor, pid, at, secret_fingerprints)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
        [
          entry.document,
          entry.action,
          entry.serialBefore,
          entry.serialAfter,
          entry.actor,
          entry.pid,
          entry.at,
          entry.secretFingerprints === undefined ? null : JSON.stringify(entry.secretFingerprints),
        ],
      );
    });
  }

  async lock(name: string, timeoutMs: number): Promise<LockRelease> {
    const held = await acquireAdvisoryLock(name, timeoutMs, {
      connect: () => this.lockConnection(),
      tables: this.tables,
      keys: this.keys,
      label: this.label,
      logger: this.options.logger,
      ...(this.options.lockPolling === undefined ? {} : { timing: this.options.lockPolling }),
    });
    const session = new LockSession(held);
    this.lockSessions.set(name, session);
    return () => {
      if (this.lockSessions.get(name) === session) this.lockSessions.delete(name);
      return session.release();
    };
  }

  /**
   * The connection a lock is held on: an idle one of the pool when there is one (the one that opened
   * the store, usually), else a new connection of its own, closed when the lock is released. Locks
   * never hold the pool's last place, so a holder's statements on other documents always find a
   * connection, however many locks the process holds.
   */
  private async lockConnection(): Promise<LockConnection> {
    if (this.pool.idleCount > 0 && this.pooledLocks < POOL_MAX - 1) {
      this.pooledLocks += 1;
      let client: PoolClient;
      try {
        client = await this.pool.connect();
      } catch (error) {
        this.pooledLocks -= 1;
        throw error;
      }
      return {
        client,
        done: async (broken) => {
          this.pooledLocks -= 1;
          client.release(broken);
        },
      };
    }
    const client = new pg.Client(this.clientConfig);
    // Until the lock's own listener is on: a connection refused must reject connect(), not crash.
    client.on("error", () => undefined);
    await client.connect();
    return { client, done: () => client.end() };
  }

  async list(): Promise<string[]> {
    const result = await this.query<{ name: string }>(undefined, `SELECT name FROM ${this.tables.states} ORDER BY name`, []);
    return result.rows.map((row) => row.name).filter((name) => checkDocumentName(name) === undefined);
  }

  async history(name: string): Promise<HistoryEntry[]> {
    const result = await this.query<HistoryRow>(
      name,
      `SELECT name, action, serial_before::text, serial_after::text, actor, pid, at, secret_fingerprints
         FROM ${this.tables.history} WHERE name = $1 ORDER BY id`,
      [name],
    );
    const entries: HistoryEntry[] = [];
    for (const row of result.rows) {
      const entry = parseHistoryEntry({
        document: row.name,
        action: row.action,
        serialBefore: row.serial_before === null ? null : Number(row.serial_before),
        serialAfter: row.serial_after === null ? null : Number(row.serial_after),
        actor: row.actor,
        pid: row.pid,
        at: row.at.toISOString(),
        ...(row.secret_fingerprints === null ? {} : { secretFingerprints: row.secret_fingerprints }),
      });
      if (entry !== undefined) entries.push(entry);
    }
    return entries;
  }

  async close(): Promise<void> {
    // A lock still held on a pooled connection would keep the pool from ending: closing ends it.
    const held = [...this.lockSessions.values()];
    this.lockSessions.clear();
    await Promise.all(held.map((session) => session.release()));
    await this.pool.end();
  }

  /** The lock this store holds on `document`, when its connection can still take statements. */
  private sessionOf(document: string | undefined): LockSession | undefined {
    const session = document === undefined ? undefined : this.lockSessions.get(document);
    return session?.usable() === true ? session : undefined;
  }

  private async query<R extends object>(document: string | undefined, text: string, values: unknown[]): Promise<{ rows: R[] }> {
    const session = this.sessionOf(document);
    const viaPool = (): Promise<{ rows: R[] }> => this.pool.query<R & import("pg").QueryResultRow>(text, values);
    try {
      if (session === undefined) return await viaPool();
      return await session.run((client) => client.query<R & import("pg").QueryResultRow>(text, values), viaPool);
    } catch (error) {
      throw translatePgError(error, this.label, document);
    }
  }

  private async transaction(document: string, body: (client: ClientBase) => Promise<void>): Promise<void> {
    const viaPool = async (): Promise<void> => {
      let client: PoolClient;
      try {
        client = await this.pool.connect();
      } catch (error) {
        throw translatePgError(error, this.label, document);
      }
      // A connection that failed goes away rather than back to the pool.
      return this.transactionOn(client, document, body, (broken) => client.release(broken));
    };
    const session = this.sessionOf(document);
    if (session === undefined) return viaPool();
    return session.run(
      (client) =>
        this.transactionOn(client, document, body, (broken) => {
          if (broken !== undefined) session.fail(broken);
        }),
      viaPool,
    );
  }

  private async transactionOn(
    client: ClientBase,
    document: string,
    body: (client: ClientBase) => Promise<void>,
    finish: (broken: Error | undefined) => void,
  ): Promise<void> {
    let broken: Error | undefined;
    const onError = (error: Error): void => {
      broken = error;
    };
    client.on("error", onError);
    try {
      await client.query("BEGIN");
      await setLocalTimeouts(client, this.timeouts);
      await body(client);
      await client.query("COMMIT");
    } catch (error) {
      if (broken === undefined) {
        await client.query("ROLLBACK").catch((rollbackError: unknown) => {
          broken = rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError));
        });
      }
      if (isLockTimeout(error) && broken === undefined) {
        const holder = await describeRowLockHolders(client, this.tables.states).catch(() => "another session");
        throw new StateLockedError(document, holder, {
          timeoutMs: this.timeouts.lockTimeoutMs,
          cause: error,
          locked: `the row of state document "${document}" in ${this.locationOf(document)}`,
          fix:
            `That session changed or locked the row in a transaction it has not ended; nothing was written. Wait for it ` +
            `and retry; if it hangs, end it (\`SELECT pg_terminate_backend(<its backend pid>)\`) and retry: its ` +
            `transaction rolls back whole.`,
        });
      }
      throw translatePgError(error, this.label, document);
    } finally {
      client.off("error", onError);
      finish(broken);
    }
  }
}
